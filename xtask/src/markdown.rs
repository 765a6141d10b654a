//! The model's doc comments, read outside rustdoc.
//!
//! They are written for rustdoc: intra-doc links (``[`Password::identifier`]``,
//! ``[`Policy`](server::Policy)``) and reference definitions
//! (`[uia]: https://…`) mean nothing to a reader of the HTML reference or of a
//! JSON Schema `description`. Both rewrite every link of the Markdown source
//! with [`rewrite_links`], each in its own way, and leave the rest of the text
//! as it was written.

use std::ops::Range;

use pulldown_cmark::{BrokenLink, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

/// The extensions the reference renders with; parsing for a rewrite uses the
/// same, or a table's cells would be read as one paragraph.
pub(crate) const OPTIONS: Options = Options::ENABLE_TABLES.union(Options::ENABLE_HEADING_ATTRIBUTES);

/// What a link of a doc comment points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target<'a> {
    /// A web address: it stays a link wherever links can be shown.
    Url(&'a str),
    /// An item of the Rust API, as rustdoc resolves it (`crate::UiaaInfo::params`,
    /// `struct@Password`); also any destination that is not a web address,
    /// since rustdoc's relative links lead nowhere outside its output.
    Item(&'a str),
}

impl<'a> Target<'a> {
    fn of(destination: &'a str) -> Self {
        if destination.contains("://") || destination.starts_with("mailto:") {
            Target::Url(destination)
        } else {
            Target::Item(destination)
        }
    }
}

/// `markdown` with every link (inline, reference, or rustdoc's intra-doc
/// shortcut) replaced by what `write` makes of its text, as the source spells
/// it (``[`Password`]`` gives `` `Password` ``), and its target; reference
/// definitions are removed, so that any paragraph of the result stands alone.
/// Autolinks (`<https://…>`) are kept: they read the same everywhere.
pub(crate) fn rewrite_links(markdown: &str, mut write: impl FnMut(&str, Target<'_>) -> String) -> String {
    // rustdoc reads `[`Password::identifier`]` as a link with no definition;
    // CommonMark leaves it as text unless told what it points at.
    let mut unresolved = |link: BrokenLink<'_>| {
        let path = link.reference.trim_matches('`');
        is_item_path(path).then(|| (CowStr::from(path.to_owned()), CowStr::Borrowed("")))
    };
    let events =
        Parser::new_with_broken_link_callback(markdown, OPTIONS, Some(&mut unresolved)).into_offset_iter();
    let mut edits: Vec<(Range<usize>, String)> = events
        .reference_definitions()
        .iter()
        .map(|(_, definition)| (definition.span.clone(), String::new()))
        .collect();
    // The link being read: its whole source, its destination and the source
    // of its text. Links do not nest.
    let mut open: Option<(Range<usize>, CowStr<'_>, Option<Range<usize>>)> = None;
    for (event, range) in events {
        match event {
            Event::Start(Tag::Link { link_type, dest_url, .. })
                if !matches!(link_type, LinkType::Autolink | LinkType::Email) =>
            {
                // A collapsed reference's range stops before its `[]`.
                let collapsed = matches!(link_type, LinkType::Collapsed | LinkType::CollapsedUnknown)
                    && markdown[range.end..].starts_with("[]");
                let whole = if collapsed { range.start..range.end + 2 } else { range };
                open = Some((whole, dest_url, None));
            }
            Event::End(TagEnd::Link) => {
                if let Some((whole, destination, text)) = open.take() {
                    let text = text.map_or("", |text| &markdown[text]);
                    edits.push((whole, write(text, Target::of(&destination))));
                }
            }
            _ => {
                if let Some((_, _, text)) = &mut open {
                    let start = text.as_ref().map_or(range.start, |t| t.start.min(range.start));
                    let end = text.as_ref().map_or(range.end, |t| t.end.max(range.end));
                    *text = Some(start..end);
                }
            }
        }
    }
    edits.sort_by_key(|(range, _)| range.start);
    let mut out = String::with_capacity(markdown.len());
    let mut at = 0;
    for (range, replacement) in edits {
        if range.start < at {
            continue;
        }
        out.push_str(&markdown[at..range.start]);
        out.push_str(&replacement);
        at = range.end;
    }
    out.push_str(&markdown[at..]);
    tidy(&out)
}

/// A rustdoc path: `Password`, `crate::UiaaInfo::params`, `struct@Password`,
/// `UiaaInfo::params()`, `matches!`; not prose in brackets (`[see above]`).
fn is_item_path(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_alphanumeric() || "_:@()!<>".contains(c))
}

/// Without trailing blanks, and with no more than one blank line in a row:
/// what a removed reference definition leaves behind.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.trim_end().lines() {
        blank_run = if line.trim().is_empty() { blank_run + 1 } else { 0 };
        if blank_run < 2 {
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// A doc comment as plain text, for a JSON Schema `description`: an item is
/// its name as the source spells it (usually code, `` `Password::identifier` ``),
/// a web link its text and then the address as an autolink, which reads as
/// text and still links where a tool renders Markdown.
pub(crate) fn plain(markdown: &str) -> String {
    rewrite_links(markdown, |text, target| match target {
        Target::Url(url) if text.is_empty() || text == url => format!("<{url}>"),
        Target::Url(url) => format!("{text} <{url}>"),
        Target::Item(_) => text.to_owned(),
    })
}

/// The first paragraph of `markdown`, on one line: rustdoc's summary.
pub(crate) fn summary(markdown: &str) -> String {
    let first = Parser::new_ext(markdown, OPTIONS)
        .into_offset_iter()
        .find_map(|(event, range)| matches!(event, Event::Start(Tag::Paragraph)).then_some(range));
    first
        .map(|range| markdown[range].lines().map(str::trim).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "\
Early revisions put the user at the top (`user`), and [`Password::identifier`]
gives the one view; see [Fallback](https://spec.matrix.org/#fallback), the [uia][]
section, the [`Policy`](server::Policy) a server has, [`struct@Password`] and [`Json`][].

Brackets in prose [see above] and in code `[0]` stay; <https://example.org> too.

[uia]: https://spec.matrix.org/#uia
";

    #[test]
    fn links_are_rewritten_in_place_and_definitions_dropped() {
        let mut seen = Vec::new();
        let out = rewrite_links(DOC, |text, target| {
            seen.push((text.to_owned(), format!("{target:?}")));
            format!("<{text}>")
        });
        assert_eq!(
            seen,
            [
                ("`Password::identifier`".into(), r#"Item("Password::identifier")"#.into()),
                ("Fallback".into(), r#"Url("https://spec.matrix.org/#fallback")"#.into()),
                ("uia".into(), r#"Url("https://spec.matrix.org/#uia")"#.into()),
                ("`Policy`".into(), r#"Item("server::Policy")"#.into()),
                ("`struct@Password`".into(), r#"Item("struct@Password")"#.into()),
                ("`Json`".into(), r#"Item("Json")"#.into()),
            ]
        );
        assert!(out.contains("and <`Password::identifier`>\ngives"), "{out}");
        assert!(out.contains("the <uia>\nsection"), "{out}");
        assert!(out.ends_with("<https://example.org> too."), "the definition is gone: {out}");
        assert!(out.contains("[see above]") && out.contains("`[0]`"), "{out}");
    }

    #[test]
    fn plain_text_keeps_code_and_addresses_and_no_link_syntax() {
        let out = plain(DOC);
        assert_eq!(
            out,
            "\
Early revisions put the user at the top (`user`), and `Password::identifier`
gives the one view; see Fallback <https://spec.matrix.org/#fallback>, the uia <https://spec.matrix.org/#uia>
section, the `Policy` a server has, `struct@Password` and `Json`.

Brackets in prose [see above] and in code `[0]` stay; <https://example.org> too."
        );
        assert_eq!(plain("[https://a.example](https://a.example)"), "<https://a.example>");
        assert_eq!(plain("No links."), "No links.");
    }

    #[test]
    fn summary_is_the_first_paragraph_on_one_line() {
        assert_eq!(summary("  The password\nauth dict.\n\nDetails."), "The password auth dict.");
        assert_eq!(summary("# Title\n\nFirst *one*.\n\nSecond."), "First *one*.");
        assert_eq!(summary(""), "");
    }
}
