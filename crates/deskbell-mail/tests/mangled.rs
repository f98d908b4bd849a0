//! Mangled input: truncated, bit-flipped and random messages must never panic, and whatever
//! parses must still keep the promises the intake relies on (one-line subject, safe file
//! names, a valid quote offset, text without CR or NUL, sanitised HTML).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use deskbell_mail::{Inbound, Limits, MailError, parse};
use proptest::prelude::*;

/// A message touching every part of the parser: encoded words in two charsets, nested
/// multiparts, QP and base64, an HTML body with a script, an attachment, a DSN block.
const SEED: &[u8] = b"Return-Path: <>\r\n\
From: =?iso-8859-2?q?Pawe=B3?= <pawel@example.pl>\r\n\
To: desk@example.com, =?windows-1250?B?o/NknyA=?= <lodz@example.pl>\r\n\
Subject: =?utf-8?q?Re:_[#12]_Za=C5=BC=C3=B3=C5=82=C4=87?= =?iso-8859-2?q?_g=EA=B6l=B1?=\r\n\
Message-ID: <seed@example.pl>\r\n\
In-Reply-To: <out.1@desk.example.com>\r\n\
References: <root@desk.example.com> <out.1@desk.example.com>\r\n\
Date: Tue, 2 Jan 2024 10:00:00 +0100\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"outer\"\r\n\
\r\n\
--outer\r\n\
Content-Type: multipart/alternative; boundary=\"inner\"\r\n\
\r\n\
--inner\r\n\
Content-Type: text/plain; charset=iso-8859-2\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Dzie=F1 dobry,=\r\n\
\x20drukarka nie dzia=B3a.\r\n\
\r\n\
W dniu 1.01.2024 o 10:00, Desk pisze:\r\n\
> Prosz=EA o restart.\r\n\
--inner\r\n\
Content-Type: text/html; charset=utf-8\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
PHA+RHppZcWEIGRvYnJ5PC9wPjxzY3JpcHQ+YWxlcnQoMSk8L3NjcmlwdD48aW1nIHNyYz0iaHR0\r\n\
cDovL3QuZXhhbXBsZS94LmdpZiI+\r\n\
--inner--\r\n\
--outer\r\n\
Content-Type: application/pdf; name=\"faktura.pdf\"\r\n\
Content-Disposition: attachment; filename*=UTF-8''..%2F..%2Ffaktura%C5%BA.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
JVBERi0xLjQKJeLjz9MK\r\n\
--outer\r\n\
Content-Type: message/delivery-status\r\n\
\r\n\
Final-Recipient: rfc822; gone@example.pl\r\n\
Action: failed\r\n\
--outer--\r\n";

/// The promises of [`Inbound`] that hold for any input, however broken.
fn check_invariants(m: &Inbound) {
    assert!(!m.subject.chars().any(char::is_control), "subject {:?}", m.subject);
    assert_eq!(m.subject.trim(), m.subject);
    assert!(!m.text.contains(['\r', '\0']), "text {:?}", m.text);
    if let Some(at) = m.quote_start {
        assert!(at < m.text.len() && m.text.is_char_boundary(at), "quote_start {at} in {:?}", m.text);
    }
    assert!(m.from.email.contains('@') && !m.from.email.chars().any(|c| c.is_whitespace() || c.is_uppercase()));
    for a in m.to.iter().chain(&m.cc).chain(&m.reply_to).chain([&m.from]) {
        assert!(!a.name.as_deref().unwrap_or_default().chars().any(char::is_control), "name {:?}", a.name);
    }
    for id in m.message_id.iter().chain(&m.in_reply_to).chain(&m.references) {
        assert!(!id.is_empty() && !id.contains(['<', '>', ' ', '\r', '\n']), "id {id:?}");
    }
    for a in &m.attachments {
        assert!(!a.filename.is_empty() && !a.filename.starts_with('.'), "filename {:?}", a.filename);
        assert!(
            !a.filename.contains(['/', '\\']) && !a.filename.chars().any(char::is_control),
            "filename {:?}",
            a.filename
        );
        assert!(
            a.content_type.contains('/') && !a.content_type.contains([' ', '\r', '\n', ';']),
            "type {:?}",
            a.content_type
        );
    }
    if let Some(html) = &m.html {
        let lower = html.to_lowercase();
        assert!(
            !lower.contains("<script") && !lower.contains("javascript:") && !lower.contains("t.example"),
            "html {html:?}"
        );
    }
}

