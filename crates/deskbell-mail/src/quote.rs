//! Where the quoted history of a reply starts, so a ticket view can fold it away while the
//! stored text stays complete.
//!
//! Two shapes are recognised. Outlook puts the previous message below a separator or a block
//! of header lines ("-----Original Message-----", "From: … Sent: …", "Od: … Wysłano: …") and
//! writes nothing after it, so everything from there on is history. Other clients quote with
//! `> ` under an attribution ("On … wrote:", "W dniu … pisze:", "… napisał(a):"); those are
//! folded only when nothing but quoted lines follow, because a bottom-posted or interleaved
//! answer below the quote is the part the agent must read.

/// The byte offset in `text` where the quoted history starts, or `None` when there is none
/// or when nothing but history would remain above it.
pub(crate) fn quote_start(text: &str) -> Option<usize> {
    let lines = lines_with_offsets(text);
    let start = outlook_header(&lines).or_else(|| trailing_quote(&lines))?;
    (!text[..start].trim().is_empty()).then_some(start)
}

struct Line<'a> {
    offset: usize,
    text: &'a str,
}

fn lines_with_offsets(text: &str) -> Vec<Line<'_>> {
    let mut offset = 0;
    text.split_inclusive('\n')
        .map(|raw| {
            let line = Line { offset, text: raw.trim_end_matches(['\n', '\r']) };
            offset += raw.len();
            line
        })
        .collect()
}

/// Case-insensitive separator lines of Outlook and Thunderbird forwards-as-reply, in English
/// and Polish; matched after the dashes around them are removed.
const SEPARATORS: &[&str] = &["original message", "wiadomość oryginalna", "oryginalna wiadomość"];

/// Header pairs Outlook writes above the quoted message: the sender line and, on one of the
/// next lines, the date line.
const HEADER_PAIRS: &[(&str, &str)] = &[("from:", "sent:"), ("od:", "wysłano:"), ("from:", "date:"), ("od:", "data:")];

fn outlook_header(lines: &[Line<'_>]) -> Option<usize> {
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.text.trim();
        let lower = trimmed.to_lowercase();
        if trimmed.starts_with("---") && SEPARATORS.contains(&lower.trim_matches(|c| c == '-' || c == ' ')) {
            return Some(line.offset);
        }
        for (first, second) in HEADER_PAIRS {
            if starts_with_label(&lower, first)
                && lines
                    .iter()
                    .skip(i + 1)
                    .take(3)
                    .any(|next| starts_with_label(&next.text.trim().to_lowercase(), second))
                && !below_forward_marker(lines, i)
            {
                // Outlook draws a line of underscores above the header block; fold it too.
                let above = i.checked_sub(1).and_then(|j| lines.get(j));
                return Some(match above {
                    Some(rule) if rule.text.trim().len() >= 10 && rule.text.trim().bytes().all(|b| b == b'_') => {
                        rule.offset
                    }
                    _ => line.offset,
                });
            }
        }
    }
    None
}

/// Forwarded messages carry the same header block, but they are what the customer wants
/// the agent to read, so they stay unfolded.
const FORWARD_MARKERS: &[&str] = &["forwarded message", "przekazana wiadomość", "wiadomość przekazana"];

