//! The rule pass: the admin's active rules, in order, each at most once, against the ticket
//! as the earlier rules of the pass left it. The pass's changes are saved together (one
//! version, one clock update); every change and every firing is a history event naming its
//! rule. An
//! action that cannot apply any more (an agent deactivated since the rule was saved, a
//! status the ticket cannot reach) is skipped with an event saying why: a rule never makes
//! the change that set it off fail.

use deskbell_domain::article::ArticleKind;
use deskbell_domain::automation::{Action, Facts, Recipient, RuleDef, Trigger};
use deskbell_domain::text::fold;
use deskbell_domain::ticket::Status;
use deskbell_store::automation::{self, Rule};
use deskbell_store::events::{self, NewEvent};
use deskbell_store::tickets::{Article, Ticket};
use deskbell_store::{StoreError, Tx, orgs, people, sla};
use jiff::Timestamp;

use super::responses;
use crate::error::ApiError;
use crate::tickets::service::{FieldChange, auto_article, auto_events, auto_save, auto_status};

/// A rule as stored, with its definition read.
pub struct Compiled {
    pub rule: Rule,
    pub def: RuleDef,
}

/// The active rules whose definition reads (a stored definition was checked when saved;
/// one that no longer reads is logged and left out rather than blocking tickets).
pub fn active(tx: &mut Tx<'_>) -> Result<Vec<Compiled>, StoreError> {
    Ok(automation::active_rules(tx)?
        .into_iter()
        .filter_map(|rule| match serde_json::from_str::<RuleDef>(&rule.definition) {
            Ok(def) => Some(Compiled { rule, def }),
            Err(e) => {
                tracing::error!(rule = rule.id, error = %e, "a stored rule does not read; skipped");
                None
            }
        })
        .collect())
}

/// The organisation and its parents, nearest first.
fn organisation_chain(tx: &mut Tx<'_>, id: i64) -> Result<Vec<i64>, StoreError> {
    let mut chain = vec![id];
    let mut next = orgs::get(tx, id)?.parent_id;
    while let Some(p) = next {
        if chain.contains(&p) || chain.len() > 16 {
            break;
        }
        chain.push(p);
        next = orgs::get(tx, p)?.parent_id;
    }
    Ok(chain)
}

pub fn run(
    tx: &mut Tx<'_>,
    t: Ticket,
    trigger: Trigger,
    article: Option<&Article>,
    now: Timestamp,
) -> Result<Ticket, ApiError> {
    // A closed ticket is final (DESIGN §2): nothing acts on it any more.
    if t.status == Status::Closed {
        return Ok(t);
    }
    let rules = active(tx)?;
    if !rules.iter().any(|r| r.def.runs_on(trigger)) {
        return Ok(t);
    }
    let organisations = organisation_chain(tx, t.organisation_id)?;
    let sender = people::get(tx, t.requester_id)?.email.as_str().to_owned();
    let inside = super::inside_business_hours(now);
    let original = t.clone();
    let mut t = t;
    let mut changes = Vec::new();
    let mut fired = Vec::new();
    // Internal notes are not the customer's words; the text a rule reads is the subject and
    // what the customer or agent wrote in public. No action changes either: fold them once.
    let body = article.filter(|a| a.kind != ArticleKind::InternalNote).map_or("", |a| a.body.as_str());
    let folded_text = fold(&format!("{}\n{body}", t.subject));
    for Compiled { rule, def } in &rules {
        let facts = Facts {
            channel: t.channel,
            kind: t.kind,
            priority: t.priority,
            status: t.status,
            organisations: &organisations,
            product_id: t.product_id,
            folded_text: &folded_text,
            sender: Some(&sender),
            inside_business_hours: inside,
            tags: &t.tags,
        };
        if !def.matches(trigger, &facts) {
            continue;
        }
        t = fire(tx, t, rule, def, &mut changes, now)?;
        fired.push(rule.id);
        if def.stop {
            break;
        }
    }
    automation::count_firings(tx, &fired)?;
    auto_save(tx, &original, t, changes, now)
}

fn skipped(
    tx: &mut Tx<'_>,
    t: &Ticket,
    reason: &str,
    action: &Action,
    why: String,
    now: Timestamp,
) -> Result<(), ApiError> {
    Ok(events::append(
        tx,
        t.id,
        None,
        now,
        &NewEvent {
            kind: "rule_action_skipped",
            field: Some(action.name()),
            old_value: None,
            new_value: Some(why),
            reason: Some(reason),
        },
    )?)
}

