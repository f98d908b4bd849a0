//! The ticket service: the one write path for tickets. Every change goes through a function
//! here, inside the caller's transaction, and appends its history event in that same
//! transaction; an error anywhere rolls back the change and its events together.

use deskbell_domain::article::{ArticleKind, CallDirection};
use deskbell_domain::person::Role;
use deskbell_domain::ticket::{Channel, Kind, Priority, Side, Status, TransitionError, check_transition};
use deskbell_store::events::{self, NewEvent};
use deskbell_store::people::Person;
use deskbell_store::tickets::{self, Article, Call, MailMeta, Ticket};
use deskbell_store::{StoreError, Tx, attachments, orgs, people};
use jiff::Timestamp;

use crate::auth::Actor;
use crate::automation::KnownProduct;
use crate::error::ApiError;

/// A file received with an article.
#[derive(Debug, Clone)]
pub struct Upload {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
    /// A mail's inline image: the Content-ID its HTML refers to.
    pub content_id: Option<String>,
}

/// The seed's three local-IT checks, answered before a critical or fault is submitted.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LocalItChecks {
    /// Do other applications and devices in the hotel work?
    pub other_systems_work: bool,
    /// Was there a recent update, configuration change or new device?
    pub recent_changes: bool,
    /// Do the network and servers work?
    pub network_and_servers_work: bool,
    pub notes: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewTicket {
    pub subject: String,
    pub body: String,
    pub organisation_id: Option<i64>,
    pub requester_id: Option<i64>,
    pub cc: Vec<String>,
    pub channel: Option<Channel>,
    pub kind: Kind,
    pub priority: Priority,
    pub product_id: Option<i64>,
    pub module: Option<String>,
    pub installation_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    pub tags: Vec<String>,
    pub local_it_checks: Option<LocalItChecks>,
    pub attachments: Vec<Upload>,
    /// The call a phone ticket starts with (direction, number, duration); an incoming call
    /// of unknown length when not given.
    pub call: Option<Call>,
}

#[derive(Debug, Clone, Default)]
pub struct TicketChanges {
    pub subject: Option<String>,
    pub priority: Option<Priority>,
    pub priority_reason: Option<String>,
    pub kind: Option<Kind>,
    pub product_id: crate::patch::Patch<i64>,
    pub module: crate::patch::Patch<String>,
    pub installation_id: crate::patch::Patch<i64>,
    pub assignee_id: crate::patch::Patch<i64>,
    pub team_id: crate::patch::Patch<i64>,
    pub tags: Option<Vec<String>>,
    pub cc: Option<Vec<String>>,
    pub due_date: crate::patch::Patch<String>,
    pub parent_number: crate::patch::Patch<i64>,
}

#[derive(Debug, Clone)]
pub struct NewArticle {
    pub kind: ArticleKind,
    pub body: String,
    pub call: Option<Call>,
    pub mail: Option<MailMeta>,
    pub attachments: Vec<Upload>,
}

/// Limits the service enforces whatever the channel.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub attachment_max_bytes: usize,
    pub reopen_days: u32,
}

pub const SUBJECT_MAX: usize = 250;
pub const BODY_MAX: usize = 200_000;

pub fn clean_text(field: &str, value: &str, max: usize, multiline: bool) -> Result<String, ApiError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::invalid(field, format!("{field} must not be empty")));
    }
    if v.chars().count() > max {
        return Err(ApiError::invalid(field, format!("{field} is longer than {max} characters")));
    }
    // A subject goes into mail headers later: CR/LF there would let text forge headers.
    if v.chars().any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'))) {
        return Err(ApiError::invalid(field, format!("{field} must not contain control characters")));
    }
    Ok(v.to_owned())
}

fn clean_tags(tags: &[String]) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    for t in tags {
        let t = clean_text("tags", t, 50, false)?.to_lowercase();
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

fn clean_cc(cc: &[String]) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    for a in cc {
        let e: deskbell_domain::person::EmailAddress =
            a.parse().map_err(|_| ApiError::invalid("cc", format!("`{a}` is not an e-mail address")))?;
        if !out.contains(&e.as_str().to_owned()) {
            out.push(e.as_str().to_owned());
        }
    }
    Ok(out)
}

