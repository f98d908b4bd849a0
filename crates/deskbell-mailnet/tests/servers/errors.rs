//! IMAP failures an administrator has to understand from the mailbox status alone.

use std::time::{Duration, Instant};

use deskbell_mailnet::{NetError, Security, fetch_after};

use crate::common::{MIB, TIMING, closed_port, servers};

#[tokio::test]
async fn a_wrong_password_is_an_auth_error_that_says_so() {
    let Some(servers) = servers() else { return };
    let mut cfg = servers.imap(servers.get("MAIL_SUPPORT"));
    cfg.password = "not-the-password".to_owned();
    let err = fetch_after(&cfg, None, 0, 10, MIB).await.unwrap_err();
    let NetError::Auth(message) = &err else { panic!("expected Auth, got {err:?}") };
    let expected = format!(
        "IMAP login to 127.0.0.1:{} as support@deskbell.test refused: [AUTHENTICATIONFAILED]",
        servers.imap_port()
    );
    assert!(message.starts_with(&expected), "{message}");
    assert!(message.contains("wrong user name or password"), "{message}");
    assert!(!message.contains("not-the-password"), "the password leaked: {message}");
    assert!(!format!("{cfg:?}").contains("not-the-password"), "Debug shows the password");
}

#[tokio::test]
async fn a_password_with_polish_letters_travels_as_a_literal() {
    let Some(servers) = servers() else { return };
    let mut cfg = servers.imap(servers.get("MAIL_SUPPORT"));
    // Not quotable in IMAP: the server must receive it as a literal and answer "wrong
    // password", not "bad command".
    cfg.password = "zły-hasło\"\\".to_owned();
    let err = fetch_after(&cfg, None, 0, 10, MIB).await.unwrap_err();
    assert!(matches!(&err, NetError::Auth(m) if m.contains("[AUTHENTICATIONFAILED]")), "{err:?}");
}

#[tokio::test]
async fn an_unknown_folder_is_a_folder_error_naming_it() {
    let Some(servers) = servers() else { return };
    let mut cfg = servers.imap(servers.get("MAIL_SUPPORT"));
    cfg.folder = "Tickets/Nowhere".to_owned();
    let err = fetch_after(&cfg, None, 0, 10, MIB).await.unwrap_err();
    let NetError::Folder(message) = &err else { panic!("expected Folder, got {err:?}") };
    assert!(message.starts_with("IMAP folder \"Tickets/Nowhere\" of support@deskbell.test on 127.0.0.1:"), "{message}");
    assert!(message.contains("doesn't exist"), "the server's reason is quoted: {message}");
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error() {
    let Some(servers) = servers() else { return };
    let mut cfg = servers.imap(servers.get("MAIL_SUPPORT"));
    cfg.port = closed_port();
    let err = fetch_after(&cfg, None, 0, 10, MIB).await.unwrap_err();
    let NetError::Connect(message) = &err else { panic!("expected Connect, got {err:?}") };
    assert!(message.starts_with(&format!("cannot connect to IMAP server 127.0.0.1:{}: ", cfg.port)), "{message}");
    assert!(message.to_lowercase().contains("refused"), "{message}");
}

#[tokio::test]
async fn tls_to_a_plain_imap_port_is_a_tls_error() {
    let Some(servers) = servers() else { return };
    let mut cfg = servers.imap(servers.get("MAIL_SUPPORT"));
    cfg.security = Security::Tls;
    let err = fetch_after(&cfg, None, 0, 10, MIB).await.unwrap_err();
    let NetError::Tls(message) = &err else { panic!("expected Tls, got {err:?}") };
    assert!(message.contains("did not answer in TLS"), "{message}");
}

#[tokio::test]
async fn starttls_against_a_server_without_it_fails_instead_of_falling_back() {
    let Some(servers) = servers() else { return };
    let mut cfg = servers.imap(servers.get("MAIL_SUPPORT"));
    cfg.security = Security::StartTls;
    let err = fetch_after(&cfg, None, 0, 10, MIB).await.unwrap_err();
    let NetError::Tls(message) = &err else { panic!("expected Tls, got {err:?}") };
    assert!(message.contains("does not offer STARTTLS"), "{message}");
}

#[tokio::test]
async fn a_server_that_never_greets_times_out_after_ten_seconds() {
    let Some(servers) = servers() else { return };
    let _timing = TIMING.lock().await;
    // Accepts the connection (the kernel does) and then says nothing.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut cfg = servers.imap(servers.get("MAIL_SUPPORT"));
    cfg.port = silent.local_addr().unwrap().port();
    let started = Instant::now();
    let err = fetch_after(&cfg, None, 0, 10, MIB).await.unwrap_err();
    let waited = started.elapsed();
    let NetError::Timeout(message) = &err else { panic!("expected Timeout, got {err:?}") };
    assert!(message.contains("sent no greeting within 10 s"), "{message}");
    assert!(waited >= Duration::from_secs(10) && waited < Duration::from_secs(12), "{waited:?}");
}
