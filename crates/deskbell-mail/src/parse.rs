//! Inbound messages: raw bytes in, a decoded and sanitised [`Inbound`] out.
//!
//! mail-parser is lenient by design (a broken boundary or an unknown charset still yields
//! whatever can be read), which is what an intake wants: the customer's words matter more
//! than the sender's MIME. What cannot be read at all, or has no sender to answer, is an
//! error for the intake to quarantine.

use std::borrow::Cow;
use std::panic::catch_unwind;

use jiff::Timestamp;
use mail_parser::{Addr, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType};
use sha2::{Digest, Sha256};

use crate::auto::{AutoKind, classify};
use crate::subject::clean_line;
use crate::{Address, Attachment, Limits, MailError, html, quote};

/// A received message, decoded and safe to store and show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    /// The Message-ID without angle brackets; the key for "stored exactly once".
    pub message_id: Option<String>,
    /// Ids this message answers, then the thread's ids, both without angle brackets: a reply
    /// is threaded by these before the subject token is tried.
    pub in_reply_to: Vec<String>,
    /// At most 64 ids: the thread root and the most recent ones.
    pub references: Vec<String>,
    /// Decoded (RFC 2047) and on one line: no control characters, trimmed.
    pub subject: String,
    pub from: Address,
    pub reply_to: Option<Address>,
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    pub date: Option<Timestamp>,
    /// The plain-text body with `\n` line ends; a text rendering of the HTML when the
    /// message has no text part.
    pub text: String,
    /// The HTML body, sanitised: no scripts, handlers, active URLs or remote images.
    pub html: Option<String>,
    /// Byte offset in `text` where the quoted history starts, so display can fold it; the
    /// full text is kept for search and for the record.
    pub quote_start: Option<usize>,
    pub attachments: Vec<Attachment>,
    /// Set when a machine sent the message: it must not open a ticket nor be answered.
    pub auto: Option<AutoKind>,
    /// SHA-256 of the raw bytes, for deduplication when the Message-ID is missing.
    pub content_hash: [u8; 32],
}

/// How many References ids are kept: a hostile message could carry millions, and the thread
/// root plus the latest ids are the ones that find a ticket.
const MAX_REFERENCES: usize = 64;

impl Inbound {
    /// The text above the quoted history: what this message adds to the conversation.
    pub fn unquoted_text(&self) -> &str {
        let end = self.quote_start.unwrap_or(self.text.len());
        self.text.get(..end).unwrap_or(&self.text).trim_end()
    }

