//! Merging a duplicate into another ticket, linking related tickets, and major incidents (a
//! parent ticket whose children are other organisations' tickets of the same problem).
//!
//! Part of the one write path: every function runs in the caller's transaction, changes
//! tickets through the ticket service where one exists (so each child of a major incident gets
//! its own article, history, clock events and mail), and appends its history events there.
//!
//! Policies:
//! - Only the vendor side merges, links and broadcasts.
//! - A merge stays within one organisation (`merge_across_organisations`); linking may cross
//!   organisations, and a customer only ever sees the linked tickets of their own scope.
//! - The children of a merged parent move to the target (closed children stay where they are);
//!   its links move too, and a merged child's parent becomes the target's when it has none.
//! - A parent may not be a merged ticket, nor a descendant of its child (`parent_cycle`).

use axum::http::StatusCode;
use deskbell_domain::article::ArticleKind;
use deskbell_domain::sla::{ClockEventKind, RunState};
use deskbell_domain::ticket::Status;
use deskbell_store::events::{self, NewEvent};
use deskbell_store::merges::{self, Moved};
use deskbell_store::tickets::{self, Scope, Ticket};
use deskbell_store::{Tx, orgs, people, sla};
use jiff::Timestamp;

use super::service::{self, BODY_MAX, Limits, NewArticle, StatusChange, TicketChanges, clean_text};
use crate::auth::Actor;
use crate::error::ApiError;
use crate::patch::Patch;

pub const REASON_MAX: usize = 1000;

/// A refusal about the other ticket of a request (`field`), with its own code.
fn refuse(code: &'static str, field: &str, message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message).with_field(field)
}

/// The other ticket of a request: missing is a refusal of that field, not a 404 of the page.
fn other(tx: &mut Tx<'_>, actor: &Actor, number: i64, field: &str) -> Result<Ticket, ApiError> {
    service::load(tx, actor, number).map_err(|e| match e.status {
        StatusCode::NOT_FOUND => refuse("invalid_field", field, format!("ticket #{number} does not exist")),
        _ => e,
    })
}

fn append(tx: &mut Tx<'_>, ticket: i64, actor: &Actor, now: Timestamp, e: NewEvent<'_>) -> Result<(), ApiError> {
    Ok(events::append(tx, ticket, Some(actor.id()), now, &e)?)
}

/// What a merge did.
#[derive(Debug, Clone)]
pub struct MergeOutcome {
    pub source: Ticket,
    pub target: Ticket,
    pub moved: Moved,
}

