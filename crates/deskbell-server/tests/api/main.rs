//! The HTTP API from the outside: every test starts the real application on a free port
//! with a throwaway database, once on SQLite and once on PostgreSQL.

// Helpers outside `#[test]` functions are not covered by clippy.toml's test allowances;
// in a test crate, failing loudly on a broken fixture is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;
mod authz;
mod automation;
mod bad_input;
mod browser;
mod kb;
mod mail;
mod mail_e2e;
mod merge;
mod openapi;
mod pages_admin;
mod pages_agent;
mod pages_automation;
mod pages_help;
mod pages_kb;
mod sla;
mod sla_admin;
mod support;
mod tickets;
