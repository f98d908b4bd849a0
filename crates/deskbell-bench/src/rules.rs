//! `deskbell-bench rules`: the rule storm of issue 7, in process against the real store.
//!
//! 50 active rules, among them pairs that undo each other (fault ⇄ standard, tag a ⇄ tag b),
//! which would ping-pong for ever if a rule's change started another pass. Then `--tickets`
//! tickets arrive, each in its own transaction through the ticket service, as hotel staff
//! write them: created (rules on `created`, scope rules, routing), answered by the customer
//! (`customer_replied`) and changed by an agent (`updated`). The same tickets are first run
//! with no rules, so the rules' own cost shows. Printed: time per ticket change (p50, p99),
//! total, rule firings per pass (the maximum can never exceed the number of rules), and
//! the check that every pass ended.

use std::time::Instant;

use deskbell_domain::article::ArticleKind;
use deskbell_domain::automation::RuleDef;
use deskbell_domain::person::{Language, Role};
use deskbell_domain::ticket::{Kind, Priority};
use deskbell_server::auth::{Actor, Via};
use deskbell_server::automation::api::{RuleBody, save_rule};
use deskbell_server::tickets::service::{self, Limits, NewArticle, NewTicket, TicketChanges};
use deskbell_store::automation::{self, ResponseInput};
use deskbell_store::orgs::{self, OrganisationInput};
use deskbell_store::people::{self, PersonInput};
use deskbell_store::testing::{Backend, TestDb};
use deskbell_store::{Store, StoreError, StoreOptions, Tx};
use jiff::Timestamp;
use serde_json::json;

type Failure = Box<dyn std::error::Error>;

#[derive(clap::Args, Debug, Clone)]
pub struct RulesArgs {
    /// `sqlite`, `postgres` or `both`.
    #[arg(long, default_value = "both")]
    backend: String,
    #[arg(long, default_value_t = 1000)]
    tickets: usize,
    #[arg(long, default_value_t = 50)]
    rules: usize,
}

const LIMITS: Limits = Limits { attachment_max_bytes: 1 << 20, reopen_days: 7 };

fn err(e: impl std::fmt::Display) -> Failure {
    e.to_string().into()
}

fn to_store(e: deskbell_server::error::ApiError) -> StoreError {
    StoreError::Db(format!("{}: {}", e.code, e.message))
}

struct World {
    admin: Actor,
    agent: Actor,
    customers: Vec<Actor>,
    orgs: Vec<i64>,
    products: Vec<i64>,
    agents: Vec<i64>,
    team: i64,
    response: i64,
}

fn seed(tx: &mut Tx<'_>, now: Timestamp) -> Result<World, StoreError> {
    let person = |tx: &mut Tx<'_>, email: String, role, org| {
        let input = PersonInput {
            email: email.parse().map_err(|e| StoreError::Db(format!("{e}")))?,
            name: email.clone(),
            role,
            organisation_id: org,
            phone: None,
            language: Language::Pl,
            active: true,
        };
        people::create(tx, &input, None, now)
    };
    let admin = person(tx, "admin@bench.test".into(), Role::Admin, None)?;
    let mut agents = Vec::new();
    for i in 0..10 {
        agents.push(person(tx, format!("agent{i}@bench.test"), Role::Agent, None)?.id);
    }
    let team = orgs::save_team(tx, None, "Zespół", &agents, now)?.id;
    let products = vec![
        orgs::save_product(tx, None, "pms", "PremiumHotel", Some(team), now)?.id,
        orgs::save_product(tx, None, "spa", "Kuracjusz", Some(team), now)?.id,
        orgs::save_product(tx, None, "pos", "Kasa", None, now)?.id,
    ];
    let mut orgs_ = Vec::new();
    let mut customers = Vec::new();
    for i in 0..20 {
        let org = orgs::create(
            tx,
            &OrganisationInput {
                name: format!("Hotel {i}"),
                time_zone: "Europe/Warsaw".into(),
                active: true,
                mail_domains: vec![format!("hotel{i}.test")],
                account_team: if i % 2 == 0 { vec![agents[i % 10], agents[(i + 3) % 10]] } else { vec![] },
                ..Default::default()
            },
            now,
        )?
        .id;
        orgs_.push(org);
        let p = person(tx, format!("recepcja@hotel{i}.test"), Role::CustomerUser, Some(org))?;
        customers.push(Actor::load(tx, p, Via::Token { scopes: vec!["write".into()] })?);
    }
    let response = automation::save_response(
        tx,
        None,
        &ResponseInput {
            title: "Potwierdzenie".into(),
            body_pl: "Dzień dobry {{person}}, zgłoszenie {{ticket}} ({{product}}) jest w toku.".into(),
            body_en: String::new(),
            active: true,
        },
        now,
    )?
    .id;
    let agent = people::get(tx, agents[0])?;
    Ok(World {
        admin: Actor::load(tx, admin, Via::Token { scopes: vec!["admin".into(), "write".into()] })?,
        agent: Actor::load(tx, agent, Via::Token { scopes: vec!["write".into()] })?,
        customers,
        orgs: orgs_,
        products,
        agents,
        team,
        response,
    })
}

