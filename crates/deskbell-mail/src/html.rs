//! HTML bodies: sanitised before they can reach an agent's browser, and rendered as plain
//! text for messages that have no text part (search, previews and quote folding work on text).

use std::collections::HashSet;
use std::panic::catch_unwind;
use std::sync::LazyLock;

/// Style properties kept on inline `style` attributes: enough for colour and emphasis, none
/// that can load a resource or position content over the page.
const STYLE_PROPERTIES: [&str; 6] =
    ["color", "background-color", "font-weight", "font-style", "text-decoration", "text-align"];

/// Building the DOM (html5ever, under both ammonia and html2text) takes time quadratic in
/// the element nesting: 100,000 nested `<div>`s (a 1 MB body) took 80 s in ammonia, 20,000
/// nested blockquoted lists 100 s in html2text (debug build). Deeper documents than this are
/// given to neither; no real mail client nests this deep.
const MAX_DEPTH: usize = 512;

/// Width for wrapping rendered HTML: wide enough that ordinary paragraphs are not broken
/// mid-sentence in the stored text.
const RENDER_WIDTH: usize = 100;

/// Sanitises an HTML body for display: no scripts, no event handlers, no `javascript:` or
/// other active URLs, no styles that load resources. Images keep only `cid:` sources (parts
/// of the same message); remote images are dropped so that opening a ticket does not tell a
/// tracker that the message was read.
///
/// `None` if the sanitiser failed: the text body is then all that is shown, never raw HTML.
/// `None` too for HTML nested deeper than [`MAX_DEPTH`].
pub(crate) fn sanitise(html: &str) -> Option<String> {
    if nesting_depth(html) > MAX_DEPTH {
        return None;
    }
    catch_unwind(|| sanitise_unguarded(html)).ok()
}

static SANITISER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .add_url_schemes(["cid"])
        .add_generic_attributes(["style"])
        .filter_style_properties(HashSet::from(STYLE_PROPERTIES))
        .attribute_filter(|element, attribute, value| {
            if element == "img" && attribute == "src" && !is_cid_url(value) { None } else { Some(value.into()) }
        });
    builder
});

fn sanitise_unguarded(html: &str) -> String {
    SANITISER.clean(html).to_string()
}

fn is_cid_url(value: &str) -> bool {
    value.trim_start().get(..4).is_some_and(|scheme| scheme.eq_ignore_ascii_case("cid:"))
}

/// A readable plain-text rendering of an HTML body: paragraphs, lists, tables and
/// `> `-quoted blockquotes, with link targets listed as footnotes.
pub(crate) fn to_text(html: &str) -> String {
    if nesting_depth(html) <= MAX_DEPTH
        && let Ok(Ok(text)) =
            catch_unwind(|| html2text::config::plain().string_from_read(html.as_bytes(), RENDER_WIDTH))
    {
        return text;
    }
    // The flat tokenizer is simple enough to trust; it is the fallback for every failure above.
    mail_parser::decoders::html::html_to_text(html)
}

/// Elements that do not open a nesting level: void elements, which never have content, and
/// those whose end tag is optional because the next sibling closes them (`<p>`, `<li>`,
/// `<td>` are often left open, and cannot nest inside themselves).
const FLAT_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr", "p",
    "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot", "colgroup", "rb", "rt", "rp",
];

