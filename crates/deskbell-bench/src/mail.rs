//! `deskbell-bench mail`: the mail intake of issue 4 (item 8), end to end through real mail
//! servers, in process against the real store.
//!
//! ```text
//! cargo build --release -p deskbell-bench
//! target/release/deskbell-bench mail [--messages 10000] [--backend sqlite|postgres|both] [--deliver smtp|append] [--profile]
//! target/release/deskbell-bench mail --kill-test [--messages 10000] [--kills 2]
//! ```
//!
//! It needs the Dovecot + Postfix pair of `scripts/mail-servers.sh`: the one named by
//! `DESKBELL_TEST_MAIL_DIR`, or a throwaway pair it starts itself (as root, installing the
//! packages on first use) and that is stopped when the bench exits. PostgreSQL is found at
//! `DESKBELL_TEST_PG_URL` as for the other benches.
//!
//! **Messages.** `--messages` RFC 5322 messages are generated deterministically from `--seed`:
//! customers of twelve hotels and spas (known people, and unknown senders at the organisations'
//! mail domains, who become customer users on their first message) write in Polish, as 8bit,
//! quoted-printable or base64 UTF-8 or as ISO-8859-2, with encoded-word subjects and names,
//! some with an HTML alternative; 20 % carry a PDF or PNG attachment of 20–200 KB; 30 % answer
//! an earlier message of the sender's organisation, by In-Reply-To/References, by the
//! `[#N]` subject token alone, or both, with the earlier text quoted; about 2 % are
//! auto-replies or newsletters.
//!
//! **Delivery (not measured).** The messages are sent over SMTP from `--senders` concurrent
//! clients to Postfix, which hands them to a fresh Dovecot mailbox over LMTP (`--deliver
//! append` writes them straight into Dovecot with IMAP APPEND instead). They go in 20 chunks,
//! each delivered completely before the next is sent, so a reply always arrives after the
//! message it answers; after each chunk the folder's UID order is read back and the intake's
//! outcome of every message (new ticket number, or the ticket it joins) is worked out, which
//! is what the `[#N]` tokens of later chunks refer to and what the result is checked against.
//!
//! **Throughput (measured).** A fresh database per backend (a SQLite file, or a throwaway
//! PostgreSQL database) gets a vendor agent, the organisations with their mail domains, people,
//! products and installations, and a mailbox row pointing at the Dovecot account. The clock
//! runs from the first `poller::poll_once` (IMAP fetch of 100 messages, then one intake
//! transaction per message, exactly as `serve` polls) until every message is stored; the
//! figure is messages per second, target ≥ 200/s on SQLite. Also printed: the time per message
//! within each pass (p50/p99 over the passes), how long the IMAP fetches alone take, the
//! outcome counts (tickets opened, replies threaded, automatic, quarantined) against the
//! expected ones, lost and duplicate messages, and mismatches in threading or decoding
//! (every new ticket's subject and every article's text are compared with what was sent).
//! `--profile` then replays the same raw messages through `intake::ingest` in process into
//! another fresh database, timing each message, the MIME parse alone and a bare commit.
//!
//! **SIGKILL test** (`--kill-test`, SQLite file). The bench re-executes itself as a child
//! (`mail-child`, hidden) that polls the mailbox into the database until every message is
//! stored. The parent kills the child with SIGKILL once the register holds ≈30 % (then
//! ≈65 %, …; `--kills`) of the messages, at a slightly random point, restarts it on the same
//! database and finally lets one run to the end. Then every generated Message-ID must be in
//! the register exactly once (else lost), no Message-ID may have produced two articles or two
//! register rows (else duplicate), and tickets + replies must equal the non-automatic
//! messages. It prints `lost: N, duplicates: M` as counted.
//!
//! A MISS does not fail the run; errors, lost or duplicate messages do (non-zero exit).
//! One run of 10,000 takes about 1.5 min on 2 cores (delivery ≈ 50 s of it); `--kill-test`
//! about as long.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use deskbell_domain::person::{Language, Role};
use deskbell_mailnet::testing::Servers;
use deskbell_server::mail::intake::{self, Outcome, Source};
use deskbell_server::mail::poller;
use deskbell_server::tickets::service::Limits;
use deskbell_store::mail::{self as store_mail, Endpoint, Mailbox, MailboxInput, UnknownSenders};
use deskbell_store::orgs::{self, Installation, OrganisationInput};
use deskbell_store::people::{self, PersonInput};
use deskbell_store::testing::{Backend, TestDb};
use deskbell_store::{Store, StoreError, StoreOptions, Tx, params};
use jiff::Timestamp;

use crate::Result;
use crate::text::{self, Rng};

#[derive(clap::Args, Debug, Clone)]
pub struct MailArgs {
    /// `sqlite`, `postgres` or `both` (the kill test always uses a SQLite file).
    #[arg(long, default_value = "sqlite")]
    backend: String,
    /// Messages to generate and ingest.
    #[arg(long, default_value_t = 10_000)]
    messages: usize,
    /// Instead of the throughput run: kill the ingesting process with SIGKILL midway, restart
    /// it, and count lost and duplicate messages.
    #[arg(long)]
    kill_test: bool,
    /// How many times the kill test kills the child (at ≈30 %, …, ≈65 % of the messages).
    #[arg(long, default_value_t = 2)]
    kills: usize,
    /// `smtp` (Postfix → LMTP → Dovecot) or `append` (IMAP APPEND straight into Dovecot).
    #[arg(long, default_value = "smtp")]
    deliver: String,
    /// Concurrent SMTP clients delivering the messages.
    #[arg(long, default_value_t = 12)]
    senders: usize,
    /// Seed of the generated messages.
    #[arg(long, default_value_t = 20_260_502)]
    seed: u64,
    /// After the run, replay the messages through `intake::ingest` in process into a fresh
    /// database, timing every message and the phases around it.
    #[arg(long)]
    profile: bool,
}

/// The process the kill test kills: polls one mailbox into one database until `expect`
/// messages are registered.
#[derive(clap::Args, Debug, Clone)]
pub struct ChildArgs {
    #[arg(long)]
    db: String,
    #[arg(long)]
    mailbox: i64,
    #[arg(long)]
    expect: usize,
}

const LIMITS: Limits = Limits { attachment_max_bytes: 10 << 20, reopen_days: 7 };
const MAX_MESSAGE_BYTES: i64 = 25 << 20;
const TARGET_PER_SEC: f64 = 200.0;

fn err(e: impl std::fmt::Display) -> Box<dyn std::error::Error + Send + Sync> {
    e.to_string().into()
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| err(format!("a blocking task failed: {e}")))?
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn verdict(ok: bool) -> &'static str {
    if ok { "PASS" } else { "MISS" }
}

// ---------------------------------------------------------------- the world

struct OrgPlan {
    name: String,
    domain: String,
    /// Installations of two products: its mail names no single product.
    two_products: bool,
}

struct Person {
    email: String,
    name: String,
    org: Option<usize>,
}

struct World {
    orgs: Vec<OrgPlan>,
    people: Vec<Person>,
    /// In the database before the run.
    known_by_org: Vec<Vec<usize>>,
    /// Not in the database: the intake makes them customer users of their domain's organisation.
    unknown_by_org: Vec<Vec<usize>>,
    /// The newsletter sender.
    bulk: usize,
}

const ORGS: usize = 12;
const ROLE_BOXES: &[(&str, &str)] = &[
    ("recepcja", "Recepcja"),
    ("rezerwacje", "Dział Rezerwacji"),
    ("ksiegowosc", "Księgowość"),
    ("kierownik", "Kierownik Zmiany"),
    ("spa", "Recepcja SPA"),
    ("restauracja", "Restauracja"),
    ("biuro", "Biuro"),
    ("it", "Dział IT"),
];

/// Lower-case ASCII letters and digits of `s`, Polish letters without their marks.
fn fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ą' | 'Ą' => 'a',
            'ć' | 'Ć' => 'c',
            'ę' | 'Ę' => 'e',
            'ł' | 'Ł' => 'l',
            'ń' | 'Ń' => 'n',
            'ó' | 'Ó' => 'o',
            'ś' | 'Ś' => 's',
            'ź' | 'Ź' | 'ż' | 'Ż' => 'z',
            c => c.to_ascii_lowercase(),
        })
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// A file name as an old client without RFC 2231 would write it.
fn ascii_name(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            ' ' => '_',
            c if c.is_ascii_alphanumeric() || "._-".contains(c) => c,
            c => fold(&c.to_string()).chars().next().unwrap_or('_'),
        })
        .collect()
}