pub(crate) fn check_uploads(uploads: &[Upload], limits: Limits) -> Result<(), ApiError> {
    for u in uploads {
        if u.data.len() > limits.attachment_max_bytes {
            return Err(ApiError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "attachment_too_large",
                format!("`{}` is larger than the limit of {} bytes", u.filename, limits.attachment_max_bytes),
            )
            .with_field("attachments"));
        }
        if u.filename.trim().is_empty()
            || u.filename.len() > 255
            || u.filename.chars().any(|c| c.is_control() || c == '/' || c == '\\')
        {
            return Err(ApiError::invalid(
                "attachments",
                "an attachment needs a plain file name (no folders, at most 255 bytes)",
            ));
        }
    }
    Ok(())
}

fn event(tx: &mut Tx<'_>, t: &Ticket, actor: Option<i64>, now: Timestamp, e: NewEvent<'_>) -> Result<(), ApiError> {
    Ok(events::append(tx, t.id, actor, now, &e)?)
}

fn field_changed<'a>(
    field: &'a str,
    old: Option<String>,
    new: Option<String>,
    reason: Option<&'a str>,
) -> NewEvent<'a> {
    NewEvent { kind: "field_changed", field: Some(field), old_value: old, new_value: new, reason }
}

/// The ticket's product (an installation tells it when none was given), checked, and the
/// product as read when one was given.
fn check_product_and_installation(
    tx: &mut Tx<'_>,
    org: i64,
    product: Option<i64>,
    installation: Option<i64>,
) -> Result<(Option<i64>, Option<KnownProduct>), ApiError> {
    let known = match product {
        Some(p) => {
            let found = orgs::product(tx, p).map_err(|_| ApiError::invalid("product_id", "no such product"))?;
            Some(KnownProduct { id: found.id, team_id: found.team_id })
        }
        None => None,
    };
    let id = match installation {
        Some(i) => {
            let inst =
                orgs::installation(tx, i).map_err(|_| ApiError::invalid("installation_id", "no such installation"))?;
            if inst.organisation_id != org {
                return Err(ApiError::invalid("installation_id", "the installation belongs to another organisation"));
            }
            if product.is_some_and(|p| p != inst.product_id) {
                return Err(ApiError::invalid("installation_id", "the installation is of another product"));
            }
            // The installation tells the product when none was given.
            Some(inst.product_id)
        }
        None => product,
    };
    Ok((id, known))
}

fn check_assignee(tx: &mut Tx<'_>, id: i64) -> Result<(), ApiError> {
    check_assignee_is(people::get(tx, id).ok().as_ref())
}

fn check_assignee_is(p: Option<&Person>) -> Result<(), ApiError> {
    match p {
        Some(p) if p.role.is_vendor() && p.active => Ok(()),
        _ => Err(ApiError::invalid("assignee_id", "the assignee must be an active member of the vendor's staff")),
    }
}

fn check_team(tx: &mut Tx<'_>, id: i64) -> Result<(), ApiError> {
    if orgs::team_exists(tx, id)? { Ok(()) } else { Err(ApiError::invalid("team_id", "no such team")) }
}

fn due_date(s: &str) -> Result<String, ApiError> {
    s.parse::<jiff::civil::Date>()
        .map(|d| d.to_string())
        .map_err(|_| ApiError::invalid("due_date", format!("`{s}` is not a date (YYYY-MM-DD)")))
}

/// Opens a ticket with its first article.
pub fn create(
    tx: &mut Tx<'_>,
    actor: &Actor,
    input: NewTicket,
    limits: Limits,
    now: Timestamp,
) -> Result<(Ticket, Article), ApiError> {
    create_with_mail(tx, actor, input, None, limits, now)
}

