//! `TestApp`: the real application on 127.0.0.1:0 with a throwaway database, seeded with
//! a small world, and a typed HTTP client per person.

use std::sync::{Arc, OnceLock};

use deskbell_domain::person::{Language, Role};
use deskbell_server::app;
use deskbell_server::auth::hash_password;
use deskbell_server::clock::{Clock, FixedClock, SystemClock};
use deskbell_server::config::{Config, Secret};
use deskbell_server::state::AppState;
use deskbell_store::orgs::{self, OrganisationInput};
use deskbell_store::people::{self, PersonInput};
use deskbell_store::testing::{Backend, TestDb};
use deskbell_store::{Store, StoreOptions};
use jiff::Timestamp;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub const PASSWORD: &str = "correct horse";

/// The seeded world: two unrelated hotels and a chain with a property.
#[derive(Debug, Clone, Default)]
pub struct World {
    pub rozy: i64,
    pub zdroj: i64,
    pub chain: i64,
    pub sopot: i64,
    pub premium: i64,
    pub kuracjusz: i64,
    pub team: i64,
    pub admin: i64,
    pub agent: i64,
    pub agent2: i64,
    pub supervisor: i64,
    /// Customer user of Hotel Pod Różami.
    pub rozy_user: i64,
    /// Another customer user of Hotel Pod Różami.
    pub rozy_user2: i64,
    /// Customer admin of Hotel Pod Różami.
    pub rozy_admin: i64,
    /// Customer user of Uzdrowisko Zdrój.
    pub zdroj_user: i64,
    /// Customer admin of the chain.
    pub chain_admin: i64,
    /// Customer user of the chain's Sopot property.
    pub sopot_user: i64,
}

pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub world: World,
    pub clock: Option<Arc<FixedClock>>,
    _db: TestDb,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password(PASSWORD).expect("hash")).clone()
}

fn seed(store: &Store) -> World {
    let now = Timestamp::now();
    let hash = password_hash();
    store
        .write(|tx| {
            let mut w = World::default();
            let org = |tx: &mut deskbell_store::Tx<'_>, name: &str, parent: Option<i64>, domain: &str, phone: &str| {
                orgs::create(
                    tx,
                    &OrganisationInput {
                        name: name.into(),
                        parent_id: parent,
                        time_zone: "Europe/Warsaw".into(),
                        notes: "internal vendor notes".into(),
                        active: true,
                        phones: vec![phone.into()],
                        mail_domains: vec![domain.into()],
                        account_team: vec![],
                    },
                    now,
                )
                .map(|o| o.id)
            };
            w.rozy = org(tx, "Hotel Pod Różami", None, "pod-rozami.test", "+48221111111")?;
            w.zdroj = org(tx, "Uzdrowisko Zdrój", None, "zdroj.test", "+48222222222")?;
            w.chain = org(tx, "Grupa Hoteli Bałtyk", None, "baltyk.test", "+48223333333")?;
            w.sopot = org(tx, "Hotel Bałtyk Sopot", Some(w.chain), "sopot.baltyk.test", "+48584444444")?;
            let person = |tx: &mut deskbell_store::Tx<'_>, email: &str, role: Role, org: Option<i64>| {
                let input = PersonInput {
                    email: email.parse().expect("email"),
                    name: email.split('@').next().unwrap_or_default().to_owned(),
                    role,
                    organisation_id: org,
                    phone: None,
                    language: Language::Pl,
                    active: true,
                };
                people::create(tx, &input, Some(&hash), now).map(|p| p.id)
            };
            w.admin = person(tx, "admin@vendor.test", Role::Admin, None)?;
            w.agent = person(tx, "agent@vendor.test", Role::Agent, None)?;
            w.agent2 = person(tx, "agent2@vendor.test", Role::Agent, None)?;
            w.supervisor = person(tx, "kierownik@vendor.test", Role::Supervisor, None)?;
            w.rozy_user = person(tx, "recepcja@pod-rozami.test", Role::CustomerUser, Some(w.rozy))?;
            w.rozy_user2 = person(tx, "spa@pod-rozami.test", Role::CustomerUser, Some(w.rozy))?;
            w.rozy_admin = person(tx, "it@pod-rozami.test", Role::CustomerAdmin, Some(w.rozy))?;
            w.zdroj_user = person(tx, "recepcja@zdroj.test", Role::CustomerUser, Some(w.zdroj))?;
            w.chain_admin = person(tx, "it@baltyk.test", Role::CustomerAdmin, Some(w.chain))?;
            w.sopot_user = person(tx, "recepcja@sopot.baltyk.test", Role::CustomerUser, Some(w.sopot))?;
            w.team = orgs::save_team(tx, None, "Zespół PremiumHotel", &[w.agent, w.agent2], now)?.id;
            w.premium = orgs::save_product(tx, None, "premiumhotel", "PremiumHotel", Some(w.team), now)?.id;
            w.kuracjusz = orgs::save_product(tx, None, "kuracjusz", "Kuracjusz", None, now)?.id;
            Ok::<_, deskbell_store::StoreError>(w)
        })
        .expect("seed")
}

