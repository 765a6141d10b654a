//! [`Extra`]: the keys of a body that the spec does not define, kept.

use std::fmt;
use std::sync::OnceLock;

use schemars::SchemaGenerator;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::__private::{ExtraMap, Key, Reader, Source, Writer, duplicate, serialize_entries, write_entries};
use crate::JsonObject;
use crate::json::impls::{Scalar, read_value};

/// Up to this many keys are kept in a list and found by comparing them;
/// more go to a map and are found by hashing, so that a body with many
/// unknown keys still costs linear time.
const LIST_MAX: usize = 16;

/// Keys of a body that the spec does not define, kept in the order they came
/// and written back. Most bodies have none, and then it costs no allocation.
///
/// Keys read by [`Json::from_json`](crate::Json::from_json) whose values
/// are strings, literals or integers are kept as the compact JSON text that
/// serde_json would write for them, in one allocation, and written back as
/// that text; they become values when first asked for. Any other keys, and
/// keys set by hand, are values from the start (a few in a list, and no
/// hashing; many in a map).
#[derive(Clone, Default)]
pub struct Extra(Option<Box<Repr>>);

#[derive(Clone)]
enum Repr {
    /// The keys as values.
    Values(Keys),
    /// A compact JSON object of scalars: no escapes, no repeated key, every
    /// value spelled as serde_json spells it. `values` is it parsed, once
    /// asked; `seen` has [`key_bit`] set for each of its keys.
    Text { text: String, values: OnceLock<Keys>, seen: u64 },
}

#[derive(Clone)]
enum Keys {
    List(Vec<(String, Value)>),
    Map(JsonObject),
}

impl Keys {
    fn len(&self) -> usize {
        match self {
            Keys::List(list) => list.len(),
            Keys::Map(map) => map.len(),
        }
    }

    fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Keys::List(list) => list.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            Keys::Map(map) => map.get(key),
        }
    }

    /// The keys of a [`Repr::Text`].
    fn parse(text: &str) -> Keys {
        // The text was written from checked scalars, so serde_json reads it.
        let object: JsonObject = serde_json::from_str(text).unwrap_or_default();
        debug_assert!(!object.is_empty(), "extra text that does not parse: {text}");
        if object.len() <= LIST_MAX { Keys::List(object.into_iter().collect()) } else { Keys::Map(object) }
    }
}

impl Extra {
    /// No keys.
    pub const fn new() -> Self {
        Extra(None)
    }

    fn keys(&self) -> Option<&Keys> {
        match self.0.as_deref()? {
            Repr::Values(keys) => Some(keys),
            Repr::Text { text, values, .. } => Some(values.get_or_init(|| Keys::parse(text))),
        }
    }

