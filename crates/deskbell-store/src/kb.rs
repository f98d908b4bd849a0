//! The knowledge base: categories, articles with a Polish and an English text, their
//! revision history, files, "was this helpful?" counts, the articles a ticket was shown and
//! linked, and deflected requests.
//!
//! Who may read what is decided here, in the queries, from a [`Reader`]: outside the vendor
//! only published articles of the reader's visibilities exist, so a list, a search, a
//! suggestion and a file lookup answer the same way for an internal article as for a
//! missing one.
//!
//! Search folds the text as the ticket search does (`faktura` finds "Fakturę"); each
//! translation keeps its distinct folded words, and a query matches when every one of its
//! words is the prefix of one of them (a `LIKE` per word, the same on both backends: a
//! knowledge base has hundreds of articles, not the millions a ticket index serves).

use std::collections::HashMap;

use deskbell_domain::kb::{ArticleStatus, Reader, Visibility};
use deskbell_domain::person::Language;
use deskbell_domain::text::search_terms;
use jiff::Timestamp;

use crate::collation::sort_by_name;
use crate::search::index_words;
use crate::sql::{Row, Tx, Value, in_list, query_ids};
use crate::{StoreError, events, params};

fn parse<T: std::str::FromStr>(column: &str, s: &str) -> Result<T, StoreError> {
    s.parse().map_err(|_| StoreError::Db(format!("{column}: unexpected value `{s}`")))
}

// ---------------------------------------------------------------- categories

#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    pub id: i64,
    pub slug: String,
    pub name_pl: String,
    pub name_en: String,
    pub position: i64,
}

impl Category {
    pub fn name(&self, lang: Language) -> &str {
        match lang {
            Language::Pl => &self.name_pl,
            Language::En => &self.name_en,
        }
    }
}

fn category_from(r: &Row) -> Result<Category, StoreError> {
    Ok(Category { id: r.i64(0)?, slug: r.str(1)?, name_pl: r.str(2)?, name_en: r.str(3)?, position: r.i64(4)? })
}

/// Every category, by position then Polish name.
pub fn categories(tx: &mut Tx<'_>) -> Result<Vec<Category>, StoreError> {
    let mut list: Vec<Category> = tx
        .query("SELECT id, slug, name_pl, name_en, position FROM kb_categories", &[])?
        .iter()
        .map(category_from)
        .collect::<Result<_, _>>()?;
    sort_by_name(&mut list, |c| (&c.name_pl, c.id));
    list.sort_by_key(|c| c.position);
    Ok(list)
}

pub fn category(tx: &mut Tx<'_>, id: i64) -> Result<Category, StoreError> {
    category_from(
        &tx.query_one("SELECT id, slug, name_pl, name_en, position FROM kb_categories WHERE id = $1", params![id])?,
    )
}

