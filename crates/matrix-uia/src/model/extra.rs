//! [`Extra`]: the keys of a body that the spec does not define, kept.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::OnceLock;

use schemars::SchemaGenerator;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::__private::{ExtraMap, Key, Reader, Source, Writer};
use crate::JsonObject;

/// Keys of a body that the spec does not define, kept as they came and
/// written back: a [`JsonObject`] that costs one pointer and no allocation
/// while empty, which it nearly always is. It derefs to the object, so
/// `extra.get("key")` and `extra.insert(key, value)` work as on a map.
#[derive(Clone, Default)]
pub struct Extra(Option<Box<JsonObject>>);

impl Extra {
    /// No extra keys.
    pub const fn new() -> Self {
        Extra(None)
    }

    /// The keys as a JSON object.
    pub fn into_object(self) -> JsonObject {
        self.0.map(|map| *map).unwrap_or_default()
    }
}

fn empty() -> &'static JsonObject {
    static EMPTY: OnceLock<JsonObject> = OnceLock::new();
    EMPTY.get_or_init(JsonObject::new)
}

impl Deref for Extra {
    type Target = JsonObject;

    fn deref(&self) -> &JsonObject {
        match &self.0 {
            Some(object) => object,
            None => empty(),
        }
    }
}

impl DerefMut for Extra {
    fn deref_mut(&mut self) -> &mut JsonObject {
        self.0.get_or_insert_with(Box::default)
    }
}

impl From<JsonObject> for Extra {
    fn from(object: JsonObject) -> Self {
        if object.is_empty() { Extra(None) } else { Extra(Some(Box::new(object))) }
    }
}

impl From<Extra> for JsonObject {
    fn from(extra: Extra) -> Self {
        extra.into_object()
    }
}

impl FromIterator<(String, Value)> for Extra {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        JsonObject::from_iter(iter).into()
    }
}

/// Equal when the keys and values are, however the empty object is held.
impl PartialEq for Extra {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl fmt::Debug for Extra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl Serialize for Extra {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        JsonObject::deserialize(deserializer).map(Extra::from)
    }
}

impl ExtraMap for Extra {
    fn insert_from<'de, S: Source<'de>>(&mut self, key: Key<'de>, source: &mut S) -> Result<(), S::Error> {
        (**self).insert_from(key, source)
    }

    fn insert_direct<'a>(&mut self, key: &'a str, reader: &mut Reader<'a>) -> Option<()> {
        (**self).insert_direct(key, reader)
    }

    fn serialize_into<M: SerializeMap>(
        &self,
        map: &mut M,
        written: &dyn Fn(&str) -> bool,
    ) -> Result<(), M::Error> {
        match &self.0 {
            Some(object) => object.serialize_into(map, written),
            None => Ok(()),
        }
    }

    fn write_into(&self, writer: &mut Writer, written: &dyn Fn(&str) -> bool) {
        if let Some(object) = &self.0 {
            object.write_into(writer, written);
        }
    }

    fn additional_properties(generator: &mut SchemaGenerator) -> Value {
        JsonObject::additional_properties(generator)
    }
}
