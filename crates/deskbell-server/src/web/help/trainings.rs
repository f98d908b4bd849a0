//! The training catalogue (`/help/trainings`, a stable address a ticket answer can link to)
//! with register and cancel, and "what's new": the release notes of versions newer than
//! the customer's installations. Both write through the API's functions.

use askama::Template;
use axum::extract::{Path, Query, State};
use deskbell_domain::kb::RegistrationStatus;
use jiff::Timestamp;
use serde::Deserialize;

use super::not_found;
use crate::error::ApiError;
use crate::kb::releases::{self, InstallationNews};
use crate::kb::trainings::{self as service, TrainingView};
use crate::state::AppState;
use crate::web::ctx::{self, Ctx, PageResult, see_other};
use crate::web::i18n::{self, fill};

pub struct TrainingItem {
    pub id: i64,
    pub title: String,
    pub when: String,
    pub length: String,
    pub places: String,
    pub description_html: String,
    pub online_url: Option<String>,
    pub recording_url: Option<String>,
    pub materials_html: String,
    /// `registered`, `waiting` or empty.
    pub mine: &'static str,
    pub upcoming: bool,
    /// A register button makes sense: upcoming, not registered, and a place or a waiting list.
    pub can_register: bool,
    pub full: bool,
}

fn item(c: &Ctx, zone: &str, t: TrainingView, now: Timestamp) -> TrainingItem {
    let tz = i18n::time_zone(zone);
    let upcoming = t.starts_at > now;
    let full = t.places_left == 0;
    let mine = match t.my_status {
        Some(RegistrationStatus::Registered) => "registered",
        Some(RegistrationStatus::Waiting) => "waiting",
        _ => "",
    };
    TrainingItem {
        when: format!("{} ({zone})", i18n::datetime(c.lang, t.starts_at, &tz)),
        length: c.t.duration(t.duration_minutes * 60),
        places: if full {
            if t.waiting_list {
                fill(c.t.training_full_waiting, &[("n", &t.waiting.to_string())])
            } else {
                c.t.training_full.to_owned()
            }
        } else {
            fill(c.t.training_places, &[("n", &t.places_left.to_string()), ("of", &t.capacity.to_string())])
        },
        can_register: upcoming && mine.is_empty() && (!full || t.waiting_list),
        id: t.id,
        title: t.title,
        description_html: t.description_html,
        online_url: t.online_url,
        recording_url: t.recording_url,
        materials_html: t.materials_html,
        mine,
        upcoming,
        full,
    }
}

#[derive(Template)]
#[template(path = "help/trainings.html")]
struct TrainingsPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    upcoming: Vec<TrainingItem>,
    past: Vec<TrainingItem>,
    /// What the last action did (`registered`, `waiting`, `cancelled`) or why it was refused.
    notice: String,
    error: String,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    done: Option<String>,
}

async fn render(state: &AppState, c: &Ctx, notice: String, error: String) -> PageResult {
    let actor = c.actor.clone();
    let zone = match c.actor.as_ref().and_then(|a| a.person.organisation_id) {
        Some(org) => state.read(move |tx| Ok(deskbell_store::orgs::time_zone(tx, org)?)).await?,
        None => "Europe/Warsaw".to_owned(),
    };
    let list = state.read(move |tx| service::catalogue_for(tx, actor.as_ref(), None)).await?;
    let now = state.now();
    let (mut upcoming, mut past) = (Vec::new(), Vec::new());
    for t in list {
        let i = item(c, &zone, t, now);
        if i.upcoming { upcoming.push(i) } else { past.push(i) }
    }
    // The catalogue lists the latest first; the next training should come first.
    upcoming.reverse();
    let page = TrainingsPage { c, section: "trainings", upcoming, past, notice, error };
    ctx::html_status(
        if page.error.is_empty() { axum::http::StatusCode::OK } else { axum::http::StatusCode::CONFLICT },
        &page,
    )
}

/// GET /help/trainings
pub async fn catalogue(State(state): State<AppState>, c: Ctx, Query(q): Query<NoticeQuery>) -> PageResult {
    let notice = match q.done.as_deref() {
        Some("registered") => c.t.training_done_registered,
        Some("waiting") => c.t.training_done_waiting,
        Some("cancelled") => c.t.training_done_cancelled,
        _ => "",
    };
    render(&state, &c, notice.to_owned(), String::new()).await
}

fn refusal_text(c: &Ctx, e: &ApiError) -> String {
    match e.code {
        "training_started" => c.t.training_err_started.to_owned(),
        "training_full" => c.t.training_err_full.to_owned(),
        "already_registered" => c.t.training_err_already.to_owned(),
        "training_over" => c.t.training_err_over.to_owned(),
        "not_registered" => c.t.training_err_not_registered.to_owned(),
        _ => e.message.clone(),
    }
}

fn training_id(raw: &str) -> Result<i64, crate::web::PageError> {
    raw.parse().map_err(|_| not_found())
}

/// POST /help/trainings/{id}/register
pub async fn register(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>) -> PageResult {
    let actor = c.customer()?.clone();
    let id = training_id(&raw)?;
    let now = state.now();
    match state.write(move |tx| service::register_person(tx, &actor, id, now)).await {
        Ok(r) => {
            let done = if r.status == RegistrationStatus::Waiting { "waiting" } else { "registered" };
            Ok(see_other(&c, &format!("/help/trainings?done={done}#training-{id}")))
        }
        Err(e) if e.status == axum::http::StatusCode::CONFLICT => {
            render(&state, &c, String::new(), refusal_text(&c, &e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /help/trainings/{id}/cancel
pub async fn cancel(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>) -> PageResult {
    let actor = c.customer()?.clone();
    let id = training_id(&raw)?;
    let now = state.now();
    match state.write(move |tx| service::cancel_person(tx, &actor, id, now)).await {
        Ok(_) => Ok(see_other(&c, "/help/trainings?done=cancelled")),
        Err(e) if e.status == axum::http::StatusCode::CONFLICT => {
            render(&state, &c, String::new(), refusal_text(&c, &e)).await
        }
        Err(e) => Err(e.into()),
    }
}

struct ReleaseItem {
    version: String,
    released_on: String,
    notes_html: String,
}

struct InstallationItem {
    name: String,
    product: String,
    version: String,
    newer: Vec<ReleaseItem>,
}

#[derive(Template)]
#[template(path = "help/releases.html")]
struct ReleasesPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    installations: Vec<InstallationItem>,
}

/// GET /help/releases: what is new for the caller's installations.
pub async fn whats_new(State(state): State<AppState>, c: Ctx) -> PageResult {
    let actor = c.actor()?.clone();
    let news: Vec<InstallationNews> = state.read(move |tx| releases::news(tx, &actor)).await?;
    let installations = news
        .into_iter()
        .map(|n| InstallationItem {
            name: n.installation,
            product: n.product,
            version: n.version.unwrap_or_else(|| c.t.releases_version_unknown.to_owned()),
            newer: n
                .newer
                .into_iter()
                .map(|r| ReleaseItem { version: r.version, released_on: r.released_on, notes_html: r.notes_html })
                .collect(),
        })
        .collect();
    ctx::html(&ReleasesPage { c: &c, section: "releases", installations })
}
