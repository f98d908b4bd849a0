//! PostgreSQL backend: a pool of connections, each caching its prepared statements (a fresh
//! prepare costs a round trip per query). Several deskbell instances may share one database.

use std::collections::HashMap;
use std::error::Error as _;

use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls, Statement};

use crate::StoreError;
use crate::sql::{Array, Conn, Dialect, Row, Value, refuse_nul};

pub struct PgBackend {
    /// Always `Some` until dropped; see the `Drop` impl.
    pool: Option<r2d2::Pool<PgManager>>,
}

impl Drop for PgBackend {
    fn drop(&mut self) {
        // Closing a synchronous `postgres::Client` blocks on a runtime of its own, which
        // panics on a tokio worker thread — where the server's last `Store` handle usually
        // goes away at shutdown. Close the connections on a plain thread instead.
        if let Some(pool) = self.pool.take() {
            let _ = std::thread::spawn(move || drop(pool)).join();
        }
    }
}

pub struct PgConnection {
    client: Client,
    statements: HashMap<String, Statement>,
    /// Its session settings could not be restored: the pool drops it.
    broken: bool,
}

struct PgManager {
    config: postgres::Config,
}

impl r2d2::ManageConnection for PgManager {
    type Connection = PgConnection;
    type Error = postgres::Error;

    fn connect(&self) -> Result<PgConnection, postgres::Error> {
        let mut client = self.config.connect(NoTls)?;
        // Whatever runs outside `write` cannot write: a lookup's statements run without a
        // transaction of their own (see `lookup`), and PostgreSQL refuses their writes.
        client.batch_execute("SET default_transaction_read_only = on")?;
        // Statements are prepared once per connection and reused; writes keep the plan
        // PostgreSQL caches for them. Read transactions plan every run (see `read`).
        Ok(PgConnection { client, statements: HashMap::new(), broken: false })
    }

    fn is_valid(&self, conn: &mut PgConnection) -> Result<(), postgres::Error> {
        conn.client.simple_query("").map(|_| ())
    }

    fn has_broken(&self, conn: &mut PgConnection) -> bool {
        conn.broken || conn.client.is_closed()
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        if let Some(db) = e.as_db_error() {
            if db.code() == &postgres::error::SqlState::UNIQUE_VIOLATION {
                return StoreError::Unique { constraint: unique_columns(db) };
            }
            return StoreError::Db(format!("{}: {}", db.code().code(), db.message()));
        }
        if e.is_closed() || e.source().is_some_and(|s| s.is::<std::io::Error>()) {
            return StoreError::Unavailable(e.to_string());
        }
        StoreError::Db(e.to_string())
    }
}

/// Names the columns of a violated unique key like SQLite does: `table.column`, or
/// `table.a, table.b` for a key of several columns. The detail reads
/// "Key (team_id, person_id)=(1, 2) already exists."; without it (a role that may not read
/// the row), the constraint's name stands in.
fn unique_columns(db: &postgres::error::DbError) -> String {
    let table = db.table().unwrap_or_default();
    let columns = db.detail().and_then(|d| d.strip_prefix("Key (")).and_then(|d| d.split_once(")=(")).map(|(c, _)| c);
    match columns {
        Some(columns) => columns.split(", ").map(|c| format!("{table}.{c}")).collect::<Vec<_>>().join(", "),
        None => format!("{table}.{}", db.constraint().unwrap_or_default()),
    }
}

impl PgBackend {
    pub fn open(url: &str, pool_size: u32) -> Result<Self, StoreError> {
        let config: postgres::Config =
            url.parse().map_err(|e: postgres::Error| StoreError::Unavailable(format!("bad DATABASE_URL: {e}")))?;
        let pool = r2d2::Pool::builder()
            .max_size(pool_size.max(1))
            .min_idle(Some(1))
            .connection_timeout(std::time::Duration::from_secs(10))
            .build(PgManager { config })?;
        Ok(Self { pool: Some(pool) })
    }

    fn get(&self) -> Result<r2d2::PooledConnection<PgManager>, StoreError> {
        match &self.pool {
            Some(p) => Ok(p.get()?),
            None => Err(StoreError::Unavailable("the pool is closed".into())),
        }
    }

    pub fn write<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T, E>) -> Result<T, E> {
        let mut conn = self.get()?;
        let PgConnection { client, statements, .. } = &mut *conn;
        let tx = client.build_transaction().read_only(false).start().map_err(StoreError::from)?;
        let mut c = PgConn { tx: Session::Tx(tx), statements };
        let out = f(&mut c)?;
        c.tx.commit()?;
        Ok(out)
    }

    pub fn read<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T, E>) -> Result<T, E> {
        let mut conn = self.get()?;
        let PgConnection { client, statements, .. } = &mut *conn;
        let mut tx = client
            .build_transaction()
            .read_only(true)
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .start()
            .map_err(StoreError::from)?;
        // After five runs PostgreSQL may switch a statement to one generic plan, chosen
        // without the parameters: for the full-text search that plan walks every ticket (a
        // search with no match took 400 ms instead of 1 ms), and list filters are as skewed.
        // Reads plan each run with its parameters. Writes are key lookups and inserts whose
        // generic plan is the right one; planning them every time cost a quarter of the
        // database's time when tickets are created.
        tx.batch_execute("SET LOCAL plan_cache_mode = force_custom_plan").map_err(StoreError::from)?;
        let mut c = PgConn { tx: Session::Tx(tx), statements };
        let out = f(&mut c)?;
        c.tx.commit()?;
        Ok(out)
    }

    /// Runs `f` with each statement in its own implicit transaction, read-only like every
    /// transaction of the connection that `write` does not open: no snapshot shared between
    /// statements, and no `BEGIN`/`COMMIT` round trips. For the lookup of one statement made
    /// on every request (who is calling).
    pub fn lookup<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T, E>) -> Result<T, E> {
        let mut conn = self.get()?;
        let PgConnection { client, statements, .. } = &mut *conn;
        let mut c = PgConn { tx: Session::Auto(client), statements };
        f(&mut c)
    }

    /// A plain connection for the migration runner, which needs `batch_execute`, and for
    /// maintenance; both write, so the connection may write while `f` runs.
    pub fn with_client<T>(&self, f: impl FnOnce(&mut Client) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut conn = self.get()?;
        conn.client.batch_execute("SET default_transaction_read_only = off")?;
        let out = f(&mut conn.client);
        // Migrations change the schema; cached plans may refer to the old one.
        conn.statements.clear();
        if let Err(e) = conn.client.batch_execute("SET default_transaction_read_only = on") {
            // Never hand out a connection whose lookups could write.
            conn.broken = true;
            return Err(e.into());
        }
        out
    }
}

