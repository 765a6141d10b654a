//! The reader behind [`Json::from_json`](super::Json::from_json): a strict
//! JSON reader over text that is already known to be UTF-8, which borrows
//! every string and refuses (returns `None`) anything it does not handle
//! itself — an escape in a string, nesting deeper than [`MAX_DEPTH`], a
//! repeated key. A refusal is never an answer: the caller then parses with
//! serde_json, which gives the value or the error with its path.

use super::scan::{plain_run_end, whitespace_end};

/// Deeper input is left to serde_json, whose own limit (128) then applies as
/// if the reader had never seen it: a value handed to serde_json from here is
/// never deeper than this, so serde_json cannot refuse it for depth alone.
pub const MAX_DEPTH: usize = 64;

/// A position in JSON text. Cheap to copy: an enum's reader keeps a copy at
/// each value it passes before `"type"` and reads it once the tag is known.
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        Reader { text, pos: 0, depth: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn skip_whitespace(&mut self) {
        self.pos = whitespace_end(self.bytes(), self.pos);
    }

    /// The next byte that is not whitespace, not consumed.
    #[inline(always)]
    pub fn peek(&mut self) -> Option<u8> {
        // Most bytes looked at here are not whitespace, and most whitespace
        // is the one space after a `:`: no call for either.
        let bytes = self.bytes();
        match bytes.get(self.pos) {
            Some(&b) if b > b' ' => Some(b),
            Some(b' ') if bytes.get(self.pos + 1).is_some_and(|&b| b > b' ') => {
                self.pos += 1;
                bytes.get(self.pos).copied()
            }
            _ => {
                self.skip_whitespace();
                self.bytes().get(self.pos).copied()
            }
        }
    }

    #[inline(always)]
    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    fn enter(&mut self, open: u8) -> Option<()> {
        self.eat(open)?;
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    /// Whether `other` is at the same place in the same text.
    pub fn same_place(&self, other: &Reader<'_>) -> bool {
        self.pos == other.pos && std::ptr::eq(self.text, other.text)
    }

    /// The end of the input: nothing but whitespace is left.
    pub fn end(&mut self) -> Option<()> {
        (self.peek().is_none()).then_some(())
    }

    /// Whether `word` (`true`, `false`, `null`) comes next; consumed if so.
    /// What follows it is the caller's to check, as after any value.
    #[inline]
    pub fn literal(&mut self, word: &str) -> bool {
        self.skip_whitespace();
        // Inlined, `word` is known: the comparison is one load.
        let found = self.bytes().get(self.pos..self.pos + word.len()) == Some(word.as_bytes());
        if found {
            self.pos += word.len();
        }
        found
    }

    /// `null`, consumed; `false` (and nothing consumed) for any other value.
    #[inline]
    pub fn null(&mut self) -> Option<bool> {
        if self.peek()? != b'n' {
            return Some(false);
        }
        self.literal("null").then_some(true)
    }

    /// A string without escapes, borrowed.
    #[inline(always)]
    pub fn str(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.pos;
        let end = plain_run_end(self.bytes(), start)?;
        if self.bytes()[end] != b'"' {
            return None;
        }
        self.pos = end + 1;
        self.text.get(start..end)
    }

    /// Start an object: `{`.
    pub fn object(&mut self) -> Option<()> {
        self.enter(b'{')
    }

    /// The next key of the object, with its `:` consumed; `None` inside when
    /// the object ends. `first` is the caller's: whether no key came yet.
    #[inline(always)]
    pub fn key(&mut self, first: &mut bool) -> Option<Option<&'a str>> {
        match self.peek()? {
            b'}' => {
                self.pos += 1;
                self.depth -= 1;
                return Some(None);
            }
            b',' if !*first => self.pos += 1,
            _ if *first => {}
            _ => return None,
        }
        *first = false;
        let key = self.str()?;
        // The `:` mostly comes right after the key.
        if self.bytes().get(self.pos) == Some(&b':') {
            self.pos += 1;
        } else {
            self.eat(b':')?;
        }
        Some(Some(key))
    }

    /// Start an array: `[`.
    pub fn array(&mut self) -> Option<()> {
        self.enter(b'[')
    }

    /// Whether the array has another element (its `,` consumed); at the
    /// end, the `]` is consumed.
    pub fn element(&mut self, first: &mut bool) -> Option<bool> {
        match self.peek()? {
            b']' => {
                self.pos += 1;
                self.depth -= 1;
                Some(false)
            }
            b',' if !*first => {
                self.pos += 1;
                Some(true)
            }
            _ if *first => {
                *first = false;
                Some(true)
            }
            _ => None,
        }
    }

    /// The text of the next value, checked to be JSON as strictly as
    /// serde_json checks it: `None` for anything that is not, and for an
    /// escape or nesting deeper than [`MAX_DEPTH`] (serde_json decides those).
    /// Repeated keys are allowed, as in any raw value.
    pub fn checked(&mut self) -> Option<&'a str> {
        let start = {
            self.peek()?;
            self.pos
        };
        let base = self.depth;
        // Per level above `base` (bit `level - 1`): whether it is an object,
        // and whether no member came yet.
        let (mut objects, mut firsts) = (0u64, 0u64);
        loop {
            match self.peek()? {
                open @ (b'{' | b'[') => {
                    self.enter(open)?;
                    let bit = 1u64 << (self.depth - base - 1);
                    firsts |= bit;
                    if open == b'{' {
                        objects |= bit;
                    } else {
                        objects &= !bit;
                    }
                }
                b'"' => {
                    self.str()?;
                }
                b't' => self.literal("true").then_some(())?,
                b'f' => self.literal("false").then_some(())?,
                b'n' => self.literal("null").then_some(())?,
                _ => {
                    self.number()?;
                }
            }
            // On to the next value: past every container that ends here.
            loop {
                let level = self.depth - base;
                if level == 0 {
                    return self.text.get(start..self.pos);
                }
                let bit = 1u64 << (level - 1);
                let mut first = firsts & bit != 0;
                let more = if objects & bit != 0 {
                    self.key(&mut first)?.is_some()
                } else {
                    self.element(&mut first)?
                };
                firsts &= !bit;
                if more {
                    break;
                }
            }
        }
    }

    /// A number, by JSON's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`,
    /// at the reader's position; its text.
    pub fn number(&mut self) -> Option<&'a str> {
        let bytes = self.bytes();
        let digits = |mut i: usize| {
            let from = i;
            while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            (i > from).then_some(i)
        };
        let mut i = self.pos + usize::from(bytes.get(self.pos) == Some(&b'-'));
        i = match bytes.get(i)? {
            b'0' => i + 1,
            b'1'..=b'9' => digits(i)?,
            _ => return None,
        };
        if bytes.get(i) == Some(&b'.') {
            i = digits(i + 1)?;
        }
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            i += 1;
            i += usize::from(matches!(bytes.get(i), Some(b'+' | b'-')));
            i = digits(i)?;
        }
        let start = std::mem::replace(&mut self.pos, i);
        self.text.get(start..i)
    }

    /// The text of the next value, whatever it is, for serde_json to read.
    /// Only its end is found here (exactly, for valid JSON); serde_json, or
    /// the typed reader that reads it again, checks the rest.
    pub fn raw(&mut self) -> Option<&'a str> {
        let first = self.peek()?;
        let bytes = self.bytes();
        let start = self.pos;
        let end = match first {
            b'"' => string_end(bytes, start + 1)?,
            b'{' | b'[' => {
                let mut i = start + 1;
                let mut nesting = 1usize;
                while nesting > 0 {
                    let b = *bytes.get(i)?;
                    i += 1;
                    match b {
                        b'"' => i = string_end(bytes, i)?,
                        b'{' | b'[' => {
                            nesting += 1;
                            if self.depth + nesting > MAX_DEPTH {
                                return None;
                            }
                        }
                        b'}' | b']' => nesting -= 1,
                        b' ' => i = whitespace_end(bytes, i),
                        // Other bytes are passed one by one: the reader that
                        // reads this text again checks them.
                        _ => {}
                    }
                }
                i
            }
            // A number or literal alone: it runs to a delimiter.
            _ => bytes[start..]
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'))
                .map_or(bytes.len(), |at| start + at),
        };
        if end == start {
            return None;
        }
        self.pos = end;
        self.text.get(start..end)
    }
}

