//! What the agent's and the customer's ticket pages show alike of a conversation: files with
//! previews, a mail's quoted history folded away, and who of the authors is support staff.

use std::collections::HashSet;

use deskbell_store::attachments::Attachment;
use deskbell_store::tickets::Article;
use deskbell_store::{StoreError, Tx, people};

/// Raster images the download serves inline: shown as previews.
pub const PREVIEW_TYPES: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp"];

/// The bare media type of a `Content-Type` value, lower-cased.
pub fn mime(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or_default().trim().to_lowercase()
}

/// A file as `attachments.html` lists it.
pub struct FileView {
    pub url: String,
    pub name: String,
    pub size: String,
    pub preview: bool,
}

impl FileView {
    pub fn of(f: &Attachment, url: String) -> FileView {
        FileView {
            url,
            name: f.filename.clone(),
            size: super::forms::bytes(usize::try_from(f.size).unwrap_or(0)),
            preview: PREVIEW_TYPES.contains(&mime(&f.content_type).as_str()),
        }
    }
}

/// The article's own text and, for a mail, the quoted history after it.
pub fn split_quote(a: &Article) -> (String, Option<String>) {
    match a.mail.as_ref().and_then(|m| m.quote_start) {
        Some(q) if q > 0 && (q as usize) < a.body.len() && a.body.is_char_boundary(q as usize) => {
            let (main, rest) = a.body.split_at(q as usize);
            (main.trim_end().to_owned(), Some(rest.trim().to_owned()).filter(|s| !s.is_empty()))
        }
        _ => (a.body.clone(), None),
    }
}

/// The authors of `articles` who are on the vendor's side.
pub fn support_authors(tx: &mut Tx<'_>, articles: &[Article]) -> Result<HashSet<i64>, StoreError> {
    let mut authors: Vec<i64> = articles.iter().filter_map(|a| a.author_id).collect();
    authors.sort_unstable();
    authors.dedup();
    let mut support = HashSet::new();
    for id in authors {
        if people::get(tx, id).is_ok_and(|p| p.role.is_vendor()) {
            support.insert(id);
        }
    }
    Ok(support)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_safe_images_get_a_preview() {
        assert!(PREVIEW_TYPES.contains(&mime("image/PNG; name=x.png").as_str()));
        assert!(!PREVIEW_TYPES.contains(&mime("image/svg+xml").as_str()));
        assert!(!PREVIEW_TYPES.contains(&mime("text/html").as_str()));
    }
}
