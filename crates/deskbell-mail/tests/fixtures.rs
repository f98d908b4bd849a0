//! Whole messages as real mail programs write them (tests/fixtures/*.eml, see the README
//! there): a hotel reception and its IT people writing to the Hotelsoft help desk from
//! Outlook, Apple Mail, Thunderbird, Gmail, NeoMutt and Outlook Express, plus the automatic
//! mail the desk must recognise. Each test pins the concrete parse result.

// Helper functions outside `#[test]` are not covered by clippy.toml's test allowances;
// in a test crate, failing loudly on a broken fixture is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use deskbell_mail::{Address, AutoKind, Inbound, Limits, parse, strip_reply_prefixes, ticket_token};

const OUTLOOK: &[u8] = include_bytes!("fixtures/outlook.eml");
const APPLE_MAIL: &[u8] = include_bytes!("fixtures/apple-mail.eml");
const THUNDERBIRD: &[u8] = include_bytes!("fixtures/thunderbird.eml");
const GMAIL: &[u8] = include_bytes!("fixtures/gmail.eml");
const MUTT: &[u8] = include_bytes!("fixtures/mutt.eml");
const DSN_BOUNCE: &[u8] = include_bytes!("fixtures/dsn-bounce.eml");
const AUTO_REPLY: &[u8] = include_bytes!("fixtures/auto-reply.eml");
const WINDOWS_1250: &[u8] = include_bytes!("fixtures/windows-1250.eml");

const ALL: [(&str, &[u8]); 8] = [
    ("outlook.eml", OUTLOOK),
    ("apple-mail.eml", APPLE_MAIL),
    ("thunderbird.eml", THUNDERBIRD),
    ("gmail.eml", GMAIL),
    ("mutt.eml", MUTT),
    ("dsn-bounce.eml", DSN_BOUNCE),
    ("auto-reply.eml", AUTO_REPLY),
    ("windows-1250.eml", WINDOWS_1250),
];

const POLISH: &str = "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ";

/// The desk's own address, as its outgoing mail names it.
fn desk() -> Address {
    Address::named("pomoc@hotelsoft.example", "Pomoc techniczna Hotelsoft")
}

fn read(name: &str, raw: &[u8]) -> Inbound {
    parse(raw, &Limits::default()).unwrap_or_else(|e| panic!("{name} should parse: {e}"))
}

/// The quoted history: everything from `quote_start` on.
fn history(m: &Inbound) -> &str {
    let at = m.quote_start.unwrap_or_else(|| panic!("no quoted history found in {:?}", m.text));
    &m.text[at..]
}

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

#[test]
fn fixtures_are_byte_faithful_mail_with_crlf_line_ends() {
    // An editor or a git checkout that rewrites line ends would turn these into messages no
    // mail program sends; .gitattributes in the folder keeps git from doing it.
    for (name, raw) in ALL {
        for (i, &b) in raw.iter().enumerate() {
            match b {
                b'\n' => assert!(i > 0 && raw[i - 1] == b'\r', "{name}: bare LF at byte {i}"),
                b'\r' => assert_eq!(raw.get(i + 1), Some(&b'\n'), "{name}: bare CR at byte {i}"),
                _ => {}
            }
        }
        assert!(raw.ends_with(b"\r\n"), "{name} does not end with a line end");
        let longest = raw.split(|&b| b == b'\n').map(<[u8]>::len).max().unwrap();
        assert!(longest <= 998 + 1, "{name}: a line of {longest} octets breaks RFC 5322");
        let m = read(name, raw);
        assert!(!m.text.contains('\r'), "{name}: CR left in the text");
    }
}

// --- Outlook 16 (Microsoft 365) ---------------------------------------------------------

