//! The vendor's side of trainings and release notes: plan a training or webinar, see who is
//! registered and who waits, add the recording and materials afterwards; write a product
//! version's notes and publish them. Saving goes through the API's functions.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use deskbell_domain::kb::RegistrationStatus;
use deskbell_store::orgs;

use crate::error::ApiError;
use crate::kb::releases::{self, ReleaseRequest};
use crate::kb::trainings::{self, RegistrationView, TrainingCreate, TrainingUpdate};
use crate::patch::Patch;
use crate::state::AppState;
use crate::web::admin::Opt;
use crate::web::ctx::{self, Ctx, PageResult, see_other};
use crate::web::forms::{Errors, FormData};
use crate::web::i18n::{datetime, time_zone};

fn id_of(raw: &str, what: &str) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found(what))
}

fn product_opts(c: &Ctx, list: &[orgs::Product], selected: &str) -> Vec<Opt> {
    std::iter::once(Opt { value: String::new(), label: c.t.none.to_owned(), selected: selected.is_empty() })
        .chain(list.iter().map(|p| Opt {
            value: p.id.to_string(),
            label: p.name.clone(),
            selected: p.id.to_string() == selected,
        }))
        .collect()
}

// ---------------------------------------------------------------- trainings

struct TrainingRow {
    id: i64,
    title: String,
    when: String,
    places: String,
    waiting: i64,
}

/// The training form's values, as stored or as typed.
#[derive(Default)]
struct TrainingForm {
    title: String,
    description: String,
    product_id: String,
    starts_at: String,
    time_zone: String,
    duration_minutes: String,
    online_url: String,
    capacity: String,
    waiting_list: bool,
    recording_url: String,
    materials: String,
}

impl TrainingForm {
    fn sent(f: &FormData) -> TrainingForm {
        TrainingForm {
            title: f.value("title"),
            description: f.value("description"),
            product_id: f.value("product_id"),
            starts_at: f.value("starts_at"),
            time_zone: f.value("time_zone"),
            duration_minutes: f.value("duration_minutes"),
            online_url: f.value("online_url"),
            capacity: f.value("capacity"),
            waiting_list: f.get("waiting_list").is_some(),
            recording_url: f.value("recording_url"),
            materials: f.value("materials"),
        }
    }
}

const TRAINING_FIELDS: [&str; 11] = [
    "title",
    "description",
    "product_id",
    "starts_at",
    "time_zone",
    "duration_minutes",
    "online_url",
    "capacity",
    "waiting_list",
    "recording_url",
    "materials",
];

#[derive(Template)]
#[template(path = "agent/trainings.html")]
struct TrainingsPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    rows: Vec<TrainingRow>,
    /// The training being edited, or none for a new one.
    id: Option<i64>,
    f: TrainingForm,
    products: Vec<Opt>,
    roster: Vec<(String, &'static str)>,
    errors: Errors,
}

impl TrainingsPage<'_> {
    fn action(&self) -> String {
        self.id.map_or_else(|| "/agent/trainings".to_owned(), |id| format!("/agent/trainings/{id}"))
    }
}

async fn trainings_page(
    state: &AppState,
    c: &Ctx,
    id: Option<i64>,
    f: Option<TrainingForm>,
    errors: Errors,
    status: StatusCode,
) -> PageResult {
    let actor = c.vendor()?.clone();
    let (list, products, current, roster) = state
        .read(move |tx| {
            let list = trainings::catalogue_for(tx, Some(&actor), None)?;
            let (current, roster) = match id {
                Some(id) => (Some(trainings::view(tx, Some(&actor), id)?), trainings::roster(tx, &actor, id)?),
                None => (None, Vec::new()),
            };
            Ok((list, orgs::products(tx)?, current, roster))
        })
        .await?;
    let tz = time_zone("Europe/Warsaw");
    let lang = c.lang;
    let f = f.unwrap_or_else(|| match &current {
        Some(t) => TrainingForm {
            title: t.title.clone(),
            description: t.description.clone(),
            product_id: t.product_id.map(|p| p.to_string()).unwrap_or_default(),
            starts_at: t.starts_at.to_zoned(time_zone(&t.time_zone)).strftime("%Y-%m-%dT%H:%M").to_string(),
            time_zone: t.time_zone.clone(),
            duration_minutes: t.duration_minutes.to_string(),
            online_url: t.online_url.clone().unwrap_or_default(),
            capacity: t.capacity.to_string(),
            waiting_list: t.waiting_list,
            recording_url: t.recording_url.clone().unwrap_or_default(),
            materials: t.materials.clone(),
        },
        None => TrainingForm {
            time_zone: "Europe/Warsaw".into(),
            duration_minutes: "60".into(),
            capacity: "20".into(),
            waiting_list: true,
            ..Default::default()
        },
    });
    let status_label = |s: RegistrationStatus| match s {
        RegistrationStatus::Registered => c.t.training_you_registered,
        RegistrationStatus::Waiting => c.t.training_you_waiting,
        RegistrationStatus::Cancelled => c.t.training_cancelled,
    };
    let page = TrainingsPage {
        c,
        section: "kb",
        rows: list
            .into_iter()
            .map(|t| TrainingRow {
                id: t.id,
                when: datetime(lang, t.starts_at, &tz),
                places: format!("{} / {}", t.registered, t.capacity),
                waiting: t.waiting,
                title: t.title,
            })
            .collect(),
        id,
        products: product_opts(c, &products, &f.product_id),
        f,
        roster: roster
            .into_iter()
            .map(|r: RegistrationView| (r.person.unwrap_or_default(), status_label(r.status)))
            .collect(),
        errors,
    };
    ctx::html_status(status, &page)
}

