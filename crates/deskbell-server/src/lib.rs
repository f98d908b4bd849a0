//! The deskbell service: HTTP API, jobs and the `deskbell` command, organised by feature.
//! `main.rs` only wires these together.

pub mod admin;
pub mod app;
pub mod auth;
pub mod automation;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod error;
pub mod jobs;
pub mod json;
pub mod kb;
pub mod mail;
pub mod ops;
pub mod patch;
pub mod schema;
pub mod sla;
pub mod state;
pub mod tickets;
pub mod web;