/// 50 rules of every kind; the first four undo each other in pairs.
fn rule_set(w: &World, n: usize) -> Vec<(String, serde_json::Value)> {
    let mut out = vec![
        ("ping fault", json!({"on": ["created", "updated", "customer_replied"], "conditions": [{"field": "priority", "in": ["fault"]}],
            "actions": [{"action": "set_priority", "priority": "standard"}]})),
        ("pong standard", json!({"on": ["created", "updated", "customer_replied"], "conditions": [{"field": "priority", "in": ["standard"]}],
            "actions": [{"action": "set_priority", "priority": "fault"}]})),
        ("tag a → b", json!({"on": ["created", "updated", "customer_replied"], "conditions": [{"field": "tag", "any": ["a"]}],
            "actions": [{"action": "remove_tag", "tag": "a"}, {"action": "add_tag", "tag": "b"}]})),
        ("tag b → a", json!({"on": ["created", "updated", "customer_replied"], "conditions": [{"field": "tag", "any": ["b"]}],
            "actions": [{"action": "remove_tag", "tag": "b"}, {"action": "add_tag", "tag": "a"}]})),
        ("seed tag a", json!({"on": ["created"], "actions": [{"action": "add_tag", "tag": "a"}]})),
    ]
    .into_iter()
    .map(|(name, def)| (name.to_owned(), def))
    .collect::<Vec<_>>();
    let words =
        ["faktur", "paragon", "rezerwac", "meldun", "kasa", "raport", "drukark", "voucher", "karnet", "sprzedaz"];
    let mut i = 0;
    while out.len() < n {
        let word = words[i % words.len()];
        let org = w.orgs[i % w.orgs.len()];
        let product = w.products[i % w.products.len()];
        let agent = w.agents[i % w.agents.len()];
        let def = match i % 9 {
            0 => json!({"on": ["created"], "conditions": [{"field": "text", "contains": [word]}],
                "actions": [{"action": "add_tag", "tag": word}, {"action": "set_team", "team_id": w.team}]}),
            1 => json!({"on": ["created", "updated"], "conditions": [{"field": "organisation", "in": [org]}],
                "actions": [{"action": "add_note", "body": format!("Hotel {i}: sprawdź umowę.")}]}),
            2 => {
                json!({"on": ["created"], "conditions": [{"field": "product", "in": [product]}, {"field": "text", "contains": [word]}],
                "actions": [{"action": "set_priority", "priority": "critical"}, {"action": "notify", "to": "team"}]})
            }
            3 => json!({"on": ["customer_replied"], "conditions": [{"field": "channel", "in": ["api", "portal"]}],
                "actions": [{"action": "add_tag", "tag": format!("odp-{i}")}]}),
            4 => {
                json!({"on": ["created"], "conditions": [{"field": "sender", "matches": [format!("@hotel{}.test", i % 20)]}],
                "actions": [{"action": "assign", "person_id": agent}]})
            }
            5 => {
                json!({"on": ["created"], "conditions": [{"field": "business_hours", "inside": i % 2 == 0}, {"field": "kind", "in": ["incident", "question"]}],
                "actions": [{"action": "send_template", "response_id": w.response}]})
            }
            6 => json!({"on": ["updated"], "conditions": [{"field": "status", "in": ["open", "new"]}],
                "actions": [{"action": "add_tag", "tag": format!("zmiana-{i}")}]}),
            7 => json!({"on": ["created", "updated"], "conditions": [{"field": "priority", "in": ["critical"]}],
                "actions": [{"action": "notify", "to": "account_team"}, {"action": "add_tag", "tag": "pilne"}]}),
            _ => json!({"on": ["created"], "conditions": [{"field": "text", "contains": [word, "nie dziala"]}],
                "actions": [{"action": "set_kind", "kind": "incident"}, {"action": "notify_person", "person_id": agent}]}),
        };
        out.push((format!("rule {i}"), def));
        i += 1;
    }
    out.truncate(n);
    out
}

