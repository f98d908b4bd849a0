//! One IMAP connection: opening it (TLS, greeting, STARTTLS), logging in, sending commands and
//! reading the server's responses with [`imap_proto`]'s parser. Only the commands deskbell
//! needs exist here, each mapping the server's refusal to the [`NetError`] an administrator
//! can act on.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use imap_proto::{AttributeValue, Capability, MailboxDatum, Response, ResponseCode, Status};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout, timeout_at};
use tokio_rustls::client::TlsStream;

use super::{Fetched, ImapConfig, Wake, utf7};
use crate::{COMMAND_TIMEOUT, CONNECT_TIMEOUT, NetError, Security, server_text, tls};

/// Buffer growth per read while a response is incomplete.
const READ_CHUNK: usize = 64 * 1024;
/// Largest response accepted outside FETCH: a SEARCH answer for a million messages fits.
const DEFAULT_RESPONSE_LIMIT: usize = 16 * 1024 * 1024;
/// Logging out is a courtesy; a server slow to answer it does not delay the caller.
const LOGOUT_TIMEOUT: Duration = Duration::from_secs(2);

enum Io {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Io {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Io::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Io {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Io::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Io::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Plain(s) => Pin::new(s).poll_flush(cx),
            Io::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Io::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// A command argument: an atom is sent as is, a string is quoted or sent as a literal.
pub(crate) enum Arg<'a> {
    Atom(&'a str),
    Str(&'a str),
}

/// A parsed server response, owned, with its first line kept for error messages.
struct Reply {
    response: Response<'static>,
    line: String,
}

impl Reply {
    /// The human part of a status response: what follows the tag (or `*`/`+`) and the status
    /// word, response code included ("[AUTHENTICATIONFAILED] Authentication failed.").
    fn text(&self) -> String {
        let skip = if matches!(self.response, Response::Continue(_)) { 1 } else { 2 };
        server_text(self.line.splitn(skip + 1, ' ').nth(skip).unwrap_or(""))
    }
}

/// A tagged OK.
pub(crate) struct Done {
    code: Option<ResponseCode<'static>>,
}

/// Why a command did not succeed: the network, or the server's NO/BAD in its own words.
pub(crate) enum Failure {
    Net(NetError),
    Refused { text: String },
}

impl From<NetError> for Failure {
    fn from(e: NetError) -> Self {
        Failure::Net(e)
    }
}

/// The state of the folder right after SELECT/EXAMINE.
pub(crate) struct FolderState {
    pub(crate) uid_validity: u32,
    pub(crate) exists: u32,
}

pub(crate) struct Conn {
    io: Io,
    /// Bytes received and not yet parsed.
    buf: Vec<u8>,
    /// The buffer length below which parsing again is pointless (inside a literal).
    needed: usize,
    /// The largest response this connection accepts, so a broken server cannot exhaust memory.
    limit: usize,
    next_tag: u32,
    peer: String,
    user: String,
    /// Capabilities in upper case, from the greeting, the login answer or CAPABILITY.
    caps: Vec<String>,
    /// Whether `caps` describes the logged-in state (servers announce more after login).
    caps_after_login: bool,
    /// Counts untagged CAPABILITY responses, to notice one sent during LOGIN.
    caps_updates: u32,
    /// The text of an untagged BYE, which explains why the server then closes the connection.
    bye: Option<String>,
}

impl Conn {
    /// Connects, reads the greeting and upgrades with STARTTLS when configured; all within
    /// [`CONNECT_TIMEOUT`].
    pub(crate) async fn connect(cfg: &ImapConfig) -> Result<Conn, NetError> {
        let peer = format!("{}:{}", cfg.host, cfg.port);
        let deadline = Instant::now() + CONNECT_TIMEOUT;
        let secs = CONNECT_TIMEOUT.as_secs();
        let tcp = match timeout_at(deadline, TcpStream::connect((cfg.host.as_str(), cfg.port))).await {
            Err(_) => {
                return Err(NetError::Timeout(format!(
                    "IMAP server {peer} did not accept a connection within {secs} s"
                )));
            }
            Ok(Err(e)) => return Err(NetError::Connect(format!("cannot connect to IMAP server {peer}: {e}"))),
            Ok(Ok(tcp)) => tcp,
        };
        // Commands are small and answered one at a time: don't let Nagle hold them back.
        let _ = tcp.set_nodelay(true);
        let io = match cfg.security {
            Security::Tls => Io::Tls(Box::new(upgrade(tcp, &cfg.host, &peer, deadline).await?)),
            Security::StartTls | Security::Plain => Io::Plain(tcp),
        };
        let mut conn = Conn {
            io,
            buf: Vec::with_capacity(READ_CHUNK),
            needed: 0,
            limit: DEFAULT_RESPONSE_LIMIT,
            next_tag: 1,
            peer,
            user: cfg.user.clone(),
            caps: Vec::new(),
            caps_after_login: false,
            caps_updates: 0,
            bye: None,
        };
        conn.greeting(deadline).await?;
        if cfg.security == Security::StartTls {
            conn = conn.starttls(&cfg.host, deadline).await?;
        }
        Ok(conn)
    }

    async fn greeting(&mut self, deadline: Instant) -> Result<(), NetError> {
        let what = "waiting for its greeting";
        let Some(reply) = self.next(Some(deadline), what).await? else {
            return Err(NetError::Timeout(format!(
                "IMAP server {} sent no greeting within {} s; is this an IMAP port?",
                self.peer,
                CONNECT_TIMEOUT.as_secs()
            )));
        };
        match &reply.response {
            Response::Data { status: Status::Ok | Status::PreAuth, outcome } => {
                if let Some(ResponseCode::Capabilities(caps)) = &outcome.code {
                    self.caps = cap_names(caps);
                }
                Ok(())
            }
            Response::Data { status: Status::Bye, .. } => {
                Err(NetError::Connect(format!("IMAP server {} refused the connection: {}", self.peer, reply.text())))
            }
            _ => Err(NetError::Protocol(format!(
                "{} did not greet like an IMAP server: {}",
                self.peer,
                server_text(&reply.line)
            ))),
        }
    }

    async fn starttls(mut self, host: &str, deadline: Instant) -> Result<Conn, NetError> {
        let peer = self.peer.clone();
        let advice = "use Tls if it offers TLS on another port (usually 993), or Plain only for a \
                      server on this machine";
        if !self.caps.is_empty() && !self.has_capability("STARTTLS") {
            return Err(NetError::Tls(format!(
                "IMAP server {peer} does not offer STARTTLS (not among its capabilities); {advice}"
            )));
        }
        match self.run("starting TLS", &[Arg::Atom("STARTTLS")], |_| {}).await {
            Ok(_) => {}
            Err(Failure::Refused { text }) => {
                return Err(NetError::Tls(format!("IMAP server {peer} refused STARTTLS: {text}; {advice}")));
            }
            Err(Failure::Net(e)) => return Err(e),
        }
        // Anything already received came in plain text after the server's OK; accepting it as
        // if it had arrived over TLS is the classic STARTTLS injection.
        if !self.buf.is_empty() {
            return Err(NetError::Tls(format!(
                "IMAP server {peer} sent data between STARTTLS and the TLS handshake; refusing \
                 the connection (someone on the network may be tampering with it)"
            )));
        }
        let Conn { io, limit, next_tag, user, .. } = self;
        let Io::Plain(tcp) = io else {
            return Err(NetError::Protocol(format!("STARTTLS on {peer} over a connection already in TLS")));
        };
        let tls = upgrade(tcp, host, &peer, deadline).await?;
        Ok(Conn {
            io: Io::Tls(Box::new(tls)),
            buf: Vec::with_capacity(READ_CHUNK),
            needed: 0,
            limit,
            next_tag,
            peer,
            user,
            // What the server said before TLS may have been forged (RFC 3501 §6.2.1).
            caps: Vec::new(),
            caps_after_login: false,
            caps_updates: 0,
            bye: None,
        })
    }

    pub(crate) async fn login(&mut self, password: &str) -> Result<(), NetError> {
        let (peer, user) = (self.peer.clone(), self.user.clone());
        if self.has_capability("LOGINDISABLED") {
            return Err(NetError::Auth(format!(
                "IMAP server {peer} does not allow logging in over this connection \
                 (LOGINDISABLED); use Tls or StartTls"
            )));
        }
        let args = [Arg::Atom("LOGIN"), Arg::Str(&user), Arg::Str(password)];
        let updates_before = self.caps_updates;
        match self.run("logging in", &args, |_| {}).await {
            Ok(done) => {
                // The capabilities come with the OK, as an untagged CAPABILITY before it, or
                // not at all (then the pre-login ones are stale and asked for when needed).
                if let Some(ResponseCode::Capabilities(caps)) = &done.code {
                    self.caps = cap_names(caps);
                    self.caps_after_login = true;
                } else if self.caps_updates != updates_before {
                    self.caps_after_login = true;
                } else {
                    self.caps.clear();
                }
                Ok(())
            }
            Err(Failure::Refused { text }) => {
                // A server has no business echoing the password, but make sure it never
                // reaches a status page.
                let text = if password.len() >= 4 { text.replace(password, "***") } else { text };
                Err(login_refused(&peer, &user, &text))
            }
            Err(Failure::Net(e)) => Err(e),
        }
    }

    pub(crate) fn has_capability(&self, name: &str) -> bool {
        self.caps.iter().any(|c| c == name)
    }

    /// Makes sure the capabilities describe the logged-in session.
    pub(crate) async fn refresh_capabilities(&mut self) -> Result<(), NetError> {
        if self.caps_after_login {
            return Ok(());
        }
        match self.run("asking for its capabilities", &[Arg::Atom("CAPABILITY")], |_| {}).await {
            Ok(_) => {
                self.caps_after_login = true;
                Ok(())
            }
            Err(Failure::Refused { text }) => Err(self.refused("CAPABILITY", &text)),
            Err(Failure::Net(e)) => Err(e),
        }
    }

    /// SELECT (read-write) or EXAMINE (read-only: nothing can change, not even \Recent).
    pub(crate) async fn open_folder(&mut self, folder: &str, read_only: bool) -> Result<FolderState, NetError> {
        let wire = utf7::encode(folder);
        let verb = if read_only { "EXAMINE" } else { "SELECT" };
        let mut uid_validity = None;
        let mut exists = 0;
        let result = self
            .run("opening the folder", &[Arg::Atom(verb), Arg::Str(&wire)], |response| match response {
                Response::MailboxData(MailboxDatum::Exists(n)) => exists = n,
                Response::Data { outcome, .. } => {
                    if let Some(ResponseCode::UidValidity(v)) = outcome.code {
                        uid_validity = Some(v);
                    }
                }
                _ => {}
            })
            .await;
        match result {
            Ok(_) => {}
            Err(Failure::Refused { text }) => {
                return Err(NetError::Folder(format!(
                    "IMAP folder \"{folder}\" of {} on {} cannot be opened: {text}",
                    self.user, self.peer
                )));
            }
            Err(Failure::Net(e)) => return Err(e),
        }
        let Some(uid_validity) = uid_validity else {
            return Err(NetError::Protocol(format!(
                "IMAP server {} did not report the UIDVALIDITY of folder \"{folder}\"; deskbell \
                 needs it to remember which messages it has already fetched",
                self.peer
            )));
        };
        Ok(FolderState { uid_validity, exists })
    }

    /// UIDs of the messages with a UID above `after`, ascending.
    pub(crate) async fn uids_after(&mut self, after: u32) -> Result<Vec<u32>, NetError> {
        let Some(first) = after.checked_add(1) else {
            return Ok(Vec::new());
        };
        // "first:*" always matches the last message, even when its UID is below `first`
        // (RFC 3501 §6.4.8), hence the filter.
        let range = format!("{first}:*");
        let mut uids = Vec::new();
        let args = [Arg::Atom("UID"), Arg::Atom("SEARCH"), Arg::Atom("UID"), Arg::Atom(&range)];
        let result = self
            .run("searching for new messages", &args, |response| {
                if let Response::MailboxData(MailboxDatum::Search(found)) = response {
                    uids.extend(found.into_iter().filter(|&uid| uid > after));
                }
            })
            .await;
        match result {
            Ok(_) => {}
            Err(Failure::Refused { text }) => return Err(self.refused("UID SEARCH", &text)),
            Err(Failure::Net(e)) => return Err(e),
        }
        uids.sort_unstable();
        uids.dedup();
        Ok(uids)
    }

    /// The raw messages with these UIDs, each cut to `max_bytes` (see [`Fetched::truncated`]).
    pub(crate) async fn fetch(&mut self, uids: &[u32], max_bytes: usize) -> Result<Vec<Fetched>, NetError> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        // One byte more than allowed tells "exactly max_bytes" from "longer".
        let partial = u32::try_from(max_bytes.saturating_add(1)).unwrap_or(u32::MAX);
        self.limit = DEFAULT_RESPONSE_LIMIT.max(partial as usize + READ_CHUNK);
        let set = uid_set(uids);
        // BODY.PEEK leaves \Seen alone; the partial range caps what a huge message can cost.
        let items = format!("(UID RFC822.SIZE BODY.PEEK[]<0.{partial}>)");
        let args = [Arg::Atom("UID"), Arg::Atom("FETCH"), Arg::Atom(&set), Arg::Atom(&items)];
        let mut fetched = Vec::new();
        let result = self
            .run("fetching messages", &args, |response| {
                if let Response::Fetch(_, attributes) = response
                    && let Some(message) = fetched_message(attributes, max_bytes)
                {
                    fetched.push(message);
                }
            })
            .await;
        self.limit = DEFAULT_RESPONSE_LIMIT;
        match result {
            Ok(_) => {}
            // Typically a message expunged by another client in the meantime: what did arrive
            // is still good, and the caller's checkpoint moves past the missing one.
            Err(Failure::Refused { text }) if !fetched.is_empty() => {
                tracing::warn!(server = %self.peer, "IMAP FETCH partly refused: {text}");
            }
            Err(Failure::Refused { text }) => return Err(self.refused("UID FETCH", &text)),
            Err(Failure::Net(e)) => return Err(e),
        }
        fetched.sort_by_key(|m| m.uid);
        fetched.dedup_by_key(|m| m.uid);
        Ok(fetched)
    }

    /// Adds \Seen to one message; false when no message has that UID.
    pub(crate) async fn mark_seen(&mut self, uid: u32) -> Result<bool, NetError> {
        let uid_text = uid.to_string();
        let store = [
            Arg::Atom("UID"),
            Arg::Atom("STORE"),
            Arg::Atom(&uid_text),
            Arg::Atom("+FLAGS.SILENT"),
            Arg::Atom("(\\Seen)"),
        ];
        match self.run("marking a message as seen", &store, |_| {}).await {
            Ok(_) => {}
            Err(Failure::Refused { text }) => return Err(self.refused("UID STORE", &text)),
            Err(Failure::Net(e)) => return Err(e),
        }
        // STORE answers OK for a UID that does not exist, and servers report no FETCH for a
        // flag that was already set: only asking tells whether the message is there and seen.
        let fetch = [Arg::Atom("UID"), Arg::Atom("FETCH"), Arg::Atom(&uid_text), Arg::Atom("(UID FLAGS)")];
        let mut seen = false;
        let result = self
            .run("checking a message's flags", &fetch, |response| {
                if let Response::Fetch(_, attributes) = response
                    && attributes.iter().any(|a| matches!(a, AttributeValue::Uid(u) if *u == uid))
                {
                    seen = attributes.iter().any(|a| match a {
                        AttributeValue::Flags(flags) => flags.iter().any(|f| f.eq_ignore_ascii_case("\\Seen")),
                        _ => false,
                    });
                }
            })
            .await;
        match result {
            Ok(_) => Ok(seen),
            Err(Failure::Refused { text }) => Err(self.refused("UID FETCH", &text)),
            Err(Failure::Net(e)) => Err(e),
        }
    }

    /// IDLE until the server reports a new message (EXISTS or RECENT) or `until` passes.
    pub(crate) async fn idle(&mut self, until: Instant) -> Result<Wake, NetError> {
        let what = "waiting for new mail (IDLE)";
        let tag = self.send(what, &[Arg::Atom("IDLE")]).await.map_err(|f| self.failure_to_net("IDLE", f))?;
        let mut woken = false;
        // The server confirms with a continuation; it may report news before that.
        loop {
            let reply = self.reply(what).await?;
            match reply.response {
                Response::Continue(_) => break,
                Response::Done { tag: ref t, .. } if t.0 == tag => {
                    return Err(self.refused("IDLE", &reply.text()));
                }
                Response::MailboxData(MailboxDatum::Exists(_) | MailboxDatum::Recent(_)) => woken = true,
                Response::Data { status: Status::Bye, .. } => self.bye = Some(reply.text()),
                _ => {}
            }
        }
        while !woken {
            let Some(reply) = self.next(Some(until), what).await? else {
                break;
            };
            match reply.response {
                Response::MailboxData(MailboxDatum::Exists(_) | MailboxDatum::Recent(_)) => woken = true,
                Response::Data { status: Status::Bye, .. } => self.bye = Some(reply.text()),
                // Keep-alives ("* OK Still here"), flag changes, expunges: not new mail.
                _ => {}
            }
        }
        // End IDLE without waiting for the server's OK: the connection is closed next anyway.
        let _ = timeout(LOGOUT_TIMEOUT, self.write(b"DONE\r\n")).await;
        Ok(if woken { Wake::NewMail } else { Wake::TimedOut })
    }

    /// LOGOUT as a courtesy (bounded in time, errors ignored), then close.
    pub(crate) async fn logout(mut self) {
        let _ = timeout(LOGOUT_TIMEOUT, async {
            let _ = self.run("logging out", &[Arg::Atom("LOGOUT")], |_| {}).await;
            let _ = self.io.shutdown().await;
        })
        .await;
    }

    fn refused(&self, command: &str, text: &str) -> NetError {
        NetError::Protocol(format!("IMAP server {} refused {command}: {text}", self.peer))
    }

    fn failure_to_net(&self, command: &str, failure: Failure) -> NetError {
        match failure {
            Failure::Net(e) => e,
            Failure::Refused { text } => self.refused(command, &text),
        }
    }

    /// Sends a command and reads until its tagged answer; untagged data goes to `on_data`.
    async fn run(
        &mut self,
        what: &str,
        args: &[Arg<'_>],
        mut on_data: impl FnMut(Response<'static>),
    ) -> Result<Done, Failure> {
        let tag = self.send(what, args).await?;
        loop {
            let reply = self.reply(what).await?;
            match reply.response {
                Response::Done { tag: ref t, ref status, .. } if t.0 == tag => {
                    if !matches!(status, Status::Ok) {
                        return Err(Failure::Refused { text: reply.text() });
                    }
                    let code = match reply.response {
                        Response::Done { outcome, .. } => outcome.code,
                        _ => None,
                    };
                    return Ok(Done { code });
                }
                Response::Data { status: Status::Bye, .. } => self.bye = Some(reply.text()),
                Response::Capabilities(caps) => {
                    self.caps = cap_names(&caps);
                    self.caps_updates += 1;
                }
                other => on_data(other),
            }
        }
    }

    /// Writes a tagged command; strings that cannot be quoted go as synchronizing literals,
    /// each sent after the server's go-ahead. Returns the tag.
    async fn send(&mut self, what: &str, args: &[Arg<'_>]) -> Result<String, Failure> {
        let tag = format!("d{}", self.next_tag);
        self.next_tag += 1;
        let mut line = tag.clone().into_bytes();
        for arg in args {
            line.push(b' ');
            match arg {
                Arg::Atom(atom) => line.extend_from_slice(atom.as_bytes()),
                Arg::Str(s) if quotable(s) => {
                    line.push(b'"');
                    for b in s.bytes() {
                        if b == b'"' || b == b'\\' {
                            line.push(b'\\');
                        }
                        line.push(b);
                    }
                    line.push(b'"');
                }
                Arg::Str(s) => {
                    line.extend_from_slice(format!("{{{}}}\r\n", s.len()).as_bytes());
                    self.write(&line).await?;
                    line.clear();
                    loop {
                        let reply = self.reply(what).await?;
                        match reply.response {
                            Response::Continue(_) => break,
                            Response::Done { tag: ref t, .. } if t.0 == tag => {
                                return Err(Failure::Refused { text: reply.text() });
                            }
                            _ => {}
                        }
                    }
                    line.extend_from_slice(s.as_bytes());
                }
            }
        }
        line.extend_from_slice(b"\r\n");
        self.write(&line).await?;
        Ok(tag)
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), NetError> {
        let what = "sending a command";
        let io = &mut self.io;
        match timeout(COMMAND_TIMEOUT, async move {
            io.write_all(bytes).await?;
            io.flush().await
        })
        .await
        {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(self.io_error(&e, what)),
            Err(_) => Err(self.silent(what)),
        }
    }

    /// The next response; the server may stay silent for [`COMMAND_TIMEOUT`].
    async fn reply(&mut self, what: &str) -> Result<Reply, NetError> {
        match self.next(None, what).await? {
            Some(reply) => Ok(reply),
            None => Err(self.silent(what)),
        }
    }

    /// The next response, or `None` once `until` has passed. Without `until`, a server silent
    /// for [`COMMAND_TIMEOUT`] is an error.
    async fn next(&mut self, until: Option<Instant>, what: &str) -> Result<Option<Reply>, NetError> {
        loop {
            if let Some(reply) = self.parse_buffered()? {
                return Ok(Some(reply));
            }
            let want = self.needed.saturating_sub(self.buf.len()).max(READ_CHUNK);
            self.buf.reserve(want);
            let silence_limit = Instant::now() + COMMAND_TIMEOUT;
            let (deadline, callers) = match until {
                Some(until) if until <= silence_limit => (until, true),
                _ => (silence_limit, false),
            };
            match timeout_at(deadline, self.io.read_buf(&mut self.buf)).await {
                Err(_) if callers => return Ok(None),
                Err(_) => return Err(self.silent(what)),
                Ok(Err(e)) => return Err(self.io_error(&e, what)),
                Ok(Ok(0)) => {
                    let why = match &self.bye {
                        Some(bye) => format!(": {bye}"),
                        None => String::new(),
                    };
                    return Err(NetError::Connect(format!(
                        "IMAP server {} closed the connection while {what}{why}",
                        self.peer
                    )));
                }
                Ok(Ok(_)) => {}
            }
        }
    }

    /// One complete response from the buffer, if there is one.
    fn parse_buffered(&mut self) -> Result<Option<Reply>, NetError> {
        loop {
            if self.buf.is_empty() || self.buf.len() < self.needed {
                return Ok(None);
            }
            let parsed = match Response::parse(&self.buf) {
                Ok((rest, response)) => Ok((self.buf.len() - rest.len(), response.into_owned())),
                Err(e) => Err(e),
            };
            match parsed {
                Ok((used, response)) => {
                    let line = first_line(&self.buf[..used]);
                    self.buf.drain(..used);
                    self.needed = 0;
                    return Ok(Some(Reply { response, line }));
                }
                Err(nom::Err::Incomplete(needed)) => {
                    self.needed = self.buf.len()
                        + match needed {
                            nom::Needed::Size(n) => n.get(),
                            nom::Needed::Unknown => 1,
                        };
                    if self.needed > self.limit {
                        return Err(NetError::Protocol(format!(
                            "IMAP server {} sent a response of more than {} bytes; giving up on it",
                            self.peer, self.limit
                        )));
                    }
                    return Ok(None);
                }
                Err(_) => {
                    // An untagged line the parser does not know (a server extension) carries
                    // nothing deskbell asked for: skip it rather than fail the whole mailbox.
                    let end = self.buf.windows(2).position(|w| w == b"\r\n");
                    match end {
                        Some(end) if self.buf.starts_with(b"* ") && !self.buf[..end].ends_with(b"}") => {
                            tracing::warn!(
                                server = %self.peer,
                                line = %first_line(&self.buf),
                                "skipping an IMAP response deskbell cannot parse"
                            );
                            self.buf.drain(..end + 2);
                        }
                        _ => {
                            return Err(NetError::Protocol(format!(
                                "IMAP server {} sent a response deskbell cannot read: {}",
                                self.peer,
                                first_line(&self.buf)
                            )));
                        }
                    }
                }
            }
        }
    }

    fn silent(&self, what: &str) -> NetError {
        NetError::Timeout(format!(
            "IMAP server {} did not answer within {} s while {what}",
            self.peer,
            COMMAND_TIMEOUT.as_secs()
        ))
    }

    fn io_error(&self, e: &io::Error, what: &str) -> NetError {
        if matches!(self.io, Io::Tls(_))
            && e.get_ref().is_some_and(|inner| inner.downcast_ref::<tokio_rustls::rustls::Error>().is_some())
        {
            return NetError::Tls(format!(
                "TLS with IMAP server {} failed while {what}: {}",
                self.peer,
                tls::describe_io(e, &self.peer)
            ));
        }
        NetError::Connect(format!("connection to IMAP server {} failed while {what}: {e}", self.peer))
    }
}

async fn upgrade(tcp: TcpStream, host: &str, peer: &str, deadline: Instant) -> Result<TlsStream<TcpStream>, NetError> {
    match timeout_at(deadline, tls::handshake(tcp, host)).await {
        Ok(Ok(tls)) => Ok(tls),
        Ok(Err(why)) => Err(NetError::Tls(format!("TLS with IMAP server {peer} failed: {why}"))),
        Err(_) => Err(NetError::Timeout(format!(
            "TLS handshake with IMAP server {peer} did not finish within {} s",
            CONNECT_TIMEOUT.as_secs()
        ))),
    }
}

fn login_refused(peer: &str, user: &str, text: &str) -> NetError {
    let code = text.strip_prefix('[').and_then(|t| t.split([']', ' ']).next()).map(str::to_ascii_uppercase);
    let head = format!("IMAP login to {peer} as {user} refused: {text}");
    match code.as_deref() {
        // RFC 5530: a temporary failure, not a wrong password.
        Some("UNAVAILABLE") => NetError::Connect(format!("{head} (temporary; will try again)")),
        Some("PRIVACYREQUIRED") => {
            NetError::Auth(format!("{head} (the server only accepts logins over TLS: use Tls or StartTls)"))
        }
        Some("EXPIRED") => NetError::Auth(format!("{head} (the password has expired)")),
        Some("AUTHORIZATIONFAILED" | "CONTACTADMIN" | "ALERT") => NetError::Auth(head),
        _ => NetError::Auth(format!("{head} (wrong user name or password)")),
    }
}

/// Whether `s` can travel as an IMAP quoted string (7-bit, no CR/LF/NUL); otherwise a literal.
fn quotable(s: &str) -> bool {
    s.bytes().all(|b| (1..0x80).contains(&b) && b != b'\r' && b != b'\n')
}

fn cap_names(caps: &[Capability<'_>]) -> Vec<String> {
    caps.iter()
        .map(|c| match c {
            Capability::Imap4rev1 => "IMAP4REV1".to_owned(),
            Capability::Auth(mech) => format!("AUTH={}", mech.to_ascii_uppercase()),
            Capability::Atom(atom) => atom.to_ascii_uppercase(),
        })
        .collect()
}

fn first_line(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == b'\r' || b == b'\n').unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end.min(1000)]).into_owned()
}

/// A compact UID set: "3:5,9,12:13".
fn uid_set(sorted: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end.wrapping_add(1) {
            i += 1;
            end = sorted[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

fn fetched_message(attributes: Vec<AttributeValue<'static>>, max_bytes: usize) -> Option<Fetched> {
    let mut uid = None;
    let mut size = None;
    let mut body = None;
    for attribute in attributes {
        match attribute {
            AttributeValue::Uid(u) => uid = Some(u),
            AttributeValue::Rfc822Size(s) => size = Some(s),
            AttributeValue::BodySection { section: None, data, .. } => {
                body = Some(data.map(|d| d.into_owned()).unwrap_or_default())
            }
            _ => {}
        }
    }
    // A FETCH without a body is an unrelated update (flags changed by another client).
    let (uid, mut raw) = (uid?, body?);
    let truncated = raw.len() > max_bytes;
    raw.truncate(max_bytes);
    Some(Fetched { uid, size: size.map(u64::from), raw, truncated })
}

#[cfg(test)]
mod tests {
    use super::{quotable, uid_set};

    #[test]
    fn uid_sets_collapse_runs() {
        assert_eq!(uid_set(&[1]), "1");
        assert_eq!(uid_set(&[1, 2, 3, 5, 7, 8]), "1:3,5,7:8");
        assert_eq!(uid_set(&[4, 9, 10, 11, u32::MAX]), "4,9:11,4294967295");
    }

    #[test]
    fn only_seven_bit_strings_without_line_breaks_are_quoted() {
        assert!(quotable("support@deskbell.test"));
        assert!(quotable("pa\"ss\\word"));
        assert!(!quotable("hasło"));
        assert!(!quotable("two\r\nlines"));
    }
}
