//! What the derive's generated code calls. Not a public API: names and
//! signatures change with the derive.
//!
//! The generated code for a struct is a *builder* that accepts one key at a
//! time from any [`Source`]: straight from the parser ([`MapSource`]) or from
//! a buffered value ([`ValueSource`]). That is what lets an enum dispatch on
//! `"type"` in one pass: keys that came before the tag are replayed from a
//! buffer, the rest stream from the parser into the chosen variant.

#![doc(hidden)]

use std::marker::PhantomData;
use std::ops::Deref;

pub use schemars::{JsonSchema, Schema, SchemaGenerator};
pub use serde::{Deserialize, Deserializer, Serialize, Serializer, de, ser};
pub use serde_json;
pub use std::borrow::Cow;
pub use std::default::Default;
pub use std::fmt;
pub use std::option::Option::{self, None, Some};
pub use std::result::Result::{self, Err, Ok};
pub use std::string::String;
pub use std::vec::Vec;

use serde::de::{DeserializeOwned, MapAccess};
use serde::ser::SerializeMap;
use serde_json::{Map, Value};

use crate::json::impls::read_with_serde;
pub use crate::json::read::Reader;
pub use crate::json::write::Writer;
pub use crate::json::{Json, read_direct};

/// A map key, borrowed from the input whenever the input allows it.
#[derive(Clone)]
pub struct Key<'de>(Cow<'de, str>);

impl<'de> Key<'de> {
    /// A key the generated code names itself.
    pub fn borrowed(key: &'de str) -> Self {
        Key(Cow::Borrowed(key))
    }

    pub fn into_owned(self) -> String {
        self.0.into_owned()
    }
}

impl Deref for Key<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl<'de> de::Visitor<'de> for Visitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }

        deserializer.deserialize_str(Visitor)
    }
}

/// Where a builder reads the value of the key it was given.
pub trait Source<'de> {
    type Error: de::Error;

    fn value<T: Deserialize<'de>>(&mut self) -> Result<T, Self::Error>;
}

/// Values straight from the parser.
pub struct MapSource<'a, A>(pub &'a mut A);

impl<'de, A: MapAccess<'de>> Source<'de> for MapSource<'_, A> {
    type Error = A::Error;

    fn value<T: Deserialize<'de>>(&mut self) -> Result<T, A::Error> {
        self.0.next_value()
    }
}

/// A value that was buffered before the builder existed.
pub struct ValueSource<E> {
    value: Option<Value>,
    error: PhantomData<E>,
}

impl<E> ValueSource<E> {
    pub fn new(value: Value) -> Self {
        ValueSource { value: Some(value), error: PhantomData }
    }
}

impl<'de, E: de::Error> Source<'de> for ValueSource<E> {
    type Error = E;

    fn value<T: Deserialize<'de>>(&mut self) -> Result<T, E> {
        T::deserialize(self.value.take().unwrap_or(Value::Null)).map_err(E::custom)
    }
}

/// A value read before the builder existed, as the parser gave it: strings
/// stay borrowed from the input and a map is a list of entries, so buffering
/// costs no hashing and (for input without escapes) no string copies.
#[derive(Clone)]
pub enum Content<'de> {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(Cow<'de, str>),
    Seq(Vec<Content<'de>>),
    Map(Vec<(Key<'de>, Content<'de>)>),
}

