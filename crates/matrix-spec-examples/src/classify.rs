//! What a code block holds: an HTTP request or response, JSON, a JSON member, or text.
//!
//! The rules are the same for every spec format and revision, so they live here
//! and not in the scanners.

use crate::block::{Block, Segment};
use crate::example::{Example, Kind};

/// Classify `block` into an [`Example`] whose `id` is still empty.
pub(crate) fn classify(block: Block) -> Example {
    let content = &block.content;
    let mut example = Example {
        id: String::new(),
        line: content.line,
        section: block.section.iter().map(|h| h.title.clone()).collect(),
        info: block.info.clone(),
        kind: Kind::Text,
        method: None,
        path: None,
        status: None,
        reason: None,
        headers: Vec::new(),
        fragment_key: None,
        body: None,
        body_line: None,
        json_error: None,
        raw: String::new(),
    };

    if let Some(head) = parse_http_head(&content.text) {
        match head.start {
            StartLine::Request { method, path } => {
                example.kind = Kind::HttpRequest;
                example.method = Some(method.to_owned());
                example.path = Some(path.to_owned());
            }
            StartLine::Response { status, reason } => {
                example.kind = Kind::HttpResponse;
                example.status = Some(status);
                example.reason = reason.map(str::to_owned);
            }
        }
        example.headers = head.headers;
        let body = match &block.body {
            Some(body) => Some(body.clone()),
            None => head.body_offset.map(|offset| sub_segment(content, offset)),
        };
        // A form-encoded or plain-text body is not a JSON example that failed.
        let json_content = example
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            .is_none_or(|(_, value)| value.to_ascii_lowercase().contains("json"));
        if let Some(body) = body.filter(|b| json_content && !b.text.trim().is_empty()) {
            example.body_line = Some(first_text_line(&body));
            match parse_json(&body, 0) {
                Ok(value) => example.body = Some(value),
                Err(error) => example.json_error = Some(error),
            }
        }
        return with_raw(example, block);
    }

    let text = content.text.trim_start();
    if text.starts_with('{') || text.starts_with('[') || looks_like_member(text) {
        example.body_line = Some(first_text_line(content));
    }
    if text.starts_with('{') || text.starts_with('[') {
        match parse_json(content, 0) {
            Ok(value) => {
                example.kind = Kind::Json;
                example.body = Some(value);
            }
            Err(error) => example.json_error = Some(error),
        }
    } else if looks_like_member(text) {
        match parse_fragment(content) {
            Ok((key, value)) => {
                example.kind = Kind::JsonFragment;
                example.fragment_key = key;
                example.body = Some(value);
            }
            Err(error) => example.json_error = Some(error),
        }
    }
    with_raw(example, block)
}

/// Move the block's text into the example: the raw text is kept, never copied.
fn with_raw(mut example: Example, block: Block) -> Example {
    example.raw = match block.body {
        Some(body) => {
            let mut raw = block.content.text;
            raw.truncate(raw.trim_end().len());
            raw.push_str("\n\n");
            raw.push_str(&body.text);
            raw
        }
        None => block.content.text,
    };
    example
}

/// Whether `text` is an HTTP start line and headers with no body: the first
/// half of the Markdown spec's two-block HTTP examples.
pub(crate) fn is_bare_http_head(text: &str) -> bool {
    parse_http_head(text).is_some_and(|head| head.body_offset.is_none())
}

enum StartLine<'a> {
    Request { method: &'a str, path: &'a str },
    Response { status: u16, reason: Option<&'a str> },
}

struct HttpHead<'a> {
    start: StartLine<'a>,
    headers: Vec<(String, String)>,
    /// Byte offset in the text where the body starts, if anything follows the head.
    body_offset: Option<usize>,
}

/// Parse `METHOD target [HTTP/x.y]` or `HTTP/x.y status [reason]`, then header
/// lines up to a blank line. `None` when the first line is neither.
fn parse_http_head(text: &str) -> Option<HttpHead<'_>> {
    let mut lines = LineOffsets::new(text);
    let (_, first) = lines.by_ref().find(|(_, l)| !l.trim().is_empty())?;
    let start = parse_start_line(first.trim())?;
    let mut headers = Vec::new();
    let mut body_offset = None;
    for (offset, line) in lines {
        if line.trim().is_empty() {
            body_offset = Some(offset + line.len() + 1);
            break;
        }
        match parse_header(line) {
            Some(header) => headers.push(header),
            // A body glued to the head without the blank line: be lenient, it is
            // what the author meant.
            None => {
                body_offset = Some(offset);
                break;
            }
        }
    }
    Some(HttpHead { start, headers, body_offset: body_offset.filter(|&o| o < text.len()) })
}