/// An estimate of the element nesting of `html`, from a single pass over its tags. Other
/// tags left open count as nesting, so it errs towards the safe side.
fn nesting_depth(html: &str) -> usize {
    let bytes = html.as_bytes();
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut i = 0;
    while let Some(offset) = bytes.get(i..).and_then(|rest| rest.iter().position(|&b| b == b'<')) {
        let start = i + offset + 1;
        let closing = bytes.get(start) == Some(&b'/');
        let name_start = if closing { start + 1 } else { start };
        let name_len =
            bytes.get(name_start..).map_or(0, |rest| rest.iter().take_while(|b| b.is_ascii_alphanumeric()).count());
        let end =
            bytes.get(start..).and_then(|rest| rest.iter().position(|&b| b == b'>')).map_or(bytes.len(), |e| start + e);
        if name_len > 0 {
            let name = &html[name_start..name_start + name_len];
            let self_closing = end > start && bytes.get(end - 1) == Some(&b'/');
            if closing {
                depth = depth.saturating_sub(1);
            } else if !self_closing && !FLAT_ELEMENTS.iter().any(|v| v.eq_ignore_ascii_case(name)) {
                depth += 1;
                deepest = deepest.max(depth);
            }
        }
        i = end;
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_urls_are_removed() {
        let clean = sanitise_unguarded(
            r#"<p onclick="steal()">Hi<script>alert(1)</script></p><a href="javascript:alert(1)">x</a><a href="https://example.com/">ok</a>"#,
        );
        assert!(!clean.contains("script"), "{clean}");
        assert!(!clean.contains("alert"), "{clean}");
        assert!(!clean.contains("onclick"), "{clean}");
        assert!(clean.contains(r#"href="https://example.com/""#), "{clean}");
    }

    #[test]
    fn remote_images_lose_their_source_but_cid_images_keep_it() {
        let clean = sanitise_unguarded(
            r#"<img src="https://tracker.example/p.gif" alt="t"><img src="CID:logo@x" alt="logo"><img src="//evil/x.png">"#,
        );
        assert!(!clean.contains("tracker"), "{clean}");
        assert!(!clean.contains("evil"), "{clean}");
        assert!(clean.contains(r#"src="CID:logo@x""#), "{clean}");
    }

    #[test]
    fn styles_keep_colours_but_not_urls() {
        let clean = sanitise_unguarded(
            r#"<span style="color: red; background-image: url(https://t.example/x); position: fixed">x</span>"#,
        );
        assert!(clean.contains("color:red"), "{clean}");
        assert!(!clean.contains("url("), "{clean}");
        assert!(!clean.contains("position"), "{clean}");
    }

    #[test]
    fn html_renders_as_readable_text() {
        let text = to_text(
            "<html><head><style>p{}</style></head><body><p>Dzień dobry,</p><ul><li>jeden</li><li>dwa</li></ul><blockquote>stare</blockquote></body></html>",
        );
        assert!(text.contains("Dzień dobry,\n"), "{text}");
        assert!(text.contains("* jeden\n"), "{text}");
        assert!(text.contains("> stare"), "{text}");
        assert!(!text.contains("p{}"), "{text}");
    }

    #[test]
    fn deeply_nested_html_is_rendered_flat_and_not_shown() {
        let html =
            format!("{}<script>x</script>deep{}", "<blockquote>".repeat(100_000), "</blockquote>".repeat(100_000));
        let started = std::time::Instant::now();
        assert_eq!(sanitise(&html), None);
        let text = to_text(&html);
        assert!(text.contains("deep") && !text.contains("<"), "{text}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
    }

    #[test]
    fn ordinary_nesting_is_sanitised_and_rendered_normally() {
        let html = format!(
            "{}<p>deep{}",
            "<div><table><tr><td>".repeat(MAX_DEPTH / 2),
            "</td></tr></table></div>".repeat(MAX_DEPTH / 2)
        );
        assert!(sanitise(&html).is_some_and(|h| h.contains("<table>")));
        assert!(to_text(&html).contains("deep"));
    }

    #[test]
    fn nesting_depth_ignores_flat_and_closed_elements() {
        assert_eq!(nesting_depth("<p>a<br>b<img src=x/></p><p>c<li>d<li>e"), 0);
        assert_eq!(nesting_depth("<div><div><span>x</span></div></div><div></div>"), 3);
        assert_eq!(nesting_depth("<table><tr><td><table><tr><td>"), 2);
        assert_eq!(nesting_depth("a < b and <"), 0);
        assert_eq!(nesting_depth("<DIV><Div/>"), 1);
    }
}