/// The index after the closing `"` of the string whose text starts at
/// `from`, passing escapes; `None` for a control character or no end.
fn string_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        let at = plain_run_end(bytes, i)?;
        match bytes[at] {
            b'"' => return Some(at + 1),
            b'\\' => i = at + 2,
            // A control character in a string: serde_json's error.
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw_values(text: &str) -> Vec<&str> {
        let mut reader = Reader::new(text);
        reader.array().unwrap();
        let mut first = true;
        let mut out = Vec::new();
        while reader.element(&mut first).unwrap() {
            out.push(reader.raw().unwrap());
        }
        reader.end().unwrap();
        out
    }

    #[test]
    fn raw_finds_the_end_of_every_kind_of_value() {
        let values = raw_values(r#"[1, -2.5e3,"a\"]}",  {"k": [1, {"x": "}"}]}, [], true, null ]"#);
        assert_eq!(values, ["1", "-2.5e3", r#""a\"]}""#, r#"{"k": [1, {"x": "}"}]}"#, "[]", "true", "null"]);
    }

    #[test]
    fn refuses_what_serde_json_must_decide() {
        assert!(Reader::new(r#""a\nb""#).str().is_none(), "escapes are serde_json's");
        assert!(Reader::new("\"a\u{1}b\"").str().is_none(), "control characters are errors");
        assert!(Reader::new(r#""open"#).str().is_none());
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(Reader::new(&deep).raw().is_none(), "too deep for the reader");
        let fine = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(Reader::new(&fine).raw(), Some(fine.as_str()));
    }

    #[test]
    fn checked_takes_what_serde_json_takes() {
        let good = [
            r#"{"a": [1, -0, 2.5, -1e3, 1E+2, 0.5e-1, true, false, null, "s", {}, []], "a": {"b": {"c": [[]]}}}"#,
            "[]",
            " 0 ",
            r#""x""#,
        ];
        for text in good {
            let mut reader = Reader::new(text);
            assert_eq!(reader.checked(), Some(text.trim()), "{text}");
            assert!(serde_json::from_str::<Box<serde_json::value::RawValue>>(text).is_ok());
        }
        let bad = [
            "01",
            "1.",
            ".5",
            "1e",
            "1e+",
            "-",
            "+1",
            "--1",
            "tru",
            "nul",
            "[1,]",
            "[1 2]",
            r#"{"a" 1}"#,
            r#"{"a":}"#,
            r#"{,}"#,
            r#"{"a":1,}"#,
            "[",
            "{",
            r#"{"a":1]"#,
            "[1}",
            "\"\u{1}\"",
            "NaN",
        ];
        for text in bad {
            // Alone, as serde_json reads it: nothing may follow the value.
            let mut reader = Reader::new(text);
            assert!(reader.checked().and_then(|_| reader.end()).is_none(), "{text}");
            let inside = format!("[{text}]");
            assert!(Reader::new(&inside).checked().is_none(), "{inside}");
            assert!(serde_json::from_str::<Box<serde_json::value::RawValue>>(text).is_err(), "{text}");
        }
        // Left to serde_json: an escape, and nesting beyond the reader's limit.
        assert!(Reader::new(r#"["\n"]"#).checked().is_none());
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(Reader::new(&deep).checked().is_none());
        let fine = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(Reader::new(&fine).checked(), Some(fine.as_str()));
        // A value ends where it ends: what follows is the caller's.
        let mut reader = Reader::new(r#"{"a": 1} , 2"#);
        assert_eq!(reader.checked(), Some(r#"{"a": 1}"#));
    }

    #[test]
    fn objects_need_commas_and_no_trailing_one() {
        let keys = |text: &str| -> Option<Vec<String>> {
            let mut reader = Reader::new(text);
            reader.object()?;
            let mut first = true;
            let mut keys = Vec::new();
            while let Some(key) = reader.key(&mut first)? {
                keys.push(key.to_owned());
                reader.raw()?;
            }
            reader.end()?;
            Some(keys)
        };
        assert_eq!(keys(r#" { "a" : 1 , "b":{} } "#), Some(vec!["a".to_owned(), "b".to_owned()]));
        assert_eq!(keys("{}"), Some(vec![]));
        assert_eq!(keys(r#"{"a":1,}"#), None);
        assert_eq!(keys(r#"{"a":1 "b":2}"#), None);
        assert_eq!(keys(r#"{,"a":1}"#), None);
        assert_eq!(keys(r#"{"a":1} x"#), None);
    }
}
