//! The knowledge base in the agent workspace: the list of every article (drafts too), the
//! editor (Polish and English text, visibility, publishing, category, product, module,
//! files, revision history), categories, and the ticket page's panel that searches the
//! knowledge base and puts an article's link into the reply.
//!
//! Saving goes through the API's `new_article` / `change_article`, so the pages refuse
//! exactly what the API refuses.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use deskbell_domain::kb::{ArticleStatus, Reader, Visibility};
use deskbell_domain::person::Language;
use deskbell_store::kb::{self, Article};
use deskbell_store::{orgs, tickets};
use serde::Deserialize;

use crate::error::ApiError;
use crate::kb::articles::{
    self as service, ArticleCreate, ArticleQuery, ArticleUpdate, CategoryInput, LinkKind, TextInput, file_url, url,
};
use crate::patch::Patch;
use crate::state::AppState;
use crate::tickets::api::number;
use crate::web::admin::Opt;
use crate::web::ctx::{self, Ctx, PageResult, see_other};
use crate::web::forms::{Errors, FormData};
use crate::web::help::kb::{ArticleItem, item, visibility_label};
use crate::web::i18n::{datetime, time_zone};

#[derive(Template)]
#[template(path = "agent/kb.html")]
struct ListPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    q: String,
    rows: Vec<Row>,
    errors: Errors,
}

struct Row {
    item: ArticleItem,
    status: &'static str,
    draft: bool,
    helpful: String,
    /// Requests it answered without a ticket in the last 30 days.
    deflected: i64,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
}

async fn list_page(state: &AppState, c: &Ctx, q: Option<String>, errors: Errors, status: StatusCode) -> PageResult {
    c.vendor()?;
    let text = q.clone().unwrap_or_default();
    let query = ArticleQuery { q, category_id: None, product_id: None, status: None, limit: Some(100) };
    let now = c.now;
    let (list, deflected) = state
        .read(move |tx| {
            let since = now - jiff::SignedDuration::from_hours(24 * 30);
            let counts = kb::deflections(tx, since, now + jiff::SignedDuration::from_secs(1))?;
            Ok((service::search(tx, Reader::Vendor, &query)?, counts))
        })
        .await?;
    let rows = list
        .iter()
        .map(|a| Row {
            item: item(c, a),
            status: status_label(c, a.status),
            draft: a.status == ArticleStatus::Draft,
            helpful: format!("{} / {}", a.helpful_yes, a.helpful_no),
            deflected: deflected.iter().find(|(id, _)| *id == a.id).map_or(0, |(_, n)| *n),
        })
        .collect();
    ctx::html_status(status, &ListPage { c, section: "kb", q: text, rows, errors })
}

fn status_label(c: &Ctx, s: ArticleStatus) -> &'static str {
    match s {
        ArticleStatus::Draft => c.t.kb_status_draft,
        ArticleStatus::Published => c.t.kb_status_published,
    }
}

/// GET /agent/kb
pub async fn list(State(state): State<AppState>, c: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    list_page(&state, &c, q.q, Errors::default(), StatusCode::OK).await
}

/// POST /agent/kb/categories: a new category from the list page.
pub async fn new_category(State(state): State<AppState>, c: Ctx, f: FormData) -> PageResult {
    let actor = c.vendor()?.clone();
    let req = CategoryInput { name_pl: f.value("name_pl"), name_en: f.value("name_en"), slug: None, position: 0 };
    let now = state.now();
    match state.write(move |tx| service::save_category(tx, &actor, None, req, now)).await {
        Ok(_) => Ok(see_other(&c, "/agent/kb")),
        Err(e) if e.status.is_client_error() => {
            let errors = Errors::from_api(&e, &["name_pl", "name_en", "slug"]);
            list_page(&state, &c, None, errors, e.status).await
        }
        Err(e) => Err(e.into()),
    }
}

