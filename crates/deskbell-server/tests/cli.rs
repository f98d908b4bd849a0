//! The `deskbell` command from the outside, as an operator runs it: migrate, add a person,
//! create a token, load the demo twice, serve on a free port and ask whether it is ready.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn deskbell(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_deskbell"));
    cmd.current_dir(dir).args(args).env("DATABASE_URL", format!("sqlite://{}/d.db", dir.display()));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run deskbell");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("deskbell-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn an_operator_sets_up_people_and_tokens_from_the_command_line() {
    let dir = temp_dir("setup");
    let (ok, out, err) = deskbell(&dir, &["migrate"], &[]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "migrations applied");

    let add = ["user", "add", "--email", "Szef@Vendor.test", "--name", "Szef", "--role", "admin"];
    let (ok, out, err) = deskbell(&dir, &add, &[("DESKBELL_NEW_PASSWORD", "tajne hasło")]);
    assert!(ok, "{err}");
    assert!(out.starts_with("added szef@vendor.test (admin)"), "{out}");
    let (ok, _, err) = deskbell(&dir, &add, &[("DESKBELL_NEW_PASSWORD", "tajne hasło")]);
    assert!(!ok && err.contains("already exists"), "{err}");
    let (ok, _, err) = deskbell(&dir, &["user", "add", "--email", "x@y.test", "--name", "X", "--role", "boss"], &[]);
    assert!(!ok && err.contains("boss"), "{err}");
    let (ok, _, err) =
        deskbell(&dir, &["user", "add", "--email", "x@y.test", "--name", "X", "--role", "customer_user"], &[]);
    assert!(!ok && err.contains("--organisation"), "{err}");

    let (ok, token, err) =
        deskbell(&dir, &["token", "create", "--user", "szef@vendor.test", "--scopes", "read admin"], &[]);
    assert!(ok, "{err}");
    assert!(token.trim().starts_with("dsk_") && token.trim().len() > 40, "{token}");
    let (ok, _, err) = deskbell(&dir, &["token", "create", "--user", "nobody@vendor.test"], &[]);
    assert!(!ok && err.contains("no person"), "{err}");
    let (ok, _, err) = deskbell(&dir, &["token", "create", "--user", "szef@vendor.test", "--scopes", "root"], &[]);
    assert!(!ok && err.contains("unknown scope `root`"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_demo_loads_once_and_serve_reports_its_address_and_readiness() {
    let dir = temp_dir("serve");
    let (ok, out, err) = deskbell(&dir, &["demo"], &[]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "demo data loaded");
    let (ok, out, _) = deskbell(&dir, &["demo"], &[]);
    assert!(ok);
    assert_eq!(out.trim(), "demo data already present");

    let mut server = Command::new(env!("CARGO_BIN_EXE_deskbell"))
        .current_dir(&dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DATABASE_URL", format!("sqlite://{}/d.db", dir.display()))
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Port 0 picks a free port; the log line names it.
    let mut addr = None;
    for line in BufReader::new(server.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            addr = Some(rest.split_whitespace().next().unwrap().to_owned());
            break;
        }
    }
    let addr = addr.expect("serve logs the address it listens on");
    let (ok, out, err) = deskbell(&dir, &["healthcheck", "--addr", &addr], &[]);
    server.kill().unwrap();
    let _ = server.wait();
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "ready");
    let (ok, _, err) = deskbell(&dir, &["healthcheck", "--addr", &addr], &[]);
    assert!(!ok && err.contains("not ready"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unknown_key_in_the_configuration_file_is_named() {
    let dir = temp_dir("config");
    std::fs::write(dir.join("deskbell.toml"), "lisen = \"127.0.0.1:9\"\n").unwrap();
    let (ok, _, err) = deskbell(&dir, &["migrate"], &[]);
    assert!(!ok && err.contains("unknown key `lisen`"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Runs `deskbell mail ingest` with `stdin`; returns the exit code, stdout and stderr.
fn ingest(dir: &std::path::Path, args: &[&str], db: &str, stdin: &[u8]) -> (i32, String, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_deskbell"))
        .current_dir(dir)
        .args(["mail", "ingest"])
        .args(args)
        .env("DATABASE_URL", db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_mail_server_pipes_messages_into_deskbell_mail_ingest() {
    let dir = temp_dir("ingest");
    let db = format!("sqlite://{}/d.db", dir.display());
    let (ok, _, err) = deskbell(&dir, &["migrate"], &[]);
    assert!(ok, "{err}");
    let (code, _, err) = ingest(&dir, &[], &db, b"");
    assert_eq!((code, err.contains("no mailbox is configured")), (1, true), "{err}");

    let store = deskbell_store::Store::open(&db, &deskbell_store::StoreOptions { pool_size: 1 }).unwrap();
    store
        .write(|tx| {
            let input = deskbell_store::mail::MailboxInput {
                name: "wsparcie".into(),
                address: "wsparcie@vendor.test".into(),
                display_name: String::new(),
                imap: None,
                imap_folder: "INBOX".into(),
                poll_secs: 60,
                smtp: None,
                unknown_senders: deskbell_store::mail::UnknownSenders::Queue,
                max_message_bytes: 1 << 20,
                active: true,
            };
            deskbell_store::mail::create_mailbox(tx, &input, jiff::Timestamp::now())
        })
        .unwrap();
    drop(store);

    let mail = b"From: Recepcja <recepcja@hotel.test>\r\nTo: wsparcie@vendor.test\r\nSubject: Kasa stoi\r\n\
        Message-ID: <pipe-1@hotel.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nKasa fiskalna nie odpowiada.\r\n";
    let (code, out, err) = ingest(&dir, &[], &db, mail);
    assert_eq!((code, out.trim()), (0, "ticket 1 opened"), "{err}");
    let (code, out, _) = ingest(&dir, &["--mailbox", "wsparcie"], &db, mail);
    assert_eq!((code, out.trim()), (0, "already stored; nothing done"), "a redelivery stores nothing");
    let (code, out, _) = ingest(&dir, &[], &db, b"\x00\x01 to nie jest list");
    assert_eq!(code, 0, "a quarantined message is taken: the mail server must not retry it");
    assert!(out.starts_with("quarantined as #1:"), "{out}");
    let (code, _, err) = ingest(&dir, &["--mailbox", "inna"], &db, mail);
    assert_eq!((code, err.contains("no mailbox named `inna`")), (1, true), "{err}");
    // The database is gone: EX_TEMPFAIL, so the mail server keeps the message and retries.
    let (code, _, err) = ingest(&dir, &[], "postgres://nobody@127.0.0.1:1/none", mail);
    assert_eq!(code, 75, "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
