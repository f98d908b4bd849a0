//! Knowledge-base articles: write functions with every check (used by the API and the pages
//! alike), and the JSON endpoints.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use deskbell_domain::kb::{ArticleStatus, Reader, Visibility, slug};
use deskbell_domain::person::Language;
use deskbell_store::kb::{self, Article, ArticleInput, Category, Filter};
use deskbell_store::{StoreError, Tx, orgs, tickets};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::markdown::{excerpt, to_html};
use super::{MaybeActor, reader, text};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::Json;
use crate::patch::{Patch, double_option};
use crate::state::AppState;
use crate::tickets::api::{Q, bad_query};
use crate::tickets::service::{Limits, Upload, check_uploads};

pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 200_000;
const MODULE_MAX: usize = 100;
const SLUG_MAX: usize = 80;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_categories, create_category))
        .routes(routes!(update_category))
        .routes(routes!(list_articles, create_article))
        .routes(routes!(get_article, update_article))
        .routes(routes!(article_revisions))
        .routes(routes!(upload_files))
        .routes(routes!(download_file))
        .routes(routes!(feedback))
        .routes(routes!(deflect, deflection_counts))
        .routes(routes!(ticket_links, link_ticket))
}

// ---------------------------------------------------------------- views

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryView {
    pub id: i64,
    pub slug: String,
    pub name_pl: String,
    pub name_en: String,
    pub position: i64,
}

