//! Trainings and webinars: events, registrations with a capacity and a waiting list.
//!
//! A registration decides between a place and the waiting list inside its transaction with
//! the training row locked (`FOR UPDATE` on PostgreSQL, whose writes run at READ COMMITTED,
//! so the count that follows sees every registration committed before the lock was
//! granted; SQLite has one writer at a time anyway). Fifty people asking for ten places at
//! once therefore get exactly ten places.

use deskbell_domain::kb::RegistrationStatus;
use jiff::Timestamp;

use crate::sql::{Dialect, Row, Tx, Value};
use crate::{StoreError, params};

/// What the vendor's staff write about a training.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingInput {
    pub title: String,
    /// Markdown.
    pub description: String,
    pub product_id: Option<i64>,
    pub starts_at: Timestamp,
    /// IANA zone the start is announced in.
    pub time_zone: String,
    pub duration_minutes: i64,
    pub online_url: Option<String>,
    pub capacity: i64,
    pub waiting_list: bool,
    pub recording_url: Option<String>,
    /// Markdown: materials handed out afterwards.
    pub materials: String,
}

impl TrainingInput {
    /// The columns from title to materials, bound as `$1`–`$11`.
    fn values(&self) -> Vec<Value> {
        vec![
            self.title.as_str().into(),
            self.description.as_str().into(),
            self.product_id.into(),
            self.starts_at.into(),
            self.time_zone.as_str().into(),
            self.duration_minutes.into(),
            self.online_url.clone().into(),
            self.capacity.into(),
            self.waiting_list.into(),
            self.recording_url.clone().into(),
            self.materials.as_str().into(),
        ]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Training {
    pub id: i64,
    pub event: TrainingInput,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Registered (holding a place) and waiting, now.
    pub registered: i64,
    pub waiting: i64,
}

const COLS: &str = "t.id, t.title, t.description, t.product_id, t.starts_at, t.time_zone, t.duration_minutes, t.online_url, \
    t.capacity, t.waiting_list, t.recording_url, t.materials, t.created_at, t.updated_at, \
    (SELECT COUNT(*) FROM training_registrations r WHERE r.training_id = t.id AND r.status = 'registered'), \
    (SELECT COUNT(*) FROM training_registrations r WHERE r.training_id = t.id AND r.status = 'waiting')";

fn from_row(r: &Row) -> Result<Training, StoreError> {
    Ok(Training {
        id: r.i64(0)?,
        event: TrainingInput {
            title: r.str(1)?,
            description: r.str(2)?,
            product_id: r.opt_i64(3)?,
            starts_at: r.time(4)?,
            time_zone: r.str(5)?,
            duration_minutes: r.i64(6)?,
            online_url: r.opt_str(7)?,
            capacity: r.i64(8)?,
            waiting_list: r.bool(9)?,
            recording_url: r.opt_str(10)?,
            materials: r.str(11)?,
        },
        created_at: r.time(12)?,
        updated_at: r.time(13)?,
        registered: r.i64(14)?,
        waiting: r.i64(15)?,
    })
}

pub fn get(tx: &mut Tx<'_>, id: i64) -> Result<Training, StoreError> {
    from_row(&tx.query_one(&format!("SELECT {COLS} FROM trainings t WHERE t.id = $1"), params![id])?)
}

/// Trainings by start; with `from`, only those ending after it (the upcoming and running
/// ones), else all, the latest first.
pub fn list(tx: &mut Tx<'_>, from: Option<Timestamp>) -> Result<Vec<Training>, StoreError> {
    let mut list: Vec<Training> = tx
        .query(&format!("SELECT {COLS} FROM trainings t ORDER BY t.starts_at, t.id"), &[])?
        .iter()
        .map(from_row)
        .collect::<Result<_, _>>()?;
    match from {
        Some(now) => list.retain(|t| ends_at(t) > now),
        None => list.reverse(),
    }
    Ok(list)
}

pub fn ends_at(t: &Training) -> Timestamp {
    let e = &t.event;
    e.starts_at.checked_add(jiff::SignedDuration::from_mins(e.duration_minutes)).unwrap_or(e.starts_at)
}

pub fn create(tx: &mut Tx<'_>, i: &TrainingInput, now: Timestamp) -> Result<Training, StoreError> {
    let mut values = i.values();
    values.push(now.into());
    let id = tx
        .query_one(
            "INSERT INTO trainings (title, description, product_id, starts_at, time_zone, duration_minutes, online_url, \
             capacity, waiting_list, recording_url, materials, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
            &values,
        )?
        .i64(0)?;
    get(tx, id)
}

/// Changes a training; when that frees places (a larger capacity), the waiting list moves up.
/// Returns the training and the people promoted.
pub fn update(tx: &mut Tx<'_>, id: i64, i: &TrainingInput, now: Timestamp) -> Result<(Training, Vec<i64>), StoreError> {
    lock(tx, id)?;
    let mut values = i.values();
    values.extend([now.into(), id.into()]);
    tx.execute(
        "UPDATE trainings SET title = $1, description = $2, product_id = $3, starts_at = $4, time_zone = $5, \
         duration_minutes = $6, online_url = $7, capacity = $8, waiting_list = $9, recording_url = $10, \
         materials = $11, updated_at = $12 WHERE id = $13",
        &values,
    )?;
    let mut promoted = Vec::new();
    while let Some(p) = promote(tx, id, now)? {
        promoted.push(p);
    }
    Ok((get(tx, id)?, promoted))
}

/// Locks the training's row until the transaction ends (see the module docs).
fn lock(tx: &mut Tx<'_>, id: i64) -> Result<(), StoreError> {
    let sql = match tx.dialect() {
        Dialect::Postgres => "SELECT id FROM trainings WHERE id = $1 FOR UPDATE",
        Dialect::Sqlite => "SELECT id FROM trainings WHERE id = $1",
    };
    tx.query_one(sql, params![id]).map(|_| ())
}

#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    pub id: i64,
    pub training_id: i64,
    pub person_id: i64,
    pub status: RegistrationStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const REG_COLS: &str = "id, training_id, person_id, status, created_at, updated_at";

fn reg_from(r: &Row) -> Result<Registration, StoreError> {
    let status = r.str(3)?;
    Ok(Registration {
        id: r.i64(0)?,
        training_id: r.i64(1)?,
        person_id: r.i64(2)?,
        status: status.parse().map_err(|_| StoreError::Db(format!("training_registrations.status: `{status}`")))?,
        created_at: r.time(4)?,
        updated_at: r.time(5)?,
    })
}

pub fn registration(tx: &mut Tx<'_>, training_id: i64, person_id: i64) -> Result<Option<Registration>, StoreError> {
    tx.query_opt(
        &format!("SELECT {REG_COLS} FROM training_registrations WHERE training_id = $1 AND person_id = $2"),
        params![training_id, person_id],
    )?
    .as_ref()
    .map(reg_from)
    .transpose()
}

/// Registrations of a training, places first then the waiting list in its order.
pub fn registrations(tx: &mut Tx<'_>, training_id: i64) -> Result<Vec<Registration>, StoreError> {
    let mut list: Vec<Registration> = tx
        .query(
            &format!("SELECT {REG_COLS} FROM training_registrations WHERE training_id = $1 ORDER BY updated_at, id"),
            params![training_id],
        )?
        .iter()
        .map(reg_from)
        .collect::<Result<_, _>>()?;
    list.sort_by_key(|r| match r.status {
        RegistrationStatus::Registered => 0,
        RegistrationStatus::Waiting => 1,
        RegistrationStatus::Cancelled => 2,
    });
    Ok(list)
}

/// The trainings a person holds a place or waits for, as (training id, status).
pub fn of_person(tx: &mut Tx<'_>, person_id: i64) -> Result<Vec<(i64, RegistrationStatus)>, StoreError> {
    tx.query(
        &format!("SELECT {REG_COLS} FROM training_registrations WHERE person_id = $1 AND status <> 'cancelled'"),
        params![person_id],
    )?
    .iter()
    .map(|r| reg_from(r).map(|r| (r.training_id, r.status)))
    .collect()
}

/// Why a registration was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The training has started (or ended).
    Started,
    /// Every place is taken and the training keeps no waiting list.
    Full,
    /// Already registered or waiting.
    Already(RegistrationStatus),
}

/// Registers the person: a place while there is one, else the waiting list when the training
/// keeps one. Nothing is written when it is refused.
pub fn register(
    tx: &mut Tx<'_>,
    training_id: i64,
    person_id: i64,
    now: Timestamp,
) -> Result<Result<Registration, Refusal>, StoreError> {
    lock(tx, training_id)?;
    let t = get(tx, training_id)?;
    if t.event.starts_at <= now {
        return Ok(Err(Refusal::Started));
    }
    let existing = registration(tx, training_id, person_id)?;
    if let Some(r) = &existing
        && r.status != RegistrationStatus::Cancelled
    {
        return Ok(Err(Refusal::Already(r.status)));
    }
    let status = if t.registered < t.event.capacity {
        RegistrationStatus::Registered
    } else if t.event.waiting_list {
        RegistrationStatus::Waiting
    } else {
        return Ok(Err(Refusal::Full));
    };
    tx.execute(
        "INSERT INTO training_registrations (training_id, person_id, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (training_id, person_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at",
        params![training_id, person_id, status.as_str(), now],
    )?;
    registration(tx, training_id, person_id)?.ok_or(StoreError::NotFound).map(Ok)
}

/// Cancels the person's registration; when it held a place, the first on the waiting list
/// gets it. Returns the cancelled registration (`None` when there was nothing to cancel)
/// and the person promoted, if any.
pub fn cancel(
    tx: &mut Tx<'_>,
    training_id: i64,
    person_id: i64,
    now: Timestamp,
) -> Result<(Option<Registration>, Option<i64>), StoreError> {
    lock(tx, training_id)?;
    let Some(r) = registration(tx, training_id, person_id)? else { return Ok((None, None)) };
    if r.status == RegistrationStatus::Cancelled {
        return Ok((None, None));
    }
    tx.execute(
        "UPDATE training_registrations SET status = 'cancelled', updated_at = $3 WHERE training_id = $1 AND person_id = $2",
        params![training_id, person_id, now],
    )?;
    let promoted = promote(tx, training_id, now)?;
    Ok((Some(r), promoted))
}

/// Gives a free place to the first on the waiting list (the one waiting longest).
fn promote(tx: &mut Tx<'_>, training_id: i64, now: Timestamp) -> Result<Option<i64>, StoreError> {
    let t = get(tx, training_id)?;
    if t.registered >= t.event.capacity || t.event.starts_at <= now {
        return Ok(None);
    }
    let Some(next) = tx.query_opt(
        "SELECT id, person_id FROM training_registrations WHERE training_id = $1 AND status = 'waiting' ORDER BY updated_at, id LIMIT 1",
        params![training_id],
    )?
    else {
        return Ok(None);
    };
    tx.execute(
        "UPDATE training_registrations SET status = 'registered', updated_at = $2 WHERE id = $1",
        params![next.i64(0)?, now],
    )?;
    Ok(Some(next.i64(1)?))
}