/// What the editor shows: the stored article, or what was typed.
#[derive(Default)]
struct Typed {
    slug: String,
    visibility: String,
    status: String,
    category_id: String,
    product_id: String,
    module: String,
    version: String,
    title_pl: String,
    body_pl: String,
    title_en: String,
    body_en: String,
}

impl Typed {
    fn of(a: &Article) -> Typed {
        let text = |l: Language| a.translation(l).map(|t| (t.title.clone(), t.body.clone())).unwrap_or_default();
        let (title_pl, body_pl) = text(Language::Pl);
        let (title_en, body_en) = text(Language::En);
        Typed {
            slug: a.slug.clone(),
            visibility: a.visibility.as_str().to_owned(),
            status: a.status.as_str().to_owned(),
            category_id: a.category_id.map(|i| i.to_string()).unwrap_or_default(),
            product_id: a.product_id.map(|i| i.to_string()).unwrap_or_default(),
            module: a.module.clone().unwrap_or_default(),
            version: a.version.to_string(),
            title_pl,
            body_pl,
            title_en,
            body_en,
        }
    }

    fn sent(f: &FormData) -> Typed {
        Typed {
            slug: f.value("slug"),
            visibility: f.value("visibility"),
            status: f.value("status"),
            category_id: f.value("category_id"),
            product_id: f.value("product_id"),
            module: f.value("module"),
            version: f.value("version"),
            title_pl: f.value("title_pl"),
            body_pl: f.value("body_pl"),
            title_en: f.value("title_en"),
            body_en: f.value("body_en"),
        }
    }

    /// The texts typed, Polish first: a language whose title and body are both empty is
    /// left out (and keeps what it had).
    fn texts(&self) -> (Vec<TextInput>, Vec<Language>) {
        let mut texts = Vec::new();
        let mut langs = Vec::new();
        for (lang, title, body) in
            [(Language::Pl, &self.title_pl, &self.body_pl), (Language::En, &self.title_en, &self.body_en)]
        {
            if title.trim().is_empty() && body.trim().is_empty() {
                continue;
            }
            texts.push(TextInput { language: lang, title: title.clone(), body: body.clone() });
            langs.push(lang);
        }
        (texts, langs)
    }
}

struct RevisionItem {
    at: String,
    who: String,
    lang: &'static str,
    title: String,
}

struct FileItem {
    url: String,
    name: String,
    markdown: String,
}

#[derive(Template)]
#[template(path = "agent/kb_edit.html")]
struct EditPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    id: Option<i64>,
    f: Typed,
    errors: Errors,
    visibilities: Vec<Opt>,
    statuses: Vec<Opt>,
    categories: Vec<Opt>,
    products: Vec<Opt>,
    revisions: Vec<RevisionItem>,
    files: Vec<FileItem>,
    /// The help-centre address, once saved.
    public_url: Option<String>,
    saved: bool,
}

impl EditPage<'_> {
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/agent/kb/{id}"),
            None => "/agent/kb/new".to_owned(),
        }
    }

    fn upload_action(&self) -> String {
        format!("/agent/kb/{}/files?_csrf={}", self.id.unwrap_or_default(), self.c.csrf)
    }
}

