//! A customer admin's colleagues: the list, inviting one (a customer person without a
//! password, and a link valid for a week to choose it), deactivating and reactivating; and
//! the invited person's page that sets the password and logs them in.
//!
//! Only people of the admin's own organisations are ever shown or changed: anyone else's id
//! is "not found", whoever it belongs to.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use deskbell_domain::person::{EmailAddress, Language, Role};
use deskbell_store::people::{self, Person, PersonInput};
use deskbell_store::{forms as store_forms, orgs};
use serde::Deserialize;

use super::text;
use crate::admin::api::{check_person, may_manage};
use crate::auth::{Actor, cookie_value, hash_password, random_token, start_session, token_hash, validate_password};
use crate::error::ApiError;
use crate::mail::outbox;
use crate::mail::templates::INVITATION_DAYS;
use crate::state::AppState;
use crate::web::ctx::{self, Ctx, LANG_COOKIE, PageError, PageResult};
use crate::web::forms::Errors;
use crate::web::i18n::{self, fill};

/// Longest name of a person.
const NAME_MAX: usize = 200;
/// Longest invitation token a link can carry (ours are 43 characters).
const TOKEN_MAX: usize = 200;

fn customer_admin(c: &Ctx) -> Result<Actor, PageError> {
    let a = c.customer()?;
    if a.role() != Role::CustomerAdmin {
        return Err(ApiError::forbidden("only the organisation's administrator manages its users").into());
    }
    Ok(a.clone())
}

struct UserRow {
    id: i64,
    name: String,
    email: String,
    organisation: String,
    role: &'static str,
    language: &'static str,
    active: bool,
    /// Invited, no password chosen yet.
    pending: bool,
    me: bool,
}

struct OrgOption {
    id: String,
    name: String,
    selected: bool,
}

/// What the admin typed into the invitation form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InviteFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    organisation_id: String,
}

#[derive(Template)]
#[template(path = "help/users.html")]
struct UsersPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    rows: Vec<UserRow>,
    orgs: Vec<OrgOption>,
    f: InviteFields,
    errors: Errors,
    notice: Option<String>,
    /// The invitation link, when no mail could carry it.
    link: Option<String>,
}

impl UsersPage<'_> {
    fn deactivate_label(&self, name: &str) -> String {
        fill(self.c.t.help_users_deactivate_label, &[("name", name)])
    }

    fn reactivate_label(&self, name: &str) -> String {
        fill(self.c.t.help_users_reactivate_label, &[("name", name)])
    }
}

#[derive(Deserialize)]
pub struct UsersQuery {
    done: Option<String>,
    name: Option<String>,
}

/// What the users page shows besides the list.
#[derive(Default)]
struct Shown {
    f: InviteFields,
    errors: Errors,
    notice: Option<String>,
    link: Option<String>,
}

impl Shown {
    fn error(field: &str, message: &str) -> Shown {
        let mut errors = Errors::default();
        errors.add(field, message);
        Shown { errors, ..Shown::default() }
    }
}

async fn page(state: &AppState, c: &Ctx, actor: Actor, shown: Shown, status: StatusCode) -> PageResult {
    let Shown { f, errors, notice, link } = shown;
    let t = c.t;
    let me = actor.id();
    let own = actor.person.organisation_id;
    let (people, orgs) = state
        .read(move |tx| {
            let ids = actor.organisations().unwrap_or_default();
            let orgs = orgs::list(tx, Some(&ids))?;
            let list = people::list(tx, Some(&ids))?;
            let mut rows = Vec::new();
            for p in list.into_iter().filter(|p| p.role.is_customer()) {
                let pending = p.active && people::password_hash(tx, p.id)?.is_none();
                rows.push((p, pending));
            }
            Ok((rows, orgs))
        })
        .await?;
    let org_name = |id: Option<i64>| orgs.iter().find(|o| Some(o.id) == id).map(|o| o.name.clone()).unwrap_or_default();
    let rows = people
        .into_iter()
        .map(|(p, pending)| UserRow {
            id: p.id,
            name: p.name.clone(),
            email: p.email.as_str().to_owned(),
            organisation: org_name(p.organisation_id),
            role: t.role(p.role),
            language: if p.language == Language::Pl { t.language_pl } else { t.language_en },
            active: p.active,
            pending,
            me: p.id == me,
        })
        .collect();
    let chosen = if f.organisation_id.is_empty() {
        own.map(|o| o.to_string()).unwrap_or_default()
    } else {
        f.organisation_id.clone()
    };
    let orgs = orgs
        .iter()
        .map(|o| OrgOption { id: o.id.to_string(), name: o.name.clone(), selected: o.id.to_string() == chosen })
        .collect();
    let p = UsersPage { c, section: "users", rows, orgs, f, errors, notice, link };
    ctx::html_status(status, &p)
}

