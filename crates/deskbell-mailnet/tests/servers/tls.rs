//! TLS and STARTTLS for both protocols. The test servers speak plain text, so TLS is added in
//! front of them by small proxies holding a certificate from a test CA. Trusting that CA
//! takes `SSL_CERT_FILE`, which the library reads once per process, so the scenarios that need
//! it run in a child process of this test binary started with that variable set.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use deskbell_mailnet::{NetError, Security, Wake, fetch_after, mark_seen, send, wait_for_mail};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};

use crate::common::{MIB, fetch_until, message, servers};

const PKI_ENV: &str = "DESKBELL_TEST_TLS_PKI";

/// Runs twice: started by the harness it writes a test CA and runs itself again as a child
/// process, filtered to this one test, with `SSL_CERT_FILE` naming that CA; in the child
/// (which finds the CA's directory in `DESKBELL_TEST_TLS_PKI`) it runs the scenarios.
#[test]
fn tls_and_starttls_work_with_a_certificate_the_machine_trusts() {
    if let Some(dir) = std::env::var_os(PKI_ENV).map(PathBuf::from) {
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
        return runtime.block_on(trusted_certificate_scenarios(dir));
    }
    let Some(servers) = servers() else { return };
    let dir = std::env::temp_dir().join(format!("dbmailnet-pki-{}", std::process::id()));
    write_pki(&dir);
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "tls::tls_and_starttls_work_with_a_certificate_the_machine_trusts",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("SSL_CERT_FILE", dir.join("ca.pem"))
        .env("DESKBELL_TEST_MAIL_DIR", servers.get("MAIL_DIR"))
        .env(PKI_ENV, &dir)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "child run failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The scenarios that need the test CA trusted (the child run above).
async fn trusted_certificate_scenarios(dir: PathBuf) {
    let servers = servers().unwrap();
    let acceptor = acceptor(&dir);
    let imap_port = servers.imap_port();
    let smtp_port = servers.smtp_port();

    let mailbox = servers.new_mailbox("tls");
    servers.deliver(&mailbox, "Over TLS", "x").await;
    fetch_until(&servers.imap(&mailbox), None, 0, 1).await;

    // IMAP over TLS from the first byte: fetch, flag, IDLE.
    let mut imaps = servers.imap(&mailbox);
    imaps.host = "localhost".to_owned();
    imaps.security = Security::Tls;
    imaps.port = proxy(Front::Tls, imap_port, acceptor.clone()).await;
    let batch = fetch_after(&imaps, None, 0, 10, MIB).await.unwrap();
    assert_eq!(batch.messages.len(), 1);
    assert!(mark_seen(&imaps, batch.uid_validity, batch.messages[0].uid).await.unwrap());
    let last = batch.messages[0].uid;
    let wake = wait_for_mail(&imaps, Some(batch.uid_validity), last, std::time::Duration::from_millis(500)).await;
    assert_eq!(wake.unwrap(), Wake::TimedOut);

    // IMAP with STARTTLS. The proxy announces LOGINDISABLED before TLS: the client must
    // forget pre-TLS capabilities and log in after the upgrade.
    let mut starttls = imaps.clone();
    starttls.security = Security::StartTls;
    starttls.port = proxy(Front::ImapStartTls { inject: false }, imap_port, acceptor.clone()).await;
    assert_eq!(fetch_after(&starttls, None, 0, 10, MIB).await.unwrap().messages.len(), 1);

    // Plain text slipped in right after the server's OK to STARTTLS is an attack.
    starttls.port = proxy(Front::ImapStartTls { inject: true }, imap_port, acceptor.clone()).await;
    let err = fetch_after(&starttls, None, 0, 10, MIB).await.unwrap_err();
    assert!(matches!(&err, NetError::Tls(m) if m.contains("between STARTTLS and the TLS handshake")), "{err:?}");

    // The certificate names "localhost" only.
    let mut by_ip = imaps.clone();
    by_ip.host = "127.0.0.1".to_owned();
    let err = fetch_after(&by_ip, None, 0, 10, MIB).await.unwrap_err();
    assert!(matches!(&err, NetError::Tls(m) if m.contains("not valid for the name 127.0.0.1")), "{err:?}");

    // SMTP over TLS and with STARTTLS, then the wrong name.
    let from = servers.get("MAIL_CUSTOMER").to_owned();
    let mut smtps = servers.smtp();
    smtps.host = "localhost".to_owned();
    smtps.security = Security::Tls;
    smtps.port = proxy(Front::Tls, smtp_port, acceptor.clone()).await;
    send(&smtps, &from, std::slice::from_ref(&mailbox), &message(&from, &mailbox, "SMTPS", "x")).await.unwrap();
    let mut submission = smtps.clone();
    submission.security = Security::StartTls;
    submission.port = proxy(Front::SmtpStartTls, smtp_port, acceptor.clone()).await;
    send(&submission, &from, std::slice::from_ref(&mailbox), &message(&from, &mailbox, "STARTTLS", "x")).await.unwrap();
    let all = fetch_until(&servers.imap(&mailbox), None, 0, 3).await;
    assert_eq!(all.messages.len(), 3);
    smtps.host = "127.0.0.1".to_owned();
    let err = send(&smtps, &from, std::slice::from_ref(&mailbox), b"Subject: x\r\n\r\nx\r\n").await.unwrap_err();
    assert!(!err.permanent && err.message.contains("not valid for the name 127.0.0.1"), "{err:?}");
}

#[tokio::test]
async fn a_certificate_from_an_unknown_authority_is_refused_with_a_clear_reason() {
    let Some(servers) = servers() else { return };
    let dir = std::env::temp_dir().join(format!("dbmailnet-untrusted-{}", std::process::id()));
    write_pki(&dir);
    let acceptor = acceptor(&dir);
    let _ = std::fs::remove_dir_all(&dir);

    let mut imaps = servers.imap(servers.get("MAIL_SUPPORT"));
    imaps.host = "localhost".to_owned();
    imaps.security = Security::Tls;
    imaps.port = proxy(Front::Tls, servers.imap_port(), acceptor.clone()).await;
    let err = fetch_after(&imaps, None, 0, 10, MIB).await.unwrap_err();
    let NetError::Tls(message) = &err else { panic!("expected Tls, got {err:?}") };
    assert!(message.contains("not signed by an authority this machine trusts"), "{message}");

    let mut smtps = servers.smtp();
    smtps.host = "localhost".to_owned();
    smtps.security = Security::Tls;
    smtps.port = proxy(Front::Tls, servers.smtp_port(), acceptor).await;
    let to = servers.get("MAIL_SUPPORT").to_owned();
    let err = send(&smtps, &to, std::slice::from_ref(&to), b"Subject: x\r\n\r\nx\r\n").await.unwrap_err();
    assert!(!err.permanent && err.message.contains("not signed by an authority this machine trusts"), "{err:?}");
}

/// A test CA (ca.pem) and a certificate for "localhost" signed by it (cert.der, key.der).
fn write_pki(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "deskbell test CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.signed_by(&key, &ca).unwrap();
    std::fs::write(dir.join("ca.pem"), ca.pem()).unwrap();
    std::fs::write(dir.join("cert.der"), cert.der()).unwrap();
    std::fs::write(dir.join("key.der"), key.serialize_der()).unwrap();
}

fn acceptor(dir: &Path) -> TlsAcceptor {
    let chain = vec![CertificateDer::from(std::fs::read(dir.join("cert.der")).unwrap())];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(std::fs::read(dir.join("key.der")).unwrap()));
    let config = ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    TlsAcceptor::from(Arc::new(config))
}