fn world(seed: u64) -> World {
    let mut rng = Rng::new(seed ^ 0x5EED_0F0A);
    let mut w =
        World { orgs: Vec::new(), people: Vec::new(), known_by_org: Vec::new(), unknown_by_org: Vec::new(), bulk: 0 };
    for k in 0..ORGS {
        let kind = crate::ORG_KINDS[k % crate::ORG_KINDS.len()];
        let name = crate::ORG_NAMES[(k * 7) % crate::ORG_NAMES.len()];
        let domain = format!("{}.pl", fold(name));
        let mut known = Vec::new();
        while known.len() < 4 {
            let first = rng.pick(text::FIRST_NAMES).copied().unwrap_or("Anna");
            let last = rng.pick(text::SURNAMES).copied().unwrap_or("Nowak");
            let email = format!("{}.{}@{domain}", fold(first), fold(last));
            if w.people.iter().any(|p| p.email == email) {
                continue;
            }
            known.push(w.people.len());
            w.people.push(Person { email, name: format!("{first} {last}"), org: Some(k) });
        }
        let mut unknown = Vec::new();
        for j in 0..2 {
            let (local, label) = ROLE_BOXES[(k * 3 + j * 5) % ROLE_BOXES.len()];
            unknown.push(w.people.len());
            w.people.push(Person {
                email: format!("{local}@{domain}"),
                name: format!("{label} – {name}"),
                org: Some(k),
            });
        }
        w.known_by_org.push(known);
        w.unknown_by_org.push(unknown);
        w.orgs.push(OrgPlan { name: format!("{kind} {name}"), domain, two_products: k % 5 == 4 });
    }
    w.bulk = w.people.len();
    w.people.push(Person {
        email: "newsletter@partnerzy-hotelarscy.pl".into(),
        name: "Partnerzy Hotelarscy".into(),
        org: None,
    });
    w
}

/// The database side of the world; returns the mailbox row.
fn seed_db(
    tx: &mut Tx<'_>,
    w: &World,
    mailbox: &MailboxInput,
    now: Timestamp,
) -> std::result::Result<Mailbox, StoreError> {
    let bad = |e: String| StoreError::Db(e);
    let person = |tx: &mut Tx<'_>, email: &str, name: &str, role, org| {
        let input = PersonInput {
            email: email.parse().map_err(|e| bad(format!("{email}: {e}")))?,
            name: name.into(),
            role,
            organisation_id: org,
            phone: None,
            language: Language::Pl,
            active: true,
        };
        people::create(tx, &input, None, now)
    };
    person(tx, "jan.serwisant@deskbell-vendor.pl", "Jan Serwisant", Role::Agent, None)?;
    let pms = orgs::save_product(tx, None, "pms", "PremiumHotel", None, now)?.id;
    let spa = orgs::save_product(tx, None, "spa", "Kuracjusz", None, now)?.id;
    let mut org_ids = Vec::new();
    for o in &w.orgs {
        let id = orgs::create(
            tx,
            &OrganisationInput {
                name: o.name.clone(),
                time_zone: "Europe/Warsaw".into(),
                active: true,
                mail_domains: vec![o.domain.clone()],
                ..Default::default()
            },
            now,
        )?
        .id;
        let mut products = vec![pms];
        if o.two_products {
            products.push(spa);
        }
        for p in products {
            let inst = Installation {
                id: 0,
                organisation_id: id,
                product_id: p,
                name: if p == pms { "Recepcja główna".into() } else { "Gabinety SPA".into() },
                version: Some("12.4".into()),
            };
            orgs::save_installation(tx, None, &inst, now)?;
        }
        org_ids.push(id);
    }
    for (k, known) in w.known_by_org.iter().enumerate() {
        for (j, &p) in known.iter().enumerate() {
            let role = if j == 0 { Role::CustomerAdmin } else { Role::CustomerUser };
            let p = &w.people[p];
            person(tx, &p.email, &p.name, role, org_ids.get(k).copied())?;
        }
    }
    store_mail::create_mailbox(tx, mailbox, now)
}

fn mailbox_input(servers: &Servers, address: &str) -> MailboxInput {
    MailboxInput {
        name: "wsparcie".into(),
        address: address.to_owned(),
        display_name: "Wsparcie techniczne".into(),
        imap: Some(Endpoint {
            host: servers.get("MAIL_IMAP_HOST").to_owned(),
            port: i64::from(servers.imap_port()),
            security: "plain".into(),
            user: Some(address.to_owned()),
            password: Some(servers.password().to_owned()),
        }),
        imap_folder: "INBOX".into(),
        poll_secs: 60,
        smtp: Some(Endpoint {
            host: servers.get("MAIL_SMTP_HOST").to_owned(),
            port: i64::from(servers.smtp_port()),
            security: "plain".into(),
            user: None,
            password: None,
        }),
        unknown_senders: UnknownSenders::Customer,
        max_message_bytes: MAX_MESSAGE_BYTES,
        active: true,
    }
}

// ---------------------------------------------------------------- the messages

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Thread {
    Header,
    Token,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    New,
    Reply { parent: usize, how: Thread },
    AutoReply { parent: Option<usize> },
    Bulk,
}

impl Kind {
    fn automatic(self) -> bool {
        matches!(self, Kind::AutoReply { .. } | Kind::Bulk)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf8Bit8,
    Utf8Qp,
    Utf8Base64,
    Latin2Qp,
    Latin2Base64,
}

impl Encoding {
    fn latin2(self) -> bool {
        matches!(self, Encoding::Latin2Qp | Encoding::Latin2Base64)
    }

    fn charset(self) -> &'static str {
        if self.latin2() { "iso-8859-2" } else { "utf-8" }
    }

    fn transfer(self) -> &'static str {
        match self {
            Encoding::Utf8Bit8 => "8bit",
            Encoding::Utf8Qp | Encoding::Latin2Qp => "quoted-printable",
            Encoding::Utf8Base64 | Encoding::Latin2Base64 => "base64",
        }
    }

    /// The body part's content, in canonical form (CRLF line ends) before the encoding.
    fn encode(self, text: &str) -> String {
        let crlf = text.replace('\n', "\r\n");
        let bytes = if self.latin2() { latin2(&crlf) } else { crlf.into_bytes() };
        match self {
            Encoding::Utf8Bit8 => text.replace('\n', "\r\n"),
            Encoding::Utf8Qp | Encoding::Latin2Qp => {
                quoted_printable(&bytes.iter().copied().filter(|&b| b != b'\r').collect::<Vec<_>>())
            }
            Encoding::Utf8Base64 | Encoding::Latin2Base64 => base64_lines(&bytes),
        }
    }
}

#[derive(Debug, Clone)]
struct Attach {
    pdf: bool,
    size: usize,
    name: String,
    /// `filename*=utf-8''…` (RFC 2231) rather than an encoded word in quotes (Outlook).
    rfc2231: bool,
}

#[derive(Debug, Clone)]
struct Msg {
    /// Without angle brackets, as the register stores it.
    id: String,
    sender: usize,
    cc: Option<usize>,
    kind: Kind,
    /// Subject of a new message; the thread's subject for replies.
    subject: String,
    prefix: &'static str,
    /// The text as typed, quote included (`\n` line ends).
    text: String,
    /// A piece of `text` the stored article must contain.
    check: String,
    enc: Encoding,
    html: bool,
    attach: Option<Attach>,
    seed: u64,
}

struct Plan {
    world: World,
    msgs: Vec<Msg>,
    chunk_len: usize,
}

const REPLIES: &[&str] = &[
    "Dziękuję za odpowiedź, niestety problem nadal występuje.",
    "Po ponownym uruchomieniu działa, ale błąd wraca po kilku godzinach.",
    "Przesyłam dodatkowe informacje, o które Państwo prosili.",
    "Czy jest już jakaś informacja w tej sprawie? Recepcja czeka na rozwiązanie.",
    "Potwierdzam, po aktualizacji wszystko działa poprawnie. Dziękujemy!",
    "Sprawdziliśmy kabel i zasilanie, drukarka nadal nie odpowiada.",
    "Dzwoniłam wczoraj na infolinię, ale nikt nie oddzwonił.",
    "W załączniku zrzut ekranu z komunikatem błędu.",
    "Problem pojawił się ponownie dziś rano na stanowisku w restauracji.",
    "Prosimy o pilny kontakt telefoniczny z kierownikiem zmiany.",
    "Błąd występuje także na drugim komputerze w recepcji.",
    "Żeby było jasne: chodzi o fakturę dla grupy, nie o paragon.",
];
const PREFIXES: &[&str] = &["Re: ", "RE: ", "Odp: ", "ODP: ", "Re: Re: ", "Odp: RE: "];
const MAILERS: &[&str] = &[
    "Microsoft Outlook 16.0",
    "Mozilla Thunderbird 128.3.1",
    "Apple Mail (2.3826.100)",
    "Roundcube Webmail/1.6.9",
    "Poczta Onet",
];

/// When message `i` was written: a working day's pace, 13 s apart.
fn date_of(i: usize) -> Timestamp {
    let base = Timestamp::from_second(1_793_602_800).unwrap_or(Timestamp::UNIX_EPOCH); // 2026-11-02 07:00 UTC
    base.checked_add(jiff::SignedDuration::from_secs(i as i64 * 13)).unwrap_or(base)
}

fn rfc5322_date(t: Timestamp) -> String {
    match jiff::tz::TimeZone::get("Europe/Warsaw") {
        Ok(tz) => t.to_zoned(tz).strftime("%a, %d %b %Y %H:%M:%S %z").to_string(),
        Err(_) => t.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string(),
    }
}