/// GET /help/users
pub async fn list(State(state): State<AppState>, c: Ctx, Query(q): Query<UsersQuery>) -> PageResult {
    let actor = customer_admin(&c)?;
    let name = q.name.unwrap_or_default();
    let t = c.t;
    let notice = match q.done.as_deref() {
        Some("invited") => Some(fill(t.help_users_done_invited, &[("name", &name)])),
        Some("deactivated") => Some(fill(t.help_users_done_deactivated, &[("name", &name)])),
        Some("reactivated") => Some(fill(t.help_users_done_reactivated, &[("name", &name)])),
        _ => None,
    };
    page(&state, &c, actor, Shown { notice, ..Shown::default() }, StatusCode::OK).await
}

/// Creates an invitation for `person` and queues its mail; the token and whether a mail
/// could carry it.
fn send_invitation(
    tx: &mut deskbell_store::Tx<'_>,
    actor: &Actor,
    person: &Person,
    now: jiff::Timestamp,
) -> Result<(String, bool), ApiError> {
    let token = random_token();
    let expires = now + jiff::SignedDuration::from_hours(24 * INVITATION_DAYS);
    store_forms::create_invitation(tx, &token_hash(&token), person.id, actor.id(), now, expires)?;
    let org = match person.organisation_id {
        Some(o) => orgs::get(tx, o)?.name,
        None => String::new(),
    };
    let mailed = outbox::invitation(tx, person, &actor.person, &org, &token, now)?;
    Ok((token, mailed))
}

/// The answer to a sent invitation: back to the list, or the link itself when no mail
/// could carry it.
async fn invited(state: &AppState, c: &Ctx, actor: Actor, name: &str, token: String, mailed: bool) -> PageResult {
    if mailed {
        return Ok(ctx::see_other(
            c,
            &format!("/help/users?done=invited&name={}", crate::web::forms::percent_encode(name)),
        ));
    }
    let link = format!("{}/invite/{token}", state.config.base_url.trim_end_matches('/'));
    let notice = Some(fill(c.t.help_users_done_not_mailed, &[("name", name)]));
    page(state, c, actor, Shown { notice, link: Some(link), ..Shown::default() }, StatusCode::OK).await
}

