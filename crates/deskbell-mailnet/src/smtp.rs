//! SMTP: handing one raw message to the configured server (the organisation's relay or
//! submission server), with an answer the outbox can act on: give up, or try again later.

use std::borrow::Cow;
use std::error::Error as _;
use std::fmt;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{CertificateStore, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::{COMMAND_TIMEOUT, CONNECT_TIMEOUT, Security, server_text, tls};

/// The slowest transfer rate a delivery is given time for: 256 KiB/s, so a 60 MB message may
/// take about four minutes on top of [`COMMAND_TIMEOUT`].
const MIN_BYTES_PER_SECOND: u64 = 256 * 1024;

/// Where to send mail. `user`/`password` are for servers that require SMTP AUTH;
/// `hello_name` is the name deskbell gives in EHLO (default: this machine's host name).
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub user: Option<String>,
    pub password: Option<String>,
    pub hello_name: Option<String>,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("hello_name", &self.hello_name)
            .finish()
    }
}

/// Why a message was not sent. `permanent` means sending the same bytes to the same
/// recipients will fail again (a 5xx answer about the message or a recipient, an invalid
/// address): don't retry. Everything else (4xx, no connection, TLS, time-outs, a refused
/// login, which needs the settings fixed rather than the message dropped) is worth retrying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SendError {}

impl SendError {
    fn permanent(message: String) -> Self {
        SendError { permanent: true, message }
    }

    fn transient(message: String) -> Self {
        SendError { permanent: false, message }
    }
}

