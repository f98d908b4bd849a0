//! The `deskbell` binary under test: its subcommands, a running `deskbell serve`, and the
//! throwaway databases it runs on.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::Result;

/// Lines of the server's log kept to explain a failure.
const LOG_TAIL: usize = 40;

/// Finds the release `deskbell` next to this benchmark's own executable.
pub fn locate_deskbell(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return if p.is_file() { Ok(p.to_owned()) } else { Err(format!("{} is not a file", p.display()).into()) };
    }
    let exe = std::env::current_exe()?;
    let dir = exe.parent().ok_or("the benchmark's executable has no directory")?;
    let bin = dir.join(format!("deskbell{}", std::env::consts::EXE_SUFFIX));
    if !bin.is_file() {
        return Err(format!(
            "{} not found; build it first with `cargo build --release -p deskbell-server` \
             (or pass --deskbell PATH)",
            bin.display()
        )
        .into());
    }
    if !dir.ends_with("release") {
        eprintln!("warning: {} is not a release build; figures will be meaningless", bin.display());
    }
    Ok(bin)
}

/// How to run `deskbell` against one database.
#[derive(Debug, Clone)]
pub struct Deskbell {
    pub bin: PathBuf,
    pub database_url: String,
    /// Working directory (so that no stray `deskbell.toml` is picked up).
    pub dir: PathBuf,
    /// Extra environment (`--server-env`).
    pub env: Vec<(String, String)>,
}

impl Deskbell {
    fn command(&self) -> Command {
        let mut c = Command::new(&self.bin);
        c.current_dir(&self.dir)
            .env("DATABASE_URL", &self.database_url)
            .env("NO_COLOR", "1")
            .env_remove("RUST_LOG")
            .env_remove("DESKBELL_LOG")
            .env_remove("DESKBELL_LISTEN")
            .env_remove("DESKBELL_POOL_SIZE");
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    /// Runs a subcommand to completion and returns its standard output.
    pub fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Result<String> {
        let mut c = self.command();
        c.args(args);
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output()?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if !out.status.success() {
            return Err(format!(
                "`deskbell {}` failed ({}):\n{}{}",
                args.join(" "),
                out.status,
                stdout,
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        Ok(stdout)
    }
}

/// A running `deskbell serve`; killed when dropped.
pub struct Server {
    child: Option<Child>,
    pub pid: u32,
    pub base: String,
    log: Arc<Mutex<VecDeque<String>>>,
}

fn pump(stream: impl Read + Send + 'static, log: Arc<Mutex<VecDeque<String>>>, addr: mpsc::Sender<String>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if let Some(a) = listen_address(&line) {
                let _ = addr.send(a);
            }
            if let Ok(mut l) = log.lock() {
                if l.len() == LOG_TAIL {
                    l.pop_front();
                }
                l.push_back(line);
            }
        }
    });
}

/// `… deskbell listening on http://127.0.0.1:40123 …` → `127.0.0.1:40123`.
fn listen_address(line: &str) -> Option<String> {
    let rest = &line[line.find("listening on http://")? + "listening on http://".len()..];
    let addr: String = rest.chars().take_while(|c| !c.is_whitespace() && *c != '\x1b' && *c != '"').collect();
    (!addr.is_empty()).then_some(addr)
}