pub fn save_category(
    tx: &mut Tx<'_>,
    id: Option<i64>,
    slug: &str,
    name_pl: &str,
    name_en: &str,
    position: i64,
    now: Timestamp,
) -> Result<Category, StoreError> {
    let id = match id {
        Some(id) => {
            let n = tx.execute(
                "UPDATE kb_categories SET slug = $2, name_pl = $3, name_en = $4, position = $5 WHERE id = $1",
                params![id, slug, name_pl, name_en, position],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            id
        }
        None => tx
            .query_one(
                "INSERT INTO kb_categories (slug, name_pl, name_en, position, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                params![slug, name_pl, name_en, position, now],
            )?
            .i64(0)?,
    };
    category(tx, id)
}

// ---------------------------------------------------------------- articles

#[derive(Debug, Clone, PartialEq)]
pub struct Translation {
    pub language: Language,
    pub title: String,
    /// Markdown, as the author wrote it.
    pub body: String,
    pub updated_by: Option<i64>,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub id: i64,
    pub slug: String,
    pub category_id: Option<i64>,
    pub product_id: Option<i64>,
    pub module: Option<String>,
    pub visibility: Visibility,
    pub status: ArticleStatus,
    pub helpful_yes: i64,
    pub helpful_no: i64,
    pub created_by: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub published_at: Option<Timestamp>,
    pub version: i64,
    /// Polish first, then English; at least one.
    pub translations: Vec<Translation>,
}

impl Article {
    /// The text in `lang`, else the other one (an article may exist in one language only).
    pub fn text(&self, lang: Language) -> Option<&Translation> {
        self.translations.iter().find(|t| t.language == lang).or_else(|| self.translations.first())
    }

    pub fn translation(&self, lang: Language) -> Option<&Translation> {
        self.translations.iter().find(|t| t.language == lang)
    }
}

/// The fields of an article besides its texts.
#[derive(Debug, Clone)]
pub struct ArticleInput {
    pub slug: String,
    pub category_id: Option<i64>,
    pub product_id: Option<i64>,
    pub module: Option<String>,
    pub visibility: Visibility,
    pub status: ArticleStatus,
}

impl ArticleInput {
    /// The columns slug, category, product, module, visibility and status, bound as `$1`–`$6`.
    fn values(&self) -> Vec<Value> {
        vec![
            self.slug.as_str().into(),
            self.category_id.into(),
            self.product_id.into(),
            self.module.clone().into(),
            self.visibility.as_str().into(),
            self.status.as_str().into(),
        ]
    }
}

const ARTICLE_COLS: &str = "a.id, a.slug, a.category_id, a.product_id, a.module, a.visibility, a.status, a.helpful_yes, \
    a.helpful_no, a.created_by, a.created_at, a.updated_at, a.published_at, a.version";

fn article_from(r: &Row, translations: Vec<Translation>) -> Result<Article, StoreError> {
    Ok(Article {
        id: r.i64(0)?,
        slug: r.str(1)?,
        category_id: r.opt_i64(2)?,
        product_id: r.opt_i64(3)?,
        module: r.opt_str(4)?,
        visibility: parse("kb_articles.visibility", &r.str(5)?)?,
        status: parse("kb_articles.status", &r.str(6)?)?,
        helpful_yes: r.i64(7)?,
        helpful_no: r.i64(8)?,
        created_by: r.opt_i64(9)?,
        created_at: r.time(10)?,
        updated_at: r.time(11)?,
        published_at: r.opt_time(12)?,
        version: r.i64(13)?,
        translations,
    })
}

/// Articles from rows of [`ARTICLE_COLS`] with their texts, read in one query per few
/// hundred articles, in the rows' order.
fn load(tx: &mut Tx<'_>, rows: &[Row]) -> Result<Vec<Article>, StoreError> {
    let ids = rows.iter().map(|r| r.i64(0)).collect::<Result<Vec<_>, _>>()?;
    let mut texts: HashMap<i64, Vec<Translation>> = HashMap::new();
    let sql = |list: &str| {
        format!(
            "SELECT article_id, language, title, body, updated_by, updated_at FROM kb_translations WHERE article_id IN {list}"
        )
    };
    for r in query_ids(tx, &ids, sql)? {
        texts.entry(r.i64(0)?).or_default().push(Translation {
            language: parse("kb_translations.language", &r.str(1)?)?,
            title: r.str(2)?,
            body: r.str(3)?,
            updated_by: r.opt_i64(4)?,
            updated_at: r.time(5)?,
        });
    }
    rows.iter()
        .map(|r| {
            let mut t = texts.remove(&r.i64(0)?).unwrap_or_default();
            t.sort_by_key(|t| t.language != Language::Pl);
            article_from(r, t)
        })
        .collect()
}

/// One article, whoever may read it (the caller checks with [`Reader::may_read`], or uses
/// [`readable`]).
pub fn get(tx: &mut Tx<'_>, id: i64) -> Result<Article, StoreError> {
    let rows = tx.query(&format!("SELECT {ARTICLE_COLS} FROM kb_articles a WHERE a.id = $1"), params![id])?;
    load(tx, &rows)?.pop().ok_or(StoreError::NotFound)
}

/// The articles of `ids` (whoever may read them, as [`get`]) in the order of `ids`, in one
/// query for the articles and one for their texts; unknown ids are left out.
pub fn get_many(tx: &mut Tx<'_>, ids: &[i64]) -> Result<Vec<Article>, StoreError> {
    let rows = query_ids(tx, ids, |list| format!("SELECT {ARTICLE_COLS} FROM kb_articles a WHERE a.id IN {list}"))?;
    let found = load(tx, &rows)?;
    Ok(ids.iter().filter_map(|id| found.iter().find(|a| a.id == *id).cloned()).collect())
}

pub fn by_slug(tx: &mut Tx<'_>, slug: &str) -> Result<Article, StoreError> {
    let rows = tx.query(&format!("SELECT {ARTICLE_COLS} FROM kb_articles a WHERE a.slug = $1"), params![slug])?;
    load(tx, &rows)?.pop().ok_or(StoreError::NotFound)
}

/// The article by id or slug as `reader` may see it: `NotFound` exactly like a missing one
/// when it is internal, for logged-in customers only, or a draft.
pub fn readable(tx: &mut Tx<'_>, reader: Reader, id_or_slug: &str) -> Result<Article, StoreError> {
    let a = match id_or_slug.parse::<i64>() {
        Ok(id) => get(tx, id)?,
        Err(_) => by_slug(tx, id_or_slug)?,
    };
    if reader.may_read(a.visibility, a.status) { Ok(a) } else { Err(StoreError::NotFound) }
}

/// Writes one language's text and records it as a revision by `author`.
pub fn save_text(
    tx: &mut Tx<'_>,
    article_id: i64,
    lang: Language,
    title: &str,
    body: &str,
    author: Option<i64>,
    now: Timestamp,
) -> Result<(), StoreError> {
    let words = index_words(&format!("{title}\n{body}"));
    tx.execute(
        "INSERT INTO kb_translations (article_id, language, title, body, search_words, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (article_id, language) DO UPDATE SET title = excluded.title, body = excluded.body, \
         search_words = excluded.search_words, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        params![article_id, lang.as_str(), title, body, words, author, now],
    )?;
    tx.execute(
        "INSERT INTO kb_revisions (article_id, language, title, body, author_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        params![article_id, lang.as_str(), title, body, author, now],
    )?;
    Ok(())
}

/// Creates an article with its texts (each recorded as the first revision).
pub fn create(
    tx: &mut Tx<'_>,
    input: &ArticleInput,
    texts: &[(Language, String, String)],
    author: Option<i64>,
    now: Timestamp,
) -> Result<Article, StoreError> {
    let published_at = (input.status == ArticleStatus::Published).then_some(now);
    let mut values = input.values();
    values.extend([Value::from(author), now.into(), published_at.into()]);
    let id = tx
        .query_one(
            "INSERT INTO kb_articles (slug, category_id, product_id, module, visibility, status, created_by, created_at, updated_at, published_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING id",
            &values,
        )?
        .i64(0)?;
    for (lang, title, body) in texts {
        save_text(tx, id, *lang, title, body, author, now)?;
    }
    get(tx, id)
}

/// Changes an article's fields and the given texts, if it is still at `version`
/// (`Conflict` otherwise). Publishing keeps the first publication's instant.
pub fn update(
    tx: &mut Tx<'_>,
    id: i64,
    version: i64,
    input: &ArticleInput,
    texts: &[(Language, String, String)],
    author: Option<i64>,
    now: Timestamp,
) -> Result<Article, StoreError> {
    let published = input.status == ArticleStatus::Published;
    let mut values = input.values();
    values.extend([now.into(), published.into(), id.into(), version.into()]);
    let n = tx.execute(
        "UPDATE kb_articles SET slug = $1, category_id = $2, product_id = $3, module = $4, visibility = $5, status = $6, \
         updated_at = $7, published_at = CASE WHEN $8 THEN COALESCE(published_at, $7) ELSE published_at END, \
         version = version + 1 WHERE id = $9 AND version = $10",
        &values,
    )?;
    if n == 0 {
        get(tx, id)?;
        return Err(StoreError::Conflict);
    }
    for (lang, title, body) in texts {
        save_text(tx, id, *lang, title, body, author, now)?;
    }
    get(tx, id)
}

/// What to list: the reader decides visibility; the rest narrows.
#[derive(Debug, Clone)]
pub struct Filter<'a> {
    pub reader: Reader,
    pub query: &'a str,
    pub category_id: Option<i64>,
    pub product_id: Option<i64>,
    /// Vendor lists only: just drafts or just published.
    pub status: Option<ArticleStatus>,
    pub limit: usize,
}

