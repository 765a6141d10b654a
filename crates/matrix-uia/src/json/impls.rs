//! [`Json`] for the std and serde_json types the model is made of.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::Json;
use super::read::Reader;
use super::write::Writer;

impl Json for String {
    fn read_json(reader: &mut Reader<'_>) -> Option<Self> {
        reader.str().map(str::to_owned)
    }

    fn write_json(&self, writer: &mut Writer) {
        writer.str(self);
    }
}

impl Json for bool {
    fn read_json(reader: &mut Reader<'_>) -> Option<Self> {
        match reader.peek()? {
            b't' => reader.literal("true").then_some(true),
            b'f' => reader.literal("false").then_some(false),
            _ => None,
        }
    }

    fn write_json(&self, writer: &mut Writer) {
        writer.raw(if *self { "true" } else { "false" });
    }
}

impl Json for u64 {
    fn read_json(reader: &mut Reader<'_>) -> Option<Self> {
        match Scalar::read(reader)? {
            Scalar::Int(n, _) => n.as_u64(),
            _ => None,
        }
    }

    fn write_json(&self, writer: &mut Writer) {
        writer.serde(self);
    }
}

impl<T: Json> Json for Option<T> {
    fn read_json(reader: &mut Reader<'_>) -> Option<Self> {
        if reader.null()? { Some(None) } else { T::read_json(reader).map(Some) }
    }

    fn write_json(&self, writer: &mut Writer) {
        match self {
            Some(value) => value.write_json(writer),
            None => writer.raw("null"),
        }
    }
}

impl<T: Json> Json for Vec<T> {
    fn read_json(reader: &mut Reader<'_>) -> Option<Self> {
        reader.array()?;
        // Lists in these bodies are short: one allocation, and none when empty.
        let mut items = if reader.peek()? == b']' { Vec::new() } else { Vec::with_capacity(4) };
        let mut first = true;
        while reader.element(&mut first)? {
            items.push(T::read_json(reader)?);
        }
        Some(items)
    }

    fn write_json(&self, writer: &mut Writer) {
        writer.begin_array();
        for item in self {
            writer.element();
            item.write_json(writer);
        }
        writer.end_array();
    }
}

/// A repeated key is left to serde_json, which keeps the last.
impl<T: Json> Json for BTreeMap<String, T> {
    fn read_json(reader: &mut Reader<'_>) -> Option<Self> {
        reader.object()?;
        let mut map = BTreeMap::new();
        let mut first = true;
        while let Some(key) = reader.key(&mut first)? {
            let value = T::read_json(reader)?;
            if map.insert(key.to_owned(), value).is_some() {
                return None;
            }
        }
        Some(map)
    }

    fn write_json(&self, writer: &mut Writer) {
        writer.begin_object();
        for (key, value) in self {
            writer.key(key);
            value.write_json(writer);
        }
        writer.end_object();
    }
}

/// A scalar the direct reader found, borrowed from the input.
pub(crate) enum Scalar<'a> {
    Str(&'a str),
    Bool(bool),
    Null,
    /// An integer that serde_json writes back as this same text.
    Int(serde_json::Number, &'a str),
    /// Any other number (a fraction, an exponent, `-0`, an integer beyond
    /// 64 bits): serde_json decides what it is.
    OtherNumber(&'a str),
}

impl<'a> Scalar<'a> {
    /// The next value when it is a scalar without an escape, consumed;
    /// `None`, and nothing consumed, for anything else (an object, an array,
    /// an escaped string, text that is not JSON).
    pub(crate) fn read(reader: &mut Reader<'a>) -> Option<Self> {
        let mut probe = *reader;
        let scalar = match probe.peek()? {
            b'"' => Scalar::Str(probe.str()?),
            b't' => probe.literal("true").then_some(Scalar::Bool(true))?,
            b'f' => probe.literal("false").then_some(Scalar::Bool(false))?,
            b'n' => probe.literal("null").then_some(Scalar::Null)?,
            b'{' | b'[' => return None,
            // Checked by JSON's grammar, so an integer is one when it has
            // no fraction or exponent; serde_json reads `-0` as a float.
            _ => {
                let text = probe.number()?;
                let integer = !text.contains(['.', 'e', 'E']) && text != "-0";
                let number: Option<serde_json::Number> = if !integer {
                    None
                } else if text.starts_with('-') {
                    text.parse::<i64>().ok().map(Into::into)
                } else {
                    text.parse::<u64>().ok().map(Into::into)
                };
                match number {
                    Some(n) => Scalar::Int(n, text),
                    None => Scalar::OtherNumber(text),
                }
            }
        };
        *reader = probe;
        Some(scalar)
    }

    /// The text serde_json writes for this scalar when it is the text that
    /// was read, and whether it goes in quotes; `None` when only serde_json
    /// knows it.
    pub(crate) fn text(&self) -> Option<(&'a str, bool)> {
        match *self {
            Scalar::Str(text) => Some((text, true)),
            Scalar::Bool(true) => Some(("true", false)),
            Scalar::Bool(false) => Some(("false", false)),
            Scalar::Null => Some(("null", false)),
            Scalar::Int(_, text) => Some((text, false)),
            Scalar::OtherNumber(_) => None,
        }
    }

    /// The scalar as a `Value`; `None` for text serde_json refuses.
    pub(crate) fn into_value(self) -> Option<Value> {
        Some(match self {
            Scalar::Str(text) => Value::String(text.to_owned()),
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Null => Value::Null,
            Scalar::Int(n, _) => Value::Number(n),
            Scalar::OtherNumber(text) => serde_json::from_str(text).ok()?,
        })
    }
}

impl Json for Value {
    fn read_json(reader: &mut Reader<'_>) -> Option<Self> {
        // Strings, literals and numbers (an `error`, a flag, a
        // `retry_after_ms`) are read here; objects, arrays and escaped
        // strings by serde_json.
        read_value(Scalar::read(reader), reader)
    }

    fn write_json(&self, writer: &mut Writer) {
        writer.serde(self);
    }
}

impl Json for Map<String, Value> {
    fn read_json(reader: &mut Reader<'_>) -> Option<Self> {
        read_with_serde(reader)
    }

    fn write_json(&self, writer: &mut Writer) {
        writer.serde(self);
    }
}

/// The value whose scalar, if it is one, was just read; any other value is
/// next in `reader`, for serde_json.
pub(crate) fn read_value(scalar: Option<Scalar<'_>>, reader: &mut Reader<'_>) -> Option<Value> {
    match scalar {
        Some(scalar) => scalar.into_value(),
        None => read_with_serde(reader),
    }
}

/// The next value, read by serde_json from its text.
pub(crate) fn read_with_serde<T: DeserializeOwned>(reader: &mut Reader<'_>) -> Option<T> {
    serde_json::from_str(reader.raw()?).ok()
}
