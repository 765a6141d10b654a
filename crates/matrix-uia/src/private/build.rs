//! The builders of derived structs and the one-pass dispatch of derived enums.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, MapAccess};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serializer};
use serde_json::{Map, Value};

use super::content::{Content, ContentDeserializer, ContentSource};
use super::source::{Key, MapSource, Source};
use super::unique::{UniqueValue, duplicate, insert_unique};

/// The value at `source` as a `T` when it is an object that parses as one,
/// else as the `Value` it is: for maps whose values are typed by the spec
/// but may hold a server's own additions, kept rather than refused.
pub fn typed_or_value<'de, T: Fields, S: Source<'de>>(source: &mut S) -> Result<Result<T, Value>, S::Error> {
    source.value::<TypedOrValue<T>>().map(|v| v.0)
}

struct TypedOrValue<T>(Result<T, Value>);

impl<'de, T: Fields> Deserialize<'de> for TypedOrValue<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<T>(PhantomData<T>);

        fn kept<T, E>(value: impl Into<Value>) -> Result<TypedOrValue<T>, E> {
            Ok(TypedOrValue(Err(value.into())))
        }

        impl<'de, T: Fields> de::Visitor<'de> for Visitor<T> {
            type Value = TypedOrValue<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }

            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                kept(Value::Null)
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                kept(Value::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
                kept(v)
            }
            fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
                kept(v)
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                kept(v)
            }
            fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
                kept(v)
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                kept(v)
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                kept(v)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                kept(UniqueValue::deserialize(de::value::SeqAccessDeserializer::new(seq))?.0)
            }

            /// Stream the object into `T`'s builder, journaling each entry as
            /// it came (strings stay borrowed, so a scalar's copy is free);
            /// when `T` refuses it, the journal becomes the kept `Value`.
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut builder = T::Builder::default();
                let mut fits = true;
                let mut journal = Vec::new();
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    let content: Content<'de> = map.next_value()?;
                    if fits {
                        let mut source = ContentSource::<A::Error>::new(content.clone());
                        fits = builder.accept(key.clone(), &mut source).is_ok();
                    }
                    journal.push((key, content));
                }
                if fits && let Ok(typed) = builder.finish::<A::Error>() {
                    return Ok(TypedOrValue(Ok(typed)));
                }
                kept(UniqueValue::deserialize(ContentDeserializer::<A::Error>::new(Content::Map(journal)))?.0)
            }
        }

        deserializer.deserialize_any(Visitor(PhantomData))
    }
}

/// A struct the derive built: its keys and its builder.
pub trait Fields: Sized {
    /// Keys that must be present (`"type"` included, for a tagged struct).
    const REQUIRED: &'static [&'static str];
    type Builder<'de>: Builder<'de, Self>;

    /// `key` as the struct's own (or a flattened struct's) `'static` name of
    /// it, when it is one: a buffered flattened key then costs no copy.
    fn known_key(key: &str) -> Option<&'static str>;

    /// Whether `key` is one of the struct's own (or flattened) keys.
    fn is_known(key: &str) -> bool {
        Self::known_key(key).is_some()
    }

    /// Write the tag, the fields that are present and, when `with_extra`, the
    /// extra keys. A struct flattened into another is written without its
    /// extra keys: beside the parent's, they belong to the parent (that is
    /// where parsing puts them), and writing both could repeat a key.
    fn serialize_fields<M: SerializeMap>(&self, map: &mut M, with_extra: bool) -> Result<(), M::Error>;

    /// Whether the struct writes `key` itself (its own keys, and a
    /// flattened group's when present), so that `extra` must not.
    fn writes_key(&self, key: &str) -> bool;

    /// The value of its `"type"`: the tag it is declared with, or the field
    /// that keeps an unknown type (`CustomAuthData::auth_type`).
    fn type_tag(&self) -> Option<&str>;

    /// The value of its `session` field, when it has one.
    fn session(&self) -> Option<&str>;
}