/// Articles `reader` may read matching the filter: best title matches first, then the most
/// helpful, then the newest.
pub fn list(tx: &mut Tx<'_>, f: &Filter<'_>) -> Result<Vec<Article>, StoreError> {
    let mut params: Vec<Value> = Vec::new();
    let vis = f.reader.visibilities();
    let mut cond = format!("a.visibility IN {}", in_list(0, vis.len()));
    params.extend(vis.iter().map(|v| Value::from(v.as_str())));
    let status = match (f.reader, f.status) {
        (Reader::Vendor, s) => s,
        _ => Some(ArticleStatus::Published),
    };
    if let Some(s) = status {
        params.push(s.as_str().into());
        cond.push_str(&format!(" AND a.status = ${}", params.len()));
    }
    if let Some(c) = f.category_id {
        params.push(c.into());
        cond.push_str(&format!(" AND a.category_id = ${}", params.len()));
    }
    if let Some(p) = f.product_id {
        params.push(p.into());
        cond.push_str(&format!(" AND a.product_id = ${}", params.len()));
    }
    let terms = search_terms(f.query);
    if !terms.is_empty() {
        // Every word, in the same translation. The words hold only letters and digits, so
        // they need no escaping inside a LIKE pattern.
        let mut words = Vec::new();
        for t in &terms {
            params.push(format!("% {t}%").into());
            words.push(format!("(' ' || k.search_words) LIKE ${}", params.len()));
        }
        cond.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM kb_translations k WHERE k.article_id = a.id AND {})",
            words.join(" AND ")
        ));
    }
    params.push(Value::Int(f.limit.clamp(1, 500) as i64));
    let rows = tx.query(
        &format!(
            "SELECT {ARTICLE_COLS} FROM kb_articles a WHERE {cond} \
             ORDER BY a.helpful_yes - a.helpful_no DESC, a.updated_at DESC, a.id DESC LIMIT ${}",
            params.len()
        ),
        &params,
    )?;
    let mut list = load(tx, &rows)?;
    if !terms.is_empty() {
        // A match in the title says more than one in the body.
        let in_title = |a: &Article| {
            a.translations.iter().any(|t| {
                let words = index_words(&t.title);
                let words: Vec<&str> = words.split(' ').collect();
                terms.iter().all(|q| words.iter().any(|w| w.starts_with(q.as_str())))
            })
        };
        list.sort_by_key(|a| !in_title(a));
    }
    Ok(list)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    pub id: i64,
    pub language: Language,
    pub title: String,
    pub body: String,
    pub author_id: Option<i64>,
    pub created_at: Timestamp,
}

