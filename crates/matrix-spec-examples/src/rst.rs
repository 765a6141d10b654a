//! A focused reStructuredText scanner: section titles and code blocks, nothing else.
//!
//! No maintained Rust RST parser keeps line numbers and every form of code
//! block, and docutils' full grammar is far more than examples need. The spec
//! has used, across its revisions:
//! - section titles underlined (and optionally overlined) by any punctuation
//!   character, whose level is the order in which each style first appears;
//! - `.. code::`, `.. code-block::`, `.. sourcecode::` and `.. parsed-literal::`
//!   directives with option lines and an indented body;
//! - literal blocks introduced by a paragraph ending in `::`;
//! - all of those nested in lists, notes, footnotes and other directives;
//! - comments (the licence header of every file among them), whose lines a
//!   reader never sees, so none of them is a title, an underline or an overline.
//!
//! The scanner is line-based and keeps no recursion, so nesting depth costs
//! nothing, and it runs in one pass over the lines.

use std::borrow::Cow;

use crate::block::{Block, Heading, Outline, Segment};

/// Directives whose body is shown verbatim as code.
const CODE_DIRECTIVES: &[&str] = &["code", "code-block", "sourcecode", "parsed-literal"];

/// Columns between tab stops, as docutils expands them.
const TAB_WIDTH: usize = 8;

/// Every code block of an RST document, in order.
pub(crate) fn scan(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.split('\n').collect();
    Scanner { lines: &lines, sections: Sections::default(), blocks: Vec::new() }.run()
}

struct Scanner<'a> {
    lines: &'a [&'a str],
    sections: Sections,
    blocks: Vec<Block>,
}