const OUTLOOK_NEW_TEXT: &str = "Dzień dobry,\n\n\u{a0}\n\n\
od wczoraj wieczorem drukarka fiskalna nie drukuje paragonów przy wymeldowaniu gościa. Program pokazuje komunikat „Błąd komunikacji z drukarką fiskalną (kod 0x2A)”, a rachunek pozostaje otwarty. Zrestartowaliśmy drukarkę i komputer w recepcji – bez zmian.\n\n\u{a0}\n\n\
Zrzut ekranu poniżej:\n\n\u{a0}\n\n\
[cid:image001.png@01DD6305.0A1B2C30]\n\n\u{a0}\n\n\
Czy mogą Państwo połączyć się zdalnie jeszcze dziś? Przed południem mamy 40 wymeldowań.\n\n\u{a0}\n\n\
Pozdrawiam\n\nKatarzyna Zielińska\n\nRecepcja – Hotel Pod Lipami\n\ntel. +48 18 201 44 00";

#[test]
fn outlook_reply_with_a_screenshot() {
    let m = read("outlook.eml", OUTLOOK);
    assert_eq!(m.subject, "RE: [#4711] Drukarka fiskalna nie drukuje paragonów");
    assert_eq!(strip_reply_prefixes(&m.subject), "[#4711] Drukarka fiskalna nie drukuje paragonów");
    assert_eq!(ticket_token(&m.subject), Some(4711));
    assert_eq!(m.from, Address::named("k.zielinska@hotelpodlipami.example", "Katarzyna Zielińska"));
    assert_eq!(m.to, [desk()]);
    assert_eq!(m.cc, [Address::named("a.nowak@hotelpodlipami.example", "Anna Nowak")]);
    assert_eq!(m.reply_to, None);
    // Exchange folds the long id onto its own line.
    assert_eq!(
        m.message_id.as_deref(),
        Some("DU0PR02MB98764F1E2B7C3A9D8E6B5C4AF1D2A@DU0PR02MB9876.eurprd02.prod.outlook.com")
    );
    assert_eq!(m.in_reply_to, ["18edb2c85c27a4f1.2f.9c4e1a7b3d5f60812a4b7c9e@hotelsoft.example"]);
    assert_eq!(m.references, ["18edb2c85c27a4f1.2f.9c4e1a7b3d5f60812a4b7c9e@hotelsoft.example"]);
    assert_eq!(m.date, Some(ts("2026-12-03T10:32:10Z")));
    assert_eq!(m.auto, None);

    // The text/plain alternative, with Outlook's blank paragraphs (no-break spaces) and the
    // placeholder for the inline image.
    assert!(m.text.contains("Program pokazuje komunikat „Błąd komunikacji z drukarką fiskalną (kod 0x2A)”, a rachunek pozostaje otwarty."), "{:?}", m.text);
    assert_eq!(m.unquoted_text(), OUTLOOK_NEW_TEXT);
    assert!(
        history(&m).starts_with(
            "Od: Pomoc techniczna Hotelsoft <pomoc@hotelsoft.example> \nWysłano: czwartek, 3 grudnia 2026 10:00\nDo: Katarzyna Zielińska <k.zielinska@hotelpodlipami.example>\nTemat: [#4711] Drukarka fiskalna nie drukuje paragonów\n"
        ),
        "{:?}",
        history(&m)
    );
    assert!(m.text.ends_with("przyjęliśmy zgłoszenie nr 4711. Prosimy o przesłanie zrzutu ekranu z komunikatem błędu oraz informacji, od kiedy problem występuje.\n\nZ poważaniem\nZespół Pomocy Hotelsoft"));

    // Word's HTML: the style sheet, conditional comments, namespaces and <o:p> are gone, the
    // paragraphs and the cid: image stay.
    let html = m.html.as_deref().expect("html alternative");
    assert!(html.contains(r#"src="cid:image001.png@01DD6305.0A1B2C30""#), "{html}");
    assert!(html.contains("<p>Zrzut ekranu poniżej:</p>"), "{html}");
    assert!(html.contains("<p><b>Katarzyna Zielińska</b></p>"), "{html}");
    assert!(html.contains("<b>Wysłano:</b> czwartek, 3 grudnia 2026 10:00<br>"), "{html}");
    for gone in
        ["<o:p", "</o:p>", "<style", "MsoNormal", "mso-", "xmlns", "<!--", "<meta", "Obraz_x0020_1", "<html", "<head"]
    {
        assert!(!html.contains(gone), "{gone:?} left in {html}");
    }

    assert_eq!(m.attachments.len(), 1, "{:?}", m.attachments);
    let image = &m.attachments[0];
    assert_eq!(image.filename, "image001.png");
    assert_eq!(image.content_type, "image/png");
    assert_eq!(image.content_id.as_deref(), Some("image001.png@01DD6305.0A1B2C30"));
    assert!(image.inline);
    // As many bytes as Exchange's `size=` parameter says, and the 240×80 the <img> declares.
    assert_eq!(image.bytes.len(), 281);
    assert!(image.bytes.starts_with(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"));
    assert_eq!(&image.bytes[16..24], &[0, 0, 0, 240, 0, 0, 0, 80]);
    assert!(image.bytes.ends_with(b"IEND\xae\x42\x60\x82"));
}

// --- Apple Mail (macOS) -----------------------------------------------------------------

#[test]
fn apple_mail_reply_with_a_pdf_between_two_html_parts() {
    let m = read("apple-mail.eml", APPLE_MAIL);
    assert_eq!(m.subject, "Re: [#4702] Błędny NIP na fakturze");
    assert_eq!(m.from, Address::named("lukasz.wojcik@zlotyrog.example", "Łukasz Wójcik"));
    assert_eq!(m.to, [desk()]);
    assert!(m.cc.is_empty());
    // Apple spells the header "Message-Id".
    assert_eq!(m.message_id.as_deref(), Some("6F3C2B1A-9D8E-4F7A-B6C5-D4E3F2A1B0C9@zlotyrog.example"));
    assert_eq!(m.in_reply_to, ["18edaf1e7c0b52d8.2b.51c7e9a03b6d2f84e1a9c5b7@hotelsoft.example"]);
    assert_eq!(m.references, m.in_reply_to);
    assert_eq!(m.date, Some(ts("2026-12-03T11:47:05Z")));
    assert_eq!(m.auto, None);

    assert_eq!(
        m.unquoted_text(),
        "Dzień dobry,\n\n\
w załączniku przesyłam fakturę FV/2026/12/0042, o którą Państwo prosili. Na wydruku NIP nabywcy to 7342851960, a w karcie kontrahenta mamy 734-285-19-06 – program bierze NIP z poprzedniej rezerwacji tego biura podróży. Do tego numeracja przeskoczyła z 0040 na 0042, faktury 0041 nie ma w rejestrze sprzedaży.\n\n\
Czy mogę wystawić korektę, zanim to wyjaśnimy?\n\n\
Pozdrawiam\nŁukasz Wójcik\nPensjonat Złoty Róg"
    );
    // Apple quotes its attribution line together with the message.
    assert_eq!(
        history(&m),
        "> Wiadomość napisana przez Pomoc techniczna Hotelsoft <pomoc@hotelsoft.example> w dniu 3 gru 2026, o godz. 10:00:\n> \n\
> Dzień dobry,\n> \n\
> prosimy o przesłanie pliku PDF z błędną fakturą oraz numeru NIP, który powinien się na niej znaleźć.\n> \n\
> Z poważaniem\n> Zespół Pomocy Hotelsoft"
    );

    // The HTML alternative is a multipart/mixed: HTML, the PDF, HTML. Both halves are kept,
    // in order, as one sanitised fragment.
    let html = m.html.as_deref().expect("html alternative");
    let before = html.find("<div>Czy mogę wystawić korektę, zanim to wyjaśnimy?</div>").expect(html);
    let after = html.find("<div>Pozdrawiam</div><div>Łukasz Wójcik</div>").expect(html);
    let quote = html.find("<blockquote><div>Wiadomość napisana przez Pomoc techniczna Hotelsoft &lt;pomoc@hotelsoft.example&gt; w dniu 3 gru 2026, o godz. 10:00:</div>").expect(html);
    assert!(before < after && after < quote, "{html}");
    for gone in [
        "<html",
        "<body",
        "<meta",
        "aria-label",
        "-webkit-nbsp-mode",
        "Apple-interchange-newline",
        "lineBreakAtBeginningOfMessage",
    ] {
        assert!(!html.contains(gone), "{gone:?} left in {html}");
    }

    assert_eq!(m.attachments.len(), 1, "{:?}", m.attachments);
    let pdf = &m.attachments[0];
    // RFC 2231 in two sections (filename*0*, filename*1*), UTF-8, percent-encoded.
    assert_eq!(pdf.filename, "Faktura FV 2026-12-0042 – błędny NIP nabywcy.pdf");
    assert_eq!(pdf.content_type, "application/pdf");
    assert_eq!(pdf.content_id, None);
    // Apple marks a PDF it shows in place as inline, though nothing in the HTML refers to it.
    assert!(pdf.inline);
    assert_eq!(pdf.bytes.len(), 848);
    assert!(pdf.bytes.starts_with(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"));
    assert!(pdf.bytes.ends_with(b"%%EOF\n"));
    let text = String::from_utf8_lossy(&pdf.bytes);
    assert!(text.contains("(Pensjonat Zloty Rog - Faktura VAT FV/2026/12/0042)"), "{text}");
    // startxref points at the cross-reference table: every byte came through base64 intact.
    let startxref: usize = text.rsplit("startxref\n").next().unwrap().trim_end_matches("\n%%EOF\n").parse().unwrap();
    assert!(pdf.bytes[startxref..].starts_with(b"xref\n0 6\n"), "{startxref}");
}

// --- Thunderbird ------------------------------------------------------------------------

#[test]
fn thunderbird_flowed_reply() {
    let m = read("thunderbird.eml", THUNDERBIRD);
    // Thunderbird encodes only the words from the first non-ASCII one on.
    assert_eq!(m.subject, "Re: [#4720] Program zawiesza się przy meldowaniu gościa");
    assert_eq!(m.from, Address::named("tomasz.kaczmarek@willapodjodlami.example", "Tomasz Kaczmarek"));
    assert_eq!(m.to, [desk()]);
    assert_eq!(m.message_id.as_deref(), Some("5b9e2c1d-7a43-4f8e-9c6b-2d1e0f3a4b5c@willapodjodlami.example"));
    assert_eq!(m.in_reply_to, ["18edb1f3a9e4c7b2.30.4f8a2c6e1b9d3a7c5e0f2b48@hotelsoft.example"]);
    assert_eq!(
        m.references,
        [
            "18eda7c02d5f9e13.1c.e2b4d6f8a0c1e3b5d7f9a2c4@hotelsoft.example",
            "18edb1f3a9e4c7b2.30.4f8a2c6e1b9d3a7c5e0f2b48@hotelsoft.example"
        ]
    );
    assert_eq!(m.date, Some(ts("2026-12-03T09:47:31Z")));
    assert_eq!(m.auto, None);
    assert_eq!(m.html, None);
    assert!(m.attachments.is_empty());

    // format=flowed: the 72-column soft breaks are joined again, so sentences are whole.
    assert!(
        m.text.contains("Po zeskanowaniu dowodu osobistego gościa w oknie meldunku program zawiesza się na około minutę, a potem Windows pokazuje komunikat \"Program nie odpowiada\"."),
        "{:?}",
        m.text
    );
    assert!(!m.text.lines().any(|l| l.ends_with(' ')), "soft breaks left: {:?}", m.text);
    assert_eq!(
        m.unquoted_text(),
        "Dzień dobry,\n\n\
niestety problem nadal występuje. Po zeskanowaniu dowodu osobistego gościa w oknie meldunku program zawiesza się na około minutę, a potem Windows pokazuje komunikat \"Program nie odpowiada\". Dzieje się tak tylko na komputerze w recepcji (Windows 11), na laptopie kierownika meldowanie działa bez zarzutu.\n\n\
Sterownik czytnika zaktualizowałem wczoraj do wersji 4.2.1, tak jak Państwo prosili. Dziennik zdarzeń z dzisiejszego ranka wyślę osobną wiadomością, bo ma ponad 20 MB.\n\n\
Pozdrawiam\nTomasz Kaczmarek\nWilla Pod Jodłami, Szklarska Poręba"
    );
    assert_eq!(
        history(&m),
        "W dniu 03.12.2026 o 10:00, Pomoc techniczna Hotelsoft pisze:\n\
> Dzień dobry,\n>\n\
> prosimy o aktualizację sterownika czytnika dowodów do wersji 4.2.1 i ponowną próbę zameldowania gościa. Jeśli program nadal będzie się zawieszał, prosimy o przesłanie dziennika zdarzeń.\n>\n\
> Z poważaniem\n> Zespół Pomocy Hotelsoft"
    );
}

// --- Gmail (web) ------------------------------------------------------------------------

#[test]
fn gmail_reply_with_a_wrapped_polish_attribution() {
    let m = read("gmail.eml", GMAIL);
    assert_eq!(m.subject, "Re: [#4733] Faktury nie wysyłają się mailem do gości");
    assert_eq!(m.from, Address::named("marta.wisniewska.pensjonat@gmail.com", "Marta Wiśniewska"));
    assert_eq!(m.to, [desk()]);
    assert_eq!(m.message_id.as_deref(), Some("CAJ7w+Vd3kR9q0yXz8Lr2_hN5mT1pQe4bWc6sGf0aUxYv9oZ1Kg@mail.gmail.com"));
    assert_eq!(m.in_reply_to, ["18edb2c85c27a4f1.31.7d2e9a4c1f6b8e3a5c0d2f71@hotelsoft.example"]);
    assert_eq!(m.references, m.in_reply_to);
    assert_eq!(m.date, Some(ts("2026-12-03T12:05:09Z")));
    assert_eq!(m.auto, None);
    assert!(m.attachments.is_empty());

    // Gmail hard-wraps its plain text at 78 columns (not flowed), so the lines stay.
    assert!(
        m.text.contains(
            "Przy zamykaniu rachunku program pokazuje „Nie\nudało się wysłać faktury: 535 Authentication failed”"
        ),
        "{:?}",
        m.text
    );
    // The attribution did not fit in 78 columns; its first line belongs to the history.
    assert_eq!(
        m.unquoted_text(),
        "Dzień dobry,\n\n\
sprawdziłam ustawienia wysyłki według Państwa instrukcji, ale faktury nadal\n\
nie wychodzą mailem do gości. Przy zamykaniu rachunku program pokazuje „Nie\n\
udało się wysłać faktury: 535 Authentication failed”, a faktura zostaje tylko\n\
w folderze Do wysłania. Hasło do skrzynki zmieniałam w poniedziałek, może to\n\
ma związek?\n\n\
Dzisiaj wyjeżdża grupa 12 osób i każda potrzebuje faktury na firmę, więc\n\
proszę o pilny kontakt – najlepiej telefonicznie pod numerem 601 234 567.\n\n\
Pozdrawiam\nMarta Wiśniewska\nPensjonat Pod Świerkami"
    );
    assert_eq!(
        history(&m),
        "czw., 3 gru 2026 o 10:00 Pomoc techniczna Hotelsoft <pomoc@hotelsoft.example>\nnapisał(a):\n\n\
> Dzień dobry,\n>\n\
> prosimy sprawdzić w Ustawienia > Poczta wychodząca, czy serwer SMTP, port\n\
> 587 i nazwa użytkownika są zgodne z danymi od dostawcy poczty, a potem\n\
> wysłać fakturę testową do siebie.\n>\n\
> Z poważaniem\n> Zespół Pomocy Hotelsoft\n>"
    );

    let html = m.html.as_deref().expect("html alternative");
    assert!(html.contains("<div>Dzisiaj wyjeżdża grupa 12 osób i każda potrzebuje faktury na firmę, więc proszę o pilny kontakt – najlepiej telefonicznie pod numerem 601 234 567.</div>"), "{html}");
    assert!(html.contains(r#"&lt;<a href="mailto:pomoc@hotelsoft.example" rel="noopener noreferrer">pomoc@hotelsoft.example</a>&gt; napisał(a):"#), "{html}");
    assert!(html.contains("prosimy sprawdzić w Ustawienia &gt; Poczta wychodząca"), "{html}");
    assert!(html.contains("<blockquote") && html.contains("Zespół Pomocy Hotelsoft<br></blockquote>"), "{html}");
    assert!(!html.contains("border-left") && !html.contains("rgb(204"), "{html}");
}

// --- NeoMutt ----------------------------------------------------------------------------

const MUTT_TEXT: &str = "Dnia Thu, Dec 03, 2026 at 10:00:00AM +0100, Pomoc techniczna Hotelsoft napisał(a):
> Dzień dobry,
>
> czy serwer w hotelu ma stały adres IP? Nasz technik musi się połączyć
> z bazą danych programu z zewnątrz.

Tak, 203.0.113.90. Port 5432 jest otwarty tylko dla Waszej sieci
198.51.100.0/24, tak jak ustalaliśmy w październiku.

> Prosimy też o informację, kiedy ostatnio wykonano kopię zapasową bazy.

Kopia robi się co noc o 2:00 (pg_dump, potem rsync na dysk w biurze).
Ostatnia udana: dziś, 2026-12-03 02:00, 1,8 GB. Wczorajsza też przeszła,
więc awaria drukarki fiskalnej raczej nie ma związku z bazą.

Dodam tylko, że w logach z recepcji widzę od wczoraj co kilka minut
\"COM3: urządzenie nie odpowiada\" - może to po prostu kabel albo zasilacz
drukarki? Mogę podjechać do hotelu jutro przed ósmą.

-- 
Paweł Dąbrowski
IT-Serwis Dąbrowski, Zakopane
tel. 600 100 200";

#[test]
fn neomutt_interleaved_reply_in_iso_8859_2() {
    let m = read("mutt.eml", MUTT);
    assert_eq!(m.subject, "Re: [#4711] Drukarka fiskalna nie drukuje paragonów");
    assert_eq!(m.from, Address::named("pawel@it-dabrowski.example", "Paweł Dąbrowski"));
    assert_eq!(m.to, [desk()]);
    // Only the surname is an encoded word.
    assert_eq!(m.cc, [Address::named("k.zielinska@hotelpodlipami.example", "Katarzyna Zielińska")]);
    assert_eq!(m.message_id.as_deref(), Some("aVBkQm3xR2tLp7Zc@serwer.it-dabrowski.example"));
    assert_eq!(m.in_reply_to, ["18edb5a0e3f17c29.34.a7c9e1b3d5f70284b6d8f0a2@hotelsoft.example"]);
    assert_eq!(
        m.references,
        [
            "18ed9b3c71a4e8f6.12.3e5a7c9b1d2f4e6a8c0b2d4f@hotelsoft.example",
            "18edb5a0e3f17c29.34.a7c9e1b3d5f70284b6d8f0a2@hotelsoft.example"
        ]
    );
    assert_eq!(m.date, Some(ts("2026-12-03T13:21:09Z")));
    assert_eq!(m.auto, None);
    assert_eq!(m.html, None);
    assert!(m.attachments.is_empty());

    // 8-bit ISO-8859-2, the "-- " signature separator kept as it was written.
    assert_eq!(m.text, MUTT_TEXT);
    // The answers sit between the quotes: nothing may be folded away.
    assert_eq!(m.quote_start, None);
    assert_eq!(m.unquoted_text(), MUTT_TEXT);
}

// --- Postfix bounce ---------------------------------------------------------------------

#[test]
fn postfix_dsn_is_a_bounce_for_the_mistyped_address() {
    let m = read("dsn-bounce.eml", DSN_BOUNCE);
    assert_eq!(m.subject, "Undelivered Mail Returned to Sender");
    // Postfix names the daemon in a comment: `MAILER-DAEMON@host (Mail Delivery System)`.
    assert_eq!(m.from, Address::named("mailer-daemon@smtp.hotelsoft.example", "Mail Delivery System"));
    assert_eq!(m.to, [Address::new("pomoc@hotelsoft.example")]);
    assert_eq!(m.message_id.as_deref(), Some("4Qz9B03LkVz9sTx@smtp.hotelsoft.example"));
    assert!(m.in_reply_to.is_empty() && m.references.is_empty());
    // "Thu,  3 Dec 2026 15:02:41 +0100 (CET)": two spaces and a zone comment.
    assert_eq!(m.date, Some(ts("2026-12-03T14:02:41Z")));
    assert_eq!(m.auto, Some(AutoKind::Bounce { failed_recipients: vec!["recpecja@hotelpodlipami.example".into()] }));

    // The body is the notification only; the report and the returned headers are files.
    assert!(m.text.starts_with("This is the mail system at host smtp.hotelsoft.example.\n\n"), "{:?}", m.text);
    assert!(m.text.ends_with(
        "<recpecja@hotelpodlipami.example>: host mx.hotelpodlipami.example[198.51.100.25] said:\n    550 5.1.1 <recpecja@hotelpodlipami.example>: Recipient address rejected:\n    User unknown in virtual mailbox table (in reply to RCPT TO command)"
    ), "{:?}", m.text);
    for elsewhere in ["Reporting-MTA", "Action: failed", "X-Postfix-Queue-ID", "Return-Path", "desk.hotelsoft.example"]
    {
        assert!(!m.text.contains(elsewhere), "{elsewhere:?} in the body: {:?}", m.text);
    }
    assert_eq!(m.quote_start, None);
    assert_eq!(m.html, None);

    let types: Vec<&str> = m.attachments.iter().map(|a| a.content_type.as_str()).collect();
    assert_eq!(types, ["message/delivery-status", "text/rfc822-headers"]);
    assert!(m.attachments.iter().all(|a| !a.inline && a.content_id.is_none()));
    let report = String::from_utf8(m.attachments[0].bytes.clone()).unwrap();
    assert!(report.contains("Final-Recipient: rfc822; recpecja@hotelpodlipami.example\r\n"), "{report}");
    assert!(report.contains("Action: failed\r\nStatus: 5.1.1\r\n"), "{report}");
    let returned = String::from_utf8(m.attachments[1].bytes.clone()).unwrap();
    assert!(
        returned.contains("Message-ID: <18edb8f2c4a61e07.3a.0b2d4f6a8c1e3b5d7f9a1c3e@hotelsoft.example>\r\n"),
        "{returned}"
    );
    assert!(returned.starts_with("Return-Path: <pomoc@hotelsoft.example>\r\n"), "{returned}");
}

// --- Exchange out-of-office -------------------------------------------------------------

#[test]
fn exchange_out_of_office_is_an_auto_reply() {
    let m = read("auto-reply.eml", AUTO_REPLY);
    // Two ISO-8859-2 Q words on folded lines; the space between them is encoded in the second.
    assert_eq!(m.subject, "Automatyczna odpowiedź: [#4711] Drukarka fiskalna nie drukuje paragonów");
    // It carries the ticket token and answers the desk's message: without the classification
    // it would land in ticket #4711 as the customer's reply.
    assert_eq!(ticket_token(&m.subject), Some(4711));
    assert_eq!(m.in_reply_to, ["18edb2c85c27a4f1.2f.9c4e1a7b3d5f60812a4b7c9e@hotelsoft.example"]);
    assert_eq!(m.auto, Some(AutoKind::AutoReply));
    assert_eq!(m.from, Address::named("a.nowak@hotelpodlipami.example", "Anna Nowak"));
    assert_eq!(m.to, [desk()]);
    assert_eq!(
        m.message_id.as_deref(),
        Some("AM9PR02MB7188C2E1D4B5A6F7E8D9C0B1A2F3E@AM9PR02MB7188.eurprd02.prod.outlook.com")
    );
    assert_eq!(m.date, Some(ts("2026-12-03T09:00:41Z")));

    // Base64 UTF-8 text with CRLF inside.
    assert_eq!(
        m.text,
        "Dzień dobry,\n\n\
przebywam na urlopie do poniedziałku 7 grudnia 2026 r. i nie mam dostępu do poczty. Wiadomości nie są przekazywane dalej.\n\n\
W sprawach pilnych dotyczących rezerwacji i faktur proszę o kontakt z recepcją: recepcja@hotelpodlipami.example, tel. +48 18 201 44 00.\n\n\
Z poważaniem\nAnna Nowak\nKierownik hotelu – Hotel Pod Lipami"
    );
    assert_eq!(m.quote_start, None);
    let html = m.html.as_deref().expect("html alternative");
    assert!(
        html.contains(">przebywam na urlopie do poniedziałku 7 grudnia 2026 r. i nie mam dostępu do poczty."),
        "{html}"
    );
    assert!(html.contains(">Kierownik hotelu – Hotel Pod Lipami</div>"), "{html}");
    assert!(!html.contains("<style") && !html.contains("Aptos") && !html.contains("margin-top"), "{html}");
    assert!(m.attachments.is_empty());
}

// --- Outlook Express, Windows-1250 ------------------------------------------------------

#[test]
fn outlook_express_windows_1250_with_every_polish_letter() {
    let m = read("windows-1250.eml", WINDOWS_1250);
    // Three Q encoded words cut mid-word (as MimeOLE does), joined without the folding space.
    assert_eq!(m.subject, "Krzaczki zamiast polskich liter na fakturach: zażółć gęślą jaźń / ZAŻÓŁĆ GĘŚLĄ JAŹŃ");
    // A B encoded word inside quotes, which Outlook Express writes although RFC 2047 says not to.
    assert_eq!(m.from, Address::named("jaskolka@pensjonat-jaskolka.example", "Łucja Żądło"));
    assert_eq!(m.to, [Address::new("pomoc@hotelsoft.example")]);
    assert_eq!(m.message_id.as_deref(), Some("000a01d9a4e2$6f1e3a40$0b01a8c0@RECEPCJA"));
    assert!(m.in_reply_to.is_empty() && m.references.is_empty());
    assert_eq!(m.date, Some(ts("2026-12-03T15:14:52Z")));
    assert_eq!(m.auto, None);
    assert_eq!(m.html, None);
    assert!(m.attachments.is_empty());
    assert_eq!(m.quote_start, None);

    for c in POLISH.chars() {
        assert!(m.subject.contains(c), "{c} missing in the subject {:?}", m.subject);
        assert!(m.text.contains(c), "{c} missing in the text {:?}", m.text);
    }
    // Quoted-printable and format=flowed together: "=20" marks the soft breaks.
    assert!(m.text.contains("\nzażółć gęślą jaźń\nZAŻÓŁĆ GĘŚLĄ JAŹŃ\n"), "{:?}", m.text);
    assert!(
        m.text.contains("Nazwisko gościa Łucja Żądło wychodzi na fakturze jako \"?ucja ?ąd?o\", a na paragonie z drukarki fiskalnej same znaki zapytania."),
        "{:?}",
        m.text
    );
    assert!(m.text.ends_with("Pozdrawiam\nŁucja Żądło\nPensjonat Jaskółka, Krynica-Zdrój"), "{:?}", m.text);
}

#[test]
fn person_written_fixtures_are_not_automatic_and_the_machines_are() {
    for (name, raw) in ALL {
        let auto = read(name, raw).auto;
        match name {
            "dsn-bounce.eml" => assert!(matches!(auto, Some(AutoKind::Bounce { .. })), "{name}: {auto:?}"),
            "auto-reply.eml" => assert_eq!(auto, Some(AutoKind::AutoReply), "{name}"),
            _ => assert_eq!(auto, None, "{name}"),
        }
    }
}