/// A `session` field, required or optional, as the `&str` it holds.
pub trait AsSession {
    fn as_session(&self) -> Option<&str>;
}

impl AsSession for String {
    fn as_session(&self) -> Option<&str> {
        Some(self)
    }
}

impl AsSession for Option<String> {
    fn as_session(&self) -> Option<&str> {
        self.as_deref()
    }
}

/// Assembles a struct one key at a time.
pub trait Builder<'de, T>: Default {
    /// The enum that dispatched here has read and checked the `"type"` tag.
    fn tag_read(&mut self);

    fn accept<S: Source<'de>>(&mut self, key: Key<'de>, source: &mut S) -> Result<(), S::Error>;

    fn finish<E: de::Error>(self) -> Result<T, E>;
}

/// The map of unknown keys a struct keeps.
pub trait ExtraMap: Default {
    fn insert_from<'de, S: Source<'de>>(&mut self, key: Key<'de>, source: &mut S) -> Result<(), S::Error>;

    /// Write the entries whose key the struct does not write itself, so that a
    /// caller who put `"type"` in `extra` cannot make a duplicate key.
    fn serialize_into<M: SerializeMap>(
        &self,
        map: &mut M,
        written: &dyn Fn(&str) -> bool,
    ) -> Result<(), M::Error>;

    /// The schema of `additionalProperties`.
    #[cfg(feature = "schema")]
    fn additional_properties(generator: &mut schemars::SchemaGenerator) -> Value;
}

impl ExtraMap for Map<String, Value> {
    fn insert_from<'de, S: Source<'de>>(&mut self, key: Key<'de>, source: &mut S) -> Result<(), S::Error> {
        insert_unique(self, key, || source.value::<UniqueValue>().map(|v| v.0))
    }

    fn serialize_into<M: SerializeMap>(
        &self,
        map: &mut M,
        written: &dyn Fn(&str) -> bool,
    ) -> Result<(), M::Error> {
        serialize_entries(self.iter(), map, written)
    }

    #[cfg(feature = "schema")]
    fn additional_properties(_: &mut schemars::SchemaGenerator) -> Value {
        Value::Bool(true)
    }
}

/// The entries of an extra map whose key the struct does not write itself.
pub fn serialize_entries<'a, M: SerializeMap>(
    entries: impl Iterator<Item = (&'a String, &'a Value)>,
    map: &mut M,
    written: &dyn Fn(&str) -> bool,
) -> Result<(), M::Error> {
    entries.filter(|(k, _)| !written(k)).try_for_each(|(k, v)| map.serialize_entry(k, v))
}

/// The error for a dict whose `"type"` is another than the struct's.
pub fn tag_mismatch<E: de::Error>(expected: &str, found: &str) -> E {
    E::custom(format_args!("expected `type` to be `{expected}`, found `{found}`"))
}

/// `Serialize` of a derived struct.
pub fn serialize_struct<T: Fields, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(None)?;
    value.serialize_fields(&mut map, true)?;
    map.end()
}

/// `Deserialize` of a derived struct.
pub fn deserialize_struct<'de, T: Fields, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    struct Visitor<T>(PhantomData<T>);

    impl<'de, T: Fields> de::Visitor<'de> for Visitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            drive(T::Builder::default(), map)
        }
    }

    deserializer.deserialize_map(Visitor(PhantomData))
}

/// Feed every remaining entry of `map` to `builder`, then finish it.
fn drive<'de, T, B: Builder<'de, T>, A: MapAccess<'de>>(mut builder: B, mut map: A) -> Result<T, A::Error> {
    while let Some(key) = map.next_key::<Key<'de>>()? {
        builder.accept(key, &mut MapSource(&mut map))?;
    }
    builder.finish()
}

