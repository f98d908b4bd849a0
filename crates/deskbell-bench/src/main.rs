//! Benchmark of a running deskbell over its HTTP API, on SQLite and on PostgreSQL.
//!
//! ```text
//! cargo build --release -p deskbell-server -p deskbell-bench
//! cargo run --release -p deskbell-bench -- api [--backend sqlite|postgres|both] [--tickets 100000] [--clients 16]
//! ```
//!
//! For each backend it takes a fresh database (a SQLite file in a temporary directory, or a
//! throwaway PostgreSQL database at `DESKBELL_TEST_PG_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`, created and dropped with `psql`), then drives the
//! release `deskbell` binary found next to this executable exactly as an operator would:
//!
//! 1. `deskbell migrate` and `deskbell user add --role admin`; `deskbell serve --listen
//!    127.0.0.1:0`; the admin logs in over HTTP (session cookie and `X-CSRF-Token`) and creates
//!    organisations, agents, teams, customer people and products; `deskbell token create`
//!    gives an agent an API token.
//! 2. **Ticket creation**: `--tickets` tickets by `POST /api/v1/tickets` from `--clients`
//!    concurrent clients as that agent, with Polish subjects and bodies and a mix of priority,
//!    kind, channel, product, assignee, team and tags; then status changes
//!    (`POST /tickets/{number}/transitions`) give a realistic status mix. Every creation must
//!    answer 201; anything else is counted and shown as an error.
//! 3. **Reads**, one at a time: list with varied filters (status, priority, organisation,
//!    assignee, team, channel, product, sort, next page), full-text search with Polish words
//!    (with and without diacritics), and single tickets by number; p50/p99 of each.
//! 4. **Memory** (VmRSS of the server) after the load, and **start to ready**: the server is
//!    restarted on the now populated database and timed from spawn until `GET /readyz` answers
//!    200 (polled every 2 ms); then its idle memory after a few seconds.
//!
//! Figures are printed per backend beside their targets with PASS or MISS. A MISS does not
//! fail the run; only errors (a failed request, a failed setup) make the exit status non-zero.
//! The server is stopped and the database removed at the end, also after an error.

mod mail;
mod pages;
mod rules;
mod server;
mod sla;
mod text;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};
use reqwest::Method;
use serde_json::{Value, json};

use server::{Database, Deskbell, Server};
use text::Rng;

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

const PASSWORD: &str = "benchmark-password";

#[derive(Parser, Debug)]
#[command(name = "deskbell-bench", about = "Benchmarks of a running deskbell")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Throughput and latency of the HTTP API, start-up time and memory.
    Api(ApiArgs),
    /// SLA: a calendar edit reaching every open clock, and alert latency under load.
    Sla(sla::SlaArgs),
    /// Mail intake through real Postfix and Dovecot: throughput, and a SIGKILL test.
    Mail(mail::MailArgs),
    /// Server-side render time of the pages (queues, a 200-article ticket) at 100,000 tickets.
    Pages(pages::PagesArgs),
    /// The rule storm: 1,000 tickets through 50 rules, no loop, in bounded time.
    Rules(rules::RulesArgs),
    /// The process `mail --kill-test` kills and restarts.
    #[command(hide = true)]
    MailChild(mail::ChildArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendChoice {
    Sqlite,
    Postgres,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }

    /// Target of ticket creation, tickets per second.
    fn creation_target(self) -> f64 {
        match self {
            Backend::Sqlite => 1000.0,
            Backend::Postgres => 500.0,
        }
    }
}

#[derive(clap::Args, Debug, Clone)]
struct ApiArgs {
    #[arg(long, value_enum, default_value = "both")]
    backend: BackendChoice,
    /// Tickets to create.
    #[arg(long, default_value_t = 100_000)]
    tickets: usize,
    /// Concurrent clients creating tickets.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// Sequential list requests.
    #[arg(long, default_value_t = 500)]
    list_requests: usize,
    /// Sequential search requests.
    #[arg(long, default_value_t = 300)]
    search_requests: usize,
    /// Sequential single-ticket requests.
    #[arg(long, default_value_t = 500)]
    get_requests: usize,
    /// How many times the server is restarted to time start to ready.
    #[arg(long, default_value_t = 5)]
    restarts: usize,
    /// Seconds of idleness before memory is read.
    #[arg(long, default_value_t = 3)]
    idle_secs: u64,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 20_260_501)]
    seed: u64,
    /// The `deskbell` binary (default: next to this executable).
    #[arg(long)]
    deskbell: Option<PathBuf>,
    /// Keep the database afterwards (its location is printed), e.g. to look at query plans.
    #[arg(long)]
    keep: bool,
    /// Extra environment of every `deskbell` run, e.g. `DESKBELL_POOL_SIZE=4` or
    /// `MALLOC_ARENA_MAX=2`, to try a setting (repeatable).
    #[arg(long = "server-env", value_name = "KEY=VALUE", value_parser = parse_env)]
    server_env: Vec<(String, String)>,
}

fn parse_env(s: &str) -> std::result::Result<(String, String), String> {
    s.split_once('=')
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("`{s}` is not KEY=VALUE"))
}

