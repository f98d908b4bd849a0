//! The queues: mine, my team, unassigned, all open, at risk, waiting for customer; sorted by
//! the nearest SLA deadline by default, filtered, searchable, refreshed every few seconds.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use deskbell_domain::ticket::{Channel, Kind, Priority, Status};
use deskbell_store::orgs::Product;
use deskbell_store::people::Person;
use deskbell_store::tickets::{self, AssigneeFilter, AtRisk, Filter, Sort};
use deskbell_store::{orgs, people, sla};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

use super::{Badge, badge, headline_clock};
use crate::error::ApiError;
use crate::state::AppState;
use crate::tickets::api::{decode_cursor, encode_cursor};
use crate::web::ctx::{Ctx, PageResult, html};
use crate::web::i18n::{Catalogue, datetime, time_zone};

/// How far ahead a deadline puts a ticket in the at-risk queue (besides every clock already
/// past its warning): a fresh critical ticket (15 minutes to the first response) is at risk
/// from the moment it arrives.
const AT_RISK_HORIZON: SignedDuration = SignedDuration::from_hours(1);

/// How often an open queue asks for changes.
pub const REFRESH_SECS: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    Mine,
    Team,
    Unassigned,
    Open,
    AtRisk,
    Waiting,
}

impl Queue {
    const ALL: [Queue; 6] = [Queue::Mine, Queue::Team, Queue::Unassigned, Queue::Open, Queue::AtRisk, Queue::Waiting];

    fn parse(s: &str) -> Option<Queue> {
        Some(match s {
            "" | "open" => Queue::Open,
            "mine" => Queue::Mine,
            "team" => Queue::Team,
            "unassigned" => Queue::Unassigned,
            "at_risk" => Queue::AtRisk,
            "waiting" => Queue::Waiting,
            _ => return None,
        })
    }

    fn key(self) -> &'static str {
        match self {
            Queue::Mine => "mine",
            Queue::Team => "team",
            Queue::Unassigned => "unassigned",
            Queue::Open => "open",
            Queue::AtRisk => "at_risk",
            Queue::Waiting => "waiting",
        }
    }

    fn label(self, t: &Catalogue) -> &'static str {
        match self {
            Queue::Mine => t.queue_mine,
            Queue::Team => t.queue_team,
            Queue::Unassigned => t.queue_unassigned,
            Queue::Open => t.queue_open,
            Queue::AtRisk => t.queue_at_risk,
            Queue::Waiting => t.queue_waiting,
        }
    }
}

/// The query string of a queue page; every field is text so the filter form shows it back.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    pub queue: String,
    pub org: String,
    pub priority: String,
    pub status: String,
    pub product: String,
    pub channel: String,
    pub kind: String,
    pub assignee: String,
    pub q: String,
    pub sort: String,
    pub cursor: String,
    /// Microseconds: rows changed after it are marked as fresh (the previous refresh).
    pub since: String,
}

impl QueueQuery {
    /// The filters as a query string (without paging), for links and the refresh.
    fn query_string(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("queue", &self.queue),
            ("org", &self.org),
            ("priority", &self.priority),
            ("status", &self.status),
            ("product", &self.product),
            ("channel", &self.channel),
            ("kind", &self.kind),
            ("assignee", &self.assignee),
            ("q", &self.q),
            ("sort", &self.sort),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k, v.as_str()))
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

pub struct Row {
    pub number: i64,
    pub subject: String,
    pub organisation: String,
    pub requester: String,
    pub assignee: Option<String>,
    pub priority: Priority,
    pub status: Status,
    pub kind: Kind,
    pub channel: Channel,
    pub updated: String,
    pub clock: Option<Badge>,
    pub fresh: bool,
}

pub struct Table {
    pub rows: Vec<Row>,
    pub next: Option<String>,
    /// The refresh URL; `None` on later pages (they would jump under the reader).
    pub refresh: Option<String>,
    pub query: String,
}