impl Scanner<'_> {
    fn run(mut self) -> Vec<Block> {
        let mut i = 0;
        // Where a new text block may begin: at the start, after a blank line, after a title.
        let mut at_block_start = true;
        while i < self.lines.len() {
            let line = self.lines[i];
            if is_blank(line) {
                at_block_start = true;
                i += 1;
                continue;
            }
            if at_block_start && let Some(next) = self.section_title(i) {
                i = next;
                continue;
            }
            if let Some(markup) = explicit_markup(line) {
                i = self.explicit_markup(i, markup);
                at_block_start = true;
                continue;
            }
            at_block_start = false;
            if ends_literal_paragraph(line)
                && let Some(next) = self.literal_block(i)
            {
                i = next;
                at_block_start = true;
                continue;
            }
            i += 1;
        }
        self.blocks
    }

    /// A title at line `i` (with or without overline): record it and return the
    /// line after it.
    fn section_title(&mut self, i: usize) -> Option<usize> {
        let line = self.lines[i];
        let next = self.lines.get(i + 1).copied();
        let (style, title, after) = if let Some(over) = adornment(line) {
            // Overline, title, underline of the same character and length.
            let title = next?;
            let under = adornment(self.lines.get(i + 2)?)?;
            if is_blank(title) || adornment(title).is_some() || under != over {
                return None;
            }
            (Style { char: over.0, overline: true }, title.trim(), i + 3)
        } else {
            let (char, len) = adornment(next?)?;
            let title = line.trim_end();
            let width = title.chars().count();
            // docutils accepts a short underline only from four characters up.
            if indent(line) != 0 || (len < width && len < 4) {
                return None;
            }
            (Style { char, overline: false }, title, i + 2)
        };
        // `.. text` is a comment, a directive or a target whatever line follows
        // it: docutils recognises explicit markup before it looks for titles.
        if explicit_markup(title).is_some() {
            return None;
        }
        self.sections.enter(style, title);
        Some(after)
    }

    /// Handle the explicit markup block (`.. …`) at line `i`; return the line to continue at.
    fn explicit_markup(&mut self, i: usize, markup: Markup<'_>) -> usize {
        let base = indent(self.lines[i]);
        match markup {
            Markup::Directive { name, argument } if CODE_DIRECTIVES.contains(&name) => {
                let body_start = self.skip_options(i + 1, base);
                let (end, block) = self.indented_block(body_start, base);
                if let Some(content) = block {
                    self.push(argument.trim(), content);
                }
                end
            }
            // Other directives (notes, admonitions, topics) hold ordinary content
            // that may itself contain code: keep scanning inside.
            Markup::Directive { .. } => i + 1,
            // A footnote's text starts on the marker line and may announce a literal block.
            Markup::Other => match ends_literal_paragraph(self.lines[i]) {
                true => self.literal_block(i).unwrap_or(i + 1),
                false => i + 1,
            },
            // An empty comment followed by a blank line only ends the construct
            // before it: the indented text after the blank is rendered
            // (a block quote), so it is scanned like any other.
            Markup::Comment { empty: true } if self.lines.get(i + 1).is_none_or(|l| is_blank(l)) => i + 1,
            // A comment's indented body is not rendered, whatever it holds.
            Markup::Comment { .. } => self.skip_indented(i + 1, base),
        }
    }

    /// The literal block after a paragraph line ending in `::` at line `i`.
    fn literal_block(&mut self, i: usize) -> Option<usize> {
        let base = text_indent(self.lines[i]);
        let (end, block) = self.indented_block(i + 1, base);
        let content = block?;
        self.push("", content);
        Some(end)
    }

    /// Skip a directive's option lines (`:name: value`) directly after it.
    fn skip_options(&self, mut i: usize, base: usize) -> usize {
        while let Some(line) = self.lines.get(i) {
            if is_blank(line) || indent(line) <= base || !line.trim_start().starts_with(':') {
                break;
            }
            i += 1;
        }
        i
    }

    /// The lines from `start` that are blank or indented deeper than `base`,
    /// dedented by their smallest indent; `None` when there are none. Returns
    /// the first line after the block.
    fn indented_block(&self, start: usize, base: usize) -> (usize, Option<Segment>) {
        let end = self.skip_indented(start, base);
        let body = &self.lines[start..end];
        let Some(first) = body.iter().position(|l| !is_blank(l)) else { return (end, None) };
        let last = body.iter().rposition(|l| !is_blank(l)).unwrap_or(first);
        let body = &body[first..=last];
        let dedent = body.iter().filter(|l| !is_blank(l)).map(|l| indent(l)).min().unwrap_or(0);
        let mut text = String::with_capacity(body.iter().map(|l| l.len() + 1).sum());
        for line in body {
            text.push_str(&strip_columns(line, dedent));
            text.push('\n');
        }
        (end, Some(Segment { text, line: start + first + 1, column: dedent }))
    }

    /// The first line from `start` on that is not blank and not indented deeper
    /// than `base`, with trailing blank lines left to the caller.
    fn skip_indented(&self, start: usize, base: usize) -> usize {
        let mut end = start;
        let mut last_content = start;
        while let Some(line) = self.lines.get(end) {
            if !is_blank(line) {
                if indent(line) <= base {
                    break;
                }
                last_content = end + 1;
            }
            end += 1;
        }
        last_content.max(start)
    }

    fn push(&mut self, info: &str, content: Segment) {
        self.blocks.push(Block {
            section: self.sections.outline.path(),
            info: info.to_owned(),
            content,
            body: None,
        });
    }
}

/// A title adornment style: its character and whether it has an overline.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Style {
    char: char,
    overline: bool,
}

/// The open sections. A style's level is the order of its first appearance,
/// as in docutils; a style seen for the first time nests under the current section.
#[derive(Default)]
struct Sections {
    styles: Vec<Style>,
    outline: Outline,
}

impl Sections {
    fn enter(&mut self, style: Style, title: &str) {
        let level = match self.styles.iter().position(|&s| s == style) {
            Some(level) => level,
            None => {
                self.styles.push(style);
                self.styles.len() - 1
            }
        };
        self.outline.enter(level, Heading::new(title.to_owned()));
    }
}