/// The revision history of an article, newest first.
pub fn revisions(tx: &mut Tx<'_>, article_id: i64) -> Result<Vec<Revision>, StoreError> {
    tx.query(
        "SELECT id, language, title, body, author_id, created_at FROM kb_revisions WHERE article_id = $1 ORDER BY id DESC",
        params![article_id],
    )?
    .iter()
    .map(|r| {
        Ok(Revision {
            id: r.i64(0)?,
            language: parse("kb_revisions.language", &r.str(1)?)?,
            title: r.str(2)?,
            body: r.str(3)?,
            author_id: r.opt_i64(4)?,
            created_at: r.time(5)?,
        })
    })
    .collect()
}

/// Records `voter`'s answer to "was this helpful?" (a person, `person:ID`, or a browser,
/// `browser:HASH`): the first answer counts, a different later one moves the count, the same
/// one again changes nothing. Returns whether the counts changed.
pub fn vote(tx: &mut Tx<'_>, article_id: i64, voter: &str, helpful: bool, now: Timestamp) -> Result<bool, StoreError> {
    // The article row first: it exists, and concurrent answers to it queue up behind the lock.
    if tx.execute("UPDATE kb_articles SET helpful_yes = helpful_yes WHERE id = $1", params![article_id])? == 0 {
        return Err(StoreError::NotFound);
    }
    let before = tx
        .query_opt("SELECT helpful FROM kb_votes WHERE article_id = $1 AND voter = $2", params![article_id, voter])?
        .map(|r| r.bool(0))
        .transpose()?;
    let (yes, no): (i64, i64) = match (before, helpful) {
        (Some(b), h) if b == h => return Ok(false),
        (None, true) => (1, 0),
        (None, false) => (0, 1),
        (Some(_), true) => (1, -1),
        (Some(_), false) => (-1, 1),
    };
    tx.execute(
        "INSERT INTO kb_votes (article_id, voter, helpful, at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (article_id, voter) DO UPDATE SET helpful = excluded.helpful, at = excluded.at",
        params![article_id, voter, helpful, now],
    )?;
    tx.execute(
        "UPDATE kb_articles SET helpful_yes = helpful_yes + $2, helpful_no = helpful_no + $3 WHERE id = $1",
        params![article_id, yes, no],
    )?;
    Ok(true)
}