/// Merges ticket `source_number` into `target_number`: articles, attachments and history move
/// to the target, the source's requester and cc join the target's cc, the source is closed
/// (its clocks stopped) and remembered as merged, and both requesters are told by mail.
pub fn merge(
    tx: &mut Tx<'_>,
    actor: &Actor,
    source_number: i64,
    target_number: i64,
    reason: Option<String>,
    now: Timestamp,
) -> Result<MergeOutcome, ApiError> {
    actor.require_vendor()?;
    let reason =
        reason.filter(|r| !r.trim().is_empty()).map(|r| clean_text("reason", &r, REASON_MAX, true)).transpose()?;
    let source = service::load(tx, actor, source_number)?;
    if source.number != source_number {
        return Err(ApiError::conflict(
            "already_merged",
            format!("ticket #{source_number} was already merged into #{}", source.number),
        ));
    }
    if source_number == target_number {
        return Err(refuse(
            "merge_into_itself",
            "into",
            format!("ticket #{source_number} cannot be merged into itself"),
        ));
    }
    let target = other(tx, actor, target_number, "into")?;
    if target.number != target_number {
        return Err(refuse(
            "target_merged",
            "into",
            format!("ticket #{target_number} was itself merged into #{0}; merge into #{0} instead", target.number),
        ));
    }
    if source.organisation_id != target.organisation_id {
        let a = orgs::get(tx, source.organisation_id)?.name;
        let b = orgs::get(tx, target.organisation_id)?.name;
        return Err(refuse(
            "merge_across_organisations",
            "into",
            format!(
                "ticket #{} belongs to {a} and #{} to {b}: tickets of different organisations cannot be merged; link them instead",
                source.number, target.number
            ),
        ));
    }
    if source.status == Status::Closed {
        return Err(ApiError::conflict(
            "ticket_closed",
            format!("ticket #{} is closed and cannot be merged", source.number),
        ));
    }
    if target.status == Status::Closed {
        return Err(refuse(
            "target_closed",
            "into",
            format!("ticket #{} is closed; merge into an open ticket", target.number),
        ));
    }

    let into_text = format!("merged into #{}", target.number);
    let from_text = format!("merged from #{}", source.number);
    let moved = merges::move_contents(tx, source.id, target.id)?;

    // Whoever followed the duplicate follows the target from now on.
    let target_requester = people::get(tx, target.requester_id)?.email;
    let mut joining = Vec::new();
    if source.requester_id != target.requester_id {
        joining.push(people::get(tx, source.requester_id)?.email.as_str().to_owned());
    }
    joining.extend(source.cc.iter().filter(|c| c.as_str() != target_requester.as_str()).cloned());
    if !joining.is_empty() {
        service::add_cc(tx, actor, target.number, &joining, &from_text, now)?;
    }

    // The duplicate ends closed, its clocks stopped: the work goes on in the target.
    let mut closed = source.clone();
    closed.status = Status::Closed;
    closed.closed_at = Some(now);
    closed.updated_at = now;
    let closed = tickets::save(tx, &closed)?;
    crate::sla::clocks::after_change(tx, Some(&source), &closed, Some(actor.id()), now)?;
    stop_clocks(tx, closed.id, &into_text, actor, now)?;
    append(
        tx,
        closed.id,
        actor,
        now,
        NewEvent {
            kind: "status_changed",
            field: Some("status"),
            old_value: Some(source.status.to_string()),
            new_value: Some(Status::Closed.to_string()),
            reason: Some(&into_text),
        },
    )?;
    // The duplicate's last event names the target, the target's names the duplicate.
    for (t, kind, field, other) in
        [(closed.id, "merged_into", "merged_into", target.number), (target.id, "merged", "merged_from", source.number)]
    {
        let e = NewEvent {
            kind,
            field: Some(field),
            new_value: Some(other.to_string()),
            reason: reason.as_deref(),
            ..Default::default()
        };
        append(tx, t, actor, now, e)?;
    }
    merges::record(tx, source.id, target.id, Some(actor.id()), now, reason.as_deref())?;

    // A merged major incident hands its open children and its links to the target.
    for child in merges::children(tx, source.id, &Scope::All)? {
        let parent = if child.id == target.id { Patch::Clear } else { Patch::Set(target.number) };
        if child.status != Status::Closed {
            let changes = TicketChanges { parent_number: parent, ..TicketChanges::default() };
            service::update(tx, actor, child.number, child.version, changes, now)?;
        }
    }
    // A duplicate's major incident goes on in the target, unless the target has its own.
    let current = tickets::by_id(tx, target.id)?;
    if let (Some(pid), None) = (source.parent_id, current.parent_id)
        && pid != target.id
    {
        let p = tickets::by_id(tx, pid)?;
        if check_parent(tx, &current, p.number).is_ok() {
            let changes = TicketChanges { parent_number: Patch::Set(p.number), ..TicketChanges::default() };
            service::update(tx, actor, target.number, current.version, changes, now)?;
        }
    }
    for linked in merges::linked(tx, source.id, &Scope::All)? {
        merges::unlink(tx, source.id, linked.id)?;
        if linked.id != target.id && merges::link(tx, target.id, linked.id, Some(actor.id()), now)? {
            link_events(tx, actor, &target, &linked, "linked", Some(&from_text), now)?;
        }
    }

    let mut target = tickets::by_id(tx, target.id)?;
    target.updated_at = now;
    let target = tickets::save(tx, &target)?;
    crate::mail::outbox::merged(tx, &closed, &target, now)?;
    Ok(MergeOutcome { source: closed, target, moved })
}

