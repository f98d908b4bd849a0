//! My tickets, one ticket with its public thread, answering it, confirming or reopening it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use deskbell_domain::article::ArticleKind;
use deskbell_domain::person::Role;
use deskbell_domain::ticket::Status;
use deskbell_store::tickets::{self, Cursor, Filter, Sort, Ticket};
use deskbell_store::{Tx, orgs, people};
use serde::Deserialize;

use super::{
    ArticleView, ChecksView, Sent, Zones, checks_view, error_text, limits, number, priority_class, status_class, text,
    thread, upload_errors,
};
use crate::auth::Actor;
use crate::error::ApiError;
use crate::state::AppState;
use crate::tickets::service::{self, BODY_MAX, NewArticle, StatusChange};
use crate::web::ctx::{self, Ctx, PageResult};
use crate::web::forms::{self, Errors};
use crate::web::i18n::{self, fill};

/// Tickets per page of the list.
const PAGE: usize = 25;

// ---------------------------------------------------------------- the list

struct Row {
    number: i64,
    subject: String,
    status: &'static str,
    status_class: String,
    priority: &'static str,
    priority_class: &'static str,
    requester: String,
    updated: String,
    created: String,
    /// "merged into #N" for a ticket merged into another.
    merged: Option<String>,
}

#[derive(Template)]
#[template(path = "help/list.html")]
struct ListPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    /// `mine` or `all` (every ticket of the organisation, for a customer admin).
    view: &'a str,
    admin: bool,
    rows: Vec<Row>,
    /// The next page's address.
    more: Option<String>,
    /// This is a later page (offer the way back to the first).
    later: bool,
}

#[derive(Deserialize)]
pub struct ListQuery {
    view: Option<String>,
    cursor: Option<String>,
}

fn encode_cursor(c: Cursor) -> String {
    format!("{}_{}", c.key, c.id)
}

fn decode_cursor(s: &str) -> Option<Cursor> {
    let (k, i) = s.split_once('_')?;
    Some(Cursor { key: k.parse().ok()?, id: i.parse().ok()? })
}

/// GET /help — the caller's tickets, newest first; a customer admin may switch to every
/// ticket of the organisation and its properties.
pub async fn list(State(state): State<AppState>, c: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    let actor = c.customer()?.clone();
    let admin = actor.role() == Role::CustomerAdmin;
    let view = if admin && q.view.as_deref() == Some("all") { "all" } else { "mine" };
    let filter = Filter {
        requester_id: (view == "mine").then_some(actor.id()),
        sort: Sort::CreatedDesc,
        after: q.cursor.as_deref().and_then(decode_cursor),
        limit: PAGE,
        ..Filter::default()
    };
    let later = filter.after.is_some();
    let lang = c.lang;
    let t = c.t;
    let (rows, next) = state
        .read(move |tx| {
            let page = tickets::list(tx, &actor.scope, &filter)?;
            let orgs: Vec<i64> = page.items.iter().map(|t| t.organisation_id).collect();
            let zones = Zones::load(tx, &orgs)?;
            let requesters: Vec<i64> = page.items.iter().map(|t| t.requester_id).collect();
            let names = people::names(tx, &requesters)?;
            let ids: Vec<i64> = page.items.iter().map(|t| t.id).collect();
            let merged = deskbell_store::merges::targets(tx, &ids)?;
            let rows = page
                .items
                .iter()
                .map(|tk| {
                    let tz = zones.of(tk.organisation_id);
                    Row {
                        number: tk.number,
                        subject: tk.subject.clone(),
                        status: t.status(tk.status),
                        status_class: status_class(tk.status),
                        priority: t.priority(tk.priority),
                        priority_class: priority_class(tk.priority),
                        requester: names.get(&tk.requester_id).cloned().unwrap_or_default(),
                        updated: i18n::datetime(lang, tk.updated_at, &tz),
                        created: i18n::datetime(lang, tk.created_at, &tz),
                        merged: merged.get(&tk.id).map(|n| fill(t.ev_merged_into, &[("n", &n.to_string())])),
                    }
                })
                .collect::<Vec<_>>();
            Ok((rows, page.next))
        })
        .await?;
    let more = next.map(|n| format!("/help?view={view}&cursor={}", encode_cursor(n)));
    ctx::html(&ListPage { c: &c, section: "help", view, admin, rows, more, later })
}

// ---------------------------------------------------------------- one ticket

/// What the ticket page says about a ticket.
pub(super) struct Facts {
    pub number: i64,
    pub subject: String,
    pub status: &'static str,
    pub status_class: String,
    pub priority: &'static str,
    pub priority_class: &'static str,
    /// The customer's proposal, when support changed the priority.
    pub proposed: Option<&'static str>,
    pub kind: &'static str,
    pub product: Option<String>,
    pub requester: String,
    pub organisation: String,
    pub created: String,
    pub updated: String,
    pub checks: Option<ChecksView>,
    pub is_new: bool,
    pub waiting: bool,
    pub resolved: bool,
    pub closed: bool,
    /// Until when a resolved ticket may be reopened (`None` once that has passed).
    pub reopen_until: Option<String>,
}

