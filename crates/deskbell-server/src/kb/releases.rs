//! Release notes: product versions with their notes (Markdown), written by the vendor's
//! staff and published to the help centre; each installation records its version, and a
//! customer sees the published versions newer than theirs and what each changed.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use deskbell_store::releases::{self, Release, ReleaseInput};
use deskbell_store::{StoreError, Tx, orgs};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::markdown::to_html;
use super::{MaybeActor, text};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::Json;
use crate::state::AppState;
use crate::tickets::api::Q;

const VERSION_MAX: usize = 50;
const NOTES_MAX: usize = 100_000;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_releases, create_release))
        .routes(routes!(update_release))
        .routes(routes!(newer_releases))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReleaseView {
    pub id: i64,
    pub product_id: i64,
    #[schema(example = "2.10")]
    pub version: String,
    #[schema(example = "2026-11-20")]
    pub released_on: String,
    pub notes: String,
    /// The notes rendered and sanitised.
    pub notes_html: String,
    pub published: bool,
}

impl From<Release> for ReleaseView {
    fn from(r: Release) -> Self {
        ReleaseView {
            notes_html: to_html(&r.notes),
            id: r.id,
            product_id: r.product_id,
            version: r.version,
            released_on: r.released_on,
            notes: r.notes,
            published: r.published,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseRequest {
    pub product_id: i64,
    pub version: String,
    /// `YYYY-MM-DD`.
    pub released_on: String,
    /// Markdown: what changed.
    pub notes: String,
    /// Shown in the help centre (default false).
    #[serde(default)]
    pub published: bool,
}

/// Creates (`id` = None) or replaces a release (vendor staff) after every check.
pub fn save(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: Option<i64>,
    req: ReleaseRequest,
    now: Timestamp,
) -> ApiResult<Release> {
    actor.require_vendor()?;
    orgs::product(tx, req.product_id).map_err(|_| ApiError::invalid("product_id", "no such product"))?;
    let version = text("version", &req.version, VERSION_MAX, false)?;
    if !version.chars().next().is_some_and(|c| c.is_ascii_digit() || c == 'v') || version.contains(char::is_whitespace)
    {
        return Err(ApiError::invalid(
            "version",
            "a version starts with a digit, e.g. 2.10 or 2.10.1, and has no spaces",
        ));
    }
    let released_on = req.released_on.trim().to_owned();
    released_on
        .parse::<jiff::civil::Date>()
        .map_err(|_| ApiError::invalid("released_on", format!("`{released_on}` is not a date (YYYY-MM-DD)")))?;
    let notes = text("notes", &req.notes, NOTES_MAX, true)?;
    let input = ReleaseInput { product_id: req.product_id, version, released_on, notes, published: req.published };
    releases::save(tx, id, &input, now).map_err(|e| match e {
        StoreError::Unique { .. } => {
            ApiError::conflict("already_exists", "this product already has this version").with_field("version")
        }
        StoreError::NotFound => ApiError::not_found("release"),
        e => e.into(),
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReleaseQuery {
    pub product_id: Option<i64>,
}

/// Release notes, newest version first per product: published ones (the vendor's staff also
/// see drafts).
#[utoipa::path(get, path = "/releases", tag = "releases", params(ReleaseQuery),
    responses((status = 200, body = Vec<ReleaseView>), (status = 400, body = ErrorBody)))]
pub async fn list_releases(
    State(state): State<AppState>,
    MaybeActor(actor): MaybeActor,
    Q(q): Q<ReleaseQuery>,
) -> ApiResult<Json<Vec<ReleaseView>>> {
    let drafts = actor.as_ref().is_some_and(Actor::is_vendor);
    let list = state.read(move |tx| Ok(releases::list(tx, q.product_id, drafts)?)).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Add a product version with its notes (vendor staff).
#[utoipa::path(post, path = "/releases", tag = "releases", request_body = ReleaseRequest,
    responses((status = 201, body = ReleaseView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_release(
    State(state): State<AppState>,
    actor: Actor,
    Json(req): Json<ReleaseRequest>,
) -> ApiResult<(StatusCode, Json<ReleaseView>)> {
    let now = state.now();
    let r = state.write(move |tx| save(tx, &actor, None, req, now)).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// Replace a product version and its notes, e.g. to publish it (vendor staff).
#[utoipa::path(put, path = "/releases/{id}", tag = "releases", params(("id" = i64, Path)), request_body = ReleaseRequest,
    responses((status = 200, body = ReleaseView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_release(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(req): Json<ReleaseRequest>,
) -> ApiResult<Json<ReleaseView>> {
    let now = state.now();
    let r = state.write(move |tx| save(tx, &actor, Some(id), req, now)).await?;
    Ok(Json(r.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InstallationNews {
    pub installation_id: i64,
    pub installation: String,
    pub product_id: i64,
    pub product: String,
    /// The version the installation runs (unknown: every published version is listed).
    pub version: Option<String>,
    /// Published versions newer than it, newest first.
    pub newer: Vec<ReleaseView>,
}

/// For each installation the caller may see, the published versions newer than its own.
pub fn news(tx: &mut Tx<'_>, actor: &Actor) -> ApiResult<Vec<InstallationNews>> {
    let installs = orgs::installations(tx, actor.organisations().as_deref())?;
    let products = orgs::products(tx)?;
    // Every published release at once; each installation takes its product's newer ones.
    let published = releases::list(tx, None, false)?;
    installs
        .into_iter()
        .map(|i| {
            let newer = releases::newer(&published, i.product_id, i.version.as_deref());
            Ok(InstallationNews {
                product: products.iter().find(|p| p.id == i.product_id).map(|p| p.name.clone()).unwrap_or_default(),
                installation_id: i.id,
                installation: i.name,
                product_id: i.product_id,
                version: i.version,
                newer: newer.into_iter().map(Into::into).collect(),
            })
        })
        .collect()
}

/// What is new for the caller's installations: versions newer than theirs and what changed.
#[utoipa::path(get, path = "/releases/newer", tag = "releases",
    responses((status = 200, body = Vec<InstallationNews>), (status = 401, body = ErrorBody)))]
pub async fn newer_releases(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Vec<InstallationNews>>> {
    Ok(Json(state.read(move |tx| news(tx, &actor)).await?))
}
