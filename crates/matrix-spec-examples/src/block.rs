//! The format-independent result of scanning: a code block with its place in the document.
//!
//! The RST and Markdown scanners both produce [`Block`]s; [`crate::classify`] and
//! [`crate::ids`] turn them into [`crate::Example`]s, so the two formats cannot
//! disagree on what an HTTP example or a stable id is.

use std::rc::Rc;

/// A section title, and the slug its examples' ids are built from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Heading {
    /// The title as a reader sees it.
    pub title: String,
    /// The id segment: the author's explicit anchor when the source gives one
    /// (Hugo's `{id="…"}`), else [`slugify`] of the title.
    pub slug: String,
}

impl Heading {
    pub fn new(title: String) -> Self {
        let slug = slugify(&title);
        Heading { title, slug }
    }
}

/// A run of text from the source with the position of its first character.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Segment {
    /// The text, dedented, lines joined by `\n`.
    pub text: String,
    /// 1-based line of the first line of `text` in the source file.
    pub line: usize,
    /// Columns removed from the start of each line (indentation, list or
    /// quote markers), so that error columns point into the source.
    pub column: usize,
}

/// One code block found by a scanner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Block {
    /// Enclosing section titles, outermost first; shared by the blocks of a section.
    pub section: Rc<[Heading]>,
    /// The language or info string; empty when there is none.
    pub info: String,
    /// The block's content.
    pub content: Segment,
    /// A second block that completes an HTTP head in `content` (Markdown's
    /// "head in a `nohighlight` block, body in the next `json` block" form).
    pub body: Option<Segment>,
}

/// The open sections at a point of the document, as both scanners track them:
/// a heading closes every open heading of its level or deeper.
#[derive(Default)]
pub(crate) struct Outline {
    open: Vec<(usize, Heading)>,
    /// The current path, built once per section rather than once per block.
    path: Option<Rc<[Heading]>>,
}

impl Outline {
    /// Open a section of `level` (smaller is outer).
    pub fn enter(&mut self, level: usize, heading: Heading) {
        while self.open.last().is_some_and(|(open, _)| *open >= level) {
            self.open.pop();
        }
        self.open.push((level, heading));
        self.path = None;
    }

    /// The titles of the open sections, outermost first.
    pub fn path(&mut self) -> Rc<[Heading]> {
        let open = &self.open;
        self.path.get_or_insert_with(|| open.iter().map(|(_, h)| h.clone()).collect()).clone()
    }
}

/// Lower-case the alphanumeric characters of a title and join the runs with `-`:
/// `User-interactive API in the REST API` → `user-interactive-api-in-the-rest-api`.
/// A title with no alphanumeric character becomes `section`.
pub(crate) fn slugify(title: &str) -> String {
    let mut slug = String::with_capacity(title.len());
    let mut gap = false;
    for c in title.chars() {
        // ASCII first: titles are nearly all ASCII, and `to_lowercase` on a
        // `char` costs an iterator per character.
        let alphanumeric = if c.is_ascii() { c.is_ascii_alphanumeric() } else { c.is_alphanumeric() };
        if !alphanumeric {
            gap = !slug.is_empty();
            continue;
        }
        if gap {
            slug.push('-');
            gap = false;
        }
        if c.is_ascii() {
            slug.push(c.to_ascii_lowercase());
        } else {
            slug.extend(c.to_lowercase());
        }
    }
    if slug.is_empty() {
        slug.push_str("section");
    }
    slug
}

/// Line number (1-based) of byte `offset` in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    memchr_count(&text.as_bytes()[..offset.min(text.len())]) + 1
}

fn memchr_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_keep_words_and_drop_punctuation() {
        assert_eq!(slugify("User-interactive API in the REST API"), "user-interactive-api-in-the-rest-api");
        assert_eq!(slugify("Email-based (identity / homeserver)"), "email-based-identity-homeserver");
        assert_eq!(slugify("  ``m.login.password``  "), "m-login-password");
        assert_eq!(slugify("Übersicht"), "übersicht");
        assert_eq!(slugify("???"), "section");
    }

    #[test]
    fn line_numbers_are_one_based() {
        let text = "a\nb\nc";
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 2), 2);
        assert_eq!(line_of(text, 4), 3);
        assert_eq!(line_of(text, 99), 3);
    }
}
