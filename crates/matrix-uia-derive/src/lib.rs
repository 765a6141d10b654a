//! Derive macros for [`matrix-uia`](https://docs.rs/matrix-uia).
//!
//! `#[derive(Uia)]` on a struct with named fields yields, from one declaration:
//! - `Serialize` and `Deserialize`, with the constant `"type"` tag when the
//!   struct has one (checked on parse: a dict tagged with another type is
//!   refused), unknown keys kept in the `#[uia(extra)]` map and written back,
//!   absent optional fields omitted, duplicate keys refused;
//! - `JsonSchema` (the tag as a `const`, doc comments as descriptions,
//!   `additionalProperties: true`);
//! - `Debug` with `#[uia(secret)]` fields redacted;
//! - the type's spec metadata: auth type, spec sections, spec link.
//!
//! On an enum of newtype variants it builds the dispatch on `"type"` in one
//! pass over the input: keys that come before `"type"` are buffered, the rest
//! stream straight into the chosen variant's builder. It also lists the
//! variants (`matrix_uia::TaggedEnum`): each one's type name
//! and tag, and per value its `"type"`, `session` and type name, so that no
//! list of variants is written by hand a second time.
//!
//! The `JsonSchema` impls are emitted only when `matrix-uia`'s `schema`
//! feature is on.
//!
//! Attributes:
//!
//! | where | attribute | meaning |
//! |---|---|---|
//! | struct | `auth_type = "m.login.password"` | the `"type"` tag of an auth dict |
//! | struct | `id_type = "m.id.user"` | the `"type"` tag of a user identifier |
//! | struct | `params_for = "m.login.terms"` | the auth type whose `params` entry this is |
//! | struct | `section = "Password-based"` | a spec section whose examples it claims (repeatable) |
//! | struct | `spec = "https://…"` | the spec section that defines it |
//! | struct | `new` | generate `new` with the required fields (and an auth dict's `session`) |
//! | field | `extra` | the map of unknown keys (exactly one per struct) |
//! | field | `rename = "threepidCreds"` | the JSON key, when it is not the field name |
//! | field | `secret` | redacted in `Debug` |
//! | field | `flatten` | an `Option<T>` whose keys sit in this object (e.g. `errcode`/`error`) |
//! | variant | `auth_type = "…"` / `id_type = "…"` | the tag that selects it |
//! | variant | `other` | the variant for any other tag, kept whole |
//! | variant | `untagged` | the variant for a dict with no `"type"` at all |

mod expand;
mod internals;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derive serde impls, a JSON Schema, `Debug` and spec metadata for a Matrix UIA type.
#[proc_macro_derive(Uia, attributes(uia))]
pub fn derive_uia(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}
