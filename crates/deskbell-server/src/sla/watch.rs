//! The SLA watch: fires each warning and breach once, within about a second of its instant,
//! on however many instances share the database.
//!
//! Deadlines are stored, indexed columns of `ticket_clocks`, so a pass is two index range
//! reads, never a scan of tickets. Each alert is claimed by a conditional update in the same
//! transaction as its history event and notifications: the instance whose update changes the
//! row fires it, every other finds it taken. Alerts that fell due while deskbell was down are
//! simply due at the first pass after start. Each notification is also mailed to its person
//! when a mailbox can send.

use std::sync::OnceLock;
use std::time::Duration;

use deskbell_domain::sla::Calendar;
use deskbell_domain::ticket::Priority;

use deskbell_store::events::{self, NewEvent};
use deskbell_store::sla::{self, Alert, DueAlert};
use deskbell_store::tickets::{self, Ticket};
use deskbell_store::{Store, StoreError, Tx, orgs};
use jiff::Timestamp;

use crate::state::AppState;

/// Alerts handled per transaction batch of a pass.
const PASS_LIMIT: usize = 200;

/// The support department's own hours: outside them, a critical ticket's alerts also go to
/// whoever is on call.
const OFFICE_HOURS: &str = "pl-business-08-20";

pub(crate) fn office_hours() -> Option<&'static Calendar> {
    static OFFICE: OnceLock<Option<Calendar>> = OnceLock::new();
    OFFICE.get_or_init(|| Calendar::builtin(OFFICE_HOURS).ok()).as_ref()
}

/// Who hears about an alert: the assignee and the ticket's team, and for a critical ticket
/// outside the department's hours the people on call (DESIGN §3).
fn recipients(tx: &mut Tx<'_>, t: &Ticket, now: Timestamp) -> Result<Vec<i64>, StoreError> {
    let mut out: Vec<i64> = t.assignee_id.into_iter().collect();
    let add = |out: &mut Vec<i64>, p: i64| {
        if !out.contains(&p) {
            out.push(p);
        }
    };
    if let Some(team) = t.team_id {
        for m in orgs::team(tx, team)?.members {
            add(&mut out, m);
        }
    }
    if t.priority == Priority::Critical && office_hours().is_none_or(|c| !c.is_open(now)) {
        for p in sla::on_call(tx, t.team_id, now)? {
            add(&mut out, p);
        }
    }
    Ok(out)
}

fn fire(tx: &mut Tx<'_>, a: &DueAlert, now: Timestamp) -> Result<bool, StoreError> {
    if !sla::claim_alert(tx, a, now)? {
        return Ok(false);
    }
    let t = tickets::by_id(tx, a.ticket_id)?;
    let metric = sla::metric_str(a.metric);
    let what = match a.alert {
        Alert::Warning => "approaching its SLA target",
        Alert::Breach => "past its SLA target",
    };
    let message = format!("#{} {}: {} ({})", t.number, t.subject, what, metric.replace('_', " "));
    events::append(
        tx,
        t.id,
        None,
        now,
        &NewEvent {
            kind: a.alert.as_str(),
            field: Some(metric),
            old_value: None,
            new_value: Some(a.at.to_string()),
            reason: None,
        },
    )?;
    for person in recipients(tx, &t, now)? {
        sla::notify(tx, person, t.id, a.alert.as_str(), &message, now)?;
        crate::mail::outbox::sla_alert(tx, &t, person, a.alert == Alert::Breach, &message, now)?;
    }
    Ok(true)
}

/// One pass: moves open clocks to scheduled calendar versions whose instant has come (their
/// deadlines may move), then fires every alert due at `now`. Returns how many alerts this
/// call fired. Tests step the watch with this and an injected time.
pub fn run_once(store: &Store, now: Timestamp) -> Result<usize, StoreError> {
    match crate::sla::clocks::apply_due_versions(store, now) {
        Ok(0) => {}
        Ok(n) => tracing::info!(versions = n, "scheduled calendar versions in force"),
        Err(e) => tracing::error!(error = %e.message, "cannot apply a scheduled calendar version"),
    }
    let mut fired = 0;
    loop {
        let due = store.read(|tx| sla::due_alerts(tx, now, PASS_LIMIT))?;
        if due.is_empty() {
            return Ok(fired);
        }
        let batch = due.len();
        let mut claimed_here = 0;
        for a in &due {
            // One transaction per alert: one ticket's trouble never holds back the others.
            match store.write(|tx| fire(tx, a, now)) {
                Ok(true) => claimed_here += 1,
                Ok(false) => {}
                Err(e) => tracing::error!(ticket = a.ticket_id, error = %e, "cannot fire an SLA alert"),
            }
        }
        fired += claimed_here;
        if batch < PASS_LIMIT {
            return Ok(fired);
        }
        if claimed_here == 0 {
            // Everything listed was taken by another instance or failed; the next pass retries.
            return Ok(fired);
        }
    }
}

/// Fires every alert due by `until` as if the watch had been running all along: each at its
/// own instant, so its history event and notifications are dated then. For loading history
/// (the demo's months of tickets), which would otherwise all alert at the first pass.
pub fn fire_history(store: &Store, until: Timestamp) -> Result<usize, StoreError> {
    let mut fired = 0;
    loop {
        let due = store.read(|tx| sla::due_alerts(tx, until, PASS_LIMIT))?;
        if due.is_empty() {
            return Ok(fired);
        }
        for a in &due {
            fired += usize::from(store.write(|tx| fire(tx, a, a.at))?);
        }
    }
}

/// Runs the watch every second until `stop` turns true.
pub async fn run(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut tick = crate::jobs::every(Duration::from_secs(1));
    while crate::jobs::next_tick(&mut tick, &mut stop).await {
        let store = state.store.clone();
        let now = state.now();
        match tokio::task::spawn_blocking(move || run_once(&store, now)).await {
            Ok(Ok(n)) if n > 0 => tracing::info!(fired = n, "SLA alerts fired"),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "SLA watch pass failed; retrying"),
            Err(e) => tracing::error!(error = %e, "SLA watch pass panicked"),
        }
    }
}