impl TestApp {
    /// Starts the app; `None` when the backend is PostgreSQL and it is unreachable outside CI.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}, None).await
    }

    /// Starts the app with a hand-set clock.
    pub async fn spawn_at(backend: Backend, t: Timestamp) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}, Some(Arc::new(FixedClock::new(t)))).await
    }

    pub async fn spawn_with(
        backend: Backend,
        tweak: impl FnOnce(&mut Config),
        clock: Option<Arc<FixedClock>>,
    ) -> Option<TestApp> {
        let db = TestDb::new(backend)?;
        let mut config = Config { database_url: Secret::new(db.url.clone()), pool_size: 4, ..Config::default() };
        tweak(&mut config);
        let store = tokio::task::spawn_blocking({
            let url = db.url.clone();
            move || {
                let store = Store::open(&url, &StoreOptions { pool_size: 4 }).expect("open store");
                store.migrate().expect("migrate");
                store
            }
        })
        .await
        .expect("join");
        let world = {
            let s = store.clone();
            tokio::task::spawn_blocking(move || seed(&s)).await.expect("join")
        };
        let c: Arc<dyn Clock> = match &clock {
            Some(c) => c.clone(),
            None => Arc::new(SystemClock),
        };
        let state = AppState::new(store.clone(), config, c);
        state.record_base_url().await.expect("record the base URL");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app::serve(listener, state, async move {
            let _ = rx.await;
        }));
        Some(TestApp { base: format!("http://{addr}"), store, world, clock, _db: db, _shutdown: tx })
    }

    /// A client that is not logged in.
    pub fn anonymous(&self) -> Client {
        Client::new(&self.base, None)
    }

    /// Logs in with the seeded password.
    pub async fn login(&self, email: &str) -> Client {
        let mut c = Client::new(&self.base, None);
        let (status, body) = c.post("/api/v1/auth/login", &json!({"email": email, "password": PASSWORD})).await;
        assert_eq!(status, StatusCode::OK, "login of {email}: {body}");
        c.csrf = body["csrf_token"].as_str().map(str::to_owned);
        c
    }

    /// Turns routing off, for stories about something else that count assignments,
    /// notifications or history events exactly.
    pub async fn without_routing(&self) {
        let admin = self.login("admin@vendor.test").await;
        let (s, body) = admin.put("/api/v1/settings/routing", &json!({"enabled": false})).await;
        assert_eq!(s, StatusCode::OK, "{body}");
    }

    /// A client authenticated with a fresh API token of `email`.
    pub async fn with_token(&self, email: &str, scopes: &[&str]) -> Client {
        let token = format!("dsk_test_{}", deskbell_server::auth::random_token());
        let hash = deskbell_server::auth::token_hash(&token);
        let email: deskbell_domain::person::EmailAddress = email.parse().expect("email");
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            store
                .write(|tx| {
                    let p = people::by_email(tx, &email)?.expect("person");
                    deskbell_store::auth::create_token(tx, p.id, "test", &hash, &scopes, Timestamp::now())
                })
                .expect("token")
        })
        .await
        .expect("join");
        Client::new(&self.base, Some(token))
    }

    /// Runs `f` against the store on a blocking thread (to check what was written).
    pub async fn db<T: Send + 'static>(&self, f: impl FnOnce(&mut deskbell_store::Tx<'_>) -> T + Send + 'static) -> T {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.read(|tx| Ok::<_, deskbell_store::StoreError>(f(tx))).expect("read"))
            .await
            .expect("join")
    }

    pub async fn count(&self, table: &'static str) -> i64 {
        self.db(move |tx| {
            tx.query_one(&format!("SELECT COUNT(*) FROM {table}"), &[]).and_then(|r| r.i64(0)).expect("count")
        })
        .await
    }

    /// Counts of the tables a failed request must not have touched.
    pub async fn snapshot(&self) -> Vec<i64> {
        let mut v = Vec::new();
        for t in [
            "tickets",
            "articles",
            "ticket_events",
            "attachments",
            "blobs",
            "people",
            "organisations",
            "clock_events",
            "mail_messages",
            "mail_quarantine",
            "outbox",
        ] {
            v.push(self.count(t).await);
        }
        v
    }
}

