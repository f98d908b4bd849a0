//! Waiting for mail with IMAP IDLE: early on news, on time otherwise, at once when mail is
//! already waiting, and cancellable.

use std::time::{Duration, Instant};

use deskbell_mailnet::{Wake, wait_for_mail};

use crate::common::{TIMING, fetch_until, servers};

#[tokio::test]
async fn wait_for_mail_returns_promptly_when_mail_arrives_during_idle() {
    let Some(servers) = servers() else { return };
    let _timing = TIMING.lock().await;
    let mailbox = servers.new_mailbox("idle");
    let cfg = servers.imap(&mailbox);
    servers.deliver(&mailbox, "Before", "x").await;
    let before = fetch_until(&cfg, None, 0, 1).await;
    let (validity, last) = (Some(before.uid_validity), before.messages[0].uid);

    let waiting = tokio::spawn({
        let cfg = cfg.clone();
        async move {
            let result = wait_for_mail(&cfg, validity, last, Duration::from_secs(30)).await;
            (result, Instant::now())
        }
    });
    // Long enough for the connection to be in IDLE on a loaded machine.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!waiting.is_finished(), "returned before any mail arrived");
    let sent_at = Instant::now();
    servers.deliver(&mailbox, "During IDLE", "x").await;
    let (result, woke_at) = waiting.await.unwrap();
    assert_eq!(result.unwrap(), Wake::NewMail);
    let delay = woke_at.duration_since(sent_at);
    assert!(delay < Duration::from_secs(2), "woke {delay:?} after the message was sent");
    crate::common::loud(&format!("IDLE woke {} ms after SMTP accepted the message\n", delay.as_millis()));
}

#[tokio::test]
async fn wait_for_mail_returns_after_the_timeout_when_nothing_arrives() {
    let Some(servers) = servers() else { return };
    let _timing = TIMING.lock().await;
    let mailbox = servers.new_mailbox("quiet");
    let cfg = servers.imap(&mailbox);
    let started = Instant::now();
    let wake = wait_for_mail(&cfg, None, 0, Duration::from_millis(1500)).await.unwrap();
    let waited = started.elapsed();
    assert_eq!(wake, Wake::TimedOut);
    assert!(waited >= Duration::from_millis(1500) && waited < Duration::from_millis(2500), "{waited:?}");
}

#[tokio::test]
async fn wait_for_mail_returns_at_once_when_unfetched_mail_is_already_there() {
    let Some(servers) = servers() else { return };
    let mailbox = servers.new_mailbox("waiting");
    let cfg = servers.imap(&mailbox);
    servers.deliver(&mailbox, "Arrived between fetch and wait", "x").await;
    let batch = fetch_until(&cfg, None, 0, 1).await;
    let uid = batch.messages[0].uid;

    let quick = Duration::from_secs(1);
    let started = Instant::now();
    // The caller's checkpoint is just before that message: it must not wait for the next one.
    assert_eq!(
        wait_for_mail(&cfg, Some(batch.uid_validity), uid - 1, Duration::from_secs(20)).await.unwrap(),
        Wake::NewMail
    );
    assert!(started.elapsed() < quick);
    // A stale checkpoint means everything is new again.
    let started = Instant::now();
    assert_eq!(
        wait_for_mail(&cfg, Some(batch.uid_validity ^ 1), uid, Duration::from_secs(20)).await.unwrap(),
        Wake::NewMail
    );
    assert!(started.elapsed() < quick);
    // Up to date: it waits.
    let started = Instant::now();
    assert_eq!(
        wait_for_mail(&cfg, Some(batch.uid_validity), uid, Duration::from_millis(800)).await.unwrap(),
        Wake::TimedOut
    );
    assert!(started.elapsed() >= Duration::from_millis(800));
}

#[tokio::test]
async fn a_shutdown_signal_interrupts_wait_for_mail_at_once() {
    let Some(servers) = servers() else { return };
    let mailbox = servers.new_mailbox("shutdown");
    let cfg = servers.imap(&mailbox);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let _ = stop.send(());
    });
    let started = Instant::now();
    tokio::select! {
        result = wait_for_mail(&cfg, None, 0, Duration::from_secs(60)) => panic!("wait ended first: {result:?}"),
        _ = stopped => {}
    }
    assert!(started.elapsed() < Duration::from_secs(1));
    // Nothing was left half-done: the mailbox works as before.
    servers.deliver(&mailbox, "After shutdown", "x").await;
    let batch = fetch_until(&cfg, None, 0, 1).await;
    assert_eq!(batch.messages.len(), 1);
}

#[tokio::test]
async fn without_idle_on_the_server_wait_for_mail_sleeps_until_the_timeout() {
    let Some(servers) = servers() else { return };
    let _timing = TIMING.lock().await;
    let mailbox = servers.new_mailbox("noidle");
    let mut cfg = servers.imap(&mailbox);
    cfg.port = without_idle(servers.imap_port()).await;
    let started = Instant::now();
    let waiting = tokio::spawn(async move { wait_for_mail(&cfg, None, 0, Duration::from_millis(2500)).await });
    tokio::time::sleep(Duration::from_millis(800)).await;
    // With IDLE this would end the wait; a plain sleep does not notice it.
    servers.deliver(&mailbox, "Unnoticed", "x").await;
    assert_eq!(waiting.await.unwrap().unwrap(), Wake::TimedOut);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(2500) && waited < Duration::from_millis(3300), "{waited:?}");
}

/// A relay to the IMAP server that hides IDLE from every capability list it passes on.
async fn without_idle(backend: u16) -> u16 {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let server = tokio::net::TcpStream::connect(("127.0.0.1", backend)).await.unwrap();
                let (server_read, mut server_write) = server.into_split();
                let (mut client_read, mut client_write) = client.into_split();
                tokio::spawn(async move { tokio::io::copy(&mut client_read, &mut server_write).await });
                let mut lines = BufReader::new(server_read);
                let mut line = Vec::new();
                while lines.read_until(b'\n', &mut line).await.is_ok_and(|n| n > 0) {
                    let text = String::from_utf8_lossy(&line).replace(" IDLE", "");
                    if client_write.write_all(text.as_bytes()).await.is_err() {
                        break;
                    }
                    line.clear();
                }
            });
        }
    });
    port
}