impl From<Category> for CategoryView {
    fn from(c: Category) -> Self {
        CategoryView { id: c.id, slug: c.slug, name_pl: c.name_pl, name_en: c.name_en, position: c.position }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TextView {
    #[schema(schema_with = crate::schema::language)]
    pub language: Language,
    pub title: String,
    /// Markdown as written.
    pub body: String,
    /// The body rendered and sanitised.
    pub html: String,
    pub excerpt: String,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleView {
    pub id: i64,
    pub slug: String,
    /// The article in the help centre.
    pub url: String,
    pub category_id: Option<i64>,
    pub product_id: Option<i64>,
    pub module: Option<String>,
    #[schema(schema_with = crate::schema::visibility)]
    pub visibility: Visibility,
    #[schema(schema_with = crate::schema::article_status)]
    pub status: ArticleStatus,
    pub helpful_yes: i64,
    pub helpful_no: i64,
    pub version: i64,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub published_at: Option<Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// Polish first, then English.
    pub texts: Vec<TextView>,
}

/// The help-centre address of an article.
pub fn url(slug: &str) -> String {
    format!("/help/kb/{slug}")
}

impl From<Article> for ArticleView {
    fn from(a: Article) -> Self {
        ArticleView {
            url: url(&a.slug),
            id: a.id,
            slug: a.slug,
            category_id: a.category_id,
            product_id: a.product_id,
            module: a.module,
            visibility: a.visibility,
            status: a.status,
            helpful_yes: a.helpful_yes,
            helpful_no: a.helpful_no,
            version: a.version,
            published_at: a.published_at,
            updated_at: a.updated_at,
            texts: a
                .translations
                .into_iter()
                .map(|t| TextView {
                    language: t.language,
                    html: to_html(&t.body),
                    excerpt: excerpt(&t.body, 200),
                    title: t.title,
                    body: t.body,
                    updated_at: t.updated_at,
                })
                .collect(),
        }
    }
}

// ---------------------------------------------------------------- categories

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryInput {
    pub name_pl: String,
    pub name_en: String,
    /// Made from the Polish name when left out.
    pub slug: Option<String>,
    #[serde(default)]
    pub position: i64,
}

fn slug_of(field: &str, given: Option<&str>, title: &str) -> ApiResult<String> {
    let s = match given.map(str::trim).filter(|s| !s.is_empty()) {
        Some(g) => {
            if g.len() > SLUG_MAX || !g.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
                return Err(ApiError::invalid(
                    field,
                    format!("{field} uses only a–z, digits and `-`, at most {SLUG_MAX} characters"),
                ));
            }
            g.to_owned()
        }
        None => slug(title),
    };
    // A number would read as an id in `/kb/articles/{id or slug}`.
    if s.is_empty() || s.parse::<i64>().is_ok() {
        return Err(ApiError::invalid(field, format!("{field} needs at least one letter")));
    }
    Ok(s)
}

/// Creates (`id` = None) or changes a category (vendor staff).
pub fn save_category(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: Option<i64>,
    req: CategoryInput,
    now: Timestamp,
) -> ApiResult<Category> {
    actor.require_vendor()?;
    let name_pl = text("name_pl", &req.name_pl, TITLE_MAX, false)?;
    let name_en = text("name_en", &req.name_en, TITLE_MAX, false)?;
    let s = slug_of("slug", req.slug.as_deref(), &name_pl)?;
    kb::save_category(tx, id, &s, &name_pl, &name_en, req.position, now).map_err(|e| match e {
        StoreError::NotFound => ApiError::not_found("category"),
        e => e.into(),
    })
}

/// Knowledge-base categories.
#[utoipa::path(get, path = "/kb/categories", tag = "knowledge", responses((status = 200, body = Vec<CategoryView>)))]
pub async fn list_categories(State(state): State<AppState>, _who: MaybeActor) -> ApiResult<Json<Vec<CategoryView>>> {
    let list = state.read(|tx| Ok(kb::categories(tx)?)).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Create a category (vendor staff).
#[utoipa::path(post, path = "/kb/categories", tag = "knowledge", request_body = CategoryInput,
    responses((status = 201, body = CategoryView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_category(
    State(state): State<AppState>,
    actor: Actor,
    Json(req): Json<CategoryInput>,
) -> ApiResult<(StatusCode, Json<CategoryView>)> {
    let now = state.now();
    let c = state.write(move |tx| save_category(tx, &actor, None, req, now)).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

/// Change a category (vendor staff).
#[utoipa::path(put, path = "/kb/categories/{id}", tag = "knowledge", params(("id" = i64, Path)), request_body = CategoryInput,
    responses((status = 200, body = CategoryView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_category(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(req): Json<CategoryInput>,
) -> ApiResult<Json<CategoryView>> {
    let now = state.now();
    let c = state.write(move |tx| save_category(tx, &actor, Some(id), req, now)).await?;
    Ok(Json(c.into()))
}

// ---------------------------------------------------------------- articles

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextInput {
    #[schema(schema_with = crate::schema::language)]
    pub language: Language,
    pub title: String,
    /// Markdown.
    pub body: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleCreate {
    /// Made from the first title when left out.
    pub slug: Option<String>,
    pub category_id: Option<i64>,
    pub product_id: Option<i64>,
    pub module: Option<String>,
    #[schema(schema_with = crate::schema::visibility)]
    pub visibility: Visibility,
    /// `draft` when left out.
    #[schema(schema_with = crate::schema::article_status)]
    pub status: Option<ArticleStatus>,
    /// One text per language (Polish, English, or both).
    pub texts: Vec<TextInput>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleUpdate {
    /// The `version` the change was made on; a newer one is a `version_conflict`.
    pub version: i64,
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub category_id: Patch<i64>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub product_id: Patch<i64>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub module: Patch<String>,
    #[schema(schema_with = crate::schema::visibility)]
    pub visibility: Option<Visibility>,
    #[schema(schema_with = crate::schema::article_status)]
    pub status: Option<ArticleStatus>,
    /// Texts to save (each a new revision); languages left out stay as they are.
    #[serde(default)]
    pub texts: Vec<TextInput>,
}

fn check_texts(texts: &[TextInput], required: bool) -> ApiResult<Vec<(Language, String, String)>> {
    if required && texts.is_empty() {
        return Err(ApiError::invalid("texts", "an article needs a title and a body in Polish or English"));
    }
    let mut out: Vec<(Language, String, String)> = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        if out.iter().any(|(l, _, _)| *l == t.language) {
            return Err(ApiError::invalid(&format!("texts[{i}].language"), "each language may appear once"));
        }
        let title = text(&format!("texts[{i}].title"), &t.title, TITLE_MAX, false)?;
        let body = text(&format!("texts[{i}].body"), &t.body, BODY_MAX, true)?;
        out.push((t.language, title, body));
    }
    Ok(out)
}

fn check_refs(tx: &mut Tx<'_>, input: &mut ArticleInput) -> ApiResult<()> {
    if let Some(c) = input.category_id {
        kb::category(tx, c).map_err(|_| ApiError::invalid("category_id", "no such category"))?;
    }
    if let Some(p) = input.product_id {
        orgs::product(tx, p).map_err(|_| ApiError::invalid("product_id", "no such product"))?;
    }
    input.module = super::optional("module", input.module.take(), MODULE_MAX)?;
    Ok(())
}

fn slug_conflict(e: StoreError) -> ApiError {
    match e {
        StoreError::Unique { .. } => {
            ApiError::conflict("already_exists", "another article has this slug").with_field("slug")
        }
        StoreError::NotFound => ApiError::not_found("article"),
        e => e.into(),
    }
}

/// Creates an article (vendor staff) after every check of the API.
pub fn new_article(tx: &mut Tx<'_>, actor: &Actor, req: ArticleCreate, now: Timestamp) -> ApiResult<Article> {
    actor.require_vendor()?;
    let texts = check_texts(&req.texts, true)?;
    let first_title = texts.first().map(|t| t.1.clone()).unwrap_or_default();
    let mut input = ArticleInput {
        slug: slug_of("slug", req.slug.as_deref(), &first_title)?,
        category_id: req.category_id,
        product_id: req.product_id,
        module: req.module,
        visibility: req.visibility,
        status: req.status.unwrap_or(ArticleStatus::Draft),
    };
    check_refs(tx, &mut input)?;
    kb::create(tx, &input, &texts, Some(actor.id()), now).map_err(slug_conflict)
}

/// Changes an article (vendor staff); absent fields stay as they are.
pub fn change_article(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: i64,
    req: ArticleUpdate,
    now: Timestamp,
) -> ApiResult<Article> {
    actor.require_vendor()?;
    let a = kb::get(tx, id).map_err(|_| ApiError::not_found("article"))?;
    let texts = check_texts(&req.texts, false)?;
    let mut input = ArticleInput {
        slug: match req.slug {
            Some(s) => slug_of("slug", Some(&s), "")?,
            None => a.slug.clone(),
        },
        category_id: req.category_id.apply(a.category_id),
        product_id: req.product_id.apply(a.product_id),
        module: req.module.apply(a.module.clone()),
        visibility: req.visibility.unwrap_or(a.visibility),
        status: req.status.unwrap_or(a.status),
    };
    check_refs(tx, &mut input)?;
    kb::update(tx, id, req.version, &input, &texts, Some(actor.id()), now).map_err(slug_conflict)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ArticleQuery {
    /// Words to find in titles and bodies of either language; Polish letters optional.
    pub q: Option<String>,
    pub category_id: Option<i64>,
    pub product_id: Option<i64>,
    /// `draft` or `published` (vendor staff; others see published articles only).
    pub status: Option<String>,
    /// 1–100, default 50.
    pub limit: Option<usize>,
}

/// The articles `reader` may read matching the query, checked as the API checks it.
pub fn search(tx: &mut Tx<'_>, reader: Reader, q: &ArticleQuery) -> ApiResult<Vec<Article>> {
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(s.parse::<ArticleStatus>().map_err(|e| bad_query("status", e.to_string()))?),
    };
    let limit = q.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(bad_query("limit", "limit is 1 to 100"));
    }
    let query = q.q.as_deref().unwrap_or_default();
    if query.chars().count() > 500 {
        return Err(bad_query("q", "the search is longer than 500 characters"));
    }
    Ok(kb::list(tx, &Filter { reader, query, category_id: q.category_id, product_id: q.product_id, status, limit })?)
}

/// Articles matching a sentence (a ticket's subject, what a customer is typing): every word
/// of it when some article has them all, else any of its longer words, at most `limit`.
pub fn matching(tx: &mut Tx<'_>, r: Reader, sentence: &str, limit: usize) -> ApiResult<Vec<Article>> {
    let query = |q: &str| ArticleQuery {
        q: Some(q.chars().take(200).collect()),
        category_id: None,
        product_id: None,
        status: None,
        limit: Some(limit),
    };
    let all = search(tx, r, &query(sentence))?;
    if !all.is_empty() {
        return Ok(all);
    }
    let mut out: Vec<Article> = Vec::new();
    for w in deskbell_domain::text::search_terms(sentence).iter().filter(|w| w.chars().count() >= 4) {
        for a in search(tx, r, &query(w))? {
            if !out.iter().any(|o| o.id == a.id) {
                out.push(a);
            }
        }
    }
    out.truncate(limit);
    Ok(out)
}

/// The articles matching a ticket's subject as `actor` may read them, recorded as suggested
/// for the ticket by `actor` (the customer who saw them while typing it, the agent whose
/// ticket page showed them).
pub fn suggest_for(
    tx: &mut Tx<'_>,
    actor: &Actor,
    t: &tickets::Ticket,
    limit: usize,
    now: Timestamp,
) -> ApiResult<Vec<Article>> {
    let found = matching(tx, reader(Some(actor)), &t.subject, limit)?;
    let ids: Vec<i64> = found.iter().map(|a| a.id).collect();
    kb::suggested(tx, t.id, &ids, Some(actor.id()), now)?;
    Ok(found)
}

/// List and search the articles the caller may read.
#[utoipa::path(get, path = "/kb/articles", tag = "knowledge", params(ArticleQuery),
    responses((status = 200, body = Vec<ArticleView>), (status = 400, body = ErrorBody)))]
pub async fn list_articles(
    State(state): State<AppState>,
    MaybeActor(actor): MaybeActor,
    Q(q): Q<ArticleQuery>,
) -> ApiResult<Json<Vec<ArticleView>>> {
    let r = reader(actor.as_ref());
    let list = state.read(move |tx| search(tx, r, &q)).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Create an article (vendor staff).
#[utoipa::path(post, path = "/kb/articles", tag = "knowledge", request_body = ArticleCreate,
    responses((status = 201, body = ArticleView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_article(
    State(state): State<AppState>,
    actor: Actor,
    Json(req): Json<ArticleCreate>,
) -> ApiResult<(StatusCode, Json<ArticleView>)> {
    let now = state.now();
    let a = state.write(move |tx| new_article(tx, &actor, req, now)).await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

/// One article by id or slug, if the caller may read it.
#[utoipa::path(get, path = "/kb/articles/{id}", tag = "knowledge", params(("id" = String, Path, description = "id or slug")),
    responses((status = 200, body = ArticleView), (status = 404, body = ErrorBody)))]
pub async fn get_article(
    State(state): State<AppState>,
    MaybeActor(actor): MaybeActor,
    Path(key): Path<String>,
) -> ApiResult<Json<ArticleView>> {
    let r = reader(actor.as_ref());
    let a = state.read(move |tx| kb::readable(tx, r, &key).map_err(ApiError::or_not_found("article"))).await?;
    Ok(Json(a.into()))
}

/// Change an article: fields, visibility, publishing, texts (vendor staff).
#[utoipa::path(patch, path = "/kb/articles/{id}", tag = "knowledge", params(("id" = i64, Path)), request_body = ArticleUpdate,
    responses((status = 200, body = ArticleView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_article(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(req): Json<ArticleUpdate>,
) -> ApiResult<Json<ArticleView>> {
    let now = state.now();
    let a = state.write(move |tx| change_article(tx, &actor, id, req, now)).await?;
    Ok(Json(a.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    pub id: i64,
    #[schema(schema_with = crate::schema::language)]
    pub language: Language,
    pub title: String,
    pub body: String,
    pub author_id: Option<i64>,
    pub author: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

/// The revisions of an article with their authors, newest first (vendor staff).
pub fn revisions(tx: &mut Tx<'_>, actor: &Actor, id: i64) -> ApiResult<Vec<RevisionView>> {
    actor.require_vendor()?;
    kb::get(tx, id).map_err(|_| ApiError::not_found("article"))?;
    let list = kb::revisions(tx, id)?;
    let ids: Vec<i64> = list.iter().filter_map(|r| r.author_id).collect();
    let names = deskbell_store::people::names(tx, &ids)?;
    Ok(list
        .into_iter()
        .map(|r| RevisionView {
            author: r.author_id.and_then(|a| names.get(&a).cloned()),
            id: r.id,
            language: r.language,
            title: r.title,
            body: r.body,
            author_id: r.author_id,
            created_at: r.created_at,
        })
        .collect())
}

/// The revision history of an article (vendor staff).
#[utoipa::path(get, path = "/kb/articles/{id}/revisions", tag = "knowledge", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<RevisionView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn article_revisions(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<RevisionView>>> {
    Ok(Json(state.read(move |tx| revisions(tx, &actor, id)).await?))
}

// ---------------------------------------------------------------- files

#[derive(Debug, Serialize, ToSchema)]
pub struct FileView {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    /// Where it is served, with the article's visibility; `![](url)` shows an image.
    pub url: String,
}

impl From<kb::File> for FileView {
    fn from(f: kb::File) -> Self {
        FileView { url: file_url(f.id), id: f.id, filename: f.filename, content_type: f.content_type, size: f.size }
    }
}

pub fn file_url(id: i64) -> String {
    format!("/help/kb/files/{id}")
}

/// Adds images or attachments to an article (vendor staff), with the ticket attachments'
/// checks of size and name.
pub fn add_files(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: i64,
    files: &[Upload],
    limits: Limits,
    now: Timestamp,
) -> ApiResult<Vec<kb::File>> {
    actor.require_vendor()?;
    kb::get(tx, id).map_err(|_| ApiError::not_found("article"))?;
    check_uploads(files, limits)?;
    let mut out = Vec::new();
    for f in files {
        let ct = f.content_type.trim();
        let ct = if ct.is_empty() || ct.len() > 200 { "application/octet-stream" } else { ct };
        out.push(kb::add_file(tx, id, f.filename.trim(), ct, &f.data, now)?);
    }
    Ok(out)
}

/// Add images or attachments to an article: `multipart/form-data` with parts named `files`
/// (vendor staff).
#[utoipa::path(post, path = "/kb/articles/{id}/files", tag = "knowledge", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "parts named `files`"),
    responses((status = 201, body = Vec<FileView>), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload_files(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    mut mp: Multipart,
) -> ApiResult<(StatusCode, Json<Vec<FileView>>)> {
    actor.require_vendor()?;
    let broken =
        |e: axum::extract::multipart::MultipartError| ApiError::new(e.status(), "malformed_multipart", e.body_text());
    let mut files = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(broken)? {
        if field.name() != Some("files") {
            return Err(ApiError::invalid(
                field.name().unwrap_or(""),
                "unknown part; send files in parts named `files`",
            ));
        }
        let filename = field.file_name().unwrap_or("file").to_owned();
        let content_type = field.content_type().unwrap_or("application/octet-stream").to_owned();
        let data = field.bytes().await.map_err(broken)?.to_vec();
        files.push(Upload { filename, content_type, data, content_id: None });
    }
    if files.is_empty() {
        return Err(ApiError::invalid("files", "send at least one file in a part named `files`"));
    }
    let limits = crate::tickets::api::limits(&state);
    let now = state.now();
    let saved = state.write(move |tx| add_files(tx, &actor, id, &files, limits, now)).await?;
    Ok((StatusCode::CREATED, Json(saved.into_iter().map(Into::into).collect())))
}

/// A file of an article, to whoever may read the article (images inline, the rest as a
/// download, sandboxed either way).
pub async fn file(state: &AppState, r: Reader, id: i64) -> ApiResult<Response> {
    let (f, data) = state.read(move |tx| kb::readable_file(tx, r, id).map_err(ApiError::or_not_found("file"))).await?;
    let meta = deskbell_store::attachments::Attachment {
        id: f.id,
        ticket_id: 0,
        article_id: f.article_id,
        filename: f.filename,
        content_type: f.content_type,
        size: f.size,
        sha256: f.sha256,
        created_at: f.created_at,
        content_id: None,
    };
    Ok(crate::tickets::api::file_response(&meta, data, crate::web::thread::PREVIEW_TYPES))
}

/// Download a file of an article; authorised like the article.
#[utoipa::path(get, path = "/kb/files/{id}", tag = "knowledge", params(("id" = i64, Path)),
    responses((status = 200, description = "the file"), (status = 404, body = ErrorBody)))]
pub async fn download_file(
    State(state): State<AppState>,
    MaybeActor(actor): MaybeActor,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    file(&state, reader(actor.as_ref()), id).await
}

// ---------------------------------------------------------------- feedback and deflection

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Feedback {
    /// The answer to "was this helpful?".
    pub helpful: bool,
}

/// Who answers "was this helpful?": a person, or a visitor's browser (by the hash of its
/// random cookie), so that each counts once per article.
pub fn voter(actor: Option<&Actor>, browser_token: &str) -> String {
    match actor {
        Some(a) => format!("person:{}", a.id()),
        None => format!("browser:{}", crate::auth::token_hash(browser_token)),
    }
}

/// Records an answer to "was this helpful?" for an article the reader may read; answering
/// again changes the answer instead of adding one.
pub fn vote(tx: &mut Tx<'_>, r: Reader, key: &str, voter: &str, helpful: bool, now: Timestamp) -> ApiResult<Article> {
    let a = kb::readable(tx, r, key).map_err(ApiError::or_not_found("article"))?;
    kb::vote(tx, a.id, voter, helpful, now)?;
    Ok(kb::get(tx, a.id)?)
}

/// Answer "was this helpful?" (logged in; visitors answer on the article's page). Each person
/// counts once per article: a second answer replaces the first.
#[utoipa::path(post, path = "/kb/articles/{id}/feedback", tag = "knowledge", params(("id" = String, Path, description = "id or slug")),
    request_body = Feedback, responses((status = 200, body = ArticleView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn feedback(
    State(state): State<AppState>,
    actor: Actor,
    Path(key): Path<String>,
    Json(req): Json<Feedback>,
) -> ApiResult<Json<ArticleView>> {
    let r = reader(Some(&actor));
    let who = voter(Some(&actor), "");
    let now = state.now();
    let a = state.write(move |tx| vote(tx, r, &key, &who, req.helpful, now)).await?;
    Ok(Json(a.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeflectionInput {
    /// The article that solved the problem.
    pub article_id: i64,
    /// What the customer was about to report.
    pub subject: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeflectionView {
    pub id: i64,
    pub article_id: i64,
}

/// "This solved my problem": records a deflected request instead of a ticket (a customer,
/// for an article they may read).
pub fn record_deflection(tx: &mut Tx<'_>, actor: &Actor, req: DeflectionInput, now: Timestamp) -> ApiResult<i64> {
    if actor.is_vendor() {
        return Err(ApiError::forbidden("deflections are recorded for customers"));
    }
    let subject = text("subject", &req.subject, crate::tickets::service::SUBJECT_MAX, false)?;
    let a = kb::readable(tx, Reader::Customer, &req.article_id.to_string())
        .map_err(|_| ApiError::invalid("article_id", "no such article"))?;
    Ok(kb::deflect(tx, a.id, Some(actor.id()), &subject, now)?)
}

/// Record that an article solved the customer's problem, so no ticket was needed.
#[utoipa::path(post, path = "/kb/deflections", tag = "knowledge", request_body = DeflectionInput,
    responses((status = 201, body = DeflectionView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn deflect(
    State(state): State<AppState>,
    actor: Actor,
    Json(req): Json<DeflectionInput>,
) -> ApiResult<(StatusCode, Json<DeflectionView>)> {
    let now = state.now();
    let article_id = req.article_id;
    let id = state.write(move |tx| record_deflection(tx, &actor, req, now)).await?;
    Ok((StatusCode::CREATED, Json(DeflectionView { id, article_id })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// RFC 3339 instant (default: 30 days ago).
    pub from: Option<String>,
    /// RFC 3339 instant (default: now).
    pub to: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeflectionCount {
    pub article_id: i64,
    pub slug: String,
    pub deflected: i64,
}

/// Deflected requests per article in a period, most first (vendor staff; for reports).
#[utoipa::path(get, path = "/kb/deflections", tag = "knowledge", params(PeriodQuery),
    responses((status = 200, body = Vec<DeflectionCount>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn deflection_counts(
    State(state): State<AppState>,
    actor: Actor,
    Q(q): Q<PeriodQuery>,
) -> ApiResult<Json<Vec<DeflectionCount>>> {
    actor.require_vendor()?;
    let now = state.now();
    let instant = |field: &str, v: &Option<String>, default: Timestamp| -> ApiResult<Timestamp> {
        match v {
            None => Ok(default),
            Some(s) => s.parse().map_err(|_| bad_query(field, format!("`{s}` is not an RFC 3339 instant"))),
        }
    };
    // Up to and including now (`to` is exclusive).
    let to = instant("to", &q.to, now + jiff::SignedDuration::from_secs(1))?;
    let from = instant("from", &q.from, now - jiff::SignedDuration::from_hours(24 * 30))?;
    let list = state
        .read(move |tx| {
            let counts = kb::deflections(tx, from, to)?;
            let ids: Vec<i64> = counts.iter().map(|(id, _)| *id).collect();
            let articles = kb::get_many(tx, &ids)?;
            counts
                .into_iter()
                .map(|(id, n)| {
                    let a = articles.iter().find(|a| a.id == id).ok_or(StoreError::NotFound)?;
                    Ok(DeflectionCount { article_id: id, slug: a.slug.clone(), deflected: n })
                })
                .collect::<ApiResult<Vec<_>>>()
        })
        .await?;
    Ok(Json(list))
}

// ---------------------------------------------------------------- tickets

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketLinkInput {
    pub article_id: i64,
    /// `suggested` (shown for the ticket) or `used` (its link went into a reply).
    pub kind: LinkKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    Suggested,
    Used,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketLinkView {
    pub article_id: i64,
    pub slug: String,
    pub title: String,
    pub url: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub suggested_at: Option<Timestamp>,
    pub suggested_by: Option<i64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub used_at: Option<Timestamp>,
    pub used_by: Option<i64>,
}

/// The ticket of `number` for vendor staff.
fn vendor_ticket(tx: &mut Tx<'_>, actor: &Actor, number: i64) -> ApiResult<tickets::Ticket> {
    actor.require_vendor()?;
    tickets::by_number(tx, number, &actor.scope).map_err(ApiError::or_not_found("ticket"))
}

/// Records articles shown for a ticket, or one whose link an agent put into a reply (with a
/// history event), and returns the ticket's links.
pub fn record_link(
    tx: &mut Tx<'_>,
    actor: &Actor,
    number: i64,
    article_ids: &[i64],
    kind: LinkKind,
    now: Timestamp,
) -> ApiResult<Vec<TicketLinkView>> {
    let t = vendor_ticket(tx, actor, number)?;
    let found = kb::get_many(tx, article_ids)?;
    if article_ids.iter().any(|id| !found.iter().any(|a| a.id == *id)) {
        return Err(ApiError::invalid("article_id", "no such article"));
    }
    match kind {
        LinkKind::Suggested => kb::suggested(tx, t.id, article_ids, Some(actor.id()), now)?,
        LinkKind::Used => {
            for a in article_ids {
                kb::used(tx, t.id, *a, actor.id(), now)?;
            }
        }
    }
    links(tx, t.id, Language::Pl)
}

/// A ticket's suggested and used articles, titled in `lang`.
pub fn links(tx: &mut Tx<'_>, ticket_id: i64, lang: Language) -> ApiResult<Vec<TicketLinkView>> {
    let links = kb::ticket_links(tx, ticket_id)?;
    let ids: Vec<i64> = links.iter().map(|l| l.article_id).collect();
    let articles = kb::get_many(tx, &ids)?;
    links
        .into_iter()
        .map(|l| {
            let a = articles.iter().find(|a| a.id == l.article_id).cloned().ok_or(StoreError::NotFound)?;
            Ok(TicketLinkView {
                title: a.text(lang).map(|t| t.title.clone()).unwrap_or_default(),
                url: url(&a.slug),
                slug: a.slug,
                article_id: l.article_id,
                suggested_at: l.suggested_at,
                suggested_by: l.suggested_by,
                used_at: l.used_at,
                used_by: l.used_by,
            })
        })
        .collect()
}

/// The articles suggested for and used in a ticket (vendor staff).
#[utoipa::path(get, path = "/tickets/{number}/kb", tag = "knowledge", params(("number" = String, Path)),
    responses((status = 200, body = Vec<TicketLinkView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn ticket_links(
    State(state): State<AppState>,
    actor: Actor,
    Path(number): Path<String>,
) -> ApiResult<Json<Vec<TicketLinkView>>> {
    let n = crate::tickets::api::number(&number)?;
    let lang = actor.person.language;
    let list = state
        .read(move |tx| {
            let t = vendor_ticket(tx, &actor, n)?;
            links(tx, t.id, lang)
        })
        .await?;
    Ok(Json(list))
}

/// Record an article as suggested for a ticket, or as used in its reply (vendor staff).
#[utoipa::path(post, path = "/tickets/{number}/kb", tag = "knowledge", params(("number" = String, Path)),
    request_body = TicketLinkInput,
    responses((status = 200, body = Vec<TicketLinkView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn link_ticket(
    State(state): State<AppState>,
    actor: Actor,
    Path(number): Path<String>,
    Json(req): Json<TicketLinkInput>,
) -> ApiResult<Json<Vec<TicketLinkView>>> {
    let n = crate::tickets::api::number(&number)?;
    let now = state.now();
    let list = state.write(move |tx| record_link(tx, &actor, n, &[req.article_id], req.kind, now)).await?;
    Ok(Json(list))
}
