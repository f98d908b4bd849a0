//! A message far larger than usual mail, through both protocols.

use std::time::Instant;

use deskbell_mailnet::{fetch_after, send};

use crate::common::{MIB, TIMING, fetch_until, loud, message, servers};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_60_mb_message_is_sent_and_fetched_whole() {
    let Some(servers) = servers() else { return };
    let _timing = TIMING.lock().await;
    let mailbox = servers.new_mailbox("large");
    let from = servers.get("MAIL_CUSTOMER");
    // 60 MB of base64-looking lines, as a big attachment would be on the wire.
    let line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\n";
    let body = line.repeat(60_000_000 / line.len());
    let raw = message(from, &mailbox, "Sixty megabytes", &body);
    assert!(raw.len() >= 60_000_000);

    let started = Instant::now();
    send(&servers.smtp(), from, std::slice::from_ref(&mailbox), &raw).await.unwrap();
    let sent_in = started.elapsed();

    let cfg = servers.imap(&mailbox);
    // Wait for delivery cheaply (tiny max_bytes), then time one complete fetch.
    let delivered = Instant::now();
    loop {
        let probe = fetch_after(&cfg, None, 0, 1, 1024).await.unwrap();
        if !probe.messages.is_empty() {
            break;
        }
        assert!(delivered.elapsed().as_secs() < 60, "not delivered within a minute");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let delivered_in = delivered.elapsed();
    let started = Instant::now();
    let batch = fetch_until(&cfg, None, 0, 1).await;
    let fetched_in = started.elapsed();

    let fetched = &batch.messages[0];
    assert!(!fetched.truncated, "100 MiB allowed, {} bytes fetched", fetched.raw.len());
    assert!(fetched.raw.ends_with(&raw), "the 60 MB came back altered");
    assert!(fetched.raw.len() < 64 * MIB);
    loud(&format!(
        "60 MB message ({} bytes): SMTP send {:.2} s, delivery to the mailbox {:.2} s more, IMAP fetch {:.2} s\n",
        raw.len(),
        sent_in.as_secs_f64(),
        delivered_in.as_secs_f64(),
        fetched_in.as_secs_f64()
    ));
}