/// GET /agent/trainings
pub async fn trainings_list(State(state): State<AppState>, c: Ctx) -> PageResult {
    trainings_page(&state, &c, None, None, Errors::default(), StatusCode::OK).await
}

/// GET /agent/trainings/{id}
pub async fn training_edit(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>) -> PageResult {
    let id = id_of(&raw, "training")?;
    trainings_page(&state, &c, Some(id), None, Errors::default(), StatusCode::OK).await
}

fn none_if_empty(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn number(field: &str, v: &str) -> Result<i64, ApiError> {
    v.trim().parse().map_err(|_| ApiError::invalid(field, format!("{field} must be a whole number")))
}

/// POST /agent/trainings and /agent/trainings/{id}
async fn save_training(state: &AppState, c: &Ctx, id: Option<i64>, f: FormData) -> PageResult {
    let actor = c.vendor()?.clone();
    let typed = TrainingForm::sent(&f);
    let now = state.now();
    let numbers =
        number("duration_minutes", &typed.duration_minutes).and_then(|d| Ok((d, number("capacity", &typed.capacity)?)));
    let result = match numbers {
        Err(e) => Err(e),
        Ok((duration, capacity)) => {
            let product = typed.product_id.trim().parse::<i64>().ok();
            match id {
                None => {
                    let req = TrainingCreate {
                        title: typed.title.clone(),
                        description: typed.description.clone(),
                        product_id: product,
                        starts_at: typed.starts_at.clone(),
                        time_zone: none_if_empty(&typed.time_zone),
                        duration_minutes: duration,
                        online_url: none_if_empty(&typed.online_url),
                        capacity,
                        waiting_list: Some(typed.waiting_list),
                        recording_url: none_if_empty(&typed.recording_url),
                        materials: typed.materials.clone(),
                    };
                    state.write(move |tx| trainings::new_training(tx, &actor, req, now)).await
                }
                Some(id) => {
                    let patch = |v: Option<String>| v.map_or(Patch::Clear, Patch::Set);
                    let req = TrainingUpdate {
                        title: Some(typed.title.clone()),
                        description: Some(typed.description.clone()),
                        product_id: product.map_or(Patch::Clear, Patch::Set),
                        starts_at: Some(typed.starts_at.clone()),
                        time_zone: none_if_empty(&typed.time_zone),
                        duration_minutes: Some(duration),
                        online_url: patch(none_if_empty(&typed.online_url)),
                        capacity: Some(capacity),
                        waiting_list: Some(typed.waiting_list),
                        recording_url: patch(none_if_empty(&typed.recording_url)),
                        materials: Some(typed.materials.clone()),
                    };
                    state.write(move |tx| trainings::change_training(tx, &actor, id, req, now)).await
                }
            }
        }
    };
    match result {
        Ok(t) => Ok(see_other(c, &format!("/agent/trainings/{}", t.id))),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let errors = Errors::from_api(&e, &TRAINING_FIELDS);
            trainings_page(state, c, id, Some(typed), errors, e.status).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn training_create(State(state): State<AppState>, c: Ctx, f: FormData) -> PageResult {
    save_training(&state, &c, None, f).await
}

pub async fn training_update(
    State(state): State<AppState>,
    c: Ctx,
    Path(raw): Path<String>,
    f: FormData,
) -> PageResult {
    let id = id_of(&raw, "training")?;
    save_training(&state, &c, Some(id), f).await
}

// ---------------------------------------------------------------- release notes

struct ReleaseRow {
    id: i64,
    product: String,
    version: String,
    released_on: String,
    published: bool,
}

#[derive(Default)]
struct ReleaseForm {
    product_id: String,
    version: String,
    released_on: String,
    notes: String,
    published: bool,
}

#[derive(Template)]
#[template(path = "agent/releases.html")]
struct ReleasesPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    rows: Vec<ReleaseRow>,
    id: Option<i64>,
    f: ReleaseForm,
    products: Vec<Opt>,
    errors: Errors,
}

impl ReleasesPage<'_> {
    fn action(&self) -> String {
        self.id.map_or_else(|| "/agent/releases".to_owned(), |id| format!("/agent/releases/{id}"))
    }
}

async fn releases_page(
    state: &AppState,
    c: &Ctx,
    id: Option<i64>,
    f: Option<ReleaseForm>,
    errors: Errors,
    status: StatusCode,
) -> PageResult {
    c.vendor()?;
    let (list, products, current) = state
        .read(move |tx| {
            let current = match id {
                Some(id) => Some(deskbell_store::releases::get(tx, id).map_err(|_| ApiError::not_found("release"))?),
                None => None,
            };
            Ok((deskbell_store::releases::list(tx, None, true)?, orgs::products(tx)?, current))
        })
        .await?;
    let f = f.unwrap_or_else(|| match current {
        Some(r) => ReleaseForm {
            product_id: r.product_id.to_string(),
            version: r.version,
            released_on: r.released_on,
            notes: r.notes,
            published: r.published,
        },
        None => ReleaseForm {
            released_on: c.now.to_zoned(time_zone("Europe/Warsaw")).date().to_string(),
            ..Default::default()
        },
    });
    let page = ReleasesPage {
        c,
        section: "kb",
        rows: list
            .into_iter()
            .map(|r| ReleaseRow {
                product: products.iter().find(|p| p.id == r.product_id).map(|p| p.name.clone()).unwrap_or_default(),
                id: r.id,
                version: r.version,
                released_on: r.released_on,
                published: r.published,
            })
            .collect(),
        id,
        products: product_opts(c, &products, &f.product_id),
        f,
        errors,
    };
    ctx::html_status(status, &page)
}

/// GET /agent/releases
pub async fn releases_list(State(state): State<AppState>, c: Ctx) -> PageResult {
    releases_page(&state, &c, None, None, Errors::default(), StatusCode::OK).await
}

/// GET /agent/releases/{id}
pub async fn release_edit(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>) -> PageResult {
    let id = id_of(&raw, "release")?;
    releases_page(&state, &c, Some(id), None, Errors::default(), StatusCode::OK).await
}

async fn save_release(state: &AppState, c: &Ctx, id: Option<i64>, f: FormData) -> PageResult {
    let actor = c.vendor()?.clone();
    let typed = ReleaseForm {
        product_id: f.value("product_id"),
        version: f.value("version"),
        released_on: f.value("released_on"),
        notes: f.value("notes"),
        published: f.get("published").is_some(),
    };
    let now = state.now();
    let result = match typed.product_id.trim().parse::<i64>() {
        Err(_) => Err(ApiError::invalid("product_id", c.t.releases_err_product)),
        Ok(product_id) => {
            let req = ReleaseRequest {
                product_id,
                version: typed.version.clone(),
                released_on: typed.released_on.clone(),
                notes: typed.notes.clone(),
                published: typed.published,
            };
            state.write(move |tx| releases::save(tx, &actor, id, req, now)).await
        }
    };
    match result {
        Ok(_) => Ok(see_other(c, "/agent/releases")),
        Err(e) if matches!(e.status, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT) => {
            let errors = Errors::from_api(&e, &["product_id", "version", "released_on", "notes"]);
            releases_page(state, c, id, Some(typed), errors, e.status).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn release_create(State(state): State<AppState>, c: Ctx, f: FormData) -> PageResult {
    save_release(&state, &c, None, f).await
}

pub async fn release_update(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>, f: FormData) -> PageResult {
    let id = id_of(&raw, "release")?;
    save_release(&state, &c, Some(id), f).await
}
