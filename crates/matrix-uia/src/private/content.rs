//! [`Content`]: a value read before the builder that takes it existed, kept as the parser gave it.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, MapAccess};
use serde::{Deserialize, Deserializer};

use super::source::{Key, Source};

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

impl<'de, E> ContentDeserializer<'de, E> {
    pub fn new(content: Content<'de>) -> Self {
        ContentDeserializer(content, PhantomData)
    }
}

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
        match self.0.into_cow() {
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
