//! The agent's ticket page: the conversation, the SLA clocks as of now, every action on the
//! ticket, and its history. All changes go through the ticket service.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use deskbell_domain::article::{ArticleKind, CallDirection};
use deskbell_domain::sla::RunState;
use deskbell_domain::ticket::{Kind, Priority, Status, check_transition};
use deskbell_store::orgs::{Organisation, Product, Team};
use deskbell_store::people::Person;
use deskbell_store::tickets::{self, Call, Ticket};
use deskbell_store::{events, orgs, people};
use jiff::Timestamp;

use super::{form_errors, metric_name};
use crate::auth::Actor;
use crate::error::ApiError;
use crate::patch::Patch;
use crate::state::AppState;
use crate::tickets::api::{limits, number};
use crate::tickets::service::{self, NewArticle, StatusChange, TicketChanges};
use crate::web::ctx::{Ctx, PageResult, see_other};
use crate::web::forms::{Errors, FormData, bytes};
use crate::web::i18n::{Catalogue, datetime, fill, time_zone};
use crate::web::thread::{FileView, split_quote, support_authors};

pub struct ArticleItem {
    pub id: i64,
    pub kind: ArticleKind,
    pub author: String,
    pub from_vendor: bool,
    pub at: String,
    pub body: String,
    /// The quoted history of a mail, shown folded.
    pub quoted: Option<String>,
    pub call: Option<String>,
    /// Sender and recipients of a mail.
    pub mail: Option<String>,
    pub files: Vec<FileView>,
}

pub struct ClockItem {
    pub metric: &'static str,
    pub class: &'static str,
    pub state: &'static str,
    pub text: String,
    pub due: Option<String>,
    pub target: Option<String>,
}

pub struct EventItem {
    pub at: String,
    pub who: String,
    pub text: String,
    pub reason: Option<String>,
}

/// What the action forms show again after a refused submission.
#[derive(Default)]
pub struct Draft {
    pub kind: String,
    pub body: String,
    pub direction: String,
    pub phone: String,
    pub duration: String,
    pub then_status: String,
    pub priority_reason: String,
    pub merge_into: String,
    pub merge_reason: String,
    pub link_to: String,
    pub broadcast_body: String,
    pub parent_to: String,
}

#[derive(Template)]
#[template(path = "agent/ticket.html")]
struct TicketPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    t: Ticket,
    org: Organisation,
    requester: Person,
    articles: Vec<ArticleItem>,
    clocks: Vec<ClockItem>,
    has_sla: bool,
    history: Vec<EventItem>,
    next_statuses: Vec<Status>,
    teams: Vec<Team>,
    products: Vec<Product>,
    staff: Vec<Person>,
    created: String,
    local_it: Vec<(&'static str, String)>,
    errors: Errors,
    draft: Draft,
    max_upload: usize,
    max_upload_text: String,
    /// Active canned responses to insert into the reply (id, title).
    responses: Vec<(i64, String)>,
    rel: super::relations::Relations,
}

impl TicketPage<'_> {
    fn assigned_to_me(&self) -> bool {
        self.c.actor.as_ref().is_some_and(|a| self.t.assignee_id == Some(a.id()))
    }

    fn kind_is(&self, k: &str) -> bool {
        if self.draft.kind.is_empty() { k == "public_reply" } else { self.draft.kind == k }
    }
}

fn call_text(t: &Catalogue, call: &Call) -> String {
    let dir = match call.direction {
        CallDirection::Inbound => t.call_inbound,
        CallDirection::Outbound => t.call_outbound,
    };
    let mut s = dir.to_owned();
    if let Some(n) = &call.number {
        s.push_str(&format!(" · {n}"));
    }
    if let Some(d) = call.duration_secs {
        s.push_str(&format!(" · {}", t.duration(d)));
    }
    s
}

