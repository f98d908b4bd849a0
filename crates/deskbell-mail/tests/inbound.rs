//! Parsing of hand-written raw messages: charsets, transfer encodings, MIME structures,
//! hostile headers and the refusals the intake quarantines.

// Helper functions outside `#[test]` are not covered by clippy.toml's test allowances;
// in a test crate, failing loudly on a broken fixture is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use deskbell_mail::{Address, AutoKind, Inbound, Limits, MailError, parse};
use sha2::{Digest, Sha256};

const POLISH: &str = "ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ";

/// Messages are written here with `\n`; mail has CRLF line ends.
fn crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 20);
    for &b in raw {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

fn read(raw: &[u8]) -> Inbound {
    parse(&crlf(raw), &Limits::default()).unwrap_or_else(|e| panic!("message should parse: {e}"))
}

#[test]
fn utf8_message_yields_all_envelope_fields() {
    let raw = "From: \"Jan Kowalski\" <Jan.Kowalski@Example.PL>\n\
Reply-To: Biuro <biuro@example.pl>\n\
To: desk@example.com, \"Zespół\" <Team@Example.com>\n\
Cc: szef@example.pl\n\
Subject: Zażółć gęślą jaźń\n\
Date: Tue, 2 Jan 2024 10:00:00 +0100\n\
Message-ID: <abc.123@mail.example.pl>\n\
In-Reply-To: <out.1@desk.example.com>\n\
References: <root@desk.example.com>\n <out.1@desk.example.com>\n\
MIME-Version: 1.0\n\
Content-Type: text/plain; charset=utf-8\n\
Content-Transfer-Encoding: 8bit\n\
\n\
Dzień dobry, ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ.\n";
    let m = read(raw.as_bytes());
    assert_eq!(m.message_id.as_deref(), Some("abc.123@mail.example.pl"));
    assert_eq!(m.in_reply_to, ["out.1@desk.example.com"]);
    assert_eq!(m.references, ["root@desk.example.com", "out.1@desk.example.com"]);
    assert_eq!(m.subject, "Zażółć gęślą jaźń");
    assert_eq!(m.from, Address::named("jan.kowalski@example.pl", "Jan Kowalski"));
    assert_eq!(m.reply_to, Some(Address::named("biuro@example.pl", "Biuro")));
    assert_eq!(m.to, [Address::new("desk@example.com"), Address::named("team@example.com", "Zespół")]);
    assert_eq!(m.cc, [Address::new("szef@example.pl")]);
    assert_eq!(m.date, Some("2024-01-02T09:00:00Z".parse().unwrap()));
    assert_eq!(m.text, format!("Dzień dobry, {POLISH}."));
    assert_eq!(m.html, None);
    assert_eq!(m.auto, None);
    assert!(m.attachments.is_empty());
}

#[test]
fn content_hash_is_sha256_of_the_raw_bytes() {
    let raw = crlf(b"From: a@example.com\nSubject: x\n\nbody\n");
    let m = parse(&raw, &Limits::default()).unwrap();
    let expected: [u8; 32] = Sha256::digest(&raw).into();
    assert_eq!(m.content_hash, expected);
    assert_eq!(m.content_hash_hex().len(), 64);
    assert!(m.content_hash_hex().starts_with(&format!("{:02x}", expected[0])));
    let other = parse(&crlf(b"From: a@example.com\nSubject: x\n\nbody!\n"), &Limits::default()).unwrap();
    assert_ne!(other.content_hash, m.content_hash);
}

#[test]
fn iso_8859_2_quoted_printable_body_and_q_encoded_subject_decode() {
    let raw = b"From: =?iso-8859-2?q?Pawe=B3_=AF=F3=B3kiewski?= <pawel@example.pl>\n\
Subject: =?ISO-8859-2?Q?Za=BF=F3=B3=E6_g=EA=B6l=B1_ja=BC=F1?=\n\
MIME-Version: 1.0\n\
Content-Type: text/plain; charset=\"ISO-8859-2\"\n\
Content-Transfer-Encoding: quoted-printable\n\
\n\
Za=BF=F3=B3=E6 g=EA=B6l=B1 ja=BC=F1. =B1=E6=EA=B3=F1=F3=B6=BC=BF =A1=C6=CA=\n\
=A3=D1=D3=A6=AC=AF\n";
    let m = read(raw);
    assert_eq!(m.subject, "Zażółć gęślą jaźń");
    assert_eq!(m.from.name.as_deref(), Some("Paweł Żółkiewski"));
    assert_eq!(m.text, format!("Zażółć gęślą jaźń. {POLISH}"));
}

#[test]
fn iso_8859_2_eight_bit_body_decodes() {
    let raw = b"From: a@example.pl\nSubject: x\nContent-Type: text/plain; charset=iso-8859-2\nContent-Transfer-Encoding: 8bit\n\n\
\xB1\xE6\xEA\xB3\xF1\xF3\xB6\xBC\xBF \xA1\xC6\xCA\xA3\xD1\xD3\xA6\xAC\xAF\n";
    assert_eq!(read(raw).text, POLISH);
}

#[test]
fn windows_1250_base64_body_and_b_encoded_headers_decode() {
    let raw = b"From: =?windows-1250?B?UGF3ZbMgr/Oza2lld3NraQ==?= <pawel@example.pl>\n\
Subject: =?Windows-1250?B?o/NknyCWILnm6rPx85yfvw==?=\n\
MIME-Version: 1.0\n\
Content-Type: text/plain; charset=windows-1250\n\
Content-Transfer-Encoding: base64\n\
\n\
WmG/87PmIGfqnGy5IGphn/ENCrnm6rPx85yfvyClxsqj0dOMj68NCg==\n";
    let m = read(raw);
    assert_eq!(m.subject, "Łódź – ąćęłńóśźż");
    assert_eq!(m.from.name.as_deref(), Some("Paweł Żółkiewski"));
    assert_eq!(m.text, format!("Zażółć gęślą jaźń\n{POLISH}"));
}

#[test]
fn windows_1250_eight_bit_body_decodes() {
    let raw = b"From: a@example.pl\nSubject: x\nContent-Type: text/plain; charset=cp1250\n\n\
\xB9\xE6\xEA\xB3\xF1\xF3\x9C\x9F\xBF \xA5\xC6\xCA\xA3\xD1\xD3\x8C\x8F\xAF\n";
    assert_eq!(read(raw).text, POLISH);
}

#[test]
fn utf8_base64_encoded_words_split_across_lines_join() {
    let raw = b"From: a@example.pl\n\
Subject: =?UTF-8?B?WmHFvMOzxYLEhyBnxJnFm2zEhSBqYcW6?=\n =?UTF-8?B?xYQgxITEhsSYxYHFg8OTxZrFucW7?=\n\
\n\
x\n";
    assert_eq!(read(raw).subject, "Zażółć gęślą jaźń ĄĆĘŁŃÓŚŹŻ");
}

#[test]
fn raw_utf8_headers_are_read() {
    let raw = "From: Łukasz <lukasz@example.pl>\nSubject: Awaria drukarki – pilne\n\nTreść\n";
    let m = read(raw.as_bytes());
    assert_eq!(m.subject, "Awaria drukarki – pilne");
    assert_eq!(m.from.name.as_deref(), Some("Łukasz"));
}

#[test]
fn encoded_subject_with_crlf_comes_out_as_one_line() {
    let m = read(b"From: a@example.com\nSubject: =?utf-8?q?Hello=0D=0ABcc:_x@evil?=\n\nx\n");
    assert_eq!(m.subject, "Hello Bcc: x@evil");
    let m = read(b"From: a@example.com\nSubject: =?utf-8?b?SGVsbG8NCg1CY2M6IHhAZXZpbAA=?=\n\nx\n");
    assert!(!m.subject.chars().any(char::is_control), "{:?}", m.subject);
    assert_eq!(m.subject, "Hello Bcc: x@evil");
}

#[test]
fn display_names_lose_control_characters() {
    let m = read(b"From: =?utf-8?q?Eve=0D=0ABcc=3A_x=40evil?= <eve@example.com>\nSubject: x\n\nx\n");
    assert_eq!(m.from.name.as_deref(), Some("Eve Bcc: x@evil"));
}

const ALTERNATIVE: &str = "From: a@example.pl\n\
Subject: alt\n\
MIME-Version: 1.0\n\
Content-Type: multipart/alternative; boundary=\"b1\"\n\
\n\
--b1\n\
Content-Type: text/plain; charset=utf-8\n\
Content-Transfer-Encoding: quoted-printable\n\
\n\
Zwyk=C5=82y tekst\n\
--b1\n\
Content-Type: text/html; charset=utf-8\n\
\n\
<p onmouseover=\"x()\">Tekst <b>HTML</b> \u{105}</p><script>alert(1)</script>\n\
--b1--\n";

#[test]
fn multipart_alternative_gives_the_text_part_and_sanitised_html() {
    let m = read(ALTERNATIVE.as_bytes());
    assert_eq!(m.text, "Zwykły tekst");
    let html = m.html.expect("html part");
    assert!(html.contains("<b>HTML</b> ą"), "{html}");
    assert!(!html.contains("script") && !html.contains("alert") && !html.contains("onmouseover"), "{html}");
    assert!(m.attachments.is_empty());
}

#[test]
fn multipart_mixed_with_a_pdf_attachment() {
    let raw = b"From: a@example.pl\n\
Subject: faktura\n\
MIME-Version: 1.0\n\
Content-Type: multipart/mixed; boundary=\"XYZ\"\n\
\n\
This is a multi-part message in MIME format.\n\
--XYZ\n\
Content-Type: text/plain; charset=utf-8\n\
\n\
W za\xC5\x82\xC4\x85czniku faktura.\n\
--XYZ\n\
Content-Type: application/pdf; name=\"faktura.pdf\"\n\
Content-Disposition: attachment; filename*=UTF-8''faktura%20%C5%BAr%C3%B3d%C5%82o.pdf\n\
Content-Transfer-Encoding: base64\n\
\n\
JVBERi0xLjQKJeLjz9MK\n\
--XYZ--\n";
    let m = read(raw);
    assert_eq!(m.text, "W załączniku faktura.");
    assert_eq!(m.attachments.len(), 1);
    let pdf = &m.attachments[0];
    assert_eq!(pdf.filename, "faktura źródło.pdf");
    assert_eq!(pdf.content_type, "application/pdf");
    assert_eq!(pdf.bytes, b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");
    assert!(!pdf.inline);
    assert_eq!(pdf.content_id, None);
}

#[test]
fn multipart_related_keeps_the_inline_image_and_its_cid_reference() {
    let raw = b"From: a@example.pl\n\
Subject: logo\n\
MIME-Version: 1.0\n\
Content-Type: multipart/related; boundary=\"rel\"; type=\"text/html\"\n\
\n\
--rel\n\
Content-Type: text/html; charset=utf-8\n\
\n\
<p>Logo:</p><img src=\"cid:logo.123@example.pl\" alt=\"logo\"><img src=\"http://tracker.example/open.gif\">\n\
--rel\n\
Content-Type: image/png\n\
Content-ID: <logo.123@example.pl>\n\
Content-Transfer-Encoding: base64\n\
\n\
iVBORw0KGgo=\n\
--rel--\n";
    let m = read(raw);
    let html = m.html.expect("html");
    assert!(html.contains("src=\"cid:logo.123@example.pl\""), "{html}");
    assert!(!html.contains("tracker"), "{html}");
    assert_eq!(m.attachments.len(), 1);
    let image = &m.attachments[0];
    assert_eq!(image.content_id.as_deref(), Some("logo.123@example.pl"));
    assert!(image.inline);
    assert_eq!(image.content_type, "image/png");
    assert_eq!(image.filename, "attachment-1.png");
    assert_eq!(image.bytes, b"\x89PNG\r\n\x1a\n");
}

#[test]
fn html_only_message_gets_a_text_rendering() {
    let raw = "From: a@example.pl\n\
Subject: html\n\
Content-Type: text/html; charset=utf-8\n\
\n\
<html><head><style>.x{color:red}</style><script>var a=1;</script></head>\
<body><h1>Awaria</h1><p>Drukarka nie działa.</p><ul><li>pierwsze</li><li>drugie</li></ul>\
<p><a href=\"https://example.pl/status\">status</a></p></body></html>\n";
    let m = read(raw.as_bytes());
    for expected in ["Awaria", "Drukarka nie działa.", "pierwsze", "drugie", "https://example.pl/status"] {
        assert!(m.text.contains(expected), "{expected:?} missing in {:?}", m.text);
    }
    assert!(m.text.contains("pierwsze\n"), "list items are on their own lines: {:?}", m.text);
    assert!(!m.text.contains("color:red") && !m.text.contains("var a"), "{:?}", m.text);
    assert!(!m.text.contains('<'), "{:?}", m.text);
    let html = m.html.expect("html");
    assert!(html.contains("<h1>Awaria</h1>") && !html.contains("var a"), "{html}");
}

#[test]
fn unknown_charset_falls_back_to_what_can_be_read() {
    let raw = b"From: a@example.pl\n\
Subject: =?x-unknown?q?Cze=B6=E6?= i reszta\n\
Content-Type: text/plain; charset=x-no-such-charset\n\
Content-Transfer-Encoding: 8bit\n\
\n\
Readable ASCII, then \xB1\xE6 and more.\n";
    let m = read(raw);
    assert!(m.text.starts_with("Readable ASCII, then "), "{:?}", m.text);
    assert!(m.text.ends_with(" and more."), "{:?}", m.text);
    assert!(m.subject.ends_with("i reszta"), "{:?}", m.subject);
    assert!(!m.subject.chars().any(char::is_control));
}

#[test]
fn broken_boundaries_still_yield_the_text() {
    // The closing boundary is missing and the second part's delimiter is misspelt.
    let raw = b"From: a@example.pl\n\
Subject: broken\n\
Content-Type: multipart/mixed; boundary=\"good\"\n\
\n\
--good\n\
Content-Type: text/plain; charset=utf-8\n\
\n\
Pierwsza cz\xC4\x99\xC5\x9B\xC4\x87.\n\
--goo\n\
Content-Type: application/pdf\n\
\n\
garbage\n";
    let m = read(raw);
    assert!(m.text.contains("Pierwsza część."), "{:?}", m.text);
}

#[test]
fn boundary_that_never_appears_is_read_as_text() {
    let raw =
        b"From: a@example.pl\nSubject: b\nContent-Type: multipart/alternative; boundary=\"nowhere\"\n\nJust text.\n";
    assert!(read(raw).text.contains("Just text."));
}

#[test]
fn message_without_from_is_refused_as_no_sender() {
    let err = parse(&crlf(b"To: desk@example.com\nSubject: anonymous\n\nhello\n"), &Limits::default()).unwrap_err();
    assert_eq!(err, MailError::NoSender);
    assert_eq!(err.to_string(), "message has no usable From address");
}

#[test]
fn unusable_from_addresses_are_refused_as_no_sender() {
    for from in ["From: undisclosed-recipients:;", "From: Jan Kowalski", "From: <@example.com>", "From: <jan@>"] {
        let raw = crlf(format!("{from}\nSubject: x\n\nhello\n").as_bytes());
        assert_eq!(parse(&raw, &Limits::default()), Err(MailError::NoSender), "{from}");
    }
}

#[test]
fn oversized_message_is_refused_before_parsing() {
    let raw = crlf(b"From: a@example.com\nSubject: big\n\n0123456789\n");
    let limits = Limits { max_bytes: raw.len() - 1 };
    let err = parse(&raw, &limits).unwrap_err();
    assert_eq!(err, MailError::TooLarge { size: raw.len(), limit: raw.len() - 1 });
    assert!(err.to_string().contains(&format!("{} bytes", raw.len())), "{err}");
    assert!(parse(&raw, &Limits { max_bytes: raw.len() }).is_ok());
    // Garbage over the limit is refused for its size, not for its content.
    let garbage = vec![0xFFu8; 1000];
    assert!(matches!(parse(&garbage, &Limits { max_bytes: 999 }), Err(MailError::TooLarge { .. })));
}

#[test]
fn default_limit_is_25_mib() {
    assert_eq!(Limits::default().max_bytes, 25 * 1024 * 1024);
}

#[test]
fn input_that_is_not_a_message_is_unparseable() {
    for raw in
        [&b""[..], b"\r\n\r\n  ", b"\x00\x01\x02\xFF\xFE binary junk without any header", b"just a line of text\n"]
    {
        match parse(raw, &Limits::default()) {
            Err(MailError::Unparseable(reason)) => assert!(!reason.is_empty()),
            other => panic!("{raw:?} gave {other:?}"),
        }
    }
}

#[test]
fn message_ids_lose_brackets_and_duplicates() {
    let m = read(b"From: a@example.com\nMessage-ID:   < spaced@example.com >\nIn-Reply-To: <a@x> <b@x>\nReferences: <r@x> <a@x> <r@x>\n\nx\n");
    assert_eq!(m.message_id.as_deref(), Some("spaced@example.com"));
    assert_eq!(m.in_reply_to, ["a@x", "b@x"]);
    assert_eq!(m.references, ["r@x", "a@x"]);
}

#[test]
fn missing_or_invalid_date_is_none() {
    assert_eq!(read(b"From: a@example.com\n\nx\n").date, None);
    assert_eq!(read(b"From: a@example.com\nDate: yesterday-ish\n\nx\n").date, None);
}

#[test]
fn attachment_names_from_the_sender_cannot_name_a_path() {
    let raw = b"From: a@example.pl\n\
Subject: x\n\
Content-Type: multipart/mixed; boundary=\"b\"\n\
\n\
--b\n\
Content-Type: text/plain\n\
\n\
see attached\n\
--b\n\
Content-Type: application/octet-stream; name=\"..\\\\..\\\\windows\\\\evil.exe\"\n\
Content-Disposition: attachment; filename=\"../../etc/cron.d/evil\"\n\
\n\
x\n\
--b\n\
Content-Type: application/x-strange\n\
Content-Disposition: attachment; filename=\"=?utf-8?q?a=0D=0Ab.txt?=\"\n\
\n\
y\n\
--b--\n";
    let m = read(raw);
    let names: Vec<&str> = m.attachments.iter().map(|a| a.filename.as_str()).collect();
    assert_eq!(names, ["evil", "a b.txt"]);
}

// --- automatic mail ---------------------------------------------------------------------

fn auto_of(headers: &str) -> Option<AutoKind> {
    read(format!("From: someone@example.com\n{headers}\nSubject: x\n\nbody\n").as_bytes()).auto
}

#[test]
fn auto_replies_are_recognised() {
    assert_eq!(auto_of("Auto-Submitted: auto-replied"), Some(AutoKind::AutoReply));
    assert_eq!(auto_of("Auto-Submitted: auto-generated; owner-email=\"x@y\""), Some(AutoKind::AutoReply));
    assert_eq!(auto_of("X-Autoreply: yes"), Some(AutoKind::AutoReply));
    assert_eq!(auto_of("X-Autorespond: Out of office"), Some(AutoKind::AutoReply));
    assert_eq!(auto_of("Precedence: auto_reply"), Some(AutoKind::AutoReply));
}

#[test]
fn a_person_writing_is_not_automatic() {
    assert_eq!(auto_of("Auto-Submitted: no"), None);
    assert_eq!(auto_of("Auto-Submitted: No"), None);
    assert_eq!(auto_of("X-Mailer: Outlook"), None);
    assert_eq!(auto_of("Return-Path: <someone@example.com>"), None);
}

#[test]
fn mailing_lists_are_bulk() {
    assert_eq!(auto_of("Precedence: bulk"), Some(AutoKind::Bulk));
    assert_eq!(auto_of("Precedence: junk"), Some(AutoKind::Bulk));
    assert_eq!(auto_of("Precedence: list"), Some(AutoKind::Bulk));
    assert_eq!(auto_of("List-Id: Users <users.lists.example.com>"), Some(AutoKind::Bulk));
    assert_eq!(auto_of("List-Unsubscribe: <mailto:leave@example.com>"), Some(AutoKind::Bulk));
}

#[test]
fn empty_return_path_is_a_bounce() {
    assert_eq!(auto_of("Return-Path: <>"), Some(AutoKind::Bounce { failed_recipients: vec![] }));
}

#[test]
fn mail_from_the_mailer_daemon_is_a_bounce() {
    let m = read(b"From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\nSubject: Undelivered Mail\nX-Failed-Recipients: Gone@Example.com\n\nsorry\n");
    assert_eq!(m.auto, Some(AutoKind::Bounce { failed_recipients: vec!["gone@example.com".into()] }));
    let m = read(b"From: postmaster@example.com\nSubject: Delivery failure\n\nsorry\n");
    assert_eq!(m.auto, Some(AutoKind::Bounce { failed_recipients: vec![] }));
}

#[test]
fn rfc3464_delivery_status_notification_lists_failed_recipients() {
    let raw = b"From: Mail Delivery Subsystem <mailer@mx.example.com>\n\
To: desk@example.com\n\
Subject: Returned mail: see transcript for details\n\
Auto-Submitted: auto-replied\n\
MIME-Version: 1.0\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"dsn\"\n\
\n\
--dsn\n\
Content-Type: text/plain\n\
\n\
Your message could not be delivered.\n\
--dsn\n\
Content-Type: message/delivery-status\n\
\n\
Reporting-MTA: dns; mx.example.com\n\
Arrival-Date: Tue, 2 Jan 2024 10:00:00 +0100\n\
\n\
Final-Recipient: rfc822; Klient@Example.PL\n\
Original-Recipient: rfc822;klient.alias@example.pl\n\
Action: failed\n\
Status: 5.1.1\n\
Diagnostic-Code: smtp; 550 5.1.1 User unknown\n\
\n\
Final-Recipient: rfc822; ok@example.pl\n\
Action: delivered\n\
Status: 2.0.0\n\
--dsn\n\
Content-Type: message/rfc822\n\
\n\
From: desk@example.com\n\
To: klient@example.pl\n\
Subject: [#12] Odpowied\xC5\xBA\n\
\n\
Original body\n\
--dsn--\n";
    let m = read(raw);
    assert_eq!(m.auto, Some(AutoKind::Bounce { failed_recipients: vec!["klient@example.pl".into()] }));
    assert!(m.text.contains("could not be delivered"));
    assert!(!m.text.contains("Original body"), "the returned message is an attachment, not the body");
}

#[test]
fn read_receipts_are_automatic() {
    let raw = b"From: klient@example.pl\nSubject: Read: x\nContent-Type: multipart/report; report-type=disposition-notification; boundary=\"r\"\n\n--r\nContent-Type: text/plain\n\nRead.\n--r--\n";
    assert_eq!(read(raw).auto, Some(AutoKind::AutoReply));
}

// --- quoted history ---------------------------------------------------------------------

#[test]
fn outlook_polish_reply_folds_the_history() {
    let raw = "From: klient@example.pl\n\
Subject: RE: [#12] Awaria\n\
Content-Type: text/plain; charset=utf-8\n\
\n\
Dziękuję, działa.\n\
\n\
Od: Deskbell <desk@example.com>\n\
Wysłano: wtorek, 2 stycznia 2024 10:00\n\
Do: klient@example.pl\n\
Temat: [#12] Awaria\n\
\n\
Proszę zrestartować drukarkę.\n";
    let m = read(raw.as_bytes());
    assert_eq!(m.unquoted_text(), "Dziękuję, działa.");
    let at = m.quote_start.expect("history found");
    assert!(m.text[at..].starts_with("Od: Deskbell"), "{:?}", &m.text[at..]);
    assert!(m.text.ends_with("Proszę zrestartować drukarkę."), "the full text is kept");
}

#[test]
fn html_only_gmail_reply_folds_the_blockquote() {
    let raw = "From: klient@example.pl\n\
Subject: Re: [#12] Awaria\n\
Content-Type: text/html; charset=utf-8\n\
\n\
<div dir=\"ltr\">Nadal nie działa.</div><br><div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">\
W dniu wt., 2 sty 2024 o 10:00 Deskbell &lt;desk@example.com&gt; napisał(a):<br></div>\
<blockquote class=\"gmail_quote\">Proszę zrestartować drukarkę.</blockquote></div>\n";
    let m = read(raw.as_bytes());
    assert_eq!(m.unquoted_text(), "Nadal nie działa.");
    let at = m.quote_start.expect("history found");
    assert!(m.text[at..].starts_with("W dniu wt., 2 sty 2024"), "{:?}", &m.text[at..]);
    assert!(m.text[at..].contains("> Proszę zrestartować drukarkę."), "{:?}", m.text);
}

#[test]
fn a_message_without_history_has_no_quote() {
    let m = read(b"From: a@example.com\nSubject: x\n\nNew problem.\nNothing quoted.\n");
    assert_eq!(m.quote_start, None);
    assert_eq!(m.unquoted_text(), m.text);
}

#[test]
fn html_only_outlook_reply_folds_the_header_block() {
    let raw = "From: klient@example.pl\n\
Subject: RE: [#12] Awaria\n\
Content-Type: text/html; charset=utf-8\n\
\n\
<html><body><div class=WordSection1><p class=MsoNormal>Już działa, dziękuję.<o:p></o:p></p>\
<div><div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'>\
<p class=MsoNormal><b>Od:</b> Deskbell &lt;desk@example.com&gt;<br><b>Wysłano:</b> wtorek, 2 stycznia 2024 10:00<br>\
<b>Do:</b> klient@example.pl<br><b>Temat:</b> [#12] Awaria<o:p></o:p></p></div></div>\
<p class=MsoNormal>Proszę zrestartować drukarkę.<o:p></o:p></p></div></body></html>\n";
    let m = read(raw.as_bytes());
    assert_eq!(m.unquoted_text(), "Już działa, dziękuję.", "{:?}", m.text);
    assert!(m.text.contains("Proszę zrestartować drukarkę."), "the full text is kept: {:?}", m.text);
}

#[test]
fn windows_1250_text_labelled_iso_8859_2_is_recovered() {
    // Outlook Express wrote Windows-1250 bytes under an ISO-8859-2 label.
    let raw = b"From: a@example.pl\nSubject: x\nContent-Type: text/plain; charset=\"iso-8859-2\"\nContent-Transfer-Encoding: 8bit\n\n\
\xB9\xE6\xEA\xB3\xF1\xF3\x9C\x9F\xBF \xA5\xC6\xCA\xA3\xD1\xD3\x8C\x8F\xAF\n";
    assert_eq!(read(raw).text, POLISH);
}
