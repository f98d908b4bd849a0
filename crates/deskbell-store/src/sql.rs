//! The SQL contract between the repositories and the two backends.
//!
//! Repositories are written once, against [`Conn`], in the SQL that SQLite and PostgreSQL
//! share (`$1` placeholders, `RETURNING`, `ON CONFLICT`). The few places where the dialects
//! differ (full-text search, sequences) ask [`Conn::dialect`] and branch inside the
//! repository function, so every difference is visible next to the query it affects.

use jiff::Timestamp;

use crate::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A bind parameter or a column value. Instants are bound as `timestamptz` on PostgreSQL and
/// as integer microseconds since the epoch on SQLite (sortable, exact).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
    Bool(bool),
    Time(Timestamp),
    Float(f64),
    /// A whole column of values as one parameter, for PostgreSQL's `unnest($1::bigint[], …)`
    /// bulk writes (one parameter per column instead of per cell). SQLite refuses it.
    Array(Array),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Array {
    Int(Vec<Option<i64>>),
    Text(Vec<Option<String>>),
    Time(Vec<Option<Timestamp>>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<Timestamp> for Value {
    fn from(v: Timestamp) -> Self {
        Value::Time(v)
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// Refuses text parameters holding a NUL character. PostgreSQL cannot store one in `text`
/// and fails the statement; SQLite would store it, and everything that treats the value as
/// a C string would cut it short. Both backends call this before running a statement, so
/// the same write fails the same way on both (and the transaction rolls back).
pub(crate) fn refuse_nul(params: &[Value]) -> Result<(), StoreError> {
    let nul = |p: &Value| match p {
        Value::Text(t) => t.contains('\0'),
        Value::Array(Array::Text(list)) => list.iter().flatten().any(|t| t.contains('\0')),
        _ => false,
    };
    match params.iter().position(nul) {
        Some(i) => Err(StoreError::Db(format!("parameter ${}: text must not contain a NUL character", i + 1))),
        None => Ok(()),
    }
}

/// Builds a parameter slice: `params![a, b, c]`.
#[macro_export]
macro_rules! params {
    ($($v:expr),* $(,)?) => { &[$($crate::sql::Value::from($v)),*][..] };
}

/// One result row; getters convert from each backend's storage form.
#[derive(Debug, Clone)]
pub struct Row(pub Vec<Value>);

fn type_error(i: usize, want: &str, got: &Value) -> StoreError {
    StoreError::Db(format!("column {i}: expected {want}, found {got:?}"))
}

impl Row {
    fn at(&self, i: usize) -> Result<&Value, StoreError> {
        self.0.get(i).ok_or_else(|| StoreError::Db(format!("column {i} out of range")))
    }

    pub fn opt_i64(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.at(i)? {
            Value::Null => Ok(None),
            Value::Int(v) => Ok(Some(*v)),
            other => Err(type_error(i, "integer", other)),
        }
    }

    pub fn i64(&self, i: usize) -> Result<i64, StoreError> {
        self.opt_i64(i)?.ok_or_else(|| StoreError::Db(format!("column {i} is NULL")))
    }

    pub fn opt_str(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.at(i)? {
            Value::Null => Ok(None),
            Value::Text(v) => Ok(Some(v.clone())),
            other => Err(type_error(i, "text", other)),
        }
    }

    pub fn str(&self, i: usize) -> Result<String, StoreError> {
        self.opt_str(i)?.ok_or_else(|| StoreError::Db(format!("column {i} is NULL")))
    }

    pub fn bool(&self, i: usize) -> Result<bool, StoreError> {
        match self.at(i)? {
            Value::Bool(v) => Ok(*v),
            Value::Int(v) => Ok(*v != 0),
            other => Err(type_error(i, "boolean", other)),
        }
    }

    pub fn opt_time(&self, i: usize) -> Result<Option<Timestamp>, StoreError> {
        match self.at(i)? {
            Value::Null => Ok(None),
            Value::Time(t) => Ok(Some(*t)),
            Value::Int(us) => {
                Timestamp::from_microsecond(*us).map(Some).map_err(|e| StoreError::Db(format!("column {i}: {e}")))
            }
            other => Err(type_error(i, "timestamp", other)),
        }
    }

    pub fn time(&self, i: usize) -> Result<Timestamp, StoreError> {
        self.opt_time(i)?.ok_or_else(|| StoreError::Db(format!("column {i} is NULL")))
    }

    pub fn bytes(&self, i: usize) -> Result<Vec<u8>, StoreError> {
        match self.at(i)? {
            Value::Bytes(b) => Ok(b.clone()),
            other => Err(type_error(i, "bytes", other)),
        }
    }

    pub fn opt_f64(&self, i: usize) -> Result<Option<f64>, StoreError> {
        match self.at(i)? {
            Value::Null => Ok(None),
            Value::Float(v) => Ok(Some(*v)),
            Value::Int(v) => Ok(Some(*v as f64)),
            other => Err(type_error(i, "number", other)),
        }
    }
}

/// A connection inside a transaction. Everything a repository does goes through these
/// three methods.
pub trait Conn {
    fn dialect(&self) -> Dialect;
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError>;
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError>;

    fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Row, StoreError> {
        self.query_opt(sql, params)?.ok_or(StoreError::NotFound)
    }
}

/// A transaction handed to a repository function.
pub type Tx<'a> = dyn Conn + 'a;

/// Renders `IN ($n, $n+1, …)` for a list bound after `first` earlier parameters.
pub fn in_list(first: usize, count: usize) -> String {
    let mut s = String::from("(");
    for k in 0..count {
        if k > 0 {
            s.push_str(", ");
        }
        s.push('$');
        s.push_str(&(first + k + 1).to_string());
    }
    if count == 0 {
        // `IN ()` is invalid SQL; NULL matches nothing.
        s.push_str("NULL");
    }
    s.push(')');
    s
}

/// Ids bound per statement by [`query_ids`]: far below SQLite's 32,766 parameters and
/// PostgreSQL's 65,535, and short enough to plan quickly.
pub(crate) const IDS_PER_QUERY: usize = 500;

/// Runs `sql(in_list)` once per chunk of the distinct `ids`, binding the chunk as `$1…$n`,
/// and returns every row. For batch lookups of a list page (names, clocks): one round trip
/// per few hundred ids instead of one per id.
pub(crate) fn query_ids(tx: &mut Tx<'_>, ids: &[i64], sql: impl Fn(&str) -> String) -> Result<Vec<Row>, StoreError> {
    let mut distinct = ids.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let mut out = Vec::new();
    for chunk in distinct.chunks(IDS_PER_QUERY) {
        let params: Vec<Value> = chunk.iter().map(|i| Value::Int(*i)).collect();
        out.extend(tx.query(&sql(&in_list(0, chunk.len())), &params)?);
    }
    Ok(out)
}