/// Wraps each paragraph of `s` at `width` characters, as mail clients sending 8bit text do.
fn wrap(s: &str, width: usize) -> String {
    let mut out = String::new();
    for (k, line) in s.split('\n').enumerate() {
        if k > 0 {
            out.push('\n');
        }
        if line.starts_with('>') || line.chars().count() <= width {
            out.push_str(line);
            continue;
        }
        let mut col = 0;
        for (j, word) in line.split(' ').enumerate() {
            let len = word.chars().count();
            if j > 0 && col + 1 + len > width {
                out.push('\n');
                col = 0;
            } else if j > 0 {
                out.push(' ');
                col += 1;
            }
            out.push_str(word);
            col += len;
        }
    }
    out
}

/// ISO-8859-2 cannot say "–", "…" or typographic quotes: what a Latin-2 mail client sends.
fn latin2_safe(s: &str) -> String {
    s.replace(['–', '—'], "-").replace('…', "...").replace(['„', '”', '“'], "\"")
}

fn latin2_byte(c: char) -> u8 {
    match c {
        c if c.is_ascii() => c as u8,
        'Ą' => 0xA1,
        'Ł' => 0xA3,
        'Ś' => 0xA6,
        'Ź' => 0xAC,
        'Ż' => 0xAF,
        'ą' => 0xB1,
        'ł' => 0xB3,
        'ś' => 0xB6,
        'ź' => 0xBC,
        'ż' => 0xBF,
        'Ć' => 0xC6,
        'Ę' => 0xCA,
        'Ń' => 0xD1,
        'Ó' => 0xD3,
        'ć' => 0xE6,
        'ę' => 0xEA,
        'ń' => 0xF1,
        'ó' => 0xF3,
        _ => b'?',
    }
}

fn latin2(s: &str) -> Vec<u8> {
    s.chars().map(latin2_byte).collect()
}

fn plan(n: usize, seed: u64) -> Plan {
    let world = world(seed);
    let mut rng = Rng::new(seed);
    let chunk_len = (n / 20).max(50).min(n.max(1));
    let orgs = world.orgs.len();
    // Replies need an earlier chunk: the rate among the rest is raised so 30 % of all are.
    let reply_per_10k = if n > chunk_len { (3000 * n / (n - chunk_len) * 100 / 98).min(10_000) } else { 0 };
    let mut eligible: Vec<Vec<usize>> = vec![Vec::new(); orgs];
    let mut pending: Vec<(usize, usize)> = Vec::new();
    let mut msgs: Vec<Msg> = Vec::with_capacity(n);
    for i in 0..n {
        if i % chunk_len == 0 {
            for (o, m) in pending.drain(..) {
                eligible[o].push(m);
            }
        }
        let enc = match rng.below(100) {
            0..35 => Encoding::Utf8Bit8,
            35..60 => Encoding::Utf8Qp,
            60..75 => Encoding::Utf8Base64,
            75..90 => Encoding::Latin2Qp,
            _ => Encoding::Latin2Base64,
        };
        let roll = rng.below(10_000);
        let mut org = rng.below(orgs);
        let kind = if roll < 150 {
            Kind::AutoReply { parent: eligible[org].last().copied() }
        } else if roll < 200 {
            Kind::Bulk
        } else if rng.below(10_000) < reply_per_10k && !eligible[org].is_empty() {
            let list = &eligible[org];
            let back = rng.below(list.len().min(200));
            let parent = list[list.len() - 1 - back];
            let how = match rng.below(100) {
                0..60 => Thread::Header,
                60..85 => Thread::Token,
                _ => Thread::Both,
            };
            Kind::Reply { parent, how }
        } else {
            Kind::New
        };
        let pick_person = |rng: &mut Rng, org: usize| -> usize {
            if rng.chance(80) {
                world.known_by_org[org][rng.below(world.known_by_org[org].len())]
            } else {
                world.unknown_by_org[org][rng.below(world.unknown_by_org[org].len())]
            }
        };
        let sender = match kind {
            Kind::Bulk => {
                org = usize::MAX;
                world.bulk
            }
            Kind::Reply { parent, .. } if rng.chance(65) => msgs[parent].sender,
            _ => pick_person(&mut rng, org),
        };
        let cc = (org != usize::MAX && !kind.automatic() && rng.chance(10))
            .then(|| world.known_by_org[org][rng.below(world.known_by_org[org].len())])
            .filter(|&c| c != sender);
        let me = &world.people[sender];
        let org_name = me.org.and_then(|o| world.orgs.get(o)).map_or("", |o| o.name.as_str());
        let (subject, prefix, body, check) = match kind {
            Kind::New => {
                let subject = text::subject(&mut rng);
                let body = text::body(&mut rng);
                let sentences: Vec<&str> = body.split_inclusive(". ").map(str::trim).collect();
                let paragraphs = sentences.chunks(2).map(|c| c.join(" ")).collect::<Vec<_>>().join("\n\n");
                let check = sentences.first().copied().unwrap_or_default().to_owned();
                let typed = format!("Dzień dobry,\n\n{paragraphs}\n\nPozdrawiam\n{}\n{org_name}\n", me.name);
                (subject, "", typed, check)
            }
            Kind::Reply { parent, .. } => {
                let p = &msgs[parent];
                let first = rng.pick(REPLIES).copied().unwrap_or("Dziękuję.");
                let more = if rng.chance(40) { format!("\n\n{}", text::body(&mut rng)) } else { String::new() };
                let who = &world.people[p.sender];
                let when = date_of(parent).strftime("%d.%m.%Y o %H:%M");
                let quoted: String =
                    p.text.lines().take(25).map(|l| if l.starts_with('>') { format!(">{l}\n") } else { format!("> {l}\n") }).collect();
                let typed = format!(
                    "{first}{more}\n\n{}\n\nW dniu {when} {} <{}> napisał(a):\n{quoted}",
                    me.name, who.name, who.email
                );
                let prefix = rng.pick(PREFIXES).copied().unwrap_or("Re: ");
                (p.subject.clone(), prefix, typed, first.to_owned())
            }
            Kind::AutoReply { parent } => {
                let back = date_of(i).checked_add(jiff::SignedDuration::from_hours(24 * 7)).unwrap_or(date_of(i));
                let typed = format!(
                    "Dzień dobry,\n\ndziękuję za wiadomość. Jestem nieobecna w biurze do {}.\nW pilnych sprawach proszę o kontakt z recepcją.\n\n{}\n",
                    back.strftime("%d.%m.%Y"),
                    me.name
                );
                let subject = match parent {
                    Some(p) => format!("Odpowiedź automatyczna: {}", msgs[p].subject),
                    None => "Odpowiedź automatyczna: nieobecność w biurze".to_owned(),
                };
                (subject, "", typed, "jestem nieobecna w biurze".to_owned())
            }
            Kind::Bulk => (
                "Nowości dla hoteli – listopad 2026".to_owned(),
                "",
                "Szanowni Państwo,\n\nzapraszamy na szkolenie z obsługi gości w sezonie zimowym.\nLiczba miejsc ograniczona.\n\nZespół Partnerzy Hotelarscy\n".to_owned(),
                "zapraszamy na szkolenie".to_owned(),
            ),
        };
        let (subject, body, check) = if enc.latin2() {
            (latin2_safe(&subject), latin2_safe(&body), latin2_safe(&check))
        } else {
            (subject, body, check)
        };
        let attach = (!kind.automatic() && rng.below(10_000) < 2040).then(|| {
            let pdf = rng.chance(55);
            let size = rng.range(20 * 1024, 200 * 1024) as usize;
            let name = match (pdf, rng.below(3)) {
                (true, 0) => format!("Faktura_FV_{}_2026.pdf", rng.range(100, 9999)),
                (true, 1) => "Raport kasowy – zmiana nocna.pdf".to_owned(),
                (true, _) => format!("zamówienie_{}.pdf", rng.range(1000, 99_999)),
                (false, 0) => format!("zrzut ekranu {}.png", rng.range(1, 99)),
                (false, 1) => "Błąd drukarki.png".to_owned(),
                (false, _) => format!("image{:03}.png", rng.range(1, 999)),
            };
            let name = if enc.latin2() { latin2_safe(&name) } else { name };
            Attach { pdf, size, name, rfc2231: rng.chance(50) }
        });
        let domain = me.email.rsplit_once('@').map_or("example.pl", |(_, d)| d);
        let id = format!("{:016x}.{i}@{domain}", rng.next_u64());
        let html = rng.chance(25);
        if !kind.automatic() && org != usize::MAX {
            pending.push((org, i));
        }
        msgs.push(Msg {
            id,
            sender,
            cc,
            kind,
            subject,
            prefix,
            text: body,
            check,
            enc,
            html,
            attach,
            seed: rng.next_u64(),
        });
    }
    Plan { world, msgs, chunk_len }
}

