//! Folder names on the wire: IMAP4rev1 spells non-ASCII mailbox names in "modified UTF-7"
//! (RFC 3501 §5.1.3), so a folder an administrator types as "Zgłoszenia" is "Zg&AUI-oszenia" to
//! the server.

use base64::Engine as _;
use base64::alphabet::IMAP_MUTF7;
use base64::engine::{GeneralPurpose, GeneralPurposeConfig};

const MUTF7: GeneralPurpose = GeneralPurpose::new(&IMAP_MUTF7, GeneralPurposeConfig::new().with_encode_padding(false));

/// Encodes a folder name as typed (UTF-8) into its IMAP wire form.
pub(crate) fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut out, &mut pending);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut units = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut units));
        }
    }
    flush(&mut out, &mut pending);
    out
}

fn flush(out: &mut String, pending: &mut Vec<u16>) {
    if pending.is_empty() {
        return;
    }
    let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
    out.push('&');
    out.push_str(&MUTF7.encode(bytes));
    out.push('-');
    pending.clear();
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn ascii_names_pass_through_except_ampersand() {
        assert_eq!(encode("INBOX"), "INBOX");
        assert_eq!(encode("Support/Tickets 2024"), "Support/Tickets 2024");
        assert_eq!(encode("R&D"), "R&-D");
    }

    #[test]
    fn non_ascii_names_use_modified_utf7_as_in_rfc_3501() {
        assert_eq!(encode("~peter/mail/台北/日本語"), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
        assert_eq!(encode("Zgłoszenia"), "Zg&AUI-oszenia");
        assert_eq!(encode("Wysłane/Ważne"), "Wys&AUI-ane/Wa&AXw-ne");
    }
}
