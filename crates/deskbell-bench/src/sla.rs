//! `deskbell-bench sla`: the SLA figures of issue 3, in process against the real store.
//!
//! 1. **Calendar edit**: `--tickets` open tickets (two running clocks each) on one calendar,
//!    created through the ticket service; then one edit of that calendar, which appends a
//!    `calendar_change` event to every open clock in one transaction. Target ≤ 10 s at
//!    100,000 tickets.
//! 2. **Breach latency**: tickets with 20 s / 30 s targets on a 24/7 contract are created at
//!    `--rate` writes per second for `--seconds`, while the SLA watch runs every second as it
//!    does in `serve`; afterwards each alert's firing time is compared with its instant.
//!    Target p99 ≤ 5 s at 100 writes/s.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use deskbell_domain::person::{Language, Role};
use deskbell_domain::sla::CalendarSpec;
use deskbell_domain::sla::penalty::OverrunBasis;
use deskbell_domain::ticket::{Kind, Priority};
use deskbell_server::auth::{Actor, Via};
use deskbell_server::sla::{admin::edit_calendar, watch};
use deskbell_server::tickets::service::{self, Limits, NewTicket};
use deskbell_store::orgs::{self, OrganisationInput};
use deskbell_store::people::{self, PersonInput};
use deskbell_store::sla::{self as store_sla, ContractInput, Target};
use deskbell_store::testing::{Backend, TestDb};
use deskbell_store::{Store, StoreError, StoreOptions, Tx};
use jiff::Timestamp;

type Failure = Box<dyn std::error::Error>;

#[derive(clap::Args, Debug, Clone)]
pub struct SlaArgs {
    /// `sqlite` or `postgres`.
    #[arg(long, default_value = "sqlite")]
    backend: String,
    /// Open tickets on the edited calendar.
    #[arg(long, default_value_t = 100_000)]
    tickets: usize,
    /// Ticket writes per second during the breach-latency run.
    #[arg(long, default_value_t = 100)]
    rate: u64,
    /// Length of the breach-latency run, in seconds.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
}

fn err(e: impl std::fmt::Display) -> Failure {
    e.to_string().into()
}

struct World {
    agent: Actor,
    requester: i64,
    product_business: i64,
    product_24x7: i64,
    calendar: i64,
}

fn business_spec(end: &str) -> CalendarSpec {
    let mut spec = CalendarSpec::builtin("pl-business-08-20").unwrap_or_else(|_| unreachable_spec());
    spec.intervals[0].end = end.to_owned();
    spec
}

fn unreachable_spec() -> CalendarSpec {
    CalendarSpec {
        time_zone: "Europe/Warsaw".into(),
        holidays: None,
        always_open: true,
        closed_dates: Vec::new(),
        intervals: Vec::new(),
    }
}

fn target(priority: Priority, first: i64, resolution: i64, calendar: Option<i64>) -> Target {
    Target {
        priority,
        first_response_secs: Some(first),
        resolution_secs: Some(resolution),
        calendar_id: calendar,
        penalty: None,
    }
}

fn seed(tx: &mut Tx<'_>, now: Timestamp) -> Result<World, StoreError> {
    let org = orgs::create(
        tx,
        &OrganisationInput {
            name: "Hotel Benchmark".into(),
            time_zone: "Europe/Warsaw".into(),
            active: true,
            ..Default::default()
        },
        now,
    )?
    .id;
    let person = |tx: &mut Tx<'_>, email: &str, role, org| {
        let input = PersonInput {
            email: email.parse().map_err(|e| StoreError::Db(format!("{e}")))?,
            name: email.into(),
            role,
            organisation_id: org,
            phone: None,
            language: Language::Pl,
            active: true,
        };
        people::create(tx, &input, None, now)
    };
    let requester = person(tx, "recepcja@bench.test", Role::CustomerUser, Some(org))?.id;
    let agent = person(tx, "agent@bench.test", Role::Agent, None)?;
    let product_business = orgs::save_product(tx, None, "pms", "PremiumHotel", None, now)?.id;
    let product_24x7 = orgs::save_product(tx, None, "spa", "Kuracjusz", None, now)?.id;
    let calendar = store_sla::create_calendar(tx, "bench 08-20", &business_spec("20:00"), None, now)?.id;
    let contract = |product, calendar, targets| ContractInput {
        organisation_id: org,
        name: "bench".into(),
        valid_from: "2000-01-01".into(),
        valid_to: None,
        product_ids: vec![product],
        calendar_id: calendar,
        warning_percent: 80,
        monthly_fee_minor: 0,
        penalty_basis: OverrunBasis::Business,
        penalty_cap_minor: None,
        targets,
    };
    store_sla::create_contract(
        tx,
        &contract(product_business, calendar, vec![target(Priority::Standard, 4 * 3600, 24 * 3600, None)]),
        now,
    )?;
    let always = store_sla::calendar_by_name(tx, "24x7")?.id;
    store_sla::create_contract(
        tx,
        &contract(product_24x7, always, vec![target(Priority::Critical, 20, 30, None)]),
        now,
    )?;
    let agent = Actor::load(tx, agent, Via::Token { scopes: vec!["write".into()] })?;
    Ok(World { agent, requester, product_business, product_24x7, calendar })
}

fn ticket(w: &World, product: i64, priority: Priority, i: usize) -> NewTicket {
    NewTicket {
        subject: format!("Zgłoszenie {i}"),
        body: "Nie działa drukowanie paragonów".into(),
        organisation_id: None,
        requester_id: Some(w.requester),
        cc: Vec::new(),
        channel: None,
        kind: Kind::Incident,
        priority,
        product_id: Some(product),
        module: None,
        installation_id: None,
        assignee_id: None,
        team_id: None,
        tags: Vec::new(),
        local_it_checks: None,
        attachments: Vec::new(),
        call: None,
    }
}

