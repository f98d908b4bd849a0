//! Type-ahead lookup of organisations and people, for the agent's phone-ticket form
//! ([`crate::orgs::find`], [`crate::people::find`]).
//!
//! Each row keeps a `find_key`: its searchable fields [`fold`]ed (lower case, no diacritics,
//! so `zolw` finds `Żółw` and `lodz` finds `Łódź`) and phone numbers reduced to their digits,
//! joined by newlines. The repositories rewrite the key in the statement that changes a field
//! it holds; migration 0005 fills it for the rows that existed before (see [`backfill`]).
//!
//! A query matches a row whose key contains the folded query — or, for a query that looks
//! like a phone number (`+48 600-100-200`), its digits — as a substring. A folded query never
//! holds a newline (control characters become spaces), so a match never spans two fields.
//! The comparison is `instr` on SQLite and `strpos` on PostgreSQL: plain substring search
//! with no pattern syntax to escape, and the same answer on both backends. A few thousand
//! keys are scanned in well under a millisecond, so no index is needed (an infix match could
//! not use one anyway).

use std::collections::HashMap;

use deskbell_domain::text::fold;

use crate::sql::{Array, Dialect, Tx, Value};
use crate::{StoreError, params};

/// Separates the fields of a key; never part of a folded query.
const SEPARATOR: char = '\n';

/// Most results one lookup returns.
pub(crate) const MAX_LIMIT: usize = 200;

/// The key of a row made of `fields` (already folded or reduced to digits).
pub(crate) fn key<'a>(fields: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(SEPARATOR);
        }
        // A field is folded text: no newline can survive in it either.
        out.extend(f.chars().map(|c| if c.is_control() { ' ' } else { c }));
    }
    out
}

/// The digits of a phone number: `+48 600-100-200` → `48600100200`.
pub(crate) fn digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// What one query is matched by.
pub(crate) struct Query {
    /// The query folded, control characters made spaces, trimmed; never empty.
    text: String,
    /// The query's digits, when it is written like a phone number and they differ from
    /// `text` (`600 100` → `600100`).
    digits: Option<String>,
}

impl Query {
    /// `None` for a query with nothing to match (empty or only spaces).
    pub(crate) fn parse(q: &str) -> Option<Query> {
        let folded: String = fold(q).chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        let text = folded.trim().to_owned();
        if text.is_empty() {
            return None;
        }
        let phone_like = text.chars().all(|c| c.is_ascii_digit() || " +-()/.".contains(c));
        let digits = Some(digits(&text)).filter(|d| phone_like && !d.is_empty() && *d != text);
        Some(Query { text, digits })
    }

    /// The condition on `find_key` and the `ORDER BY` terms, binding their parameters after
    /// the existing `params`. Rows whose key starts with the query (the name, which comes first
    /// in every key, begins with it) come first; then by key in byte order — `COLLATE "C"` on
    /// PostgreSQL, whose default collation depends on the cluster — then by id, so the same
    /// rows make the cut under a `LIMIT` on both backends.
    pub(crate) fn sql(&self, dialect: Dialect, params: &mut Vec<Value>) -> (String, String) {
        let (contains, bytes) = match dialect {
            Dialect::Sqlite => ("instr", ""),
            Dialect::Postgres => ("strpos", " COLLATE \"C\""),
        };
        params.push(Value::Text(self.text.clone()));
        let text = params.len();
        let mut cond = format!("{contains}(find_key, ${text}) > 0");
        if let Some(d) = &self.digits {
            params.push(Value::Text(d.clone()));
            cond = format!("({cond} OR {contains}(find_key, ${}) > 0)", params.len());
        }
        let order = format!("CASE WHEN {contains}(find_key, ${text}) = 1 THEN 0 ELSE 1 END, find_key{bytes}, id");
        (cond, order)
    }

    /// Whether a key found by [`Query::sql`] starts with the query (its rank there).
    pub(crate) fn is_prefix_of(&self, key: &str) -> bool {
        key.starts_with(&self.text)
    }
}

/// Writes `find_key` of many rows of `table` (a constant name) at once: one array statement
/// on PostgreSQL, a prepared statement per row in process on SQLite.
fn set_keys(tx: &mut Tx<'_>, table: &str, keys: &[(i64, String)]) -> Result<(), StoreError> {
    match tx.dialect() {
        Dialect::Sqlite => {
            for (id, key) in keys {
                tx.execute(&format!("UPDATE {table} SET find_key = $2 WHERE id = $1"), params![*id, key])?;
            }
        }
        Dialect::Postgres => {
            for chunk in keys.chunks(20_000) {
                let ids = Value::Array(Array::Int(chunk.iter().map(|(id, _)| Some(*id)).collect()));
                let texts = Value::Array(Array::Text(chunk.iter().map(|(_, k)| Some(k.clone())).collect()));
                tx.execute(
                    &format!(
                        "UPDATE {table} AS x SET find_key = v.k FROM unnest($1::bigint[], $2::text[]) AS v (id, k) \
                         WHERE x.id = v.id"
                    ),
                    &[ids, texts],
                )?;
            }
        }
    }
    Ok(())
}

/// Fills the keys of every organisation and person (migration 0005 added the column).
pub(crate) fn backfill(tx: &mut Tx<'_>) -> Result<(), StoreError> {
    let mut phones: HashMap<i64, Vec<String>> = HashMap::new();
    for r in tx.query("SELECT organisation_id, phone FROM organisation_phones", &[])? {
        phones.entry(r.i64(0)?).or_default().push(r.str(1)?);
    }
    let orgs = tx
        .query("SELECT id, name FROM organisations", &[])?
        .iter()
        .map(|r| {
            let id = r.i64(0)?;
            Ok((id, crate::orgs::find_key(&r.str(1)?, phones.get(&id).map_or(&[][..], Vec::as_slice))))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    set_keys(tx, "organisations", &orgs)?;
    let people = tx
        .query("SELECT id, name, email, phone FROM people", &[])?
        .iter()
        .map(|r| Ok((r.i64(0)?, crate::people::find_key(&r.str(1)?, &r.str(2)?, r.opt_str(3)?.as_deref()))))
        .collect::<Result<Vec<_>, StoreError>>()?;
    set_keys(tx, "people", &people)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_folded_and_a_phone_number_also_matched_by_its_digits() {
        let q = Query::parse("  ŻÓŁW\n ").unwrap();
        assert_eq!((q.text.as_str(), q.digits), ("zolw", None));
        let q = Query::parse("+48 600-100-200").unwrap();
        assert_eq!((q.text.as_str(), q.digits.as_deref()), ("+48 600-100-200", Some("48600100200")));
        // Digits alone are matched as they are; letters make it no phone number.
        assert_eq!(Query::parse("600100").unwrap().digits, None);
        assert_eq!(Query::parse("hotel 5").unwrap().digits, None);
        assert!(Query::parse(" \t ").is_none());
        assert!(Query::parse("").is_none());
    }

    #[test]
    fn a_key_keeps_its_fields_apart() {
        assert_eq!(key(["a\nb", "c"]), "a b\nc");
        assert_eq!(digits("+48 (22) 123-45-67"), "48221234567");
    }
}
