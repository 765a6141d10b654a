//! Why a file could not be read as spec text.

use std::fmt;
use std::path::Path;

/// A file that is not spec text, and where that shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// 1-based line of the offending byte.
    pub line: usize,
    /// 1-based column (in characters) of the offending byte.
    pub column: usize,
    /// What is wrong there.
    pub problem: Problem,
}

/// What makes a file unreadable as spec text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// A byte sequence that is not UTF-8.
    NotUtf8,
    /// A NUL byte: the file is binary.
    Binary,
}

impl Error {
    /// The error at byte `offset` of `text` (which is valid up to there).
    pub(crate) fn at(text: &str, offset: usize, problem: Problem) -> Self {
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Error {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
            problem,
        }
    }

    /// `path:line:column: problem`, the form editors and CI logs link.
    pub fn display_in(&self, path: &Path) -> String {
        format!("{}:{}:{}: {}", path.display(), self.line, self.column, self.problem)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.problem)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Problem::NotUtf8 => {
                "not UTF-8: spec files are UTF-8 text; re-encode the file (e.g. `iconv -t UTF-8`)"
            }
            Problem::Binary => "a NUL byte: this is a binary file, not spec text; pass an .rst or .md file",
        })
    }
}

impl std::error::Error for Error {}