impl Server {
    /// Spawns `deskbell serve --listen 127.0.0.1:0` and waits until `GET /readyz` answers 200,
    /// polling every 2 ms. Returns the server and the time from spawn to ready.
    pub async fn start(deskbell: &Deskbell) -> Result<(Server, Duration)> {
        let log = Arc::new(Mutex::new(VecDeque::new()));
        let (tx, rx) = mpsc::channel();
        let mut c = deskbell.command();
        c.args(["serve", "--listen", "127.0.0.1:0"]).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = c.spawn()?;
        let pid = child.id();
        if let Some(out) = child.stdout.take() {
            pump(out, log.clone(), tx.clone());
        }
        if let Some(err) = child.stderr.take() {
            pump(err, log.clone(), tx);
        }
        let mut server = Server { child: Some(child), pid, base: String::new(), log };
        let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build()?;
        let deadline = started + Duration::from_secs(120);
        loop {
            if server.base.is_empty()
                && let Ok(a) = rx.try_recv()
            {
                server.base = format!("http://{a}");
            }
            if !server.base.is_empty()
                && let Ok(res) = http.get(format!("{}/readyz", server.base)).send().await
                && res.status() == reqwest::StatusCode::OK
            {
                return Ok((server, started.elapsed()));
            }
            if let Some(status) = server.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                return Err(
                    format!("deskbell serve exited with {status} before it was ready:\n{}", server.log_tail()).into()
                );
            }
            if Instant::now() > deadline {
                return Err(format!("deskbell serve was not ready after 120 s:\n{}", server.log_tail()).into());
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    pub fn log_tail(&self) -> String {
        self.log.lock().map(|l| l.iter().cloned().collect::<Vec<_>>().join("\n")).unwrap_or_default()
    }

    /// Resident memory and its peak, in kB, from `/proc/PID/status`.
    pub fn memory_kb(&self) -> Result<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse::<u64>().ok())
        };
        let rss = field("VmRSS:").ok_or("no VmRSS in /proc/PID/status")?;
        Ok((rss, field("VmHWM:").unwrap_or(rss)))
    }

    /// SIGTERM (finish requests in flight, close the pool), then SIGKILL after 15 s.
    pub fn stop(mut self) -> Result<()> {
        let Some(mut child) = self.child.take() else { return Ok(()) };
        let _ = Command::new("kill").args(["-TERM", &self.pid.to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        eprintln!("warning: deskbell {} did not stop within 15 s of SIGTERM; killing it", self.pid);
        child.kill()?;
        child.wait()?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A throwaway database: a temporary directory with a SQLite file, or a fresh PostgreSQL
/// database created and dropped with `psql`. The working directory lives in both cases.
pub struct Database {
    pub url: String,
    pub dir: PathBuf,
    pg: Option<(String, String)>,
    keep: bool,
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{prefix}_{}_{}", std::process::id(), nanos % 1_000_000_000_000)
}

fn psql(url: &str, sql: &str) -> Result<String> {
    let out = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-qtAc", sql])
        .output()
        .map_err(|e| format!("cannot run psql (is the PostgreSQL client installed?): {e}"))?;
    if !out.status.success() {
        return Err(format!("psql `{sql}` failed: {}", String::from_utf8_lossy(&out.stderr).trim()).into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

impl Database {
    pub fn sqlite(keep: bool) -> Result<Database> {
        let dir = std::env::temp_dir().join(unique("deskbell-bench"));
        std::fs::create_dir_all(&dir)?;
        let url = format!("sqlite://{}", dir.join("deskbell.db").display());
        Ok(Database { url, dir, pg: None, keep })
    }

    /// A new database on the PostgreSQL at `DESKBELL_TEST_PG_URL`
    /// (default `postgres://postgres@127.0.0.1:5432/test`).
    pub fn postgres(keep: bool) -> Result<Database> {
        let admin = std::env::var("DESKBELL_TEST_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        let name = unique("deskbell_bench");
        psql(&admin, &format!("CREATE DATABASE {name}"))
            .map_err(|e| format!("cannot create a PostgreSQL database at {}: {e}", redact(&admin)))?;
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        let url = format!("{base}/{name}");
        let dir = std::env::temp_dir().join(unique("deskbell-bench"));
        std::fs::create_dir_all(&dir)?;
        Ok(Database { url, dir, pg: Some((admin, name)), keep })
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// Runs SQL on the benchmark's own PostgreSQL database.
    pub fn psql(&self, sql: &str) -> Result<String> {
        if self.pg.is_none() {
            return Err("not a PostgreSQL database".into());
        }
        psql(&self.url, sql)
    }

    /// Bytes on disk: the SQLite file with its WAL, or `pg_database_size`.
    pub fn size_bytes(&self) -> Option<u64> {
        match &self.pg {
            Some((admin, name)) => psql(admin, &format!("SELECT pg_database_size('{name}')")).ok()?.parse().ok(),
            None => {
                let entries = std::fs::read_dir(&self.dir).ok()?;
                Some(entries.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum())
            }
        }
    }

    /// The URL without a password, for printing.
    pub fn shown(&self) -> String {
        redact(&self.url)
    }
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let user_pass = &url[s + 3..at];
            let user = user_pass.split(':').next().unwrap_or_default();
            format!("{}{user}{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if self.keep {
            eprintln!("kept database {} (working directory {})", self.shown(), self.dir.display());
            return;
        }
        if let Some((admin, name)) = &self.pg
            && let Err(e) = psql(admin, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        {
            eprintln!("warning: could not drop database {name}: {e}");
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listen_address_is_read_from_the_log_line() {
        let line =
            "2026-05-01T10:00:00.000000Z  INFO deskbell listening on http://127.0.0.1:40123 addr=127.0.0.1:40123";
        assert_eq!(listen_address(line).as_deref(), Some("127.0.0.1:40123"));
        assert_eq!(listen_address("INFO opening database"), None);
    }

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(redact("postgres://u:secret@h:5432/db"), "postgres://u@h:5432/db");
        assert_eq!(redact("sqlite:///tmp/x.db"), "sqlite:///tmp/x.db");
    }
}