/// Stops every clock of a ticket still running or paused (a merged duplicate's).
fn stop_clocks(tx: &mut Tx<'_>, ticket: i64, reason: &str, actor: &Actor, now: Timestamp) -> Result<(), ApiError> {
    let mut cache = crate::sla::clocks::Versions::default();
    for mut row in sla::clocks(tx, ticket)? {
        if matches!(row.summary.state(), RunState::Running | RunState::Paused) {
            crate::sla::clocks::apply_kind(
                tx,
                &mut cache,
                &mut row,
                ClockEventKind::Stop,
                reason,
                Some(actor.id()),
                now,
            )?;
        }
    }
    Ok(())
}

/// A `linked` / `unlinked` event on both tickets, each naming the other.
fn link_events(
    tx: &mut Tx<'_>,
    actor: &Actor,
    a: &Ticket,
    b: &Ticket,
    kind: &'static str,
    reason: Option<&str>,
    now: Timestamp,
) -> Result<(), ApiError> {
    for (t, o) in [(a, b), (b, a)] {
        let number = Some(o.number.to_string());
        let (old_value, new_value) = if kind == "linked" { (None, number) } else { (number, None) };
        append(tx, t.id, actor, now, NewEvent { kind, field: Some("link"), old_value, new_value, reason })?;
    }
    Ok(())
}

/// The two tickets of a link request, checked.
fn link_pair(tx: &mut Tx<'_>, actor: &Actor, number: i64, other_number: i64) -> Result<(Ticket, Ticket), ApiError> {
    actor.require_vendor()?;
    let t = service::load(tx, actor, number)?;
    let o = other(tx, actor, other_number, "ticket")?;
    if t.id == o.id {
        return Err(refuse("link_to_itself", "ticket", format!("ticket #{} cannot be linked to itself", t.number)));
    }
    Ok((t, o))
}

/// Links two related tickets (any organisations); `false` when they were linked already.
pub fn link(
    tx: &mut Tx<'_>,
    actor: &Actor,
    number: i64,
    other_number: i64,
    now: Timestamp,
) -> Result<(Ticket, bool), ApiError> {
    let (t, o) = link_pair(tx, actor, number, other_number)?;
    let created = merges::link(tx, t.id, o.id, Some(actor.id()), now)?;
    if created {
        link_events(tx, actor, &t, &o, "linked", None, now)?;
    }
    Ok((o, created))
}

/// Removes the link of two tickets; `NotFound` when they were not linked.
pub fn unlink(tx: &mut Tx<'_>, actor: &Actor, number: i64, other_number: i64, now: Timestamp) -> Result<(), ApiError> {
    let (t, o) = link_pair(tx, actor, number, other_number)?;
    if !merges::unlink(tx, t.id, o.id)? {
        return Err(ApiError::not_found("link"));
    }
    link_events(tx, actor, &t, &o, "unlinked", None, now)
}

/// Checks a new parent for `child` (a major incident) and returns its id: it exists, is not a
/// merged ticket, and is not `child` itself nor one of its descendants.
pub fn check_parent(tx: &mut Tx<'_>, child: &Ticket, n: i64) -> Result<i64, ApiError> {
    let field = "parent_number";
    if n == child.number {
        return Err(ApiError::invalid(field, "a ticket cannot be its own parent"));
    }
    let p = tickets::by_number(tx, n, &Scope::All)
        .map_err(|_| ApiError::invalid(field, format!("ticket #{n} does not exist")))?;
    if p.number != n {
        return Err(refuse(
            "parent_merged",
            field,
            format!("ticket #{n} was merged into #{0}; choose #{0} as the parent", p.number),
        ));
    }
    let mut up = Some(p.id);
    // Depth is bounded by the tickets there are; the bound only guards against bad data.
    for _ in 0..1000 {
        let Some(id) = up else { break };
        if id == child.id {
            return Err(refuse(
                "parent_cycle",
                field,
                format!(
                    "ticket #{n} is #{} itself or one of its children; a ticket cannot be its own ancestor",
                    child.number
                ),
            ));
        }
        up = tickets::by_id(tx, id)?.parent_id;
    }
    Ok(p.id)
}

