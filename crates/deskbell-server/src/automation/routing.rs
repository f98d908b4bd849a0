//! Routing of new tickets: to the organisation's account team (the specialists who
//! installed it and know it; a chain's account team covers its properties), else to the
//! product's team; inside that pool round robin among the agents on shift and not absent.
//! A critical ticket notifies the whole team and account team at once. Every assignment
//! is a history event with its reason; so is finding nobody.

use deskbell_domain::sla::Calendar;
use deskbell_domain::ticket::Priority;
use deskbell_store::events::{self, NewEvent};
use deskbell_store::tickets::Ticket;
use deskbell_store::{StoreError, Tx, automation, orgs, people, sla};
use jiff::Timestamp;

use super::{ROUTING_KEY, RoutingSettings};
use crate::error::ApiError;
use crate::tickets::service::auto_change;

/// Of `candidates`, the active support staff who can take a ticket at `now`.
pub fn available(
    tx: &mut Tx<'_>,
    candidates: &[i64],
    settings: &RoutingSettings,
    now: Timestamp,
) -> Result<Vec<i64>, StoreError> {
    let mut out = Vec::new();
    for &id in candidates {
        if !out.contains(&id) && people::get(tx, id).is_ok_and(|p| p.active && p.role.is_vendor()) {
            out.push(id);
        }
    }
    if settings.respect_absences {
        let away = automation::absent(tx, &out, now)?;
        out.retain(|p| !away.contains(p));
    }
    if settings.respect_working_hours {
        let hours = automation::working_hours(tx, &out)?;
        if !hours.is_empty() {
            let on_call = sla::on_call(tx, None, now)?;
            let mut off = Vec::new();
            for (person, calendar) in hours {
                let record = sla::calendar(tx, calendar)?;
                let open = record
                    .version_at(now)
                    .and_then(|v| Calendar::from_spec(&v.spec).ok())
                    .is_some_and(|c| c.is_open(now));
                if !open && !on_call.contains(&person) {
                    off.push(person);
                }
            }
            out.retain(|p| !off.contains(p));
        }
    }
    Ok(out)
}

/// Tells people about a ticket: a notification each, and a mail.
pub fn notify(
    tx: &mut Tx<'_>,
    t: &Ticket,
    people: &[i64],
    kind: &str,
    message: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    crate::mail::outbox::staff_notices(tx, t, kind, people, message, now)
}

/// The account team of an organisation, or of the nearest parent that has one.
fn account_team(tx: &mut Tx<'_>, organisation: i64) -> Result<(String, Vec<i64>), StoreError> {
    let mut org = orgs::get(tx, organisation)?;
    let mut hops = 0;
    while org.account_team.is_empty() && hops < 16 {
        let Some(parent) = org.parent_id else { break };
        org = orgs::get(tx, parent)?;
        hops += 1;
    }
    Ok((org.name, org.account_team))
}

pub fn route(tx: &mut Tx<'_>, t: Ticket, now: Timestamp) -> Result<Ticket, ApiError> {
    let settings: RoutingSettings = super::load(tx, ROUTING_KEY)?;
    if !settings.enabled || !t.status.is_open() {
        return Ok(t);
    }
    let product_team = match t.product_id {
        Some(p) => orgs::product(tx, p)?.team_id,
        None => None,
    };
    let mut after = t.clone();
    let mut reasons: Vec<String> = Vec::new();
    if after.team_id.is_none()
        && let Some(team) = product_team
    {
        after.team_id = Some(team);
        reasons.push(format!("the product's team {}", orgs::team(tx, team)?.name));
    }
    let (org_name, account) = account_team(tx, t.organisation_id)?;
    let mut nobody = None;
    if after.assignee_id.is_none() && settings.round_robin {
        let on_duty = available(tx, &account, &settings, now)?;
        if !on_duty.is_empty() {
            let who = automation::take_turn(tx, &format!("organisation:{}", t.organisation_id), &on_duty, now)?;
            after.assignee_id = Some(who);
            reasons.push(format!("account team of {org_name}, round robin among {} on shift", on_duty.len()));
        } else if let Some(team) = after.team_id {
            let record = orgs::team(tx, team)?;
            let on_duty = available(tx, &record.members, &settings, now)?;
            if on_duty.is_empty() {
                nobody = Some(format!(
                    "nobody of the account team of {org_name} or of team {} is on shift and not absent",
                    record.name
                ));
            } else {
                let who = automation::take_turn(tx, &format!("team:{team}"), &on_duty, now)?;
                after.assignee_id = Some(who);
                reasons.push(format!("team {}, round robin among {} on shift", record.name, on_duty.len()));
            }
        } else {
            nobody = Some(format!(
                "nobody of the account team of {org_name} is on shift and the ticket has no team (no product team)"
            ));
        }
    }
    let saved = if reasons.is_empty() {
        t
    } else {
        auto_change(tx, &t, after, &format!("routing: {}", reasons.join("; ")), now)?
    };
    if let Some(why) = nobody {
        events::append(
            tx,
            saved.id,
            None,
            now,
            &NewEvent {
                kind: "routing",
                field: Some("assignee_id"),
                old_value: None,
                new_value: None,
                reason: Some(&format!("routing: left unassigned, {why}")),
            },
        )?;
    }
    if saved.priority == Priority::Critical && settings.notify_team_on_critical {
        let mut people = account;
        if let Some(team) = saved.team_id {
            people.extend(orgs::team(tx, team)?.members);
        }
        let people = available(tx, &people, &RoutingSettings { respect_working_hours: false, ..settings }, now)?;
        let message = format!("critical ticket #{}: {}", saved.number, saved.subject);
        notify(tx, &saved, &people, "critical_ticket", &message, now)?;
    }
    Ok(saved)
}
