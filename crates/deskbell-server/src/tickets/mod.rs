//! Tickets: the write path (`service`), the REST endpoints (`api`) and their JSON views.

pub mod api;
pub mod merge;
pub mod relations_api;
pub mod service;
pub mod views;