/// [`create`] for a ticket opened by a mail, whose first article keeps the mail's headers.
pub fn create_with_mail(
    tx: &mut Tx<'_>,
    actor: &Actor,
    input: NewTicket,
    mail: Option<MailMeta>,
    limits: Limits,
    now: Timestamp,
) -> Result<(Ticket, Article), ApiError> {
    let subject = clean_text("subject", &input.subject, SUBJECT_MAX, false)?;
    let body = clean_text("body", &input.body, BODY_MAX, true)?;
    check_uploads(&input.attachments, limits)?;
    let vendor = actor.is_vendor();

    // Whose ticket is it? Customers report for themselves (a customer admin may name a
    // colleague of their organisations); the vendor side names organisation and requester.
    // The requester and a given assignee are read in one query (customers may not name one).
    let mut assignee = None;
    let (organisation_id, requester_id) = if vendor {
        let req =
            input.requester_id.ok_or_else(|| ApiError::invalid("requester_id", "say who reported the problem"))?;
        let wanted: Vec<i64> = std::iter::once(req).chain(input.assignee_id).collect();
        let mut found = people::get_many(tx, &wanted)?;
        assignee = input.assignee_id.and_then(|a| found.iter().find(|p| p.id == a).cloned());
        found.retain(|p| p.id == req);
        let person = found.pop().ok_or_else(|| ApiError::invalid("requester_id", "no such person"))?;
        let org = person
            .organisation_id
            .ok_or_else(|| ApiError::invalid("requester_id", "the requester must be a customer person"))?;
        if input.organisation_id.is_some_and(|o| o != org) {
            return Err(ApiError::invalid("organisation_id", "the requester belongs to another organisation"));
        }
        (org, req)
    } else {
        let own = actor.person.organisation_id.ok_or_else(|| ApiError::forbidden("you belong to no organisation"))?;
        let req = input.requester_id.unwrap_or(actor.id());
        let person = if req == actor.id() {
            actor.person.clone()
        } else {
            people::get(tx, req).map_err(|_| ApiError::invalid("requester_id", "no such person"))?
        };
        let org = person.organisation_id.unwrap_or(own);
        let allowed = req == actor.id() || (actor.role() == Role::CustomerAdmin && actor.may_see_organisation(org));
        if !allowed || person.role.is_vendor() {
            return Err(ApiError::invalid(
                "requester_id",
                "you may report only for yourself or colleagues of your organisation",
            ));
        }
        if input.organisation_id.is_some_and(|o| o != org) {
            return Err(ApiError::invalid("organisation_id", "the requester belongs to another organisation"));
        }
        if input.assignee_id.is_some() || input.team_id.is_some() || !input.tags.is_empty() {
            return Err(ApiError::forbidden("assignee, team and tags are set by the support team"));
        }
        (org, req)
    };
    let (product_id, known_product) =
        check_product_and_installation(tx, organisation_id, input.product_id, input.installation_id)?;
    if input.assignee_id.is_some() {
        check_assignee_is(assignee.as_ref())?;
    }
    if let Some(t) = input.team_id {
        check_team(tx, t)?;
    }
    let channel = match (input.channel, vendor) {
        (Some(c), true) => c,
        (None, true) => Channel::Phone,
        // A customer's channel is how they reached us, not something they choose.
        (_, false) => match actor.via {
            crate::auth::Via::Token { .. } => Channel::Api,
            crate::auth::Via::Session { .. } | crate::auth::Via::TrackingLink => Channel::Portal,
            crate::auth::Via::Mail { .. } => Channel::Email,
        },
    };
    let local_it_checks = match (&input.local_it_checks, input.priority) {
        (None, Priority::Critical | Priority::Fault) if !vendor => {
            return Err(ApiError::invalid(
                "local_it_checks",
                "for a critical problem or a fault, first answer the three local-IT checks",
            ));
        }
        (Some(c), _) => Some(serde_json::to_string(c).map_err(ApiError::internal)?),
        (None, _) => None,
    };
    let ticket = Ticket {
        id: 0,
        number: 0,
        subject,
        organisation_id,
        requester_id,
        cc: clean_cc(&input.cc)?,
        channel,
        kind: input.kind,
        priority: input.priority,
        // DESIGN §2: the customer proposes, an agent confirms; keep the proposal.
        proposed_priority: (!vendor).then_some(input.priority),
        status: Status::New,
        product_id,
        module: input.module.map(|m| clean_text("module", &m, 100, false)).transpose()?,
        installation_id: input.installation_id,
        assignee_id: input.assignee_id,
        team_id: input.team_id,
        tags: clean_tags(&input.tags)?,
        due_date: None,
        parent_id: None,
        local_it_checks,
        created_at: now,
        updated_at: now,
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
        version: 1,
        disposition: None,
    };
    let ticket = tickets::insert(tx, &ticket)?;
    crate::sla::clocks::after_change(tx, None, &ticket, Some(actor.id()), now)?;
    // A ticket logged by an agent on the phone starts with a phone call article.
    let kind = if vendor && channel == Channel::Phone { ArticleKind::PhoneCall } else { ArticleKind::PublicReply };
    let call = (kind == ArticleKind::PhoneCall).then(|| {
        input.call.clone().unwrap_or(Call { direction: CallDirection::Inbound, number: None, duration_secs: None })
    });
    let article = insert_article_row(
        tx,
        &ticket,
        Some(actor.id()),
        NewArticle { kind, body, call, mail, attachments: input.attachments },
        now,
    )?;
    // Both first events in one statement: a new ticket is the most frequent write.
    events::append_all(
        tx,
        ticket.id,
        Some(actor.id()),
        now,
        &[
            NewEvent { kind: "created", new_value: Some(ticket.status.as_str().into()), ..Default::default() },
            article_event(&article),
        ],
    )?;
    crate::mail::outbox::ticket_created(tx, &ticket, &article, actor, now)?;
    let ticket = crate::automation::after_create(tx, ticket, &article, actor, known_product, now)?;
    Ok((ticket, article))
}

