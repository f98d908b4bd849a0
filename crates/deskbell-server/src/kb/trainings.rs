//! Trainings and webinars: events written by the vendor's staff, registration by customer
//! users with a confirmation mail (through the outbox, in the registration's transaction),
//! a waiting list promoted when someone cancels (the promoted person is mailed too),
//! recordings and materials afterwards. The catalogue is `/help/trainings`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use deskbell_domain::kb::{Reader, RegistrationStatus};
use deskbell_domain::person::Language;
use deskbell_store::trainings::{self, Refusal, Registration, Training, TrainingInput};
use deskbell_store::{Tx, orgs, people};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::markdown::to_html;
use super::{MaybeActor, text, web_url};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::Json;
use crate::mail::outbox;
use crate::mail::templates::Template;
use crate::patch::{Patch, double_option};
use crate::state::AppState;
use crate::tickets::api::Q;
use crate::web::i18n::{self, catalogue, fill};

const TITLE_MAX: usize = 200;
const TEXT_MAX: usize = 50_000;
const CAPACITY_MAX: i64 = 10_000;
const DURATION_MAX: i64 = 7 * 24 * 60;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_trainings, create_training))
        .routes(routes!(get_training, update_training))
        .routes(routes!(register, cancel))
        .routes(routes!(list_registrations))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingView {
    pub id: i64,
    pub title: String,
    /// Markdown, and rendered.
    pub description: String,
    pub description_html: String,
    pub product_id: Option<i64>,
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: Timestamp,
    /// The IANA time zone the start is announced in.
    pub time_zone: String,
    /// The start in that zone, e.g. `2026-12-10T11:00:00+01:00[Europe/Warsaw]`.
    pub starts_local: String,
    pub duration_minutes: i64,
    /// The meeting link: for registered people and the vendor's staff only.
    pub online_url: Option<String>,
    pub capacity: i64,
    pub waiting_list: bool,
    pub registered: i64,
    pub waiting: i64,
    pub places_left: i64,
    pub recording_url: Option<String>,
    pub materials: String,
    pub materials_html: String,
    /// The caller's registration, if any.
    #[schema(schema_with = crate::schema::registration_status)]
    pub my_status: Option<RegistrationStatus>,
}