// ---------------------------------------------------------------- files

#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub id: i64,
    pub article_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: Timestamp,
}

const FILE_COLS: &str = "id, article_id, filename, content_type, size, sha256, created_at";

fn file_from(r: &Row) -> Result<File, StoreError> {
    Ok(File {
        id: r.i64(0)?,
        article_id: r.i64(1)?,
        filename: r.str(2)?,
        content_type: r.str(3)?,
        size: r.i64(4)?,
        sha256: r.str(5)?,
        created_at: r.time(6)?,
    })
}

pub fn add_file(
    tx: &mut Tx<'_>,
    article_id: i64,
    filename: &str,
    content_type: &str,
    data: &[u8],
    now: Timestamp,
) -> Result<File, StoreError> {
    let sha = crate::attachments::store_blob(tx, data)?;
    file_from(&tx.query_one(
        &format!(
            "INSERT INTO kb_files (article_id, filename, content_type, size, sha256, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {FILE_COLS}"
        ),
        params![article_id, filename, content_type, data.len() as i64, &sha, now],
    )?)
}

pub fn files(tx: &mut Tx<'_>, article_id: i64) -> Result<Vec<File>, StoreError> {
    tx.query(&format!("SELECT {FILE_COLS} FROM kb_files WHERE article_id = $1 ORDER BY id"), params![article_id])?
        .iter()
        .map(file_from)
        .collect()
}

/// A file with its bytes, if `reader` may read its article (else `NotFound`, as for a file
/// that does not exist).
pub fn readable_file(tx: &mut Tx<'_>, reader: Reader, id: i64) -> Result<(File, Vec<u8>), StoreError> {
    let f = file_from(&tx.query_one(&format!("SELECT {FILE_COLS} FROM kb_files WHERE id = $1"), params![id])?)?;
    let a = get(tx, f.article_id)?;
    if !reader.may_read(a.visibility, a.status) {
        return Err(StoreError::NotFound);
    }
    let data = crate::attachments::content(tx, &f.sha256)?;
    Ok((f, data))
}

// ---------------------------------------------------------------- tickets and deflection

