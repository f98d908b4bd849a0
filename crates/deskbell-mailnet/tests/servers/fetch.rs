//! Fetching by checkpoint: what comes back, in which order, how much, and that fetching never
//! changes the mailbox.

use deskbell_mailnet::{fetch_after, mark_seen, send};

use crate::common::{MIB, contains, fetch_until, message, raw_imap, servers};

#[tokio::test]
async fn a_message_sent_over_smtp_is_fetched_with_its_exact_bytes() {
    let Some(servers) = servers() else { return };
    let mailbox = servers.new_mailbox("exact");
    let from = servers.get("MAIL_CUSTOMER");
    let sent = message(from, &mailbox, "Printer on fire – drukarka się pali", "Zażółć gęślą jaźń.\n\nRoom 12.");
    let mut smtp = servers.smtp();
    smtp.hello_name = Some("helo.deskbell.test".to_owned());
    send(&smtp, from, std::slice::from_ref(&mailbox), &sent).await.unwrap();

    let batch = fetch_until(&servers.imap(&mailbox), None, 0, 1).await;
    assert_eq!(batch.messages.len(), 1);
    assert!(!batch.more);
    let fetched = &batch.messages[0];
    // The MTA and the IMAP server put trace headers on top; everything we sent is unchanged.
    assert!(fetched.raw.ends_with(&sent), "fetched:\n{}", String::from_utf8_lossy(&fetched.raw));
    assert!(contains(&fetched.raw, "Subject: Printer on fire – drukarka się pali\r\n"));
    assert!(contains(&fetched.raw, "\r\n\r\nZażółć gęślą jaźń.\r\n\r\nRoom 12.\r\n"));
    assert!(contains(&fetched.raw, "from helo.deskbell.test"), "EHLO name not used");
    assert!(!fetched.truncated);
    assert_eq!(fetched.size, Some(fetched.raw.len() as u64));
}

#[tokio::test]
async fn checkpoints_return_only_newer_messages_oldest_first_and_max_limits_a_batch() {
    let Some(servers) = servers() else { return };
    let mailbox = servers.new_mailbox("checkpoint");
    let cfg = servers.imap(&mailbox);
    for n in 1..=3 {
        servers.deliver(&mailbox, &format!("Message {n}"), "Hello").await;
        // One at a time, so UIDs follow the sending order.
        fetch_until(&cfg, None, 0, n).await;
    }

    let first = fetch_after(&cfg, None, 0, 2, MIB).await.unwrap();
    assert_eq!(first.messages.len(), 2);
    assert!(first.more, "a third message is waiting");
    assert!(contains(&first.messages[0].raw, "Subject: Message 1\r\n"));
    assert!(contains(&first.messages[1].raw, "Subject: Message 2\r\n"));
    assert!(first.messages[0].uid < first.messages[1].uid);

    let validity = Some(first.uid_validity);
    let second = fetch_after(&cfg, validity, first.messages[1].uid, 2, MIB).await.unwrap();
    assert_eq!(second.messages.len(), 1);
    assert!(!second.more);
    assert!(contains(&second.messages[0].raw, "Subject: Message 3\r\n"));
    assert_eq!(second.uid_validity, first.uid_validity);

    let last = second.messages[0].uid;
    let nothing = fetch_after(&cfg, validity, last, 2, MIB).await.unwrap();
    assert!(nothing.messages.is_empty());
    assert!(!nothing.more);

    servers.deliver(&mailbox, "Message 4", "Hello again").await;
    let fourth = fetch_until(&cfg, validity, last, 1).await;
    assert_eq!(fourth.messages.len(), 1);
    assert!(contains(&fourth.messages[0].raw, "Subject: Message 4\r\n"));
    assert!(fourth.messages[0].uid > last);
}

#[tokio::test]
async fn a_stale_uid_validity_returns_every_message_in_the_folder() {
    let Some(servers) = servers() else { return };
    let mailbox = servers.new_mailbox("stale");
    let cfg = servers.imap(&mailbox);
    servers.deliver(&mailbox, "Old one", "1").await;
    servers.deliver(&mailbox, "Old two", "2").await;
    let all = fetch_until(&cfg, None, 0, 2).await;
    let last = all.messages[1].uid;

    // Same checkpoint, but from a UIDVALIDITY the folder no longer has.
    let stale = fetch_after(&cfg, Some(all.uid_validity.wrapping_add(1)), last, 10, MIB).await.unwrap();
    assert_eq!(stale.messages.len(), 2);
    assert_eq!(stale.uid_validity, all.uid_validity);

    let current = fetch_after(&cfg, Some(all.uid_validity), last, 10, MIB).await.unwrap();
    assert!(current.messages.is_empty());
}

