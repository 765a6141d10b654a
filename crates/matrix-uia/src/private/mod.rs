//! What the derive's generated code calls. Not a public API: names and
//! signatures change with the derive.
//!
//! The generated code for a struct is a *builder* that accepts one key at a
//! time from any [`Source`]: straight from the parser ([`MapSource`]) or from
//! a buffered value ([`ContentSource`]). That is what lets an enum dispatch on
//! `"type"` in one pass: keys that came before the tag are replayed from a
//! buffer, the rest stream from the parser into the chosen variant.

#![doc(hidden)]

mod build;
mod content;
mod redact;
#[cfg(feature = "schema")]
mod schema;
mod source;
mod unique;

pub use build::*;
pub use content::*;
pub use redact::*;
#[cfg(feature = "schema")]
pub use schema::*;
pub use source::*;
pub use unique::*;

#[cfg(feature = "schema")]
pub use schemars::{JsonSchema, Schema, SchemaGenerator};
pub use serde::{Deserialize, Deserializer, Serialize, Serializer, de, ser};
pub use serde_json;
pub use std::borrow::Cow;
pub use std::convert::Into;
pub use std::default::Default;
pub use std::fmt;
pub use std::marker::PhantomData;
pub use std::option::Option::{self, None, Some};
pub use std::result::Result::{self, Err, Ok};
pub use std::string::String;
pub use std::vec::Vec;

/// The generated `JsonSchema` impls, kept when this crate's `schema`
/// feature is on and dropped when it is off: the feature of the crate that
/// has schemars decides, not the features of the crate that derives.
#[cfg(feature = "schema")]
#[macro_export]
#[doc(hidden)]
macro_rules! __uia_if_schema {
    ($($item:tt)*) => { $($item)* };
}

/// See the other definition: the `schema` feature is off.
#[cfg(not(feature = "schema"))]
#[macro_export]
#[doc(hidden)]
macro_rules! __uia_if_schema {
    ($($item:tt)*) => {};
}

pub use crate::__uia_if_schema as if_schema;