    /// The keys as values, to change them.
    fn keys_mut(&mut self) -> &mut Keys {
        let repr = self.0.get_or_insert_with(|| Box::new(Repr::Values(Keys::List(Vec::with_capacity(4)))));
        if let Repr::Text { text, values, .. } = &mut **repr {
            let keys = values.take().unwrap_or_else(|| Keys::parse(text));
            **repr = Repr::Values(keys);
        }
        match &mut **repr {
            Repr::Values(keys) => keys,
            Repr::Text { .. } => unreachable!("turned into values above"),
        }
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.keys().map_or(0, Keys::len)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        match self.0.as_deref() {
            None => true,
            // Text is made with its first key: it is never empty, and need not be parsed to say so.
            Some(Repr::Text { .. }) => false,
            Some(Repr::Values(keys)) => keys.len() == 0,
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.keys()?.get(key)
    }

    /// Whether `key` is there.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Set `key` to `value`: a new key goes last, a key already there keeps
    /// its place, and its old value is returned.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        let keys = self.keys_mut();
        match keys {
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
                *keys = Keys::Map(map);
                None
            }
            Keys::Map(map) => map.insert(key, value),
        }
    }

    /// Take `key` out; the others keep their order.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        if !self.contains_key(key) {
            return None;
        }
        match self.keys_mut() {
            Keys::List(list) => {
                let at = list.iter().position(|(k, _)| k == key)?;
                Some(list.remove(at).1)
            }
            Keys::Map(map) => map.shift_remove(key),
        }
    }

    /// The keys and values, in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter(match self.keys() {
            None => IterInner::List([].iter()),
            Some(Keys::List(list)) => IterInner::List(list.iter()),
            Some(Keys::Map(map)) => IterInner::Map(map.iter()),
        })
    }

    /// The keys as a JSON object.
    pub fn into_object(mut self) -> JsonObject {
        if self.is_empty() {
            return JsonObject::new();
        }
        match std::mem::replace(self.keys_mut(), Keys::List(Vec::new())) {
            Keys::List(list) => list.into_iter().collect(),
            Keys::Map(map) => map,
        }
    }

    /// Keep `key` and the scalar just read as text, when the keys are text
    /// (or there are none yet) and serde_json spells the scalar as it was
    /// read: `Some(false)` when not, `None` when `key` is there already.
    fn push_text(&mut self, key: &str, scalar: &Scalar<'_>) -> Option<bool> {
        let Some((value, quoted)) = scalar.text() else { return Some(false) };
        let repr = self.0.get_or_insert_with(|| {
            // Room for this key and a few more: most bodies have one or two.
            let room = key.len() + value.len() + 64;
            Box::new(Repr::Text { text: String::with_capacity(room), values: OnceLock::new(), seen: 0 })
        });
        let Repr::Text { text, values, seen } = &mut **repr else { return Some(false) };
        // Only a key whose bit is set already may be there: look for it then.
        let bit = key_bit(key);
        if *seen & bit != 0 && TextEntries::new(text).any(|(k, _)| k == key) {
            return None;
        }
        *seen |= bit;
        values.take();
        text.pop();
        text.push_str(if text.is_empty() { "{\"" } else { ",\"" });
        text.push_str(key);
        text.push_str("\":");
        if quoted {
            text.push('"');
            text.push_str(value);
            text.push('"');
        } else {
            text.push_str(value);
        }
        text.push('}');
        Some(true)
    }
}

/// One bit of 64 for `key`, from its length and ends: keys that differ
/// there (most do) never need comparing.
fn key_bit(key: &str) -> u64 {
    let bytes = key.as_bytes();
    let (first, last) = (bytes.first().copied().unwrap_or(0), bytes.last().copied().unwrap_or(0));
    1 << ((bytes.len() ^ usize::from(first) ^ (usize::from(last) << 2)) & 63)
}

/// The keys and values of a [`Repr::Text`], as text.
struct TextEntries<'a> {
    reader: Reader<'a>,
    first: bool,
}

impl<'a> TextEntries<'a> {
    fn new(text: &'a str) -> Self {
        let mut reader = Reader::new(text);
        let opened = reader.object();
        debug_assert!(opened.is_some(), "extra text that is not an object: {text}");
        TextEntries { reader, first: true }
    }
}

impl<'a> Iterator for TextEntries<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let key = self.reader.key(&mut self.first)??;
        Some((key, self.reader.raw()?))
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
        if let (Some(Repr::Text { text: a, .. }), Some(Repr::Text { text: b, .. })) =
            (self.0.as_deref(), other.0.as_deref())
        {
            if a == b {
                return true;
            }
        }
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
        let scalar = Scalar::read(reader);
        if let Some(scalar) = &scalar {
            if self.push_text(key, scalar)? {
                return Some(());
            }
        }
        if self.contains_key(key) {
            return None;
        }
        self.insert(key.to_owned(), read_value(scalar, reader)?);
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
        match self.0.as_deref() {
            Some(Repr::Text { text, .. }) => write_text(text, writer, written),
            _ => write_entries(self.iter(), writer, written),
        }
    }

    fn additional_properties(generator: &mut SchemaGenerator) -> Value {
        JsonObject::additional_properties(generator)
    }
}

