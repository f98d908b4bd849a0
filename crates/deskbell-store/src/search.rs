//! Full-text search over folded text: SQLite FTS5 and PostgreSQL `tsvector` with a GIN
//! index.
//!
//! Both backends index the same words, cut here rather than by either database's parser:
//! the text is [`fold`]ed and split at every character that is not a letter or a digit —
//! exactly where [`search_terms`] splits a query — so `jan.kowalski@pod-rozami.demo` is
//! indexed as `jan kowalski pod rozami demo`, `2.3.1` as `2 3 1` and `<script>` as `script`.
//! (PostgreSQL's parser would keep an address or a version as one token and drop an HTML
//! tag, so the same query would find different tickets on the two backends.) FTS5 reads
//! the word list with its `ascii` tokenizer, which splits it at the spaces only; PostgreSQL
//! receives the words as lexemes (`array_to_tsvector`) and the query as a `tsquery` literal.
//! Queries are built only from the words of [`search_terms`], so user input never reaches
//! the query syntax. A document matches when it holds every word of the query as the
//! prefix of one of its words.
//!
//! On SQLite the FTS5 rowid of a document carries its ticket and whether customers may see
//! it (see `fts_rowid`), so a search reads the full-text index alone: looking up a
//! `ticket_id` column for each match doubled the time of a common word at 100,000 tickets.
//!
//! A document indexes each distinct word once, cut to [`MAX_WORD_CHARS`], until the words
//! add up to [`MAX_INDEX_BYTES`]: a `tsvector` holds at most 1 MiB of lexemes, and a pasted
//! 2 MB log is still found by the words it starts with. The same bounds apply on both
//! backends and to the query's words, so both backends find the same tickets.

use std::collections::HashSet;

use deskbell_domain::text::{fold, search_terms};

use crate::sql::{Dialect, Tx, Value};
use crate::{StoreError, params};

/// Longer words are indexed, and searched for, by their first this many characters (a
/// SHA-256 in hex still fits whole).
pub const MAX_WORD_CHARS: usize = 64;

/// The distinct words of one document that are indexed, in bytes (the rest is stored but
/// not searchable). Far below PostgreSQL's 1 MiB per `tsvector`.
pub const MAX_INDEX_BYTES: usize = 256 * 1024;

fn cut(word: &str) -> &str {
    match word.char_indices().nth(MAX_WORD_CHARS) {
        Some((end, _)) => &word[..end],
        None => word,
    }
}

