//! E-mail for deskbell without I/O: turns raw RFC 5322 bytes into an [`Inbound`] message the
//! intake can trust (decoded, sanitised, classified), and an [`Outbound`] message into bytes
//! the outbox can send. Fetching (IMAP, stdin) and sending (SMTP) live in the server; keeping
//! them out makes every rule here testable on hand-written messages.
//!
//! Everything a mail client controls is hostile input: header values lose their control
//! characters before they reach a subject line or a header we write, HTML is sanitised before
//! it can reach a browser, and attachment names cannot name a path.

mod auto;
mod compose;
mod html;
mod parse;
mod quote;
mod subject;

pub use auto::AutoKind;
pub use compose::{AutoSubmitted, Outbound, compose, new_message_id};
pub use parse::{Inbound, parse};
pub use subject::{strip_reply_prefixes, ticket_token};

/// A mailbox: the address lower-cased (so it can be compared and used as a key) and the
/// display name, if the sender gave one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Address {
    pub email: String,
    pub name: Option<String>,
}

impl Address {
    /// An address without a display name.
    pub fn new(email: impl Into<String>) -> Self {
        Address { email: email.into(), name: None }
    }

    /// An address with a display name.
    pub fn named(email: impl Into<String>, name: impl Into<String>) -> Self {
        Address { email: email.into(), name: Some(name.into()) }
    }
}

/// A file carried by a message. On inbound mail `filename` is already safe to offer as a
/// download name: no path separators, no control characters, never empty; and the bytes are
/// transfer-decoded (text attachments also charset-decoded, so they are UTF-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    /// `type/subtype`, lower-case, without parameters.
    pub content_type: String,
    /// The Content-ID without angle brackets: what `cid:` references in the HTML point to.
    pub content_id: Option<String>,
    /// Shown inside the body (an embedded image) rather than listed as a download.
    pub inline: bool,
    pub bytes: Vec<u8>,
}

/// Limits applied before any parsing, so an oversized message costs nothing but its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_bytes: usize,
}

impl Default for Limits {
    /// 25 MiB: the common message size limit of mail providers, so anything larger would not
    /// have been accepted by the sender's server either.
    fn default() -> Self {
        Limits { max_bytes: 25 * 1024 * 1024 }
    }
}

/// Why a message could not be read or written. The intake quarantines the message with this
/// text, so each variant says what is wrong in words an administrator can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("message is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("not an e-mail message: {0}")]
    Unparseable(String),
    #[error("message has no usable From address")]
    NoSender,
    #[error("invalid e-mail address `{0}`")]
    InvalidAddress(String),
    #[error("invalid message id `{0}`")]
    InvalidMessageId(String),
    #[error("message has no recipients")]
    NoRecipients,
}
