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
        let mut items = Vec::new();
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
        // A string (an `errcode`, an `error`) is the common case: no detour.
        let mut string = *reader;
        if let Some(text) = string.str() {
            *reader = string;
            return Some(Value::String(text.to_owned()));
        }
        read_with_serde(reader)
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