/// Parsing may refuse, but only with the errors the intake knows how to quarantine.
fn parse_checked(raw: &[u8]) {
    match parse(raw, &Limits::default()) {
        Ok(m) => check_invariants(&m),
        Err(MailError::Unparseable(reason)) => assert!(!reason.is_empty()),
        Err(MailError::NoSender) => {}
        Err(other) => panic!("unexpected error {other:?}"),
    }
}

#[test]
fn the_seed_message_is_read_in_full() {
    let m = parse(SEED, &Limits::default()).unwrap();
    check_invariants(&m);
    assert_eq!(m.subject, "Re: [#12] Zażółć gęślą");
    assert_eq!(m.to.len(), 2);
    assert_eq!(m.to[1].name.as_deref(), Some("Łódź"));
    assert!(m.text.starts_with("Dzień dobry, drukarka nie działa."), "{:?}", m.text);
    assert!(m.unquoted_text().ends_with("nie działa."), "{:?}", m.unquoted_text());
    assert!(m.html.as_deref().unwrap().contains("Dzień dobry"));
    assert_eq!(m.attachments.iter().filter(|a| a.filename == "faktura\u{17a}.pdf").count(), 1, "{:?}", m.attachments);
    // A DSN block outside multipart/report does not make a bounce, but the empty Return-Path does.
    assert_eq!(m.auto, Some(deskbell_mail::AutoKind::Bounce { failed_recipients: vec![] }));
}

#[test]
fn every_truncation_parses_without_panicking() {
    for end in (0..SEED.len()).step_by(37).chain([SEED.len() - 1]) {
        parse_checked(&SEED[..end]);
    }
}

#[test]
fn flipped_bytes_parse_without_panicking() {
    for at in (0..SEED.len()).step_by(7) {
        for value in [0x00, 0xFF, b'\r', b'\n', b'-', b'=', b'"', b'<', 0x80] {
            let mut raw = SEED.to_vec();
            raw[at] = value;
            parse_checked(&raw);
        }
    }
}

#[test]
fn deeply_nested_multiparts_parse_without_overflowing_the_stack() {
    let mut raw = b"From: a@example.com\r\nSubject: nest\r\n".to_vec();
    for i in 0..2_000 {
        raw.extend_from_slice(format!("Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n").as_bytes());
    }
    raw.extend_from_slice(b"Content-Type: text/plain\r\n\r\ndeep\r\n");
    parse_checked(&raw);
    let mut nested = b"From: a@example.com\r\nSubject: rfc822\r\n".to_vec();
    for _ in 0..2_000 {
        nested.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\nFrom: b@example.com\r\n");
    }
    parse_checked(&nested);
}

#[test]
fn hostile_html_is_sanitised_and_rendered() {
    let html = format!(
        "From: a@example.com\r\nContent-Type: text/html\r\n\r\n{}<b>deep</b>{}<img src=x onerror=alert(1)><a href=\"JaVaScRiPt:alert(2)\">x</a>",
        "<div><table><tr><td>".repeat(50),
        "</td></tr></table></div>".repeat(50)
    );
    let m = parse(html.as_bytes(), &Limits::default()).unwrap();
    check_invariants(&m);
    assert!(m.text.contains("deep"));
    let html = m.html.expect("moderate nesting is shown");
    assert!(
        html.contains("<b>deep</b>") && !html.contains("onerror") && !html.to_lowercase().contains("javascript"),
        "{html}"
    );
}