/// Runs an in-process benchmark off the async runtime (the store blocks).
async fn in_process(f: impl FnOnce() -> std::result::Result<(), String> + Send + 'static) -> std::process::ExitCode {
    match tokio::task::spawn_blocking(f).await.map_err(|e| e.to_string()).and_then(|r| r) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let args = match cli.command {
        Command::Api(args) => args,
        Command::Mail(args) => return exit_status(mail::run(&args).await),
        Command::Pages(args) => {
            return match pages::run(&args).await {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    std::process::ExitCode::FAILURE
                }
            };
        }
        Command::MailChild(args) => return exit_status(mail::child(&args).await),
        Command::Rules(args) => return in_process(move || rules::run(&args).map_err(|e| e.to_string())).await,
        Command::Sla(args) => return in_process(move || sla::run(&args).map_err(|e| e.to_string())).await,
    };
    let bin = match server::locate_deskbell(args.deskbell.as_deref()) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let backends = match args.backend {
        BackendChoice::Sqlite => vec![Backend::Sqlite],
        BackendChoice::Postgres => vec![Backend::Postgres],
        BackendChoice::Both => vec![Backend::Sqlite, Backend::Postgres],
    };
    let mut reports = Vec::new();
    for backend in backends {
        let report = run_backend(backend, &bin, &args).await;
        println!("{}", report.render());
        reports.push(report);
    }
    if reports.len() > 1 {
        println!("==================== summary ====================\n");
        for r in &reports {
            println!("{}", r.render_table());
        }
    }
    if reports.iter().all(|r| r.failure.is_none() && r.errors == 0) {
        std::process::ExitCode::SUCCESS
    } else {
        eprintln!("deskbell-bench: there were errors (see above)");
        std::process::ExitCode::FAILURE
    }
}

fn exit_status(r: Result<()>) -> std::process::ExitCode {
    match r {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------- HTTP

/// One person's HTTP client: a bearer token, or a session cookie with its CSRF token.
#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
    bearer: Option<String>,
    csrf: Option<String>,
}

struct Answer {
    status: u16,
    body: Value,
    took: Duration,
}

impl Api {
    fn new(base: &str, pool: usize) -> Result<Api> {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .tcp_nodelay(true)
            .pool_max_idle_per_host(pool)
            .timeout(Duration::from_secs(120))
            .build()?;
        Ok(Api { http, base: base.to_owned(), bearer: None, csrf: None })
    }

    /// Sends a request and reads the whole answer; `took` runs until the last byte.
    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Answer> {
        let mut r = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.bearer {
            r = r.bearer_auth(t);
        }
        if let Some(c) = &self.csrf {
            r = r.header("x-csrf-token", c);
        }
        if let Some(b) = body {
            r = r.json(b);
        }
        let start = Instant::now();
        let res = r.send().await?;
        let status = res.status().as_u16();
        let bytes = res.bytes().await?;
        let took = start.elapsed();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Ok(Answer { status, body, took })
    }

    /// A request that must answer `want`; its JSON body.
    async fn expect(&self, method: Method, path: &str, body: Option<&Value>, want: u16) -> Result<Value> {
        let a = self.call(method.clone(), path, body).await?;
        if a.status != want {
            return Err(format!("{method} {path} answered {} (wanted {want}): {}", a.status, snippet(&a.body)).into());
        }
        Ok(a.body)
    }
}

fn snippet(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    };
    s.chars().take(300).collect()
}

fn id_of(v: &Value, what: &str) -> Result<i64> {
    v["id"].as_i64().ok_or_else(|| format!("{what}: no id in {}", snippet(v)).into())
}

/// Percent-encoding of a query-string value.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

// ---------------------------------------------------------------- statistics

#[derive(Debug, Clone, Default)]
struct Stats {
    sorted: Vec<Duration>,
}

impl Stats {
    fn new(mut v: Vec<Duration>) -> Stats {
        v.sort_unstable();
        Stats { sorted: v }
    }

    /// Nearest-rank percentile.
    fn pct(&self, p: f64) -> Duration {
        if self.sorted.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * self.sorted.len() as f64).ceil() as usize;
        self.sorted.get(rank.clamp(1, self.sorted.len()) - 1).copied().unwrap_or_default()
    }

    fn max(&self) -> Duration {
        self.sorted.last().copied().unwrap_or_default()
    }

    fn len(&self) -> usize {
        self.sorted.len()
    }
}

fn ms(d: Duration) -> String {
    let m = d.as_secs_f64() * 1000.0;
    if m < 10.0 { format!("{m:.2}") } else { format!("{m:.1}") }
}

fn mb(kb: u64) -> f64 {
    kb as f64 * 1024.0 / 1_000_000.0
}

/// Outcome of one request of a load phase.
struct Step {
    took: Duration,
    error: Option<String>,
}

impl Step {
    fn ok(took: Duration) -> Step {
        Step { took, error: None }
    }

    fn err(took: Duration, e: String) -> Step {
        Step { took, error: Some(e) }
    }
}

#[derive(Debug, Default)]
struct Load {
    ok: Stats,
    errors: usize,
    samples: Vec<String>,
    wall: Duration,
}

impl Load {
    fn rate(&self) -> f64 {
        let secs = self.wall.as_secs_f64();
        if secs > 0.0 { self.ok.len() as f64 / secs } else { 0.0 }
    }
}