fn insert_article(
    tx: &mut Tx<'_>,
    ticket: &Ticket,
    author: Option<i64>,
    a: NewArticle,
    now: Timestamp,
) -> Result<Article, ApiError> {
    let article = insert_article_row(tx, ticket, author, a, now)?;
    event(tx, ticket, author, now, article_event(&article))?;
    Ok(article)
}

fn article_event(article: &Article) -> NewEvent<'static> {
    NewEvent {
        kind: "article_added",
        field: Some(article.kind.as_str()),
        new_value: Some(article.id.to_string()),
        ..Default::default()
    }
}

/// The article and its files, without its history event (the caller appends it).
fn insert_article_row(
    tx: &mut Tx<'_>,
    ticket: &Ticket,
    author: Option<i64>,
    a: NewArticle,
    now: Timestamp,
) -> Result<Article, ApiError> {
    let mut article = tickets::insert_article(
        tx,
        &Article {
            id: 0,
            ticket_id: ticket.id,
            kind: a.kind,
            author_id: author,
            body: a.body,
            call: a.call,
            mail: a.mail,
            created_at: now,
            attachments: Vec::new(),
        },
    )?;
    for u in a.attachments {
        let content_type =
            if u.content_type.trim().is_empty() { "application/octet-stream".to_owned() } else { u.content_type };
        let mut saved = attachments::insert(tx, ticket.id, article.id, u.filename.trim(), &content_type, &u.data, now)?;
        if let Some(cid) = &u.content_id {
            attachments::set_content_id(tx, saved.id, cid)?;
            saved.content_id = Some(cid.clone());
        }
        article.attachments.push(saved);
    }
    Ok(article)
}

/// Loads a ticket the actor may see, for writing; another organisation's ticket is `NotFound`.
pub fn load(tx: &mut Tx<'_>, actor: &Actor, number: i64) -> Result<Ticket, ApiError> {
    tickets::by_number(tx, number, &actor.scope).map_err(ApiError::or_not_found("ticket"))
}

fn check_version(ticket: &Ticket, expected: i64) -> Result<(), ApiError> {
    if ticket.version != expected {
        return Err(StoreError::Conflict.into());
    }
    Ok(())
}

