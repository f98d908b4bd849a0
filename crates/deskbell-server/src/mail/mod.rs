//! The e-mail channel (DESIGN §4): intake from IMAP and from a mail server's pipe, threading,
//! exactly-once storage and quarantine ([`intake`]); outgoing mail through an outbox.

pub mod admin;
pub mod intake;
pub mod outbox;
pub mod poller;
pub mod sender;
pub mod templates;
