//! Organisations (customers, optionally under a parent chain), their phone numbers, mail
//! domains and account team; vendor teams; products and installations.
//!
//! Lists are sorted here, not by `ORDER BY` on text, whose order depends on each
//! database's collation (see [`crate::collation`]).

use std::collections::HashMap;

use deskbell_domain::text::fold;
use jiff::Timestamp;

use crate::collation::sort_by_name;
use crate::find::{self, Query};
use crate::sql::{Row, Tx, Value, in_list, query_ids};
use crate::{StoreError, params};

#[derive(Debug, Clone, PartialEq)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
    pub time_zone: String,
    pub notes: String,
    pub active: bool,
    pub phones: Vec<String>,
    pub mail_domains: Vec<String>,
    pub account_team: Vec<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Default)]
pub struct OrganisationInput {
    pub name: String,
    pub parent_id: Option<i64>,
    pub time_zone: String,
    pub notes: String,
    pub active: bool,
    pub phones: Vec<String>,
    pub mail_domains: Vec<String>,
    pub account_team: Vec<i64>,
}

const ORG_COLS: &str = "id, name, parent_id, time_zone, notes, active, created_at, updated_at";

fn org_from(tx: &mut Tx<'_>, r: &Row) -> Result<Organisation, StoreError> {
    let id = r.i64(0)?;
    // Byte order, the same on both backends.
    let mut phones: Vec<String> = tx
        .query("SELECT phone FROM organisation_phones WHERE organisation_id = $1", params![id])?
        .iter()
        .map(|r| r.str(0))
        .collect::<Result<_, _>>()?;
    phones.sort_unstable();
    let mut mail_domains: Vec<String> = tx
        .query("SELECT domain FROM organisation_domains WHERE organisation_id = $1", params![id])?
        .iter()
        .map(|r| r.str(0))
        .collect::<Result<_, _>>()?;
    mail_domains.sort_unstable();
    let account_team = tx
        .query(
            "SELECT person_id FROM organisation_account_team WHERE organisation_id = $1 ORDER BY person_id",
            params![id],
        )?
        .iter()
        .map(|r| r.i64(0))
        .collect::<Result<_, _>>()?;
    Ok(Organisation {
        id,
        name: r.str(1)?,
        parent_id: r.opt_i64(2)?,
        time_zone: r.str(3)?,
        notes: r.str(4)?,
        active: r.bool(5)?,
        phones,
        mail_domains,
        account_team,
        created_at: r.time(6)?,
        updated_at: r.time(7)?,
    })
}

/// Just the organisation's time zone (its local dates decide which contract covers a ticket),
/// without the phones, domains and account team [`get`] also loads.
pub fn time_zone(tx: &mut Tx<'_>, id: i64) -> Result<String, StoreError> {
    tx.query_one("SELECT time_zone FROM organisations WHERE id = $1", params![id])?.str(0)
}

pub fn get(tx: &mut Tx<'_>, id: i64) -> Result<Organisation, StoreError> {
    let r = tx.query_one(&format!("SELECT {ORG_COLS} FROM organisations WHERE id = $1"), params![id])?;
    org_from(tx, &r)
}

/// Organisations visible through `ids` (all when `None`), by name.
pub fn list(tx: &mut Tx<'_>, ids: Option<&[i64]>) -> Result<Vec<Organisation>, StoreError> {
    let rows = match ids {
        None => tx.query(&format!("SELECT {ORG_COLS} FROM organisations"), &[])?,
        Some(ids) => {
            let params: Vec<_> = ids.iter().map(|i| (*i).into()).collect();
            tx.query(&format!("SELECT {ORG_COLS} FROM organisations WHERE id IN {}", in_list(0, ids.len())), &params)?
        }
    };
    let mut list = rows.iter().map(|r| org_from(tx, r)).collect::<Result<Vec<_>, _>>()?;
    sort_by_name(&mut list, |o| (&o.name, o.id));
    Ok(list)
}

