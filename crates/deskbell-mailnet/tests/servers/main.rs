//! deskbell-mailnet against real servers: Dovecot for IMAP, Postfix for SMTP (see common.rs
//! for where they come from). No mocks: every assertion is about what a real server did.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod errors;
mod fetch;
mod idle;
mod large;
mod smtp;
mod tls;