#[test]
fn html_nested_too_deep_is_not_shown_but_its_text_is_kept() {
    let n = 50_000;
    let raw = format!(
        "From: a@example.com\r\nContent-Type: text/html\r\n\r\n{}<script>alert(1)</script>deep{}",
        "<blockquote><div>".repeat(n),
        "</div></blockquote>".repeat(n)
    );
    let started = Instant::now();
    let m = parse(raw.as_bytes(), &Limits::default()).unwrap();
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
    check_invariants(&m);
    assert_eq!(m.html, None);
    assert!(m.text.contains("deep") && !m.text.contains("alert"), "{:?}", m.text);
}

#[test]
fn large_messages_are_read_in_linear_time() {
    // A 15 MB attachment, a 2 MB HTML body and 100,000 quoted lines: what a big real
    // message looks like, well inside the 25 MB limit.
    let mut raw = b"From: a@example.com\r\nSubject: big\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n--a\r\nContent-Type: text/plain\r\n\r\nTop line.\r\n".to_vec();
    for i in 0..100_000 {
        raw.extend_from_slice(format!("> quoted line {i}\r\n").as_bytes());
    }
    raw.extend_from_slice(b"--a\r\nContent-Type: text/html\r\n\r\n");
    for i in 0..20_000 {
        raw.extend_from_slice(
            format!(
                "<div><p style=\"color:red\">Paragraph {i} <a href=\"https://example.com/{i}\">link</a></p></div>\r\n"
            )
            .as_bytes(),
        );
    }
    raw.extend_from_slice(
        b"--a--\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n",
    );
    for _ in 0..(15_000_000 / 57) {
        raw.extend_from_slice(b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5\r\n");
    }
    raw.extend_from_slice(b"--b--\r\n");
    let started = Instant::now();
    let m = parse(&raw, &Limits::default()).unwrap();
    assert!(started.elapsed() < Duration::from_secs(30), "took {:?}", started.elapsed());
    assert_eq!(m.unquoted_text(), "Top line.");
    assert!(m.html.as_deref().unwrap().contains("Paragraph 19999"));
    assert!(m.attachments[0].bytes.len() > 10_000_000);
}

/// Fragments that make the parser change state; random sequences of them reach far more
/// code paths than random bytes do.
const FRAGMENTS: &[&[u8]] = &[
    b"\r\n",
    b"\r\n\r\n",
    b"From: a@example.com\r\n",
    b"Subject: =?utf-8?q?x=0D=0Ay?=\r\n",
    b"Subject: =?iso-8859-2?b?",
    b"Content-Type: multipart/mixed; boundary=\"b\"\r\n",
    b"Content-Type: multipart/alternative; boundary=b\r\n",
    b"Content-Type: text/html; charset=windows-1250\r\n",
    b"Content-Type: message/rfc822\r\n",
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n",
    b"Content-Type: message/delivery-status\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Transfer-Encoding: quoted-printable\r\n",
    b"Content-Disposition: attachment; filename*0*=utf-8''%2E%2E%2F; filename*1=x\r\n",
    b"--b\r\n",
    b"--b--\r\n",
    b"=C5=BC=\r\n",
    b"PHNjcmlwdD4=\r\n",
    b"<script>alert(1)</script><blockquote>",
    b"> quoted\r\n",
    b"On Mon, A wrote:\r\n",
    b"\xB1\xE6\xFF\x00",
    b" \t",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_fragment_sequences_never_panic(picks in prop::collection::vec(0..FRAGMENTS.len(), 0..40)) {
        let raw: Vec<u8> = picks.iter().flat_map(|&i| FRAGMENTS[i].iter().copied()).collect();
        parse_checked(&raw);
    }

    #[test]
    fn random_bytes_after_a_valid_header_never_panic(body in prop::collection::vec(any::<u8>(), 0..2_000)) {
        let mut raw = b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n".to_vec();
        raw.extend_from_slice(&body);
        parse_checked(&raw);
    }
}