fn clock_item(
    t: &Catalogue,
    lang: deskbell_domain::person::Language,
    v: &crate::sla::clocks::ClockView,
    now: Timestamp,
    tz: &jiff::tz::TimeZone,
) -> Option<ClockItem> {
    let s = &v.state;
    let remaining = s.remaining_secs.unwrap_or(0);
    let (class, state, text) = match s.state {
        RunState::NotStarted => return None,
        RunState::Running if s.breached || remaining < 0 => {
            ("breached", t.state_breached, fill(t.clock_over, &[("time", &t.duration(-remaining))]))
        }
        RunState::Running => {
            let warned = s.warning_at.is_some_and(|w| w <= now);
            let (class, state) = if warned { ("warning", t.state_warning) } else { ("running", t.state_running) };
            (class, state, fill(t.clock_left, &[("time", &t.duration(remaining))]))
        }
        RunState::Paused => ("paused", t.state_paused, fill(t.clock_paused_left, &[("time", &t.duration(remaining))])),
        RunState::Stopped if s.breached => ("missed", t.state_stopped, t.clock_missed.to_owned()),
        RunState::Stopped => ("stopped", t.state_stopped, t.clock_met.to_owned()),
    };
    Some(ClockItem {
        metric: metric_name(t, v.metric),
        class,
        state,
        text,
        due: s.deadline.map(|d| datetime(lang, d, tz)),
        target: s.target_secs.map(|secs| t.duration(secs)),
    })
}

fn field_label(t: &Catalogue, field: &str) -> String {
    match field {
        "subject" => t.field_subject,
        "priority" => t.field_priority,
        "kind" => t.field_kind,
        "product_id" => t.field_product,
        "assignee_id" => t.field_assignee,
        "team_id" => t.field_team,
        "status" => t.field_status,
        "cc" => t.field_cc,
        "tags" => t.field_tags,
        "due_date" => t.field_due_date,
        "module" => t.field_module,
        "parent_id" => t.field_parent,
        "first_response_at" => t.metric_first_response,
        "disposition" => t.field_disposition,
        other => return other.to_owned(),
    }
    .to_owned()
}

struct Names<'a> {
    people: &'a HashMap<i64, String>,
    teams: &'a [Team],
    products: &'a [Product],
}

/// A stored value as people read it: names for ids, labels for statuses and priorities.
fn value_text(t: &Catalogue, n: &Names<'_>, field: &str, v: &Option<String>) -> String {
    let Some(v) = v.as_deref().filter(|v| !v.is_empty()) else { return t.none.to_owned() };
    let id = v.parse::<i64>().ok();
    match field {
        "status" => v.parse::<Status>().map_or_else(|_| v.to_owned(), |s| t.status(s).to_owned()),
        "priority" => v.parse::<Priority>().map_or_else(|_| v.to_owned(), |p| t.priority(p).to_owned()),
        "kind" => v.parse::<Kind>().map_or_else(|_| v.to_owned(), |k| t.kind(k).to_owned()),
        "assignee_id" => id.and_then(|i| n.people.get(&i).cloned()).unwrap_or_else(|| v.to_owned()),
        "team_id" => {
            id.and_then(|i| n.teams.iter().find(|x| x.id == i)).map_or_else(|| v.to_owned(), |x| x.name.clone())
        }
        "product_id" => {
            id.and_then(|i| n.products.iter().find(|x| x.id == i)).map_or_else(|| v.to_owned(), |x| x.name.clone())
        }
        "disposition" => t.disposition(v),
        _ => v.to_owned(),
    }
}

fn event_text(t: &Catalogue, n: &Names<'_>, e: &events::Event) -> String {
    let field = e.field.as_deref().unwrap_or_default();
    match e.kind.as_str() {
        "created" => t.ev_created.to_owned(),
        "article_added" => {
            let kind = field.parse::<ArticleKind>().map_or(field, |k| t.article(k));
            fill(t.ev_article_added, &[("kind", kind)])
        }
        "status_changed" | "field_changed" if field == "first_response_at" => t.ev_first_response.to_owned(),
        "status_changed" | "field_changed" | "assigned" => fill(
            t.ev_field_changed,
            &[
                ("field", &field_label(t, field)),
                ("old", &value_text(t, n, field, &e.old_value)),
                ("new", &value_text(t, n, field, &e.new_value)),
            ],
        ),
        "sla_waived" => t.ev_sla_waived.to_owned(),
        "rule_fired" => fill(t.ev_rule_fired, &[("name", e.new_value.as_deref().unwrap_or_default())]),
        "rule_action_skipped" => {
            fill(t.ev_rule_action_skipped, &[("action", field), ("why", e.new_value.as_deref().unwrap_or_default())])
        }
        "routing" => t.ev_routing_unassigned.to_owned(),
        other => super::relations::event_text(t, e).unwrap_or_else(|| other.to_owned()),
    }
}

