//! Who is calling: sessions (cookie + CSRF token), API tokens (`Authorization: Bearer`),
//! password hashing, and what each role may see.

pub mod api;

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use deskbell_domain::person::Role;
use deskbell_domain::ticket::Side;
use deskbell_store::people::Person;
use deskbell_store::tickets::Scope;
use deskbell_store::{StoreError, Tx, auth as store_auth, orgs, people};
use jiff::Timestamp;
use rand_core::{OsRng, RngCore};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "deskbell_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Via {
    Session {
        token_hash: String,
        csrf_token: String,
    },
    Token {
        scopes: Vec<String>,
    },
    /// A message the person sent to a support mailbox (the mail intake acts as its sender).
    Mail {
        mailbox_id: i64,
    },
    /// The secret link of a ticket's mails, which only its requester received: enough to
    /// confirm that ticket's solution, nothing else.
    TrackingLink,
}

/// The authenticated caller and what they may see.
#[derive(Debug, Clone)]
pub struct Actor {
    pub person: Person,
    pub scope: Scope,
    pub via: Via,
}

impl Actor {
    pub fn id(&self) -> i64 {
        self.person.id
    }

    pub fn role(&self) -> Role {
        self.person.role
    }

    pub fn side(&self) -> Side {
        self.person.role.into()
    }

    pub fn is_vendor(&self) -> bool {
        self.person.role.is_vendor()
    }

    /// Builds the actor of a person: the scope follows DESIGN §1.
    pub fn load(tx: &mut Tx<'_>, person: Person, via: Via) -> Result<Actor, StoreError> {
        let scope = match (person.role, person.organisation_id) {
            (r, _) if r.is_vendor() => Scope::All,
            (Role::CustomerAdmin, Some(org)) => Scope::Organisations(orgs::with_children(tx, org)?),
            _ => Scope::Requester(person.id),
        };
        Ok(Actor { person, scope, via })
    }

    pub fn require_vendor(&self) -> ApiResult<()> {
        if self.is_vendor() { Ok(()) } else { Err(ApiError::forbidden("only the vendor's support staff may do this")) }
    }

    pub fn require_admin(&self) -> ApiResult<()> {
        if self.person.role != Role::Admin {
            return Err(ApiError::forbidden("only an administrator may do this"));
        }
        self.require_token_scope("admin")
    }

    pub fn require_supervisor(&self) -> ApiResult<()> {
        if matches!(self.person.role, Role::Supervisor | Role::Admin) {
            Ok(())
        } else {
            Err(ApiError::forbidden("only a supervisor may do this"))
        }
    }

    fn require_token_scope(&self, scope: &str) -> ApiResult<()> {
        match &self.via {
            Via::Token { scopes } if !scopes.iter().any(|s| s == scope) => {
                Err(ApiError::forbidden(format!("this API token lacks the `{scope}` scope")))
            }
            _ => Ok(()),
        }
    }

    /// Organisations whose records (people, installations) the caller may list; `None` = all.
    pub fn organisations(&self) -> Option<Vec<i64>> {
        match &self.scope {
            Scope::All => None,
            Scope::Organisations(ids) => Some(ids.clone()),
            Scope::Requester(_) => Some(self.person.organisation_id.into_iter().collect()),
        }
    }

    pub fn may_see_organisation(&self, id: i64) -> bool {
        self.organisations().is_none_or(|ids| ids.contains(&id))
    }
}

/// 32 random bytes, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Only hashes of session and API tokens are stored. The tokens are random, so a fast hash
/// is enough (unlike passwords).
pub fn token_hash(token: &str) -> String {
    deskbell_store::attachments::sha256_hex(token.as_bytes())
}