#[derive(Debug, Clone, PartialEq)]
pub struct TicketLink {
    pub article_id: i64,
    pub suggested_at: Option<Timestamp>,
    pub suggested_by: Option<i64>,
    pub used_at: Option<Timestamp>,
    pub used_by: Option<i64>,
}

/// Records that `articles` were shown for the ticket (the first time counts).
pub fn suggested(
    tx: &mut Tx<'_>,
    ticket_id: i64,
    articles: &[i64],
    by: Option<i64>,
    now: Timestamp,
) -> Result<(), StoreError> {
    for a in articles {
        tx.execute(
            "INSERT INTO kb_ticket_articles (ticket_id, article_id, suggested_at, suggested_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (ticket_id, article_id) DO UPDATE SET suggested_at = COALESCE(kb_ticket_articles.suggested_at, excluded.suggested_at), \
             suggested_by = COALESCE(kb_ticket_articles.suggested_by, excluded.suggested_by)",
            params![ticket_id, *a, now, by],
        )?;
    }
    Ok(())
}

/// Records that an agent linked the article in a reply of the ticket, with a history event
/// (`kb_article_used`, the article's slug as the new value) in the same transaction. The
/// first use counts; `false` when it was recorded before.
pub fn used(tx: &mut Tx<'_>, ticket_id: i64, article_id: i64, by: i64, now: Timestamp) -> Result<bool, StoreError> {
    let slug = tx.query_one("SELECT slug FROM kb_articles WHERE id = $1", params![article_id])?.str(0)?;
    tx.execute(
        "INSERT INTO kb_ticket_articles (ticket_id, article_id) VALUES ($1, $2) ON CONFLICT (ticket_id, article_id) DO NOTHING",
        params![ticket_id, article_id],
    )?;
    let n = tx.execute(
        "UPDATE kb_ticket_articles SET used_at = $3, used_by = $4 WHERE ticket_id = $1 AND article_id = $2 AND used_at IS NULL",
        params![ticket_id, article_id, now, by],
    )?;
    if n == 1 {
        events::append(
            tx,
            ticket_id,
            Some(by),
            now,
            &events::NewEvent {
                kind: "kb_article_used",
                field: Some("knowledge"),
                new_value: Some(slug),
                ..Default::default()
            },
        )?;
    }
    Ok(n == 1)
}

pub fn ticket_links(tx: &mut Tx<'_>, ticket_id: i64) -> Result<Vec<TicketLink>, StoreError> {
    tx.query(
        "SELECT article_id, suggested_at, suggested_by, used_at, used_by FROM kb_ticket_articles WHERE ticket_id = $1 ORDER BY article_id",
        params![ticket_id],
    )?
    .iter()
    .map(|r| {
        Ok(TicketLink {
            article_id: r.i64(0)?,
            suggested_at: r.opt_time(1)?,
            suggested_by: r.opt_i64(2)?,
            used_at: r.opt_time(3)?,
            used_by: r.opt_i64(4)?,
        })
    })
    .collect()
}

/// "This solved my problem": a request answered by an article instead of a ticket.
pub fn deflect(
    tx: &mut Tx<'_>,
    article_id: i64,
    person_id: Option<i64>,
    subject: &str,
    now: Timestamp,
) -> Result<i64, StoreError> {
    tx.query_one(
        "INSERT INTO kb_deflections (article_id, person_id, subject, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        params![article_id, person_id, subject, now],
    )?
    .i64(0)
}

/// Deflected requests in `[from, to)`, per article (for reports), most first.
pub fn deflections(tx: &mut Tx<'_>, from: Timestamp, to: Timestamp) -> Result<Vec<(i64, i64)>, StoreError> {
    tx.query(
        "SELECT article_id, COUNT(*) FROM kb_deflections WHERE created_at >= $1 AND created_at < $2 \
         GROUP BY article_id ORDER BY COUNT(*) DESC, article_id",
        params![from, to],
    )?
    .iter()
    .map(|r| Ok((r.i64(0)?, r.i64(1)?)))
    .collect()
}
