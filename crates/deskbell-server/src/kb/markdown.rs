//! Markdown to safe HTML: pulldown-cmark renders, and anything that is HTML in the source is
//! shown as text rather than passed through; ammonia then cleans the result, so a script,
//! an iframe, an event handler or a `javascript:` link never reaches a browser, whoever
//! wrote the article.

use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, TagEnd, html};

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    // Links open outside deskbell's window and tell no one where the reader came from.
    b.link_rel(Some("noopener noreferrer nofollow"));
    b
});

/// The HTML of a Markdown text, safe to put into a page as it is.
pub fn to_html(source: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TASKLISTS);
    let events = Parser::new_ext(source, options).map(|e| match e {
        // Raw HTML is text: an article is Markdown, and an author's `<b>` shows as typed.
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        e => e,
    });
    let mut out = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut out, events);
    CLEANER.clean(&out).to_string()
}

/// The first `max` characters of a text without its Markdown marks, for lists and search
/// results.
pub fn excerpt(source: &str, max: usize) -> String {
    let mut out = String::new();
    for e in Parser::new(source) {
        match e {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            // Between blocks and lines a space; inline marks (`**`) add nothing.
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell | TagEnd::CodeBlock,
            ) if !out.ends_with(' ') => out.push(' '),
            _ => {}
        }
        if out.chars().count() > max {
            break;
        }
    }
    let t = out.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.chars().count() > max {
        let cut: String = t.chars().take(max).collect();
        format!("{}…", cut.trim_end())
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_with_lists_tables_and_links() {
        let h = to_html(
            "# Faktura\n\n1. Otwórz **Kasę**\n2. Wybierz [pomoc](https://example.com/x)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        );
        assert!(h.contains("<h1>Faktura</h1>"), "{h}");
        assert!(h.contains("<strong>Kasę</strong>"), "{h}");
        assert!(h.contains("<a href=\"https://example.com/x\" rel=\"noopener noreferrer nofollow\">pomoc</a>"), "{h}");
        assert!(h.contains("<table>"), "{h}");
    }

    #[test]
    fn scripts_iframes_handlers_and_javascript_links_render_harmlessly() {
        let evil = "<script>alert(1)</script>\n\n<iframe src=\"https://evil.example\"></iframe>\n\n\
                    <img src=x onerror=alert(1)>\n\n[klik](javascript:alert(1)) [data](data:text/html,<script>x</script>)\n\n\
                    ![obraz](javascript:alert(2))\n\n<a href=\"javascript:alert(3)\" onclick=\"alert(4)\">a</a>";
        let h = to_html(evil);
        // Every real tag (text is escaped, so each `<` opens one) is harmless.
        for tag in h.split('<').skip(1).filter_map(|t| t.split_once('>')).map(|(t, _)| t.to_lowercase()) {
            let name = tag.split_whitespace().next().unwrap_or_default();
            assert!(!["script", "iframe", "object", "embed", "style"].contains(&name), "<{tag}> in {h}");
            // An image keeps no active source: `![obraz](javascript:…)` is left with its alt text.
            assert!(name != "img" || !tag.contains("src="), "<{tag}> in {h}");
            assert!(!tag.contains("javascript:") && !tag.contains("data:"), "<{tag}> in {h}");
            assert!(!tag.split_whitespace().any(|a| a.starts_with("on")), "<{tag}> in {h}");
        }
        // What was typed is still readable as text.
        assert!(h.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{h}");
        assert!(h.contains("klik"), "{h}");
    }

    #[test]
    fn excerpts_drop_the_marks_and_stop_at_the_limit() {
        assert_eq!(excerpt("# Tytuł\n\nTo jest **ważne** zdanie.", 100), "Tytuł To jest ważne zdanie.");
        assert_eq!(excerpt("abc def ghi", 5), "abc d…");
        assert_eq!(excerpt("1. Otwórz **Kasę**.\n2. Wybierz *fakturę*.", 100), "Otwórz Kasę. Wybierz fakturę.");
    }
}