/// Changes fields of a ticket (vendor side only). Each changed field is an event.
pub fn update(
    tx: &mut Tx<'_>,
    actor: &Actor,
    number: i64,
    version: i64,
    c: TicketChanges,
    now: Timestamp,
) -> Result<Ticket, ApiError> {
    let mut t = load(tx, actor, number)?;
    actor.require_vendor()?;
    check_version(&t, version)?;
    if t.status == Status::Closed {
        return Err(ApiError::conflict("ticket_closed", "a closed ticket cannot be changed"));
    }
    let before = t.clone();
    let me = Some(actor.id());
    let mut events: Vec<FieldChange> = Vec::new();
    let mut changed = |field: &'static str, old: Option<String>, new: Option<String>, reason: Option<String>| {
        if old != new {
            events.push(FieldChange { field, old, new, reason });
        }
    };

    if let Some(s) = c.subject {
        t.subject = clean_text("subject", &s, SUBJECT_MAX, false)?;
        changed("subject", Some(before.subject.clone()), Some(t.subject.clone()), None);
    }
    if let Some(p) = c.priority
        && p != t.priority
    {
        // DESIGN §2: an agent confirms or changes the proposed priority, with a reason.
        let reason = c
            .priority_reason
            .as_deref()
            .map(|r| clean_text("priority_reason", r, 500, true))
            .transpose()?
            .ok_or_else(|| ApiError::invalid("priority_reason", "say why the priority changes"))?;
        t.priority = p;
        changed("priority", Some(before.priority.to_string()), Some(p.to_string()), Some(reason));
    }
    if let Some(k) = c.kind {
        t.kind = k;
        changed("kind", Some(before.kind.to_string()), Some(k.to_string()), None);
    }
    if !c.product_id.is_keep() || !c.installation_id.is_keep() {
        let product = c.product_id.apply(t.product_id);
        let installation = c.installation_id.apply(t.installation_id);
        t.product_id = check_product_and_installation(tx, t.organisation_id, product, installation)?.0;
        t.installation_id = installation;
        changed("product_id", before.product_id.map(|v| v.to_string()), t.product_id.map(|v| v.to_string()), None);
        changed(
            "installation_id",
            before.installation_id.map(|v| v.to_string()),
            t.installation_id.map(|v| v.to_string()),
            None,
        );
    }
    if !c.module.is_keep() {
        t.module = c.module.apply(t.module).map(|m| clean_text("module", &m, 100, false)).transpose()?;
        changed("module", before.module.clone(), t.module.clone(), None);
    }
    if !c.assignee_id.is_keep() {
        t.assignee_id = c.assignee_id.apply(t.assignee_id);
        if let Some(a) = t.assignee_id {
            check_assignee(tx, a)?;
        }
        changed("assignee_id", before.assignee_id.map(|v| v.to_string()), t.assignee_id.map(|v| v.to_string()), None);
    }
    if !c.team_id.is_keep() {
        t.team_id = c.team_id.apply(t.team_id);
        if let Some(team) = t.team_id {
            check_team(tx, team)?;
        }
        changed("team_id", before.team_id.map(|v| v.to_string()), t.team_id.map(|v| v.to_string()), None);
    }
    if let Some(tags) = c.tags {
        t.tags = clean_tags(&tags)?;
        changed("tags", Some(before.tags.join(", ")), Some(t.tags.join(", ")), None);
    }
    if let Some(cc) = c.cc {
        t.cc = clean_cc(&cc)?;
        changed("cc", Some(before.cc.join(", ")), Some(t.cc.join(", ")), None);
    }
    if !c.due_date.is_keep() {
        t.due_date = c.due_date.apply(t.due_date).map(|d| due_date(&d)).transpose()?;
        changed("due_date", before.due_date.clone(), t.due_date.clone(), None);
    }
    if !c.parent_number.is_keep() {
        t.parent_id = match c.parent_number.apply(None) {
            Some(n) => Some(super::merge::check_parent(tx, &t, n)?),
            None => None,
        };
        changed("parent_id", before.parent_id.map(|v| v.to_string()), t.parent_id.map(|v| v.to_string()), None);
    }
    if events.is_empty() {
        return Ok(before);
    }
    t.updated_at = now;
    let saved = tickets::save_over(tx, &before, &t)?;
    crate::sla::clocks::after_change(tx, Some(&before), &saved, me, now)?;
    let events: Vec<NewEvent<'_>> = events.iter().map(FieldChange::event).collect();
    events::append_all(tx, saved.id, me, now, &events)?;
    crate::automation::after_update(tx, saved, now)
}

fn event_kind(field: &str) -> &'static str {
    match field {
        "assignee_id" => "assigned",
        "status" => "status_changed",
        _ => "field_changed",
    }
}