    /// [`Inbound::content_hash`] as 64 lower-case hex digits, for storage and logs.
    pub fn content_hash_hex(&self) -> String {
        self.content_hash.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Reads one raw message (as fetched over IMAP or piped by the mail server).
///
/// The size limit is checked before anything else. Broken MIME, unknown charsets and
/// stray bytes are read leniently (lossy where they must be); only input that is not a
/// message at all, or has no usable From address, is refused.
pub fn parse(raw: &[u8], limits: &Limits) -> Result<Inbound, MailError> {
    if raw.len() > limits.max_bytes {
        return Err(MailError::TooLarge { size: raw.len(), limit: limits.max_bytes });
    }
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(MailError::Unparseable("the input is empty".into()));
    }
    // mail-parser promises not to panic, but one bad message must never take the intake
    // down with it, so a broken promise becomes a quarantined message.
    let message = catch_unwind(|| MessageParser::default().parse(raw))
        .map_err(|_| MailError::Unparseable("the MIME parser failed on this message".into()))?
        .filter(|m| m.parts.first().is_some_and(|root| !root.headers.is_empty()))
        .ok_or_else(|| MailError::Unparseable("no header fields found".into()))?;
    if !message.parts[0].headers.iter().any(|h| !h.name.is_other()) {
        return Err(MailError::Unparseable("none of the header fields is an e-mail header".into()));
    }

    let from = message.from().and_then(|a| a.iter().find_map(mailbox)).ok_or(MailError::NoSender)?;
    let (text, fallback) = body_text(&message);
    let quote_start = quote::quote_start(&text);
    Ok(Inbound {
        message_id: message_ids(message.header("Message-ID")).into_iter().next(),
        in_reply_to: message_ids(Some(message.in_reply_to())),
        references: keep_root_and_latest(message_ids(Some(message.references()))),
        subject: clean_line(message.subject().unwrap_or_default()),
        reply_to: message.reply_to().and_then(|a| a.iter().find_map(mailbox)),
        to: message.all_to().flat_map(|a| a.iter()).filter_map(mailbox).collect(),
        cc: message.all_cc().flat_map(|a| a.iter()).filter_map(mailbox).collect(),
        date: message.date().filter(|d| d.is_valid()).and_then(|d| Timestamp::from_second(d.to_timestamp()).ok()),
        html: body_html(&message),
        attachments: attachments(&message, fallback),
        auto: classify(&message, &from.email),
        content_hash: Sha256::digest(raw).into(),
        from,
        text,
        quote_start,
    })
}

/// A usable mailbox: `local@domain` with both parts present and nothing that could break
/// out of a header when the address is written back (white space, controls, brackets).
fn mailbox(addr: &Addr<'_>) -> Option<Address> {
    let email = addr.address.as_deref()?.trim();
    if !valid_email(email) {
        return None;
    }
    let email = email.to_lowercase();
    let name = addr.name.as_deref().map(|n| clean_line(n.trim_matches(['"', '\'', ' '])));
    let name = name.filter(|n| !n.is_empty() && n.to_lowercase() != email);
    Some(Address { email, name })
}

pub(crate) fn valid_email(email: &str) -> bool {
    let bad = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"' | '(' | ')');
    email.rsplit_once('@').is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
        && !email.chars().any(bad)
}

/// Message ids without angle brackets, white space or controls, in header order, each once.
fn message_ids(value: Option<&HeaderValue<'_>>) -> Vec<String> {
    let raw: Vec<&str> = match value {
        Some(HeaderValue::Text(id)) => vec![id.as_ref()],
        Some(HeaderValue::TextList(ids)) => ids.iter().map(AsRef::as_ref).collect(),
        _ => Vec::new(),
    };
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for id in raw {
        let id: String =
            id.chars().filter(|c| !c.is_whitespace() && !c.is_control() && *c != '<' && *c != '>').collect();
        if !id.is_empty() && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

fn keep_root_and_latest(mut ids: Vec<String>) -> Vec<String> {
    if ids.len() > MAX_REFERENCES {
        ids.drain(1..ids.len() - (MAX_REFERENCES - 1));
    }
    ids
}

/// All text body parts in order (a message may interleave text with inline images), HTML
/// ones rendered as text. When there are none, the text recovered from broken MIME (see
/// [`fallback_body`]) is the body; its part id is returned so that it is not also listed as
/// an attachment.
fn body_text(message: &Message<'_>) -> (String, Option<usize>) {
    let mut text = String::new();
    for part in message.text_body.iter().filter_map(|&id| message.parts.get(id as usize)) {
        push_part_text(&mut text, part);
    }
    let mut text = normalise_text(&text);
    let mut fallback = None;
    if text.is_empty()
        && let Some(id) = fallback_body(message)
        && let Some(part) = message.parts.get(id)
    {
        let mut recovered = String::new();
        push_part_text(&mut recovered, part);
        text = normalise_text(&recovered);
        fallback = Some(id);
    }
    (text, fallback)
}

fn push_part_text(text: &mut String, part: &MessagePart<'_>) {
    let piece: Cow<'_, str> = match &part.body {
        PartType::Text(t) => {
            let t = relabelled_latin2(part, t).map_or(Cow::Borrowed(t.as_ref()), Cow::Owned);
            match flowed(part) {
                Some(delsp) => Cow::Owned(unflow(&t, delsp)),
                None => t,
            }
        }
        PartType::Html(h) => Cow::Owned(html::to_text(&relabelled_latin2(part, h).unwrap_or_else(|| h.to_string()))),
        _ => return,
    };
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&piece);
}

/// Older Polish mail programs (Outlook Express among them) label Windows-1250 text as
/// ISO-8859-2. The Windows bytes of ś, ź, Ś, Ź (and quotes, dashes) are C1 control codes in
/// ISO-8859-2, which no real text contains; so C1 characters in "ISO-8859-2" text mean it is
/// Windows-1250. ISO-8859-2 maps every byte to one character, so the bytes are recovered
/// exactly and decoded again, which also corrects ą and Ą.
fn relabelled_latin2(part: &MessagePart<'_>, text: &str) -> Option<String> {
    let charset = part.content_type()?.attribute("charset")?;
    if encoding_rs::Encoding::for_label(charset.trim().as_bytes()) != Some(encoding_rs::ISO_8859_2)
        || !text.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c))
    {
        return None;
    }
    let (bytes, _, unmappable) = encoding_rs::ISO_8859_2.encode(text);
    if unmappable {
        return None;
    }
    Some(encoding_rs::WINDOWS_1250.decode_without_bom_handling(&bytes).0.into_owned())
}