/// Runs `job(i)` for every `i` in `0..total` on `clients` concurrent tasks.
async fn parallel<F, Fut>(label: &'static str, clients: usize, total: usize, job: F) -> Load
where
    F: Fn(usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Vec<Step>> + Send + 'static,
{
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let progress = {
        let done = done.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(10)).await;
                let d = done.load(Ordering::Relaxed);
                let rate = d as f64 / start.elapsed().as_secs_f64();
                eprintln!("  {label}: {d}/{total} ({rate:.0}/s)");
            }
        })
    };
    let mut tasks = Vec::new();
    for _ in 0..clients.max(1) {
        let (next, done, job) = (next.clone(), done.clone(), job.clone());
        tasks.push(tokio::spawn(async move {
            let mut ok = Vec::new();
            let mut errors = 0;
            let mut samples = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                for s in job(i).await {
                    match s.error {
                        None => ok.push(s.took),
                        Some(e) => {
                            errors += 1;
                            if samples.len() < 5 {
                                samples.push(e);
                            }
                        }
                    }
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
            (ok, errors, samples)
        }));
    }
    let mut all = Vec::new();
    let mut load = Load::default();
    for t in tasks {
        match t.await {
            Ok((ok, errors, samples)) => {
                all.extend(ok);
                load.errors += errors;
                for s in samples {
                    if load.samples.len() < 10 {
                        load.samples.push(s);
                    }
                }
            }
            Err(e) => {
                load.errors += 1;
                load.samples.push(format!("a client task failed: {e}"));
            }
        }
    }
    load.wall = start.elapsed();
    progress.abort();
    load.ok = Stats::new(all);
    load
}

// ---------------------------------------------------------------- the world

#[derive(Debug, Clone, Default)]
struct World {
    agents: Vec<i64>,
    teams: Vec<i64>,
    /// Product id and its default team.
    products: Vec<(i64, Option<i64>)>,
    organisations: Vec<i64>,
    /// Customer person id and organisation id.
    customers: Vec<(i64, i64)>,
}

const ORG_KINDS: &[&str] = &["Hotel", "Pensjonat", "Uzdrowisko", "Dom Zdrojowy", "Zajazd", "Apartamenty"];
const ORG_NAMES: &[&str] = &[
    "Pod Różami",
    "Zdrój",
    "Bałtyk",
    "Mazury",
    "Tatry",
    "Wrzos",
    "Jantar",
    "Kasztelan",
    "Złota Rybka",
    "Słoneczny Brzeg",
    "Pod Jodłami",
    "Łabędź",
    "Żuraw",
    "Nad Wisłą",
    "Górski Potok",
    "Kormoran",
    "Dębowy Dwór",
    "Srebrna Góra",
    "Wiślana Perła",
    "Kryształ",
    "Leśna Polana",
    "Stary Młyn",
    "Biały Niedźwiedź",
    "Przystań",
    "Źródło",
    "Ostoja",
    "Panorama",
    "Magnolia",
    "Relaks",
    "Gwiazda Morza",
];

/// Creates the people and things tickets refer to, as the admin over HTTP.
async fn populate(admin: &Api) -> Result<World> {
    let mut w = World::default();
    let mut rng = Rng::new(7);
    for i in 0..6 {
        let first = rng.pick(text::FIRST_NAMES).copied().unwrap_or("Anna");
        let last = rng.pick(text::SURNAMES).copied().unwrap_or("Nowak");
        let body = json!({
            "email": format!("agent{i}@vendor.bench.test"),
            "name": format!("{first} {last}"),
            "role": "agent",
            "password": PASSWORD,
        });
        w.agents.push(id_of(&admin.expect(Method::POST, "/api/v1/people", Some(&body), 201).await?, "agent")?);
    }
    let (a, b) = w.agents.split_at(3);
    for (name, members) in [("Zespół PremiumHotel", a), ("Zespół Kuracjusz", b)] {
        let body = json!({"name": name, "members": members});
        w.teams.push(id_of(&admin.expect(Method::POST, "/api/v1/teams", Some(&body), 201).await?, "team")?);
    }
    let teams = [w.teams.first().copied(), w.teams.get(1).copied(), None];
    for ((code, name), team) in
        [("premiumhotel", "PremiumHotel"), ("kuracjusz", "Kuracjusz"), ("gastro", "GastroPOS")].into_iter().zip(teams)
    {
        let body = json!({"code": code, "name": name, "team_id": team});
        w.products
            .push((id_of(&admin.expect(Method::POST, "/api/v1/products", Some(&body), 201).await?, "product")?, team));
    }
    for (i, name) in ORG_NAMES.iter().enumerate() {
        let kind = ORG_KINDS.get(i % ORG_KINDS.len()).copied().unwrap_or("Hotel");
        let body = json!({
            "name": format!("{kind} {name}"),
            "time_zone": "Europe/Warsaw",
            "mail_domains": [format!("obiekt{i}.bench.test")],
        });
        let org = id_of(&admin.expect(Method::POST, "/api/v1/organisations", Some(&body), 201).await?, "organisation")?;
        w.organisations.push(org);
        for (local, role) in [("recepcja", "customer_user"), ("spa", "customer_user"), ("it", "customer_admin")] {
            let first = rng.pick(text::FIRST_NAMES).copied().unwrap_or("Anna");
            let last = rng.pick(text::SURNAMES).copied().unwrap_or("Nowak");
            let body = json!({
                "email": format!("{local}@obiekt{i}.bench.test"),
                "name": format!("{first} {last}"),
                "role": role,
                "organisation_id": org,
            });
            let p = id_of(&admin.expect(Method::POST, "/api/v1/people", Some(&body), 201).await?, "customer")?;
            w.customers.push((p, org));
        }
    }
    Ok(w)
}

