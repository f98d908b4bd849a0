//! The e-mail channel (DESIGN §4): intake from IMAP and from a mail server's pipe, threading,
//! exactly-once storage and quarantine ([`intake`]); outgoing mail through an outbox.

pub mod admin;
pub mod intake;
pub mod outbox;
pub mod poller;
pub mod sender;
pub mod templates;

/// Runs store work off the async runtime (the store is synchronous).
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, deskbell_store::StoreError> + Send + 'static,
) -> Result<T, deskbell_store::StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| deskbell_store::StoreError::Db(format!("mail task failed: {e}")))?
}