/// Build the variant `T` an enum chose by its tag: replay the entries read
/// before the tag, then stream the rest. `tag` is given for the catch-all
/// variant, which keeps the unknown type as a field of its own.
pub fn dispatch<'de, T: Fields, A: MapAccess<'de>>(
    before: Vec<(Key<'de>, Content<'de>)>,
    map: A,
    tag: Option<Key<'de>>,
) -> Result<T, A::Error> {
    let mut builder = T::Builder::default();
    match tag {
        None => builder.tag_read(),
        Some(tag) => {
            builder.accept(Key::borrowed("type"), &mut ContentSource::new(Content::Str(tag.into_cow())))?
        }
    }
    replay(&mut builder, before)?;
    drive(builder, map)
}

/// Build the variant for a dict with no `"type"` (the fallback acknowledgement).
pub fn build_untagged<'de, T: Fields, E: de::Error>(entries: Vec<(Key<'de>, Content<'de>)>) -> Result<T, E> {
    let mut builder = T::Builder::default();
    replay(&mut builder, entries)?;
    builder.finish()
}

/// Feed `builder` entries read before it existed.
fn replay<'de, T, B: Builder<'de, T>, E: de::Error>(
    builder: &mut B,
    entries: impl IntoIterator<Item = (Key<'de>, Content<'de>)>,
) -> Result<(), E> {
    entries.into_iter().try_for_each(|(key, value)| builder.accept(key, &mut ContentSource::new(value)))
}

/// A flattened group (`errcode`, `error`, … of a 401's error): its keys go
/// to its own builder once its required keys have come (straight from the
/// parser from then on); until then they are kept as the parser gave them,
/// since a group that never completes is no group, and its keys belong to
/// the parent's unknown keys.
pub struct Flattened<'de, T: Fields> {
    waiting: Vec<(&'static str, Content<'de>)>,
    builder: Option<T::Builder<'de>>,
}

impl<'de, T: Fields> Default for Flattened<'de, T> {
    fn default() -> Self {
        Flattened { waiting: Vec::new(), builder: None }
    }
}

impl<'de, T: Fields> Flattened<'de, T> {
    /// Take the value of `key`, one of the group's keys.
    pub fn accept<S: Source<'de>>(&mut self, key: &'static str, source: &mut S) -> Result<(), S::Error> {
        if let Some(builder) = &mut self.builder {
            return builder.accept(Key::borrowed(key), source);
        }
        if self.waiting.iter().any(|(k, _)| *k == key) {
            return Err(duplicate(key));
        }
        let completes = T::REQUIRED
            .iter()
            .all(|required| *required == key || self.waiting.iter().any(|(k, _)| k == required));
        if !completes {
            self.waiting.push((key, source.value()?));
            return Ok(());
        }
        let waiting = std::mem::take(&mut self.waiting);
        let builder = self.builder.insert(T::Builder::default());
        replay::<T, _, S::Error>(builder, waiting.into_iter().map(|(k, value)| (Key::borrowed(k), value)))?;
        builder.accept(Key::borrowed(key), source)
    }

    /// The group when all of its required keys came (`errcode` for an
    /// error); otherwise `None`, its keys moved to `extra`, kept verbatim
    /// rather than lost.
    pub fn finish<X: ExtraMap, E: de::Error>(self, extra: &mut X) -> Result<Option<T>, E> {
        if let Some(builder) = self.builder {
            return builder.finish().map(Some);
        }
        for (key, value) in self.waiting {
            extra.insert_from(Key::borrowed(key), &mut ContentSource::<E>::new(value))?;
        }
        Ok(None)
    }
}

/// `const` comparison of a variant type's tag with the enum's.
pub const fn same_tag(declared: Option<&str>, expected: &str) -> bool {
    match declared {
        Some(declared) => declared.len() == expected.len() && starts_with(declared, expected),
        None => false,
    }
}

/// `str::starts_with` for `const` contexts, where the trait-based one cannot run.
pub const fn starts_with(s: &str, prefix: &str) -> bool {
    let (s, prefix) = (s.as_bytes(), prefix.as_bytes());
    if s.len() < prefix.len() {
        return false;
    }
    let mut i = 0;
    while i < prefix.len() {
        if s[i] != prefix[i] {
            return false;
        }
        i += 1;
    }
    true
}
