//! The writer behind [`Json::to_json`](super::Json::to_json): compact JSON,
//! byte for byte what `serde_json::to_vec` writes for the same value, with
//! the keys of a struct written as literals the derive escaped at compile
//! time, and strings escaped a word at a time.

use super::scan::special_bytes;

/// Compact JSON being written.
pub struct Writer {
    out: Vec<u8>,
    /// Whether the object or array being written has no entry yet.
    first: bool,
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Writer { out: Vec::with_capacity(256), first: true }
    }

    /// The JSON written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }

    fn separate(&mut self) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
    }

    /// `{`.
    pub fn begin_object(&mut self) {
        self.out.push(b'{');
        self.first = true;
    }

    /// `}`.
    pub fn end_object(&mut self) {
        self.out.push(b'}');
        self.first = false;
    }

    /// `[`.
    pub fn begin_array(&mut self) {
        self.out.push(b'[');
        self.first = true;
    }

    /// `]`.
    pub fn end_array(&mut self) {
        self.out.push(b']');
        self.first = false;
    }

    /// Before an array's element.
    pub fn element(&mut self) {
        self.separate();
    }

    /// A key the derive wrote out already escaped, with its quotes and `:`.
    pub fn literal_key(&mut self, literal: &str) {
        self.separate();
        self.out.extend_from_slice(literal.as_bytes());
    }

    /// Any key.
    pub fn key(&mut self, key: &str) {
        self.separate();
        self.str(key);
        self.out.push(b':');
    }

    /// JSON text written as it is (a raw value).
    pub fn raw(&mut self, text: &str) {
        self.out.extend_from_slice(text.as_bytes());
    }

    /// A value through serde_json's own writer.
    pub fn serde<T: serde::Serialize + ?Sized>(&mut self, value: &T) {
        // Writing to a Vec only fails for a map with keys that are not
        // strings, which no type of this crate has; the text is then cut
        // where serde_json stopped, as `serde_json::to_vec` would have failed.
        let _ = serde_json::to_writer(&mut self.out, value);
    }

    /// A string, escaped as serde_json escapes it.
    pub fn str(&mut self, value: &str) {
        self.utf8_str(value.as_bytes());
    }

    /// [`Writer::str`] for the bytes of a string, known to be UTF-8 by
    /// whoever keeps them (they were copied from a `&str`): no need to
    /// check them again to write them.
    pub(crate) fn utf8_str(&mut self, bytes: &[u8]) {
        self.out.push(b'"');
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            // Eight bytes at a time while none of them needs an escape.
            if let Some(chunk) = bytes.get(i..i + 8) {
                let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
                if special_bytes(word) == 0 {
                    i += 8;
                    continue;
                }
            }
            let b = bytes[i];
            let escape = match b {
                b'"' => b"\\\"".as_slice(),
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0..0x20 => {
                    self.out.extend_from_slice(&bytes[start..i]);
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    self.out.extend_from_slice(b"\\u00");
                    self.out.extend_from_slice(&[HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]]);
                    i += 1;
                    start = i;
                    continue;
                }
                _ => {
                    i += 1;
                    continue;
                }
            };
            self.out.extend_from_slice(&bytes[start..i]);
            self.out.extend_from_slice(escape);
            i += 1;
            start = i;
        }
        self.out.extend_from_slice(&bytes[start..]);
        self.out.push(b'"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut samples: Vec<String> = (0u8..0x80).map(|b| format!("ab{}cdefghijkl", b as char)).collect();
        samples.extend(
            ["", "\"", "\\", "plain ascii text longer than a word", "é, ü, 日本, 🙂 and \u{7f}"]
                .map(String::from),
        );
        samples.push((0u8..0x80).map(char::from).collect());
        for sample in samples {
            let mut writer = Writer::new();
            writer.str(&sample);
            assert_eq!(writer.into_bytes(), serde_json::to_vec(&sample).unwrap(), "{sample:?}");
        }
    }

    #[test]
    fn separators_follow_nesting() {
        let mut writer = Writer::new();
        writer.begin_object();
        writer.literal_key("\"a\":");
        writer.begin_array();
        for n in ["1", "2"] {
            writer.element();
            writer.raw(n);
        }
        writer.element();
        writer.begin_object();
        writer.end_object();
        writer.end_array();
        writer.key("b\"");
        writer.serde(&serde_json::json!({"x": [true, null]}));
        writer.end_object();
        assert_eq!(
            String::from_utf8(writer.into_bytes()).unwrap(),
            r#"{"a":[1,2,{}],"b\"":{"x":[true,null]}}"#
        );
    }
}