const PRIORITIES: &[(&str, u64)] = &[("critical", 4), ("fault", 18), ("standard", 63), ("development_request", 15)];
const KINDS: &[(&str, u64)] =
    &[("incident", 55), ("question", 22), ("service_request", 12), ("training_request", 6), ("out_of_scope", 5)];
const CHANNELS: &[(&str, u64)] = &[("phone", 38), ("email", 32), ("portal", 15), ("api", 10), ("monitoring", 5)];

/// The creation request of ticket `i`.
fn ticket_body(w: &World, seed: u64, i: usize) -> Value {
    let mut rng = Rng::new(seed.wrapping_mul(0x0100_0000_01B3) ^ i as u64);
    let (requester, org) = rng.pick(&w.customers).copied().unwrap_or_default();
    let priority = rng.weighted(PRIORITIES).unwrap_or("standard");
    let kind = if priority == "development_request" {
        if rng.chance(85) { "development_request" } else { "service_request" }
    } else {
        rng.weighted(KINDS).unwrap_or("incident")
    };
    let channel = rng.weighted(CHANNELS).unwrap_or("phone");
    let product = rng.weighted(&[(0usize, 60), (1, 25), (2, 10), (3, 5)]).and_then(|p| w.products.get(p)).copied();
    let mut body = json!({
        "subject": text::subject(&mut rng),
        "body": text::body(&mut rng),
        "requester_id": requester,
        "organisation_id": org,
        "priority": priority,
        "kind": kind,
        "channel": channel,
    });
    if let Some((p, team)) = product {
        body["product_id"] = json!(p);
        if let Some(t) = team.filter(|_| rng.chance(80)) {
            body["team_id"] = json!(t);
        }
    }
    if rng.chance(70) {
        body["module"] = json!(rng.pick(text::MODULES));
    }
    if rng.chance(65) {
        body["assignee_id"] = json!(rng.pick(&w.agents));
    }
    let tags: Vec<&str> = (0..rng.weighted(&[(0usize, 60), (1, 30), (2, 10)]).unwrap_or(0))
        .filter_map(|_| rng.pick(text::TAGS).copied())
        .collect();
    if !tags.is_empty() {
        body["tags"] = json!(tags);
    }
    if rng.chance(10) {
        body["cc"] = json!([format!("kierownik{}@firma.bench.test", rng.below(50))]);
    }
    if matches!(priority, "critical" | "fault") && rng.chance(50) {
        body["local_it_checks"] = json!({"other_systems_work": rng.chance(70), "recent_changes": rng.chance(30), "network_and_servers_work": true});
    }
    body
}

/// Status changes that bring ticket `i` to its final status: of an established desk's
/// tickets most are closed, some resolved, the rest in work.
fn status_path(seed: u64, i: usize) -> &'static [&'static str] {
    let mut rng = Rng::new(seed.wrapping_mul(0x9E37_79B9) ^ (i as u64).wrapping_mul(31) ^ 0x5EED);
    match rng.weighted(&[(0u8, 10), (1, 15), (2, 7), (3, 10), (4, 58)]) {
        Some(1) => &["open"],
        Some(2) => &["waiting_for_customer"],
        Some(3) => &["resolved"],
        Some(4) => &["resolved", "closed"],
        _ => &[],
    }
}

// ---------------------------------------------------------------- one backend

#[derive(Default)]
struct Report {
    backend: Option<Backend>,
    url: String,
    tickets: usize,
    clients: usize,
    create: Option<Load>,
    transitions: Option<Load>,
    list: Option<Stats>,
    search: Option<Stats>,
    get: Option<Stats>,
    ready: Vec<Duration>,
    rss_after_load: Option<(u64, u64)>,
    rss_after_reads: Option<(u64, u64)>,
    rss_idle: Option<(u64, u64)>,
    db_size: Option<u64>,
    /// Failed requests outside the load phases (reads, checks).
    read_errors: Vec<String>,
    errors: usize,
    details: Vec<String>,
    failure: Option<String>,
    /// `--server-env` settings, shown in the heading.
    server_env: String,
    /// PostgreSQL: list, search and get again after `VACUUM ANALYZE`.
    vacuumed: Option<(Stats, Stats, Stats)>,
    notes: Vec<String>,
}

async fn run_backend(backend: Backend, bin: &std::path::Path, args: &ApiArgs) -> Report {
    let mut r = Report {
        backend: Some(backend),
        tickets: args.tickets,
        clients: args.clients,
        server_env: args.server_env.iter().map(|(k, v)| format!(" {k}={v}")).collect(),
        ..Report::default()
    };
    eprintln!("== {}: preparing a fresh database", backend.name());
    let db = match backend {
        Backend::Sqlite => Database::sqlite(args.keep),
        Backend::Postgres => Database::postgres(args.keep),
    };
    match db {
        Ok(db) => {
            r.url = db.shown();
            if let Err(e) = bench(&db, bin, args, &mut r).await {
                r.failure = Some(e.to_string());
            }
            r.db_size = db.size_bytes();
        }
        Err(e) => r.failure = Some(e.to_string()),
    }
    r.errors += r.create.as_ref().map_or(0, |l| l.errors) + r.transitions.as_ref().map_or(0, |l| l.errors);
    r.errors += r.read_errors.len();
    r
}

