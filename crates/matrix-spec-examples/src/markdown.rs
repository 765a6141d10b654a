//! Markdown scanner: the code blocks of a Hugo Markdown spec file and the headings they stand under.
//!
//! pulldown-cmark does the CommonMark work (fences inside list items and block
//! quotes, indented blocks, tabs); this module adds what Hugo adds on top of it
//! (`{id="…"}` heading anchors) and the spec's habit of writing one HTTP
//! example as two adjacent blocks, the head in a `nohighlight` block and the
//! body in a `json` block.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::block::{Block, Heading, Outline, Segment, line_of};
use crate::classify::is_bare_http_head;

/// The pulldown-cmark options the scanner parses with, shared with benchmarks
/// so that a bare parse is measured with exactly the same work.
///
/// They are Hugo's (Goldmark's) defaults where those change which text is a
/// code block or a heading: tables, definition lists (the error-code lists)
/// and footnotes, whose containers decide where a paragraph ends and so
/// whether an indented line is code; and front matter, since `---` … `---`
/// would otherwise end in a setext heading.
/// Heading attributes stay off: pulldown-cmark's `{#id}` syntax is not Hugo's
/// `{id="…"}`, so [`split_attributes`] reads both. Smart punctuation stays off
/// so titles keep the spelling of the source.
pub(crate) fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
}

/// Every code block of `text` (LF line ends, no NUL), in document order, with
/// an HTTP head block and the JSON block right after it joined into one.
pub(crate) fn scan(text: &str) -> Vec<Block> {
    let mut scanner = Scanner::new(text);
    for (event, range) in Parser::new_ext(text, parser_options()).into_offset_iter() {
        scanner.event(event, range);
    }
    scanner.blocks
}

/// The state carried from one parser event to the next.
struct Scanner<'t> {
    text: &'t str,
    lines: LineCursor<'t>,
    /// The open sections.
    sections: Outline,
    /// The title of the heading being read.
    title: Option<Title>,
    /// The code block being read.
    code: Option<OpenCode>,
    /// Where the last code block ended, while no event has come after it: a
    /// block that starts then is in the same container, with nothing between.
    after_code: Option<usize>,
    blocks: Vec<Block>,
}

/// A heading's title as its inline events arrive.
#[derive(Default)]
struct Title {
    text: String,
    /// Length of `text` after its last code span: a `{…}` written inside
    /// backquotes is part of the title, not Hugo attributes.
    literal_end: usize,
}

/// A code block whose end has not been seen yet.
struct OpenCode {
    /// Offset of the block's start (its opening fence, or its first line when indented).
    start: usize,
    info: String,
    text: String,
    /// Offset of the first content byte, once one is seen.
    first_text: Option<usize>,
    /// Whether this block directly follows a body-less HTTP head, so that it
    /// becomes that head's body if it holds JSON.
    may_complete_head: bool,
}

impl<'t> Scanner<'t> {
    fn new(text: &'t str) -> Self {
        Scanner {
            text,
            lines: LineCursor::new(text),
            sections: Outline::default(),
            title: None,
            code: None,
            after_code: None,
            blocks: Vec::new(),
        }
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        if self.code.is_some() {
            self.code_event(event, range);
            return;
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                self.open_code(kind, range);
                // `after_code` was consumed by `open_code` and is reset when the block ends.
                return;
            }
            Event::Start(Tag::Heading { .. }) => self.title = Some(Title::default()),
            Event::End(TagEnd::Heading(level)) => self.close_heading(level),
            Event::Text(text) => {
                if let Some(title) = &mut self.title {
                    title.text.push_str(&text);
                }
            }
            Event::Code(text) => {
                if let Some(title) = &mut self.title {
                    title.text.push_str(&text);
                    title.literal_end = title.text.len();
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(title) = &mut self.title {
                    title.text.push(' ');
                }
            }
            _ => {}
        }
        self.after_code = None;
    }

    /// An event inside a code block: only its text and its end can come.
    fn code_event(&mut self, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Text(text) => {
                if let Some(code) = &mut self.code {
                    code.first_text.get_or_insert(range.start);
                    code.text.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(code) = self.code.take() {
                    self.close_code(code, range.end);
                }
            }
            _ => {}
        }
    }