/// A person's HTTP client: keeps the session cookie and sends the CSRF token.
pub struct Client {
    base: String,
    http: reqwest::Client,
    pub csrf: Option<String>,
    token: Option<String>,
}

impl Client {
    fn new(base: &str, token: Option<String>) -> Client {
        let http = reqwest::Client::builder().cookie_store(true).build().expect("client");
        Client { base: base.to_owned(), http, csrf: None, token }
    }

    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        }
        if let Some(c) = &self.csrf {
            r = r.header("x-csrf-token", c);
        }
        r
    }

    pub async fn send(&self, r: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let res = r.send().await.expect("request");
        let status = res.status();
        let text = res.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, body)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.req(reqwest::Method::GET, path)).await
    }

    pub async fn post(&mut self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(self.req(reqwest::Method::POST, path).json(body)).await
    }

    pub fn delete_req(&self, path: &str) -> reqwest::RequestBuilder {
        self.req(reqwest::Method::DELETE, path)
    }

    pub async fn patch(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(self.req(reqwest::Method::PATCH, path).json(body)).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(self.req(reqwest::Method::PUT, path).json(body)).await
    }

    /// A POST with a raw body and content type (for malformed input).
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> (StatusCode, Value) {
        self.send(self.req(reqwest::Method::POST, path).header("content-type", content_type).body(body)).await
    }

    pub async fn post_multipart(&self, path: &str, form: reqwest::multipart::Form) -> (StatusCode, Value) {
        self.send(self.req(reqwest::Method::POST, path).multipart(form)).await
    }

    /// Raw response, for downloads and headers.
    pub async fn get_raw(&self, path: &str) -> reqwest::Response {
        self.req(reqwest::Method::GET, path).send().await.expect("request")
    }

    pub fn without_csrf(mut self) -> Self {
        self.csrf = None;
        self
    }
}

/// Generates a SQLite and a PostgreSQL variant of each async test `fn(TestApp)`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::support::TestApp::spawn(deskbell_store::testing::Backend::Sqlite).await.expect("sqlite");
                    super::$name(app).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(app) = $crate::support::TestApp::spawn(deskbell_store::testing::Backend::Postgres).await else { return };
                    super::$name(app).await
                }
            )*
        }
    };
}

/// Like [`both_backends!`], with the app's clock set by hand (starting at `$at`), so a test
/// moves time instead of waiting.
#[macro_export]
macro_rules! both_backends_at {
    ($at:literal: $($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let at = $at.parse().expect("instant");
                    let app = $crate::support::TestApp::spawn_at(deskbell_store::testing::Backend::Sqlite, at).await.expect("sqlite");
                    super::$name(app).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let at = $at.parse().expect("instant");
                    let Some(app) = $crate::support::TestApp::spawn_at(deskbell_store::testing::Backend::Postgres, at).await else { return };
                    super::$name(app).await
                }
            )*
        }
    };
}

/// Opens a ticket as `client` and returns its number.
pub async fn open_ticket(client: &mut Client, body: Value) -> i64 {
    let (status, res) = client.post("/api/v1/tickets", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{res}");
    res["ticket"]["number"].as_i64().expect("number")
}

/// The three local-IT checks, all answered.
pub fn checks() -> Value {
    json!({"other_systems_work": true, "recent_changes": false, "network_and_servers_work": true})
}