pub(super) fn facts(tx: &mut Tx<'_>, c: &Ctx, t: &Ticket, reopen_days: u32) -> Result<Facts, ApiError> {
    let org = orgs::get(tx, t.organisation_id)?;
    let tz = i18n::time_zone(&org.time_zone);
    let product = match t.product_id {
        Some(p) => orgs::product(tx, p).ok().map(|p| p.name),
        None => None,
    };
    let requester = people::names(tx, &[t.requester_id])?.remove(&t.requester_id).unwrap_or_default();
    let window = jiff::SignedDuration::from_hours(i64::from(reopen_days) * 24);
    let reopen_until = match (t.status, t.resolved_at) {
        (Status::Resolved, Some(r)) => {
            r.checked_add(window).ok().filter(|until| *until >= c.now).map(|u| i18n::datetime(c.lang, u, &tz))
        }
        _ => None,
    };
    Ok(Facts {
        number: t.number,
        subject: t.subject.clone(),
        status: c.t.status(t.status),
        status_class: status_class(t.status),
        priority: c.t.priority(t.priority),
        priority_class: priority_class(t.priority),
        proposed: t.proposed_priority.filter(|p| *p != t.priority).map(|p| c.t.priority(p)),
        kind: c.t.kind(t.kind),
        product,
        requester,
        organisation: org.name,
        created: i18n::datetime(c.lang, t.created_at, &tz),
        updated: i18n::datetime(c.lang, t.updated_at, &tz),
        checks: checks_view(c, t.local_it_checks.as_deref()),
        is_new: t.status == Status::New,
        waiting: t.status == Status::WaitingForCustomer,
        resolved: t.status == Status::Resolved,
        closed: t.status == Status::Closed,
        reopen_until,
    })
}

#[derive(Template)]
#[template(path = "help/ticket.html")]
pub(super) struct TicketPage<'a> {
    pub c: &'a Ctx,
    pub section: &'a str,
    pub f: Facts,
    pub articles: Vec<ArticleView>,
    /// The read-only view of a tracking link (no account).
    pub tracking: bool,
    /// On that view of a resolved ticket: where "confirm the solution" posts to.
    pub confirm_action: Option<String>,
    /// On that view of a development proposal taken by phone: where its written
    /// description posts to.
    pub written_action: Option<String>,
    /// A confirmation after a form (`created`, `replied`, `closed`, `reopened`).
    pub notice: Option<&'static str>,
    pub errors: Errors,
    /// What the customer typed into the reply, kept when it is shown again.
    pub reply: String,
    /// What the customer typed as the reason to reopen.
    pub comment: String,
    pub max_bytes: usize,
    pub too_large: String,
}

impl TicketPage<'_> {
    fn reply_url(&self) -> String {
        format!("/help/tickets/{}/reply?_csrf={}", self.f.number, self.c.csrf)
    }

    fn limit_hint(&self) -> String {
        fill(self.c.t.help_attachments_hint, &[("limit", &forms::bytes(self.max_bytes))])
    }

    fn reopen_until_text(&self, date: &str) -> String {
        fill(self.c.t.help_reopen_until, &[("date", date)])
    }

    fn proposed_text(&self, priority: &str) -> String {
        fill(self.c.t.help_proposed, &[("priority", priority)])
    }
}

struct Shown {
    notice: Option<&'static str>,
    errors: Errors,
    reply: String,
    comment: String,
}

async fn render(state: &AppState, c: &Ctx, actor: Actor, n: i64, shown: Shown, status: StatusCode) -> PageResult {
    render_or_follow(state, c, actor, n, shown, status, false).await
}

/// [`render`]; with `follow_merged`, a merged ticket's number leads to the ticket it was
/// merged into (found by the same read).
async fn render_or_follow(
    state: &AppState,
    c: &Ctx,
    actor: Actor,
    n: i64,
    shown: Shown,
    status: StatusCode,
    follow_merged: bool,
) -> PageResult {
    let reopen_days = state.config.reopen_days;
    let cc = c.clone();
    let read = state
        .read(move |tx| {
            let t = service::load(tx, &actor, n)?;
            if follow_merged && t.number != n {
                return Ok(Err(t.number));
            }
            let f = facts(tx, &cc, &t, reopen_days)?;
            let tz = i18n::time_zone(&orgs::time_zone(tx, t.organisation_id)?);
            let articles = thread(tx, &cc, &t, &tz, &|id| format!("/api/v1/attachments/{id}"))?;
            Ok(Ok((f, articles)))
        })
        .await?;
    let (f, articles) = match read {
        Ok(page) => page,
        Err(to) => return Ok(ctx::see_other(c, &format!("/help/tickets/{to}"))),
    };
    let max_bytes = state.config.attachment_max_bytes;
    let page = TicketPage {
        confirm_action: None,
        written_action: None,
        c,
        section: "help",
        f,
        articles,
        tracking: false,
        notice: shown.notice,
        errors: shown.errors,
        reply: shown.reply,
        comment: shown.comment,
        max_bytes,
        too_large: fill(c.t.err_too_large, &[("limit", &forms::bytes(max_bytes))]),
    };
    ctx::html_status(status, &page)
}

