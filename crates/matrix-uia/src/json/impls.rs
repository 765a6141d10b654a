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

impl Json for Value {
    fn read_json(reader: &mut Reader<'_>) -> Option<Self> {
        // Strings, literals and numbers (an `error`, a flag, a
        // `retry_after_ms`) are read here; objects, arrays and escaped
        // strings by serde_json.
        let mut probe = *reader;
        let scalar = match probe.peek()? {
            b'"' => probe.str().map(|text| Value::String(text.to_owned())),
            b't' => probe.literal("true").then_some(Value::Bool(true)),
            b'f' => probe.literal("false").then_some(Value::Bool(false)),
            b'n' => probe.literal("null").then_some(Value::Null),
            b'{' | b'[' => None,
            // A number, found once: up to 18 digits always fits a u64 (a
            // leading zero is an error); any other goes to serde_json.
            _ => {
                let text = probe.raw()?;
                let plain = (1..=18).contains(&text.len())
                    && text.bytes().all(|b| b.is_ascii_digit())
                    && (text == "0" || !text.starts_with('0'));
                match text.parse::<u64>() {
                    Ok(n) if plain => Some(Value::from(n)),
                    _ => Some(serde_json::from_str(text).ok()?),
                }
            }
        };
        match scalar {
            Some(value) => {
                *reader = probe;
                Some(value)
            }
            None => read_with_serde(reader),
        }
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

/// The next value, read by serde_json from its text.
pub(crate) fn read_with_serde<T: DeserializeOwned>(reader: &mut Reader<'_>) -> Option<T> {
    serde_json::from_str(reader.raw()?).ok()
}