    fn open_code(&mut self, kind: CodeBlockKind<'_>, range: Range<usize>) {
        let info = match kind {
            CodeBlockKind::Fenced(info) => info.trim().to_owned(),
            CodeBlockKind::Indented => String::new(),
        };
        let adjacent = self.after_code.take().is_some_and(|end| {
            // `>` continues the same block quote; pulldown-cmark would have
            // reported any other container boundary as an event.
            self.text
                .get(end..range.start)
                .is_some_and(|gap| gap.bytes().all(|b| b.is_ascii_whitespace() || b == b'>'))
        });
        let may_complete_head = adjacent
            && self.blocks.last().is_some_and(|b| b.body.is_none() && is_bare_http_head(&b.content.text));
        self.code = Some(OpenCode {
            start: range.start,
            info,
            // The content is never longer than the block's source.
            text: String::with_capacity(range.len()),
            first_text: None,
            may_complete_head,
        });
    }

    fn close_code(&mut self, code: OpenCode, end: usize) {
        let (line, column) = match code.first_text {
            Some(offset) => self.lines.position(offset),
            // An empty block: its content would begin on the line after the
            // fence, unless the fence ends the input and there is no such line.
            None => {
                let (line, column) = self.lines.position(code.start);
                let (last, _) = self.lines.position(end);
                ((line + 1).min(last), column)
            }
        };
        let segment = Segment { text: code.text, line, column };
        self.after_code = Some(end);
        let completes_head = code.may_complete_head && is_json_body(&code.info, &segment.text);
        match self.blocks.last_mut().filter(|_| completes_head) {
            Some(head) => head.body = Some(segment),
            None => self.blocks.push(Block {
                section: self.sections.path(),
                info: code.info,
                content: segment,
                body: None,
            }),
        }
    }

    fn close_heading(&mut self, level: HeadingLevel) {
        let Some(title) = self.title.take() else { return };
        self.sections.enter(level as usize, title.into_heading());
    }
}

impl Title {
    /// The heading, reusing the title's buffer: most headings have no attributes.
    fn into_heading(self) -> Heading {
        let Title { mut text, literal_end } = self;
        let mut id = None;
        if let Some((title, explicit)) = split_attributes(text.trim_end(), literal_end) {
            id = explicit.map(str::to_owned);
            text.truncate(title.len());
        }
        text.truncate(text.trim_end().len());
        let indent = text.len() - text.trim_start().len();
        text.drain(..indent);
        match id {
            Some(slug) => Heading { title: text, slug },
            None => Heading::new(text),
        }
    }
}

/// Split a trailing Hugo attribute block (`{id="legacy-login"}`, `{#legacy-login}`,
/// `{#anchor .class key=value}`) off a title: the title before it and the id
/// it names, if any. `None` when the title does not end in one that starts at
/// or after `from` (`GET /rooms/{roomId}` is a title, not attributes).
fn split_attributes(title: &str, from: usize) -> Option<(&str, Option<&str>)> {
    let inner = title.strip_suffix('}')?;
    let open = inner.rfind('{')?;
    if open < from {
        return None;
    }
    let mut rest = inner[open + 1..].trim_start();
    if rest.is_empty() {
        return None;
    }
    let mut id = None;
    while !rest.is_empty() {
        let (token, after) = split_attribute(rest)?;
        match token {
            Attribute::Id(value) => id = Some(value).filter(|v| !v.is_empty()),
            Attribute::Other => {}
        }
        rest = after.trim_start();
    }
    Some((&title[..open], id))
}

/// One attribute of a Hugo attribute block.
enum Attribute<'a> {
    /// `#anchor` or `id=…`.
    Id(&'a str),
    /// `.class` or any other `key=value`.
    Other,
}

/// The first attribute of `text` and what follows it; `None` when `text`
/// does not start with one.
fn split_attribute(text: &str) -> Option<(Attribute<'_>, &str)> {
    let word_end = |s: &str| s.find(char::is_whitespace).unwrap_or(s.len());
    if let Some(rest) = text.strip_prefix('#') {
        let end = word_end(rest);
        return Some((Attribute::Id(&rest[..end]), &rest[end..]));
    }
    if let Some(rest) = text.strip_prefix('.') {
        let end = word_end(rest);
        return (end > 0).then_some((Attribute::Other, &rest[end..]));
    }
    let (key, rest) = text.split_once('=')?;
    let valid_key = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    if key.is_empty() || !key.bytes().all(valid_key) {
        return None;
    }
    let (value, after) = match rest.chars().next() {
        Some(quote @ ('"' | '\'')) => {
            let body = &rest[1..];
            let close = body.find(quote)?;
            (&body[..close], &body[close + 1..])
        }
        _ => {
            let end = word_end(rest);
            (&rest[..end], &rest[end..])
        }
    };
    let attribute = if key == "id" { Attribute::Id(value) } else { Attribute::Other };
    Some((attribute, after))
}

