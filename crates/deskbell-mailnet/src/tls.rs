//! TLS client setup shared by IMAP (directly) and SMTP (through the same error wording): rustls
//! with the `ring` provider, trusting the machine's certificate store.

use std::io;
use std::sync::{Arc, OnceLock};

use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{self, CertificateError, ClientConfig, RootCertStore};

/// The client configuration, built once per process: reading the system store costs a few
/// milliseconds and its content does not change while deskbell runs (a newly installed CA
/// needs a restart).
static CONFIG: OnceLock<Result<Arc<ClientConfig>, String>> = OnceLock::new();

fn client_config() -> Result<Arc<ClientConfig>, String> {
    CONFIG
        .get_or_init(|| {
            let found = rustls_native_certs::load_native_certs();
            let mut roots = RootCertStore::empty();
            let (added, _unusable) = roots.add_parsable_certificates(found.certs);
            if added == 0 {
                let why = found.errors.first().map(|e| format!(" ({e})")).unwrap_or_default();
                return Err(format!(
                    "no trusted root certificates found on this machine{why}: install the \
                     ca-certificates package or point SSL_CERT_FILE at a PEM bundle"
                ));
            }
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| format!("TLS setup failed: {e}"))?
                .with_root_certificates(roots)
                .with_no_client_auth();
            Ok(Arc::new(config))
        })
        .clone()
}

/// Runs the TLS handshake on `tcp`, checking the certificate against `host`. The error is a
/// phrase to follow "TLS with <server> failed: ".
pub(crate) async fn handshake(tcp: TcpStream, host: &str) -> Result<TlsStream<TcpStream>, String> {
    let config = client_config()?;
    let name =
        ServerName::try_from(host.to_owned()).map_err(|_| format!("{host:?} is not a valid host name for TLS"))?;
    TlsConnector::from(config).connect(name, tcp).await.map_err(|e| describe_io(&e, host))
}

/// Explains a failed handshake in the administrator's terms; the rustls error is found in the
/// source chain when there is one.
pub(crate) fn describe_io(error: &io::Error, host: &str) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = error.get_ref().map(|e| e as _);
    while let Some(e) = source {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return describe(tls, host);
        }
        source = e.source();
    }
    match error.kind() {
        io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset => format!(
            "the server closed the connection during the TLS handshake ({error}); \
             is this port really TLS?"
        ),
        _ => error.to_string(),
    }
}

pub(crate) fn describe(error: &rustls::Error, host: &str) -> String {
    match error {
        rustls::Error::InvalidCertificate(cert) => match cert {
            CertificateError::UnknownIssuer => format!(
                "the certificate of {host} is not signed by an authority this machine trusts \
                 (self-signed, or a private CA missing from the system certificate store)"
            ),
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                format!("the server's certificate is not valid for the name {host}")
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                format!("the certificate of {host} has expired")
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                format!("the certificate of {host} is not valid yet (is this machine's clock right?)")
            }
            other => format!("the certificate of {host} was rejected: {other:?}"),
        },
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            "the server did not answer in TLS; this port probably expects a plain connection \
             (use StartTls or Plain) or another protocol"
                .to_owned()
        }
        other => other.to_string(),
    }
}

/// Walks a source chain (lettre's errors) looking for a rustls error.
pub(crate) fn find_in_chain(error: &(dyn std::error::Error + 'static), host: &str) -> Option<String> {
    let mut source = Some(error);
    while let Some(e) = source {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(describe(tls, host));
        }
        if let Some(io) = e.downcast_ref::<io::Error>()
            && let Some(inner) = io.get_ref()
            && let Some(tls) = inner.downcast_ref::<rustls::Error>()
        {
            return Some(describe(tls, host));
        }
        source = e.source();
    }
    None
}