async fn bench(db: &Database, bin: &std::path::Path, args: &ApiArgs, r: &mut Report) -> Result<()> {
    let deskbell = Deskbell {
        bin: bin.to_owned(),
        database_url: db.url.clone(),
        dir: db.dir.clone(),
        env: args.server_env.clone(),
    };
    deskbell.run(&["migrate"], &[])?;
    deskbell.run(
        &["user", "add", "--email", "admin@vendor.bench.test", "--name", "Anna Administratorka", "--role", "admin"],
        &[("DESKBELL_NEW_PASSWORD", PASSWORD)],
    )?;

    eprintln!("== {}: starting deskbell and creating organisations, people, products", r.name());
    let (server, _) = Server::start(&deskbell).await?;
    let mut admin = Api::new(&server.base, 2)?;
    let login = admin
        .expect(
            Method::POST,
            "/api/v1/auth/login",
            Some(&json!({"email": "admin@vendor.bench.test", "password": PASSWORD})),
            200,
        )
        .await?;
    admin.csrf = Some(login["csrf_token"].as_str().ok_or("the login answer has no csrf_token")?.to_owned());
    let world = Arc::new(populate(&admin).await?);
    let token_out = deskbell.run(
        &["token", "create", "--user", "agent0@vendor.bench.test", "--name", "bench", "--scopes", "read write"],
        &[],
    )?;
    let token = token_out.lines().map(str::trim).find(|l| l.starts_with("dsk_")).ok_or("no token printed")?.to_owned();
    let mut agent = Api::new(&server.base, args.clients * 2)?;
    agent.bearer = Some(token);

    // ---- creation
    eprintln!("== {}: creating {} tickets from {} clients", r.name(), args.tickets, args.clients);
    let numbers: Arc<Vec<AtomicI64>> = Arc::new((0..args.tickets).map(|_| AtomicI64::new(0)).collect());
    // The scope rules answer a training request and park a development proposal taken by
    // phone at once: those tickets are not `new` any more, and get no scripted status path.
    let still_new: Arc<Vec<AtomicBool>> = Arc::new((0..args.tickets).map(|_| AtomicBool::new(false)).collect());
    let seed = args.seed;
    let create = {
        let (agent, world, numbers, still_new) = (agent.clone(), world.clone(), numbers.clone(), still_new.clone());
        move |i: usize| {
            let (agent, world, numbers, still_new) = (agent.clone(), world.clone(), numbers.clone(), still_new.clone());
            async move {
                let body = ticket_body(&world, seed, i);
                match agent.call(Method::POST, "/api/v1/tickets", Some(&body)).await {
                    Ok(a) if a.status == 201 => match a.body["ticket"]["number"].as_i64() {
                        Some(n) => {
                            if let Some(slot) = numbers.get(i) {
                                slot.store(n, Ordering::Relaxed);
                            }
                            if let Some(flag) = still_new.get(i) {
                                flag.store(a.body["ticket"]["status"] == "new", Ordering::Relaxed);
                            }
                            vec![Step::ok(a.took)]
                        }
                        None => vec![Step::err(a.took, format!("201 without a ticket number: {}", snippet(&a.body)))],
                    },
                    Ok(a) => vec![Step::err(a.took, format!("HTTP {}: {}", a.status, snippet(&a.body)))],
                    Err(e) => vec![Step::err(Duration::ZERO, format!("request failed: {e}"))],
                }
            }
        }
    };
    let load = parallel("created", args.clients, args.tickets, create).await;
    eprintln!(
        "   {} created in {:.1} s ({:.0}/s), {} errors",
        load.ok.len(),
        load.wall.as_secs_f64(),
        load.rate(),
        load.errors
    );
    r.create = Some(load);

    // ---- status mix
    let transitions = {
        let (agent, numbers, still_new) = (agent.clone(), numbers.clone(), still_new.clone());
        move |i: usize| {
            let (agent, numbers, still_new) = (agent.clone(), numbers.clone(), still_new.clone());
            async move {
                let n = numbers.get(i).map_or(0, |a| a.load(Ordering::Relaxed));
                let mut steps = Vec::new();
                if n == 0 || !still_new.get(i).is_some_and(|f| f.load(Ordering::Relaxed)) {
                    return steps;
                }
                for to in status_path(seed, i) {
                    let path = format!("/api/v1/tickets/{n}/transitions");
                    match agent.call(Method::POST, &path, Some(&json!({"status": to}))).await {
                        Ok(a) if a.status == 200 => steps.push(Step::ok(a.took)),
                        Ok(a) => {
                            steps.push(Step::err(
                                a.took,
                                format!("#{n} → {to}: HTTP {}: {}", a.status, snippet(&a.body)),
                            ));
                            break;
                        }
                        Err(e) => {
                            steps.push(Step::err(Duration::ZERO, format!("#{n} → {to}: {e}")));
                            break;
                        }
                    }
                }
                steps
            }
        }
    };
    eprintln!("== {}: status changes for a realistic mix", r.name());
    let load = parallel("tickets moved", args.clients, args.tickets, transitions).await;
    eprintln!(
        "   {} status changes in {:.1} s ({:.0}/s), {} errors",
        load.ok.len(),
        load.wall.as_secs_f64(),
        load.rate(),
        load.errors
    );
    r.transitions = Some(load);

    let created: Vec<i64> = numbers.iter().map(|a| a.load(Ordering::Relaxed)).filter(|n| *n > 0).collect();
    check_numbers(&agent, &created, r).await;
    tokio::time::sleep(Duration::from_secs(args.idle_secs)).await;
    r.rss_after_load = server.memory_kb().ok();

    // ---- reads
    eprintln!(
        "== {}: {} list, {} search and {} get requests",
        r.name(),
        args.list_requests,
        args.search_requests,
        args.get_requests
    );
    let reader = Api { bearer: agent.bearer.clone(), ..Api::new(&server.base, 2)? };
    r.list = Some(list_phase(&reader, &world, args, r, "").await);
    r.search = Some(search_phase(&reader, args, r, "").await);
    r.get = Some(get_phase(&reader, &created, args, r).await);
    r.rss_after_reads = server.memory_kb().ok();
    if db.is_postgres() {
        // Statistics and the GIN index's pending list are autovacuum's job; when it is off
        // (as on many test instances) the first figures show a database never vacuumed.
        if let Ok(v) = db.psql("SHOW autovacuum") {
            r.notes.push(format!("PostgreSQL autovacuum = {v}"));
        }
        eprintln!("== {}: VACUUM ANALYZE, then the reads again", r.name());
        let started = Instant::now();
        db.psql("VACUUM ANALYZE")?;
        r.notes.push(format!("VACUUM ANALYZE after the load took {:.1} s", started.elapsed().as_secs_f64()));
        let list = list_phase(&reader, &world, args, r, " after VACUUM ANALYZE").await;
        let search = search_phase(&reader, args, r, " after VACUUM ANALYZE").await;
        let get = get_phase(&reader, &created, args, r).await;
        r.vacuumed = Some((list, search, get));
    }
    server.stop()?;

    // ---- start to ready on the populated database
    eprintln!("== {}: restarting {} times on the populated database", r.name(), args.restarts);
    let mut last = None;
    for k in 0..args.restarts.max(1) {
        let (s, took) = Server::start(&deskbell).await?;
        r.ready.push(took);
        if k + 1 < args.restarts.max(1) {
            s.stop()?;
        } else {
            last = Some(s);
        }
    }
    if let Some(s) = last {
        tokio::time::sleep(Duration::from_secs(args.idle_secs)).await;
        r.rss_idle = s.memory_kb().ok();
        // The restarted server still serves the data.
        let check = Api { bearer: agent.bearer.clone(), ..Api::new(&s.base, 1)? };
        if let Err(e) = check.expect(Method::GET, "/api/v1/tickets?status=open&limit=5", None, 200).await {
            r.read_errors.push(format!("after restart: {e}"));
        }
        s.stop()?;
    }
    Ok(())
}