impl<'de> Deserialize<'de> for Content<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl<'de> de::Visitor<'de> for Visitor {
            type Value = Content<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E>(self) -> Result<Content<'de>, E> {
                Ok(Content::Null)
            }
            fn visit_none<E>(self) -> Result<Content<'de>, E> {
                Ok(Content::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Content<'de>, D::Error> {
                Content::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Content<'de>, E> {
                Ok(Content::Bool(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Content<'de>, E> {
                Ok(Content::U64(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Content<'de>, E> {
                Ok(Content::I64(v))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Content<'de>, E> {
                Ok(Content::F64(v))
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Content<'de>, E> {
                Ok(Content::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Content<'de>, E> {
                Ok(Content::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Content<'de>, E> {
                Ok(Content::Str(Cow::Owned(v)))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Content<'de>, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Content::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Content<'de>, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    entries.push((key, map.next_value()?));
                }
                Ok(Content::Map(entries))
            }
        }

        deserializer.deserialize_any(Visitor)
    }
}

/// Replays a [`Content`] into any `Deserialize`.
pub struct ContentDeserializer<'de, E>(Content<'de>, PhantomData<E>);

impl<'de, E: de::Error> de::IntoDeserializer<'de, E> for ContentDeserializer<'de, E> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

struct KeyDeserializer<'de, E>(Key<'de>, PhantomData<E>);

impl<'de, E: de::Error> de::IntoDeserializer<'de, E> for KeyDeserializer<'de, E> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de, E: de::Error> Deserializer<'de> for KeyDeserializer<'de, E> {
    type Error = E;
    fn deserialize_any<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.0.0 {
            Cow::Borrowed(s) => visitor.visit_borrowed_str(s),
            Cow::Owned(s) => visitor.visit_string(s),
        }
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de, E: de::Error> Deserializer<'de> for ContentDeserializer<'de, E> {
    type Error = E;
    fn deserialize_any<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.0 {
            Content::Null => visitor.visit_unit(),
            Content::Bool(v) => visitor.visit_bool(v),
            Content::U64(v) => visitor.visit_u64(v),
            Content::I64(v) => visitor.visit_i64(v),
            Content::F64(v) => visitor.visit_f64(v),
            Content::Str(Cow::Borrowed(v)) => visitor.visit_borrowed_str(v),
            Content::Str(Cow::Owned(v)) => visitor.visit_string(v),
            Content::Seq(items) => {
                let mut seq = de::value::SeqDeserializer::new(
                    items.into_iter().map(|c| ContentDeserializer(c, PhantomData)),
                );
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Content::Map(entries) => {
                let mut map =
                    de::value::MapDeserializer::new(entries.into_iter().map(|(k, v)| {
                        (KeyDeserializer(k, PhantomData), ContentDeserializer(v, PhantomData))
                    }));
                let value = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(value)
            }
        }
    }
    fn deserialize_option<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.0 {
            Content::Null => visitor.visit_none(),
            other => visitor.visit_some(ContentDeserializer(other, PhantomData)),
        }
    }
    fn deserialize_newtype_struct<V: de::Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, E> {
        visitor.visit_newtype_struct(self)
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// A value buffered as [`Content`].
pub struct ContentSource<'de, E> {
    content: Option<Content<'de>>,
    error: PhantomData<E>,
}

impl<'de, E> ContentSource<'de, E> {
    pub fn new(content: Content<'de>) -> Self {
        ContentSource { content: Some(content), error: PhantomData }
    }
}

impl<'de, E: de::Error> Source<'de> for ContentSource<'de, E> {
    type Error = E;

    fn value<T: Deserialize<'de>>(&mut self) -> Result<T, E> {
        T::deserialize(ContentDeserializer(self.content.take().unwrap_or(Content::Null), PhantomData))
    }
}

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
                kept(Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?)
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
                if fits {
                    if let Ok(typed) = builder.finish::<A::Error>() {
                        return Ok(TypedOrValue(Ok(typed)));
                    }
                }
                kept(Value::deserialize(ContentDeserializer::<A::Error>(Content::Map(journal), PhantomData))?)
            }
        }

        deserializer.deserialize_any(Visitor(PhantomData))
    }
}

/// A struct the derive built: its keys and its builder.
pub trait Fields: Sized {
    /// Keys that must be present (`"type"` included, for a tagged struct).
    const REQUIRED: &'static [&'static str];
    type Builder: Builder<Self>;

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

    /// [`Fields::serialize_fields`] for the direct writer.
    fn write_fields(&self, writer: &mut Writer, with_extra: bool);

    /// Whether the struct writes `key` itself (its own keys, and a
    /// flattened group's when present), so that `extra` must not.
    fn writes_key(&self, key: &str) -> bool;
}