/// The organisation and its direct children (hotel chain → properties).
pub fn with_children(tx: &mut Tx<'_>, id: i64) -> Result<Vec<i64>, StoreError> {
    tx.query("SELECT id FROM organisations WHERE id = $1 OR parent_id = $1 ORDER BY id", params![id])?
        .iter()
        .map(|r| r.i64(0))
        .collect()
}

/// The text [`find`] matches an organisation by: its name folded and its phone numbers' digits.
pub(crate) fn find_key(name: &str, phones: &[String]) -> String {
    let digits: Vec<String> = phones.iter().map(|p| find::digits(p)).collect();
    find::key(std::iter::once(fold(name).as_str()).chain(digits.iter().map(String::as_str)))
}

/// Writes the phones, domains and account team, and the find key (name and phones).
fn write_lists(tx: &mut Tx<'_>, id: i64, input: &OrganisationInput) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE organisations SET find_key = $2 WHERE id = $1",
        params![id, find_key(&input.name, &input.phones)],
    )?;
    tx.execute("DELETE FROM organisation_phones WHERE organisation_id = $1", params![id])?;
    tx.execute("DELETE FROM organisation_domains WHERE organisation_id = $1", params![id])?;
    tx.execute("DELETE FROM organisation_account_team WHERE organisation_id = $1", params![id])?;
    for p in &input.phones {
        tx.execute("INSERT INTO organisation_phones (phone, organisation_id) VALUES ($1, $2)", params![p, id])?;
    }
    for d in &input.mail_domains {
        tx.execute("INSERT INTO organisation_domains (domain, organisation_id) VALUES ($1, $2)", params![d, id])?;
    }
    for p in &input.account_team {
        tx.execute(
            "INSERT INTO organisation_account_team (organisation_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            params![id, *p],
        )?;
    }
    Ok(())
}

pub fn create(tx: &mut Tx<'_>, input: &OrganisationInput, now: Timestamp) -> Result<Organisation, StoreError> {
    let id = tx
        .query_one(
            "INSERT INTO organisations (name, parent_id, time_zone, notes, active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            params![&input.name, input.parent_id, &input.time_zone, &input.notes, input.active, now],
        )?
        .i64(0)?;
    write_lists(tx, id, input)?;
    get(tx, id)
}

