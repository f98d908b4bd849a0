//! Helpers of the server tests; the servers themselves come from `deskbell_mailnet::testing`.

pub use deskbell_mailnet::testing::*;

use deskbell_mailnet::ImapConfig;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// A port on which nothing listens (bound a moment ago, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Talks IMAP directly, to check or arrange what the library has no call for (flags,
/// folders). Returns each command's transcript.
pub async fn raw_imap(cfg: &ImapConfig, commands: &[Vec<u8>]) -> Vec<String> {
    let stream = TcpStream::connect((cfg.host.as_str(), cfg.port)).await.unwrap();
    let mut stream = BufReader::new(stream);
    let mut line = String::new();
    stream.read_line(&mut line).await.unwrap();
    let login = format!("t0 LOGIN \"{}\" \"{}\"\r\n", cfg.user, cfg.password).into_bytes();
    let mut all = vec![login];
    all.extend(commands.iter().cloned());
    let mut transcripts = Vec::new();
    for (i, command) in all.iter_mut().enumerate() {
        let tag = format!("t{i} ");
        if i > 0 {
            let mut tagged = tag.clone().into_bytes();
            tagged.extend_from_slice(command);
            tagged.extend_from_slice(b"\r\n");
            *command = tagged;
        }
        stream.get_mut().write_all(command).await.unwrap();
        let mut transcript = String::new();
        loop {
            line.clear();
            let n = stream.read_line(&mut line).await.unwrap();
            assert!(n > 0, "server closed the connection; so far: {transcript}");
            transcript.push_str(&line);
            if line.starts_with(&tag) {
                break;
            }
        }
        assert!(transcript.lines().last().unwrap().starts_with(&format!("{tag}OK")), "{transcript}");
        if i > 0 {
            transcripts.push(transcript);
        }
    }
    transcripts
}

/// Held by the 60 MB test and by tests that measure time, so the one does not skew the others
/// on a two-core machine.
pub static TIMING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
