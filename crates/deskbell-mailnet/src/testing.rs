//! Real mail servers for tests (feature `testing`): the ones named by `DESKBELL_TEST_MAIL_DIR`
//! (`scripts/test.sh` starts one pair for the whole run), or a throwaway Dovecot + Postfix
//! pair started once per test binary by `scripts/mail-servers.sh` and stopped by a watcher
//! process once the binary exits. Each test that receives mail gets a mailbox of its own, so
//! tests run in parallel without seeing each other's messages.

// Test support: a broken fixture should fail the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::{Batch, ImapConfig, Security, SmtpConfig, fetch_after, send};

pub const MIB: usize = 1024 * 1024;

pub struct Servers {
    env: HashMap<String, String>,
    /// Serialises `add-user`, which rewrites the servers' account files.
    add_user: Mutex<()>,
    next_mailbox: AtomicU32,
    /// Distinguishes this run's mailboxes from earlier runs on long-lived shared servers.
    run_id: String,
}

static SERVERS: OnceLock<Result<Servers, String>> = OnceLock::new();

/// The servers, or `None` when they cannot be had outside CI (after saying so loudly). In CI
/// (`CI=true`) a missing server fails the test: a green run must have talked to real servers.
pub fn servers() -> Option<&'static Servers> {
    static BANNER: std::sync::Once = std::sync::Once::new();
    match SERVERS.get_or_init(start) {
        Ok(servers) => Some(servers),
        Err(why) if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") => {
            panic!("mail servers unavailable in CI: {why}")
        }
        Err(why) => {
            BANNER.call_once(|| {
                loud(&format!(
                    "\n==============================================================\n\
                     deskbell-mailnet: NO MAIL SERVERS, server tests are SKIPPED\n{why}\n\
                     (with CI=true they fail instead)\n\
                     ==============================================================\n"
                ))
            });
            loud(&format!("SKIPPED (no mail servers): {}\n", std::thread::current().name().unwrap_or("?")));
            None
        }
    }
}

/// Writes past the test harness's output capture, which only catches `print!` and friends.
pub fn loud(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}

fn start() -> Result<Servers, String> {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let run_id = format!("{}{}", std::process::id(), secs % 100_000);
    let dir = match std::env::var_os("DESKBELL_TEST_MAIL_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => start_own()?,
    };
    let env_file = dir.join("env");
    let text = std::fs::read_to_string(&env_file).map_err(|e| format!("cannot read {}: {e}", env_file.display()))?;
    let env = text.lines().filter_map(|line| line.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
    Ok(Servers { env, add_user: Mutex::new(()), next_mailbox: AtomicU32::new(1), run_id })
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/mail-servers.sh")
}

fn start_own() -> Result<PathBuf, String> {
    let made =
        Command::new("mktemp").args(["-d", "-t", "dbmailnet.XXXXXX"]).output().map_err(|e| format!("mktemp: {e}"))?;
    let dir = PathBuf::from(String::from_utf8_lossy(&made.stdout).trim());
    let started = Instant::now();
    let out = Command::new(script())
        .arg("start")
        .arg(&dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script().display()))?;
    if !out.status.success() {
        let _ = std::fs::remove_dir_all(&dir);
        return Err(format!(
            "{} start failed ({}):\n{}{}",
            script().display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    loud(&format!(
        "deskbell-mailnet tests: mail servers started in {:.1} s ({})\n",
        started.elapsed().as_secs_f64(),
        dir.display()
    ));
    // The test harness has no "at exit": a detached watcher stops the servers once this
    // process is gone, however it ends.
    let watcher =
        "while kill -0 \"$1\" 2>/dev/null; do sleep 0.5; done; \"$2\" stop \"$3\" >/dev/null 2>&1; rm -rf \"$3\"";
    Command::new("setsid")
        .args(["-f", "bash", "-c", watcher, "watcher"])
        .arg(std::process::id().to_string())
        .arg(script())
        .arg(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("cannot start the watcher that stops the servers: {e}"))?;
    Ok(dir)
}

impl Servers {
    pub fn get(&self, key: &str) -> &str {
        self.env.get(key).map(String::as_str).unwrap_or_else(|| panic!("{key} missing from the servers' env file"))
    }

    pub fn imap_port(&self) -> u16 {
        self.get("MAIL_IMAP_PORT").parse().unwrap()
    }

    pub fn smtp_port(&self) -> u16 {
        self.get("MAIL_SMTP_PORT").parse().unwrap()
    }

    pub fn password(&self) -> &str {
        self.get("MAIL_PASSWORD")
    }

    /// A fresh, empty mailbox at deskbell.test for one test.
    pub fn new_mailbox(&self, label: &str) -> String {
        let n = self.next_mailbox.fetch_add(1, Ordering::Relaxed);
        let address = format!("mn{}-{n}-{label}@deskbell.test", self.run_id);
        let _guard = self.add_user.lock().unwrap_or_else(|e| e.into_inner());
        let out = Command::new(script())
            .args(["add-user", self.get("MAIL_DIR"), &address])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "add-user {address} failed: {}", String::from_utf8_lossy(&out.stderr));
        address
    }

    pub fn imap(&self, user: &str) -> ImapConfig {
        ImapConfig {
            host: self.get("MAIL_IMAP_HOST").to_owned(),
            port: self.imap_port(),
            security: Security::Plain,
            user: user.to_owned(),
            password: self.password().to_owned(),
            folder: "INBOX".to_owned(),
        }
    }

    pub fn smtp(&self) -> SmtpConfig {
        SmtpConfig {
            host: self.get("MAIL_SMTP_HOST").to_owned(),
            port: self.smtp_port(),
            security: Security::Plain,
            user: None,
            password: None,
            hello_name: None,
        }
    }

    /// Sends a small message from the customer to `to` and returns its bytes.
    pub async fn deliver(&self, to: &str, subject: &str, body: &str) -> Vec<u8> {
        let from = self.get("MAIL_CUSTOMER").to_owned();
        let raw = message(&from, to, subject, body);
        send(&self.smtp(), &from, &[to.to_owned()], &raw).await.unwrap();
        raw
    }
}

/// A plain-text RFC 5322 message with CRLF line ends.
pub fn message(from: &str, to: &str, subject: &str, body: &str) -> Vec<u8> {
    static N: AtomicU32 = AtomicU32::new(0);
    let id = N.fetch_add(1, Ordering::Relaxed);
    let mut text = format!(
        "From: Customer <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\n\
         Date: Mon, 02 Nov 2026 10:00:00 +0000\r\nMessage-ID: <t{id}.{}@hotel.test>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n",
        std::process::id()
    );
    for line in body.lines() {
        text.push_str(line);
        text.push_str("\r\n");
    }
    text.into_bytes()
}

/// Fetches until at least `count` messages above the checkpoint are there: delivery through
/// Postfix to Dovecot takes a moment after SMTP says OK.
pub async fn fetch_until(cfg: &ImapConfig, uid_validity: Option<u32>, after_uid: u32, count: usize) -> Batch {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let batch = fetch_after(cfg, uid_validity, after_uid, 100, 100 * MIB).await.unwrap();
        if batch.messages.len() >= count {
            return batch;
        }
        assert!(Instant::now() < deadline, "only {} of {count} messages arrived in {}", batch.messages.len(), cfg.user);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