/// The entries of a [`Repr::Text`] as they are, but those the struct writes.
fn write_text(text: &str, writer: &mut Writer, written: &dyn Fn(&str) -> bool) {
    for (key, value) in TextEntries::new(text).filter(|(k, _)| !written(k)) {
        writer.key(key);
        writer.raw(value);
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

    fn read(body: &str) -> Option<(Extra, Vec<u8>)> {
        let mut reader = Reader::new(body);
        let mut extra = Extra::new();
        reader.object()?;
        let mut first = true;
        while let Some(key) = reader.key(&mut first)? {
            extra.insert_direct(key, &mut reader)?;
        }
        reader.end()?;
        let mut writer = Writer::new();
        writer.begin_object();
        extra.write_into(&mut writer, &|_| false);
        writer.end_object();
        Some((extra, writer.into_bytes()))
    }

    fn is_text(extra: &Extra) -> bool {
        matches!(extra.0.as_deref(), Some(Repr::Text { .. }))
    }

    #[test]
    fn scalars_are_kept_as_the_text_serde_json_writes() {
        let body = r#"{ "s": "x, y", "t": true, "f": false, "n": null, "i": 12, "neg": -3, "": "", "big": 18446744073709551615, "low": -9223372036854775808 }"#;
        let (extra, written) = read(body).unwrap();
        assert!(is_text(&extra) && !extra.is_empty(), "kept as text");
        assert!(
            matches!(extra.0.as_deref(), Some(Repr::Text { values, .. }) if values.get().is_none()),
            "not parsed"
        );
        let value: Value = serde_json::from_str(body).unwrap();
        assert_eq!(written, serde_json::to_vec(&value).unwrap(), "written as serde_json writes it");
        assert_eq!(extra.len(), 9);
        assert_eq!(extra["big"].as_u64(), Some(u64::MAX));
        assert_eq!(extra["low"].as_i64(), Some(i64::MIN));
        assert_eq!(extra["s"], "x, y");
        assert_eq!(extra.get("neg"), Some(&Value::from(-3)));
        assert_eq!(extra.get(""), Some(&Value::from("")));
        assert_eq!(
            Extra::from(value.as_object().unwrap().clone()),
            extra,
            "equal to the same keys as values"
        );
    }

    #[test]
    fn other_values_turn_the_text_into_values_and_keep_the_order() {
        for other in [r#"1.5"#, "-0", "1e3", "123456789012345678901234567890", r#"{"a": [1]}"#, "[]"] {
            let body = format!(r#"{{"a": "x", "b": {other}, "c": 1}}"#);
            let (extra, written) = read(&body).unwrap();
            assert!(!is_text(&extra), "{other} is not kept as text");
            let value: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(written, serde_json::to_vec(&value).unwrap(), "{other}");
            assert_eq!(extra.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
        }
    }

    #[test]
    fn a_repeated_key_is_handed_over_whatever_its_bit() {
        assert!(read(r#"{"a": 1, "b": 2, "a": 3}"#).is_none());
        assert!(read(r#"{"info_uri": 1, "x": "", "info_uri": 3}"#).is_none());
        // Different keys with the same bit (same length and ends) are both kept.
        assert_eq!(key_bit("axb"), key_bit("ayb"));
        let (extra, _) = read(r#"{"axb": 1, "ayb": 2}"#).unwrap();
        assert_eq!((extra["axb"].as_u64(), extra["ayb"].as_u64()), (Some(1), Some(2)));
    }

    #[test]
    fn changing_text_keys_changes_their_values() {
        let (mut extra, _) = read(r#"{"a": 1, "b": "two", "c": true}"#).unwrap();
        let copy = extra.clone();
        assert_eq!(extra.remove("zz"), None);
        assert!(is_text(&extra), "nothing to remove, nothing changed");
        assert_eq!(extra.remove("b"), Some(Value::from("two")));
        assert_eq!(extra.insert("d".to_owned(), Value::from(4)), None);
        assert_eq!(extra.insert("a".to_owned(), Value::from(0)), Some(Value::from(1)));
        assert_eq!(serde_json::to_string(&extra).unwrap(), r#"{"a":0,"c":true,"d":4}"#);
        assert_ne!(extra, copy);
        assert_eq!(copy.into_object().keys().collect::<Vec<_>>(), ["a", "b", "c"]);
    }

    #[test]
    fn keys_the_struct_writes_are_left_out_of_the_text() {
        let (extra, _) = read(r#"{"a": 1, "type": "x", "b": 2}"#).unwrap();
        let mut writer = Writer::new();
        writer.begin_object();
        extra.write_into(&mut writer, &|key| key == "type");
        writer.end_object();
        assert_eq!(writer.into_bytes(), br#"{"a":1,"b":2}"#);
    }
}