/// Runs `f` through the repositories' [`Conn`] on a savepoint of `tx` (the migration runner's
/// transaction), so Rust-side migration steps are written once for both backends.
pub(crate) fn with_conn<T>(
    tx: &mut postgres::Transaction<'_>,
    f: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut statements = HashMap::new();
    let mut c = PgConn { tx: Session::Tx(tx.transaction()?), statements: &mut statements };
    let out = f(&mut c)?;
    c.tx.commit()?;
    Ok(out)
}

/// Where a [`PgConn`]'s statements run: a transaction, or (for [`PgBackend::lookup`]) the
/// plain connection, one implicit transaction per statement.
enum Session<'a> {
    Tx(postgres::Transaction<'a>),
    Auto(&'a mut Client),
}

impl Session<'_> {
    fn commit(self) -> Result<(), StoreError> {
        match self {
            Session::Tx(tx) => Ok(tx.commit()?),
            Session::Auto(_) => Ok(()),
        }
    }

    fn prepare(&mut self, sql: &str) -> Result<Statement, postgres::Error> {
        match self {
            Session::Tx(tx) => tx.prepare(sql),
            Session::Auto(c) => c.prepare(sql),
        }
    }

    fn execute(&mut self, stmt: &Statement, params: &[&(dyn ToSql + Sync)]) -> Result<u64, postgres::Error> {
        match self {
            Session::Tx(tx) => tx.execute(stmt, params),
            Session::Auto(c) => c.execute(stmt, params),
        }
    }

    fn query(
        &mut self,
        stmt: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, postgres::Error> {
        match self {
            Session::Tx(tx) => tx.query(stmt, params),
            Session::Auto(c) => c.query(stmt, params),
        }
    }
}

struct PgConn<'a> {
    tx: Session<'a>,
    statements: &'a mut HashMap<String, Statement>,
}

impl PgConn<'_> {
    fn statement(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.tx.prepare(sql)?;
        self.statements.insert(sql.to_owned(), s.clone());
        Ok(s)
    }
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                _ => i.to_sql(ty, out),
            },
            Value::Text(t) => t.to_sql(ty, out),
            Value::Bytes(b) => b.to_sql(ty, out),
            Value::Bool(b) => b.to_sql(ty, out),
            // Truncated to the microsecond like the SQLite backend's integers, rather than
            // left to the driver's conversion.
            Value::Time(t) => jiff::Timestamp::from_microsecond(t.as_microsecond())?.to_sql(ty, out),
            Value::Float(f) => f.to_sql(ty, out),
            Value::Array(Array::Int(v)) => v.to_sql(ty, out),
            Value::Array(Array::Text(v)) => v.to_sql(ty, out),
            Value::Array(Array::Time(v)) => {
                let v: Vec<Option<jiff::Timestamp>> = v
                    .iter()
                    .map(|t| t.map(|t| jiff::Timestamp::from_microsecond(t.as_microsecond())).transpose())
                    .collect::<Result<_, _>>()?;
                v.to_sql(ty, out)
            }
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn column(row: &postgres::Row, i: usize) -> Result<Value, StoreError> {
    let ty = row.columns()[i].type_();
    let v = match *ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map(Value::Int),
        Type::INT4 => row.try_get::<_, Option<i32>>(i)?.map(|v| Value::Int(v.into())),
        Type::INT2 => row.try_get::<_, Option<i16>>(i)?.map(|v| Value::Int(v.into())),
        Type::BOOL => row.try_get::<_, Option<bool>>(i)?.map(Value::Bool),
        Type::TEXT | Type::VARCHAR | Type::NAME | Type::BPCHAR => row.try_get::<_, Option<String>>(i)?.map(Value::Text),
        Type::BYTEA => row.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Bytes),
        Type::TIMESTAMPTZ => row.try_get::<_, Option<jiff::Timestamp>>(i)?.map(Value::Time),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(i)?.map(Value::Float),
        Type::FLOAT4 => row.try_get::<_, Option<f32>>(i)?.map(|v| Value::Float(v.into())),
        _ => return Err(StoreError::Db(format!("column {i} has unsupported type {ty}"))),
    };
    Ok(v.unwrap_or(Value::Null))
}

impl Conn for PgConn<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        refuse_nul(params)?;
        let stmt = self.statement(sql)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        Ok(self.tx.execute(&stmt, &refs)?)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        refuse_nul(params)?;
        let stmt = self.statement(sql)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let rows = self.tx.query(&stmt, &refs)?;
        rows.iter().map(|r| (0..r.len()).map(|i| column(r, i)).collect::<Result<Vec<_>, _>>().map(Row)).collect()
    }
}
