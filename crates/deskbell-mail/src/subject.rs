//! Subject lines: the `[#1234]` ticket token that threads a reply whose client dropped the
//! In-Reply-To header, reply prefixes in the languages our customers write in, and the
//! one-line cleaning applied to every header value we read or write.

/// The ticket number of the first `[#1234]` token in a subject, so a reply finds its ticket
/// even when the mail client dropped In-Reply-To and References. A token whose number does
/// not fit an `i64` is skipped rather than truncated into another ticket's number.
pub fn ticket_token(subject: &str) -> Option<i64> {
    let mut rest = subject;
    while let Some(at) = rest.find("[#") {
        let after = &rest[at + 2..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0
            && after.as_bytes().get(digits) == Some(&b']')
            && let Ok(number) = after[..digits].parse::<i64>()
        {
            return Some(number);
        }
        rest = after;
    }
    None
}

/// Prefixes that mail clients put before a subject when replying or forwarding: English,
/// Polish (Odp = odpowiedź, PD = przekazanie dalej) and the German and Nordic ones that
/// Outlook adds for foreign users. Matched case-insensitively.
const REPLY_PREFIXES: &[&str] = &["re", "fwd", "fw", "odp", "pd", "aw", "wg", "sv", "vs", "tr"];

/// The subject without leading "Re:", "Fwd:", "Odp:", "PD:" (any case, repeated, also
/// `Re[2]:` and `RE :`), so a ticket is titled by what the customer wrote.
pub fn strip_reply_prefixes(subject: &str) -> &str {
    let mut rest = subject.trim();
    while let Some(stripped) = strip_one_prefix(rest) {
        rest = stripped.trim_start();
    }
    rest
}

fn strip_one_prefix(s: &str) -> Option<&str> {
    let word_len = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    let word = &s[..word_len];
    if !REPLY_PREFIXES.iter().any(|p| p.eq_ignore_ascii_case(word)) {
        return None;
    }
    let mut rest = &s[word_len..];
    // Outlook counts repeated replies: "RE[2]:" or "Re(3):".
    for (open, close) in [('[', ']'), ('(', ')')] {
        if let Some(inner) = rest.strip_prefix(open)
            && let Some(end) = inner.find(close)
            && end > 0
            && inner[..end].bytes().all(|b| b.is_ascii_digit())
        {
            rest = &inner[end + 1..];
        }
    }
    rest.trim_start_matches(' ').strip_prefix(':')
}

/// One line of text safe to show and to put back into a header: every control character
/// (CR and LF included, so no header can be injected), and the Unicode line and paragraph
/// separators, become a space; runs of white space collapse to one; the ends are trimmed.
pub(crate) fn clean_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_control() || c.is_whitespace() {
            pending_space = true;
        } else {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_token_is_found_anywhere_in_the_subject() {
        assert_eq!(ticket_token("Re: [#1234] Drukarka nie drukuje"), Some(1234));
        assert_eq!(ticket_token("Drukarka [#7]"), Some(7));
        assert_eq!(ticket_token("[#12] first, [#34] second"), Some(12));
    }

    #[test]
    fn malformed_tokens_are_not_ticket_numbers() {
        assert_eq!(ticket_token("Invoice #1234"), None);
        assert_eq!(ticket_token("[#] empty"), None);
        assert_eq!(ticket_token("[#12a]"), None);
        assert_eq!(ticket_token("[# 12]"), None);
        assert_eq!(ticket_token("[#99999999999999999999]"), None);
        assert_eq!(ticket_token("[#99999999999999999999] then [#5]"), Some(5));
        assert_eq!(ticket_token("[#"), None);
    }

    #[test]
    fn reply_prefixes_are_stripped_repeatedly() {
        assert_eq!(strip_reply_prefixes("Re: RE: Fwd: FW: Odp: ODP: PD: Fw: Awaria"), "Awaria");
        assert_eq!(strip_reply_prefixes("  re:fwd:  Awaria  "), "Awaria");
        assert_eq!(strip_reply_prefixes("RE[2]: Re(3): RE : Awaria"), "Awaria");
        assert_eq!(strip_reply_prefixes("Re: [#12] Awaria"), "[#12] Awaria");
    }

    #[test]
    fn words_that_merely_start_like_prefixes_are_kept() {
        assert_eq!(strip_reply_prefixes("Reklamacja: faktura"), "Reklamacja: faktura");
        assert_eq!(strip_reply_prefixes("Re zamówienie"), "Re zamówienie");
        assert_eq!(strip_reply_prefixes("Pd. awaria"), "Pd. awaria");
        assert_eq!(strip_reply_prefixes("Re:"), "");
    }

    #[test]
    fn clean_line_removes_line_breaks_and_controls() {
        assert_eq!(clean_line(" Hello\r\nBcc: x@evil\u{0}\u{7f}\u{85}end \u{2028} "), "Hello Bcc: x@evil end");
        assert_eq!(clean_line("Zażółć\tgęślą  jaźń"), "Zażółć gęślą jaźń");
    }
}