fn apply_status(t: &mut Ticket, to: Status, now: Timestamp) {
    match to {
        Status::Resolved => t.resolved_at = Some(now),
        Status::Closed => t.closed_at = Some(now),
        // Reopen: the resolution clock goes on (DESIGN §3); the ticket is no longer resolved,
        // nor redirected or answered with the catalogue.
        Status::Open if t.status == Status::Resolved => {
            t.resolved_at = None;
            t.disposition = None;
        }
        // The written request arrived (or an agent accepts the proposal as it is).
        Status::Open if t.disposition.as_deref() == Some(AWAITING_WRITTEN_CONFIRMATION) => t.disposition = None,
        _ => {}
    }
    t.status = to;
    t.updated_at = now;
}

/// A requested status change.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub to: Status,
    /// When given, the change is refused if the ticket moved on since.
    pub version: Option<i64>,
    pub reason: Option<String>,
}

/// Moves a ticket to another status; an invalid transition changes nothing.
pub fn transition(
    tx: &mut Tx<'_>,
    actor: &Actor,
    number: i64,
    change: StatusChange,
    limits: Limits,
    now: Timestamp,
) -> Result<Ticket, ApiError> {
    let StatusChange { to, version, reason } = change;
    let mut t = load(tx, actor, number)?;
    let before = t.clone();
    if let Some(v) = version {
        check_version(&t, v)?;
    }
    check_transition(t.status, to, actor.side()).map_err(transition_error)?;
    if actor.side() == Side::Customer && t.status == Status::Resolved && to == Status::Open {
        check_reopen_window(&t, limits, now)?;
    }
    let reason = reason.map(|r| clean_text("reason", &r, 1000, true)).transpose()?;
    let from = t.status;
    apply_status(&mut t, to, now);
    let saved = tickets::save_over(tx, &before, &t)?;
    crate::sla::clocks::after_change(tx, Some(&before), &saved, Some(actor.id()), now)?;
    event(
        tx,
        &saved,
        Some(actor.id()),
        now,
        NewEvent {
            kind: "status_changed",
            field: Some("status"),
            old_value: Some(from.to_string()),
            new_value: Some(to.to_string()),
            reason: reason.as_deref(),
        },
    )?;
    disposition_event(tx, &before, &saved, Some(actor.id()), now)?;
    crate::mail::outbox::status_changed(tx, &before, &saved, actor, limits.reopen_days, now)?;
    if actor.is_vendor() { crate::automation::after_update(tx, saved, now) } else { Ok(saved) }
}

fn check_reopen_window(t: &Ticket, limits: Limits, now: Timestamp) -> Result<(), ApiError> {
    let window = jiff::SignedDuration::from_hours(i64::from(limits.reopen_days) * 24);
    if t.resolved_at.is_some_and(|r| now.duration_since(r) > window) {
        return Err(ApiError::conflict(
            "reopen_window_passed",
            format!("a solution can be reopened within {} days; please open a new ticket", limits.reopen_days),
        ));
    }
    Ok(())
}

pub fn transition_error(e: TransitionError) -> ApiError {
    let code = match e {
        TransitionError::NotAllowed { .. } => "invalid_transition",
        TransitionError::Unchanged(_) => "status_unchanged",
        TransitionError::CustomerNotAllowed { .. } => "forbidden_transition",
    };
    ApiError::conflict(code, e.to_string()).with_field("status")
}

/// Adds addresses to a ticket's cc (a reply-to-all by mail brings a colleague in). Addresses
/// already there are skipped; nothing changes when none is new.
pub fn add_cc(
    tx: &mut Tx<'_>,
    actor: &Actor,
    number: i64,
    addresses: &[String],
    reason: &str,
    now: Timestamp,
) -> Result<Ticket, ApiError> {
    let mut t = load(tx, actor, number)?;
    let before = t.cc.clone();
    for a in clean_cc(addresses)? {
        if !t.cc.contains(&a) {
            t.cc.push(a);
        }
    }
    if t.cc == before {
        return Ok(t);
    }
    t.updated_at = now;
    let saved = tickets::save(tx, &t)?;
    event(
        tx,
        &saved,
        Some(actor.id()),
        now,
        field_changed("cc", Some(before.join(", ")), Some(saved.cc.join(", ")), Some(reason)),
    )?;
    Ok(saved)
}