#[tokio::test]
async fn fetching_leaves_messages_unseen_and_mark_seen_marks_only_the_right_one() {
    let Some(servers) = servers() else { return };
    let mailbox = servers.new_mailbox("seen");
    let cfg = servers.imap(&mailbox);
    servers.deliver(&mailbox, "Read me", "x").await;
    let batch = fetch_until(&cfg, None, 0, 1).await;
    let uid = batch.messages[0].uid;
    let flags = |uid: u32| {
        let cfg = cfg.clone();
        async move {
            let out = raw_imap(&cfg, &[b"EXAMINE INBOX".to_vec(), format!("UID FETCH {uid} FLAGS").into_bytes()]).await;
            out[1].clone()
        }
    };
    assert!(!flags(uid).await.contains("\\Seen"), "fetching marked the message seen");

    // A checkpoint from another UIDVALIDITY must not touch whatever has this UID now.
    assert!(!mark_seen(&cfg, batch.uid_validity.wrapping_add(1), uid).await.unwrap());
    assert!(!flags(uid).await.contains("\\Seen"));
    assert!(!mark_seen(&cfg, batch.uid_validity, uid + 1000).await.unwrap(), "no such message");

    assert!(mark_seen(&cfg, batch.uid_validity, uid).await.unwrap());
    assert!(flags(uid).await.contains("\\Seen"));
    assert!(mark_seen(&cfg, batch.uid_validity, uid).await.unwrap(), "marking twice is fine");
}

#[tokio::test]
async fn a_message_over_max_bytes_comes_back_truncated_with_its_real_size() {
    let Some(servers) = servers() else { return };
    let mailbox = servers.new_mailbox("truncate");
    let cfg = servers.imap(&mailbox);
    let body = "0123456789 abcdefghijklmnopqrstuvwxyz\n".repeat(5000);
    let sent = servers.deliver(&mailbox, "Big attachment", &body).await;
    fetch_until(&cfg, None, 0, 1).await;

    let cut = fetch_after(&cfg, None, 0, 10, 10_000).await.unwrap();
    let message = &cut.messages[0];
    assert!(message.truncated);
    assert_eq!(message.raw.len(), 10_000);
    assert!(contains(&message.raw, "Subject: Big attachment\r\n"), "the headers are in the first bytes");
    assert!(message.size.unwrap() > sent.len() as u64);

    let exact = message.size.unwrap() as usize;
    let whole = fetch_after(&cfg, None, 0, 10, exact).await.unwrap();
    assert!(!whole.messages[0].truncated, "a message of exactly max_bytes is complete");
    assert_eq!(whole.messages[0].raw.len(), exact);
    assert!(whole.messages[0].raw.ends_with(&sent));
}

#[tokio::test]
async fn a_folder_named_with_polish_letters_is_found() {
    let Some(servers) = servers() else { return };
    let mailbox = servers.new_mailbox("folder");
    let mut cfg = servers.imap(&mailbox);
    let raw = message(servers.get("MAIL_CUSTOMER"), &mailbox, "Filed away", "In a folder.");
    // Created and filled directly on the server, spelled as IMAP spells "Zgłoszenia/Ważne".
    let mut append = format!("APPEND \"Zg&AUI-oszenia/Wa&AXw-ne\" {{{}+}}\r\n", raw.len()).into_bytes();
    append.extend_from_slice(&raw);
    raw_imap(&cfg, &[b"CREATE \"Zg&AUI-oszenia/Wa&AXw-ne\"".to_vec(), append]).await;

    cfg.folder = "Zgłoszenia/Ważne".to_owned();
    let batch = fetch_after(&cfg, None, 0, 10, MIB).await.unwrap();
    assert_eq!(batch.messages.len(), 1);
    assert_eq!(batch.messages[0].raw, raw);
}