/// The highest ticket number is the number of tickets: none lost, none doubled.
async fn check_numbers(agent: &Api, created: &[i64], r: &mut Report) {
    let mut unique = created.to_vec();
    unique.sort_unstable();
    unique.dedup();
    if unique.len() != created.len() {
        r.read_errors.push(format!("{} ticket numbers were handed out twice", created.len() - unique.len()));
    }
    match agent.expect(Method::GET, "/api/v1/tickets?sort=-number&limit=1", None, 200).await {
        Ok(v) => {
            let top = v["items"][0]["number"].as_i64().unwrap_or(0);
            if top != created.len() as i64 {
                r.read_errors
                    .push(format!("the highest ticket number is {top}, but {} tickets were created", created.len()));
            }
        }
        Err(e) => r.read_errors.push(format!("checking ticket numbers: {e}")),
    }
}

/// Per-shape latencies, to tell which filter is slow.
#[derive(Default)]
struct Breakdown {
    shapes: Vec<(String, Vec<Duration>, usize)>,
}

impl Breakdown {
    fn add(&mut self, shape: &str, took: Duration, items: usize) {
        match self.shapes.iter_mut().find(|(s, _, _)| s == shape) {
            Some((_, v, n)) => {
                v.push(took);
                *n += items;
            }
            None => self.shapes.push((shape.to_owned(), vec![took], items)),
        }
    }

    fn render(self, title: &str, top: usize) -> Vec<String> {
        let mut rows: Vec<(String, Stats, f64)> = self
            .shapes
            .into_iter()
            .map(|(s, v, n)| {
                let avg = n as f64 / v.len().max(1) as f64;
                (s, Stats::new(v), avg)
            })
            .collect();
        rows.sort_by_key(|row| std::cmp::Reverse(row.1.pct(99.0)));
        let mut out = vec![format!("{title} (slowest first, p50 / p99 / max ms, average items)")];
        for (s, st, avg) in rows.into_iter().take(top) {
            out.push(format!(
                "    {:<58} {:>7} {:>7} {:>7}   {avg:>4.0} items  (n={})",
                s,
                ms(st.pct(50.0)),
                ms(st.pct(99.0)),
                ms(st.max()),
                st.len()
            ));
        }
        out
    }
}

