//! Classification of automatic mail. The desk never opens a ticket for, nor answers, an
//! auto-reply, a bounce or a mailing list message: answering a vacation notice that answers
//! our answer is how mail loops start.

use mail_parser::{Message, MessagePart, MimeHeaders};

use crate::subject::clean_line;

/// Why a message was sent by a machine rather than a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutoKind {
    /// A vacation notice, autoresponder or read receipt (RFC 3834 `Auto-Submitted`, the
    /// `X-Autoreply`/`X-Autorespond` headers, `Precedence: auto_reply`, RFC 8098 reports).
    AutoReply,
    /// Mailing lists and newsletters (`Precedence: bulk/junk/list`, `List-Id`,
    /// `List-Unsubscribe`).
    Bulk,
    /// A delivery status notification (RFC 3464) or a message from the mailer daemon.
    /// `failed_recipients` are the lower-cased addresses whose delivery failed, so the desk
    /// can flag them; it is empty for delay warnings and for bounces that do not say.
    Bounce { failed_recipients: Vec<String> },
}

/// The first matching rule wins: a bounce often carries `Auto-Submitted` too, and an
/// auto-reply is sent with an empty Return-Path as RFC 3834 asks, so the specific signs are
/// checked before the general ones.
pub(crate) fn classify(message: &Message<'_>, from_email: &str) -> Option<AutoKind> {
    let root = message.parts.first()?;
    let report_type = root
        .content_type()
        .filter(|ct| {
            ct.ctype().eq_ignore_ascii_case("multipart")
                && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
        })
        .and_then(|ct| ct.attribute("report-type"))
        .map(str::to_ascii_lowercase);
    let x_failed = header(root, message, "X-Failed-Recipients");

    let mut failed = Vec::new();
    if let Some(list) = &x_failed {
        failed.extend(list.split(',').filter_map(recipient_address));
    }
    if report_type.as_deref() == Some("delivery-status") {
        failed.extend(
            message.parts.iter().filter(|p| is_delivery_status(p)).flat_map(|p| failed_recipients(p.contents())),
        );
        return Some(bounce(failed));
    }
    let local_part = from_email.split('@').next().unwrap_or_default();
    if x_failed.is_some()
        || local_part.eq_ignore_ascii_case("mailer-daemon")
        || local_part.eq_ignore_ascii_case("postmaster")
    {
        return Some(bounce(failed));
    }

    let precedence = header(root, message, "Precedence").map(|p| p.to_ascii_lowercase());
    let auto_submitted = header(root, message, "Auto-Submitted")
        .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
        .filter(|v| !v.is_empty());
    if auto_submitted.is_some_and(|v| v != "no")
        || header(root, message, "X-Autoreply").is_some()
        || header(root, message, "X-Autorespond").is_some()
        || precedence.as_deref() == Some("auto_reply")
        || report_type.as_deref() == Some("disposition-notification")
    {
        return Some(AutoKind::AutoReply);
    }

    if header(root, message, "Return-Path").is_some_and(|p| p.replace(' ', "") == "<>") {
        return Some(bounce(failed));
    }

    if matches!(precedence.as_deref(), Some("bulk" | "junk" | "list"))
        || header(root, message, "List-Id").is_some()
        || header(root, message, "List-Unsubscribe").is_some()
    {
        return Some(AutoKind::Bulk);
    }
    None
}

fn bounce(mut failed_recipients: Vec<String>) -> AutoKind {
    failed_recipients.sort();
    failed_recipients.dedup();
    AutoKind::Bounce { failed_recipients }
}

/// The first header of that name among `part`'s headers, unfolded and cleaned to one line;
/// `None` when absent or empty. Read from the raw bytes, since mail-parser keeps unknown
/// headers only as offsets.
fn header(part: &MessagePart<'_>, message: &Message<'_>, name: &str) -> Option<String> {
    let h = part.headers.iter().find(|h| h.name.as_str().eq_ignore_ascii_case(name))?;
    let raw = message.raw_message.get(h.offset_start as usize..h.offset_end as usize)?;
    let value = clean_line(&String::from_utf8_lossy(raw));
    (!value.is_empty()).then_some(value)
}

fn is_delivery_status(part: &MessagePart<'_>) -> bool {
    part.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("message")
            && ct.subtype().is_some_and(|s| {
                s.eq_ignore_ascii_case("delivery-status") || s.eq_ignore_ascii_case("global-delivery-status")
            })
    })
}

/// The recipients with `Action: failed` in the body of a `message/delivery-status` part:
/// one block of fields for the message, then one block per recipient (RFC 3464 §2.1).
/// Final-Recipient names the address that failed; Original-Recipient is the fallback.
fn failed_recipients(body: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(body);
    let mut out = Vec::new();
    let (mut final_rcpt, mut original_rcpt, mut failed) = (None, None, false);
    let mut finish = |final_rcpt: &mut Option<String>, original_rcpt: &mut Option<String>, failed: &mut bool| {
        if *failed && let Some(address) = final_rcpt.take().or_else(|| original_rcpt.take()) {
            out.push(address);
        }
        (*final_rcpt, *original_rcpt, *failed) = (None, None, false);
    };
    for line in unfold(&text) {
        if line.trim().is_empty() {
            finish(&mut final_rcpt, &mut original_rcpt, &mut failed);
            continue;
        }
        let Some((name, value)) = line.split_once(':') else { continue };
        match name.trim().to_ascii_lowercase().as_str() {
            "final-recipient" => final_rcpt = typed_address(value),
            "original-recipient" => original_rcpt = typed_address(value),
            "action" => failed = value.trim().eq_ignore_ascii_case("failed"),
            _ => {}
        }
    }
    finish(&mut final_rcpt, &mut original_rcpt, &mut failed);
    out
}

/// Joins header continuation lines (starting with white space) to the line they continue.
fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        match lines.last_mut() {
            Some(last) if line.starts_with([' ', '\t']) && !last.trim().is_empty() => last.push_str(line),
            _ => lines.push(line.to_owned()),
        }
    }
    lines
}

/// `rfc822; user@example.com` → `user@example.com`.
fn typed_address(value: &str) -> Option<String> {
    let address = value.split_once(';').map_or(value, |(_, a)| a);
    recipient_address(address)
}

fn recipient_address(value: &str) -> Option<String> {
    let address = value.trim().trim_start_matches('<').trim_end_matches('>').trim();
    address.contains('@').then(|| address.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_failed_recipients_are_reported() {
        let body = b"Reporting-MTA: dns; mx.example.com\r\n\r\nFinal-Recipient: rfc822; Gone@Example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\nFinal-Recipient: rfc822;late@example.com\r\nAction: delayed\r\n\r\nOriginal-Recipient: rfc822; <orig@example.com>\r\nAction: failed\r\n";
        assert_eq!(failed_recipients(body), ["gone@example.com", "orig@example.com"]);
    }

    #[test]
    fn folded_recipient_fields_are_read() {
        let body = b"Final-Recipient: rfc822;\r\n  folded@example.com\r\nAction: failed\r\n";
        assert_eq!(failed_recipients(body), ["folded@example.com"]);
    }
}
