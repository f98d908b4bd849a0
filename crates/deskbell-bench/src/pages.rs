//! `deskbell-bench pages`: how fast the pages render at 100,000 tickets (issue 5).
//!
//! Builds the world in process through the ticket service (organisations, agents, teams,
//! products under a 24/7 and an office-hours contract, `--tickets` tickets with a realistic
//! status mix, and one ticket with `--articles` articles), serves the real application on a
//! loopback port, logs in through the login form as an agent and as a customer admin, and
//! times sequential GETs of each page from the first byte sent to the last byte read:
//! the queue pages (50 rows, default deadline order, at risk, a filter, a search), the agent's
//! ticket page of the long ticket, and the help centre's list and ticket page.
//! Target: p99 ≤ 50 ms for the queue page and the 200-article ticket page.

use std::sync::Arc;
use std::time::{Duration, Instant};

use deskbell_domain::article::ArticleKind;
use deskbell_domain::person::{Language, Role};
use deskbell_domain::sla::penalty::OverrunBasis;
use deskbell_domain::ticket::{Channel, Kind, Priority, Status};
use deskbell_server::auth::{Actor, Via, hash_password};
use deskbell_server::clock::SystemClock;
use deskbell_server::config::{Config, Secret};
use deskbell_server::state::AppState;
use deskbell_server::tickets::service::{self, Limits, NewArticle, NewTicket, StatusChange};
use deskbell_store::orgs::{self, OrganisationInput};
use deskbell_store::people::{self, PersonInput};
use deskbell_store::sla::{self as store_sla, ContractInput, Target};
use deskbell_store::testing::{Backend, TestDb};
use deskbell_store::{Store, StoreError, StoreOptions, Tx};
use jiff::Timestamp;

use crate::text::Rng;

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[derive(clap::Args, Debug, Clone)]
pub struct PagesArgs {
    /// `sqlite` or `postgres`.
    #[arg(long, default_value = "sqlite")]
    backend: String,
    /// Tickets in the database.
    #[arg(long, default_value_t = 100_000)]
    tickets: usize,
    /// Articles of the long ticket.
    #[arg(long, default_value_t = 200)]
    articles: usize,
    /// Sequential requests per page.
    #[arg(long, default_value_t = 300)]
    requests: usize,
    #[arg(long, default_value_t = 20_261_204)]
    seed: u64,
    /// Measure a database a previous run built (a URL such as `postgres://…/deskbell_t_…`)
    /// instead of building one; the long ticket is the one with the most articles.
    #[arg(long)]
    existing: Option<String>,
}

const LIMITS: Limits = Limits { attachment_max_bytes: 1 << 20, reopen_days: 7 };
const PASSWORD: &str = "benchmark-password";
const ORGS: usize = 300;
const AGENTS: usize = 40;

fn err(e: impl std::fmt::Display) -> Failure {
    e.to_string().into()
}

fn to_store(e: deskbell_server::error::ApiError) -> StoreError {
    StoreError::Db(format!("{}: {}", e.code, e.message))
}

struct World {
    agents: Vec<Actor>,
    customers: Vec<(i64, i64)>,
    products: Vec<i64>,
    teams: Vec<i64>,
}

fn target(priority: Priority, first: i64, resolution: i64) -> Target {
    Target {
        priority,
        first_response_secs: Some(first),
        resolution_secs: Some(resolution),
        calendar_id: None,
        penalty: None,
    }
}