/// Assembles a struct one key at a time.
pub trait Builder<T>: Default {
    /// The enum that dispatched here has read and checked the `"type"` tag.
    fn tag_read(&mut self);

    fn accept<'de, S: Source<'de>>(&mut self, key: Key<'de>, source: &mut S) -> Result<(), S::Error>;

    /// [`Builder::accept`] for the direct reader: `None` hands the whole
    /// input over to serde_json.
    fn accept_direct<'a>(&mut self, key: &'a str, reader: &mut Reader<'a>) -> Option<()>;

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

    /// [`ExtraMap::insert_from`] for the direct reader.
    fn insert_direct<'a>(&mut self, key: &'a str, reader: &mut Reader<'a>) -> Option<()>;

    /// [`ExtraMap::serialize_into`] for the direct writer.
    fn write_into(&self, writer: &mut Writer, written: &dyn Fn(&str) -> bool);

    /// The schema of `additionalProperties`.
    fn additional_properties(generator: &mut SchemaGenerator) -> Value;
}

impl ExtraMap for Map<String, Value> {
    fn insert_from<'de, S: Source<'de>>(&mut self, key: Key<'de>, source: &mut S) -> Result<(), S::Error> {
        // One hash and one probe: the entry is both the duplicate check and the slot.
        match self.entry(key.into_owned()) {
            serde_json::map::Entry::Occupied(entry) => Err(duplicate(entry.key())),
            serde_json::map::Entry::Vacant(entry) => {
                entry.insert(source.value()?);
                Ok(())
            }
        }
    }

    fn serialize_into<M: SerializeMap>(
        &self,
        map: &mut M,
        written: &dyn Fn(&str) -> bool,
    ) -> Result<(), M::Error> {
        serialize_entries(self.iter(), map, written)
    }

    fn insert_direct<'a>(&mut self, key: &'a str, reader: &mut Reader<'a>) -> Option<()> {
        match self.entry(key) {
            serde_json::map::Entry::Occupied(_) => None,
            serde_json::map::Entry::Vacant(entry) => {
                entry.insert(Value::read_json(reader)?);
                Some(())
            }
        }
    }

    fn write_into(&self, writer: &mut Writer, written: &dyn Fn(&str) -> bool) {
        write_entries(self.iter(), writer, written);
    }

    fn additional_properties(_: &mut SchemaGenerator) -> Value {
        Value::Bool(true)
    }
}

/// The entries of an extra map whose key the struct does not write itself.
pub(crate) fn serialize_entries<'a, M: SerializeMap>(
    entries: impl Iterator<Item = (&'a String, &'a Value)>,
    map: &mut M,
    written: &dyn Fn(&str) -> bool,
) -> Result<(), M::Error> {
    entries.filter(|(k, _)| !written(k)).try_for_each(|(k, v)| map.serialize_entry(k, v))
}

/// [`serialize_entries`] for the direct writer.
pub(crate) fn write_entries<'a>(
    entries: impl Iterator<Item = (&'a String, &'a Value)>,
    writer: &mut Writer,
    written: &dyn Fn(&str) -> bool,
) {
    for (key, value) in entries.filter(|(k, _)| !written(k)) {
        writer.key(key);
        writer.serde(value);
    }
}