/// Sends `raw` (a complete RFC 5322 message, CRLF line ends) to `recipients`, with
/// `envelope_from` as the return path; an empty `envelope_from` sends with the null return
/// path `<>`, as bounces and auto-replies must (RFC 3834). Addresses are bare (`a@b.example`).
/// The bytes arrive as given, except that bare CR or LF line ends are sent as CRLF.
///
/// All or nothing: if the server refuses any recipient, nothing is sent and the error names
/// the refusal. Send to one recipient per call when recipients should fail independently.
pub async fn send(cfg: &SmtpConfig, envelope_from: &str, recipients: &[String], raw: &[u8]) -> Result<(), SendError> {
    let peer = format!("{}:{}", cfg.host, cfg.port);
    let envelope = envelope(envelope_from, recipients)?;
    let tls = match cfg.security {
        Security::Tls => Tls::Wrapper(tls_parameters(cfg, &peer)?),
        Security::StartTls => Tls::Required(tls_parameters(cfg, &peer)?),
        Security::Plain => Tls::None,
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(cfg.host.as_str())
        .port(cfg.port)
        .tls(tls)
        // lettre applies this to connecting only; the whole delivery is bounded below.
        .timeout(Some(CONNECT_TIMEOUT));
    if let Some(user) = &cfg.user {
        builder = builder.credentials(Credentials::new(user.clone(), cfg.password.clone().unwrap_or_default()));
    }
    if let Some(name) = &cfg.hello_name {
        builder = builder.hello_name(ClientId::Domain(name.clone()));
    }
    let transport = builder.build();
    let budget = delivery_budget(raw.len());
    let data = wire_form(raw);
    match tokio::time::timeout(budget, transport.send_raw(&envelope, &data)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(classify(&e, cfg, &peer)),
        Err(_) => {
            Err(SendError::transient(format!("SMTP delivery via {peer} did not finish within {} s", budget.as_secs())))
        }
    }
}

fn envelope(envelope_from: &str, recipients: &[String]) -> Result<Envelope, SendError> {
    let from = if envelope_from.is_empty() {
        None
    } else {
        Some(
            envelope_from
                .parse::<Address>()
                .map_err(|e| SendError::permanent(format!("invalid envelope sender address {envelope_from:?}: {e}")))?,
        )
    };
    if recipients.is_empty() {
        return Err(SendError::permanent("the message has no recipients".to_owned()));
    }
    let to = recipients
        .iter()
        .map(|r| {
            r.parse::<Address>().map_err(|e| SendError::permanent(format!("invalid recipient address {r:?}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Envelope::new(from, to).map_err(|e| SendError::permanent(format!("invalid envelope: {e}")))
}

fn tls_parameters(cfg: &SmtpConfig, peer: &str) -> Result<TlsParameters, SendError> {
    // The system store, as for IMAP (rustls-native-certs through lettre).
    TlsParameters::builder(cfg.host.clone())
        .certificate_store(CertificateStore::Default)
        .build_rustls()
        .map_err(|e| SendError::transient(format!("TLS setup for SMTP server {peer} failed: {e}")))
}

/// The message as lettre must be given it. Line ends become CRLF: a bare LF would escape
/// lettre's dot-stuffing, and a server that takes LF as a line end would then read "\n.\n"
/// inside the message as its end (SMTP smuggling). And the final CRLF goes, because lettre
/// always appends "\r\n.\r\n"; the message's last line break is that CRLF.
fn wire_form(raw: &[u8]) -> Cow<'_, [u8]> {
    let bare = |i: usize, b: u8| match b {
        b'\n' => i == 0 || raw[i - 1] != b'\r',
        b'\r' => raw.get(i + 1) != Some(&b'\n'),
        _ => false,
    };
    let mut data = if raw.iter().enumerate().any(|(i, &b)| bare(i, b)) {
        let mut fixed = Vec::with_capacity(raw.len() + raw.len() / 50);
        for (i, &b) in raw.iter().enumerate() {
            match b {
                b'\n' if bare(i, b) => fixed.extend_from_slice(b"\r\n"),
                b'\r' if bare(i, b) => fixed.extend_from_slice(b"\r\n"),
                _ => fixed.push(b),
            }
        }
        Cow::Owned(fixed)
    } else {
        Cow::Borrowed(raw)
    };
    match &mut data {
        Cow::Borrowed(b) => *b = b.strip_suffix(b"\r\n").unwrap_or(b),
        Cow::Owned(v) if v.ends_with(b"\r\n") => v.truncate(v.len() - 2),
        Cow::Owned(_) => {}
    }
    data
}

fn delivery_budget(len: usize) -> Duration {
    COMMAND_TIMEOUT + Duration::from_secs(len as u64 / MIN_BYTES_PER_SECOND)
}

fn classify(e: &lettre::transport::smtp::Error, cfg: &SmtpConfig, peer: &str) -> SendError {
    if let Some(code) = e.status() {
        let code = code.to_string();
        let said = e.source().map(|s| server_text(&s.to_string())).unwrap_or_default();
        let reply = format!("{code} {said}");
        // Authentication answers are about the settings, not the message: once the password
        // is fixed the same message goes through, so it must not be dropped.
        if matches!(code.as_str(), "530" | "534" | "535" | "538") {
            let who = cfg.user.as_deref().map(|u| format!(" as {u}")).unwrap_or_default();
            return SendError::transient(format!(
                "SMTP server {peer} refused to accept mail{who}: {reply} (check the SMTP user \
                 name, password and security settings; the message will be retried)"
            ));
        }
        return if e.is_permanent() {
            SendError::permanent(format!("SMTP server {peer} refused the message: {reply}"))
        } else {
            SendError::transient(format!("SMTP server {peer} deferred the message: {reply}"))
        };
    }
    // lettre reports a failed handshake as a connection error; the rustls error inside says
    // what really happened.
    if let Some(why) = tls::find_in_chain(e, &cfg.host) {
        return SendError::transient(format!("TLS with SMTP server {peer} failed: {why}"));
    }
    if e.is_tls() {
        return SendError::transient(format!("TLS with SMTP server {peer} failed: {e}"));
    }
    if e.is_timeout() {
        return SendError::transient(format!(
            "SMTP server {peer} did not accept a connection within {} s",
            CONNECT_TIMEOUT.as_secs()
        ));
    }
    // Connection trouble, an unexpected answer, or a server lacking something required
    // (STARTTLS, an AUTH mechanism): retried, and the text says which.
    SendError::transient(format!("SMTP delivery via {peer} failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::wire_form;

    #[test]
    fn the_final_line_break_is_left_to_the_end_of_data_marker() {
        assert_eq!(&*wire_form(b"Subject: x\r\n\r\nbody\r\n"), b"Subject: x\r\n\r\nbody");
        assert_eq!(&*wire_form(b"Subject: x\r\n\r\nbody"), b"Subject: x\r\n\r\nbody");
    }

    #[test]
    fn bare_line_feeds_and_carriage_returns_become_crlf() {
        assert_eq!(&*wire_form(b"a\nb\r\n.\nc\rd\n"), b"a\r\nb\r\n.\r\nc\r\nd");
        assert_eq!(&*wire_form(b"\nx"), b"\r\nx");
    }
}