/// Whether a block can be the body that completes an HTTP head.
fn is_json_body(info: &str, text: &str) -> bool {
    let language = info.split_ascii_whitespace().next().unwrap_or_default();
    language.eq_ignore_ascii_case("json") || text.trim_start().starts_with(['{', '['])
}

/// Line and column of byte offsets: [`line_of`] for offsets that only grow,
/// so that each byte of the text is looked at once however many blocks there are.
struct LineCursor<'t> {
    text: &'t str,
    offset: usize,
    /// 1-based line of `offset`.
    line: usize,
    /// Offset of the first byte of that line.
    line_start: usize,
}

impl<'t> LineCursor<'t> {
    fn new(text: &'t str) -> Self {
        LineCursor { text, offset: 0, line: 1, line_start: 0 }
    }

    /// The 1-based line of `offset` and its 0-based byte column in that line.
    fn position(&mut self, offset: usize) -> (usize, usize) {
        let bytes = self.text.as_bytes();
        let offset = offset.min(bytes.len());
        let newline = |&b: &u8| b == b'\n';
        if offset < self.offset {
            // pulldown-cmark reports blocks in source order, so this is never
            // taken; counting from the start is still right if it were.
            self.line = line_of(self.text, offset);
            self.line_start = bytes[..offset].iter().rposition(newline).map_or(0, |i| i + 1);
        } else {
            let skipped = &bytes[self.offset..offset];
            if let Some(last) = skipped.iter().rposition(newline) {
                self.line += count_newlines(skipped);
                self.line_start = self.offset + last + 1;
            }
        }
        self.offset = offset;
        (self.line, offset - self.line_start)
    }
}