async fn list_phase(api: &Api, w: &World, args: &ApiArgs, r: &mut Report, when: &str) -> Stats {
    let mut rng = Rng::new(args.seed ^ 0x1157);
    let mut all = Vec::new();
    let mut breakdown = Breakdown::default();
    let mut previous: Option<(String, String)> = None;
    for i in 0..args.list_requests {
        let org = rng.pick(&w.organisations).copied().unwrap_or(1);
        let org2 = rng.pick(&w.organisations).copied().unwrap_or(1);
        let agent = rng.pick(&w.agents).copied().unwrap_or(1);
        let team = rng.pick(&w.teams).copied().unwrap_or(1);
        let product = w.products.get(rng.below(w.products.len())).map_or(1, |p| p.0);
        let (shape, query) = match (i % 12, &previous) {
            (10, Some((shape, q))) => (format!("next page of: {shape}"), q.clone()),
            (0 | 10, _) => ("status=open".to_owned(), "status=open&sort=-updated_at&limit=50".to_owned()),
            (1, _) => (
                "status=new,open & priority=critical,fault".to_owned(),
                "status=new,open&priority=critical,fault&sort=-updated_at&limit=50".to_owned(),
            ),
            (2, _) => ("organisation".to_owned(), format!("organisation={org}&sort=-updated_at&limit=50")),
            (3, _) => (
                "assignee & status=open,waiting".to_owned(),
                format!("assignee={agent}&status=open,waiting_for_customer&limit=50"),
            ),
            (4, _) => ("assignee=none & status=new".to_owned(), "assignee=none&status=new&limit=50".to_owned()),
            (5, _) => (
                "priority=standard & kind=question".to_owned(),
                "priority=standard&kind=question&sort=-updated_at&limit=50".to_owned(),
            ),
            (6, _) => ("team & status=open".to_owned(), format!("team={team}&status=open&limit=50")),
            (7, _) => (
                "status=waiting, oldest first".to_owned(),
                "status=waiting_for_customer&sort=updated_at&limit=50".to_owned(),
            ),
            (8, _) => ("everything, newest first".to_owned(), "sort=-created_at&limit=50".to_owned()),
            (9, _) => (
                "two organisations & priority=fault by number".to_owned(),
                format!("organisation={org},{org2}&priority=fault&sort=-number&limit=50"),
            ),
            _ => (
                "channel=email & product & status=new,open".to_owned(),
                format!("channel=email&product={product}&status=new,open&limit=50"),
            ),
        };
        match api.call(Method::GET, &format!("/api/v1/tickets?{query}"), None).await {
            Ok(a) if a.status == 200 => {
                let items = a.body["items"].as_array().map_or(0, Vec::len);
                all.push(a.took);
                breakdown.add(&shape, a.took, items);
                previous = a.body["next_cursor"]
                    .as_str()
                    .filter(|_| !shape.starts_with("next page"))
                    .map(|c| (shape.clone(), format!("{query}&cursor={c}")));
            }
            Ok(a) => r.read_errors.push(format!("GET /tickets?{query}: HTTP {}: {}", a.status, snippet(&a.body))),
            Err(e) => r.read_errors.push(format!("GET /tickets?{query}: {e}")),
        }
    }
    r.details.extend(breakdown.render(&format!("  list by filter{when}"), 13));
    Stats::new(all)
}

async fn search_phase(api: &Api, args: &ApiArgs, r: &mut Report, when: &str) -> Stats {
    let mut all = Vec::new();
    let mut breakdown = Breakdown::default();
    for i in 0..args.search_requests {
        let word = text::SEARCHES.get(i % text::SEARCHES.len()).copied().unwrap_or("faktura");
        let filter = match (i / text::SEARCHES.len()) % 3 {
            1 => "&status=new,open,waiting_for_customer",
            2 => "&priority=critical,fault",
            _ => "",
        };
        let query = format!("q={}{filter}&limit=50", encode(word));
        match api.call(Method::GET, &format!("/api/v1/tickets?{query}"), None).await {
            Ok(a) if a.status == 200 => {
                let items = a.body["items"].as_array().map_or(0, Vec::len);
                all.push(a.took);
                breakdown.add(&format!("q={word}{filter}"), a.took, items);
            }
            Ok(a) => r.read_errors.push(format!("GET /tickets?{query}: HTTP {}: {}", a.status, snippet(&a.body))),
            Err(e) => r.read_errors.push(format!("GET /tickets?{query}: {e}")),
        }
    }
    r.details.extend(breakdown.render(&format!("  search by query{when}"), 12));
    Stats::new(all)
}

async fn get_phase(api: &Api, created: &[i64], args: &ApiArgs, r: &mut Report) -> Stats {
    let mut rng = Rng::new(args.seed ^ 0x6E7);
    let mut all = Vec::new();
    for _ in 0..args.get_requests {
        let Some(n) = rng.pick(created).copied() else { break };
        match api.call(Method::GET, &format!("/api/v1/tickets/{n}"), None).await {
            Ok(a) if a.status == 200 && a.body["number"].as_i64() == Some(n) => all.push(a.took),
            Ok(a) => r.read_errors.push(format!("GET /tickets/{n}: HTTP {}: {}", a.status, snippet(&a.body))),
            Err(e) => r.read_errors.push(format!("GET /tickets/{n}: {e}")),
        }
    }
    Stats::new(all)
}

// ---------------------------------------------------------------- the report

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "MISS" }
}