/// Adds an article. Side effects follow the seed: the vendor's first public reply or phone
/// call is the first response; a customer's answer takes a ticket off hold or reopens it.
pub fn add_article(
    tx: &mut Tx<'_>,
    actor: &Actor,
    number: i64,
    a: NewArticle,
    limits: Limits,
    now: Timestamp,
) -> Result<(Ticket, Article), ApiError> {
    let mut t = load(tx, actor, number)?;
    let before = t.clone();
    let body = clean_text("body", &a.body, BODY_MAX, true)?;
    check_uploads(&a.attachments, limits)?;
    let vendor = actor.is_vendor();
    match a.kind {
        ArticleKind::PublicReply => {}
        ArticleKind::InternalNote | ArticleKind::PhoneCall if vendor => {}
        ArticleKind::SystemNotice => {
            return Err(ApiError::invalid("kind", "system notices are written by deskbell itself"));
        }
        _ => return Err(ApiError::forbidden("customers write public replies")),
    }
    if a.kind == ArticleKind::PhoneCall && a.call.is_none() {
        return Err(ApiError::invalid("call", "a phone call needs its direction"));
    }
    if t.status == Status::Closed {
        return Err(ApiError::conflict("ticket_closed", "this ticket is closed; please open a new one"));
    }
    let from = t.status;
    let had_first_response = t.first_response_at.is_some();
    let mut status_reason = None;
    if vendor {
        if matches!(a.kind, ArticleKind::PublicReply | ArticleKind::PhoneCall) {
            if t.first_response_at.is_none() {
                t.first_response_at = Some(now);
            }
            if t.status == Status::New {
                apply_status(&mut t, Status::Open, now);
                status_reason = Some("answered by support");
            }
        }
    } else if t.status == Status::WaitingForCustomer {
        apply_status(&mut t, Status::Open, now);
        status_reason = Some("the customer answered");
    } else if t.status == Status::Resolved {
        check_reopen_window(&t, limits, now)?;
        apply_status(&mut t, Status::Open, now);
        status_reason = Some("the customer answered a resolved ticket");
    }
    t.updated_at = now;
    let first_response = !had_first_response && t.first_response_at.is_some();
    let saved = tickets::save_over(tx, &before, &t)?;
    crate::sla::clocks::after_change(tx, Some(&before), &saved, Some(actor.id()), now)?;
    let article = insert_article(tx, &saved, Some(actor.id()), NewArticle { body, ..a }, now)?;
    if first_response {
        event(
            tx,
            &saved,
            Some(actor.id()),
            now,
            field_changed("first_response_at", None, Some(now.to_string()), None),
        )?;
    }
    if let Some(reason) = status_reason {
        event(
            tx,
            &saved,
            Some(actor.id()),
            now,
            NewEvent {
                kind: "status_changed",
                field: Some("status"),
                old_value: Some(from.to_string()),
                new_value: Some(saved.status.to_string()),
                reason: Some(reason),
            },
        )?;
    }
    disposition_event(tx, &before, &saved, Some(actor.id()), now)?;
    crate::mail::outbox::article_added(tx, &saved, &article, actor, now)?;
    let saved = if vendor { saved } else { crate::automation::after_customer_reply(tx, saved, &article, now)? };
    Ok((saved, article))
}

/// A development proposal taken by phone waits for the customer's written request.
pub const AWAITING_WRITTEN_CONFIRMATION: &str = "awaiting_written_confirmation";
/// Out of scope: answered with the local-IT template.
pub const REDIRECTED: &str = "redirected";
/// A training request answered with the training catalogue.
pub const TRAINING_CATALOGUE: &str = "training_catalogue";

fn disposition_event(
    tx: &mut Tx<'_>,
    before: &Ticket,
    after: &Ticket,
    actor: Option<i64>,
    now: Timestamp,
) -> Result<(), ApiError> {
    if before.disposition == after.disposition {
        return Ok(());
    }
    event(
        tx,
        after,
        actor,
        now,
        field_changed("disposition", before.disposition.clone(), after.disposition.clone(), None),
    )
}

/// One field a change made, and why (a person's reason is optional; automation's is always
/// given).
pub(crate) struct FieldChange {
    pub field: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
    pub reason: Option<String>,
}