thread_local! {
    /// Argon2's working memory (19 MiB with the default parameters), kept by each thread that
    /// hashes (in the server: only the password thread, see `AppState::hashing`). Allocating
    /// it afresh per login left each buffer behind in malloc's arenas: 20 logins grew an
    /// idle server from 13 MB to 110 MB.
    static ARGON2_MEMORY: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The raw argon2 output of `password` and `salt` under `argon2` / `params`.
fn argon2_output(
    argon2: &Argon2<'_>,
    params: &Params,
    password: &str,
    salt: &[u8],
    len: usize,
) -> Result<Output, argon2::password_hash::Error> {
    Output::init_with(len, |out| {
        ARGON2_MEMORY.with(|memory| {
            let mut memory = memory.borrow_mut();
            if memory.len() < params.block_count() {
                memory.resize(params.block_count(), argon2::Block::default());
            }
            argon2.hash_password_into_with_memory(password.as_bytes(), salt, out, &mut memory[..params.block_count()])
        })?;
        Ok(())
    })
}

/// An argon2id hash in the PHC string format (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    let params = Params::default();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut buf = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut buf).map_err(ApiError::internal)?;
    let output = argon2_output(&argon2, &params, password, salt_bytes, Params::DEFAULT_OUTPUT_LEN)
        .map_err(ApiError::internal)?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(ApiError::internal)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// Whether `password` matches a stored PHC hash (with whatever argon2 parameters it names).
pub fn verify_password(password: &str, hash: &str) -> bool {
    let check = || -> Result<bool, argon2::password_hash::Error> {
        let h = PasswordHash::new(hash)?;
        let algorithm = Algorithm::try_from(h.algorithm)?;
        let version = h.version.map(Version::try_from).transpose()?.unwrap_or_default();
        let params = Params::try_from(&h)?;
        let (Some(salt), Some(expected)) = (h.salt, h.hash) else { return Ok(false) };
        let mut buf = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut buf)?;
        let argon2 = Argon2::new(algorithm, version, params.clone());
        // `Output`'s equality is constant-time.
        Ok(argon2_output(&argon2, &params, password, salt_bytes, expected.len())? == expected)
    };
    check().unwrap_or(false)
}

/// A real argon2 hash of a random password: verifying against it when the address is
/// unknown makes both answers take the same time, so timing does not reveal who has an account.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&random_token()).unwrap_or_default())
}

pub fn validate_password(password: &str) -> ApiResult<()> {
    let n = password.chars().count();
    if !(4..=1024).contains(&n) {
        return Err(ApiError::invalid("password", "a password has 4 to 1024 characters"));
    }
    Ok(())
}

/// Why a password login did not start a session.
#[derive(Debug)]
pub enum LoginFailure {
    /// Unknown address, wrong password or a deactivated person: one answer for all three.
    Wrong,
    /// Too many failures for this address recently.
    Throttled {
        minutes: u32,
    },
    Error(ApiError),
}

impl From<ApiError> for LoginFailure {
    fn from(e: ApiError) -> Self {
        LoginFailure::Error(e)
    }
}

/// Checks an e-mail and password, throttled per address, and starts a session: the one login
/// of the API and the pages. Returns the cookie token, the CSRF token and the person.
pub async fn password_login(
    state: &AppState,
    email: &str,
    password: String,
) -> Result<(String, String, Person), LoginFailure> {
    let email: deskbell_domain::person::EmailAddress = email.trim().parse().map_err(|_| LoginFailure::Wrong)?;
    let now = state.now();
    let window = jiff::SignedDuration::from_mins(state.config.login_window_minutes.into());
    let since = now.checked_sub(window).map_err(ApiError::internal)?;
    let max = i64::from(state.config.login_max_failures);
    let lookup = email.clone();
    let (failures, person, hash) = state
        .read(move |tx| {
            let failures = store_auth::recent_failures(tx, lookup.as_str(), since)?;
            let person = people::by_email(tx, &lookup)?;
            let hash = match &person {
                Some(p) if p.active => people::password_hash(tx, p.id)?,
                _ => None,
            };
            Ok((failures, person, hash))
        })
        .await?;
    if failures >= max {
        return Err(LoginFailure::Throttled { minutes: state.config.login_window_minutes });
    }
    let ok = state
        .hashing(move || {
            let hash = hash.unwrap_or_else(|| dummy_hash().to_owned());
            verify_password(&password, &hash)
        })
        .await?;
    let person = person.filter(|p| ok && p.active);
    let ttl = state.config.session_ttl_hours;
    let record = email.clone();
    let session = state
        .write(move |tx| {
            store_auth::record_login_attempt(tx, record.as_str(), person.is_some(), now)?;
            match person {
                Some(p) => Ok(Some((start_session(tx, p.id, now, ttl)?, p))),
                None => Ok(None),
            }
        })
        .await?;
    match session {
        Some(((token, csrf), person)) => Ok((token, csrf, person)),
        None => {
            tracing::info!(domain = email.domain(), "failed login");
            Err(LoginFailure::Wrong)
        }
    }
}

