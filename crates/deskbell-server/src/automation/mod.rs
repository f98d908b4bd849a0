//! Automation inside the ticket service's write path: the seed's scope rules, the admin's
//! rules, and routing of new tickets. The ticket service calls [`after_create`],
//! [`after_update`] and [`after_customer_reply`] at the end of its write functions, in the
//! same transaction: what automation changes is saved, clocked and recorded like any other
//! change, with no actor and the reason (`rule «…»`, `routing: …`) on every event.
//!
//! Automation's own changes never start another pass, so no chain of rules can be endless.

pub mod api;
pub mod responses;
pub mod routing;
pub mod rules;
pub mod scope;

use deskbell_domain::automation::Trigger;
use deskbell_store::tickets::{Article, Ticket};
use deskbell_store::{StoreError, Tx, automation, settings};
use jiff::Timestamp;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::auth::Actor;
use crate::error::ApiError;

/// A product and its team as the ticket service read them while checking a new ticket, so
/// routing need not read them again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KnownProduct {
    pub id: i64,
    pub team_id: Option<i64>,
}

/// A new ticket: the scope rules first (they may answer and end it), then the rules, then
/// routing (which respects an assignee a rule or the caller chose).
pub fn after_create(
    tx: &mut Tx<'_>,
    t: Ticket,
    first: &Article,
    actor: &Actor,
    product: Option<KnownProduct>,
    now: Timestamp,
) -> Result<Ticket, ApiError> {
    let (values, active_rules) = automation::settings_and_active_rules(tx, &[ROUTING_KEY, SCOPE_KEY])?;
    let mut values = values.into_iter();
    let routing: RoutingSettings = parse(ROUTING_KEY, values.next().flatten());
    let scope: ScopeSettings = parse(SCOPE_KEY, values.next().flatten());
    let t = scope::on_create(tx, t, first, actor, &scope, now)?;
    let t = if active_rules > 0 { rules::run(tx, t, Trigger::Created, Some(first), now)? } else { t };
    routing::route(tx, t, &routing, product, now)
}

/// The vendor side changed a ticket.
pub fn after_update(tx: &mut Tx<'_>, t: Ticket, now: Timestamp) -> Result<Ticket, ApiError> {
    rules::run(tx, t, Trigger::Updated, None, now)
}

/// The customer wrote.
pub fn after_customer_reply(tx: &mut Tx<'_>, t: Ticket, a: &Article, now: Timestamp) -> Result<Ticket, ApiError> {
    rules::run(tx, t, Trigger::CustomerReplied, Some(a), now)
}

/// How new tickets are routed (admin settings, key `routing`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RoutingSettings {
    /// Off: new tickets stay unassigned unless a rule or the caller assigns them.
    pub enabled: bool,
    /// Assign a person (round robin); off: only the team is set.
    pub round_robin: bool,
    /// Skip agents outside their working hours (agents without working hours always count
    /// as on shift; someone on call counts as on shift).
    pub respect_working_hours: bool,
    /// Skip agents with an absence now.
    pub respect_absences: bool,
    /// A new critical ticket notifies the whole team and account team at once.
    pub notify_team_on_critical: bool,
}

impl Default for RoutingSettings {
    fn default() -> Self {
        RoutingSettings {
            enabled: true,
            round_robin: true,
            respect_working_hours: true,
            respect_absences: true,
            notify_team_on_critical: true,
        }
    }
}

/// The seed's scope rules (DESIGN §2), on by default (admin settings, key `scope`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ScopeSettings {
    /// Requests matching an out-of-scope phrase get the local-IT answer and end redirected
    /// (critical ones only get a note for the agent: a wrong redirect of an outage costs most).
    pub out_of_scope: bool,
    /// The phrases; empty: the built-in Polish and English list.
    pub out_of_scope_phrases: Vec<String>,
    /// A development proposal taken by phone waits for the customer's written request.
    pub written_confirmation: bool,
    /// A training request is answered with the training catalogue.
    pub training_catalogue: bool,
}

impl Default for ScopeSettings {
    fn default() -> Self {
        ScopeSettings {
            out_of_scope: true,
            out_of_scope_phrases: Vec::new(),
            written_confirmation: true,
            training_catalogue: true,
        }
    }
}

pub const ROUTING_KEY: &str = "routing";
pub const SCOPE_KEY: &str = "scope";
/// The public address the help centre links in automatic answers; `serve` records it.
pub const BASE_URL_KEY: &str = "base_url";

/// A settings value stored as JSON; the default when absent or unreadable (an unreadable
/// value is logged: settings are written only through the checked API).
pub fn load<T: DeserializeOwned + Default>(tx: &mut Tx<'_>, key: &str) -> Result<T, StoreError> {
    Ok(parse(key, settings::get(tx, key)?))
}

fn parse<T: DeserializeOwned + Default>(key: &str, json: Option<String>) -> T {
    match json {
        Some(json) => serde_json::from_str(&json).unwrap_or_else(|e| {
            tracing::error!(key, error = %e, "stored settings are unreadable; using the defaults");
            T::default()
        }),
        None => T::default(),
    }
}

pub fn store<T: Serialize>(tx: &mut Tx<'_>, key: &str, value: &T) -> Result<(), ApiError> {
    let json = serde_json::to_string(value).map_err(ApiError::internal)?;
    Ok(settings::set(tx, key, &json)?)
}

/// Whether `now` is inside the support department's business hours.
pub fn inside_business_hours(now: Timestamp) -> bool {
    crate::sla::watch::office_hours().is_some_and(|c| c.is_open(now))
}