impl FieldChange {
    fn event(&self) -> NewEvent<'_> {
        NewEvent {
            kind: event_kind(self.field),
            field: Some(self.field),
            old_value: self.old.clone(),
            new_value: self.new.clone(),
            reason: self.reason.as_deref(),
        }
    }
}

/// The fields automation may change that differ between `before` and `after`, as events
/// with `reason`.
pub(crate) fn auto_events(before: &Ticket, after: &Ticket, reason: &str) -> Vec<FieldChange> {
    let id = |v: Option<i64>| v.map(|v| v.to_string());
    [
        ("priority", Some(before.priority.to_string()), Some(after.priority.to_string())),
        ("kind", Some(before.kind.to_string()), Some(after.kind.to_string())),
        ("status", Some(before.status.to_string()), Some(after.status.to_string())),
        ("product_id", id(before.product_id), id(after.product_id)),
        ("installation_id", id(before.installation_id), id(after.installation_id)),
        ("team_id", id(before.team_id), id(after.team_id)),
        ("assignee_id", id(before.assignee_id), id(after.assignee_id)),
        ("tags", Some(before.tags.join(", ")), Some(after.tags.join(", "))),
        ("disposition", before.disposition.clone(), after.disposition.clone()),
    ]
    .into_iter()
    .filter(|(_, old, new)| old != new)
    .map(|(field, old, new)| FieldChange { field, old, new, reason: Some(reason.to_owned()) })
    .collect()
}

/// Moves a ticket held in memory to `to` as the vendor side would: the transition is checked
/// and the instants that go with it are set. Nothing is saved.
pub(crate) fn auto_status(t: &mut Ticket, to: Status, now: Timestamp) -> Result<(), TransitionError> {
    check_transition(t.status, to, Side::Vendor)?;
    apply_status(t, to, now);
    Ok(())
}

/// Saves what deskbell itself changed on a ticket (routing, rules, the scope rules) through
/// the same clock and history path as a person's change: one save, with no actor and each
/// event's reason. `events` are the changes in the order they were made (a rule pass may
/// change a field twice); the clocks follow from `before` to `after`.
pub(crate) fn auto_save(
    tx: &mut Tx<'_>,
    before: &Ticket,
    mut after: Ticket,
    events: Vec<FieldChange>,
    now: Timestamp,
) -> Result<Ticket, ApiError> {
    if events.is_empty() {
        return Ok(before.clone());
    }
    if before.status == Status::Closed {
        return Err(ApiError::conflict("ticket_closed", "a closed ticket cannot be changed"));
    }
    after.updated_at = now;
    let saved = tickets::save_over(tx, before, &after)?;
    // The clocks follow priority, status and the first response only; an assignment, a team
    // or a tag (routing's changes, most rules') leaves them as they are.
    if before.priority != saved.priority
        || before.status != saved.status
        || before.first_response_at != saved.first_response_at
    {
        crate::sla::clocks::after_change(tx, Some(before), &saved, None, now)?;
    }
    let events: Vec<NewEvent<'_>> = events.iter().map(FieldChange::event).collect();
    events::append_all(tx, saved.id, None, now, &events)?;
    Ok(saved)
}

/// [`auto_save`] of one change with one reason; a status change must be one the vendor side
/// could make.
pub(crate) fn auto_change(
    tx: &mut Tx<'_>,
    before: &Ticket,
    mut after: Ticket,
    reason: &str,
    now: Timestamp,
) -> Result<Ticket, ApiError> {
    if after.status != before.status {
        let to = after.status;
        after.status = before.status;
        auto_status(&mut after, to, now).map_err(transition_error)?;
    }
    let events = auto_events(before, &after, reason);
    auto_save(tx, before, after, events, now)
}

/// An article deskbell itself writes (an automatic answer, a rule's note, a notice). It is
/// not a first response: DESIGN §3 counts only a person's answer.
pub(crate) fn auto_article(
    tx: &mut Tx<'_>,
    ticket: &Ticket,
    kind: ArticleKind,
    body: String,
    now: Timestamp,
) -> Result<Article, ApiError> {
    let body = clean_text("body", &body, BODY_MAX, true)?;
    insert_article(tx, ticket, None, NewArticle { kind, body, call: None, mail: None, attachments: Vec::new() }, now)
}