/// The person behind the session cookie; `None` without a cookie or when the session has
/// expired or was ended.
pub async fn session_actor(state: &AppState, headers: &axum::http::HeaderMap) -> ApiResult<Option<Actor>> {
    let Some(session) = cookie_value(headers, SESSION_COOKIE) else { return Ok(None) };
    let hash = token_hash(&session);
    let now = state.now();
    state
        .lookup(move |tx| {
            let Some(s) = store_auth::session(tx, &hash, now)? else { return Ok(None) };
            Ok(Some(Actor::load(tx, s.person, Via::Session { token_hash: hash, csrf_token: s.csrf_token })?))
        })
        .await
}

pub fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Actor, ApiError> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned());
        let safe = is_safe(&parts.method);
        if let Some(token) = bearer {
            let hash = token_hash(&token);
            let actor = state
                .lookup(move |tx| {
                    let Some(t) = store_auth::token(tx, &hash)? else { return Ok(None) };
                    Ok(Some(Actor::load(tx, t.person, Via::Token { scopes: t.scopes })?))
                })
                .await?
                .ok_or_else(|| {
                    ApiError::new(
                        axum::http::StatusCode::UNAUTHORIZED,
                        "invalid_token",
                        "the API token is unknown or revoked",
                    )
                })?;
            actor.require_token_scope(if safe { "read" } else { "write" })?;
            return Ok(actor);
        }
        if cookie_value(&parts.headers, SESSION_COOKIE).is_none() {
            return Err(ApiError::unauthorized());
        }
        let actor = session_actor(state, &parts.headers).await?.ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "session_expired",
                "your session has expired; log in again",
            )
        })?;
        if !safe {
            // A cookie is sent by the browser on any site's request; only our own pages
            // know the CSRF token, so it proves the request came from them.
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
            let Via::Session { csrf_token, .. } = &actor.via else { return Err(ApiError::unauthorized()) };
            if !constant_time_eq(sent.as_bytes(), csrf_token.as_bytes()) {
                return Err(ApiError::forbidden("missing or wrong CSRF token (send the X-CSRF-Token header)")
                    .with_code("csrf_failed"));
            }
        }
        Ok(actor)
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl ApiError {
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }
}

/// Creates a session; returns the cookie token and the CSRF token.
pub fn start_session(
    tx: &mut Tx<'_>,
    person_id: i64,
    now: Timestamp,
    ttl_hours: u32,
) -> Result<(String, String), StoreError> {
    let token = random_token();
    let csrf = random_token();
    let expires = now
        .checked_add(jiff::SignedDuration::from_hours(ttl_hours.into()))
        .map_err(|e| StoreError::Db(e.to_string()))?;
    store_auth::create_session(tx, &token_hash(&token), person_id, &csrf, now, expires)?;
    Ok((token, csrf))
}

#[cfg(test)]
mod password_tests {
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    use super::*;

    #[test]
    fn our_hashes_are_standard_argon2id_phc_strings_and_standard_ones_verify() {
        let ours = hash_password("zażółć gęślą jaźń").unwrap();
        assert!(ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{ours}");
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password("zażółć gęślą jaźń".as_bytes(), &parsed).is_ok());
        assert!(verify_password("zażółć gęślą jaźń", &ours));
        assert!(!verify_password("zazolc gesla jazn", &ours));

        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default().hash_password(b"demo", &salt).unwrap().to_string();
        assert!(verify_password("demo", &theirs));
        assert!(!verify_password("Demo", &theirs));
        assert!(!verify_password("demo", "not a hash"));
        assert!(!verify_password("demo", ""));
    }
}