/// The number of `\n` in `bytes`, in byte-sized lanes so that the compiler
/// vectorises it: this is the scanner's only pass over the text of its own.
fn count_newlines(bytes: &[u8]) -> usize {
    // 255 lanes of 0 or 1 cannot overflow a `u8` sum.
    let mut chunks = bytes.chunks_exact(255);
    let mut count = 0;
    for chunk in &mut chunks {
        count += usize::from(chunk.iter().map(|&b| u8::from(b == b'\n')).sum::<u8>());
    }
    count + chunks.remainder().iter().filter(|&&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Example, Format, Kind, extract};

    fn only_block(markdown: &str) -> Block {
        let mut blocks = scan(markdown);
        assert_eq!(blocks.len(), 1, "{blocks:#?}");
        blocks.remove(0)
    }

    fn titles(block: &Block) -> Vec<&str> {
        block.section.iter().map(|h| h.title.as_str()).collect()
    }

    fn slugs(block: &Block) -> Vec<&str> {
        block.section.iter().map(|h| h.slug.as_str()).collect()
    }

    #[test]
    fn headings_nest_by_level_with_setext_and_hugo_ids() {
        let markdown = "\
# Top

```
one
```

## Login {id=\"legacy-login\"}

```
two
```

### Deep `m.login` {#deep-anchor .wide}

```
three
```

Setext `Two`
------------

```
four
```

#### GET /rooms/{roomId}

```
five
```

New top
=======

```
six
```
";
        let blocks = scan(markdown);
        assert_eq!(blocks.len(), 6);
        assert_eq!(titles(&blocks[0]), ["Top"]);
        assert_eq!(titles(&blocks[1]), ["Top", "Login"]);
        assert_eq!(slugs(&blocks[1]), ["top", "legacy-login"]);
        assert_eq!(titles(&blocks[2]), ["Top", "Login", "Deep m.login"]);
        assert_eq!(slugs(&blocks[2]), ["top", "legacy-login", "deep-anchor"]);
        assert_eq!(titles(&blocks[3]), ["Top", "Setext Two"]);
        assert_eq!(slugs(&blocks[3]), ["top", "setext-two"]);
        assert_eq!(titles(&blocks[4]), ["Top", "Setext Two", "GET /rooms/{roomId}"]);
        assert_eq!(slugs(&blocks[4])[2], "get-rooms-roomid");
        assert_eq!(titles(&blocks[5]), ["New top"]);
    }

    #[test]
    fn braces_in_a_code_span_are_not_attributes() {
        let block = only_block("## The `{#not-an-id}`\n\n```\nx\n```\n");
        assert_eq!(titles(&block), ["The {#not-an-id}"]);
        assert_eq!(slugs(&block), ["the-not-an-id"]);
    }

    #[test]
    fn attribute_blocks_without_an_id_are_dropped_from_the_title() {
        assert_eq!(split_attributes("Intro {.lead}", 0), Some(("Intro ", None)));
        assert_eq!(split_attributes("A {id='x' title=\"b c\"}", 0), Some(("A ", Some("x"))));
        assert_eq!(split_attributes("A {}", 0), None);
        assert_eq!(split_attributes("A {#}", 0), Some(("A ", None)));
        assert_eq!(split_attributes("A {id=\"x}", 0), None);
    }

    #[test]
    fn fenced_block_keeps_info_and_position() {
        let block = only_block("Intro\n\n```  json  \n{\"a\": 1}\n```\n");
        assert_eq!(block.info, "json");
        assert_eq!(block.content, Segment { text: "{\"a\": 1}\n".into(), line: 4, column: 0 });
        assert_eq!(block.body, None);
        assert!(block.section.is_empty());
    }

    #[test]
    fn tilde_fence_is_a_code_block() {
        let block = only_block("~~~http\nGET / HTTP/1.1\n~~~\n");
        assert_eq!(block.info, "http");
        assert_eq!(block.content, Segment { text: "GET / HTTP/1.1\n".into(), line: 2, column: 0 });
    }

    #[test]
    fn indented_code_block_has_no_info() {
        let block = only_block("Para\n\n    line one\n      line two\n");
        assert_eq!(block.info, "");
        assert_eq!(block.content, Segment { text: "line one\n  line two\n".into(), line: 3, column: 4 });
    }

    #[test]
    fn fence_in_ordered_list_item_is_dedented() {
        let block = only_block("1. First:\n\n   ```json\n   {\n     \"a\": 1\n   }\n   ```\n");
        assert_eq!(block.info, "json");
        assert_eq!(block.content, Segment { text: "{\n  \"a\": 1\n}\n".into(), line: 4, column: 3 });
    }

    #[test]
    fn fence_in_block_quote_loses_the_markers() {
        let block = only_block("> Quote\n>\n> ```json\n> [1,\n>  2]\n> ```\n");
        assert_eq!(block.content, Segment { text: "[1,\n 2]\n".into(), line: 4, column: 2 });
    }

    #[test]
    fn tabs_count_as_bytes_in_the_column() {
        let block = only_block(">\t```\n>\tfoo\n>\t```\n");
        assert_eq!(block.content, Segment { text: "foo\n".into(), line: 2, column: 2 });
    }

    #[test]
    fn http_head_and_json_block_merge() {
        let markdown = "\
Text

```nohighlight
HTTP/1.1 401 Unauthorized
Content-Type: application/json
```

```json
{\"flows\": []}
```
";
        let block = only_block(markdown);
        assert_eq!(block.info, "nohighlight");
        assert_eq!(block.content.line, 4);
        assert_eq!(block.content.text, "HTTP/1.1 401 Unauthorized\nContent-Type: application/json\n");
        assert_eq!(block.body, Some(Segment { text: "{\"flows\": []}\n".into(), line: 9, column: 0 }));
    }

    #[test]
    fn adjacent_fences_merge_inside_list_items_and_block_quotes() {
        let listed = only_block(
            "4. Repeat:\n   ```nohighlight\n   POST /_matrix/client/v3/register\n   ```\n   ```\n   {}\n   ```\n",
        );
        assert_eq!(
            listed.content,
            Segment { text: "POST /_matrix/client/v3/register\n".into(), line: 3, column: 3 }
        );
        assert_eq!(listed.body, Some(Segment { text: "{}\n".into(), line: 6, column: 3 }));

        let quoted = only_block("> ```\n> HTTP/1.1 200 OK\n> ```\n>\n> ```json\n> []\n> ```\n");
        assert_eq!(quoted.body, Some(Segment { text: "[]\n".into(), line: 6, column: 2 }));
    }

    #[test]
    fn blocks_do_not_merge_when_anything_stands_between() {
        let head = "```nohighlight\nHTTP/1.1 200 OK\n```\n";
        let json = "```json\n{}\n```\n";
        for between in ["\nThen:\n\n", "\n## Body\n\n", "\n<!-- body -->\n\n"] {
            let blocks = scan(&format!("{head}{between}{json}"));
            assert_eq!(blocks.len(), 2, "{between:?}");
            assert!(blocks.iter().all(|b| b.body.is_none()), "{between:?}");
        }
        // Separate list items are separate containers.
        let blocks = scan("- ```\n  POST /x\n  ```\n- ```json\n  {}\n  ```\n");
        assert_eq!(blocks.len(), 2);
        // A second block that is not JSON, a head that already has a body,
        // and a block that is not a head stay as written.
        assert_eq!(scan(&format!("{head}```text\nhello\n```\n")).len(), 2);
        assert_eq!(scan(&format!("```\nPOST /x\n\n{{}}\n```\n{json}")).len(), 2);
        assert_eq!(scan(&format!("```\nsome text\n```\n{json}")).len(), 2);
        // Two JSON blocks after one head: only the first completes it.
        let blocks = scan(&format!("{head}{json}{json}"));
        assert_eq!(blocks.len(), 2);
        assert!(blocks[0].body.is_some() && blocks[1].body.is_none());
    }

    #[test]
    fn head_predicate_wants_a_start_line_and_no_body() {
        assert!(is_bare_http_head("HTTP/1.1 401 Unauthorized\nContent-Type: application/json\n"));
        assert!(is_bare_http_head("\nPOST /_matrix/client/v3/register\n"));
        assert!(!is_bare_http_head("POST /x\n\n{\"a\": 1}\n"));
        assert!(!is_bare_http_head("Post /x\n"));
        assert!(!is_bare_http_head("POST x\n"));
        assert!(!is_bare_http_head(""));
    }

    #[test]
    fn hugo_shortcodes_around_a_block_are_paragraphs() {
        let markdown = "{{% boxes/note %}}\n```json\n{\"a\": 1}\n```\n{{% /boxes/note %}}\n\n{{% boxes/warning %}}\n\n    indented\n\n{{% /boxes/warning %}}\n";
        let blocks = scan(markdown);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].content, Segment { text: "{\"a\": 1}\n".into(), line: 3, column: 0 });
        assert_eq!(blocks[1].content, Segment { text: "indented\n".into(), line: 9, column: 4 });
    }

    #[test]
    fn unterminated_and_empty_fences_are_kept() {
        let block = only_block("Intro\n\n```js\nlet a = 1;\n");
        assert_eq!(block.info, "js");
        assert_eq!(block.content, Segment { text: "let a = 1;\n".into(), line: 4, column: 0 });

        let block = only_block("```\n```\n");
        assert_eq!(block.content, Segment { text: String::new(), line: 2, column: 0 });
        // A fence that ends the input: there is no line after it to point at
        // (found by fuzzing, which checks every line is one of the input's).
        let block = only_block("  ```");
        assert_eq!(block.content, Segment { text: String::new(), line: 1, column: 2 });
        for text in ["```", "```json", "~~~", "x\n\n```"] {
            let line = text.lines().count();
            assert_eq!(only_block(text).content.line, line, "{text:?}");
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        for marker in ["> ", "- ", "1. "] {
            // The fence opens in the innermost container; the unprefixed next
            // line closes them all, leaving an empty block.
            let block = only_block(&format!("{}```json\nx\n", marker.repeat(10_000)));
            assert_eq!((block.info.as_str(), block.content.text.as_str()), ("json", ""), "{marker:?}");
        }
        let quotes = "> ".repeat(10_000);
        let block = only_block(&format!("{quotes}```\n{quotes}x\n{quotes}```\n"));
        assert_eq!(block.content, Segment { text: "x\n".into(), line: 2, column: 20_000 });
        let headings = "# a\n## b\n### c\n#### d\n##### e\n###### f\n".repeat(2_000);
        let block = only_block(&format!("{headings}```\nx\n```\n"));
        assert_eq!(titles(&block), ["a", "b", "c", "d", "e", "f"]);
    }

    #[test]
    fn cursor_agrees_with_line_of() {
        let text = "a\n\nbc\n\td\n";
        let mut cursor = LineCursor::new(text);
        for offset in [0, 1, 2, 3, 4, 6, 7, 8, 9, 50] {
            let (line, column) = cursor.position(offset);
            assert_eq!(line, line_of(text, offset), "{offset}");
            let start = text[..offset.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
            assert_eq!(column, offset.min(text.len()) - start, "{offset}");
        }
        assert_eq!(cursor.position(3), (3, 0));

        // Longer than one counting chunk.
        let long = format!("{}abc", "x\n".repeat(1000));
        let mut cursor = LineCursor::new(&long);
        assert_eq!(cursor.position(long.len() - 1), (1001, 2));
        assert_eq!(cursor.position(5), (3, 1));
    }

    const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/client_server_api.v1.md");

    fn spec_text() -> String {
        std::fs::read_to_string(SPEC).expect("the vendored Markdown spec")
    }

    fn in_section<'e>(examples: &'e [Example], title: &str) -> Vec<&'e Example> {
        examples.iter().filter(|e| e.section.last().is_some_and(|t| t == title)).collect()
    }

    #[test]
    fn every_spec_block_is_where_its_position_says() {
        let text = spec_text();
        let lines: Vec<&str> = text.lines().collect();
        let blocks = scan(&text);
        assert!(blocks.len() > 50, "{}", blocks.len());
        for segment in blocks.iter().flat_map(|b| std::iter::once(&b.content).chain(&b.body)) {
            let first = segment.text.lines().next().unwrap_or_default();
            let source = lines.get(segment.line - 1).and_then(|l| l.get(segment.column..));
            assert_eq!(source, Some(first), "line {} column {}", segment.line, segment.column);
        }
    }

    #[test]
    fn spec_user_interactive_api_examples_are_merged_http() {
        let examples = extract(&spec_text(), Format::Markdown).expect("spec extracts");
        let section = in_section(&examples, "User-interactive API in the REST API");
        let (uia, rest): (Vec<&Example>, Vec<&Example>) = section.into_iter().partition(|e| e.kind.is_http());
        // The one other block is the stage diagram.
        assert_eq!(rest.iter().map(|e| e.kind).collect::<Vec<_>>(), [Kind::Text]);
        let statuses: Vec<_> = uia.iter().map(|e| e.status).collect();
        assert_eq!(statuses, [Some(401), None, Some(401), Some(401), Some(400)]);
        assert!(uia.iter().all(|e| e.kind.is_http() && e.body.is_some() && e.json_error.is_none()));
        let body = |i: usize| uia[i].body.as_ref().expect("parsed body");

        assert!(body(0)["flows"].is_array());
        assert_eq!(uia[0].line, 736);
        assert_eq!(uia[1].kind, Kind::HttpRequest);
        assert_eq!(uia[1].method.as_deref(), Some("POST"));
        assert_eq!(uia[1].path.as_deref(), Some("/_matrix/client/v3/endpoint"));
        assert_eq!(body(1)["auth"]["type"], "example.type.foo");
        assert_eq!(body(2)["completed"][0], "example.type.foo");
        assert_eq!(body(3)["errcode"], "M_FORBIDDEN");
        assert_eq!(body(4)["errcode"], "M_EXAMPLE_ERROR");
    }

    #[test]
    fn spec_terms_example_in_a_list_is_merged_http() {
        let examples = extract(&spec_text(), Format::Markdown).expect("spec extracts");
        let terms = in_section(&examples, "Terms of service at registration");
        let kinds: Vec<_> = terms.iter().map(|e| e.kind).collect();
        use Kind::{HttpRequest, HttpResponse, Json};
        assert_eq!(kinds, [Json, HttpRequest, HttpResponse, HttpRequest, HttpResponse]);
        let http = &terms[1..];
        assert!(http.iter().all(|e| e.body.is_some() && e.json_error.is_none()));
        for request in [http[0], http[2]] {
            assert_eq!(request.method.as_deref(), Some("POST"));
            assert_eq!(request.path.as_deref(), Some("/_matrix/client/v3/register"));
        }
        assert_eq!(http[0].body.as_ref().map(|b| &b["username"]), Some(&"cheeky_monkey".into()));
        assert_eq!(http[1].status, Some(401));
        assert!(http[1].body.as_ref().is_some_and(|b| b["params"]["m.login.terms"]["policies"].is_object()));
        assert_eq!(http[2].body.as_ref().map(|b| &b["auth"]["type"]), Some(&"m.login.terms".into()));
        assert_eq!(http[3].status, Some(200));
        assert_eq!(http[3].body.as_ref().map(|b| &b["device_id"]), Some(&"GHTYAJCE".into()));
    }
}