/// Clears, for a customer, the parent of every ticket whose parent belongs to another
/// organisation: a major incident's parent is the vendor's, and another hotel's.
pub fn hide_foreign_parents(tx: &mut Tx<'_>, actor: &Actor, list: &mut [Ticket]) -> Result<(), ApiError> {
    if actor.is_vendor() {
        return Ok(());
    }
    let foreign = merges::foreign_parents(tx, list)?;
    for t in list.iter_mut().filter(|t| foreign.contains(&t.id)) {
        t.parent_id = None;
    }
    Ok(())
}

/// One ticket as [`hide_foreign_parents`] shows it to the actor.
pub fn shown(tx: &mut Tx<'_>, actor: &Actor, t: Ticket) -> Result<Ticket, ApiError> {
    let mut one = [t];
    hide_foreign_parents(tx, actor, &mut one)?;
    let [t] = one;
    Ok(t)
}

/// One update to every linked requester of a major incident.
#[derive(Debug, Clone)]
pub struct Broadcast {
    pub body: String,
    /// Also resolve every child (each requester then gets the usual "resolved" mail).
    pub resolve: bool,
}

#[derive(Debug, Clone)]
pub struct BroadcastOutcome {
    pub parent: Ticket,
    /// The children that got the reply, as they are now.
    pub updated: Vec<Ticket>,
    /// Closed children, left alone.
    pub skipped: Vec<Ticket>,
}

/// A plain written article: no call, no mail, no files.
fn written(kind: ArticleKind, body: String) -> NewArticle {
    NewArticle { kind, body, call: None, mail: None, attachments: Vec::new() }
}

/// Sends one public reply to every open child of a parent ticket, each through the ticket
/// service (its own article, history, first response and mail to its own requester),
/// optionally resolving them, and notes on the parent how many were updated.
pub fn broadcast(
    tx: &mut Tx<'_>,
    actor: &Actor,
    parent_number: i64,
    b: Broadcast,
    limits: Limits,
    now: Timestamp,
) -> Result<BroadcastOutcome, ApiError> {
    actor.require_vendor()?;
    let parent = service::load(tx, actor, parent_number)?;
    let body = clean_text("body", &b.body, BODY_MAX, true)?;
    if parent.status == Status::Closed {
        return Err(ApiError::conflict("ticket_closed", format!("ticket #{} is closed", parent.number)));
    }
    let (open, skipped): (Vec<Ticket>, Vec<Ticket>) =
        merges::children(tx, parent.id, &Scope::All)?.into_iter().partition(|c| c.status != Status::Closed);
    if open.is_empty() {
        return Err(ApiError::conflict(
            "no_open_children",
            format!("ticket #{} has no open linked tickets to update; make it their parent first", parent.number),
        ));
    }
    let mut updated = Vec::new();
    for child in open {
        let reply = written(ArticleKind::PublicReply, body.clone());
        let (mut t, _) = service::add_article(tx, actor, child.number, reply, limits, now)?;
        if b.resolve && t.status != Status::Resolved {
            let change = StatusChange {
                to: Status::Resolved,
                version: None,
                reason: Some(format!("major incident #{} resolved", parent.number)),
            };
            t = service::transition(tx, actor, t.number, change, limits, now)?;
        }
        updated.push(t);
    }
    let numbers = updated.iter().map(|t| format!("#{}", t.number)).collect::<Vec<_>>().join(", ");
    let count = updated.len();
    let note = written(
        ArticleKind::InternalNote,
        format!(
            "Aktualizacja wysłana do {count} powiązanych zgłoszeń / Update sent to {count} linked tickets: {numbers}\n\n{body}"
        ),
    );
    let (parent, _) = service::add_article(tx, actor, parent.number, note, limits, now)?;
    append(
        tx,
        parent.id,
        actor,
        now,
        NewEvent {
            kind: "broadcast",
            field: Some("children"),
            new_value: Some(count.to_string()),
            reason: b.resolve.then_some("resolved"),
            ..Default::default()
        },
    )?;
    Ok(BroadcastOutcome { parent, updated, skipped })
}
