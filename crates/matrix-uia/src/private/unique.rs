//! One duplicate-key policy for every JSON object the model reads: a key
//! that repeats is refused, at any depth. serde_json keeps the last of a
//! repeated key in a `Value` or a map; two readers of one body (a proxy and
//! a homeserver, a client and its logs) must never see different values
//! because one kept the first and the other the last.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, MapAccess, SeqAccess};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::source::Key;

/// The error for a key that repeats.
pub fn duplicate<E: de::Error>(key: &str) -> E {
    E::custom(format_args!("duplicate field `{key}`"))
}

/// A JSON value in which no object repeats a key.
pub struct UniqueValue(pub Value);

impl<'de> Deserialize<'de> for UniqueValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UniqueVisitor).map(UniqueValue)
    }
}

struct UniqueVisitor;

impl<'de> de::Visitor<'de> for UniqueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // serde_json reads no NaN or infinity, so this is always a number.
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(UniqueValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            insert_unique(&mut object, key, || map.next_value::<UniqueValue>().map(|v| v.0))?;
        }
        Ok(Value::Object(object))
    }
}

/// Put `key` in `object` with the value `read` gives, or refuse it when it
/// is there already. One hash and one probe: the entry is both the check
/// and the slot.
pub fn insert_unique<E: de::Error>(
    object: &mut Map<String, Value>,
    key: Key<'_>,
    read: impl FnOnce() -> Result<Value, E>,
) -> Result<(), E> {
    match object.entry(key.into_owned()) {
        serde_json::map::Entry::Occupied(entry) => Err(duplicate(entry.key())),
        serde_json::map::Entry::Vacant(entry) => {
            entry.insert(read()?);
            Ok(())
        }
    }
}

/// Check `text` as [`UniqueValue`] reads it, without keeping anything: for
/// JSON kept as text (`params`), which is checked once when it is read.
pub fn check_unique(text: &str) -> Result<(), serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    Checked::deserialize(&mut deserializer)?;
    deserializer.end()
}

/// A value walked for repeated keys and decoded strings, then dropped.
struct Checked;

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CheckVisitor)
    }
}

struct CheckVisitor;

/// Up to this many keys of an object are compared one by one, kept on the
/// stack; more go to a hash set, so that an object with many keys still
/// costs linear time.
const LIST_MAX: usize = 8;

impl<'de> de::Visitor<'de> for CheckVisitor {
    type Value = Checked;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Checked, E> {
        Ok(Checked)
    }
    // serde_json decodes a string before handing it over: a lone surrogate
    // escape fails there.
    fn visit_str<E>(self, _: &str) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(Checked)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
        let mut few: [Option<Cow<'de, str>>; LIST_MAX] = Default::default();
        let mut count = 0;
        let mut many: Option<HashSet<Cow<'de, str>>> = None;
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let key = key.into_cow();
            if let Some(many) = &mut many {
                if many.contains(&key) {
                    return Err(duplicate(&key));
                }
                many.insert(key);
            } else if few[..count].iter().flatten().any(|k| *k == key) {
                return Err(duplicate(&key));
            } else if count < LIST_MAX {
                few[count] = Some(key);
                count += 1;
            } else {
                let mut set: HashSet<Cow<'de, str>> = few.iter_mut().filter_map(Option::take).collect();
                set.insert(key);
                many = Some(set);
            }
            map.next_value::<Checked>()?;
        }
        Ok(Checked)
    }
}

/// A map field typed by the spec (`policies`), read with the same policy:
/// the derive reads a `BTreeMap<String, V>` field through this.
pub struct UniqueMap<V>(pub BTreeMap<String, V>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for UniqueMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> de::Visitor<'de> for Visitor<V> {
            type Value = BTreeMap<String, V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    match out.entry(key.into_owned()) {
                        std::collections::btree_map::Entry::Occupied(entry) => {
                            return Err(duplicate(entry.key()));
                        }
                        std::collections::btree_map::Entry::Vacant(entry) => {
                            entry.insert(map.next_value()?);
                        }
                    }
                }
                Ok(out)
            }
        }

        deserializer.deserialize_map(Visitor(PhantomData)).map(UniqueMap)
    }
}

/// A JSON object whose keys, at every depth, are all different: an
/// endpoint's request body, whose `auth` dict two parsers must agree on.
pub fn deserialize_unique_object<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Map<String, Value>, D::Error> {
    match UniqueValue::deserialize(deserializer)?.0 {
        Value::Object(object) => Ok(object),
        other => Err(de::Error::invalid_type(unexpected(&other), &"a JSON object")),
    }
}

fn unexpected(value: &Value) -> de::Unexpected<'_> {
    match value {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(_) => de::Unexpected::Other("a number"),
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    }
}