fn seed(tx: &mut Tx<'_>, now: Timestamp) -> Result<World, StoreError> {
    let hash = hash_password(PASSWORD).map_err(to_store)?;
    let person = |tx: &mut Tx<'_>, email: String, name: String, role, org| {
        let input = PersonInput {
            email: email.parse().map_err(|e| StoreError::Db(format!("{e}")))?,
            name,
            role,
            organisation_id: org,
            phone: None,
            language: Language::Pl,
            active: true,
        };
        people::create(tx, &input, Some(&hash), now)
    };
    let mut agents = Vec::new();
    for i in 0..AGENTS {
        let p = person(tx, format!("agent{i}@bench.test"), format!("Konsultant {i}"), Role::Agent, None)?;
        agents.push(Actor::load(tx, p, Via::Token { scopes: vec!["write".into()] })?);
    }
    let mut teams = Vec::new();
    for (i, members) in agents.chunks(10).enumerate() {
        let ids: Vec<i64> = members.iter().map(Actor::id).collect();
        teams.push(orgs::save_team(tx, None, &format!("Zespół {i}"), &ids, now)?.id);
    }
    let products = vec![
        orgs::save_product(tx, None, "premiumhotel", "PremiumHotel", Some(teams[0]), now)?.id,
        orgs::save_product(tx, None, "kuracjusz", "Kuracjusz", Some(teams[1]), now)?.id,
        orgs::save_product(tx, None, "kasa", "Kasa fiskalna", None, now)?.id,
    ];
    let always = store_sla::calendar_by_name(tx, "24x7")?.id;
    let office = store_sla::calendar_by_name(tx, "pl-business-08-20")?.id;
    let mut customers = Vec::new();
    for i in 0..ORGS {
        let org = orgs::create(
            tx,
            &OrganisationInput {
                name: format!("Hotel Żółta Łódź {i}"),
                time_zone: "Europe/Warsaw".into(),
                active: true,
                phones: vec![format!("+4822{i:07}")],
                ..Default::default()
            },
            now,
        )?
        .id;
        let admin =
            person(tx, format!("it{i}@hotel{i}.test"), format!("IT hotelu {i}"), Role::CustomerAdmin, Some(org))?;
        let user =
            person(tx, format!("recepcja{i}@hotel{i}.test"), format!("Recepcja {i}"), Role::CustomerUser, Some(org))?;
        customers.push((org, user.id));
        let _ = admin;
        store_sla::create_contract(
            tx,
            &ContractInput {
                organisation_id: org,
                name: if i % 2 == 0 { "24/7".into() } else { "08–20".into() },
                valid_from: "2000-01-01".into(),
                valid_to: None,
                product_ids: vec![products[0], products[1]],
                calendar_id: if i % 2 == 0 { always } else { office },
                warning_percent: 80,
                monthly_fee_minor: 100_000,
                penalty_basis: OverrunBasis::Business,
                penalty_cap_minor: None,
                targets: vec![
                    target(Priority::Critical, 15 * 60, 2 * 3600),
                    target(Priority::Fault, 3600, 8 * 3600),
                    target(Priority::Standard, 4 * 3600, 24 * 3600),
                ],
            },
            now,
        )?;
    }
    Ok(World { agents, customers, products, teams })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

const SUBJECTS: &[&str] = &[
    "Nie drukują się paragony na recepcji",
    "Błąd przy meldowaniu gości",
    "Rezerwacja online nie zapisuje się",
    "Raport kasowy pokazuje złe sumy",
    "Wolne działanie modułu spa",
    "Pytanie o fakturę zaliczkową",
    "Voucher nie daje się sprzedać",
    "Propozycja: eksport do Excela",
];