/// `Some(delsp)` when the part is `text/plain; format=flowed` (RFC 3676), as Thunderbird,
/// Outlook Express and older Apple Mail send plain text.
fn flowed(part: &MessagePart<'_>) -> Option<bool> {
    let ct = part.content_type()?;
    let plain = ct.ctype().eq_ignore_ascii_case("text") && ct.subtype().is_none_or(|s| s.eq_ignore_ascii_case("plain"));
    let format = ct.attribute("format")?;
    (plain && format.trim().eq_ignore_ascii_case("flowed"))
        .then(|| ct.attribute("delsp").is_some_and(|d| d.trim().eq_ignore_ascii_case("yes")))
}

/// Joins the lines of a `format=flowed` text back into paragraphs. The sender wrapped them at
/// 72-76 columns and marked each soft break with a trailing space; left as is, every sentence
/// that crosses a break is cut by a line end (in the ticket view and for phrase search).
/// Quoted lines join only with lines of the same quote depth and keep their `>` marks, one
/// space-stuffing space is removed, and the `-- ` signature separator is never joined.
fn unflow(text: &str, delsp: bool) -> String {
    let mut out = String::with_capacity(text.len());
    // The quote depth of the paragraph whose last line ended in a soft break.
    let mut open: Option<usize> = None;
    for line in text.lines() {
        let depth = line.bytes().take_while(|&b| b == b'>').count();
        let rest = &line[depth..];
        let content = rest.strip_prefix(' ').unwrap_or(rest);
        let signature = content == "-- ";
        if open.is_some() && (open != Some(depth) || signature) {
            out.push('\n');
            open = None;
        }
        if open.is_none() {
            out.push_str(&">".repeat(depth));
            if depth > 0 && !content.is_empty() {
                out.push(' ');
            }
        }
        if !signature && content.ends_with(' ') {
            out.push_str(if delsp { &content[..content.len() - 1] } else { content });
            open = Some(depth);
        } else {
            out.push_str(content);
            out.push('\n');
            open = None;
        }
    }
    out
}

/// mail-parser recovers the text of a part whose boundary is broken or missing, but files it
/// as an attachment. The first such text part that the sender did not mark as an attachment
/// is taken as the body, so the customer's words are not hidden in a download.
fn fallback_body(message: &Message<'_>) -> Option<usize> {
    message.attachments.iter().map(|&id| id as usize).find(|&id| {
        message.parts.get(id).is_some_and(|part| {
            let text = matches!(part.body, PartType::Text(_) | PartType::Html(_));
            let attached = part.content_disposition().is_some_and(|d| d.ctype().eq_ignore_ascii_case("attachment"));
            let plain = part.content_type().is_none_or(|ct| {
                ct.ctype().eq_ignore_ascii_case("multipart")
                    || (ct.ctype().eq_ignore_ascii_case("text")
                        && ct
                            .subtype()
                            .is_none_or(|s| s.eq_ignore_ascii_case("plain") || s.eq_ignore_ascii_case("html")))
            });
            text && !attached && (plain || part.is_encoding_problem)
        })
    })
}