/// Everything the page shows, read in one transaction.
fn load(
    tx: &mut deskbell_store::Tx<'_>,
    c: &Ctx,
    actor: &Actor,
    t: Ticket,
    errors: Errors,
    draft: Draft,
    max_upload: usize,
) -> Result<String, ApiError> {
    let org = orgs::get(tx, t.organisation_id)?;
    let requester = people::get(tx, t.requester_id)?;
    let tz = time_zone(&org.time_zone);
    let now = c.now;
    let stored = tickets::articles(tx, t.id, true)?;
    let history = events::list(tx, t.id)?;
    let (clock_views, _) = crate::sla::clocks::view(tx, t.id, now)?;
    let teams = orgs::teams(tx)?;
    let products = orgs::products(tx)?;
    let staff = people::staff(tx)?;
    let responses =
        deskbell_store::automation::responses(tx)?.into_iter().filter(|r| r.active).map(|r| (r.id, r.title)).collect();
    let mut ids: Vec<i64> = stored.iter().filter_map(|a| a.author_id).collect();
    ids.extend(history.iter().filter_map(|e| e.actor_id));
    ids.extend(
        history
            .iter()
            .filter(|e| e.field.as_deref() == Some("assignee_id"))
            .flat_map(|e| [&e.old_value, &e.new_value].into_iter().flatten().filter_map(|v| v.parse::<i64>().ok())),
    );
    ids.extend(t.assignee_id);
    let mut names = people::names(tx, &ids)?;
    let support = support_authors(tx, &stored)?;
    let articles = stored
        .iter()
        .map(|a| {
            let (body, quoted) = split_quote(a);
            ArticleItem {
                id: a.id,
                kind: a.kind,
                author: a
                    .author_id
                    .and_then(|id| names.get(&id).cloned())
                    .unwrap_or_else(|| c.t.author_system.to_owned()),
                from_vendor: a.author_id.is_some_and(|id| support.contains(&id)),
                at: datetime(c.lang, a.created_at, &tz),
                body,
                quoted,
                call: a.call.as_ref().map(|call| call_text(c.t, call)),
                mail: a
                    .mail
                    .as_ref()
                    .map(|m| {
                        [(c.t.mail_from, &m.from), (c.t.mail_to, &m.to), (c.t.field_cc, &m.cc)]
                            .iter()
                            .filter_map(|(label, v)| {
                                v.as_deref().filter(|v| !v.is_empty()).map(|v| format!("{label}: {v}"))
                            })
                            .collect::<Vec<_>>()
                            .join(" · ")
                    })
                    .filter(|s| !s.is_empty()),
                // A mail's inline images are in its HTML; the rest are files of the article.
                files: a
                    .attachments
                    .iter()
                    .filter(|f| f.content_id.is_none() || a.mail.as_ref().and_then(|m| m.html.as_ref()).is_none())
                    .map(|f| FileView::of(f, format!("/api/v1/attachments/{}", f.id)))
                    .collect(),
            }
        })
        .collect();
    let has_sla = !clock_views.is_empty();
    let clocks = clock_views.iter().filter_map(|v| clock_item(c.t, c.lang, v, now, &tz)).collect();
    names.extend(staff.iter().map(|p| (p.id, p.name.clone())));
    let lookup = Names { people: &names, teams: &teams, products: &products };
    let history = history
        .iter()
        .rev()
        .map(|e| EventItem {
            at: datetime(c.lang, e.at, &tz),
            who: e.actor_id.and_then(|id| names.get(&id).cloned()).unwrap_or_else(|| c.t.author_system.to_owned()),
            text: event_text(c.t, &lookup, e),
            reason: e.reason.clone(),
        })
        .collect();
    let next_statuses =
        Status::ALL.iter().copied().filter(|s| check_transition(t.status, *s, actor.side()).is_ok()).collect();
    let local_it = t
        .local_it_checks
        .as_deref()
        .and_then(|j| serde_json::from_str::<service::LocalItChecks>(j).ok())
        .map(|l| {
            let yn = |b: bool| if b { c.t.yes } else { c.t.no }.to_owned();
            let mut v = vec![
                (c.t.help_check_other_systems, yn(l.other_systems_work)),
                (c.t.help_check_recent_changes, yn(l.recent_changes)),
                (c.t.help_check_network, yn(l.network_and_servers_work)),
            ];
            if let Some(n) = l.notes.filter(|n| !n.trim().is_empty()) {
                v.push((c.t.help_checks_notes, n));
            }
            v
        })
        .unwrap_or_default();
    let rel = super::relations::load(tx, &t)?;
    let page = TicketPage {
        c,
        section: "queues",
        created: datetime(c.lang, t.created_at, &tz),
        t,
        org,
        requester,
        articles,
        clocks,
        has_sla,
        history,
        next_statuses,
        teams,
        products,
        staff,
        local_it,
        errors,
        draft,
        max_upload,
        max_upload_text: bytes(max_upload),
        responses,
        rel,
    };
    page.render().map_err(ApiError::internal)
}

