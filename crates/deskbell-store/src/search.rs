//! Full-text search over folded text: SQLite FTS5 and PostgreSQL `tsvector` with a GIN
//! index. Both index the output of [`fold`], and queries are built only from the words of
//! [`search_terms`] (letters and digits), so user input never reaches the query syntax.

use deskbell_domain::text::{fold, search_terms};

use crate::sql::{Dialect, Tx, Value};
use crate::{StoreError, params};

/// Indexes (or re-indexes) one document: a subject (`key` = -ticket id) or an article.
pub fn index(tx: &mut Tx<'_>, key: i64, ticket_id: i64, public: bool, text: &str) -> Result<(), StoreError> {
    let folded = fold(text);
    match tx.dialect() {
        Dialect::Sqlite => {
            tx.execute("DELETE FROM search_fts WHERE rowid = $1", params![key])?;
            tx.execute(
                "INSERT INTO search_fts (rowid, body, ticket_id, public) VALUES ($1, $2, $3, $4)",
                params![key, folded, ticket_id, i64::from(public)],
            )?;
        }
        Dialect::Postgres => {
            tx.execute(
                "INSERT INTO search_docs (doc_key, ticket_id, public, tsv) VALUES ($1, $2, $3, to_tsvector('simple', $4)) \
                 ON CONFLICT (doc_key) DO UPDATE SET tsv = excluded.tsv, public = excluded.public",
                params![key, ticket_id, public, folded],
            )?;
        }
    }
    Ok(())
}

/// A condition on `t.id` matching tickets whose subject or visible articles contain every
/// word of `query` (as a prefix). `None` when the query has no words.
pub fn condition(dialect: Dialect, query: &str, include_internal: bool, params: &mut Vec<Value>) -> Option<String> {
    let terms = search_terms(query);
    if terms.is_empty() {
        return None;
    }
    let public = if include_internal { "" } else { " AND public = 1" };
    Some(match dialect {
        Dialect::Sqlite => {
            let q = terms.iter().map(|t| format!("\"{t}\"*")).collect::<Vec<_>>().join(" ");
            params.push(Value::Text(q));
            format!("t.id IN (SELECT ticket_id FROM search_fts WHERE search_fts MATCH ${}{public})", params.len())
        }
        Dialect::Postgres => {
            let q = terms.iter().map(|t| format!("{t}:*")).collect::<Vec<_>>().join(" & ");
            params.push(Value::Text(q));
            let public = if include_internal { "" } else { " AND public" };
            format!(
                "t.id IN (SELECT ticket_id FROM search_docs WHERE tsv @@ to_tsquery('simple', ${}){public})",
                params.len()
            )
        }
    })
}