fn opts<T: Copy>(
    all: &[T],
    selected: &str,
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<Opt> {
    all.iter()
        .map(|v| Opt { value: value(*v).to_owned(), label: label(*v).to_owned(), selected: value(*v) == selected })
        .collect()
}

async fn edit_page(
    state: &AppState,
    c: &Ctx,
    id: Option<i64>,
    f: Typed,
    errors: Errors,
    status: StatusCode,
    saved: bool,
) -> PageResult {
    c.vendor()?;
    let lang = c.lang;
    let (cats, products, revisions, files, slug) = state
        .read(move |tx| {
            let (revs, files, slug) = match id {
                Some(id) => {
                    let a = kb::get(tx, id).map_err(|_| ApiError::not_found("article"))?;
                    let revs = kb::revisions(tx, id)?;
                    let ids: Vec<i64> = revs.iter().filter_map(|r| r.author_id).collect();
                    let names = deskbell_store::people::names(tx, &ids)?;
                    let revs: Vec<_> = revs
                        .into_iter()
                        .map(|r| (r.created_at, r.author_id.and_then(|a| names.get(&a).cloned()), r.language, r.title))
                        .collect();
                    (revs, kb::files(tx, id)?, Some(a.slug))
                }
                None => (Vec::new(), Vec::new(), None),
            };
            Ok((kb::categories(tx)?, orgs::products(tx)?, revs, files, slug))
        })
        .await?;
    let tz = time_zone("Europe/Warsaw");
    let none = || Opt { value: String::new(), label: c.t.none.to_owned(), selected: false };
    let visibility = if f.visibility.is_empty() { "customers".to_owned() } else { f.visibility.clone() };
    let status_sel = if f.status.is_empty() { "draft".to_owned() } else { f.status.clone() };
    let page = EditPage {
        c,
        section: "kb",
        id,
        visibilities: opts(Visibility::ALL, &visibility, Visibility::as_str, |v| visibility_label(c, v)),
        statuses: opts(ArticleStatus::ALL, &status_sel, ArticleStatus::as_str, |s| status_label(c, s)),
        categories: std::iter::once(none())
            .chain(cats.iter().map(|k| Opt {
                value: k.id.to_string(),
                label: k.name(lang).to_owned(),
                selected: k.id.to_string() == f.category_id,
            }))
            .collect(),
        products: std::iter::once(none())
            .chain(products.iter().map(|p| Opt {
                value: p.id.to_string(),
                label: p.name.clone(),
                selected: p.id.to_string() == f.product_id,
            }))
            .collect(),
        revisions: revisions
            .into_iter()
            .map(|(at, who, l, title)| RevisionItem {
                at: datetime(lang, at, &tz),
                who: who.unwrap_or_default(),
                lang: if l == Language::Pl { c.t.language_pl } else { c.t.language_en },
                title,
            })
            .collect(),
        files: files
            .into_iter()
            .map(|x| FileItem {
                markdown: format!("![{}]({})", x.filename, file_url(x.id)),
                url: file_url(x.id),
                name: x.filename,
            })
            .collect(),
        public_url: slug.map(|s| url(&s)),
        f,
        errors,
        saved,
    };
    ctx::html_status(status, &page)
}

/// GET /agent/kb/new
pub async fn new_form(State(state): State<AppState>, c: Ctx) -> PageResult {
    edit_page(&state, &c, None, Typed::default(), Errors::default(), StatusCode::OK, false).await
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// GET /agent/kb/{id}
pub async fn edit_form(
    State(state): State<AppState>,
    c: Ctx,
    Path(raw): Path<String>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    c.vendor()?;
    let id: i64 = raw.parse().map_err(|_| ApiError::not_found("article"))?;
    let a = state.read(move |tx| kb::get(tx, id).map_err(|_| ApiError::not_found("article"))).await?;
    edit_page(&state, &c, Some(id), Typed::of(&a), Errors::default(), StatusCode::OK, q.saved.is_some()).await
}

const FIELDS: [&str; 9] =
    ["slug", "visibility", "status", "category_id", "product_id", "module", "texts", "title_pl", "body_pl"];

/// A refusal on the field of the form it concerns (`texts[1].title` → the English title).
fn refusal(c: &Ctx, e: &ApiError, langs: &[Language]) -> Errors {
    let mut field = e.field.clone().unwrap_or_default();
    if let Some(rest) = field.strip_prefix("texts[") {
        let (i, part) = rest.split_once("].").unwrap_or(("0", "title"));
        let lang = i.parse::<usize>().ok().and_then(|i| langs.get(i)).copied().unwrap_or(Language::Pl);
        field = format!("{part}_{}", lang.as_str());
    }
    let known = FIELDS.contains(&field.as_str()) || field.ends_with("_en");
    let message = match e.code {
        "version_conflict" => c.t.err_conflict.to_owned(),
        "already_exists" => c.t.kb_err_slug_taken.to_owned(),
        _ => e.message.clone(),
    };
    let mut errors = Errors::default();
    errors.add(if known { &field } else { "_form" }, message);
    errors
}

fn opt_id(v: &str) -> Option<i64> {
    v.trim().parse().ok()
}

/// Reads the visibility and status of the form; a value the form cannot have offered is an
/// error on its field (the API's message).
fn parse_choice<T: std::str::FromStr>(field: &str, v: &str) -> Result<Option<T>, ApiError>
where
    T::Err: std::fmt::Display,
{
    if v.is_empty() {
        return Ok(None);
    }
    v.parse().map(Some).map_err(|e: T::Err| ApiError::invalid(field, e.to_string()))
}

/// POST /agent/kb/new and /agent/kb/{id}
async fn save(state: &AppState, c: &Ctx, id: Option<i64>, f: FormData) -> PageResult {
    let actor = c.vendor()?.clone();
    let typed = Typed::sent(&f);
    let (texts, langs) = typed.texts();
    let now = state.now();
    let choices = parse_choice::<Visibility>("visibility", &typed.visibility)
        .and_then(|v| Ok((v, parse_choice::<ArticleStatus>("status", &typed.status)?)));
    let result = match choices {
        Err(e) => Err(e),
        Ok((visibility, status)) => {
            let (slug, module) = (typed.slug.trim().to_owned(), typed.module.trim().to_owned());
            let (category, product) = (opt_id(&typed.category_id), opt_id(&typed.product_id));
            match id {
                None => {
                    let req = ArticleCreate {
                        slug: Some(slug).filter(|s| !s.is_empty()),
                        category_id: category,
                        product_id: product,
                        module: Some(module),
                        visibility: visibility.unwrap_or(Visibility::Customers),
                        status,
                        texts,
                    };
                    state.write(move |tx| service::new_article(tx, &actor, req, now)).await
                }
                Some(id) => {
                    let patch = |v: Option<i64>| v.map_or(Patch::Clear, Patch::Set);
                    let req = ArticleUpdate {
                        version: typed.version.parse().unwrap_or(0),
                        slug: Some(slug).filter(|s| !s.is_empty()),
                        category_id: patch(category),
                        product_id: patch(product),
                        module: if module.is_empty() { Patch::Clear } else { Patch::Set(module) },
                        visibility,
                        status,
                        texts,
                    };
                    state.write(move |tx| service::change_article(tx, &actor, id, req, now)).await
                }
            }
        }
    };
    match result {
        Ok(a) => Ok(see_other(c, &format!("/agent/kb/{}?saved=1", a.id))),
        Err(e)
            if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN && e.status != StatusCode::NOT_FOUND =>
        {
            let errors = refusal(c, &e, &langs);
            edit_page(state, c, id, typed, errors, e.status, false).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn create(State(state): State<AppState>, c: Ctx, f: FormData) -> PageResult {
    save(&state, &c, None, f).await
}

pub async fn update(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>, f: FormData) -> PageResult {
    let id: i64 = raw.parse().map_err(|_| ApiError::not_found("article"))?;
    save(&state, &c, Some(id), f).await
}

/// POST /agent/kb/{id}/files (multipart): images and attachments of the article.
pub async fn upload(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>, mut f: FormData) -> PageResult {
    let actor = c.vendor()?.clone();
    let id: i64 = raw.parse().map_err(|_| ApiError::not_found("article"))?;
    let limits = crate::tickets::api::limits(&state);
    let now = state.now();
    let failed = f.upload_failed() || f.files.is_empty();
    let files = std::mem::take(&mut f.files);
    let done = state.write(move |tx| service::add_files(tx, &actor, id, &files, limits, now)).await;
    match done {
        Ok(_) if !failed => Ok(see_other(&c, &format!("/agent/kb/{id}?saved=1"))),
        Ok(_) | Err(_) => {
            let a = state.read(move |tx| kb::get(tx, id).map_err(|_| ApiError::not_found("article"))).await?;
            let mut errors = Errors::default();
            errors.add("files", c.t.kb_err_upload);
            edit_page(&state, &c, Some(id), Typed::of(&a), errors, StatusCode::UNPROCESSABLE_ENTITY, false).await
        }
    }
}

// ---------------------------------------------------------------- the ticket page's panel

#[derive(Template)]
#[template(path = "agent/kb_panel.html")]
struct Panel<'a> {
    c: &'a Ctx,
    number: i64,
    q: String,
    results: Vec<PanelItem>,
    linked: Vec<PanelItem>,
}

struct PanelItem {
    id: i64,
    title: String,
    link: String,
    used: bool,
    internal: bool,
}

impl Panel<'_> {
    fn use_action(&self, id: &i64) -> String {
        format!("/agent/tickets/{}/kb/{id}/use", self.number)
    }
}

#[derive(Template)]
#[template(path = "agent/kb_panel_page.html")]
struct PanelPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    panel: Panel<'a>,
}

#[derive(Deserialize, Default)]
pub struct PanelQuery {
    q: Option<String>,
}

/// GET /agent/tickets/{number}/kb: the articles matching the search (or, before one, the
/// ticket's subject — recorded as suggested for the ticket), and those already linked.
pub async fn panel(
    State(state): State<AppState>,
    c: Ctx,
    Path(raw): Path<String>,
    Query(q): Query<PanelQuery>,
) -> PageResult {
    let actor = c.vendor()?.clone();
    let n = number(&raw)?;
    let typed = q.q.clone().unwrap_or_default();
    let now = state.now();
    let lang = c.lang;
    let base = state.config.base_url.trim_end_matches('/').to_owned();
    let (found, links, by_subject) = state
        .write(move |tx| {
            let t = tickets::by_number(tx, n, &actor.scope).map_err(ApiError::or_not_found("ticket"))?;
            let by_subject = typed.trim().is_empty();
            let found = if by_subject {
                service::suggest_for(tx, &actor, &t, 8, now)?
            } else {
                service::matching(tx, Reader::Vendor, &typed, 8)?
            };
            let links = service::links(tx, t.id, lang)?;
            Ok((found, links, by_subject))
        })
        .await?;
    let used: Vec<i64> = links.iter().filter(|l| l.used_at.is_some()).map(|l| l.article_id).collect();
    let panel = Panel {
        c: &c,
        number: n,
        q: if by_subject { String::new() } else { q.q.unwrap_or_default() },
        results: found
            .iter()
            .map(|a| PanelItem {
                id: a.id,
                title: a.text(lang).map(|t| t.title.clone()).unwrap_or_default(),
                link: format!("{base}{}", url(&a.slug)),
                used: used.contains(&a.id),
                internal: a.visibility == Visibility::Internal,
            })
            .collect(),
        linked: links
            .iter()
            .filter(|l| l.used_at.is_some())
            .map(|l| PanelItem {
                id: l.article_id,
                title: l.title.clone(),
                link: format!("{base}{}", l.url),
                used: true,
                internal: false,
            })
            .collect(),
    };
    if c.htmx { ctx::html(&panel) } else { ctx::html(&PanelPage { c: &c, section: "queues", panel }) }
}

/// POST /agent/tickets/{number}/kb/{id}/use: the article's link went into the reply
/// (recorded with a history event). htmx posts it when the agent inserts the link; without
/// scripts the form comes back to the ticket.
pub async fn use_article(State(state): State<AppState>, c: Ctx, Path((raw, id)): Path<(String, String)>) -> PageResult {
    let actor = c.vendor()?.clone();
    let n = number(&raw)?;
    let id: i64 = id.parse().map_err(|_| ApiError::not_found("article"))?;
    let now = state.now();
    state.write(move |tx| service::record_link(tx, &actor, n, &[id], LinkKind::Used, now)).await?;
    if c.htmx {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Ok(see_other(&c, &format!("/agent/tickets/{n}#compose-h")))
    }
}
