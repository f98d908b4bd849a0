//! The order of names in lists (organisations, people, teams, products), the same on both
//! backends.
//!
//! `ORDER BY name` follows the database's collation: byte order on SQLite, whatever locale a
//! PostgreSQL cluster was created with (`C.UTF-8` puts "Zdrój" before "apteka" and "Ćma"
//! after "Zdrój"). Lists are therefore sorted here, by a key that ignores case and orders
//! the Polish letters as the alphabet does: a < ą < b < c < ć < … < l < ł < … < z < ź < ż.
//! Other diacritics (é, ü) do not separate words; ties fall back to the exact name, then
//! to the id, so the order is total.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// One letter of a key: the base letter, lower-cased, and its rank among the Polish
/// letters built on it (0 for the plain letter, 1 for ą ć ę ł ń ó ś ź, 2 for ż).
type Letter = (char, u8);

fn polish_rank(base: char, mark: char) -> Option<u8> {
    match (base, mark) {
        // Ogonek: ą ę.
        ('a' | 'e', '\u{328}') => Some(1),
        // Acute: ć ń ó ś ź.
        ('c' | 'n' | 'o' | 's' | 'z', '\u{301}') => Some(1),
        // Dot above: ż, after ź.
        ('z', '\u{307}') => Some(2),
        _ => None,
    }
}

/// The primary key of `name` (see the module docs).
fn key(name: &str) -> Vec<Letter> {
    let mut out: Vec<Letter> = Vec::with_capacity(name.len());
    // Decomposed, a Polish letter is its base followed by one combining mark; the mark
    // raises the rank of the letter just pushed, any other mark is ignored.
    let mut marks_apply_to: Option<usize> = None;
    for c in name.nfd() {
        if is_combining_mark(c) {
            if let Some(i) = marks_apply_to
                && let Some(rank) = polish_rank(out[i].0, c)
            {
                out[i].1 = rank;
                marks_apply_to = None;
            }
            continue;
        }
        marks_apply_to = None;
        match c {
            // ł has no decomposition.
            'ł' | 'Ł' => out.push(('l', 1)),
            // The same expansions as `deskbell_domain::text::fold`.
            'đ' | 'Đ' => out.push(('d', 0)),
            'ø' | 'Ø' => out.push(('o', 0)),
            'ß' => out.extend([('s', 0), ('s', 0)]),
            'æ' | 'Æ' => out.extend([('a', 0), ('e', 0)]),
            _ => {
                for l in c.to_lowercase().filter(|l| !is_combining_mark(*l)) {
                    out.push((l, 0));
                }
                if !out.is_empty() {
                    marks_apply_to = Some(out.len() - 1);
                }
            }
        }
    }
    out
}

/// Sorts `items` by name: by the key above, then by the exact name, then by id.
pub(crate) fn sort_by_name<T>(items: &mut [T], name_and_id: impl Fn(&T) -> (&str, i64)) {
    items.sort_by_cached_key(|item| {
        let (name, id) = name_and_id(item);
        (key(name), name.to_owned(), id)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<(String, i64)> = names.iter().map(|n| ((*n).to_owned(), 0)).collect();
        sort_by_name(&mut v, |(n, id)| (n.as_str(), *id));
        v.into_iter().map(|(n, _)| n).collect()
    }

    #[test]
    fn polish_letters_follow_their_base_letter() {
        assert_eq!(
            sorted(&["żaba", "źrebię", "zorza", "łoś", "lwy", "mak", "ćma", "cyna", "dom", "ósemka", "owca", "pies"]),
            ["cyna", "ćma", "dom", "lwy", "łoś", "mak", "owca", "ósemka", "pies", "zorza", "źrebię", "żaba"]
        );
    }

    #[test]
    fn case_is_ignored_and_breaks_ties_only() {
        assert_eq!(sorted(&["Hotel B", "hotel a", "Apteka", "hotel"]), ["Apteka", "hotel", "hotel a", "Hotel B"]);
        assert_eq!(sorted(&["zdrój", "Zdrój"]), ["Zdrój", "zdrój"]);
    }

    #[test]
    fn decomposed_and_composed_letters_sort_alike() {
        assert_eq!(key("O\u{301}semka"), key("Ósemka"));
        assert_eq!(key("z\u{307}"), vec![('z', 2)]);
        // A mark on a letter that has no Polish variant is only a secondary difference.
        assert_eq!(key("é"), key("e"));
        assert_eq!(key("Łódź"), vec![('l', 1), ('o', 1), ('d', 0), ('z', 1)]);
    }
}