#[derive(Deserialize)]
pub struct ShowQuery {
    done: Option<String>,
}

/// GET /help/tickets/{number}
pub async fn show(
    State(state): State<AppState>,
    c: Ctx,
    Path(raw): Path<String>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let actor = c.customer()?.clone();
    let n = number(&raw)?;
    let t = c.t;
    let notice = match q.done.as_deref() {
        Some("created") => Some(t.help_done_created),
        Some("replied") => Some(t.help_done_replied),
        Some("closed") => Some(t.help_done_closed),
        Some("reopened") => Some(t.help_done_reopened),
        _ => None,
    };
    let shown = Shown { notice, errors: Errors::default(), reply: String::new(), comment: String::new() };
    render_or_follow(&state, &c, actor, n, shown, StatusCode::OK, true).await
}

/// The status of a refusal shown on the form again: the service's own for client errors;
/// anything else is not the customer's to fix and becomes an error page.
fn refused(e: ApiError) -> Result<StatusCode, ApiError> {
    if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND && e.status != StatusCode::FORBIDDEN {
        Ok(if e.status == StatusCode::PAYLOAD_TOO_LARGE { StatusCode::UNPROCESSABLE_ENTITY } else { e.status })
    } else {
        Err(e)
    }
}

/// POST /help/tickets/{number}/reply — a public reply with attachments (multipart).
pub async fn reply(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>, sent: Sent) -> PageResult {
    let actor = c.customer()?.clone();
    let n = number(&raw)?;
    let limits = limits(&state);
    let typed = sent.value("body");
    let mut errors = Errors::default();
    upload_errors(&c, &sent, limits.attachment_max_bytes, &mut errors);
    let body = match text(&typed, BODY_MAX, true, c.t.help_err_reply, c.t.help_err_too_long) {
        Ok(b) => Some(b),
        Err(m) => {
            errors.add("body", m);
            None
        }
    };
    let shown = |errors| Shown { notice: None, errors, reply: typed.clone(), comment: String::new() };
    let Some(body) = body.filter(|_| errors.is_empty()) else {
        return render(&state, &c, actor, n, shown(errors), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let now = c.now;
    let article = NewArticle { kind: ArticleKind::PublicReply, body, call: None, mail: None, attachments: sent.files };
    let writer = actor.clone();
    match state.write(move |tx| service::add_article(tx, &writer, n, article, limits, now)).await {
        Ok(_) => Ok(ctx::see_other(&c, &format!("/help/tickets/{n}?done=replied#reply"))),
        Err(e) => {
            let message = error_text(&c, &e, limits);
            let status = refused(e)?;
            let mut errors = Errors::default();
            errors.add("body", message);
            render(&state, &c, actor, n, shown(errors), status).await
        }
    }
}

#[derive(Deserialize)]
pub struct StatusFields {
    #[serde(default)]
    to: String,
    #[serde(default)]
    comment: String,
}

/// POST /help/tickets/{number}/status — confirm a solution (`closed`) or reopen (`open`),
/// with what still does not work as a reply.
pub async fn status(
    State(state): State<AppState>,
    c: Ctx,
    Path(raw): Path<String>,
    Form(f): Form<StatusFields>,
) -> PageResult {
    let actor = c.customer()?.clone();
    let n = number(&raw)?;
    let limits = limits(&state);
    let to = match f.to.as_str() {
        "closed" => Status::Closed,
        "open" => Status::Open,
        _ => return Err(ApiError::invalid("to", "confirm (closed) or reopen (open)").into()),
    };
    let comment = Some(f.comment.trim().to_owned()).filter(|s| !s.is_empty());
    let now = c.now;
    let writer = actor.clone();
    let result = state
        .write(move |tx| {
            let change = StatusChange { to, version: None, reason: None };
            let t = service::transition(tx, &writer, n, change, limits, now)?;
            if let (Status::Open, Some(body)) = (to, comment) {
                let a =
                    NewArticle { kind: ArticleKind::PublicReply, body, call: None, mail: None, attachments: vec![] };
                service::add_article(tx, &writer, n, a, limits, now)?;
            }
            Ok(t)
        })
        .await;
    match result {
        Ok(_) => {
            let done = if to == Status::Closed { "closed" } else { "reopened" };
            Ok(ctx::see_other(&c, &format!("/help/tickets/{n}?done={done}")))
        }
        Err(e) => {
            let message = error_text(&c, &e, limits);
            let status = refused(e)?;
            let mut errors = Errors::default();
            errors.add("_status", message);
            let shown = Shown { notice: None, errors, reply: String::new(), comment: f.comment };
            render(&state, &c, actor, n, shown, status).await
        }
    }
}