fn build(store: &Store, args: &PagesArgs) -> Result<(World, i64), Failure> {
    let now = Timestamp::now();
    let world = store.write(|tx| seed(tx, now)).map_err(err)?;
    let mut rng = Rng::new(args.seed);
    let t0 = Instant::now();
    let priorities =
        [Priority::Critical, Priority::Fault, Priority::Standard, Priority::Standard, Priority::DevelopmentRequest];
    let mut numbers: Vec<i64> = Vec::with_capacity(args.tickets);
    for chunk in (0..args.tickets).collect::<Vec<_>>().chunks(1000) {
        let created = store
            .write(|tx| {
                let mut made = Vec::new();
                for &i in chunk {
                    let (org, requester) = world.customers[rng.below(world.customers.len())];
                    let agent = &world.agents[rng.below(world.agents.len())];
                    let priority = priorities[rng.below(priorities.len())];
                    let input = NewTicket {
                        subject: format!("{} ({i})", SUBJECTS[rng.below(SUBJECTS.len())]),
                        body: "Od rana nie działa drukowanie. Sprawdziliśmy drukarkę i sieć.".into(),
                        organisation_id: Some(org),
                        requester_id: Some(requester),
                        cc: Vec::new(),
                        channel: Some([Channel::Email, Channel::Phone, Channel::Portal][rng.below(3)]),
                        kind: if priority == Priority::DevelopmentRequest {
                            Kind::DevelopmentRequest
                        } else {
                            Kind::Incident
                        },
                        priority,
                        product_id: Some(world.products[rng.below(world.products.len())]),
                        module: None,
                        installation_id: None,
                        assignee_id: (rng.below(3) > 0).then(|| world.agents[rng.below(world.agents.len())].id()),
                        team_id: Some(world.teams[rng.below(world.teams.len())]),
                        tags: Vec::new(),
                        local_it_checks: None,
                        attachments: Vec::new(),
                        call: None,
                    };
                    let (t, _) = service::create(tx, agent, input, LIMITS, Timestamp::now()).map_err(to_store)?;
                    // Half end resolved or closed, a tenth wait for the customer.
                    let roll = rng.below(10);
                    let path: &[Status] = match roll {
                        0..=2 => &[Status::Open, Status::Resolved, Status::Closed],
                        3 | 4 => &[Status::Open, Status::Resolved],
                        5 => &[Status::Open, Status::WaitingForCustomer],
                        6 | 7 => &[Status::Open],
                        _ => &[],
                    };
                    for &to in path {
                        let change = StatusChange { to, version: None, reason: None };
                        service::transition(tx, agent, t.number, change, LIMITS, Timestamp::now()).map_err(to_store)?;
                    }
                    made.push(t.number);
                }
                Ok::<_, StoreError>(made)
            })
            .map_err(err)?;
        numbers.extend(created);
    }
    println!("  {} tickets created in {:.1} s", args.tickets, t0.elapsed().as_secs_f64());
    // The long ticket: a customer's critical report answered back and forth.
    let (org, requester) = world.customers[0];
    let agent = &world.agents[0];
    let long = store
        .write(|tx| {
            let input = NewTicket {
                subject: "Awaria systemu rezerwacji — długa rozmowa".into(),
                body: "Recepcja nie może przyjmować rezerwacji.".into(),
                organisation_id: Some(org),
                requester_id: Some(requester),
                cc: Vec::new(),
                channel: Some(Channel::Email),
                kind: Kind::Incident,
                priority: Priority::Critical,
                product_id: Some(world.products[0]),
                module: None,
                installation_id: None,
                assignee_id: Some(agent.id()),
                team_id: Some(world.teams[0]),
                tags: Vec::new(),
                local_it_checks: None,
                attachments: Vec::new(),
                call: None,
            };
            let (t, _) = service::create(tx, agent, input, LIMITS, Timestamp::now()).map_err(to_store)?;
            for i in 1..args.articles {
                let kind = match i % 4 {
                    0 => ArticleKind::InternalNote,
                    _ => ArticleKind::PublicReply,
                };
                let body = format!(
                    "Wiadomość {i}: sprawdziliśmy logi serwera i konfigurację drukarki fiskalnej. \
                     Proszę o zrestartowanie usługi i ponowną próbę. Pozdrawiamy, zespół wsparcia.\n\n\
                     > Poprzednia wiadomość była cytowana tutaj, z kilkoma liniami historii.\n> Druga linia."
                );
                service::add_article(
                    tx,
                    agent,
                    t.number,
                    NewArticle { kind, body, call: None, mail: None, attachments: Vec::new() },
                    LIMITS,
                    Timestamp::now(),
                )
                .map_err(to_store)?;
            }
            Ok::<_, StoreError>(t.number)
        })
        .map_err(err)?;
    Ok((world, long))
}

struct Browser {
    base: String,
    http: reqwest::Client,
}

impl Browser {
    async fn login(base: &str, email: &str) -> Result<Browser, Failure> {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(err)?;
        let page = http.get(format!("{base}/login")).send().await.map_err(err)?.text().await.map_err(err)?;
        let needle = "name=\"_csrf\" value=\"";
        let start = page.find(needle).ok_or("no CSRF field on the login page")? + needle.len();
        let csrf = &page[start..start + page[start..].find('"').ok_or("bad CSRF field")?];
        let res = http
            .post(format!("{base}/login"))
            .form(&[("_csrf", csrf), ("email", email), ("password", PASSWORD)])
            .send()
            .await
            .map_err(err)?;
        if res.status() != reqwest::StatusCode::SEE_OTHER {
            return Err(format!("login of {email} answered {}", res.status()).into());
        }
        Ok(Browser { base: base.to_owned(), http })
    }

    /// Milliseconds per request, sorted, after a few warm-up requests.
    async fn time(&self, path: &str, n: usize, must_contain: &str) -> Result<Vec<f64>, Failure> {
        let mut out = Vec::with_capacity(n);
        for i in 0..n + 5 {
            let t = Instant::now();
            let res = self.http.get(format!("{}{path}", self.base)).send().await.map_err(err)?;
            let status = res.status();
            let body = res.text().await.map_err(err)?;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            if status != reqwest::StatusCode::OK || !body.contains(must_contain) {
                return Err(format!("GET {path} answered {status} without `{must_contain}`").into());
            }
            if i >= 5 {
                out.push(ms);
            }
        }
        out.sort_by(f64::total_cmp);
        Ok(out)
    }
}