fn parse_start_line(line: &str) -> Option<StartLine<'_>> {
    let mut words = line.split_ascii_whitespace();
    let first = words.next()?;
    if let Some(version) = first.strip_prefix("HTTP/") {
        if !is_http_version(version) {
            return None;
        }
        let rest = line[first.len()..].trim_start();
        let (status, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        if status.len() != 3 || !status.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let reason = reason.trim();
        return Some(StartLine::Response {
            status: status.parse().ok()?,
            reason: (!reason.is_empty()).then_some(reason),
        });
    }
    let method = first;
    if !(1..=16).contains(&method.len()) || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let path = words.next()?;
    if !(path.starts_with('/') || path == "*" || path.starts_with("http")) {
        return None;
    }
    match (words.next(), words.next()) {
        (None, _) => {}
        (Some(v), None) if v.strip_prefix("HTTP/").is_some_and(is_http_version) => {}
        _ => return None,
    }
    Some(StartLine::Request { method, path })
}

fn is_http_version(v: &str) -> bool {
    let mut parts = v.splitn(2, '.');
    let major = parts.next().unwrap_or_default();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(major) && parts.next().is_none_or(digits)
}

fn parse_header(line: &str) -> Option<(String, String)> {
    let (name, value) = line.split_once(':')?;
    let name = name.trim_end();
    let is_token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() || name.starts_with(char::is_whitespace) || !name.bytes().all(is_token) {
        return None;
    }
    Some((name.to_owned(), value.trim().to_owned()))
}

/// `"key": …` — a JSON member shown outside its object.
fn looks_like_member(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('"') else { return false };
    let Some(end) = rest.find('"') else { return false };
    rest[end + 1..].trim_start().starts_with(':')
}

/// Parse a member list by wrapping it in braces. A single member gives its key
/// and value; several give the object they make and no key.
fn parse_fragment(segment: &Segment) -> Result<(Option<String>, serde_json::Value), String> {
    let wrapped = Segment { text: format!("{{{}\n}}", segment.text), ..segment.clone() };
    match parse_json(&wrapped, 1)? {
        serde_json::Value::Object(map) if map.len() == 1 => {
            let (key, value) = map.into_iter().next().unwrap_or_default();
            Ok((Some(key), value))
        }
        several => Ok((None, several)),
    }
}

/// Parse JSON and report a failure at its place in the source file.
/// `shift` is how many characters were prepended to the first line.
fn parse_json(segment: &Segment, shift: usize) -> Result<serde_json::Value, String> {
    serde_json::from_str(&segment.text).map_err(|e| {
        let message = e.to_string();
        let message = message.rfind(" at line ").map_or(message.as_str(), |i| &message[..i]);
        let line = segment.line + e.line().saturating_sub(1);
        let column = e.column() + segment.column - if e.line() == 1 { shift } else { 0 };
        format!("line {line}, column {column}: {message}")
    })
}

/// The file line of the first non-blank line of `segment`.
fn first_text_line(segment: &Segment) -> usize {
    let blank = segment.text.len() - segment.text.trim_start().len();
    segment.line + segment.text[..blank].matches('\n').count()
}

/// The part of `segment` from byte `offset` on, with its own line number.
fn sub_segment(segment: &Segment, offset: usize) -> Segment {
    let skipped = &segment.text[..offset];
    Segment {
        text: segment.text[offset..].to_owned(),
        line: segment.line + skipped.matches('\n').count(),
        column: segment.column,
    }
}

/// Lines with the byte offset of their start.
struct LineOffsets<'a> {
    text: &'a str,
    offset: usize,
}

impl<'a> LineOffsets<'a> {
    fn new(text: &'a str) -> Self {
        LineOffsets { text, offset: 0 }
    }
}

impl<'a> Iterator for LineOffsets<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        if self.offset >= self.text.len() {
            return None;
        }
        let start = self.offset;
        let rest = &self.text[start..];
        let (line, advance) = match rest.find('\n') {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        self.offset += advance;
        Some((start, line))
    }
}