// ---------------------------------------------------------------- encoders

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let b1 = c.get(1).copied().unwrap_or(0);
        let b2 = c.get(2).copied().unwrap_or(0);
        let n = (u32::from(c[0]) << 16) | (u32::from(b1) << 8) | u32::from(b2);
        for k in 0..4 {
            if k <= c.len() {
                out.push(char::from(B64[((n >> (18 - 6 * k)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Base64 in 76-character lines, CRLF ended.
fn base64_lines(data: &[u8]) -> String {
    let flat = base64(data);
    let mut out = String::with_capacity(flat.len() + flat.len() / 38 + 2);
    for line in flat.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push_str("\r\n");
    }
    out
}

/// Quoted-printable of `\n`-separated lines (RFC 2045), soft breaks at 76 columns.
fn quoted_printable(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3 / 2);
    for (k, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if k > 0 {
            out.push_str("\r\n");
        }
        let mut col = 0;
        for (j, &b) in line.iter().enumerate() {
            let last = j + 1 == line.len();
            let literal = ((b == b' ' || b == b'\t') && !last) || ((33..=126).contains(&b) && b != b'=');
            let width = if literal { 1 } else { 3 };
            if col + width > 75 {
                out.push_str("=\r\n");
                col = 0;
            }
            if literal {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("={b:02X}"));
            }
            col += width;
        }
    }
    out.push_str("\r\n");
    out
}

/// A header value: as is when ASCII, else RFC 2047 encoded words of whole characters.
fn header_text(s: &str, latin2_charset: bool, b: bool) -> String {
    if s.is_ascii() && !s.contains("=?") {
        return s.to_owned();
    }
    let prefix = format!("=?{}?{}?", if latin2_charset { "ISO-8859-2" } else { "UTF-8" }, if b { "B" } else { "Q" });
    let budget = 75 - prefix.len() - 2;
    let encode = |bytes: &[u8]| -> String {
        if b {
            base64(bytes)
        } else {
            bytes
                .iter()
                .map(|&c| match c {
                    b' ' => "_".to_owned(),
                    c if c.is_ascii_alphanumeric() || b"!*+-/".contains(&c) => char::from(c).to_string(),
                    c => format!("={c:02X}"),
                })
                .collect()
        }
    };
    let mut words = Vec::new();
    let mut cur: Vec<u8> = Vec::new();
    for ch in s.chars() {
        let bytes: Vec<u8> = if latin2_charset {
            vec![latin2_byte(ch)]
        } else {
            let mut buf = [0u8; 4];
            ch.encode_utf8(&mut buf).as_bytes().to_vec()
        };
        let mut trial = cur.clone();
        trial.extend_from_slice(&bytes);
        if !cur.is_empty() && encode(&trial).len() > budget {
            words.push(encode(&cur));
            cur.clear();
        }
        cur.extend_from_slice(&bytes);
    }
    if !cur.is_empty() {
        words.push(encode(&cur));
    }
    words.iter().map(|w| format!("{prefix}{w}?=")).collect::<Vec<_>>().join("\r\n ")
}

fn mailbox_header(name: &str, email: &str, latin2_charset: bool, b: bool) -> String {
    if name.is_ascii() {
        format!("\"{name}\" <{email}>")
    } else {
        format!("{} <{email}>", header_text(name, latin2_charset, b))
    }
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn attachment_bytes(a: &Attach, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut v = Vec::with_capacity(a.size + 16);
    let tail: &[u8] = if a.pdf {
        v.extend_from_slice(
            b"%PDF-1.5\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n4 0 obj\n<< /Filter /FlateDecode >>\nstream\n",
        );
        b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    } else {
        v.extend_from_slice(
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x04\x00\0\0\x03\x00\x08\x02\0\0\0\0\0\0\0\0\x01\0\0IDAT",
        );
        b"\0\0\0\0IEND\xAE\x42\x60\x82"
    };
    let body_end = a.size.saturating_sub(tail.len());
    while v.len() < body_end {
        v.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    v.truncate(body_end.max(64));
    v.extend_from_slice(tail);
    v
}

fn html_of(text: &str) -> String {
    let mut out = String::from("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html\"></head><body>\n");
    for para in text.split("\n\n") {
        let escaped = para.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('\n', "<br>\n");
        out.push_str("<p>");
        out.push_str(&escaped);
        out.push_str("</p>\n");
    }
    out.push_str("</body></html>\n");
    out
}

/// The message's bytes. `numbers[j]`: the ticket number message `j` went to (known for every
/// message of an earlier chunk), for the `[#N]` token of a reply.
fn render(plan: &Plan, i: usize, support: &str, numbers: &[Option<i64>]) -> Result<Vec<u8>> {
    let m = &plan.msgs[i];
    let w = &plan.world;
    let me = &w.people[m.sender];
    let latin2_charset = m.enc.latin2();
    let b_words = m.seed.is_multiple_of(3);
    let name = if latin2_charset { latin2_safe(&me.name) } else { me.name.clone() };
    let subject = match m.kind {
        Kind::Reply { parent, how: Thread::Token | Thread::Both } => {
            let n =
                numbers.get(parent).copied().flatten().ok_or_else(|| {
                    err(format!("message {i} answers message {parent}, whose ticket is not known yet"))
                })?;
            format!("{}[#{n}] {}", m.prefix, m.subject)
        }
        _ => format!("{}{}", m.prefix, m.subject),
    };
    let subject = if latin2_charset { latin2_safe(&subject) } else { subject };
    let mut h = String::new();
    h.push_str(&format!("From: {}\r\n", mailbox_header(&name, &me.email, latin2_charset, b_words)));
    h.push_str(&format!("To: Wsparcie techniczne <{support}>\r\n"));
    if let Some(c) = m.cc {
        let c = &w.people[c];
        let cname = if latin2_charset { latin2_safe(&c.name) } else { c.name.clone() };
        h.push_str(&format!("Cc: {}\r\n", mailbox_header(&cname, &c.email, latin2_charset, b_words)));
    }
    h.push_str(&format!("Subject: {}\r\n", header_text(&subject, latin2_charset, b_words)));
    h.push_str(&format!("Date: {}\r\n", rfc5322_date(date_of(i))));
    h.push_str(&format!("Message-ID: <{}>\r\n", m.id));
    let thread_of = |j: usize| -> Vec<String> {
        // The root and the parent (what most clients keep when the chain grows long).
        let mut root = j;
        while let Kind::Reply { parent, .. } = plan.msgs[root].kind {
            root = parent;
        }
        if root == j {
            vec![plan.msgs[j].id.clone()]
        } else {
            vec![plan.msgs[root].id.clone(), plan.msgs[j].id.clone()]
        }
    };
    match m.kind {
        Kind::Reply { parent, how: Thread::Header | Thread::Both } => {
            h.push_str(&format!("In-Reply-To: <{}>\r\n", plan.msgs[parent].id));
            let refs = thread_of(parent).iter().map(|r| format!("<{r}>")).collect::<Vec<_>>().join("\r\n ");
            h.push_str(&format!("References: {refs}\r\n"));
        }
        Kind::AutoReply { parent } => {
            if let Some(p) = parent {
                h.push_str(&format!("In-Reply-To: <{}>\r\n", plan.msgs[p].id));
            }
            h.push_str("Auto-Submitted: auto-replied\r\nX-Autoreply: yes\r\n");
        }
        Kind::Bulk => {
            h.push_str("Precedence: bulk\r\nList-Id: <nowosci.partnerzy-hotelarscy.pl>\r\n");
            h.push_str("List-Unsubscribe: <mailto:wypisz@partnerzy-hotelarscy.pl>\r\n");
        }
        _ => {}
    }
    h.push_str("MIME-Version: 1.0\r\n");
    h.push_str(&format!("X-Mailer: {}\r\n", MAILERS[(m.seed % MAILERS.len() as u64) as usize]));

    let body_text = if m.enc == Encoding::Utf8Bit8 { wrap(&m.text, 76) } else { m.text.clone() };
    let text_part = |body: &str, subtype: &str| -> String {
        format!(
            "Content-Type: text/{subtype}; charset=\"{}\"\r\nContent-Transfer-Encoding: {}\r\n\r\n{}",
            m.enc.charset(),
            m.enc.transfer(),
            m.enc.encode(body)
        )
    };
    let boundary = |kind: &str| format!("----=_{kind}_{:012x}", m.seed >> 16);
    let textual = if m.html {
        let b = boundary("Alt");
        let html = if m.enc == Encoding::Utf8Bit8 {
            // 8bit HTML lines stay short enough for SMTP.
            wrap(&html_of(&m.text), 200)
        } else {
            html_of(&m.text)
        };
        format!(
            "Content-Type: multipart/alternative; boundary=\"{b}\"\r\n\r\n--{b}\r\n{}\r\n--{b}\r\n{}\r\n--{b}--\r\n",
            text_part(&body_text, "plain"),
            text_part(&html, "html")
        )
    } else {
        text_part(&body_text, "plain")
    };
    let mut raw = h;
    match &m.attach {
        None => {
            raw.push_str(&textual);
        }
        Some(a) => {
            let b = boundary("Mix");
            let ctype = if a.pdf { "application/pdf" } else { "image/png" };
            let (ct_name, disposition) = if a.rfc2231 {
                let fallback = ascii_name(&a.name);
                (format!("name=\"{fallback}\""), format!("attachment;\r\n filename*=utf-8''{}", percent(&a.name)))
            } else {
                let enc = header_text(&a.name, latin2_charset, true);
                (format!("name=\"{enc}\""), format!("attachment;\r\n filename=\"{enc}\""))
            };
            raw.push_str(&format!("Content-Type: multipart/mixed; boundary=\"{b}\"\r\n\r\nThis is a multi-part message in MIME format.\r\n\r\n--{b}\r\n"));
            raw.push_str(&textual);
            raw.push_str(&format!(
                "\r\n--{b}\r\nContent-Type: {ctype}; {ct_name}\r\nContent-Disposition: {disposition}\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            ));
            raw.push_str(&base64_lines(&attachment_bytes(a, m.seed)));
            raw.push_str(&format!("\r\n--{b}--\r\n"));
        }
    }
    Ok(raw.into_bytes())
}

// ---------------------------------------------------------------- a little IMAP

/// One untagged response: its text with literals cut out, and the literals.
struct Untagged {
    text: String,
    literals: Vec<Vec<u8>>,
}

/// A minimal blocking IMAP client for what the bench itself needs from Dovecot (message
/// counts, UID order, APPEND); deskbell's own reading goes through `deskbell-mailnet`.
struct Imap {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    tag: u32,
}

impl Imap {
    fn connect(host: &str, port: u16, user: &str, password: &str) -> Result<Imap> {
        let s = TcpStream::connect((host, port))?;
        s.set_read_timeout(Some(Duration::from_secs(120)))?;
        s.set_nodelay(true)?;
        let mut imap = Imap { reader: BufReader::new(s.try_clone()?), writer: s, tag: 0 };
        let mut greeting = Vec::new();
        imap.reader.read_until(b'\n', &mut greeting)?;
        if !greeting.starts_with(b"* OK") {
            return Err(err(format!("IMAP greeting: {}", String::from_utf8_lossy(&greeting))));
        }
        imap.command(&format!("LOGIN \"{user}\" \"{password}\""))?;
        Ok(imap)
    }

    fn line(&mut self) -> Result<Vec<u8>> {
        let mut line = Vec::new();
        if self.reader.read_until(b'\n', &mut line)? == 0 {
            return Err(err("the IMAP server closed the connection"));
        }
        Ok(line)
    }

    /// The literal size a line ends with (`{123}\r\n`).
    fn literal_len(line: &[u8]) -> Option<usize> {
        let l = line.strip_suffix(b"\r\n")?.strip_suffix(b"}")?;
        let open = l.iter().rposition(|&b| b == b'{')?;
        std::str::from_utf8(&l[open + 1..]).ok()?.parse().ok()
    }

    fn read_until_tagged(&mut self, tag: &str) -> Result<Vec<Untagged>> {
        let mut out = Vec::new();
        loop {
            let mut line = self.line()?;
            if line.starts_with(tag.as_bytes()) && line.get(tag.len()) == Some(&b' ') {
                let rest = String::from_utf8_lossy(&line[tag.len() + 1..]).trim().to_owned();
                if rest.starts_with("OK") {
                    return Ok(out);
                }
                return Err(err(format!("IMAP: {rest}")));
            }
            let mut item = Untagged { text: String::new(), literals: Vec::new() };
            loop {
                match Self::literal_len(&line) {
                    Some(n) => {
                        item.text.push_str(&String::from_utf8_lossy(&line));
                        let mut lit = vec![0u8; n];
                        self.reader.read_exact(&mut lit)?;
                        item.literals.push(lit);
                        line = self.line()?;
                    }
                    None => {
                        item.text.push_str(&String::from_utf8_lossy(&line));
                        break;
                    }
                }
            }
            out.push(item);
        }
    }

    fn command(&mut self, cmd: &str) -> Result<Vec<Untagged>> {
        self.tag += 1;
        let tag = format!("b{}", self.tag);
        self.writer.write_all(format!("{tag} {cmd}\r\n").as_bytes())?;
        self.read_until_tagged(&tag)
    }

    /// Messages in the folder.
    fn count(&mut self, folder: &str) -> Result<usize> {
        for r in self.command(&format!("STATUS {folder} (MESSAGES)"))? {
            if let Some(at) = r.text.find("MESSAGES ") {
                let digits: String = r.text[at + 9..].chars().take_while(char::is_ascii_digit).collect();
                return digits.parse().map_err(err);
            }
        }
        Err(err("IMAP STATUS did not say MESSAGES"))
    }

    /// `(uid, Message-ID)` of the messages above `after`, in UID order.
    fn message_ids_after(&mut self, folder: &str, after: u32) -> Result<Vec<(u32, String)>> {
        self.command(&format!("EXAMINE {folder}"))?;
        let mut out = Vec::new();
        for r in self.command(&format!("UID FETCH {}:* (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])", after + 1))? {
            let Some(at) = r.text.find("UID ") else { continue };
            let digits: String = r.text[at + 4..].chars().take_while(char::is_ascii_digit).collect();
            let Ok(uid) = digits.parse::<u32>() else { continue };
            if uid <= after {
                continue;
            }
            let header = r.literals.first().map(|l| String::from_utf8_lossy(l).into_owned()).unwrap_or_default();
            let id = header.split_once('<').and_then(|(_, rest)| rest.split_once('>')).map(|(id, _)| id.to_owned());
            out.push((uid, id.unwrap_or_default()));
        }
        out.sort_unstable();
        Ok(out)
    }

    fn append(&mut self, folder: &str, raw: &[u8]) -> Result<()> {
        self.tag += 1;
        let tag = format!("b{}", self.tag);
        self.writer.write_all(format!("{tag} APPEND {folder} {{{}}}\r\n", raw.len()).as_bytes())?;
        let go = self.line()?;
        if !go.starts_with(b"+") {
            return Err(err(format!("IMAP APPEND refused: {}", String::from_utf8_lossy(&go))));
        }
        self.writer.write_all(raw)?;
        self.writer.write_all(b"\r\n")?;
        self.read_until_tagged(&tag).map(|_| ())
    }

    fn logout(mut self) {
        let _ = self.command("LOGOUT");
    }
}

// ---------------------------------------------------------------- delivery

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expected {
    Ticket(i64),
    Reply(i64),
    Automatic,
}

impl Expected {
    fn number(self) -> Option<i64> {
        match self {
            Expected::Ticket(n) | Expected::Reply(n) => Some(n),
            Expected::Automatic => None,
        }
    }

    fn outcome(self) -> &'static str {
        match self {
            Expected::Ticket(_) => "ticket",
            Expected::Reply(_) => "reply",
            Expected::Automatic => "auto",
        }
    }
}

struct Delivered {
    /// What the intake makes of each message, worked out in UID order.
    expected: Vec<Option<Expected>>,
    took: Duration,
    bytes: usize,
    how: String,
}

struct Mailnet {
    host: String,
    port: u16,
    address: String,
    password: String,
}

impl Mailnet {
    fn connect(&self) -> Result<Imap> {
        Imap::connect(&self.host, self.port, &self.address, &self.password)
    }
}

async fn deliver(plan: Arc<Plan>, servers: &'static Servers, net: Arc<Mailnet>, args: &MailArgs) -> Result<Delivered> {
    let n = plan.msgs.len();
    let ids: HashMap<String, usize> = plan.msgs.iter().enumerate().map(|(i, m)| (m.id.clone(), i)).collect();
    let mut order = Vec::with_capacity(n);
    let mut expected: Vec<Option<Expected>> = vec![None; n];
    let mut next_number = 0i64;
    let mut last_uid = 0u32;
    let mut bytes = 0usize;
    let start = Instant::now();
    let append = match args.deliver.as_str() {
        "smtp" => false,
        "append" => true,
        other => return Err(err(format!("unknown delivery `{other}` (smtp or append)"))),
    };
    let smtp = servers.smtp();
    for (c, range) in (0..n).step_by(plan.chunk_len).map(|s| s..(s + plan.chunk_len).min(n)).enumerate() {
        let numbers: Vec<Option<i64>> = expected.iter().map(|e| e.and_then(Expected::number)).collect();
        let mut jobs = Vec::with_capacity(range.len());
        for i in range.clone() {
            let raw = render(&plan, i, &net.address, &numbers)?;
            bytes += raw.len();
            let m = &plan.msgs[i];
            let from = match m.kind {
                // RFC 3834: automatic answers go with the null return path.
                Kind::AutoReply { .. } => String::new(),
                Kind::Bulk => "bounces@partnerzy-hotelarscy.pl".to_owned(),
                _ => plan.world.people[m.sender].email.clone(),
            };
            jobs.push((from, raw));
        }
        if append {
            let net = net.clone();
            blocking(move || {
                let mut imap = net.connect()?;
                for (_, raw) in &jobs {
                    imap.append("INBOX", raw)?;
                }
                imap.logout();
                Ok(())
            })
            .await?;
        } else {
            let jobs = Arc::new(jobs);
            let next = Arc::new(AtomicUsize::new(0));
            let mut tasks = Vec::new();
            for _ in 0..args.senders.max(1) {
                let (jobs, next, smtp, to) = (jobs.clone(), next.clone(), smtp.clone(), net.address.clone());
                tasks.push(tokio::spawn(async move {
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some((from, raw)) = jobs.get(k) else { return Ok::<_, String>(()) };
                        let mut attempt = 0;
                        loop {
                            match deskbell_mailnet::send(&smtp, from, std::slice::from_ref(&to), raw).await {
                                Ok(()) => break,
                                Err(e) if !e.permanent && attempt < 5 => {
                                    attempt += 1;
                                    tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
                                }
                                Err(e) => return Err(format!("SMTP delivery of a message failed: {e}")),
                            }
                        }
                    }
                }));
            }
            for t in tasks {
                t.await.map_err(err)?.map_err(err)?;
            }
        }
        // Wait until Postfix has handed the whole chunk to Dovecot.
        let want = range.end;
        let net2 = net.clone();
        let fresh = blocking(move || {
            let mut imap = net2.connect()?;
            let mut last = (0, Instant::now());
            loop {
                let have = imap.count("INBOX")?;
                if have >= want {
                    break;
                }
                if have != last.0 {
                    last = (have, Instant::now());
                } else if last.1.elapsed() > Duration::from_secs(90) {
                    return Err(err(format!("only {have} of {want} messages arrived in the mailbox")));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let fresh = imap.message_ids_after("INBOX", last_uid)?;
            imap.logout();
            Ok(fresh)
        })
        .await?;
        for (uid, id) in fresh {
            let i = *ids.get(&id).ok_or_else(|| err(format!("the mailbox holds a message I did not send: <{id}>")))?;
            last_uid = last_uid.max(uid);
            // What the intake will make of it, in this order.
            expected[i] = Some(match plan.msgs[i].kind {
                Kind::New => {
                    next_number += 1;
                    Expected::Ticket(next_number)
                }
                Kind::Reply { parent, .. } => Expected::Reply(
                    expected[parent]
                        .and_then(Expected::number)
                        .ok_or_else(|| err(format!("message {i} arrived before the one it answers ({parent})")))?,
                ),
                Kind::AutoReply { .. } | Kind::Bulk => Expected::Automatic,
            });
            order.push(i);
        }
        if order.len() != range.end {
            return Err(err(format!(
                "after chunk {c} the mailbox holds {} messages, expected {}",
                order.len(),
                range.end
            )));
        }
        eprintln!(
            "  delivered {}/{n} ({:.0}/s){}",
            range.end,
            range.end as f64 / start.elapsed().as_secs_f64(),
            if append { " by IMAP APPEND" } else { " over SMTP" }
        );
    }
    let how = if append {
        "IMAP APPEND into Dovecot".to_owned()
    } else {
        format!("SMTP to Postfix → LMTP → Dovecot, {} clients", args.senders.max(1))
    };
    Ok(Delivered { expected, took: start.elapsed(), bytes, how })
}

// ---------------------------------------------------------------- checking

#[derive(Debug, Default)]
struct Check {
    tickets: usize,
    replies: usize,
    automatic: usize,
    quarantined: usize,
    lost: usize,
    duplicates: usize,
    /// Outcome or ticket number other than the one worked out from the UID order.
    thread_mismatches: usize,
    /// Ticket subject or article text other than what was sent.
    decode_mismatches: usize,
    tickets_in_db: usize,
    articles_from_mail: usize,
    attachments: usize,
    samples: Vec<String>,
}

impl Check {
    fn sample(&mut self, s: String) {
        if self.samples.len() < 8 {
            self.samples.push(s);
        }
    }
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn check(store: &Store, mailbox_id: i64, plan: &Plan, expected: &[Option<Expected>]) -> Result<Check> {
    type Register = Vec<(Option<String>, String, Option<i64>)>;
    type Fetched = (Register, Vec<(i64, i64, String)>, Vec<(String, String)>, i64, i64);
    let (register, tickets, articles, quarantined, attachments): Fetched = store
        .read(|tx| {
            let register = tx
                .query(
                    "SELECT message_id, outcome, ticket_id FROM mail_messages WHERE mailbox_id = $1 ORDER BY id",
                    params![mailbox_id],
                )?
                .iter()
                .map(|r| Ok((r.opt_str(0)?, r.str(1)?, r.opt_i64(2)?)))
                .collect::<std::result::Result<Vec<_>, StoreError>>()?;
            let tickets = tx
                .query("SELECT id, number, subject FROM tickets", &[])?
                .iter()
                .map(|r| Ok((r.i64(0)?, r.i64(1)?, r.str(2)?)))
                .collect::<std::result::Result<Vec<_>, StoreError>>()?;
            let articles = tx
                .query("SELECT message_id, body FROM articles WHERE message_id IS NOT NULL", &[])?
                .iter()
                .map(|r| Ok((r.str(0)?, r.str(1)?)))
                .collect::<std::result::Result<Vec<_>, StoreError>>()?;
            let q = tx
                .query_one("SELECT COUNT(*) FROM mail_quarantine WHERE mailbox_id = $1", params![mailbox_id])?
                .i64(0)?;
            let a = tx.query_one("SELECT COUNT(*) FROM attachments", &[])?.i64(0)?;
            Ok::<_, StoreError>((register, tickets, articles, q, a))
        })
        .map_err(err)?;
    let mut c = Check {
        quarantined: usize::try_from(quarantined).unwrap_or_default(),
        attachments: usize::try_from(attachments).unwrap_or_default(),
        tickets_in_db: tickets.len(),
        ..Check::default()
    };
    let number_of: HashMap<i64, (i64, &str)> = tickets.iter().map(|(id, n, s)| (*id, (*n, s.as_str()))).collect();
    let mut rows: HashMap<&str, Vec<(&str, Option<i64>)>> = HashMap::new();
    for (mid, outcome, ticket) in &register {
        match outcome.as_str() {
            "ticket" => c.tickets += 1,
            "reply" => c.replies += 1,
            "auto" | "bounce" => c.automatic += 1,
            _ => {}
        }
        if let Some(mid) = mid {
            rows.entry(mid.as_str()).or_default().push((outcome.as_str(), *ticket));
        }
    }
    let mut bodies: HashMap<&str, Vec<&str>> = HashMap::new();
    for (mid, body) in &articles {
        bodies.entry(mid.as_str()).or_default().push(body.as_str());
    }
    c.articles_from_mail = articles.len();
    for (i, m) in plan.msgs.iter().enumerate() {
        let Some(found) = rows.get(m.id.as_str()) else {
            c.lost += 1;
            c.sample(format!("lost: message {i} <{}>", m.id));
            continue;
        };
        if found.len() > 1 {
            c.duplicates += found.len() - 1;
            c.sample(format!("registered {} times: message {i} <{}>", found.len(), m.id));
        }
        let arts = bodies.get(m.id.as_str()).map_or(&[][..], Vec::as_slice);
        if arts.len() > 1 {
            c.duplicates += arts.len() - 1;
            c.sample(format!("{} articles from message {i} <{}>", arts.len(), m.id));
        }
        let (outcome, ticket) = found[0];
        let number = ticket.and_then(|t| number_of.get(&t)).map(|(n, _)| *n);
        if let Some(want) = expected.get(i).copied().flatten()
            && (want.outcome() != outcome || want.number() != number)
        {
            c.thread_mismatches += 1;
            c.sample(format!("message {i} ({:?}): expected {want:?}, got {outcome} in ticket {number:?}", m.kind));
        }
        if outcome == "ticket"
            && let Some((_, subject)) = ticket.and_then(|t| number_of.get(&t))
            && squash(subject) != squash(&m.subject)
        {
            c.decode_mismatches += 1;
            c.sample(format!("message {i} ({:?}): subject {subject:?}, sent {:?}", m.enc, m.subject));
        }
        if !m.kind.automatic() {
            match arts.first() {
                Some(body) if squash(body).contains(&squash(&m.check)) => {}
                Some(body) => {
                    c.decode_mismatches += 1;
                    let head: String = body.chars().take(120).collect();
                    c.sample(format!("message {i} ({:?}): text {head:?} lacks {:?}", m.enc, m.check));
                }
                None if outcome == "ticket" || outcome == "reply" => {
                    c.lost += 1;
                    c.sample(format!("message {i}: registered as {outcome} without an article"));
                }
                None => {}
            }
        }
    }
    // A ticket no register row names was opened by a message stored twice.
    let registered_tickets = register.iter().filter(|r| r.1 == "ticket").count();
    if tickets.len() > registered_tickets {
        c.duplicates += tickets.len() - registered_tickets;
        c.sample(format!("{} tickets that no register row names", tickets.len() - registered_tickets));
    }
    Ok(c)
}

// ---------------------------------------------------------------- ingest

#[derive(Debug, Default)]
struct Ingest {
    wall: Duration,
    passes: Vec<(Duration, usize)>,
    stored: usize,
    duplicates: usize,
    quarantined: usize,
    errors: Vec<String>,
}

fn register_count(store: &Store, mailbox_id: i64) -> Result<usize> {
    let n = store
        .read(|tx| {
            tx.query_one("SELECT COUNT(*) FROM mail_messages WHERE mailbox_id = $1", params![mailbox_id])?.i64(0)
        })
        .map_err(err)?;
    Ok(usize::try_from(n).unwrap_or_default())
}

/// `poll_once` until every one of `n` messages is registered and a pass fetches nothing.
async fn ingest_all(store: &Store, mailbox: &Mailbox, n: usize, progress: bool) -> Result<Ingest> {
    let mut run = Ingest::default();
    let start = Instant::now();
    let mut last_report = Instant::now();
    let mut done = false;
    let mut idle_since: Option<Instant> = None;
    loop {
        let t = Instant::now();
        match poller::poll_once(store, mailbox, LIMITS, Timestamp::now()).await {
            Ok(p) => {
                if p.fetched > 0 {
                    run.passes.push((t.elapsed(), p.fetched));
                    idle_since = None;
                }
                run.stored += p.stored;
                run.duplicates += p.duplicates;
                run.quarantined += p.quarantined;
                if !done && run.stored + run.quarantined >= n {
                    run.wall = start.elapsed();
                    done = true;
                }
                if p.fetched == 0 {
                    let s = store.clone();
                    let id = mailbox.id;
                    let have = blocking(move || register_count(&s, id)).await?;
                    if have >= n {
                        if !done {
                            run.wall = start.elapsed();
                        }
                        return Ok(run);
                    }
                    let since = *idle_since.get_or_insert_with(Instant::now);
                    if since.elapsed() > Duration::from_secs(30) {
                        return Err(err(format!(
                            "the mailbox has nothing more to fetch, yet only {have} of {n} are stored"
                        )));
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
            Err(e) => {
                run.errors.push(e.clone());
                if run.errors.len() > 20 {
                    return Err(err(format!("polling keeps failing: {e}")));
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
        if progress && last_report.elapsed() > Duration::from_secs(10) {
            last_report = Instant::now();
            let d = run.stored + run.quarantined + run.duplicates;
            eprintln!("  ingested {d}/{n} ({:.0}/s)", d as f64 / start.elapsed().as_secs_f64());
        }
    }
}

/// Fresh database of `backend` with the world and the mailbox row.
async fn fresh_db(backend: Backend, plan: &Arc<Plan>, input: &MailboxInput) -> Result<(TestDb, Store, Mailbox)> {
    let (plan, input) = (plan.clone(), input.clone());
    blocking(move || {
        let db = TestDb::new(backend).ok_or("PostgreSQL is unreachable")?;
        let store = Store::open(&db.url, &StoreOptions { pool_size: 8 }).map_err(err)?;
        store.migrate().map_err(err)?;
        let mailbox = store.write(|tx| seed_db(tx, &plan.world, &input, Timestamp::now())).map_err(err)?;
        Ok((db, store, mailbox))
    })
    .await
}

fn backend_name(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    }
}

fn describe(plan: &Plan, d: &Delivered) -> String {
    let n = plan.msgs.len();
    let mut header = 0;
    let mut token = 0;
    let mut both = 0;
    let mut auto = 0;
    let mut latin2 = 0;
    let mut attach = 0;
    for m in &plan.msgs {
        match m.kind {
            Kind::Reply { how: Thread::Header, .. } => header += 1,
            Kind::Reply { how: Thread::Token, .. } => token += 1,
            Kind::Reply { how: Thread::Both, .. } => both += 1,
            Kind::AutoReply { .. } | Kind::Bulk => auto += 1,
            Kind::New => {}
        }
        latin2 += usize::from(m.enc.latin2());
        attach += usize::from(m.attach.is_some());
    }
    format!(
        "{n} messages ({:.1} MB): {attach} with a PDF/PNG attachment, {} replies ({header} by In-Reply-To/References, \
         {token} by [#N] only, {both} both), {auto} automatic, {latin2} in ISO-8859-2\n  \
         delivered by {} in {:.1} s ({:.0}/s; not part of the figure below)",
        d.bytes as f64 / 1e6,
        header + token + both,
        d.how,
        d.took.as_secs_f64(),
        n as f64 / d.took.as_secs_f64()
    )
}

fn expected_counts(d: &Delivered) -> (usize, usize, usize) {
    let mut t = (0, 0, 0);
    for e in d.expected.iter().flatten() {
        match e {
            Expected::Ticket(_) => t.0 += 1,
            Expected::Reply(_) => t.1 += 1,
            Expected::Automatic => t.2 += 1,
        }
    }
    t
}

fn print_check(c: &Check, d: &Delivered) {
    let (et, er, ea) = expected_counts(d);
    println!(
        "  tickets / replies threaded / automatic / quarantined   {} / {} / {} / {}   (expected {et} / {er} / {ea} / 0)",
        c.tickets, c.replies, c.automatic, c.quarantined
    );
    println!(
        "  in the database                       {} tickets, {} articles from mail, {} attachments",
        c.tickets_in_db, c.articles_from_mail, c.attachments
    );
    println!("  threading / decoding mismatches       {} / {}", c.thread_mismatches, c.decode_mismatches);
    println!("  lost: {}, duplicates: {}", c.lost, c.duplicates);
    for s in &c.samples {
        println!("    {s}");
    }
}

async fn setup(args: &MailArgs) -> Result<(Arc<Plan>, &'static Servers, Arc<Mailnet>, Delivered)> {
    let t = Instant::now();
    let plan = Arc::new(plan(args.messages, args.seed));
    eprintln!("  generated the plan of {} messages in {:.1} s", plan.msgs.len(), t.elapsed().as_secs_f64());
    let servers =
        blocking(|| deskbell_mailnet::testing::servers().ok_or_else(|| err("no mail servers (see above)"))).await?;
    let address = blocking(|| Ok(servers.new_mailbox("bench"))).await?;
    let net = Arc::new(Mailnet {
        host: servers.get("MAIL_IMAP_HOST").to_owned(),
        port: servers.imap_port(),
        address,
        password: servers.password().to_owned(),
    });
    let delivered = deliver(plan.clone(), servers, net.clone(), args).await?;
    Ok((plan, servers, net, delivered))
}

pub async fn run(args: &MailArgs) -> Result<()> {
    if args.messages == 0 {
        return Err(err("--messages must be at least 1"));
    }
    if args.kill_test {
        return kill_test(args).await;
    }
    let backends = match args.backend.as_str() {
        "sqlite" => vec![Backend::Sqlite],
        "postgres" => vec![Backend::Postgres],
        "both" => vec![Backend::Sqlite, Backend::Postgres],
        other => return Err(err(format!("unknown backend `{other}`"))),
    };
    let (plan, servers, net, delivered) = setup(args).await?;
    let n = plan.msgs.len();
    let input = mailbox_input(servers, &net.address);
    let mut failed = false;
    for backend in backends {
        let (db, store, mailbox) = fresh_db(backend, &plan, &input).await?;
        let t = Instant::now();
        let run = ingest_all(&store, &mailbox, n, true).await?;
        let (s2, id) = (store.clone(), mailbox.id);
        let (p2, e2) = (plan.clone(), delivered.expected.clone());
        let c = blocking(move || check(&s2, id, &p2, &e2)).await?;
        // The IMAP side alone: the same batches fetched again without storing anything.
        let cfg = poller::imap_config(&mailbox).ok_or_else(|| err("the mailbox has no IMAP settings"))?;
        let tf = Instant::now();
        let (mut validity, mut after, mut fetched) = (None, 0u32, 0usize);
        loop {
            let b = deskbell_mailnet::fetch_after(
                &cfg,
                validity,
                after,
                100,
                usize::try_from(MAX_MESSAGE_BYTES).unwrap_or(usize::MAX),
            )
            .await
            .map_err(err)?;
            validity = Some(b.uid_validity);
            fetched += b.messages.len();
            after = b.messages.last().map_or(after, |m| m.uid);
            if !b.more {
                break;
            }
        }
        let fetch_alone = tf.elapsed();
        let total = t.elapsed();

        let rate = n as f64 / run.wall.as_secs_f64();
        let mut per_msg: Vec<f64> =
            run.passes.iter().map(|(d, k)| d.as_secs_f64() * 1000.0 / (*k).max(1) as f64).collect();
        per_msg.sort_by(f64::total_cmp);
        println!("\nMail intake — {} — {}", backend_name(backend), describe(&plan, &delivered));
        let target = if backend == Backend::Sqlite {
            format!("≥ {TARGET_PER_SEC:.0}/s   {}", verdict(rate >= TARGET_PER_SEC))
        } else {
            String::new()
        };
        println!(
            "  ingest over IMAP, end to end          {rate:.0} messages/s ({:.1} s for {n}, {} passes of poll_once)   {target}",
            run.wall.as_secs_f64(),
            run.passes.len()
        );
        println!(
            "  per message within a pass, p50 / p99  {:.2} / {:.2} ms (pass time / messages, over the passes)",
            percentile(&per_msg, 0.5),
            percentile(&per_msg, 0.99)
        );
        println!(
            "  IMAP fetch alone, same batches        {:.1} s for {fetched} ({:.0}% of the ingest time); intake ≈ {:.2} ms/message",
            fetch_alone.as_secs_f64(),
            100.0 * fetch_alone.as_secs_f64() / run.wall.as_secs_f64(),
            (run.wall.as_secs_f64() - fetch_alone.as_secs_f64()).max(0.0) * 1000.0 / n as f64
        );
        if !run.errors.is_empty() {
            println!("  poll errors (retried): {}: {}", run.errors.len(), run.errors[0]);
        }
        print_check(&c, &delivered);
        println!("  ingest, checks and the fetch-alone pass took {:.1} s", total.as_secs_f64());
        failed |= c.lost > 0 || c.duplicates > 0;
        if args.profile {
            profile(backend, &plan, &input, &cfg).await?;
        }
        drop(store);
        drop(db);
    }
    if failed { Err(err("messages were lost or stored twice (see above)")) } else { Ok(()) }
}

// ---------------------------------------------------------------- profile

async fn profile(
    backend: Backend,
    plan: &Arc<Plan>,
    input: &MailboxInput,
    cfg: &deskbell_mailnet::ImapConfig,
) -> Result<()> {
    let t = Instant::now();
    let mut raws = Vec::new();
    let (mut validity, mut after) = (None, 0u32);
    loop {
        let b = deskbell_mailnet::fetch_after(
            cfg,
            validity,
            after,
            100,
            usize::try_from(MAX_MESSAGE_BYTES).unwrap_or(usize::MAX),
        )
        .await
        .map_err(err)?;
        validity = Some(b.uid_validity);
        after = b.messages.last().map_or(after, |m| m.uid);
        let more = b.more;
        raws.extend(b.messages.into_iter().map(|m| (b.uid_validity, m)));
        if !more {
            break;
        }
    }
    let fetch = t.elapsed();
    let (_db, store, mailbox) = fresh_db(backend, plan, input).await?;
    blocking(move || {
        let mut parse = Vec::new();
        let mut all = Vec::new();
        let mut by: HashMap<&'static str, Vec<f64>> = HashMap::new();
        let t = Instant::now();
        for (validity, m) in &raws {
            let tp = Instant::now();
            let parsed = deskbell_mail::parse(&m.raw, &deskbell_mail::Limits { max_bytes: MAX_MESSAGE_BYTES as usize });
            parse.push(tp.elapsed().as_secs_f64() * 1000.0);
            let attached = parsed.as_ref().is_ok_and(|p| !p.attachments.is_empty());
            let source = Source { label: format!("imap uid {}", m.uid), checkpoint: Some((i64::from(*validity), i64::from(m.uid))) };
            let ti = Instant::now();
            let outcome = intake::ingest(&store, &mailbox, &m.raw, &source, LIMITS, Timestamp::now()).map_err(err)?;
            let ms = ti.elapsed().as_secs_f64() * 1000.0;
            all.push(ms);
            let key = match (&outcome, attached) {
                (Outcome::Ticket { .. }, false) => "new ticket",
                (Outcome::Ticket { .. }, true) => "new ticket + attachment",
                (Outcome::Reply { .. }, false) => "reply",
                (Outcome::Reply { .. }, true) => "reply + attachment",
                (Outcome::Automatic | Outcome::Bounce { .. }, _) => "automatic",
                (Outcome::Duplicate, _) => "duplicate",
                (Outcome::Quarantined { .. }, _) => "quarantined",
            };
            by.entry(key).or_default().push(ms);
        }
        let replay = t.elapsed();
        let tc = Instant::now();
        let commits = 300;
        for _ in 0..commits {
            store
                .write(|tx| tx.execute("UPDATE mailboxes SET last_poll_at = $2 WHERE id = $1", params![mailbox.id, Timestamp::now()]))
                .map_err(err)?;
        }
        let commit = tc.elapsed().as_secs_f64() * 1000.0 / f64::from(commits);
        all.sort_by(f64::total_cmp);
        parse.sort_by(f64::total_cmp);
        let n = all.len();
        println!("  profile ({}, in process, {n} messages):", backend_name(backend));
        println!("    IMAP fetch of everything           {:.1} s ({:.0}/s)", fetch.as_secs_f64(), n as f64 / fetch.as_secs_f64());
        println!(
            "    intake::ingest one by one          {:.1} s ({:.0}/s); per message p50 / p99 / max {:.2} / {:.2} / {:.2} ms",
            replay.as_secs_f64(),
            n as f64 / replay.as_secs_f64(),
            percentile(&all, 0.5),
            percentile(&all, 0.99),
            all.last().copied().unwrap_or(f64::NAN)
        );
        println!(
            "    of which MIME parse (measured apart) p50 / p99 {:.2} / {:.2} ms, total {:.1} s",
            percentile(&parse, 0.5),
            percentile(&parse, 0.99),
            parse.iter().sum::<f64>() / 1000.0
        );
        println!("    a bare one-row commit              {commit:.2} ms");
        let mut keys: Vec<_> = by.into_iter().collect();
        keys.sort_by_key(|(k, _)| *k);
        for (k, mut v) in keys {
            v.sort_by(f64::total_cmp);
            println!(
                "    {k:<34} {:>5} × p50 {:.2} / p99 {:.2} ms",
                v.len(),
                percentile(&v, 0.5),
                percentile(&v, 0.99)
            );
        }
        Ok(())
    })
    .await
}

// ---------------------------------------------------------------- the SIGKILL test

/// The killed and restarted process: polls until `expect` messages are registered.
pub async fn child(args: &ChildArgs) -> Result<()> {
    let (url, id) = (args.db.clone(), args.mailbox);
    let (store, mailbox) = blocking(move || {
        let store = Store::open(&url, &StoreOptions { pool_size: 4 }).map_err(err)?;
        let mailbox = store.read(|tx| store_mail::mailbox(tx, id)).map_err(err)?;
        Ok((store, mailbox))
    })
    .await?;
    let run = ingest_all(&store, &mailbox, args.expect, false).await?;
    eprintln!(
        "  child {}: stored {}, found {} already stored, quarantined {}, in {:.1} s",
        std::process::id(),
        run.stored,
        run.duplicates,
        run.quarantined,
        run.wall.as_secs_f64()
    );
    Ok(())
}

struct Kill {
    threshold: usize,
    at_kill: usize,
    after: usize,
    ran: Duration,
}

fn jitter() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| u64::from(d.subsec_nanos()))
}

fn spawn_child(url: &str, mailbox: i64, n: usize) -> Result<std::process::Child> {
    let exe = std::env::current_exe()?;
    Ok(Command::new(exe)
        .args(["mail-child", "--db", url, "--mailbox", &mailbox.to_string(), "--expect", &n.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?)
}

async fn kill_test(args: &MailArgs) -> Result<()> {
    let (plan, servers, net, delivered) = setup(args).await?;
    let n = plan.msgs.len();
    let input = mailbox_input(servers, &net.address);
    let (db, store, mailbox) = fresh_db(Backend::Sqlite, &plan, &input).await?;
    let url = db.url.clone();
    let kills = args.kills;
    let t0 = Instant::now();
    let (s2, id) = (store.clone(), mailbox.id);
    let (kill_log, last_run) = blocking(move || {
        let mut log = Vec::new();
        let mut rng = Rng::new(jitter());
        for k in 0..kills {
            // ≈30 % first, ≈65 % last, a few per cent later at random.
            let base = if kills > 1 { 30 + 35 * k / (kills - 1) } else { 30 };
            let pct = base as f64 + rng.range(0, 60) as f64 / 10.0;
            let threshold = ((n as f64 * pct / 100.0) as usize).clamp(1, n.saturating_sub(1).max(1));
            let started = Instant::now();
            let mut child = spawn_child(&url, id, n)?;
            let at_kill = loop {
                std::thread::sleep(Duration::from_millis(5));
                let have = register_count(&s2, id)?;
                if have >= threshold {
                    // Somewhere inside the next message or two, not right at a commit.
                    std::thread::sleep(Duration::from_micros(rng.range(0, 30_000)));
                    break have;
                }
                if let Some(status) = child.try_wait()? {
                    return Err(err(format!("the child ended ({status}) before it could be killed at {threshold}")));
                }
                if started.elapsed() > Duration::from_secs(600) {
                    let _ = child.kill();
                    return Err(err("the child made no progress for ten minutes"));
                }
            };
            child.kill()?; // SIGKILL on Unix
            let status = child.wait()?;
            let after = register_count(&s2, id)?;
            eprintln!("  killed the child at {after} registered ({status})");
            log.push(Kill { threshold, at_kill, after, ran: started.elapsed() });
        }
        let started = Instant::now();
        let mut child = spawn_child(&url, id, n)?;
        loop {
            if let Some(status) = child.try_wait()? {
                if !status.success() {
                    return Err(err(format!("the last child failed: {status}")));
                }
                break;
            }
            if started.elapsed() > Duration::from_secs(1800) {
                let _ = child.kill();
                return Err(err("the last child did not finish in 30 minutes"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok((log, started.elapsed()))
    })
    .await?;
    let total = t0.elapsed();
    let (s3, p3, e3) = (store.clone(), plan.clone(), delivered.expected.clone());
    let c = blocking(move || check(&s3, id, &p3, &e3)).await?;
    println!("\nMail intake — SIGKILL test — SQLite file — {}", describe(&plan, &delivered));
    for (k, kill) in kill_log.iter().enumerate() {
        println!(
            "  kill {} (SIGKILL) once ≥ {} registered: {} seen registered, {} committed when it died, after {:.1} s",
            k + 1,
            kill.threshold,
            kill.at_kill,
            kill.after,
            kill.ran.as_secs_f64()
        );
    }
    println!(
        "  restarted child finished the rest in {:.1} s; whole ingest {:.1} s",
        last_run.as_secs_f64(),
        total.as_secs_f64()
    );
    let non_auto = plan.msgs.iter().filter(|m| !m.kind.automatic()).count();
    println!(
        "  tickets + replies = {} (non-automatic messages: {non_auto})   {}",
        c.tickets + c.replies,
        verdict(c.tickets + c.replies == non_auto)
    );
    print_check(&c, &delivered);
    let ok = c.lost == 0 && c.duplicates == 0 && c.tickets + c.replies == non_auto;
    println!("  exactly once after {} kills   {}", kill_log.len(), verdict(ok));
    drop(store);
    drop(db);
    if ok { Ok(()) } else { Err(err("the kill test lost or duplicated messages (see above)")) }
}
