//! [`Extra`]: the keys of a body that the spec does not define, kept.

use std::fmt;

use schemars::SchemaGenerator;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::__private::{ExtraMap, Key, Reader, Source, Writer, duplicate, serialize_entries, write_entries};
use crate::JsonObject;
use crate::json::Json;

/// Up to this many keys are kept in a list and found by comparing them;
/// more go to a map and are found by hashing, so that a body with many
/// unknown keys still costs linear time.
const LIST_MAX: usize = 16;

/// Keys of a body that the spec does not define, kept in the order they came
/// and written back. Most bodies have none, and then it costs one pointer
/// and no allocation; a few keys cost one list and no hashing.
#[derive(Clone, Default)]
pub struct Extra(Option<Box<Keys>>);

#[derive(Clone)]
enum Keys {
    List(Vec<(String, Value)>),
    Map(JsonObject),
}

impl Extra {
    /// No keys.
    pub const fn new() -> Self {
        Extra(None)
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        match self.0.as_deref() {
            None => 0,
            Some(Keys::List(list)) => list.len(),
            Some(Keys::Map(map)) => map.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self.0.as_deref()? {
            Keys::List(list) => list.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            Keys::Map(map) => map.get(key),
        }
    }

    /// Whether `key` is there.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Set `key` to `value`: a new key goes last, a key already there keeps
    /// its place, and its old value is returned.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        let keys = self.0.get_or_insert_with(|| Box::new(Keys::List(Vec::with_capacity(4))));
        match &mut **keys {
            Keys::List(list) => {
                if let Some((_, old)) = list.iter_mut().find(|(k, _)| *k == key) {
                    return Some(std::mem::replace(old, value));
                }
                if list.len() < LIST_MAX {
                    list.push((key, value));
                    return None;
                }
                let mut map: JsonObject = list.drain(..).collect();
                map.insert(key, value);
                **keys = Keys::Map(map);
                None
            }
            Keys::Map(map) => map.insert(key, value),
        }
    }

    /// Take `key` out; the others keep their order.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        match self.0.as_deref_mut()? {
            Keys::List(list) => {
                let at = list.iter().position(|(k, _)| k == key)?;
                Some(list.remove(at).1)
            }
            Keys::Map(map) => map.shift_remove(key),
        }
    }

    /// The keys and values, in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter(match self.0.as_deref() {
            None => IterInner::List([].iter()),
            Some(Keys::List(list)) => IterInner::List(list.iter()),
            Some(Keys::Map(map)) => IterInner::Map(map.iter()),
        })
    }

    /// The keys as a JSON object.
    pub fn into_object(self) -> JsonObject {
        match self.0.map(|keys| *keys) {
            None => JsonObject::new(),
            Some(Keys::List(list)) => list.into_iter().collect(),
            Some(Keys::Map(map)) => map,
        }
    }
}

/// The value of a key, or `null` when it is not there (as when indexing a
/// `serde_json::Value`).
impl std::ops::Index<&str> for Extra {
    type Output = Value;

    fn index(&self, key: &str) -> &Value {
        static NULL: Value = Value::Null;
        self.get(key).unwrap_or(&NULL)
    }
}

/// The keys and values of an [`Extra`], in order.
pub struct Iter<'a>(IterInner<'a>);

enum IterInner<'a> {
    List(std::slice::Iter<'a, (String, Value)>),
    Map(serde_json::map::Iter<'a>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a String, &'a Value);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IterInner::List(list) => list.next().map(|(k, v)| (k, v)),
            IterInner::Map(map) => map.next(),
        }
    }
}

impl<'a> IntoIterator for &'a Extra {
    type Item = (&'a String, &'a Value);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl FromIterator<(String, Value)> for Extra {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        let mut extra = Extra::new();
        for (key, value) in iter {
            extra.insert(key, value);
        }
        extra
    }
}

impl From<JsonObject> for Extra {
    fn from(object: JsonObject) -> Self {
        object.into_iter().collect()
    }
}

impl From<Extra> for JsonObject {
    fn from(extra: Extra) -> Self {
        extra.into_object()
    }
}

/// Equal when the keys and values are, in whatever order.
impl PartialEq for Extra {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl fmt::Debug for Extra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Extra {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        JsonObject::deserialize(deserializer).map(Extra::from)
    }
}

impl ExtraMap for Extra {
    fn insert_from<'de, S: Source<'de>>(&mut self, key: Key<'de>, source: &mut S) -> Result<(), S::Error> {
        if self.contains_key(&key) {
            return Err(duplicate(&key));
        }
        self.insert(key.into_owned(), source.value()?);
        Ok(())
    }

    fn insert_direct<'a>(&mut self, key: &'a str, reader: &mut Reader<'a>) -> Option<()> {
        if self.contains_key(key) {
            return None;
        }
        self.insert(key.to_owned(), Value::read_json(reader)?);
        Some(())
    }

    fn serialize_into<M: SerializeMap>(
        &self,
        map: &mut M,
        written: &dyn Fn(&str) -> bool,
    ) -> Result<(), M::Error> {
        serialize_entries(self.iter(), map, written)
    }

    fn write_into(&self, writer: &mut Writer, written: &dyn Fn(&str) -> bool) {
        write_entries(self.iter(), writer, written);
    }

    fn additional_properties(generator: &mut SchemaGenerator) -> Value {
        JsonObject::additional_properties(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_turns_into_a_map_and_keeps_order_and_values() {
        let mut extra = Extra::new();
        assert!(extra.is_empty() && extra.get("x").is_none());
        let keys: Vec<String> = (0..40).map(|n| format!("k{n}")).collect();
        for (n, key) in keys.iter().enumerate() {
            assert_eq!(extra.insert(key.clone(), Value::from(n)), None);
        }
        assert_eq!(extra.insert("k3".to_owned(), Value::from("again")), Some(Value::from(3)));
        assert_eq!(extra.len(), 40);
        assert_eq!(extra.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(), keys);
        assert_eq!(extra.get("k3"), Some(&Value::from("again")));
        assert_eq!(extra.remove("k0"), Some(Value::from(0)));
        assert_eq!(extra.iter().next().map(|(k, _)| k.as_str()), Some("k1"));

        let few: Extra =
            [("b".to_owned(), Value::from(1)), ("a".to_owned(), Value::from(2))].into_iter().collect();
        let reordered: Extra =
            [("a".to_owned(), Value::from(2)), ("b".to_owned(), Value::from(1))].into_iter().collect();
        assert_eq!(few, reordered, "order does not matter to equality");
        assert_eq!(serde_json::to_string(&few).unwrap(), r#"{"b":1,"a":2}"#, "but it is kept");
        assert_eq!(Extra::from(few.clone().into_object()), few);
    }
}