pub fn update(tx: &mut Tx<'_>, id: i64, input: &OrganisationInput, now: Timestamp) -> Result<Organisation, StoreError> {
    let n = tx.execute(
        "UPDATE organisations SET name = $2, parent_id = $3, time_zone = $4, notes = $5, active = $6, updated_at = $7 WHERE id = $1",
        params![id, &input.name, input.parent_id, &input.time_zone, &input.notes, input.active, now],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    write_lists(tx, id, input)?;
    get(tx, id)
}

/// Organisations whose name contains `q`, or whose phone numbers contain its digits, ignoring
/// case and diacritics (`lodz` finds "Łódź"; see [`crate::find`]); for the phone-ticket form,
/// which asks while the agent types. Names starting with `q` come first; at most `limit`
/// (up to 200) results, and none for an empty `q`. Inactive organisations are included
/// (their `active` says so).
pub fn find(tx: &mut Tx<'_>, q: &str, limit: usize) -> Result<Vec<Organisation>, StoreError> {
    let Some(query) = Query::parse(q) else { return Ok(Vec::new()) };
    let limit = limit.min(find::MAX_LIMIT);
    if limit == 0 {
        return Ok(Vec::new());
    }
    let mut params = Vec::new();
    let (cond, order) = query.sql(tx.dialect(), &mut params);
    params.push(Value::Int(limit as i64));
    let rows = tx.query(
        &format!(
            "SELECT {ORG_COLS}, find_key FROM organisations WHERE {cond} ORDER BY {order} LIMIT ${}",
            params.len()
        ),
        &params,
    )?;
    let prefix: HashMap<i64, bool> =
        rows.iter().map(|r| Ok((r.i64(0)?, query.is_prefix_of(&r.str(8)?)))).collect::<Result<_, StoreError>>()?;
    let mut list = load(tx, &rows)?;
    // By name within each rank, the order of every other list (see `crate::collation`).
    sort_by_name(&mut list, |o| (&o.name, o.id));
    list.sort_by_key(|o| !prefix.get(&o.id).copied().unwrap_or(false));
    Ok(list)
}

/// Organisations from rows of [`ORG_COLS`], with their phones, domains and account teams
/// read in three queries for all of them (not three per organisation), in the rows' order.
fn load(tx: &mut Tx<'_>, rows: &[Row]) -> Result<Vec<Organisation>, StoreError> {
    let ids = rows.iter().map(|r| r.i64(0)).collect::<Result<Vec<_>, _>>()?;
    let mut lists = |sql: &str| -> Result<HashMap<i64, Vec<Row>>, StoreError> {
        let mut by_org: HashMap<i64, Vec<Row>> = HashMap::new();
        for r in query_ids(tx, &ids, |list| sql.replace("{ids}", list))? {
            by_org.entry(r.i64(0)?).or_default().push(r);
        }
        Ok(by_org)
    };
    let mut phones = lists("SELECT organisation_id, phone FROM organisation_phones WHERE organisation_id IN {ids}")?;
    let mut domains = lists("SELECT organisation_id, domain FROM organisation_domains WHERE organisation_id IN {ids}")?;
    let mut teams =
        lists("SELECT organisation_id, person_id FROM organisation_account_team WHERE organisation_id IN {ids}")?;
    rows.iter()
        .map(|r| {
            let id = r.i64(0)?;
            let texts = |rows: Option<Vec<Row>>| -> Result<Vec<String>, StoreError> {
                // Byte order, as `org_from` has it.
                let mut v = rows.unwrap_or_default().iter().map(|r| r.str(1)).collect::<Result<Vec<_>, _>>()?;
                v.sort_unstable();
                Ok(v)
            };
            let mut account_team =
                teams.remove(&id).unwrap_or_default().iter().map(|r| r.i64(1)).collect::<Result<Vec<_>, _>>()?;
            account_team.sort_unstable();
            Ok(Organisation {
                id,
                name: r.str(1)?,
                parent_id: r.opt_i64(2)?,
                time_zone: r.str(3)?,
                notes: r.str(4)?,
                active: r.bool(5)?,
                phones: texts(phones.remove(&id))?,
                mail_domains: texts(domains.remove(&id))?,
                account_team,
                created_at: r.time(6)?,
                updated_at: r.time(7)?,
            })
        })
        .collect()
}

/// The names of the given organisations, for rendering a list page in one query per few
/// hundred ids; unknown ids are left out.
pub fn names(tx: &mut Tx<'_>, ids: &[i64]) -> Result<HashMap<i64, String>, StoreError> {
    query_ids(tx, ids, |list| format!("SELECT id, name FROM organisations WHERE id IN {list}"))?
        .iter()
        .map(|r| Ok((r.i64(0)?, r.str(1)?)))
        .collect()
}

/// The time zones of the given organisations (dates on a list page are local to each).
pub fn time_zones(tx: &mut Tx<'_>, ids: &[i64]) -> Result<HashMap<i64, String>, StoreError> {
    query_ids(tx, ids, |list| format!("SELECT id, time_zone FROM organisations WHERE id IN {list}"))?
        .iter()
        .map(|r| Ok((r.i64(0)?, r.str(1)?)))
        .collect()
}

/// Caller-ID lookup: the organisation owning a phone number (stored normalised).
pub fn by_phone(tx: &mut Tx<'_>, phone: &str) -> Result<Option<i64>, StoreError> {
    tx.query_opt("SELECT organisation_id FROM organisation_phones WHERE phone = $1", params![phone])?
        .map(|r| r.i64(0))
        .transpose()
}

/// Sender-domain lookup.
pub fn by_domain(tx: &mut Tx<'_>, domain: &str) -> Result<Option<i64>, StoreError> {
    tx.query_opt("SELECT organisation_id FROM organisation_domains WHERE domain = $1", params![domain])?
        .map(|r| r.i64(0))
        .transpose()
}

#[derive(Debug, Clone, PartialEq)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub members: Vec<i64>,
}