/// The words `text` is indexed under, distinct, in order of first appearance, separated by
/// single spaces (see the module docs).
pub(crate) fn index_words(text: &str) -> String {
    let folded = fold(text);
    let mut seen = HashSet::new();
    let mut out = String::new();
    for word in folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(cut) {
        if !seen.insert(word) {
            continue;
        }
        if out.len() + 1 + word.len() > MAX_INDEX_BYTES {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Moves the documents staged by [`index`] into the SQLite full-text index; the SQLite backend
/// runs it in every transaction just before `COMMIT`, so a document is searchable as soon as
/// the write that indexed it has returned. A document indexed twice in one transaction keeps
/// its last text, and its old row (of either visibility) is replaced.
pub(crate) const SQLITE_FLUSH: &str = "\
    DELETE FROM search_fts WHERE rowid IN \
        (SELECT doc & ~2147483648 FROM search_pending UNION SELECT doc | 2147483648 FROM search_pending); \
    INSERT INTO search_fts (rowid, body) SELECT doc, body FROM search_pending p \
        WHERE seq = (SELECT MAX(seq) FROM search_pending q WHERE (q.doc & ~2147483648) = (p.doc & ~2147483648)); \
    DELETE FROM search_pending;";

/// Bit of an SQLite FTS rowid set for a document customers must not find.
const FTS_INTERNAL: i64 = 1 << 31;

/// The SQLite FTS rowid of a document: `ticket id << 32 | internal << 31 | article id`,
/// with article id 0 for the subject. Ids are limited to 2³¹ - 1 (two billion tickets and
/// articles); `rowid >> 32` is the ticket.
fn fts_rowid(key: i64, ticket_id: i64, public: bool) -> Result<i64, StoreError> {
    let article = key.max(0);
    if !(0..FTS_INTERNAL).contains(&ticket_id) || article >= FTS_INTERNAL {
        return Err(StoreError::Db(format!(
            "ticket {ticket_id} / article {article}: id too large for the search index"
        )));
    }
    let internal = if public { 0 } else { FTS_INTERNAL };
    Ok((ticket_id << 32) | internal | article)
}

/// Indexes (or re-indexes) one document: a subject (`key` = -ticket id) or an article.
pub fn index(tx: &mut Tx<'_>, key: i64, ticket_id: i64, public: bool, text: &str) -> Result<(), StoreError> {
    let words = index_words(text);
    match tx.dialect() {
        Dialect::Sqlite => {
            // Staged in an ordinary table and moved into FTS5 once per commit (see
            // `SQLITE_FLUSH`): FTS5 writes a new index segment at every savepoint, and with
            // one savepoint per write its merging of tiny segments cut ticket creation from
            // 1,400/s to 50/s at 80,000 tickets.
            tx.execute(
                "INSERT INTO search_pending (doc, body) VALUES ($1, $2)",
                params![fts_rowid(key, ticket_id, public)?, words],
            )?;
        }
        Dialect::Postgres => {
            // The words go in as lexemes as they are: no parser, no dictionary.
            tx.execute(
                "INSERT INTO search_docs (doc_key, ticket_id, public, tsv) \
                 VALUES ($1, $2, $3, array_to_tsvector(string_to_array($4, ' '))) \
                 ON CONFLICT (doc_key) DO UPDATE SET tsv = excluded.tsv, public = excluded.public",
                params![key, ticket_id, public, words],
            )?;
        }
    }
    Ok(())
}

/// Moves the article documents of ticket `from` to ticket `to` (a merge), each keeping its
/// words and visibility; `from`'s subject stays with `from`. On SQLite the ticket is part of
/// the FTS rowid, so the rows are staged again under `to` and the old ones deleted.
pub fn move_articles(tx: &mut Tx<'_>, from: i64, to: i64) -> Result<(), StoreError> {
    match tx.dialect() {
        Dialect::Sqlite => {
            fts_rowid(0, from, true)?;
            fts_rowid(0, to, true)?;
            // Articles of `from` in its ticket's rowid range; the subject (article 0) excluded.
            let range = "rowid > ($1 << 32) AND rowid < (($1 + 1) << 32) AND (rowid & 2147483647) <> 0";
            tx.execute(
                "UPDATE search_pending SET doc = ($2 << 32) | (doc & 4294967295) \
                 WHERE (doc >> 32) = $1 AND (doc & 2147483647) <> 0",
                params![from, to],
            )?;
            tx.execute(
                &format!(
                    "INSERT INTO search_pending (doc, body) \
                     SELECT ($2 << 32) | (rowid & 4294967295), body FROM search_fts WHERE {range}"
                ),
                params![from, to],
            )?;
            tx.execute(&format!("DELETE FROM search_fts WHERE {range}"), params![from])?;
        }
        Dialect::Postgres => {
            tx.execute(
                "UPDATE search_docs SET ticket_id = $2 WHERE ticket_id = $1 AND doc_key > 0",
                params![from, to],
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
    // The words hold only letters and digits, so quoting them needs no escaping.
    let terms = terms.iter().map(|t| cut(t));
    Some(match dialect {
        Dialect::Sqlite => {
            let q = terms.map(|t| format!("\"{t}\"*")).collect::<Vec<_>>().join(" ");
            params.push(Value::Text(q));
            let public = if include_internal { String::new() } else { format!(" AND (rowid & {FTS_INTERNAL}) = 0") };
            // The unary `+` keeps SQLite from fetching every matching ticket by id and
            // sorting them all (about 100 ms for a word in half of 100,000 tickets): it walks
            // the sort's index instead, tests each ticket against the set of matches, and
            // stops after one page.
            format!("+t.id IN (SELECT rowid >> 32 FROM search_fts WHERE search_fts MATCH ${}{public})", params.len())
        }
        Dialect::Postgres => {
            let q = terms.map(|t| format!("'{t}':*")).collect::<Vec<_>>().join(" & ");
            params.push(Value::Text(q));
            let public = if include_internal { "" } else { " AND public" };
            // A `tsquery` literal, not `to_tsquery`: the words are lexemes already.
            format!("t.id IN (SELECT ticket_id FROM search_docs WHERE tsv @@ ${}::text::tsquery{public})", params.len())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_split_at_everything_but_letters_and_digits() {
        assert_eq!(
            index_words("Jan.Kowalski@pod-rozami.demo: wersja 2.3.1, <script>alert(1)</script> Żółw żółw"),
            "jan kowalski pod rozami demo wersja 2 3 1 script alert zolw"
        );
        assert_eq!(index_words(" -- ; "), "");
    }

    #[test]
    fn an_fts_rowid_carries_the_ticket_and_the_visibility() {
        assert_eq!(fts_rowid(-7, 7, true), Ok(7 << 32));
        assert_eq!(fts_rowid(12, 7, false), Ok((7 << 32) + (1 << 31) + 12));
        assert_eq!(fts_rowid(12, 7, false).map(|r| r >> 32), Ok(7));
        assert!(fts_rowid(1 << 31, 7, true).is_err());
        assert!(fts_rowid(-(1 << 31), 1 << 31, true).is_err());
    }

    #[test]
    fn long_words_are_cut_and_long_texts_bounded() {
        let long = "x".repeat(500);
        assert_eq!(index_words(&long), "x".repeat(MAX_WORD_CHARS));
        let text: String = (0..200_000).map(|i| format!("w{i} ")).collect();
        let words = index_words(&text);
        assert!(words.len() <= MAX_INDEX_BYTES && words.len() > MAX_INDEX_BYTES - 16);
        assert!(words.starts_with("w0 w1 w2 "));
    }
}
