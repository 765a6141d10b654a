//! Where a builder reads the value of a key: a map key borrowed from the input, and the sources of values.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

use serde::de::{self, MapAccess};
use serde::{Deserialize, Deserializer};

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

    pub fn into_cow(self) -> Cow<'de, str> {
        self.0
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