/// The kinds of explicit markup (`.. ` lines) the scanner tells apart.
enum Markup<'a> {
    /// `.. name:: argument`
    Directive { name: &'a str, argument: &'a str },
    /// Footnotes, citations, hyperlink targets, substitution definitions: their
    /// content is ordinary text.
    Other,
    /// Anything else after `..` is a comment; `empty` when nothing follows the
    /// `..` on its line.
    Comment { empty: bool },
}

fn explicit_markup(line: &str) -> Option<Markup<'_>> {
    let rest = line.trim_start().strip_prefix("..")?;
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let rest = rest.trim_start();
    if rest.is_empty() {
        return Some(Markup::Comment { empty: true });
    }
    if rest.starts_with('[') || rest.starts_with('_') || rest.starts_with('|') {
        return Some(Markup::Other);
    }
    if let Some((name, argument)) = rest.split_once("::") {
        let is_name = |c: char| c.is_ascii_alphanumeric() || "-_+:.".contains(c);
        if !name.is_empty() && name.chars().all(is_name) {
            return Some(Markup::Directive { name: name_lowercase(name), argument });
        }
    }
    Some(Markup::Comment { empty: false })
}

/// Directive names are case-insensitive (`.. NOTE::`); the code directives are
/// matched in lower case without allocating for the common spellings.
fn name_lowercase(name: &str) -> &str {
    CODE_DIRECTIVES.iter().copied().find(|d| d.eq_ignore_ascii_case(name)).unwrap_or(name)
}

/// A paragraph line that announces a literal block: `text::`, `text ::` or `::`.
fn ends_literal_paragraph(line: &str) -> bool {
    line.trim_end().ends_with("::")
}

/// `(char, length)` when the line is one punctuation character repeated (a
/// title adornment); two characters at least, so that `::` alone stays a
/// marker, and never `..`, which is an empty comment.
fn adornment(line: &str) -> Option<(char, usize)> {
    let line = line.trim_end();
    let first = line.chars().next()?;
    if !first.is_ascii_punctuation() || line.len() < 2 || !line.bytes().all(|b| b == first as u8) {
        return None;
    }
    if matches!(line, "::" | "..") {
        return None;
    }
    Some((first, line.len()))
}

fn is_blank(line: &str) -> bool {
    line.bytes().all(|b| b == b' ' || b == b'\t')
}

/// Columns of leading white space, tabs expanded to the next multiple of eight.
fn indent(line: &str) -> usize {
    let mut col = 0;
    for b in line.bytes() {
        match b {
            b' ' => col += 1,
            b'\t' => col = (col / TAB_WIDTH + 1) * TAB_WIDTH,
            _ => break,
        }
    }
    col
}

/// The indent of a line's text, past a bullet or enumerator that opens a list
/// item, which is what a nested literal block must be indented beyond.
fn text_indent(line: &str) -> usize {
    let base = indent(line);
    let rest = line.trim_start();
    let marker = list_marker_len(rest);
    if marker == 0 {
        return base;
    }
    base + marker + rest[marker..].len() - rest[marker..].trim_start().len()
}

/// Length of a list marker at the start of `text` (`- `, `* `, `1. `, `#. `,
/// `a) `, `(iv) `), or 0.
fn list_marker_len(text: &str) -> usize {
    let followed_by_space = |n: usize| text[n..].starts_with([' ', '\t']).then_some(n);
    let bytes = text.as_bytes();
    let marker = match bytes.first() {
        Some(b'-' | b'*' | b'+') => followed_by_space(1),
        Some(b'(') => {
            let close = text.find(')').filter(|&c| c > 1 && is_enumerator(&text[1..c]));
            close.and_then(|c| followed_by_space(c + 1))
        }
        Some(_) => {
            let end = text.find(['.', ')']).filter(|&e| e > 0 && is_enumerator(&text[..e]));
            end.and_then(|e| followed_by_space(e + 1))
        }
        None => None,
    };
    marker.unwrap_or(0)
}