fn new_ticket(w: &World, i: usize) -> (usize, NewTicket) {
    let words = ["faktury", "paragonu", "rezerwacji", "meldunku", "kasy", "raportu", "vouchera", "karnetu"];
    let who = i % w.customers.len();
    let priority = [Priority::Fault, Priority::Standard, Priority::Critical][i % 3];
    let t = NewTicket {
        subject: format!("Nie działa wystawianie {} nr {i}", words[i % words.len()]),
        body: format!("Od rana nie działa {} w recepcji. Prosimy o pilny kontakt.", words[(i / 3) % words.len()]),
        organisation_id: None,
        requester_id: None,
        cc: Vec::new(),
        channel: None,
        kind: if i.is_multiple_of(5) { Kind::Question } else { Kind::Incident },
        priority,
        product_id: Some(w.products[i % w.products.len()]),
        module: None,
        installation_id: None,
        assignee_id: None,
        team_id: None,
        tags: Vec::new(),
        local_it_checks: Some(service::LocalItChecks {
            other_systems_work: true,
            recent_changes: false,
            network_and_servers_work: true,
            notes: None,
        }),
        attachments: Vec::new(),
        call: None,
    };
    (who, t)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

struct Figures {
    per_change_ms: Vec<f64>,
    total_s: f64,
}

/// Each ticket: created, answered by its customer, changed by an agent; each change its own
/// transaction, timed.
fn storm(store: &Store, w: &World, tickets: usize) -> Result<Figures, Failure> {
    let mut per_change_ms = Vec::with_capacity(tickets * 3);
    let t0 = Instant::now();
    for i in 0..tickets {
        let (who, input) = new_ticket(w, i);
        let customer = &w.customers[who];
        let t = Instant::now();
        let number = store
            .write(|tx| service::create(tx, customer, input, LIMITS, Timestamp::now()).map_err(to_store))
            .map_err(err)?
            .0
            .number;
        per_change_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        store
            .write(|tx| {
                let a = NewArticle {
                    kind: ArticleKind::PublicReply,
                    body: "Dodatkowe informacje: problem dotyczy wszystkich stanowisk.".into(),
                    call: None,
                    mail: None,
                    attachments: Vec::new(),
                };
                service::add_article(tx, customer, number, a, LIMITS, Timestamp::now()).map_err(to_store)
            })
            .map_err(err)?;
        per_change_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        store
            .write(|tx| {
                let current = service::load(tx, &w.agent, number).map_err(to_store)?;
                let changes =
                    TicketChanges { subject: Some(format!("{} (sprawdzone)", current.subject)), ..Default::default() };
                service::update(tx, &w.agent, number, current.version, changes, Timestamp::now()).map_err(to_store)
            })
            .map_err(err)?;
        per_change_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let total_s = t0.elapsed().as_secs_f64();
    per_change_ms.sort_by(f64::total_cmp);
    Ok(Figures { per_change_ms, total_s })
}

fn one(backend: Backend, args: &RulesArgs) -> Result<(), Failure> {
    let db = TestDb::new(backend).ok_or("PostgreSQL is unreachable")?;
    let store = Store::open(&db.url, &StoreOptions { pool_size: 4 }).map_err(err)?;
    store.migrate().map_err(err)?;
    let w = store.write(|tx| seed(tx, Timestamp::now())).map_err(err)?;

    let baseline = storm(&store, &w, args.tickets)?;
    let rules = rule_set(&w, args.rules);
    store
        .write(|tx| {
            for (name, def) in &rules {
                let definition: RuleDef =
                    serde_json::from_value(def.clone()).map_err(|e| StoreError::Db(e.to_string()))?;
                save_rule(
                    tx,
                    &w.admin,
                    None,
                    RuleBody { name: name.clone(), position: None, active: Some(true), definition },
                    Timestamp::now(),
                )
                .map_err(to_store)?;
            }
            Ok::<_, StoreError>(())
        })
        .map_err(err)?;
    let before = store.read(|tx| tx.query_one("SELECT COALESCE(MAX(id), 0) FROM tickets", &[])?.i64(0)).map_err(err)?;
    let with_rules = storm(&store, &w, args.tickets)?;

    // Firings per ticket and pass: a pass is one change; rules fire at most once each in it.
    let (firings, max_in_a_pass, passes) = store
        .read(|tx| {
            let total = tx
                .query_one("SELECT COUNT(*) FROM ticket_events WHERE kind = 'rule_fired' AND ticket_id > $1", deskbell_store::params![before])?
                .i64(0)?;
            let max = tx
                .query_one(
                    "SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM ticket_events WHERE kind = 'rule_fired' \
                     AND ticket_id > $1 GROUP BY ticket_id, at) AS per_pass",
                    deskbell_store::params![before],
                )?
                .i64(0)?;
            let passes = tx
                .query_one(
                    "SELECT COUNT(*) FROM (SELECT DISTINCT ticket_id, at FROM ticket_events WHERE kind = 'rule_fired' \
                     AND ticket_id > $1) AS p",
                    deskbell_store::params![before],
                )?
                .i64(0)?;
            Ok::<_, StoreError>((total, max, passes))
        })
        .map_err(err)?;
    let loops = max_in_a_pass > args.rules as i64;

    let name = match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    println!("\n## rule storm — {name}: {} tickets × 3 changes, {} rules", args.tickets, rules.len());
    println!("| run | total | per change p50 | p99 | max |");
    println!("|---|---|---|---|---|");
    for (label, f) in [("no rules", &baseline), ("50 rules", &with_rules)] {
        println!(
            "| {label} | {:.2} s | {:.2} ms | {:.2} ms | {:.2} ms |",
            f.total_s,
            percentile(&f.per_change_ms, 0.5),
            percentile(&f.per_change_ms, 0.99),
            f.per_change_ms.last().copied().unwrap_or(f64::NAN)
        );
    }
    println!(
        "rule firings: {firings} in {passes} passes ({:.1} per pass), most in one pass: {max_in_a_pass} of {} rules — {}",
        firings as f64 / passes.max(1) as f64,
        rules.len(),
        if loops { "LOOP" } else { "no loop: every pass ended" }
    );
    drop(store);
    if loops { Err("a pass fired more rules than exist".into()) } else { Ok(()) }
}

pub fn run(args: &RulesArgs) -> Result<(), Failure> {
    match args.backend.as_str() {
        "sqlite" => one(Backend::Sqlite, args),
        "postgres" => one(Backend::Postgres, args),
        "both" => {
            one(Backend::Sqlite, args)?;
            one(Backend::Postgres, args)
        }
        other => Err(format!("unknown backend `{other}`").into()),
    }
}