#[cfg(test)]
mod tests {
    use crate::{Format, Kind, extract};

    fn one(block: &str) -> crate::Example {
        let text = format!("::\n\n{}\n", block.lines().map(|l| format!("  {l}\n")).collect::<String>());
        let mut examples = extract(&text, Format::Rst).expect("valid text");
        assert_eq!(examples.len(), 1, "{text}");
        examples.remove(0)
    }

    #[test]
    fn request_line_headers_and_body() {
        let e = one("PUT /_matrix/client/v3/rooms/!a:b/state HTTP/1.1\nContent-Type: application/json\n\
                     Authorization: Bearer x\n\n{\"k\": 1}");
        assert_eq!(e.kind, Kind::HttpRequest);
        assert_eq!(e.method.as_deref(), Some("PUT"));
        assert_eq!(e.path.as_deref(), Some("/_matrix/client/v3/rooms/!a:b/state"));
        assert_eq!(e.headers.len(), 2);
        assert_eq!(e.headers[1], ("Authorization".to_owned(), "Bearer x".to_owned()));
        assert_eq!(e.body, Some(serde_json::json!({"k": 1})));
        assert_eq!(e.body_line, Some(7));
    }

    #[test]
    fn status_line_with_and_without_reason() {
        let e = one("HTTP/1.1 401 Unauthorized\n\n{}");
        assert_eq!(
            (e.kind, e.status, e.reason.as_deref()),
            (Kind::HttpResponse, Some(401), Some("Unauthorized"))
        );
        let e = one("HTTP/2 200");
        assert_eq!((e.status, e.reason.as_deref(), e.body.as_ref()), (Some(200), None, None));
        assert_eq!(e.json_error, None);
    }

    #[test]
    fn head_glued_to_body_without_blank_line() {
        let e = one("POST /login\n{\"type\": \"m.login.password\"}");
        assert_eq!(e.kind, Kind::HttpRequest);
        assert_eq!(e.body.as_ref().map(|b| &b["type"]), Some(&serde_json::json!("m.login.password")));
    }

    #[test]
    fn not_http_lookalikes() {
        for text in ["GET", "get /path", "GET path", "HTTP/x 200", "HTTP/1.1 2000", "POST /a HTTP/1.1 extra"]
        {
            assert_eq!(one(text).kind, Kind::Text, "{text}");
        }
    }

    #[test]
    fn bodies_that_are_not_json_by_content_type_are_not_errors() {
        let e =
            one("POST /oauth2/token HTTP/1.1\nContent-Type: application/x-www-form-urlencoded\n\na=b&c=d");
        assert_eq!((e.body, e.json_error), (None, None));
        let e = one("POST /x HTTP/1.1\nContent-Type: application/json\n\n{oops}");
        assert!(e.json_error.is_some_and(|m| m.starts_with("line 6, column 4:")));
    }

    #[test]
    fn fragments_keep_their_key_or_become_an_object() {
        let e = one("\"identifier\": {\n  \"type\": \"m.id.user\",\n  \"user\": \"@a:b\"\n}");
        assert_eq!(e.kind, Kind::JsonFragment);
        assert_eq!(e.fragment_key.as_deref(), Some("identifier"));
        assert_eq!(e.body, Some(serde_json::json!({"type": "m.id.user", "user": "@a:b"})));
        let e = one("\"a\": 1,\n\"b\": 2");
        assert_eq!((e.kind, e.fragment_key), (Kind::JsonFragment, None));
        assert_eq!(e.body, Some(serde_json::json!({"a": 1, "b": 2})));
    }

    #[test]
    fn fragment_errors_point_at_the_file_column() {
        let e = one("\"identifier\": { ... }");
        assert_eq!(e.kind, Kind::Text);
        assert!(
            e.json_error.as_deref().is_some_and(|m| m.starts_with("line 3, column 19:")),
            "{:?}",
            e.json_error
        );
    }

    #[test]
    fn hostile_json_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let e = one(&deep);
        assert_eq!(e.kind, Kind::Text);
        assert!(e.json_error.as_deref().is_some_and(|m| m.contains("recursion limit")), "{:?}", e.json_error);
    }
}