pub async fn run(args: &PagesArgs) -> Result<(), Failure> {
    let backend = match args.backend.as_str() {
        "sqlite" => Backend::Sqlite,
        "postgres" => Backend::Postgres,
        other => return Err(format!("unknown backend `{other}`").into()),
    };
    let db = match &args.existing {
        Some(_) => None,
        None => Some(TestDb::new(backend).ok_or("PostgreSQL is unreachable")?),
    };
    let url = args.existing.clone().or_else(|| db.as_ref().map(|d| d.url.clone())).unwrap_or_default();
    let _ = backend;
    let open_url = url.clone();
    let store = tokio::task::spawn_blocking(move || -> Result<Store, Failure> {
        let store = Store::open(&open_url, &StoreOptions { pool_size: 8 }).map_err(err)?;
        store.migrate().map_err(err)?;
        Ok(store)
    })
    .await
    .map_err(err)??;
    println!("pages on {} at {} tickets", args.backend, args.tickets);
    let (s, a) = (store.clone(), args.clone());
    let long = tokio::task::spawn_blocking(move || -> Result<i64, Failure> {
        let long = match a.existing {
            Some(_) => s
                .read(|tx| {
                    tx.query_one(
                        "SELECT t.number FROM tickets t JOIN articles a ON a.ticket_id = t.id \
                         GROUP BY t.number ORDER BY COUNT(*) DESC LIMIT 1",
                        &[],
                    )?
                    .i64(0)
                })
                .map_err(err)?,
            None => build(&s, &a)?.1,
        };
        // What `serve`'s maintenance job does within a minute: fresh planner statistics
        // (this machine's PostgreSQL runs without autovacuum).
        let analysed = s.maintain().map_err(err)?;
        println!("  planner statistics refreshed for {} tables", analysed.len());
        Ok(long)
    })
    .await
    .map_err(err)??;
    let config = Config { database_url: Secret::new(url.clone()), pool_size: 8, ..Config::default() };
    let state = AppState::new(store, config, Arc::new(SystemClock));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(err)?;
    let base = format!("http://{}", listener.local_addr().map_err(err)?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(deskbell_server::app::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    let agent = Browser::login(&base, "agent0@bench.test").await?;
    let customer = Browser::login(&base, "it0@hotel0.test").await?;
    let n = args.requests;
    let pages: Vec<(&str, String, &Browser, &str, bool)> = vec![
        ("queue, all open by deadline (50 rows)", "/agent".into(), &agent, "data-row-link", true),
        ("queue, at risk", "/agent?queue=at_risk".into(), &agent, "data-row-link", false),
        ("queue, my team", "/agent?queue=team".into(), &agent, "data-row-link", false),
        (
            "queue, critical of one hotel",
            "/agent?priority=critical&org=%C5%81%C3%B3d%C5%BA%207".into(),
            &agent,
            "</table>",
            false,
        ),
        ("queue, search `paragony`", "/agent?q=paragony".into(), &agent, "data-row-link", false),
        ("queue refresh (rows only)", "/agent/queue/rows?queue=open".into(), &agent, "data-row-link", false),
        (
            Box::leak(format!("agent ticket page, {} articles", args.articles).into_boxed_str()),
            format!("/agent/tickets/{long}"),
            &agent,
            "article-",
            true,
        ),
        ("phone lookup `22 000 01`", "/agent/phone/lookup?q=22%20000%2001".into(), &agent, "matches", false),
        ("help centre list (customer admin)", "/help".into(), &customer, "</main>", false),
        ("help centre ticket page (long ticket)", format!("/help/tickets/{long}"), &customer, "</main>", false),
    ];
    println!("  {:<44} {:>9} {:>9} {:>9}  target", "page", "p50 ms", "p99 ms", "max ms");
    let mut failed = false;
    for (name, path, who, marker, targeted) in &pages {
        match who.time(path, n, marker).await {
            Ok(ms) => {
                let p99 = percentile(&ms, 0.99);
                let verdict = if *targeted {
                    if p99 <= 50.0 { "p99 ≤ 50 ms PASS" } else { "p99 ≤ 50 ms MISS" }
                } else {
                    "–"
                };
                println!(
                    "  {name:<44} {:>9.2} {:>9.2} {:>9.2}  {verdict}",
                    percentile(&ms, 0.5),
                    p99,
                    ms.last().copied().unwrap_or(f64::NAN)
                );
            }
            Err(e) => {
                println!("  {name:<44} ERROR {e}");
                failed = true;
            }
        }
    }
    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
    drop(db);
    if failed { Err("some pages failed".into()) } else { Ok(()) }
}