fn is_enumerator(s: &str) -> bool {
    s == "#"
        || (s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
        || (s.len() == 1 && s.bytes().all(|b| b.is_ascii_alphabetic()))
}

/// `line` without its first `columns` columns of indentation.
fn strip_columns(line: &str, columns: usize) -> Cow<'_, str> {
    let leading = line.len() - line.trim_start_matches([' ', '\t']).len();
    if !line[..leading].contains('\t') {
        return Cow::Borrowed(line.get(columns.min(leading)..).unwrap_or(""));
    }
    let width = indent(line);
    let mut out = " ".repeat(width.saturating_sub(columns));
    out.push_str(&line[leading..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use crate::{Example, Format, Kind, extract};

    fn rst(text: &str) -> Vec<Example> {
        extract(text, Format::Rst).expect("text is valid")
    }

    fn bodies(examples: &[Example]) -> Vec<&str> {
        examples.iter().map(|e| e.raw.as_str()).collect()
    }

    #[test]
    fn code_directive_with_language_and_options() {
        let examples =
            rst(".. code-block:: json\n   :caption: An auth dict\n   :linenos:\n\n   {\"a\": 1}\n");
        assert_eq!(examples.len(), 1);
        assert_eq!(examples[0].info, "json");
        assert_eq!(examples[0].line, 5);
        assert_eq!(examples[0].raw, "{\"a\": 1}\n");
        assert_eq!(examples[0].kind, Kind::Json);
    }

    #[test]
    fn every_code_directive_spelling_counts() {
        let text = ".. code::\n\n  a\n\n.. sourcecode:: http\n\n  b\n\n.. CODE-BLOCK:: json\n\n  c\n\n\
                    .. parsed-literal::\n\n  d\n";
        assert_eq!(bodies(&rst(text)), ["a\n", "b\n", "c\n", "d\n"]);
    }

    #[test]
    fn literal_blocks_after_double_colon() {
        let text =
            "Like this::\n\n    {\"x\": 1}\n\nOr expanded ::\n\n  two\n\n::\n\n  three\n\nNot a block.\n";
        let examples = rst(text);
        assert_eq!(bodies(&examples), ["{\"x\": 1}\n", "two\n", "three\n"]);
        assert_eq!(examples[0].line, 3);
        assert_eq!(examples[0].info, "");
    }

    #[test]
    fn body_is_dedented_by_its_smallest_indent_and_keeps_inner_blank_lines() {
        let text = ".. code::\n\n      deeper\n    base\n\n    after blank\n\n\nParagraph.\n";
        assert_eq!(rst(text)[0].raw, "  deeper\nbase\n\nafter blank\n");
        assert_eq!(rst(text)[0].line, 3);
    }

    #[test]
    fn a_directive_with_no_body_is_skipped() {
        let text = ".. code:: json\n\nParagraph at the margin.\n\n.. code::\n";
        assert!(rst(text).is_empty());
    }

    #[test]
    fn blocks_nested_in_lists_notes_and_footnotes() {
        let text = "- item::\n\n    {\"in\": \"list\"}\n\n.. NOTE::\n   A note.\n\n   .. code:: json\n\n      \
                    {\"in\": \"note\"}\n\n.. [#] A footnote::\n\n     footnote literal\n\n1. enumerated\n\n   \
                    .. code::\n\n     GET /x HTTP/1.1\n";
        let examples = rst(text);
        assert_eq!(
            bodies(&examples),
            ["{\"in\": \"list\"}\n", "{\"in\": \"note\"}\n", "footnote literal\n", "GET /x HTTP/1.1\n"]
        );
        assert_eq!(examples[1].line, 10);
        assert_eq!(examples[3].kind, Kind::HttpRequest);
    }

    #[test]
    fn literal_block_must_be_indented_beyond_the_list_item_text() {
        // The indented line is the item's next paragraph, not a literal block.
        assert!(rst("- item text::\n\n  continuation paragraph\n").is_empty());
        assert_eq!(rst("- item text::\n\n    literal\n").len(), 1);
    }

    #[test]
    fn comments_hide_their_bodies() {
        let text = ".. Copyright 2016\n..\n..     http://www.apache.org/licenses/LICENSE-2.0\n\n\
                    .. This is a comment::\n\n     not a literal block\n";
        assert!(rst(text).is_empty());
    }

    /// The section path of each example, for tests about titles.
    fn sections(text: &str) -> Vec<Vec<String>> {
        rst(text).into_iter().map(|e| e.section).collect()
    }

    #[test]
    fn licence_comment_at_the_top_is_no_title() {
        // The vendored files' header: the bare `..` lines around the URL look
        // like an overline and an underline of the same character.
        let text = ".. Copyright 2016 OpenMarket Ltd\n..\n.. Licensed under the Apache License\n..\n\
                    ..     http://www.apache.org/licenses/LICENSE-2.0\n..\n.. limitations.\n\n\
                    Client-Server API\n=================\n\n::\n\n  one\n\n\
                    API Standards\n-------------\n\n::\n\n  two\n\n\
                    Second top\n==========\n\n::\n\n  three\n";
        assert_eq!(
            sections(text),
            [vec!["Client-Server API"], vec!["Client-Server API", "API Standards"], vec!["Second top"]]
        );
    }

    #[test]
    fn bare_comment_body_that_looks_like_an_adornment_is_hidden() {
        // `..` then an indented body: the body is the comment's, even `====`
        // and a title-shaped pair of lines.
        let text = "Real\n====\n\n..\n   ====\n   Fake\n   ====\n\n..\n====\n\n::\n\n  x\n";
        let examples = rst(text);
        assert_eq!(bodies(&examples), ["x\n"]);
        assert_eq!(examples[0].section, ["Real"]);
        // A title over `..`, or `..` over a title and under it, is no title either.
        assert!(sections("Short\n..\n\n::\n\n  x\n")[0].is_empty());
        assert!(sections("..\nTitle\n..\n\n::\n\n  x\n")[0].is_empty());
    }

    #[test]
    fn empty_comment_then_blank_line_ends_without_hiding_what_follows() {
        // docutils' "empty comment": after the blank line, the indented text is
        // a block quote that a reader sees, code included.
        let text =
            "..\n\n   Quoted::\n\n      {\"shown\": true}\n\n..\n   hidden::\n\n      {\"shown\": false}\n";
        assert_eq!(bodies(&rst(text)), ["{\"shown\": true}\n"]);
    }

    #[test]
    fn comment_text_over_a_line_of_punctuation_is_no_title() {
        for comment in
            [".. A comment", ".. A comment::", "   .. indented comment", ".. _target:", ".. [1] Note"]
        {
            let text = format!("Top\n===\n\n{comment}\n=====================\n\n::\n\n  x\n");
            assert_eq!(sections(&text), [vec!["Top"]], "{comment:?}");
            // Nor between an overline and an underline.
            let text =
                format!("Top\n===\n\n=====================\n{comment}\n=====================\n\n::\n\n  x\n");
            assert_eq!(sections(&text), [vec!["Top"]], "{comment:?}");
        }
    }

    #[test]
    fn titles_after_a_comment_keep_their_levels() {
        // The second comment ends without a blank line: docutils warns, and
        // reads the unindented line as the start of what follows.
        let text = ".. comment\n\nAlpha\n=====\n\n.. another\n   comment\nBeta\n----\n\n::\n\n  one\n\n\
                    ..\n\nGamma\n=====\n\n::\n\n  two\n";
        assert_eq!(sections(text), [vec!["Alpha", "Beta"], vec!["Gamma"]]);
    }

    #[test]
    fn section_levels_follow_first_appearance_of_each_style() {
        let text = "=====\nTitle\n=====\n\nTop\n===\n\nA\n---\n\nDeep\n<<<<\n\n::\n\n  one\n\n\
                    B\n---\n\n::\n\n  two\n\nSecond top\n==========\n\n::\n\n  three\n";
        assert_eq!(
            sections(text),
            [vec!["Title", "Top", "A", "Deep"], vec!["Title", "Top", "B"], vec!["Title", "Second top"],]
        );
    }

    #[test]
    fn every_punctuation_character_can_underline() {
        for c in ['=', '-', '~', '+', '<', '^', '"', '#', '*', '`', '\'', '.', '_'] {
            let underline = c.to_string().repeat(7);
            let text = format!("Heading\n{underline}\n\n::\n\n  x\n");
            assert_eq!(rst(&text)[0].section, ["Heading"], "underline {c:?}");
        }
    }

    #[test]
    fn short_underlines_and_transitions_are_not_titles() {
        let text = "Long title here\n--\n\n::\n\n  a\n\n----------\n\n::\n\n  b\n";
        let examples = rst(text);
        assert!(examples.iter().all(|e| e.section.is_empty()), "{examples:?}");
        // From four characters on, a short underline is still a title (docutils warns, renders it).
        assert_eq!(rst("Long title\n~~~~\n\n::\n\n  a\n")[0].section, ["Long title"]);
    }

    #[test]
    fn code_bodies_are_not_scanned_for_titles() {
        let text = "Real\n====\n\n.. code::\n\n  Fake\n  ====\n\n  .. code::\n\n    inner\n";
        let examples = rst(text);
        assert_eq!(examples.len(), 1);
        assert_eq!(examples[0].section, ["Real"]);
        assert!(examples[0].raw.contains(".. code::"));
    }

    #[test]
    fn tabs_expand_to_eight_columns() {
        let text = "::\n\n\tone\n\t  two\n";
        let examples = rst(text);
        assert_eq!(examples[0].raw, "one\n  two\n");
        assert_eq!(examples[0].line, 3);
    }

    #[test]
    fn crlf_line_endings_give_the_same_result() {
        let lf = "Title\n=====\n\n.. code:: json\n\n  {\"a\": [1,\n  2]}\n";
        let crlf = lf.replace('\n', "\r\n");
        assert_eq!(rst(lf), rst(&crlf));
    }

    #[test]
    fn templates_and_substitutions_are_text() {
        let text = "{{login_cs_http_api}}\n\nVersion %CLIENT_MAJOR_VERSION%::\n\n  {\"v\": 1}\n";
        let examples = rst(text);
        assert_eq!(examples.len(), 1);
        assert_eq!(examples[0].kind, Kind::Json);
    }

    #[test]
    fn invalid_json_is_text_with_the_fault_located_in_the_file() {
        let text =
            "Intro\n\n.. code:: json\n\n    {\n      \"type\": \"m.login.password\",\n      ...\n    }\n";
        let example = &rst(text)[0];
        assert_eq!(example.kind, Kind::Text);
        let error = example.json_error.as_deref().expect("an error is recorded");
        assert!(error.starts_with("line 7, column 7:"), "{error}");
    }

    #[test]
    fn deep_nesting_and_huge_input_stay_linear() {
        let mut text = String::new();
        for depth in 0..10_000 {
            text.push_str(&" ".repeat(depth % 200));
            text.push_str("- item::\n\n");
        }
        let examples = rst(&text);
        assert!(examples.len() < 10_000);

        // The 50 MB case is measured by `cargo xtask bench-extract`; a debug-build test keeps to 2 MB.
        let big = "Title\n=====\n\n.. code:: json\n\n  {\"a\": 1}\n\n".repeat(50_000);
        assert!(big.len() > 2_000_000);
        assert_eq!(rst(&big).len(), 50_000);
    }

    #[test]
    fn unterminated_overline_and_lone_markers_do_not_panic() {
        for text in ["=====\nTitle", "=====", "::", "..", ".. code::", "- ", "1.", "(a)", "\t", "\n\n\n"] {
            let _ = rst(text);
        }
    }
}