/// POST /help/users — invite a colleague.
pub async fn invite(State(state): State<AppState>, c: Ctx, Form(f): Form<InviteFields>) -> PageResult {
    let actor = customer_admin(&c)?;
    let t = c.t;
    let mut errors = Errors::default();
    let name = text(&f.name, NAME_MAX, false, t.help_users_err_name, t.help_err_too_long)
        .map_err(|m| errors.add("name", m))
        .ok();
    let email = f.email.trim().parse::<EmailAddress>().map_err(|_| errors.add("email", t.help_users_err_email)).ok();
    let language = match f.language.as_str() {
        "" | "pl" => Language::Pl,
        "en" => Language::En,
        _ => {
            errors.add("language", t.help_users_err_language);
            Language::Pl
        }
    };
    let role = match f.role.as_str() {
        "" | "customer_user" => Role::CustomerUser,
        "customer_admin" => Role::CustomerAdmin,
        _ => {
            errors.add("role", t.help_users_err_role);
            Role::CustomerUser
        }
    };
    let organisation_id = match f.organisation_id.trim() {
        "" => actor.person.organisation_id,
        v => v.parse::<i64>().ok().filter(|o| actor.may_see_organisation(*o)),
    };
    if organisation_id.is_none() {
        errors.add("organisation_id", t.help_users_err_organisation);
    }
    let (Some(name), Some(email), Some(org), true) = (name, email, organisation_id, errors.is_empty()) else {
        return page(&state, &c, actor, Shown { f, errors, ..Shown::default() }, StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    };
    let now = c.now;
    let writer = actor.clone();
    let result = state
        .write(move |tx| {
            let mut input =
                PersonInput { email, name, role, organisation_id: Some(org), phone: None, language, active: true };
            may_manage(&writer, input.role, input.organisation_id)?;
            check_person(tx, &mut input)?;
            if let Some(existing) = people::by_email(tx, &input.email)? {
                // Whether an address has an account elsewhere is another organisation's business.
                let ours = existing.organisation_id.is_some_and(|o| writer.may_see_organisation(o));
                let code = if ours { "person_exists_here" } else { "person_exists" };
                return Err(ApiError::conflict(code, "this address has an account").with_field("email"));
            }
            let person = people::create(tx, &input, None, now)?;
            let (token, mailed) = send_invitation(tx, &writer, &person, now)?;
            Ok((person, token, mailed))
        })
        .await;
    match result {
        Ok((person, token, mailed)) => invited(&state, &c, actor, &person.name, token, mailed).await,
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            let mut errors = Errors::default();
            match (e.code, e.field.as_deref()) {
                ("person_exists_here", _) => errors.add("email", t.help_users_err_exists_here),
                ("person_exists" | "already_exists", _) => errors.add("email", t.help_users_err_exists),
                (_, Some("name")) => errors.add("name", t.help_users_err_name),
                (_, Some("organisation_id")) => errors.add("organisation_id", t.help_users_err_organisation),
                _ => errors.add("_form", e.message.clone()),
            }
            page(&state, &c, actor, Shown { f, errors, ..Shown::default() }, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A colleague the admin may change: a customer person of one of their organisations.
fn colleague(tx: &mut deskbell_store::Tx<'_>, actor: &Actor, id: i64) -> Result<Person, ApiError> {
    let missing = || ApiError::not_found("person");
    let p = people::get(tx, id).map_err(|_| missing())?;
    if p.role.is_vendor() || !p.organisation_id.is_some_and(|o| actor.may_see_organisation(o)) {
        return Err(missing());
    }
    may_manage(actor, p.role, p.organisation_id).map_err(|_| missing())?;
    Ok(p)
}

/// POST /help/users/{id}/invitation — a new invitation link for someone who has not yet
/// chosen a password.
pub async fn invite_again(State(state): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let actor = customer_admin(&c)?;
    let now = c.now;
    let writer = actor.clone();
    let result = state
        .write(move |tx| {
            let p = colleague(tx, &writer, id)?;
            if !p.active || people::password_hash(tx, p.id)?.is_some() {
                return Err(ApiError::conflict("not_pending", "this person has already chosen a password"));
            }
            let (token, mailed) = send_invitation(tx, &writer, &p, now)?;
            Ok((p, token, mailed))
        })
        .await;
    match result {
        Ok((p, token, mailed)) => invited(&state, &c, actor, &p.name, token, mailed).await,
        Err(e) if e.code == "not_pending" => {
            page(&state, &c, actor, Shown::error("_list", c.t.help_users_err_not_pending), StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ActiveFields {
    #[serde(default)]
    active: String,
}

/// POST /help/users/{id}/active — deactivate (`active=false`: logged out at once, cannot log
/// in) or reactivate a colleague; never oneself.
pub async fn set_active(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ActiveFields>,
) -> PageResult {
    let actor = customer_admin(&c)?;
    let active = match f.active.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(ApiError::invalid("active", "true or false").into()),
    };
    if id == actor.id() {
        let shown = Shown::error("_list", c.t.help_users_err_self);
        return page(&state, &c, actor, shown, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let now = c.now;
    let writer = actor.clone();
    let p = state
        .write(move |tx| {
            let p = colleague(tx, &writer, id)?;
            let input = PersonInput {
                email: p.email,
                name: p.name,
                role: p.role,
                organisation_id: p.organisation_id,
                phone: p.phone,
                language: p.language,
                active,
            };
            Ok(people::update(tx, id, &input, now)?)
        })
        .await?;
    let done = if active { "reactivated" } else { "deactivated" };
    Ok(ctx::see_other(&c, &format!("/help/users?done={done}&name={}", crate::web::forms::percent_encode(&p.name))))
}

// ---------------------------------------------------------------- accepting an invitation

#[derive(Template)]
#[template(path = "help/invite.html")]
struct InvitePage<'a> {
    c: &'a Ctx,
    section: &'a str,
    /// The invited person and their organisation; `None` for a link that is not (or no
    /// longer) valid.
    who: Option<(String, String, String)>,
    token: &'a str,
    errors: Errors,
}

impl InvitePage<'_> {
    fn welcome(&self) -> String {
        match &self.who {
            Some((name, _, org)) => fill(self.c.t.help_invite_welcome, &[("name", name), ("organisation", org)]),
            None => String::new(),
        }
    }
}

/// The invited person of a token, with their organisation's name.
async fn invitee(state: &AppState, token: &str) -> Result<Option<(Person, String)>, ApiError> {
    if token.is_empty() || token.len() > TOKEN_MAX {
        return Ok(None);
    }
    let (hash, now) = (token_hash(token), state.now());
    state
        .read(move |tx| {
            let Some(id) = store_forms::invitation(tx, &hash, now)? else { return Ok(None) };
            let p = people::get(tx, id)?;
            if !p.active {
                return Ok(None);
            }
            let org = match p.organisation_id {
                Some(o) => orgs::get(tx, o)?.name,
                None => String::new(),
            };
            Ok(Some((p, org)))
        })
        .await
}

/// The page in the invited person's language, unless the visitor chose one.
fn in_language_of(c: &Ctx, headers: &HeaderMap, p: Option<&Person>) -> Ctx {
    let mut c = c.clone();
    if let Some(p) = p
        && !c.logged_in()
        && cookie_value(headers, LANG_COOKIE).is_none()
    {
        c.lang = p.language;
        c.t = i18n::catalogue(p.language);
    }
    c
}

fn invite_page(c: &Ctx, who: Option<&(Person, String)>, token: &str, errors: Errors, status: StatusCode) -> PageResult {
    let who = who.map(|(p, org)| (p.name.clone(), p.email.as_str().to_owned(), org.clone()));
    let status = if who.is_none() { StatusCode::NOT_FOUND } else { status };
    let token = if who.is_some() { token } else { "" };
    ctx::html_status(status, &InvitePage { c, section: "", who, token, errors })
}

/// GET /invite/{token}
pub async fn accept_form(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> PageResult {
    let who = invitee(&state, &token).await?;
    let c = in_language_of(&c, &headers, who.as_ref().map(|(p, _)| p));
    invite_page(&c, who.as_ref(), &token, Errors::default(), StatusCode::OK)
}

#[derive(Deserialize)]
pub struct AcceptFields {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
}

/// POST /invite/{token} — choose the password; logged in at once.
pub async fn accept(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(f): Form<AcceptFields>,
) -> PageResult {
    let who = invitee(&state, &token).await?;
    let c = in_language_of(&c, &headers, who.as_ref().map(|(p, _)| p));
    let Some((person, _)) = &who else {
        return invite_page(&c, None, &token, Errors::default(), StatusCode::NOT_FOUND);
    };
    let mut errors = Errors::default();
    if validate_password(&f.password).is_err() {
        errors.add("password", c.t.help_invite_err_password);
    } else if f.password != f.password2 {
        errors.add("password2", c.t.help_invite_err_mismatch);
    }
    if !errors.is_empty() {
        return invite_page(&c, who.as_ref(), &token, errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let password = f.password;
    let hash = state.hashing(move || hash_password(&password)).await??;
    let (now, ttl, id, th) = (state.now(), state.config.session_ttl_hours, person.id, token_hash(&token));
    let session = state
        .write(move |tx| {
            if !store_forms::use_invitation(tx, &th, now)? {
                return Ok(None);
            }
            people::set_password_hash(tx, id, &hash, now)?;
            Ok(Some(start_session(tx, id, now, ttl)?))
        })
        .await?;
    let Some((session_token, _csrf)) = session else {
        // Used meanwhile (a second tab) or expired this very moment.
        return invite_page(&c, None, &token, Errors::default(), StatusCode::NOT_FOUND);
    };
    let mut res = ctx::see_other(&c, "/help");
    let max_age = i64::from(ttl) * 3600;
    res.headers_mut().append(header::SET_COOKIE, crate::auth::api::session_cookie(&state, &session_token, max_age));
    if let Ok(v) =
        HeaderValue::from_str(&format!("{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000", person.language))
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}
