//! SMTP outcomes as the outbox sees them: delivered, refused for good, or to be retried.

use deskbell_mailnet::{Security, send};

use crate::common::{closed_port, contains, fetch_until, message, servers};

#[tokio::test]
async fn an_unknown_local_mailbox_is_refused_permanently() {
    let Some(servers) = servers() else { return };
    let from = servers.get("MAIL_SUPPORT");
    let raw = message(from, "nobody@deskbell.test", "Hello", "x");
    let err = send(&servers.smtp(), from, &["nobody@deskbell.test".to_owned()], &raw).await.unwrap_err();
    assert!(err.permanent, "{err:?}");
    assert!(
        err.message.starts_with(&format!("SMTP server 127.0.0.1:{} refused the message: 550", servers.smtp_port())),
        "{}",
        err.message
    );
    assert!(err.message.contains("nobody@deskbell.test"), "{}", err.message);
}

#[tokio::test]
async fn a_foreign_domain_is_refused_permanently_as_relaying() {
    let Some(servers) = servers() else { return };
    let from = servers.get("MAIL_SUPPORT");
    let raw = message(from, "someone@example.org", "Hello", "x");
    let err = send(&servers.smtp(), from, &["someone@example.org".to_owned()], &raw).await.unwrap_err();
    assert!(err.permanent, "{err:?}");
    assert!(err.message.contains("Relay access denied"), "{}", err.message);
}

#[tokio::test]
async fn one_refused_recipient_stops_the_whole_message() {
    let Some(servers) = servers() else { return };
    let mailbox = servers.new_mailbox("allornothing");
    let from = servers.get("MAIL_SUPPORT");
    let raw = message(from, &mailbox, "Two recipients", "x");
    let err =
        send(&servers.smtp(), from, &[mailbox.clone(), "nobody@deskbell.test".to_owned()], &raw).await.unwrap_err();
    assert!(err.permanent);
    // The good recipient got nothing either: prove it with a message sent afterwards.
    servers.deliver(&mailbox, "Marker", "x").await;
    let batch = fetch_until(&servers.imap(&mailbox), None, 0, 1).await;
    assert_eq!(batch.messages.len(), 1);
    assert!(contains(&batch.messages[0].raw, "Subject: Marker\r\n"));
}

#[tokio::test]
async fn a_closed_port_is_transient() {
    let Some(servers) = servers() else { return };
    let mut cfg = servers.smtp();
    cfg.port = closed_port();
    let from = servers.get("MAIL_SUPPORT");
    let raw = message(from, servers.get("MAIL_CUSTOMER"), "Hello", "x");
    let err = send(&cfg, from, &[servers.get("MAIL_CUSTOMER").to_owned()], &raw).await.unwrap_err();
    assert!(!err.permanent, "{err:?}");
    assert!(err.message.contains(&format!("127.0.0.1:{}", cfg.port)), "{}", err.message);
    assert!(err.message.to_lowercase().contains("refused"), "{}", err.message);
}

#[tokio::test]
async fn tls_problems_are_transient_and_say_what_went_wrong() {
    let Some(servers) = servers() else { return };
    let from = servers.get("MAIL_SUPPORT");
    let to = servers.get("MAIL_CUSTOMER").to_owned();
    let raw = message(from, &to, "Hello", "x");

    let mut tls = servers.smtp();
    tls.security = Security::Tls;
    let err = send(&tls, from, std::slice::from_ref(&to), &raw).await.unwrap_err();
    assert!(!err.permanent, "{err:?}");
    assert!(err.message.contains("did not answer in TLS"), "{}", err.message);

    let mut starttls = servers.smtp();
    starttls.security = Security::StartTls;
    let err = send(&starttls, from, std::slice::from_ref(&to), &raw).await.unwrap_err();
    assert!(!err.permanent, "{err:?}");
    assert!(err.message.to_uppercase().contains("STARTTLS"), "{}", err.message);
}

#[tokio::test]
async fn smtp_auth_works_and_a_wrong_password_keeps_the_message_for_a_retry() {
    let Some(servers) = servers() else { return };
    let mailbox = servers.new_mailbox("auth");
    let user = servers.get("MAIL_SUPPORT").to_owned();
    let raw = message(&user, &mailbox, "Authenticated", "x");
    let mut cfg = servers.smtp();
    cfg.user = Some(user.clone());
    cfg.password = Some(servers.password().to_owned());
    send(&cfg, &user, std::slice::from_ref(&mailbox), &raw).await.unwrap();
    fetch_until(&servers.imap(&mailbox), None, 0, 1).await;

    cfg.password = Some("wrong-password".to_owned());
    let err = send(&cfg, &user, std::slice::from_ref(&mailbox), &raw).await.unwrap_err();
    assert!(!err.permanent, "a wrong password must not drop the message: {err:?}");
    assert!(err.message.contains("535"), "{}", err.message);
    assert!(err.message.contains("as support@deskbell.test"), "{}", err.message);
    assert!(!err.message.contains("wrong-password"), "the password leaked: {}", err.message);
    assert!(!format!("{cfg:?}").contains("wrong-password"), "Debug shows the password");
}

#[tokio::test]
async fn an_empty_envelope_sender_sends_with_the_null_return_path() {
    let Some(servers) = servers() else { return };
    let mailbox = servers.new_mailbox("nullsender");
    let raw = message(servers.get("MAIL_SUPPORT"), &mailbox, "Out of office", "Auto-reply");
    send(&servers.smtp(), "", std::slice::from_ref(&mailbox), &raw).await.unwrap();
    let batch = fetch_until(&servers.imap(&mailbox), None, 0, 1).await;
    assert!(
        contains(&batch.messages[0].raw, "Return-Path: <>\r\n"),
        "{}",
        String::from_utf8_lossy(&batch.messages[0].raw)
    );
}

#[tokio::test]
async fn invalid_addresses_and_no_recipients_are_permanent_without_touching_the_network() {
    let Some(servers) = servers() else { return };
    let mut cfg = servers.smtp();
    cfg.port = closed_port();
    let raw = message("a@hotel.test", "b@hotel.test", "x", "x");
    let err = send(&cfg, "not an address", &["b@hotel.test".to_owned()], &raw).await.unwrap_err();
    assert!(err.permanent && err.message.contains("invalid envelope sender address"), "{err:?}");
    let err = send(&cfg, "a@hotel.test", &["b@@hotel".to_owned()], &raw).await.unwrap_err();
    assert!(err.permanent && err.message.contains("invalid recipient address \"b@@hotel\""), "{err:?}");
    let err = send(&cfg, "a@hotel.test", &[], &raw).await.unwrap_err();
    assert!(err.permanent && err.message.contains("no recipients"), "{err:?}");
}

#[tokio::test]
async fn bare_line_feeds_and_lone_dots_cannot_end_a_message_early() {
    let Some(servers) = servers() else { return };
    let mailbox = servers.new_mailbox("dots");
    let from = servers.get("MAIL_CUSTOMER");
    let raw = format!("From: <{from}>\nTo: <{mailbox}>\nSubject: Dots\n\nfirst\n.\nafter the dot\n.. two\n");
    send(&servers.smtp(), from, std::slice::from_ref(&mailbox), raw.as_bytes()).await.unwrap();
    let batch = fetch_until(&servers.imap(&mailbox), None, 0, 1).await;
    let stored = &batch.messages[0].raw;
    assert!(
        stored.ends_with(b"\r\n\r\nfirst\r\n.\r\nafter the dot\r\n.. two\r\n"),
        "{}",
        String::from_utf8_lossy(stored)
    );
}