fn below_forward_marker(lines: &[Line<'_>], i: usize) -> bool {
    let above = lines[..i].iter().rev().find(|l| !is_blank(l));
    above.is_some_and(|l| {
        let lower = l.text.to_lowercase();
        FORWARD_MARKERS.iter().any(|m| lower.contains(m))
    })
}

/// A header label, also when HTML rendering left it bold (`**From:**`).
fn starts_with_label(lower: &str, label: &str) -> bool {
    lower.trim_start_matches('*').starts_with(label)
}

fn is_quoted(line: &Line<'_>) -> bool {
    line.text.trim_start().starts_with('>')
}

fn is_blank(line: &Line<'_>) -> bool {
    line.text.trim().is_empty()
}

/// The start of a block of `>`-quoted lines that runs to the end of the text, moved up to
/// its attribution line when there is one.
fn trailing_quote(lines: &[Line<'_>]) -> Option<usize> {
    let mut first = lines.len();
    while first > 0 && lines.get(first - 1).is_some_and(|l| is_quoted(l) || is_blank(l)) {
        first -= 1;
    }
    // Skip the blank lines at the top of the block, so it starts at a quoted line.
    while lines.get(first).is_some_and(is_blank) {
        first += 1;
    }
    if first >= lines.len() {
        return None;
    }
    let above = (0..first).rev().find(|&j| lines.get(j).is_some_and(|l| !is_blank(l)));
    let start = above.and_then(|j| attribution_start(lines, j)).unwrap_or(first);
    lines.get(start).map(|l| l.offset)
}

/// When line `j` ends an attribution ("On … wrote:", "W dniu … pisze:", "… napisał(a):",
/// or any short line ending in a colon that names an address or a date), the line where the
/// attribution starts: Gmail wraps long ones onto a second line at 78 columns, either after
/// the `<` of the address or before the closing words. The Polish Gmail attribution starts
/// with the weekday ("czw., 3 gru 2026 o 10:00 …"), so its first line is recognised by where
/// it was cut rather than by how it starts.
fn attribution_start(lines: &[Line<'_>], j: usize) -> Option<usize> {
    let line = lines.get(j)?.text.trim();
    let lower = line.to_lowercase();
    let starts = |l: &str| l.starts_with("on ") || l.starts_with("w dniu ");
    let known_end = lower.ends_with("wrote:") || lower.ends_with("pisze:") || lower.ends_with("napisał(a):");
    if known_end {
        if starts(&lower) || j == 0 {
            return Some(j);
        }
        let previous = lines.get(j - 1).map(|l| l.text.trim().to_lowercase()).unwrap_or_default();
        let cut_at_address = previous.ends_with('<') || (previous.ends_with('>') && previous.contains('@'));
        return Some(if starts(&previous) || cut_at_address { j - 1 } else { j });
    }
    let generic = lower.ends_with(':')
        && line.chars().count() <= 200
        && (line.contains('@') || line.chars().any(|c| c.is_ascii_digit()));
    generic.then_some(j)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(text: &str) -> Option<&str> {
        quote_start(text).map(|at| &text[at..])
    }

    #[test]
    fn gmail_attribution_with_quote_is_folded() {
        let text = "Thanks, it works.\n\nOn Mon, 1 Jan 2024 at 10:00, Desk <desk@example.com> wrote:\n> Try again.\n>\n> Desk\n";
        assert_eq!(
            folded(text),
            Some("On Mon, 1 Jan 2024 at 10:00, Desk <desk@example.com> wrote:\n> Try again.\n>\n> Desk\n")
        );
    }

    #[test]
    fn wrapped_attribution_is_folded_from_its_first_line() {
        let text = "OK\r\nOn Mon, 1 Jan 2024 at 10:00, Somebody With A Long Name <\r\nsomebody@example.com> wrote:\r\n> old\r\n";
        assert_eq!(
            folded(text),
            Some(
                "On Mon, 1 Jan 2024 at 10:00, Somebody With A Long Name <\r\nsomebody@example.com> wrote:\r\n> old\r\n"
            )
        );
    }

    #[test]
    fn polish_attributions_are_folded() {
        let thunderbird = "Dziękuję.\n\nW dniu 1.01.2024 o 10:00, Jan Kowalski pisze:\n> Proszę o restart.\n";
        assert_eq!(folded(thunderbird), Some("W dniu 1.01.2024 o 10:00, Jan Kowalski pisze:\n> Proszę o restart.\n"));
        let gmail =
            "Działa.\n\npon., 1 sty 2024 o 10:00 Jan Kowalski <jan@example.pl> napisał(a):\n> Proszę o restart.\n";
        assert_eq!(
            folded(gmail),
            Some("pon., 1 sty 2024 o 10:00 Jan Kowalski <jan@example.pl> napisał(a):\n> Proszę o restart.\n")
        );
    }

    #[test]
    fn wrapped_polish_gmail_attributions_are_folded_from_their_first_line() {
        // Gmail cuts at 78 columns: before "napisał(a):" when the address fits, else after "<".
        let before_end = "Działa.\n\nczw., 3 gru 2026 o 10:00 Pomoc techniczna Hotelsoft <pomoc@hotelsoft.example>\nnapisał(a):\n\n> Proszę o restart.\n>\n";
        assert_eq!(
            folded(before_end),
            Some(
                "czw., 3 gru 2026 o 10:00 Pomoc techniczna Hotelsoft <pomoc@hotelsoft.example>\nnapisał(a):\n\n> Proszę o restart.\n>\n"
            )
        );
        let after_bracket = "Działa.\n\nczw., 3 gru 2026 o 10:00 Dział Pomocy Technicznej Hotelsoft Sp. z o.o. <\npomoc@hotelsoft.example> napisał(a):\n\n> Proszę o restart.\n";
        assert_eq!(
            folded(after_bracket),
            Some(
                "czw., 3 gru 2026 o 10:00 Dział Pomocy Technicznej Hotelsoft Sp. z o.o. <\npomoc@hotelsoft.example> napisał(a):\n\n> Proszę o restart.\n"
            )
        );
        // A last line of new text directly above a one-line attribution is not taken with it.
        let unwrapped =
            "Działa, dzięki.\nczw., 3 gru 2026 o 10:00 Desk <desk@example.com> napisał(a):\n> Proszę o restart.\n";
        assert_eq!(
            folded(unwrapped),
            Some("czw., 3 gru 2026 o 10:00 Desk <desk@example.com> napisał(a):\n> Proszę o restart.\n")
        );
    }

    #[test]
    fn outlook_separators_fold_everything_below() {
        let en = "Done.\n\n-----Original Message-----\nFrom: Desk\nunquoted history\n";
        assert_eq!(folded(en), Some("-----Original Message-----\nFrom: Desk\nunquoted history\n"));
        let pl = "Zrobione.\n-----Wiadomość oryginalna-----\nOd: Desk\n";
        assert_eq!(folded(pl), Some("-----Wiadomość oryginalna-----\nOd: Desk\n"));
    }

    #[test]
    fn outlook_header_blocks_fold_everything_below() {
        let pl = "Zrobione.\n\n________________________________\nOd: Desk <desk@example.com>\nWysłano: poniedziałek, 1 stycznia 2024 10:00\nDo: Jan\nTemat: Awaria\n\nstara treść\n";
        assert_eq!(
            folded(pl),
            Some(
                "________________________________\nOd: Desk <desk@example.com>\nWysłano: poniedziałek, 1 stycznia 2024 10:00\nDo: Jan\nTemat: Awaria\n\nstara treść\n"
            )
        );
        let en = "Done.\n\nFrom: Desk <desk@example.com>\nSent: Monday, January 1, 2024 10:00 AM\nTo: Jan\n\nold\n";
        assert_eq!(
            folded(en),
            Some("From: Desk <desk@example.com>\nSent: Monday, January 1, 2024 10:00 AM\nTo: Jan\n\nold\n")
        );
    }

    #[test]
    fn forwarded_messages_are_not_folded() {
        let text = "Please see below.\n\n---------- Forwarded message ---------\nFrom: Klient <k@example.pl>\nDate: Mon, 1 Jan 2024\nSubject: Awaria\n\nNic nie działa.\n";
        assert_eq!(folded(text), None);
    }

    #[test]
    fn a_reply_below_the_quote_is_not_folded() {
        assert_eq!(folded("On Mon, Desk wrote:\n> Does it work?\nYes, it does.\n"), None);
    }

    #[test]
    fn a_sentence_ending_in_wrote_without_a_quote_is_not_folded() {
        assert_eq!(folded("Hello,\nOn Monday your technician wrote:\nthe fix is done.\n"), None);
    }

    #[test]
    fn a_trailing_quote_without_attribution_is_folded_at_the_quote() {
        assert_eq!(folded("See below.\n\n> old line\n> another\n\n"), Some("> old line\n> another\n\n"));
    }

    #[test]
    fn a_message_that_is_only_history_is_not_folded() {
        assert_eq!(folded("> only quoted\n"), None);
        assert_eq!(folded("-----Original Message-----\nFrom: x\n"), None);
        assert_eq!(folded("plain text, no history\n"), None);
    }
}