pub(crate) fn duplicate<E: de::Error>(key: &str) -> E {
    E::custom(format_args!("duplicate field `{key}`"))
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

/// A JSON object whose top-level keys are all different: two parsers of a
/// body must never see different `auth` dicts because one kept the first
/// repeat and the other the last.
pub fn deserialize_unique_object<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Map<String, Value>, D::Error> {
    struct Visitor;

    impl<'de> de::Visitor<'de> for Visitor {
        type Value = Map<String, Value>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut object = Map::new();
            while let Some(key) = map.next_key::<Key<'de>>()? {
                object.insert_from(key, &mut MapSource(&mut map))?;
            }
            Ok(object)
        }
    }

    deserializer.deserialize_map(Visitor)
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
fn drive<'de, T, B: Builder<T>, A: MapAccess<'de>>(mut builder: B, mut map: A) -> Result<T, A::Error> {
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
            builder.accept(Key::borrowed("type"), &mut ValueSource::new(Value::String(tag.into_owned())))?
        }
    }
    for (key, value) in before {
        builder.accept(key, &mut ContentSource::new(value))?;
    }
    drive(builder, map)
}

/// Build the variant for a dict with no `"type"` (the fallback acknowledgement).
pub fn build_untagged<'de, T: Fields, E: de::Error>(entries: Vec<(Key<'de>, Content<'de>)>) -> Result<T, E> {
    let mut builder = T::Builder::default();
    for (key, value) in entries {
        builder.accept(key, &mut ContentSource::new(value))?;
    }
    builder.finish()
}

/// Keep a flattened key until the end, when it is known whether the group is complete.
pub fn buffer_flattened<'de, S: Source<'de>>(
    slot: &mut Vec<(&'static str, Value)>,
    key: &'static str,
    source: &mut S,
) -> Result<(), S::Error> {
    if slot.iter().any(|(k, _)| *k == key) {
        return Err(duplicate(key));
    }
    let value = source.value()?;
    slot.push((key, value));
    Ok(())
}

/// The flattened `T` when all of its required keys came (`errcode` for an
/// error); otherwise its keys go to `extra`, kept verbatim rather than lost.
pub fn flattened<T: Fields, X: ExtraMap, E: de::Error>(
    entries: Vec<(&'static str, Value)>,
    extra: &mut X,
) -> Result<Option<T>, E> {
    if entries.is_empty() {
        return Ok(None);
    }
    let complete = T::REQUIRED.iter().all(|required| entries.iter().any(|(k, _)| k == required));
    if !complete {
        for (key, value) in entries {
            extra.insert_from(Key::borrowed(key), &mut ValueSource::<E>::new(value))?;
        }
        return Ok(None);
    }
    let mut builder = T::Builder::default();
    for (key, value) in entries {
        builder.accept(Key::borrowed(key), &mut ValueSource::<E>::new(value))?;
    }
    builder.finish().map(Some)
}

/// A field's type, for choosing how to read and write it: with its own
/// [`Json`] when it has one ([`ViaJson`]), else through serde_json
/// ([`ViaSerde`]). The generated code calls `(&Via::<T>::new()).read(…)`
/// with both traits in scope; method resolution takes the impl on `Via<T>`
/// before the one on `&Via<T>` (autoref specialization), so a field type of
/// a user's own still works, through serde.
pub struct Via<T>(PhantomData<T>);

impl<T> Via<T> {
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Via(PhantomData)
    }
}

pub trait ViaJson<T> {
    fn read(&self, reader: &mut Reader<'_>) -> Option<T>;
    fn write(&self, value: &T, writer: &mut Writer);
}

impl<T: Json> ViaJson<T> for Via<T> {
    fn read(&self, reader: &mut Reader<'_>) -> Option<T> {
        T::read_json(reader)
    }

    fn write(&self, value: &T, writer: &mut Writer) {
        value.write_json(writer);
    }
}

pub trait ViaSerde<T> {
    fn read(&self, reader: &mut Reader<'_>) -> Option<T>;
    fn write(&self, value: &T, writer: &mut Writer);
}

impl<T: Serialize + DeserializeOwned> ViaSerde<T> for &Via<T> {
    fn read(&self, reader: &mut Reader<'_>) -> Option<T> {
        read_with_serde(reader)
    }

    fn write(&self, value: &T, writer: &mut Writer) {
        writer.serde(value);
    }
}

/// [`Json::read_json`] of a derived struct.
pub fn read_struct<T: Fields>(reader: &mut Reader<'_>) -> Option<T> {
    reader.object()?;
    stream(T::Builder::default(), reader, &mut true)
}

/// [`Json::write_json`] of a derived struct.
pub fn write_struct<T: Fields>(value: &T, writer: &mut Writer) {
    writer.begin_object();
    value.write_fields(writer, true);
    writer.end_object();
}

/// The error of a direct read: nothing to say, since serde_json reads the
/// input again and gives its own error. Empty, so that a `Result` with it is
/// no bigger than an `Option`.
#[derive(Debug)]
pub struct Refused;

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("refused by the direct reader")
    }
}

impl std::error::Error for Refused {}

impl de::Error for Refused {
    fn custom<M: fmt::Display>(_: M) -> Self {
        Refused
    }
}

/// Feed `builder` the rest of the object, then finish it.
fn stream<'a, T, B: Builder<T>>(mut builder: B, reader: &mut Reader<'a>, first: &mut bool) -> Option<T> {
    while let Some(key) = reader.key(first)? {
        builder.accept_direct(key, reader)?;
    }
    builder.finish::<Refused>().ok()
}