fn active_staff(tx: &mut Tx<'_>, id: i64) -> Result<bool, StoreError> {
    match people::get(tx, id) {
        Ok(p) => Ok(p.active && p.role.is_vendor()),
        Err(StoreError::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Applies one rule to the ticket held in memory: its field changes join `changes` (saved at
/// the end of the pass), its articles and notices are written now.
fn fire(
    tx: &mut Tx<'_>,
    t: Ticket,
    rule: &Rule,
    def: &RuleDef,
    changes: &mut Vec<FieldChange>,
    now: Timestamp,
) -> Result<Ticket, ApiError> {
    let reason = format!("rule «{}»", rule.name);
    events::append(
        tx,
        t.id,
        None,
        now,
        &NewEvent {
            kind: "rule_fired",
            field: Some("rule"),
            old_value: None,
            new_value: Some(rule.name.clone()),
            reason: Some(&reason),
        },
    )?;
    // Field actions first, saved together; then what writes articles and notices, so that
    // a template sent by the rule already sees the fields the rule set.
    let mut after = t.clone();
    for action in &def.actions {
        match action {
            Action::SetPriority { priority } => after.priority = *priority,
            Action::SetKind { kind } => after.kind = *kind,
            Action::SetStatus { status } => {
                if after.status != *status
                    && let Err(e) = auto_status(&mut after, *status, now)
                {
                    skipped(tx, &t, &reason, action, e.to_string(), now)?;
                }
            }
            Action::SetProduct { product_id } => match orgs::product(tx, *product_id) {
                Ok(_) => {
                    after.product_id = Some(*product_id);
                    // An installation of another product no longer fits.
                    if let Some(i) = after.installation_id
                        && orgs::installation(tx, i)?.product_id != *product_id
                    {
                        after.installation_id = None;
                    }
                }
                Err(StoreError::NotFound) => {
                    skipped(tx, &t, &reason, action, format!("product {product_id} no longer exists"), now)?
                }
                Err(e) => return Err(e.into()),
            },
            Action::SetTeam { team_id } => match orgs::team(tx, *team_id) {
                Ok(_) => after.team_id = Some(*team_id),
                Err(StoreError::NotFound) => {
                    skipped(tx, &t, &reason, action, format!("team {team_id} no longer exists"), now)?
                }
                Err(e) => return Err(e.into()),
            },
            Action::Assign { person_id } => {
                if active_staff(tx, *person_id)? {
                    after.assignee_id = Some(*person_id);
                } else {
                    skipped(
                        tx,
                        &t,
                        &reason,
                        action,
                        format!("person {person_id} is no longer active support staff"),
                        now,
                    )?;
                }
            }
            Action::Unassign => after.assignee_id = None,
            Action::AddTag { tag } => {
                let tag = tag.trim().to_lowercase();
                if !after.tags.contains(&tag) {
                    after.tags.push(tag);
                }
            }
            Action::RemoveTag { tag } => {
                let tag = tag.trim().to_lowercase();
                after.tags.retain(|x| *x != tag);
            }
            Action::SendTemplate { .. }
            | Action::AddNote { .. }
            | Action::Notify { .. }
            | Action::NotifyPerson { .. } => {}
        }
    }
    changes.extend(auto_events(&t, &after, &reason));
    let t = after;
    for action in &def.actions {
        match action {
            Action::SendTemplate { response_id } => match automation::response(tx, *response_id) {
                Ok(r) if r.active => {
                    let body = responses::render(tx, &r, &t, None)?;
                    let article = auto_article(tx, &t, ArticleKind::PublicReply, body, now)?;
                    crate::mail::outbox::automatic_reply(tx, &t, &article, now)?;
                }
                Ok(_) => skipped(tx, &t, &reason, action, format!("canned response {response_id} is inactive"), now)?,
                Err(StoreError::NotFound) => {
                    skipped(tx, &t, &reason, action, format!("canned response {response_id} no longer exists"), now)?
                }
                Err(e) => return Err(e.into()),
            },
            Action::AddNote { body } => {
                auto_article(tx, &t, ArticleKind::InternalNote, format!("{body}\n\n— {reason}"), now)?;
            }
            Action::Notify { to } => {
                let people = recipients(tx, &t, *to, now)?;
                let message = format!("{reason}: #{} {}", t.number, t.subject);
                crate::mail::outbox::staff_notices(tx, &t, "rule", &people, &message, now)?;
            }
            Action::NotifyPerson { person_id } => {
                if active_staff(tx, *person_id)? {
                    let message = format!("{reason}: #{} {}", t.number, t.subject);
                    crate::mail::outbox::staff_notices(tx, &t, "rule", &[*person_id], &message, now)?;
                } else {
                    skipped(
                        tx,
                        &t,
                        &reason,
                        action,
                        format!("person {person_id} is no longer active support staff"),
                        now,
                    )?;
                }
            }
            _ => {}
        }
    }
    Ok(t)
}

fn recipients(tx: &mut Tx<'_>, t: &Ticket, to: Recipient, now: Timestamp) -> Result<Vec<i64>, StoreError> {
    Ok(match to {
        Recipient::Assignee => t.assignee_id.into_iter().collect(),
        Recipient::Team => match t.team_id {
            Some(team) => orgs::team(tx, team)?.members,
            None => Vec::new(),
        },
        Recipient::AccountTeam => orgs::get(tx, t.organisation_id)?.account_team,
        Recipient::OnCall => sla::on_call(tx, t.team_id, now)?,
    })
}