/// `\n` line ends, no control characters but tabs (PostgreSQL rejects NUL in text, and
/// terminal escapes have no place in a ticket), no trailing white space.
fn normalise_text(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out: String = text.chars().filter(|&c| c == '\n' || c == '\t' || !c.is_control()).collect();
    out.truncate(out.trim_end().len());
    out
}

fn body_html(message: &Message<'_>) -> Option<String> {
    let parts: Vec<&str> = message
        .html_body
        .iter()
        .filter_map(|&id| match &message.parts.get(id as usize)?.body {
            PartType::Html(h) => Some(h.as_ref()),
            _ => None,
        })
        .collect();
    if parts.is_empty() {
        return None;
    }
    let clean = html::sanitise(&parts.concat())?;
    (!clean.trim().is_empty()).then_some(clean)
}

fn attachments(message: &Message<'_>, body: Option<usize>) -> Vec<Attachment> {
    message
        .attachments
        .iter()
        .filter(|&&id| Some(id as usize) != body)
        .filter_map(|&id| message.parts.get(id as usize))
        .filter(|part| !matches!(part.body, PartType::Multipart(_)))
        .enumerate()
        .map(|(i, part)| attachment(part, i + 1))
        .collect()
}

fn attachment(part: &MessagePart<'_>, number: usize) -> Attachment {
    let content_type = content_type(part);
    let content_id =
        part.content_id().map(|id| clean_line(id.trim_matches(['<', '>', ' ']))).filter(|id| !id.is_empty());
    let disposition = part.content_disposition().map(|d| d.ctype().to_ascii_lowercase());
    let inline = match disposition.as_deref() {
        Some("inline") => true,
        Some("attachment") => false,
        _ => content_id.is_some(),
    };
    Attachment {
        filename: safe_filename(part.attachment_name(), number, &content_type),
        content_type,
        content_id,
        inline,
        bytes: part.contents().to_vec(),
    }
}

/// `type/subtype` in lower case, limited to the characters RFC 6838 allows, so that it can be
/// sent back as a Content-Type header when the file is downloaded.
fn content_type(part: &MessagePart<'_>) -> String {
    if let Some(ct) = part.content_type()
        && let Some(subtype) = ct.subtype()
    {
        let media_type = format!("{}/{}", ct.ctype(), subtype).to_ascii_lowercase();
        if is_media_type(&media_type) {
            return media_type;
        }
    }
    match part.body {
        PartType::Text(_) => "text/plain",
        PartType::Html(_) => "text/html",
        PartType::Message(_) => "message/rfc822",
        _ => "application/octet-stream",
    }
    .to_owned()
}

