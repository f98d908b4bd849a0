//! Routing of new tickets: to the organisation's account team (the specialists who
//! installed it and know it; a chain's account team covers its properties), else to the
//! product's team; inside that pool round robin among the agents on shift and not absent.
//! A critical ticket notifies the whole team and account team at once. Every assignment
//! is a history event with its reason; so is finding nobody.

use deskbell_domain::sla::Calendar;
use deskbell_domain::ticket::Priority;
use deskbell_store::events::{self, NewEvent};
use deskbell_store::tickets::Ticket;
use deskbell_store::{StoreError, Tx, automation, orgs, sla};
use jiff::Timestamp;

use super::{KnownProduct, RoutingSettings};
use crate::error::ApiError;
use crate::tickets::service::auto_change;

/// Of `candidates`, the active support staff who can take a ticket at `now`, in their order.
pub fn available(
    tx: &mut Tx<'_>,
    candidates: &[i64],
    settings: &RoutingSettings,
    now: Timestamp,
) -> Result<Vec<i64>, StoreError> {
    let found = automation::candidates(tx, candidates, settings.respect_absences, now)?;
    let mut on_call: Option<Vec<i64>> = None;
    // Agents share a few calendars: each is read once.
    let mut open_now: Vec<(i64, bool)> = Vec::new();
    let mut out = Vec::new();
    for &id in candidates {
        let Some(&(_, hours)) = found.iter().find(|(p, _)| *p == id) else { continue };
        if out.contains(&id) {
            continue;
        }
        if let (true, Some(calendar)) = (settings.respect_working_hours, hours) {
            let open = match open_now.iter().find(|(c, _)| *c == calendar) {
                Some(&(_, open)) => open,
                None => {
                    let record = sla::calendar(tx, calendar)?;
                    let open = record
                        .version_at(now)
                        .and_then(|v| Calendar::from_spec(&v.spec).ok())
                        .is_some_and(|c| c.is_open(now));
                    open_now.push((calendar, open));
                    open
                }
            };
            if !open {
                if on_call.is_none() {
                    on_call = Some(sla::on_call(tx, None, now)?);
                }
                if !on_call.as_ref().is_some_and(|o| o.contains(&id)) {
                    continue;
                }
            }
        }
        out.push(id);
    }
    Ok(out)
}

/// The account team of an organisation, or of the nearest parent that has one.
fn account_team(tx: &mut Tx<'_>, organisation: i64) -> Result<(String, Vec<i64>), StoreError> {
    let (mut name, mut parent, mut team) = orgs::account_team(tx, organisation)?;
    let mut hops = 0;
    while team.is_empty() && hops < 16 {
        let Some(p) = parent else { break };
        (name, parent, team) = orgs::account_team(tx, p)?;
        hops += 1;
    }
    Ok((name, team))
}

/// The name and members of `team`, read once per routing however many steps need them.
fn roster<'r>(
    tx: &mut Tx<'_>,
    team: i64,
    read: &'r mut Option<(String, Vec<i64>)>,
) -> Result<&'r (String, Vec<i64>), StoreError> {
    let roster = match read.take() {
        Some(r) => r,
        None => orgs::roster(tx, team)?,
    };
    Ok(read.insert(roster))
}

/// Routes `t` if it needs it. `known`: a product and its team as the caller read them, used
/// when it is still the ticket's product (a rule may have changed it).
pub fn route(
    tx: &mut Tx<'_>,
    t: Ticket,
    settings: &RoutingSettings,
    known: Option<KnownProduct>,
    now: Timestamp,
) -> Result<Ticket, ApiError> {
    if !settings.enabled || !t.status.is_open() {
        return Ok(t);
    }
    let needs_team = t.team_id.is_none();
    let product_team = match (t.product_id, known) {
        (None, _) => None,
        (Some(p), Some(k)) if p == k.id => k.team_id,
        // Only the team is taken from the product; a ticket with one needs no lookup.
        (Some(_), _) if !needs_team => None,
        (Some(p), _) => orgs::product(tx, p)?.team_id,
    };
    let mut after = t.clone();
    let mut reasons: Vec<String> = Vec::new();
    // Of the ticket's team as routing leaves it (`after.team_id`, set below at most once).
    let mut team_roster = None;
    if after.team_id.is_none()
        && let Some(team) = product_team
    {
        after.team_id = Some(team);
        reasons.push(format!("the product's team {}", roster(tx, team, &mut team_roster)?.0));
    }
    let needs_people = after.assignee_id.is_none() && settings.round_robin;
    let critical = t.priority == Priority::Critical && settings.notify_team_on_critical;
    let (org_name, account) =
        if needs_people || critical { account_team(tx, t.organisation_id)? } else { (String::new(), Vec::new()) };
    let mut nobody = None;
    if needs_people {
        let on_duty = available(tx, &account, settings, now)?;
        if !on_duty.is_empty() {
            let who = automation::take_turn(tx, &format!("organisation:{}", t.organisation_id), &on_duty, now)?;
            after.assignee_id = Some(who);
            reasons.push(format!("account team of {org_name}, round robin among {} on shift", on_duty.len()));
        } else if let Some(team) = after.team_id {
            let (team_name, members) = roster(tx, team, &mut team_roster)?.clone();
            let on_duty = available(tx, &members, settings, now)?;
            if on_duty.is_empty() {
                nobody = Some(format!(
                    "nobody of the account team of {org_name} or of team {team_name} is on shift and not absent"
                ));
            } else {
                let who = automation::take_turn(tx, &format!("team:{team}"), &on_duty, now)?;
                after.assignee_id = Some(who);
                reasons.push(format!("team {team_name}, round robin among {} on shift", on_duty.len()));
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
    if critical {
        let mut people = account;
        if let Some(team) = saved.team_id {
            people.extend_from_slice(&roster(tx, team, &mut team_roster)?.1);
        }
        let people =
            available(tx, &people, &RoutingSettings { respect_working_hours: false, ..settings.clone() }, now)?;
        let message = format!("critical ticket #{}: {}", saved.number, saved.subject);
        crate::mail::outbox::staff_notices(tx, &saved, "critical_ticket", &people, &message, now)?;
    }
    Ok(saved)
}
