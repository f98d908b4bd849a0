//! The knowledge base in the help centre: browse by category and product, search, read an
//! article in the page's language (the other one when it has only that), answer "was this
//! helpful?", and — while a customer types a subject on `/help/new` — matching articles with
//! "this solved my problem", which records a deflected request instead of a ticket.
//!
//! Every read goes through the store's reader checks ([`crate::kb::reader`]): public
//! articles without a login, customer-only ones for logged-in customers, internal ones for
//! the vendor's staff; anything else is the same "not found" as a missing page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use deskbell_domain::kb::{Reader, Visibility};
use deskbell_store::kb::{self, Article, Category};
use deskbell_store::orgs::{self, Product};
use serde::Deserialize;

use super::not_found;
use crate::error::ApiError;
use crate::kb::articles::{self as service, ArticleQuery, DeflectionInput, file_url, url};
use crate::kb::markdown::{excerpt, to_html};
use crate::kb::reader;
use crate::state::AppState;
use crate::web::ctx::{self, Ctx, PageResult, see_other};
use crate::web::forms::FormData;

/// How many articles the help centre suggests for a subject.
pub const SUGGESTIONS: usize = 5;

/// One article in a list.
pub struct ArticleItem {
    pub url: String,
    pub title: String,
    pub excerpt: String,
    pub id: i64,
    pub visibility: &'static str,
}

pub fn item(c: &Ctx, a: &Article) -> ArticleItem {
    let text = a.text(c.lang);
    ArticleItem {
        url: url(&a.slug),
        title: text.map(|t| t.title.clone()).unwrap_or_default(),
        excerpt: text.map(|t| excerpt(&t.body, 160)).unwrap_or_default(),
        id: a.id,
        visibility: visibility_label(c, a.visibility),
    }
}

pub fn visibility_label(c: &Ctx, v: Visibility) -> &'static str {
    match v {
        Visibility::Public => c.t.kb_visibility_public,
        Visibility::Customers => c.t.kb_visibility_customers,
        Visibility::Internal => c.t.kb_visibility_internal,
    }
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "help/kb.html")]
struct KbPage<'a> {
    c: &'a Ctx,
    section: &'a str,
    q: String,
    categories: Vec<Choice>,
    products: Vec<Choice>,
    results: Vec<ArticleItem>,
    /// Anything narrowed the list (a search, a category, a product).
    filtered: bool,
}

#[derive(Deserialize, Default)]
pub struct KbQuery {
    q: Option<String>,
    category: Option<String>,
    product: Option<String>,
}

fn id_of(raw: &Option<String>) -> Option<i64> {
    raw.as_deref().and_then(|s| s.parse().ok())
}

fn choices<T>(list: &[T], selected: Option<i64>, f: impl Fn(&T) -> (i64, String)) -> Vec<Choice> {
    list.iter()
        .map(|x| {
            let (id, label) = f(x);
            Choice { value: id.to_string(), label, selected: Some(id) == selected }
        })
        .collect()
}

/// GET /help/kb
pub async fn index(State(state): State<AppState>, c: Ctx, Query(q): Query<KbQuery>) -> PageResult {
    let r = reader(c.actor.as_ref());
    let (category, product) = (id_of(&q.category), id_of(&q.product));
    let text = q.q.clone().unwrap_or_default();
    let query = ArticleQuery { q: q.q, category_id: category, product_id: product, status: None, limit: Some(100) };
    let (cats, products, list): (Vec<Category>, Vec<Product>, Vec<Article>) =
        state.read(move |tx| Ok((kb::categories(tx)?, orgs::products(tx)?, service::search(tx, r, &query)?))).await?;
    let lang = c.lang;
    let page = KbPage {
        c: &c,
        section: "kb",
        filtered: !text.trim().is_empty() || category.is_some() || product.is_some(),
        q: text,
        categories: choices(&cats, category, |k| (k.id, k.name(lang).to_owned())),
        products: choices(&products, product, |p| (p.id, p.name.clone())),
        results: list.iter().map(|a| item(&c, a)).collect(),
    };
    ctx::html(&page)
}

struct FileItem {
    url: String,
    name: String,
    image: bool,
}

#[derive(Template)]
#[template(path = "help/kb_article.html")]
struct ArticlePage<'a> {
    c: &'a Ctx,
    section: &'a str,
    slug: String,
    title: String,
    html: String,
    /// The page's language has no text; this is the other one.
    fallback: bool,
    lang: &'static str,
    category: Option<String>,
    product: Option<String>,
    module: Option<String>,
    updated: String,
    files: Vec<FileItem>,
    helpful_yes: i64,
    helpful_no: i64,
    /// `yes`/`no` after a vote, `deflected` after "this solved my problem".
    done: String,
    vendor: bool,
    visibility: &'static str,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