#[derive(Template)]
#[template(path = "agent/queue.html")]
struct QueuePage<'a> {
    c: &'a Ctx,
    section: &'a str,
    queue: Queue,
    queues: Vec<(Queue, &'static str, bool)>,
    q: &'a QueueQuery,
    table: Table,
    products: Vec<Product>,
    staff: Vec<Person>,
    refresh_secs: u32,
}

#[derive(Template)]
#[template(path = "agent/queue_table.html")]
struct QueueTable<'a> {
    c: &'a Ctx,
    table: Table,
    refresh_secs: u32,
}

fn bad(field: &str, message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", message).with_field(field)
}

fn parse_opt<T: std::str::FromStr>(field: &str, raw: &str) -> Result<Option<T>, ApiError>
where
    T::Err: std::fmt::Display,
{
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse().map(Some).map_err(|e: T::Err| bad(field, e.to_string()))
}

struct Loaded {
    table: Table,
    products: Vec<Product>,
    staff: Vec<Person>,
}

/// Runs the queue's query and everything its rows show, in one read transaction.
fn load(
    tx: &mut deskbell_store::Tx<'_>,
    c: &Ctx,
    queue: Queue,
    q: &QueueQuery,
    with_choices: bool,
) -> Result<Loaded, ApiError> {
    let actor = c.vendor().map_err(|e| e.0)?.clone();
    let now = c.now;
    let open = vec![Status::New, Status::Open, Status::WaitingForCustomer];
    let statuses = match parse_opt::<Status>("status", &q.status)? {
        Some(s) => vec![s],
        None if queue == Queue::Waiting => vec![Status::WaitingForCustomer],
        None => open,
    };
    let mut f = Filter {
        statuses,
        priorities: parse_opt::<Priority>("priority", &q.priority)?.into_iter().collect(),
        kinds: parse_opt::<Kind>("kind", &q.kind)?.into_iter().collect(),
        channels: parse_opt::<Channel>("channel", &q.channel)?.into_iter().collect(),
        product_id: parse_opt::<i64>("product", &q.product)?,
        q: Some(q.q.trim().to_owned()).filter(|s| !s.is_empty()),
        sort: match q.sort.as_str() {
            "" => Sort::Deadline,
            s => Sort::parse(s).ok_or_else(|| bad("sort", format!("unknown sort `{s}`")))?,
        },
        after: Some(q.cursor.as_str()).filter(|s| !s.is_empty()).map(decode_cursor).transpose()?,
        limit: 50,
        ..Filter::default()
    };
    match q.assignee.trim() {
        "" => {}
        "none" => f.assignee = Some(AssigneeFilter::Unassigned),
        s => f.assignee = Some(AssigneeFilter::Person(s.parse().map_err(|_| bad("assignee", "a person".into()))?)),
    }
    match queue {
        Queue::Mine => f.assignee = Some(AssigneeFilter::Person(actor.id())),
        Queue::Unassigned => f.assignee = Some(AssigneeFilter::Unassigned),
        Queue::Team => {
            let mine: Vec<i64> =
                orgs::teams(tx)?.into_iter().filter(|t| t.members.contains(&actor.id())).map(|t| t.id).collect();
            if mine.is_empty() {
                // No team: an empty queue, not every ticket.
                f.team_ids = vec![-1];
            } else {
                f.team_ids = mine;
            }
        }
        Queue::AtRisk => {
            let horizon = now.checked_add(AT_RISK_HORIZON).map_err(ApiError::internal)?;
            f.at_risk = Some(AtRisk { now, horizon });
        }
        Queue::Open | Queue::Waiting => {}
    }
    if !q.org.trim().is_empty() {
        let found = orgs::find(tx, q.org.trim(), 50)?;
        f.organisation_ids = found.iter().map(|o| o.id).collect();
        if f.organisation_ids.is_empty() {
            f.organisation_ids = vec![-1];
        }
    }
    let page = tickets::list(tx, &actor.scope, &f)?;
    let ids: Vec<i64> = page.items.iter().map(|t| t.id).collect();
    let clocks = sla::running_clocks_for(tx, &ids)?;
    let org_ids: Vec<i64> = page.items.iter().map(|t| t.organisation_id).collect();
    let org_names = orgs::names(tx, &org_ids)?;
    let zones = orgs::time_zones(tx, &org_ids)?;
    let person_ids: Vec<i64> =
        page.items.iter().flat_map(|t| [Some(t.requester_id), t.assignee_id]).flatten().collect();
    let person_names = people::names(tx, &person_ids)?;
    let since = q.since.parse::<i64>().ok().and_then(|m| Timestamp::from_microsecond(m).ok());
    let mut by_ticket: HashMap<i64, Vec<&deskbell_store::sla::ClockRow>> = HashMap::new();
    for clock in &clocks {
        by_ticket.entry(clock.ticket_id).or_default().push(clock);
    }
    let rows = page
        .items
        .iter()
        .map(|t| {
            let tz = time_zone(zones.get(&t.organisation_id).map_or("Europe/Warsaw", String::as_str));
            let clock = by_ticket
                .get(&t.id)
                .and_then(|cs| headline_clock(cs.iter().copied()))
                .and_then(|cr| badge(c.t, c.lang, cr, now, &tz));
            Row {
                number: t.number,
                subject: t.subject.clone(),
                organisation: org_names.get(&t.organisation_id).cloned().unwrap_or_default(),
                requester: person_names.get(&t.requester_id).cloned().unwrap_or_default(),
                assignee: t.assignee_id.and_then(|a| person_names.get(&a).cloned()),
                priority: t.priority,
                status: t.status,
                kind: t.kind,
                channel: t.channel,
                updated: datetime(c.lang, t.updated_at, &tz),
                clock,
                fresh: since.is_some_and(|s| t.updated_at > s),
            }
        })
        .collect();
    let query = q.query_string();
    let refresh = q.cursor.is_empty().then(|| {
        let sep = if query.is_empty() { "" } else { "&" };
        format!("/agent/queue/rows?{query}{sep}since={}", now.as_microsecond())
    });
    let (products, staff) =
        if with_choices { (orgs::products(tx)?, people::staff(tx)?) } else { (Vec::new(), Vec::new()) };
    Ok(Loaded { table: Table { rows, next: page.next.map(encode_cursor), refresh, query }, products, staff })
}