const LIMITS: Limits = Limits { attachment_max_bytes: 1 << 20, reopen_days: 7 };

fn to_store(e: deskbell_server::error::ApiError) -> StoreError {
    StoreError::Db(format!("{}: {}", e.code, e.message))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub fn run(args: &SlaArgs) -> Result<(), Failure> {
    let backend = match args.backend.as_str() {
        "sqlite" => Backend::Sqlite,
        "postgres" => Backend::Postgres,
        other => return Err(format!("unknown backend `{other}`").into()),
    };
    let db = TestDb::new(backend).ok_or("PostgreSQL is unreachable")?;
    let store = Store::open(&db.url, &StoreOptions { pool_size: 8 }).map_err(err)?;
    store.migrate().map_err(err)?;
    let start = Timestamp::now();
    let world = store.write(|tx| seed(tx, start)).map_err(err)?;

    // 1. Open tickets on the calendar, then one edit.
    let t0 = Instant::now();
    for chunk in (0..args.tickets).collect::<Vec<_>>().chunks(1000) {
        store
            .write(|tx| {
                for &i in chunk {
                    service::create(
                        tx,
                        &world.agent,
                        ticket(&world, world.product_business, Priority::Standard, i),
                        LIMITS,
                        Timestamp::now(),
                    )
                    .map_err(to_store)?;
                }
                Ok::<_, StoreError>(())
            })
            .map_err(err)?;
    }
    let created = t0.elapsed();
    let clocks = store
        .read(|tx| tx.query_one("SELECT COUNT(*) FROM ticket_clocks WHERE state = 'running'", &[])?.i64(0))
        .map_err(err)?;
    let t1 = Instant::now();
    let agent_id = world.agent.id();
    store
        .write(|tx| {
            edit_calendar(tx, world.calendar, &business_spec("18:00"), None, agent_id, Timestamp::now())
                .map(|_| ())
                .map_err(to_store)
        })
        .map_err(err)?;
    let edit = t1.elapsed();
    let changed = store
        .read(|tx| tx.query_one("SELECT COUNT(*) FROM clock_events WHERE kind LIKE '%calendar_change%'", &[])?.i64(0))
        .map_err(err)?;

    // 2. Breach latency under a steady stream of writes, the watch running every second.
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let store = store.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let next = Instant::now() + Duration::from_secs(1);
                if let Err(e) = watch::run_once(&store, Timestamp::now()) {
                    eprintln!("watch pass failed: {e}");
                }
                std::thread::sleep(next.saturating_duration_since(Instant::now()));
            }
        })
    };
    let interval = Duration::from_secs_f64(1.0 / args.rate.max(1) as f64);
    let t2 = Instant::now();
    let mut written = 0usize;
    while t2.elapsed() < Duration::from_secs(args.seconds) {
        let due = t2 + interval * u32::try_from(written).unwrap_or(u32::MAX);
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        store
            .write(|tx| {
                service::create(
                    tx,
                    &world.agent,
                    ticket(&world, world.product_24x7, Priority::Critical, written),
                    LIMITS,
                    Timestamp::now(),
                )
                .map_err(to_store)
                .map(|_| ())
            })
            .map_err(err)?;
        written += 1;
    }
    let achieved = written as f64 / t2.elapsed().as_secs_f64();
    // Let the last tickets' 30 s targets pass, and the watch fire them.
    std::thread::sleep(Duration::from_secs(33));
    stop.store(true, Ordering::Relaxed);
    watcher.join().map_err(|_| "the watch thread panicked")?;
    let delays = store
        .read(|tx| {
            let rows = tx.query(
                "SELECT c.warning_at, c.warning_fired_at, c.breach_at, c.breach_fired_at FROM ticket_clocks c \
                 JOIN tickets t ON t.id = c.ticket_id WHERE t.product_id = $1",
                deskbell_store::params![world.product_24x7],
            )?;
            let mut delays = Vec::new();
            let mut unfired = 0;
            for r in rows {
                for (at, fired) in [(r.opt_time(0)?, r.opt_time(1)?), (r.opt_time(2)?, r.opt_time(3)?)] {
                    match (at, fired) {
                        (Some(a), Some(f)) => delays.push((f.as_microsecond() - a.as_microsecond()) as f64 / 1e6),
                        (Some(_), None) => unfired += 1,
                        _ => {}
                    }
                }
            }
            Ok::<_, StoreError>((delays, unfired))
        })
        .map_err(err)?;
    let (mut delays, unfired) = delays;
    delays.sort_by(f64::total_cmp);

    let verdict = |ok: bool| if ok { "PASS" } else { "MISS" };
    println!("SLA — {} — {} open tickets", args.backend, args.tickets);
    println!(
        "  tickets with clocks created           {:.0}/s ({} running clocks)",
        args.tickets as f64 / created.as_secs_f64(),
        clocks
    );
    println!(
        "  calendar edit reaching every clock    {:.2} s for {} clocks          ≤ 10 s   {}",
        edit.as_secs_f64(),
        changed,
        verdict(edit.as_secs_f64() <= 10.0)
    );
    let p99 = percentile(&delays, 0.99);
    println!(
        "  alert latency p50 / p99 / max         {:.2} / {:.2} / {:.2} s at {:.0} writes/s ({} alerts, {} not fired)   p99 ≤ 5 s   {}",
        percentile(&delays, 0.5),
        p99,
        delays.last().copied().unwrap_or(f64::NAN),
        achieved,
        delays.len(),
        unfired,
        verdict(p99 <= 5.0 && unfired == 0)
    );
    drop(store);
    drop(db);
    Ok(())
}
