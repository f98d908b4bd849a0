//! The history of a ticket: an append-only list of events, written in the same transaction
//! as the change they describe.

use jiff::Timestamp;

use crate::sql::{Tx, Value};
use crate::{StoreError, params};

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub ticket_id: i64,
    pub actor_id: Option<i64>,
    pub at: Timestamp,
    pub kind: String,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct NewEvent<'a> {
    pub kind: &'a str,
    pub field: Option<&'a str>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: Option<&'a str>,
}

pub fn append(
    tx: &mut Tx<'_>,
    ticket_id: i64,
    actor_id: Option<i64>,
    at: Timestamp,
    e: &NewEvent<'_>,
) -> Result<(), StoreError> {
    append_all(tx, ticket_id, actor_id, at, std::slice::from_ref(e))
}

/// [`append`] of several events of one ticket, actor and instant, in one statement; they
/// are numbered in the order given.
pub fn append_all(
    tx: &mut Tx<'_>,
    ticket_id: i64,
    actor_id: Option<i64>,
    at: Timestamp,
    events: &[NewEvent<'_>],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let mut sql = String::from(
        "INSERT INTO ticket_events (ticket_id, actor_id, at, kind, field, old_value, new_value, reason) VALUES ",
    );
    let mut params: Vec<Value> = vec![ticket_id.into(), actor_id.into(), at.into()];
    for (i, e) in events.iter().enumerate() {
        let k = 4 + i * 5;
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("($1, $2, $3, ${k}, ${}, ${}, ${}, ${})", k + 1, k + 2, k + 3, k + 4));
        params.extend([
            Value::from(e.kind),
            e.field.into(),
            e.old_value.clone().into(),
            e.new_value.clone().into(),
            e.reason.into(),
        ]);
    }
    tx.execute(&sql, &params)?;
    Ok(())
}

pub fn list(tx: &mut Tx<'_>, ticket_id: i64) -> Result<Vec<Event>, StoreError> {
    tx.query(
        "SELECT id, ticket_id, actor_id, at, kind, field, old_value, new_value, reason FROM ticket_events WHERE ticket_id = $1 ORDER BY id",
        params![ticket_id],
    )?
    .iter()
    .map(|r| {
        Ok(Event {
            id: r.i64(0)?,
            ticket_id: r.i64(1)?,
            actor_id: r.opt_i64(2)?,
            at: r.time(3)?,
            kind: r.str(4)?,
            field: r.opt_str(5)?,
            old_value: r.opt_str(6)?,
            new_value: r.opt_str(7)?,
            reason: r.opt_str(8)?,
        })
    })
    .collect()
}