pub async fn page(State(state): State<AppState>, c: Ctx, Query(q): Query<QueueQuery>) -> PageResult {
    c.vendor()?;
    let queue = Queue::parse(&q.queue).ok_or_else(|| bad("queue", format!("unknown queue `{}`", q.queue)))?;
    let (cc, qq) = (c.clone(), q.clone());
    let loaded = state.read(move |tx| load(tx, &cc, queue, &qq, true)).await?;
    let queues = Queue::ALL.iter().map(|&k| (k, k.label(c.t), k == queue)).collect();
    html(&QueuePage {
        c: &c,
        section: "queues",
        queue,
        queues,
        q: &q,
        table: loaded.table,
        products: loaded.products,
        staff: loaded.staff,
        refresh_secs: REFRESH_SECS,
    })
}

/// The table alone, for the refresh every few seconds.
pub async fn rows(State(state): State<AppState>, c: Ctx, Query(q): Query<QueueQuery>) -> PageResult {
    c.vendor()?;
    let queue = Queue::parse(&q.queue).ok_or_else(|| bad("queue", format!("unknown queue `{}`", q.queue)))?;
    let (cc, qq) = (c.clone(), q.clone());
    let loaded = state.read(move |tx| load(tx, &cc, queue, &qq, false)).await?;
    html(&QueueTable { c: &c, table: loaded.table, refresh_secs: REFRESH_SECS })
}