/// Feed `builder` the entries read before it existed, from where they are
/// in the input. Each must be read to exactly where passing over it ended:
/// what a reader stops short of (`false` in `falseII`) was never checked.
fn replay<'a, T, B: Builder<T>>(builder: &mut B, before: &Before<'a>) -> Option<()> {
    before.iter().try_for_each(|(key, at, end)| {
        let mut reader = *at;
        builder.accept_direct(key, &mut reader)?;
        reader.same_place(end).then_some(())
    })
}

/// The keys an enum's direct reader passed before `"type"`, each with a
/// reader at its value and one at its end: the first four on the stack
/// (most dicts have none, a few one to three), the rest in a `Vec`.
#[derive(Default)]
pub struct Before<'a> {
    first: [Option<Passed<'a>>; 4],
    rest: Vec<Passed<'a>>,
}

/// A key passed over, where its value starts, and where passing it ended.
type Passed<'a> = (&'a str, Reader<'a>, Reader<'a>);

impl<'a> Before<'a> {
    /// Pass over the value of `key` at `reader`, keeping its place.
    pub fn pass(&mut self, key: &'a str, reader: &mut Reader<'a>) -> Option<()> {
        let at = *reader;
        reader.raw()?;
        let passed = (key, at, *reader);
        match self.first.iter_mut().find(|slot| slot.is_none()) {
            Some(slot) => *slot = Some(passed),
            None => self.rest.push(passed),
        }
        Some(())
    }

    fn iter(&self) -> impl Iterator<Item = &Passed<'a>> {
        self.first.iter().flatten().chain(&self.rest)
    }
}

/// [`dispatch`] for the direct reader: `before` holds each key that came
/// before `"type"` with a reader at its value; `tag` is the reader at the
/// tag's value, for the catch-all variant that keeps it as a field.
pub fn dispatch_direct<'a, T: Fields>(
    before: &Before<'a>,
    reader: &mut Reader<'a>,
    first: &mut bool,
    tag: Option<Reader<'a>>,
) -> Option<T> {
    let mut builder = T::Builder::default();
    match tag {
        None => builder.tag_read(),
        Some(mut at) => builder.accept_direct("type", &mut at)?,
    }
    replay(&mut builder, before)?;
    stream(builder, reader, first)
}

/// The index of the one `true` in `owners` (which variants have a key), if
/// there is exactly one.
pub fn sole_owner(owners: &[bool]) -> Option<usize> {
    let mut found = None;
    for (i, &owns) in owners.iter().enumerate() {
        if owns {
            if found.is_some() {
                return None;
            }
            found = Some(i);
        }
    }
    found
}