#[derive(Clone, Copy)]
enum Front {
    /// TLS from the first byte.
    Tls,
    /// Plain greeting offering STARTTLS; `inject` adds a line after the OK, as an attacker would.
    ImapStartTls {
        inject: bool,
    },
    SmtpStartTls,
}

/// Listens on a fresh port and relays each connection to the plain server on `backend`.
async fn proxy(front: Front, backend: u16, acceptor: TlsAcceptor) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let _ = relay(front, client, backend, acceptor).await;
            });
        }
    });
    port
}

async fn relay(front: Front, client: TcpStream, backend: u16, acceptor: TlsAcceptor) -> std::io::Result<()> {
    let mut server = BufReader::new(TcpStream::connect(("127.0.0.1", backend)).await?);
    let client = match front {
        Front::Tls => client,
        Front::ImapStartTls { inject } => {
            // The real greeting is swallowed: after STARTTLS the client expects none.
            let mut greeting = String::new();
            server.read_line(&mut greeting).await?;
            let mut client = BufReader::new(client);
            client
                .get_mut()
                .write_all(b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] TLS proxy ready\r\n")
                .await?;
            let mut line = String::new();
            client.read_line(&mut line).await?;
            assert!(line.trim_end().ends_with(" STARTTLS"), "expected STARTTLS first, got {line:?}");
            let tag = line.split(' ').next().unwrap_or("*");
            let mut answer = format!("{tag} OK Begin TLS negotiation now\r\n");
            if inject {
                answer.push_str("* 1 EXISTS\r\n");
            }
            client.get_mut().write_all(answer.as_bytes()).await?;
            client.into_inner()
        }
        Front::SmtpStartTls => {
            let mut greeting = String::new();
            server.read_line(&mut greeting).await?;
            let mut client = BufReader::new(client);
            client.get_mut().write_all(greeting.as_bytes()).await?;
            let mut line = String::new();
            client.read_line(&mut line).await?;
            client.get_mut().write_all(b"250-proxy.deskbell.test\r\n250 STARTTLS\r\n").await?;
            line.clear();
            client.read_line(&mut line).await?;
            assert_eq!(line.trim_end().to_ascii_uppercase(), "STARTTLS");
            client.get_mut().write_all(b"220 2.0.0 Ready to start TLS\r\n").await?;
            client.into_inner()
        }
    };
    let mut tls = acceptor.accept(client).await?;
    tokio::io::copy_bidirectional(&mut tls, &mut server).await?;
    Ok(())
}