pub(super) async fn show(
    state: &AppState,
    c: &Ctx,
    n: i64,
    status: StatusCode,
    errors: Errors,
    draft: Draft,
) -> PageResult {
    show_or_follow(state, c, n, status, errors, draft, false).await
}

/// [`show`]; with `follow_merged`, a merged ticket's number leads to the ticket it was
/// merged into (found by the same read).
async fn show_or_follow(
    state: &AppState,
    c: &Ctx,
    n: i64,
    status: StatusCode,
    errors: Errors,
    draft: Draft,
    follow_merged: bool,
) -> PageResult {
    let actor = c.vendor()?.clone();
    let cc = c.clone();
    let max = state.config.attachment_max_bytes;
    let shown = state
        .read(move |tx| {
            let t = service::load(tx, &actor, n)?;
            if follow_merged && t.number != n {
                return Ok(Err(t.number));
            }
            Ok(Ok(load(tx, &cc, &actor, t, errors, draft, max)?))
        })
        .await?;
    match shown {
        Ok(body) => Ok((status, axum::response::Html(body)).into_response()),
        Err(to) => Ok(see_other(c, &format!("/agent/tickets/{to}"))),
    }
}

pub async fn page(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>) -> PageResult {
    let n = number(&raw)?;
    show_or_follow(&state, &c, n, StatusCode::OK, Errors::default(), Draft::default(), true).await
}

fn version_of(f: &FormData) -> Option<i64> {
    f.get("version").and_then(|v| v.parse().ok())
}