/// [`dispatch_direct`] on a guess, before `"type"` came: `key`, at
/// `reader`, is one that `T` alone has. The rest of the object streams into
/// `T`, whose builder checks `"type"` against its tag when it comes. `None`
/// when anything fails, the guess included: the caller then reads on from
/// `key` as if it had not guessed.
pub fn guess_direct<'a, T: Fields>(
    before: &Before<'a>,
    key: &'a str,
    reader: &mut Reader<'a>,
    first: &mut bool,
) -> Option<T> {
    let mut builder = T::Builder::default();
    replay(&mut builder, before)?;
    builder.accept_direct(key, reader)?;
    stream(builder, reader, first)
}

/// [`build_untagged`] for the direct reader: the object had no `"type"`.
pub fn untagged_direct<'a, T: Fields>(before: &Before<'a>) -> Option<T> {
    let mut builder = T::Builder::default();
    replay(&mut builder, before)?;
    builder.finish::<Refused>().ok()
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

/// The schema of a `"type"` tag.
pub fn tag_schema(tag: &str) -> Value {
    serde_json::json!({ "type": "string", "const": tag, "description": format!("Always `{tag}`.") })
}

/// A field's schema with its doc comment as description.
pub fn field_schema(schema: Schema, description: &str) -> Value {
    let mut schema = schema.to_value();
    if !description.is_empty()
        && let Value::Object(map) = &mut schema
    {
        map.insert("description".to_owned(), Value::String(description.to_owned()));
    }
    schema
}

/// Add a flattened struct's properties to its parent's.
pub fn merge_properties(
    properties: &mut Map<String, Value>,
    schema: Schema,
    generator: &mut SchemaGenerator,
) {
    let resolved = resolve(schema.to_value(), generator);
    if let Some(Value::Object(inner)) = resolved.get("properties") {
        for (key, value) in inner {
            properties.insert(key.clone(), value.clone());
        }
    }
}

/// A `$ref` to a definition resolved to the definition itself.
fn resolve(schema: Value, generator: &mut SchemaGenerator) -> Value {
    let name =
        schema.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next()).map(str::to_owned);
    match name.and_then(|name| generator.definitions().get(&name).cloned()) {
        Some(definition) => definition,
        None => schema,
    }
}

/// The schema of a derived struct.
pub fn object_schema(
    title: &str,
    description: &str,
    properties: Map<String, Value>,
    required: &[&str],
    additional: Value,
) -> Schema {
    let mut schema = Map::new();
    schema.insert("title".to_owned(), Value::String(title.to_owned()));
    if !description.is_empty() {
        schema.insert("description".to_owned(), Value::String(description.to_owned()));
    }
    schema.insert("type".to_owned(), Value::String("object".to_owned()));
    schema.insert("properties".to_owned(), Value::Object(properties));
    if !required.is_empty() {
        schema
            .insert("required".to_owned(), required.iter().map(|r| Value::String((*r).to_owned())).collect());
    }
    schema.insert("additionalProperties".to_owned(), additional);
    Schema::from(schema)
}

/// The schema of a derived enum: any of its variants.
pub fn any_of_schema(title: &str, description: &str, variants: Vec<Value>) -> Schema {
    let mut schema = Map::new();
    schema.insert("title".to_owned(), Value::String(title.to_owned()));
    if !description.is_empty() {
        schema.insert("description".to_owned(), Value::String(description.to_owned()));
    }
    schema.insert("anyOf".to_owned(), Value::Array(variants));
    Schema::from(schema)
}

/// `Debug` of a secret: that it is there, never what it is.
pub struct Redacted<'a, T: ?Sized>(pub &'a T);

/// Values that [`Redacted`] knows how to hide.
pub trait Secret {
    fn fmt_redacted(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

impl Secret for String {
    fn fmt_redacted(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T: Secret> Secret for Option<T> {
    fn fmt_redacted(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Some(value) => {
                f.write_str("Some(")?;
                value.fmt_redacted(f)?;
                f.write_str(")")
            }
            None => f.write_str("None"),
        }
    }
}

impl<T: Secret + ?Sized> fmt::Debug for Redacted<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt_redacted(f)
    }
}
