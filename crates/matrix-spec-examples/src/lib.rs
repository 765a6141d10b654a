//! Extract the code examples of the [Matrix specification] from its source text.
//!
//! The spec was written in reStructuredText until 2021 and in Markdown (Hugo)
//! since; both publish the same kinds of examples: HTTP exchanges, JSON bodies,
//! JSON members such as `"identifier": {…}`, and diagrams. [`extract`] finds
//! every code block of either format and classifies it as an [`Example`], with
//! the section it stands in, its line, and a stable [`Example::id`].
//!
//! This crate knows nothing of what the examples mean: binding them to types
//! is the job of `matrix-uia`.
//!
//! ```
//! use matrix_spec_examples::{extract, Format, Kind};
//!
//! let rst = "\
//! Errors
//! ======
//!
//! .. code:: json
//!
//!   {\"errcode\": \"M_FORBIDDEN\", \"error\": \"Invalid password\"}
//! ";
//! let examples = extract(rst, Format::Rst)?;
//! assert_eq!(examples[0].id, "errors/1");
//! assert_eq!(examples[0].line, 6);
//! assert_eq!(examples[0].kind, Kind::Json);
//! assert_eq!(examples[0].body.as_ref().unwrap()["errcode"], "M_FORBIDDEN");
//! # Ok::<(), matrix_spec_examples::Error>(())
//! ```
//!
//! [Matrix specification]: https://spec.matrix.org/

mod block;
mod classify;
mod error;
mod example;
mod ids;
mod markdown;
mod rst;

use std::borrow::Cow;
use std::path::Path;

pub use error::{Error, Problem};
pub use example::{Example, Kind};

/// The source format of a spec file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// reStructuredText, as the spec was written until 2021 (`.rst`).
    Rst,
    /// CommonMark with Hugo shortcodes, as the spec is written since (`.md`).
    Markdown,
}

impl Format {
    /// The format a file's extension names: `.rst`, or `.md`/`.markdown`.
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "rst" | "rest" => Some(Format::Rst),
            "md" | "markdown" => Some(Format::Markdown),
            _ => None,
        }
    }
}

/// How many leading bytes are searched for a NUL, as git does to call a file binary.
const BINARY_PROBE: usize = 8000;

/// Every code block of `text`, in document order.
///
/// Fails only on text that is not a spec at all: a NUL byte in the first
/// 8000 bytes, which is how git tells a binary file.
/// Blocks that are not valid JSON, directives with no body and unknown markup
/// are kept or skipped as a reader of the rendered spec would see them.
pub fn extract(text: &str, format: Format) -> Result<Vec<Example>, Error> {
    // git's test for a binary file: a NUL among the first 8000 bytes. A NUL
    // further on is kept as text (pulldown-cmark makes it U+FFFD), not scanned for.
    let head = &text.as_bytes()[..text.len().min(BINARY_PROBE)];
    if let Some(offset) = head.iter().position(|&b| b == 0) {
        return Err(Error::at(text, offset, Problem::Binary));
    }
    let text = normalize_newlines(text);
    let blocks = match format {
        Format::Rst => rst::scan(&text),
        Format::Markdown => markdown::scan(&text),
    };
    let ids = ids::assign(blocks.iter().map(|b| &*b.section));
    Ok(blocks.into_iter().zip(ids).map(|(block, id)| Example { id, ..classify::classify(block) }).collect())
}

/// [`extract`] for raw file contents: fails with the position of the first
/// byte that is not UTF-8.
pub fn extract_bytes(bytes: &[u8], format: Format) -> Result<Vec<Example>, Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) => extract(text, format),
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            Err(Error::at(valid, valid.len(), Problem::NotUtf8))
        }
    }
}

/// CRLF and lone CR become LF, so both scanners see one kind of line end and
/// line numbers stay those of the file.
fn normalize_newlines(text: &str) -> Cow<'_, str> {
    if !text.contains('\r') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// The pulldown-cmark options Markdown extraction parses with, so that a
/// benchmark can compare against a bare parse of the same text.
pub fn markdown_options() -> pulldown_cmark::Options {
    markdown::parser_options()
}
