//! Text folding for search: `zolw` must find `żółw` and `ZAMOWIENIE` must find `zamówienie`.
//!
//! Unicode decomposition strips most diacritics, but some Polish letters (ł) have no
//! decomposition, so they are mapped explicitly. Both backends index folded text and fold
//! the query the same way, so neither depends on a database extension.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower-cases and removes diacritics; keeps everything else (punctuation, digits).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' => out.push('d'),
            'ø' | 'Ø' => out.push('o'),
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The words of a search query, folded, each made only of letters and digits so that they
/// can be placed into any full-text query syntax without escaping. At most 16 words.
pub fn search_terms(query: &str) -> Vec<String> {
    fold(query).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).take(16).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polish_letters_fold_to_ascii() {
        assert_eq!(fold("Żółw ZAMÓWIENIE Łódź źdźbło ĘĄŚĆŃ"), "zolw zamowienie lodz zdzblo eascn");
    }

    #[test]
    fn search_terms_are_safe_words() {
        assert_eq!(search_terms("\"faktura\" OR 1=1; DROP* -- Żółw"), ["faktura", "or", "1", "1", "drop", "zolw"]);
        assert!(search_terms("  ** ").is_empty());
    }
}