pub(crate) fn is_media_type(media_type: &str) -> bool {
    let token = |s: &str| {
        !s.is_empty() && s.len() <= 127 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    media_type.split_once('/').is_some_and(|(t, s)| token(t) && token(s))
}

const MAX_FILENAME_CHARS: usize = 150;

/// A download name that cannot escape a folder or break a header: the last path component,
/// on one line, without the characters Windows forbids, no leading dot, at most
/// [`MAX_FILENAME_CHARS`] characters (keeping the extension); `attachment-N.ext` when nothing
/// is left.
pub(crate) fn safe_filename(name: Option<&str>, number: usize, content_type: &str) -> String {
    let last = name.unwrap_or_default().rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = clean_line(last)
        .chars()
        .map(|c| if matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim_start_matches(['.', ' ']).trim_end_matches(['.', ' ']);
    if cleaned.is_empty() {
        return format!("attachment-{number}.{}", extension(content_type));
    }
    if cleaned.chars().count() <= MAX_FILENAME_CHARS {
        return cleaned.to_owned();
    }
    let ext = cleaned.rsplit_once('.').map(|(_, e)| e).filter(|e| e.chars().count() <= 10).unwrap_or_default();
    let stem: String = cleaned.chars().take(MAX_FILENAME_CHARS - ext.chars().count() - 1).collect();
    if ext.is_empty() { stem } else { format!("{stem}.{ext}") }
}

fn extension(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "text/plain" => "txt",
        "text/html" => "html",
        "text/calendar" => "ics",
        "message/rfc822" => "eml",
        "message/delivery-status" => "txt",
        _ => "bin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames_lose_paths_controls_and_reserved_characters() {
        assert_eq!(safe_filename(Some("../../etc/passwd"), 1, "text/plain"), "passwd");
        assert_eq!(safe_filename(Some("C:\\Users\\x\\faktura.pdf"), 1, "application/pdf"), "faktura.pdf");
        assert_eq!(safe_filename(Some("a\r\nb:c?.pdf"), 1, "application/pdf"), "a b_c_.pdf");
        assert_eq!(safe_filename(Some(".htaccess"), 1, "text/plain"), "htaccess");
        assert_eq!(safe_filename(Some(" .. "), 2, "application/pdf"), "attachment-2.pdf");
        assert_eq!(safe_filename(None, 3, "application/x-whatever"), "attachment-3.bin");
        assert_eq!(safe_filename(Some("dir/"), 4, "image/png"), "attachment-4.png");
    }

    #[test]
    fn long_filenames_are_cut_keeping_the_extension() {
        let name = format!("{}.pdf", "ż".repeat(400));
        let safe = safe_filename(Some(&name), 1, "application/pdf");
        assert_eq!(safe.chars().count(), MAX_FILENAME_CHARS);
        assert!(safe.ends_with("ż.pdf"), "{safe}");
    }

    #[test]
    fn references_keep_the_root_and_the_latest_ids() {
        let ids: Vec<String> = (0..100).map(|i| format!("id{i}@x")).collect();
        let kept = keep_root_and_latest(ids);
        assert_eq!(kept.len(), MAX_REFERENCES);
        assert_eq!(kept[0], "id0@x");
        assert_eq!(kept[1], "id37@x");
        assert_eq!(kept[MAX_REFERENCES - 1], "id99@x");
    }

    #[test]
    fn flowed_lines_join_into_paragraphs_per_quote_depth() {
        let text = "Dzień dobry, \r\nto jest jeden \r\nakapit.\r\n\r\nW dniu 1.01.2024 o 10:00, Desk pisze:\r\n> stary \r\n> akapit\r\n>\r\n>> głębszy \r\n> płytszy\r\n";
        assert_eq!(
            unflow(text, false),
            "Dzień dobry, to jest jeden akapit.\n\nW dniu 1.01.2024 o 10:00, Desk pisze:\n> stary akapit\n>\n>> głębszy \n> płytszy\n"
        );
    }

    #[test]
    fn flowed_signature_separator_stuffing_and_delsp() {
        // The separator ends a paragraph and stays a line of its own; a space-stuffed line
        // loses its stuffing; DelSp removes the space of the soft break.
        assert_eq!(unflow("Tekst \n-- \nPaweł\n  wcięty\n", false), "Tekst \n-- \nPaweł\n wcięty\n");
        assert_eq!(unflow("Zażółć gęślą jaź\nń\n", false), "Zażółć gęślą jaź\nń\n");
        assert_eq!(unflow("Zaka \nmienie\n", true), "Zakamienie\n");
    }

    #[test]
    fn body_text_keeps_tabs_and_newlines_only() {
        assert_eq!(normalise_text("a\r\nb\rc\u{0}d\te\u{1b}[31m  \n\n"), "a\nb\ncd\te[31m");
    }
}