impl TrainingView {
    /// The training as `viewer` sees it: the meeting link only for the vendor's staff and the
    /// people holding a place; the recording and materials only for logged-in people.
    pub fn new(t: Training, mine: Option<RegistrationStatus>, viewer: Reader) -> TrainingView {
        let e = t.event;
        let tz = i18n::time_zone(&e.time_zone);
        let show_link = viewer == Reader::Vendor || mine == Some(RegistrationStatus::Registered);
        let logged_in = viewer != Reader::Anonymous;
        TrainingView {
            description_html: to_html(&e.description),
            materials_html: if logged_in { to_html(&e.materials) } else { String::new() },
            starts_local: e.starts_at.to_zoned(tz).to_string(),
            places_left: (e.capacity - t.registered).max(0),
            online_url: if show_link { e.online_url } else { None },
            id: t.id,
            title: e.title,
            description: e.description,
            product_id: e.product_id,
            starts_at: e.starts_at,
            time_zone: e.time_zone,
            duration_minutes: e.duration_minutes,
            capacity: e.capacity,
            waiting_list: e.waiting_list,
            registered: t.registered,
            waiting: t.waiting,
            recording_url: if logged_in { e.recording_url } else { None },
            materials: if logged_in { e.materials } else { String::new() },
            my_status: mine,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingCreate {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub product_id: Option<i64>,
    /// RFC 3339 instant, or a local time with `time_zone` (`2026-12-10T11:00`).
    pub starts_at: String,
    /// IANA time zone; default Europe/Warsaw.
    pub time_zone: Option<String>,
    pub duration_minutes: i64,
    pub online_url: Option<String>,
    pub capacity: i64,
    /// Keep a waiting list when full (default true).
    pub waiting_list: Option<bool>,
    pub recording_url: Option<String>,
    #[serde(default)]
    pub materials: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingUpdate {
    pub title: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub product_id: Patch<i64>,
    pub starts_at: Option<String>,
    pub time_zone: Option<String>,
    pub duration_minutes: Option<i64>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub online_url: Patch<String>,
    pub capacity: Option<i64>,
    pub waiting_list: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub recording_url: Patch<String>,
    pub materials: Option<String>,
}

/// An instant: RFC 3339, or a civil time read in `tz`.
fn start(raw: &str, tz: &str) -> ApiResult<Timestamp> {
    let raw = raw.trim();
    if let Ok(t) = raw.parse::<Timestamp>() {
        return Ok(t);
    }
    let civil: jiff::civil::DateTime = raw.parse().map_err(|_| {
        ApiError::invalid("starts_at", format!("`{raw}` is neither an RFC 3339 instant nor a local date and time"))
    })?;
    let zone = jiff::tz::TimeZone::get(tz).map_err(|_| ApiError::invalid("time_zone", "unknown time zone"))?;
    civil
        .to_zoned(zone)
        .map(|z| z.timestamp())
        .map_err(|e| ApiError::invalid("starts_at", format!("`{raw}` does not exist in {tz}: {e}")))
}

fn check(tx: &mut Tx<'_>, mut i: TrainingInput) -> ApiResult<TrainingInput> {
    i.title = text("title", &i.title, TITLE_MAX, false)?;
    i.description = if i.description.trim().is_empty() {
        String::new()
    } else {
        text("description", &i.description, TEXT_MAX, true)?
    };
    i.materials =
        if i.materials.trim().is_empty() { String::new() } else { text("materials", &i.materials, TEXT_MAX, true)? };
    i.time_zone = crate::admin::api::time_zone("time_zone", &i.time_zone)?;
    if !(1..=DURATION_MAX).contains(&i.duration_minutes) {
        return Err(ApiError::invalid("duration_minutes", format!("a duration is 1 to {DURATION_MAX} minutes")));
    }
    if !(1..=CAPACITY_MAX).contains(&i.capacity) {
        return Err(ApiError::invalid("capacity", format!("capacity is 1 to {CAPACITY_MAX} places")));
    }
    i.online_url = web_url("online_url", i.online_url)?;
    i.recording_url = web_url("recording_url", i.recording_url)?;
    if let Some(p) = i.product_id {
        orgs::product(tx, p).map_err(|_| ApiError::invalid("product_id", "no such product"))?;
    }
    Ok(i)
}

/// Creates a training (vendor staff) after every check of the API.
pub fn new_training(tx: &mut Tx<'_>, actor: &Actor, req: TrainingCreate, now: Timestamp) -> ApiResult<Training> {
    actor.require_vendor()?;
    let tz = req.time_zone.unwrap_or_else(|| "Europe/Warsaw".into());
    let input = TrainingInput {
        starts_at: start(&req.starts_at, &tz)?,
        title: req.title,
        description: req.description,
        product_id: req.product_id,
        time_zone: tz,
        duration_minutes: req.duration_minutes,
        online_url: req.online_url,
        capacity: req.capacity,
        waiting_list: req.waiting_list.unwrap_or(true),
        recording_url: req.recording_url,
        materials: req.materials,
    };
    let input = check(tx, input)?;
    Ok(trainings::create(tx, &input, now)?)
}

/// Changes a training (vendor staff); places freed by a larger capacity go to the waiting
/// list, and each promoted person is mailed.
pub fn change_training(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: i64,
    req: TrainingUpdate,
    now: Timestamp,
) -> ApiResult<Training> {
    actor.require_vendor()?;
    let t = trainings::get(tx, id).map_err(|_| ApiError::not_found("training"))?.event;
    let tz = req.time_zone.unwrap_or(t.time_zone);
    let input = TrainingInput {
        starts_at: match req.starts_at {
            Some(s) => start(&s, &tz)?,
            None => t.starts_at,
        },
        title: req.title.unwrap_or(t.title),
        description: req.description.unwrap_or(t.description),
        product_id: req.product_id.apply(t.product_id),
        time_zone: tz,
        duration_minutes: req.duration_minutes.unwrap_or(t.duration_minutes),
        online_url: req.online_url.apply(t.online_url),
        capacity: req.capacity.unwrap_or(t.capacity),
        waiting_list: req.waiting_list.unwrap_or(t.waiting_list),
        recording_url: req.recording_url.apply(t.recording_url),
        materials: req.materials.unwrap_or(t.materials),
    };
    let input = check(tx, input)?;
    let (t, promoted) = trainings::update(tx, id, &input, now)?;
    for p in promoted {
        notify(tx, &t, p, Template::TrainingPromoted, now)?;
    }
    Ok(t)
}

/// Mails a registration's news to the person, in their language and time zone.
fn notify(tx: &mut Tx<'_>, t: &Training, person_id: i64, template: Template, now: Timestamp) -> ApiResult<()> {
    let person = people::get(tx, person_id)?;
    let zone = match person.organisation_id {
        Some(org) => orgs::time_zone(tx, org)?,
        None => t.event.time_zone.clone(),
    };
    let details = details(person.language, t, &zone, template != Template::TrainingWaiting);
    outbox::training(tx, template, &person, &t.event.title, &details, now)?;
    Ok(())
}

/// When and where, as a person reads it: the start in their zone, the length, the link
/// (only for someone holding a place).
pub fn details(lang: Language, t: &Training, zone: &str, with_link: bool) -> String {
    let c = catalogue(lang);
    let e = &t.event;
    let when = i18n::datetime(lang, e.starts_at, &i18n::time_zone(zone));
    let mut s =
        fill(c.training_when, &[("when", &when), ("zone", zone), ("length", &c.duration(e.duration_minutes * 60))]);
    if let (true, Some(url)) = (with_link, &e.online_url) {
        s.push('\n');
        s.push_str(&fill(c.training_link, &[("url", url)]));
    }
    s
}

/// A refusal as the API reports it: the precise reason, nothing written.
fn refusal(r: Refusal) -> ApiError {
    match r {
        Refusal::Started => {
            ApiError::conflict("training_started", "this training has already started; registration is closed")
        }
        Refusal::Full => {
            ApiError::conflict("training_full", "every place is taken and this training keeps no waiting list")
        }
        Refusal::Already(RegistrationStatus::Waiting) => {
            ApiError::conflict("already_registered", "you are already on the waiting list of this training")
        }
        Refusal::Already(_) => ApiError::conflict("already_registered", "you are already registered for this training"),
    }
}

fn require_customer(actor: &Actor) -> ApiResult<()> {
    if actor.is_vendor() {
        return Err(ApiError::forbidden("trainings are for customers; the vendor's staff run them"));
    }
    Ok(())
}

/// Registers the caller (a customer user) for a training, and queues the confirmation or
/// waiting-list mail in the same transaction.
pub fn register_person(tx: &mut Tx<'_>, actor: &Actor, id: i64, now: Timestamp) -> ApiResult<Registration> {
    require_customer(actor)?;
    let r =
        trainings::register(tx, id, actor.id(), now).map_err(ApiError::or_not_found("training"))?.map_err(refusal)?;
    let t = trainings::get(tx, id)?;
    let template = match r.status {
        RegistrationStatus::Waiting => Template::TrainingWaiting,
        _ => Template::TrainingRegistered,
    };
    notify(tx, &t, actor.id(), template, now)?;
    Ok(r)
}

/// Cancels the caller's registration; the first on the waiting list gets the place and a mail.
pub fn cancel_person(tx: &mut Tx<'_>, actor: &Actor, id: i64, now: Timestamp) -> ApiResult<Training> {
    require_customer(actor)?;
    let t = trainings::get(tx, id).map_err(|_| ApiError::not_found("training"))?;
    if trainings::ends_at(&t) <= now {
        return Err(ApiError::conflict("training_over", "this training is over; there is nothing to cancel"));
    }
    let (cancelled, promoted) = trainings::cancel(tx, id, actor.id(), now)?;
    if cancelled.is_none() {
        return Err(ApiError::conflict("not_registered", "you are not registered for this training"));
    }
    let t = trainings::get(tx, id)?;
    if let Some(p) = promoted {
        notify(tx, &t, p, Template::TrainingPromoted, now)?;
    }
    Ok(t)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrainingQuery {
    /// Past trainings too (with their recordings), newest first.
    pub all: Option<bool>,
}

/// The catalogue: upcoming trainings (or all with `all=true`), with the caller's registration.
#[utoipa::path(get, path = "/trainings", tag = "trainings", params(TrainingQuery),
    responses((status = 200, body = Vec<TrainingView>), (status = 400, body = ErrorBody)))]
pub async fn list_trainings(
    State(state): State<AppState>,
    MaybeActor(actor): MaybeActor,
    Q(q): Q<TrainingQuery>,
) -> ApiResult<Json<Vec<TrainingView>>> {
    let now = state.now();
    let from = if q.all.unwrap_or(false) { None } else { Some(now) };
    let list = state.read(move |tx| catalogue_for(tx, actor.as_ref(), from)).await?;
    Ok(Json(list))
}

/// Trainings with the reader's own registration state.
pub fn catalogue_for(tx: &mut Tx<'_>, actor: Option<&Actor>, from: Option<Timestamp>) -> ApiResult<Vec<TrainingView>> {
    let mine = match actor {
        Some(a) => trainings::of_person(tx, a.id())?,
        None => Vec::new(),
    };
    let viewer = super::reader(actor);
    Ok(trainings::list(tx, from)?
        .into_iter()
        .map(|t| {
            let m = mine.iter().find(|(id, _)| *id == t.id).map(|(_, s)| *s);
            TrainingView::new(t, m, viewer)
        })
        .collect())
}

/// One training with the caller's registration.
pub fn view(tx: &mut Tx<'_>, actor: Option<&Actor>, id: i64) -> ApiResult<TrainingView> {
    let t = trainings::get(tx, id).map_err(|_| ApiError::not_found("training"))?;
    let mine = match actor {
        Some(a) => {
            trainings::registration(tx, id, a.id())?.map(|r| r.status).filter(|s| *s != RegistrationStatus::Cancelled)
        }
        None => None,
    };
    Ok(TrainingView::new(t, mine, super::reader(actor)))
}

/// Create a training or webinar (vendor staff).
#[utoipa::path(post, path = "/trainings", tag = "trainings", request_body = TrainingCreate,
    responses((status = 201, body = TrainingView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_training(
    State(state): State<AppState>,
    actor: Actor,
    Json(req): Json<TrainingCreate>,
) -> ApiResult<(StatusCode, Json<TrainingView>)> {
    let now = state.now();
    let t = state.write(move |tx| new_training(tx, &actor, req, now)).await?;
    Ok((StatusCode::CREATED, Json(TrainingView::new(t, None, Reader::Vendor))))
}

/// One training.
#[utoipa::path(get, path = "/trainings/{id}", tag = "trainings", params(("id" = i64, Path)),
    responses((status = 200, body = TrainingView), (status = 404, body = ErrorBody)))]
pub async fn get_training(
    State(state): State<AppState>,
    MaybeActor(actor): MaybeActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<TrainingView>> {
    Ok(Json(state.read(move |tx| view(tx, actor.as_ref(), id)).await?))
}

/// Change a training: time, capacity, link, the recording and materials afterwards (vendor staff).
#[utoipa::path(patch, path = "/trainings/{id}", tag = "trainings", params(("id" = i64, Path)), request_body = TrainingUpdate,
    responses((status = 200, body = TrainingView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_training(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(req): Json<TrainingUpdate>,
) -> ApiResult<Json<TrainingView>> {
    let now = state.now();
    let t = state.write(move |tx| change_training(tx, &actor, id, req, now)).await?;
    Ok(Json(TrainingView::new(t, None, Reader::Vendor)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationView {
    pub training_id: i64,
    pub person_id: i64,
    pub person: Option<String>,
    #[schema(schema_with = crate::schema::registration_status)]
    pub status: RegistrationStatus,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl RegistrationView {
    fn new(r: Registration, person: Option<String>) -> Self {
        RegistrationView {
            training_id: r.training_id,
            person_id: r.person_id,
            person,
            status: r.status,
            updated_at: r.updated_at,
        }
    }
}

/// Register for a training (customer users): a place while there is one, else the waiting
/// list; a confirmation mail goes out either way.
#[utoipa::path(post, path = "/trainings/{id}/registration", tag = "trainings", params(("id" = i64, Path)),
    responses((status = 201, body = RegistrationView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`training_started`, `training_full` or `already_registered`")))]
pub async fn register(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<(StatusCode, Json<RegistrationView>)> {
    let now = state.now();
    let r = state.write(move |tx| register_person(tx, &actor, id, now)).await?;
    Ok((StatusCode::CREATED, Json(RegistrationView::new(r, None))))
}

/// Cancel one's registration; the first on the waiting list gets the place.
#[utoipa::path(delete, path = "/trainings/{id}/registration", tag = "trainings", params(("id" = i64, Path)),
    responses((status = 200, body = TrainingView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> ApiResult<Json<TrainingView>> {
    let now = state.now();
    let t = state.write(move |tx| cancel_person(tx, &actor, id, now)).await?;
    Ok(Json(TrainingView::new(t, None, Reader::Customer)))
}

/// Who is registered and who waits, in order (vendor staff).
pub fn roster(tx: &mut Tx<'_>, actor: &Actor, id: i64) -> ApiResult<Vec<RegistrationView>> {
    actor.require_vendor()?;
    trainings::get(tx, id).map_err(|_| ApiError::not_found("training"))?;
    let list = trainings::registrations(tx, id)?;
    let ids: Vec<i64> = list.iter().map(|r| r.person_id).collect();
    let names = people::names(tx, &ids)?;
    Ok(list
        .into_iter()
        .map(|r| {
            let n = names.get(&r.person_id).cloned();
            RegistrationView::new(r, n)
        })
        .collect())
}

/// The registrations of a training (vendor staff).
#[utoipa::path(get, path = "/trainings/{id}/registrations", tag = "trainings", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<RegistrationView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_registrations(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<RegistrationView>>> {
    Ok(Json(state.read(move |tx| roster(tx, &actor, id)).await?))
}