impl Report {
    fn name(&self) -> &'static str {
        self.backend.map_or("?", Backend::name)
    }

    fn render_table(&self) -> String {
        let mut rows: Vec<[String; 4]> = Vec::new();
        let mut row = |a: &str, b: String, c: &str, d: &str| rows.push([a.to_owned(), b, c.to_owned(), d.to_owned()]);
        if let Some(l) = &self.create {
            let target = self.backend.map_or(0.0, Backend::creation_target);
            row(
                "ticket creation",
                format!("{:.0} tickets/s", l.rate()),
                &format!("≥ {target:.0} /s"),
                verdict(l.rate() >= target),
            );
            row("  creation latency p50 / p99", format!("{} / {} ms", ms(l.ok.pct(50.0)), ms(l.ok.pct(99.0))), "", "");
            row("  created / failed", format!("{} / {}", l.ok.len(), l.errors), "all 201", verdict(l.errors == 0));
        }
        if let Some(l) = &self.transitions {
            row(
                "status changes (info)",
                format!("{:.0} /s, p99 {} ms", l.rate(), ms(l.ok.pct(99.0))),
                "",
                if l.errors == 0 { "" } else { "ERRORS" },
            );
        }
        if let Some(s) = &self.list {
            let p99 = s.pct(99.0);
            row(
                "list latency p50 / p99",
                format!("{} / {} ms", ms(s.pct(50.0)), ms(p99)),
                "p99 ≤ 20 ms",
                verdict(p99 <= Duration::from_millis(20)),
            );
        }
        if let Some(s) = &self.search {
            let p99 = s.pct(99.0);
            row(
                "search latency p50 / p99",
                format!("{} / {} ms", ms(s.pct(50.0)), ms(p99)),
                "p99 ≤ 50 ms",
                verdict(p99 <= Duration::from_millis(50)),
            );
        }
        if let Some(s) = &self.get {
            row("get latency p50 / p99", format!("{} / {} ms", ms(s.pct(50.0)), ms(s.pct(99.0))), "", "");
        }
        if let Some((list, search, get)) = &self.vacuumed {
            let (l99, s99) = (list.pct(99.0), search.pct(99.0));
            row(
                "after VACUUM ANALYZE: list p50 / p99",
                format!("{} / {} ms", ms(list.pct(50.0)), ms(l99)),
                "p99 ≤ 20 ms",
                verdict(l99 <= Duration::from_millis(20)),
            );
            row(
                "after VACUUM ANALYZE: search p50 / p99",
                format!("{} / {} ms", ms(search.pct(50.0)), ms(s99)),
                "p99 ≤ 50 ms",
                verdict(s99 <= Duration::from_millis(50)),
            );
            row(
                "after VACUUM ANALYZE: get p50 / p99",
                format!("{} / {} ms", ms(get.pct(50.0)), ms(get.pct(99.0))),
                "",
                "",
            );
        }
        if !self.ready.is_empty() {
            let s = Stats::new(self.ready.clone());
            let first = self.ready.first().copied().unwrap_or_default();
            row(
                "start to ready (first / median / max)",
                format!("{} / {} / {} ms", ms(first), ms(s.pct(50.0)), ms(s.max())),
                "≤ 300 ms",
                verdict(s.max() <= Duration::from_millis(300)),
            );
        }
        if let Some((rss, _)) = self.rss_idle {
            row("idle memory after start (RSS)", format!("{:.1} MB", mb(rss)), "≤ 40 MB", verdict(mb(rss) <= 40.0));
        }
        if let Some((rss, peak)) = self.rss_after_load {
            row(
                "memory after the load, idle (RSS / peak)",
                format!("{:.1} / {:.1} MB", mb(rss), mb(peak)),
                "≤ 40 MB",
                verdict(mb(rss) <= 40.0),
            );
        }
        if let Some((rss, peak)) = self.rss_after_reads {
            row("memory after the reads (RSS / peak)", format!("{:.1} / {:.1} MB", mb(rss), mb(peak)), "", "");
        }
        if let Some(b) = self.db_size {
            row("database size", format!("{:.1} MB", b as f64 / 1e6), "", "");
        }
        row("errors", self.errors.to_string(), "0", verdict(self.errors == 0 && self.failure.is_none()));
        let mut out = format!("{} — {} tickets, {} clients — {}\n", self.name(), self.tickets, self.clients, self.url);
        if !self.server_env.is_empty() {
            let _ = writeln!(out, "  server environment:{}", self.server_env);
        }
        let _ = writeln!(out, "  {:<42} {:<30} {:<14} verdict", "measure", "figure", "target");
        let _ = writeln!(out, "  {}", "-".repeat(96));
        for [a, b, c, d] in rows {
            let _ = writeln!(out, "  {a:<42} {b:<30} {c:<14} {d}");
        }
        for n in &self.notes {
            let _ = writeln!(out, "  note: {n}");
        }
        if let Some(f) = &self.failure {
            let _ = writeln!(out, "  FAILED: {f}");
        }
        out
    }

    fn render(&self) -> String {
        let mut out = String::from("\n");
        out.push_str(&self.render_table());
        for d in &self.details {
            out.push_str(d);
            out.push('\n');
        }
        let samples = self
            .create
            .iter()
            .chain(self.transitions.iter())
            .flat_map(|l| l.samples.iter())
            .chain(self.read_errors.iter().take(10));
        for (k, s) in samples.enumerate() {
            if k == 0 {
                out.push_str("  errors (first ones):\n");
            }
            let _ = writeln!(out, "    {s}");
        }
        out
    }
}