pub fn teams(tx: &mut Tx<'_>) -> Result<Vec<Team>, StoreError> {
    let rows = tx.query("SELECT id, name FROM teams", &[])?;
    let mut list = rows
        .iter()
        .map(|r| {
            let id = r.i64(0)?;
            Ok(Team { id, name: r.str(1)?, members: team_members(tx, id)? })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    sort_by_name(&mut list, |t| (&t.name, t.id));
    Ok(list)
}

fn team_members(tx: &mut Tx<'_>, id: i64) -> Result<Vec<i64>, StoreError> {
    tx.query("SELECT person_id FROM team_members WHERE team_id = $1 ORDER BY person_id", params![id])?
        .iter()
        .map(|r| r.i64(0))
        .collect()
}

pub fn team(tx: &mut Tx<'_>, id: i64) -> Result<Team, StoreError> {
    let r = tx.query_one("SELECT id, name FROM teams WHERE id = $1", params![id])?;
    Ok(Team { id, name: r.str(1)?, members: team_members(tx, id)? })
}

/// Whether team `id` exists (a check that does not need the members).
pub fn team_exists(tx: &mut Tx<'_>, id: i64) -> Result<bool, StoreError> {
    Ok(tx.query_opt("SELECT 1 FROM teams WHERE id = $1", params![id])?.is_some())
}

pub fn save_team(
    tx: &mut Tx<'_>,
    id: Option<i64>,
    name: &str,
    members: &[i64],
    now: Timestamp,
) -> Result<Team, StoreError> {
    let id = match id {
        Some(id) => {
            if tx.execute("UPDATE teams SET name = $2 WHERE id = $1", params![id, name])? == 0 {
                return Err(StoreError::NotFound);
            }
            id
        }
        None => tx
            .query_one("INSERT INTO teams (name, created_at) VALUES ($1, $2) RETURNING id", params![name, now])?
            .i64(0)?,
    };
    tx.execute("DELETE FROM team_members WHERE team_id = $1", params![id])?;
    for p in members {
        tx.execute(
            "INSERT INTO team_members (team_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            params![id, *p],
        )?;
    }
    team(tx, id)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub team_id: Option<i64>,
}

pub fn products(tx: &mut Tx<'_>) -> Result<Vec<Product>, StoreError> {
    let mut list = tx
        .query("SELECT id, code, name, team_id FROM products", &[])?
        .iter()
        .map(|r| Ok(Product { id: r.i64(0)?, code: r.str(1)?, name: r.str(2)?, team_id: r.opt_i64(3)? }))
        .collect::<Result<Vec<_>, StoreError>>()?;
    sort_by_name(&mut list, |p| (&p.name, p.id));
    Ok(list)
}

pub fn product(tx: &mut Tx<'_>, id: i64) -> Result<Product, StoreError> {
    let r = tx.query_one("SELECT id, code, name, team_id FROM products WHERE id = $1", params![id])?;
    Ok(Product { id: r.i64(0)?, code: r.str(1)?, name: r.str(2)?, team_id: r.opt_i64(3)? })
}

pub fn save_product(
    tx: &mut Tx<'_>,
    id: Option<i64>,
    code: &str,
    name: &str,
    team_id: Option<i64>,
    now: Timestamp,
) -> Result<Product, StoreError> {
    let id = match id {
        Some(id) => {
            if tx.execute(
                "UPDATE products SET code = $2, name = $3, team_id = $4 WHERE id = $1",
                params![id, code, name, team_id],
            )? == 0
            {
                return Err(StoreError::NotFound);
            }
            id
        }
        None => tx
            .query_one(
                "INSERT INTO products (code, name, team_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                params![code, name, team_id, now],
            )?
            .i64(0)?,
    };
    product(tx, id)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Installation {
    pub id: i64,
    pub organisation_id: i64,
    pub product_id: i64,
    pub name: String,
    pub version: Option<String>,
}

const INST_COLS: &str = "id, organisation_id, product_id, name, version";

fn inst_from(r: &Row) -> Result<Installation, StoreError> {
    Ok(Installation {
        id: r.i64(0)?,
        organisation_id: r.i64(1)?,
        product_id: r.i64(2)?,
        name: r.str(3)?,
        version: r.opt_str(4)?,
    })
}

pub fn installations(tx: &mut Tx<'_>, orgs: Option<&[i64]>) -> Result<Vec<Installation>, StoreError> {
    let rows = match orgs {
        None => tx.query(&format!("SELECT {INST_COLS} FROM installations"), &[])?,
        Some(ids) => {
            let params: Vec<_> = ids.iter().map(|i| (*i).into()).collect();
            tx.query(
                &format!("SELECT {INST_COLS} FROM installations WHERE organisation_id IN {}", in_list(0, ids.len())),
                &params,
            )?
        }
    };
    let mut list = rows.iter().map(inst_from).collect::<Result<Vec<_>, _>>()?;
    // By organisation, then by name within it (the sort is stable).
    sort_by_name(&mut list, |i| (&i.name, i.id));
    list.sort_by_key(|i| i.organisation_id);
    Ok(list)
}

pub fn installation(tx: &mut Tx<'_>, id: i64) -> Result<Installation, StoreError> {
    inst_from(&tx.query_one(&format!("SELECT {INST_COLS} FROM installations WHERE id = $1"), params![id])?)
}

pub fn save_installation(
    tx: &mut Tx<'_>,
    id: Option<i64>,
    input: &Installation,
    now: Timestamp,
) -> Result<Installation, StoreError> {
    let id = match id {
        Some(id) => {
            let n = tx.execute(
                "UPDATE installations SET organisation_id = $2, product_id = $3, name = $4, version = $5 WHERE id = $1",
                params![id, input.organisation_id, input.product_id, &input.name, input.version.clone()],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            id
        }
        None => tx
            .query_one(
                "INSERT INTO installations (organisation_id, product_id, name, version, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                params![input.organisation_id, input.product_id, &input.name, input.version.clone(), now],
            )?
            .i64(0)?,
    };
    installation(tx, id)
}

/// An organisation's name, parent and account team in one query, without what else [`get`]
/// loads (routing asks for it on every new ticket).
pub fn account_team(tx: &mut Tx<'_>, id: i64) -> Result<(String, Option<i64>, Vec<i64>), StoreError> {
    let rows = tx.query(
        "SELECT o.name, o.parent_id, a.person_id FROM organisations o \
         LEFT JOIN organisation_account_team a ON a.organisation_id = o.id WHERE o.id = $1 ORDER BY a.person_id",
        params![id],
    )?;
    let first = rows.first().ok_or(StoreError::NotFound)?;
    let team = rows.iter().filter_map(|r| r.opt_i64(2).transpose()).collect::<Result<Vec<_>, _>>()?;
    Ok((first.str(0)?, first.opt_i64(1)?, team))
}

/// A team's name and members in one query.
pub fn roster(tx: &mut Tx<'_>, id: i64) -> Result<(String, Vec<i64>), StoreError> {
    let rows = tx.query(
        "SELECT t.name, m.person_id FROM teams t LEFT JOIN team_members m ON m.team_id = t.id WHERE t.id = $1 \
         ORDER BY m.person_id",
        params![id],
    )?;
    let first = rows.first().ok_or(StoreError::NotFound)?;
    let members = rows.iter().filter_map(|r| r.opt_i64(1).transpose()).collect::<Result<Vec<_>, _>>()?;
    Ok((first.str(0)?, members))
}