/// Reply, internal note or phone call; optionally with a status change in the same
/// transaction ("reply and wait for the customer").
pub async fn add_article(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>, f: FormData) -> PageResult {
    let n = number(&raw)?;
    let actor = c.vendor()?.clone();
    let draft = draft_of(&f);
    let mut errors = Errors::default();
    if f.upload_failed() {
        errors.add("attachments", fill(c.t.err_too_large, &[("limit", &bytes(state.config.attachment_max_bytes))]));
        return show(&state, &c, n, StatusCode::PAYLOAD_TOO_LARGE, errors, draft).await;
    }
    let kind = match draft.kind.parse::<ArticleKind>() {
        Ok(k @ (ArticleKind::PublicReply | ArticleKind::InternalNote | ArticleKind::PhoneCall)) => k,
        _ => {
            errors.add("kind", c.t.err_choose_kind);
            ArticleKind::PublicReply
        }
    };
    if draft.body.trim().is_empty() {
        errors.add("body", c.t.err_body_empty);
    }
    let call = if kind == ArticleKind::PhoneCall {
        let direction = match draft.direction.as_str() {
            "outbound" => CallDirection::Outbound,
            _ => CallDirection::Inbound,
        };
        let duration_secs = match draft.duration.trim() {
            "" => None,
            d => match d.parse::<i64>() {
                Ok(m) if (0..=24 * 60).contains(&m) => Some(m * 60),
                _ => {
                    errors.add("duration", c.t.err_duration);
                    None
                }
            },
        };
        let number = Some(draft.phone.trim().to_owned()).filter(|s| !s.is_empty());
        Some(Call { direction, number, duration_secs })
    } else {
        None
    };
    let then = match draft.then_status.as_str() {
        "" => None,
        s => match s.parse::<Status>() {
            Ok(st) => Some(st),
            Err(_) => {
                errors.add("then_status", c.t.err_unknown_status);
                None
            }
        },
    };
    if !errors.is_empty() {
        return show(&state, &c, n, StatusCode::UNPROCESSABLE_ENTITY, errors, draft).await;
    }
    let lim = limits(&state);
    let now = c.now;
    let files = f.files;
    let body = draft.body.clone();
    let result = state
        .write(move |tx| {
            let (_, article) = service::add_article(
                tx,
                &actor,
                n,
                NewArticle { kind, body, call, mail: None, attachments: files },
                lim,
                now,
            )?;
            if let Some(to) = then {
                let current = tickets::by_number(tx, n, &actor.scope)?;
                if current.status != to {
                    service::transition(tx, &actor, n, StatusChange { to, version: None, reason: None }, lim, now)?;
                }
            }
            Ok(article.id)
        })
        .await;
    match result {
        Ok(id) => Ok(see_other(&c, &format!("/agent/tickets/{n}#article-{id}"))),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND => {
            let fields = ["body", "kind", "call", "attachments", "status"];
            let errors = form_errors(c.t, &e, &fields, "_form", state.config.attachment_max_bytes);
            show(&state, &c, n, e.status, errors, draft).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The compose form as it was sent.
fn draft_of(f: &FormData) -> Draft {
    Draft {
        kind: f.get("kind").unwrap_or_default().to_owned(),
        body: f.get("body").unwrap_or_default().to_owned(),
        direction: f.get("direction").unwrap_or_default().to_owned(),
        phone: f.get("phone").unwrap_or_default().to_owned(),
        duration: f.get("duration").unwrap_or_default().to_owned(),
        then_status: f.get("then_status").unwrap_or_default().to_owned(),
        ..Draft::default()
    }
}

/// "Insert" a canned response: the compose form comes back with the response, filled in for
/// this ticket's requester, added to what was typed (nothing is sent yet; files chosen
/// before must be chosen again, as a browser cannot refill a file field).
pub async fn insert_response(
    State(state): State<AppState>,
    c: Ctx,
    Path(raw): Path<String>,
    f: FormData,
) -> PageResult {
    let n = number(&raw)?;
    let actor = c.vendor()?.clone();
    let mut draft = draft_of(&f);
    let Some(id) = f.get("response").and_then(|v| v.parse::<i64>().ok()) else {
        let mut errors = Errors::default();
        errors.add("response", c.t.adm_choose);
        return show(&state, &c, n, StatusCode::UNPROCESSABLE_ENTITY, errors, draft).await;
    };
    let text = state.read(move |tx| crate::automation::api::rendered(tx, &actor, n, id)).await?;
    let body = draft.body.trim_end();
    draft.body = if body.is_empty() { text } else { format!("{body}\n\n{text}") };
    show(&state, &c, n, StatusCode::OK, Errors::default(), draft).await
}

/// "Redirect to local IT": the local-IT answer from the agent, resolved as redirected.
pub async fn redirect(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>) -> PageResult {
    let n = number(&raw)?;
    let actor = c.vendor()?.clone();
    let now = c.now;
    match state.write(move |tx| crate::automation::api::redirect(tx, &actor, n, now)).await {
        Ok(_) => Ok(see_other(&c, &format!("/agent/tickets/{n}"))),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND => {
            let mut errors = Errors::default();
            errors.add("_form", e.message.clone());
            show(&state, &c, n, e.status, errors, Draft::default()).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Priority (with a reason), assignee, team, kind and product in one change.
pub async fn update(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>, f: FormData) -> PageResult {
    let n = number(&raw)?;
    let actor = c.vendor()?.clone();
    let mut errors = Errors::default();
    let draft = Draft { priority_reason: f.get("priority_reason").unwrap_or_default().to_owned(), ..Draft::default() };
    let id = |field: &str, errors: &mut Errors| -> Patch<i64> {
        match f.get(field).map(str::trim) {
            None => Patch::Keep,
            Some("") => Patch::Clear,
            Some(v) => match v.parse::<i64>() {
                Ok(i) => Patch::Set(i),
                Err(_) => {
                    errors.add(field, c.t.err_choose_value);
                    Patch::Keep
                }
            },
        }
    };
    let assignee = id("assignee_id", &mut errors);
    let team = id("team_id", &mut errors);
    let product = id("product_id", &mut errors);
    let priority = match f.get("priority").map(str::parse::<Priority>) {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err(_)) => {
            errors.add("priority", c.t.err_choose_value);
            None
        }
    };
    let kind = match f.get("kind").map(str::parse::<Kind>) {
        None => None,
        Some(Ok(k)) => Some(k),
        Some(Err(_)) => {
            errors.add("kind", c.t.err_choose_value);
            None
        }
    };
    let Some(version) = version_of(&f) else {
        return Err(ApiError::invalid("version", "the form lacks the ticket's version").into());
    };
    if !errors.is_empty() {
        return show(&state, &c, n, StatusCode::UNPROCESSABLE_ENTITY, errors, draft).await;
    }
    let reason = Some(draft.priority_reason.trim().to_owned()).filter(|s| !s.is_empty());
    let now = c.now;
    let result = state
        .write(move |tx| {
            let current = service::load(tx, &actor, n)?;
            // Unchanged selects are no change: the service then asks no reason for them.
            let priority = priority.filter(|p| *p != current.priority);
            let kind = kind.filter(|k| *k != current.kind);
            let same = |p: &Patch<i64>, now: Option<i64>| match p {
                Patch::Set(v) => now == Some(*v),
                Patch::Clear => now.is_none(),
                Patch::Keep => true,
            };
            let keep_if_same = |p: Patch<i64>, now: Option<i64>| if same(&p, now) { Patch::Keep } else { p };
            let changes = TicketChanges {
                priority,
                priority_reason: reason,
                kind,
                assignee_id: keep_if_same(assignee, current.assignee_id),
                team_id: keep_if_same(team, current.team_id),
                product_id: keep_if_same(product, current.product_id),
                ..TicketChanges::default()
            };
            service::update(tx, &actor, n, version, changes, now)
        })
        .await;
    match result {
        Ok(_) => Ok(see_other(&c, &format!("/agent/tickets/{n}"))),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND => {
            let fields = ["priority", "priority_reason", "kind", "assignee_id", "team_id", "product_id"];
            let errors = form_errors(c.t, &e, &fields, "_update", state.config.attachment_max_bytes);
            show(&state, &c, n, e.status, errors, draft).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn status(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>, f: FormData) -> PageResult {
    let n = number(&raw)?;
    let actor = c.vendor()?.clone();
    let Some(to) = f.get("status").and_then(|s| s.parse::<Status>().ok()) else {
        let mut errors = Errors::default();
        errors.add("status", c.t.err_unknown_status);
        return show(&state, &c, n, StatusCode::UNPROCESSABLE_ENTITY, errors, Draft::default()).await;
    };
    let version = version_of(&f);
    let reason = f.text("reason");
    let (lim, now) = (limits(&state), c.now);
    let result =
        state.write(move |tx| service::transition(tx, &actor, n, StatusChange { to, version, reason }, lim, now)).await;
    match result {
        Ok(_) => Ok(see_other(&c, &format!("/agent/tickets/{n}"))),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND => {
            let mut errors = Errors::default();
            errors.add(
                "status",
                if e.code == "version_conflict" { c.t.err_conflict.to_owned() } else { e.message.clone() },
            );
            show(&state, &c, n, e.status, errors, Draft::default()).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn assign_me(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>, f: FormData) -> PageResult {
    let n = number(&raw)?;
    let actor = c.vendor()?.clone();
    let Some(version) = version_of(&f) else {
        return Err(ApiError::invalid("version", "the form lacks the ticket's version").into());
    };
    let now = c.now;
    let me = actor.id();
    let result = state
        .write(move |tx| {
            let changes = TicketChanges { assignee_id: Patch::Set(me), ..TicketChanges::default() };
            service::update(tx, &actor, n, version, changes, now)
        })
        .await;
    match result {
        Ok(_) => Ok(see_other(&c, &format!("/agent/tickets/{n}"))),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND => {
            let errors = form_errors(c.t, &e, &[], "_update", state.config.attachment_max_bytes);
            show(&state, &c, n, e.status, errors, Draft::default()).await
        }
        Err(e) => Err(e.into()),
    }
}