/// GET /help/kb/{slug}
pub async fn article(
    State(state): State<AppState>,
    c: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let r = reader(c.actor.as_ref());
    let (a, files, category, product) = state
        .read(move |tx| {
            let a = kb::readable(tx, r, &slug).map_err(|_| ApiError::not_found("page"))?;
            let files = kb::files(tx, a.id)?;
            let category = a.category_id.map(|id| kb::category(tx, id)).transpose()?;
            let product = a.product_id.map(|id| orgs::product(tx, id)).transpose()?;
            Ok((a, files, category, product))
        })
        .await?;
    let text = a.text(c.lang).ok_or_else(not_found)?;
    let page = ArticlePage {
        c: &c,
        section: "kb",
        slug: a.slug.clone(),
        title: text.title.clone(),
        html: to_html(&text.body),
        fallback: text.language != c.lang,
        lang: text.language.as_str(),
        category: category.map(|k| k.name(c.lang).to_owned()),
        product: product.map(|p| p.name),
        module: a.module.clone(),
        updated: crate::web::i18n::datetime(c.lang, a.updated_at, &crate::web::i18n::time_zone("Europe/Warsaw")),
        files: files
            .into_iter()
            .map(|f| FileItem {
                url: file_url(f.id),
                image: crate::web::thread::PREVIEW_TYPES.contains(&crate::web::thread::mime(&f.content_type).as_str()),
                name: f.filename,
            })
            .collect(),
        helpful_yes: a.helpful_yes,
        helpful_no: a.helpful_no,
        done: q.done.unwrap_or_default(),
        vendor: r == Reader::Vendor,
        visibility: visibility_label(&c, a.visibility),
    };
    ctx::html(&page)
}

/// POST /help/kb/{slug}/helpful
pub async fn helpful(State(state): State<AppState>, c: Ctx, Path(slug): Path<String>, form: FormData) -> PageResult {
    let r = reader(c.actor.as_ref());
    let yes = match form.get("helpful") {
        Some("yes") => true,
        Some("no") => false,
        _ => return Err(ApiError::invalid("helpful", "answer yes or no").into()),
    };
    let who = service::voter(c.actor.as_ref(), &c.csrf);
    let now = state.now();
    let a = state.write(move |tx| service::vote(tx, r, &slug, &who, yes, now)).await?;
    Ok(see_other(&c, &format!("{}?done={}", url(&a.slug), if yes { "yes" } else { "no" })))
}

/// GET /help/kb/files/{id}: authorised like the article.
pub async fn file(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
) -> Result<Response, crate::web::PageError> {
    let id: i64 = id.parse().map_err(|_| not_found())?;
    service::file(&state, reader(c.actor.as_ref()), id).await.map_err(|_| not_found())
}

#[derive(Template)]
#[template(path = "help/kb_suggest.html")]
struct Suggestions<'a> {
    c: &'a Ctx,
    results: Vec<ArticleItem>,
}

impl Suggestions<'_> {
    fn deflect_action(&self) -> String {
        format!("/help/kb/deflect?_csrf={}", self.c.csrf)
    }
}

#[derive(Deserialize, Default)]
pub struct SuggestQuery {
    subject: Option<String>,
}

/// The articles a subject matches, for the submit form (a fragment for htmx).
pub async fn suggest(State(state): State<AppState>, c: Ctx, Query(q): Query<SuggestQuery>) -> PageResult {
    let subject = q.subject.unwrap_or_default();
    let results = if subject.trim().chars().count() < 3 {
        Vec::new()
    } else {
        let r = reader(c.actor.as_ref());
        state.read(move |tx| service::matching(tx, r, &subject, SUGGESTIONS)).await?
    };
    let page = Suggestions { results: results.iter().map(|a| item(&c, a)).collect(), c: &c };
    ctx::html(&page)
}

/// POST /help/kb/deflect: "this solved my problem" on the submit form (which it submits, so
/// the subject comes with it); no ticket is opened.
pub async fn deflect(State(state): State<AppState>, c: Ctx, form: FormData) -> PageResult {
    let actor = c.customer()?.clone();
    let article_id: i64 = form.get("deflect_article").and_then(|v| v.parse().ok()).ok_or_else(not_found)?;
    let subject = form.value("subject");
    let now = state.now();
    let req = DeflectionInput { article_id, subject };
    let slug = state
        .write(move |tx| {
            service::record_deflection(tx, &actor, req, now)?;
            Ok(kb::get(tx, article_id)?.slug)
        })
        .await?;
    Ok(see_other(&c, &format!("{}?done=deflected", url(&slug))))
}

#[derive(Template)]
#[template(path = "help/kb_ticket.html")]
struct TicketArticles<'a> {
    c: &'a Ctx,
    results: Vec<ArticleItem>,
}

/// GET /help/tickets/{number}/kb: the articles suggested for or linked in the customer's
/// ticket that they may read (a fragment for the ticket page).
pub async fn for_ticket(State(state): State<AppState>, c: Ctx, Path(raw): Path<String>) -> PageResult {
    let actor = c.customer()?.clone();
    let n = super::number(&raw)?;
    let list = state
        .read(move |tx| {
            let t = deskbell_store::tickets::by_number(tx, n, &actor.scope).map_err(|_| ApiError::not_found("page"))?;
            let ids: Vec<i64> = kb::ticket_links(tx, t.id)?.iter().map(|l| l.article_id).collect();
            let mut out = kb::get_many(tx, &ids)?;
            out.retain(|a| Reader::Customer.may_read(a.visibility, a.status));
            Ok(out)
        })
        .await?;
    ctx::html(&TicketArticles { results: list.iter().map(|a| item(&c, a)).collect(), c: &c })
}
