//! The Matrix specification's [User-Interactive Authentication][uia] (UIA) as
//! typed, spec-verified Rust.
//!
//! Ruma's names, so Matrix developers feel at home: [`UiaaInfo`] (the 401
//! body), [`AuthFlow`], [`AuthType`], [`AuthData`] (the `auth` dict, one
//! struct per auth type), [`UserIdentifier`], [`StandardError`] and
//! [`UiaaResponse`], and the success bodies the spec shows beside them
//! ([`RegistrationResponse`], [`LoginResponse`], [`EmptyResponse`]). Every
//! example the spec publishes for these types is extracted from the spec's
//! source text and proven to round-trip, every key the spec defines reaching
//! its typed field (the workspace's `cargo xtask verify`). Unknown keys,
//! unknown auth types and the legacy forms of early revisions are kept as
//! sent, never dropped; `Debug` redacts secrets.
//!
//! Reading a 401 and answering it with the next stage:
//!
//! ```
//! use matrix_uia::{AuthData, AuthType, Password, UiaaRequest, UiaaResponse, UserIdentifier};
//!
//! let body = br#"{"errcode": "M_FORBIDDEN", "error": "Invalid password",
//!     "flows": [{"stages": ["m.login.password"]}], "session": "xyz"}"#;
//! let UiaaResponse::AuthRequired(info) = UiaaResponse::from_http(401, body)? else { unreachable!() };
//! assert_eq!(info.auth_error.as_ref().unwrap().errcode.as_str(), "M_FORBIDDEN");
//! assert_eq!(info.flows[0].stages, [AuthType::Password]);
//! let auth = Password::new(UserIdentifier::user("@alice:example.org"), "hunter2", info.session.clone());
//! let retry = UiaaRequest::new(serde_json::json!({"devices": ["ABC"]})).with_auth(AuthData::Password(auth));
//! assert_eq!(serde_json::to_value(&retry)?["auth"]["session"], "xyz");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//!
//! The model (every type above, their serde impls and spec metadata) needs
//! only serde, serde_json and the derive. The rest is opt-in:
//!
#![doc = include_str!("../FEATURES.md")]
//!
//! [uia]: https://spec.matrix.org/latest/client-server-api/#user-interactive-authentication-api

#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate self as matrix_uia;

#[doc(hidden)]
#[path = "private/mod.rs"]
pub mod __private;
#[cfg(feature = "axum")]
mod axum;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod client;
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub mod http;
mod json;
mod model;
#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub mod server;

pub use json::{JsonError, from_json_object, from_json_slice, from_json_str, from_json_value};
pub use matrix_uia_derive::Uia;
pub use model::auth_data::*;
pub use model::auth_type::AuthType;
pub use model::error::{ErrorKind, StandardError};
pub use model::identifier::*;
pub use model::info::{AuthFlow, UiaaInfo};
pub use model::params::*;
pub use model::request::UiaaRequest;
pub use model::response::{FromHttpError, UNAUTHORIZED, UiaaResponse};
pub use model::success::{EmptyResponse, LoginResponse, RegistrationResponse};
pub use serde_json;

/// The READMEs' examples, compiled and run as doc tests. The workspace's
/// README is outside the package: `cfg(doctest)` keeps it out of every
/// build but the workspace's own doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct WorkspaceReadme;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct CrateReadme;

/// A JSON object: unknown keys, untyped endpoint bodies, the params a server `Policy` advertises.
pub type JsonObject = serde_json::Map<String, serde_json::Value>;

/// What the spec says of a type: its name, tag, sections and link.
/// `#[derive(Uia)]` implements it; `cargo xtask verify` and the docs read it.
pub trait SpecType {
    /// The type's name, e.g. `Password`.
    const NAME: &'static str;
    /// The `"type"` tag, for auth dicts (`m.login.password`) and identifiers (`m.id.user`).
    const TAG: Option<&'static str>;
    /// For a `params` entry, the auth type it belongs to.
    const PARAMS_FOR: Option<&'static str>;
    /// Spec section titles whose examples it claims.
    const SECTIONS: &'static [&'static str];
    /// The spec section that defines it.
    const SPEC_URL: &'static str;
    /// Its doc comment.
    const DESCRIPTION: &'static str;
}

/// The typed `params` entry of one auth type, read with [`UiaaInfo::params`].
pub trait AuthParams: SpecType + serde::Serialize + serde::de::DeserializeOwned {
    /// The auth type whose params these are.
    const AUTH_TYPE: &'static str;
}

/// A tagged enum of the model ([`AuthData`], [`UserIdentifier`]): its
/// variants, listed once by `#[derive(Uia)]` so that nothing lists them by
/// hand again.
pub trait TaggedEnum {
    /// Every variant, in declaration order.
    const VARIANTS: &'static [VariantInfo];

    /// The index in [`TaggedEnum::VARIANTS`] of this value's variant.
    fn variant_index(&self) -> usize;

    /// The value's `"type"` (an unknown one too), or `None` for the
    /// variant without one (the fallback acknowledgement).
    fn type_tag(&self) -> Option<&str>;

    /// The `session` of the value's variant, when it has that field.
    fn session(&self) -> Option<&str>;

    /// What the enum says of this value's variant.
    fn variant(&self) -> &'static VariantInfo {
        &Self::VARIANTS[self.variant_index()]
    }
}

/// One variant of a [`TaggedEnum`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VariantInfo {
    /// The variant's name, e.g. `Password`.
    pub variant: &'static str,
    /// The name of the type it wraps, e.g. `Password`.
    pub type_name: &'static str,
    /// The `"type"` that selects it; `None` for the variant that keeps any
    /// other type and for the one with no type at all.
    pub tag: Option<&'static str>,
}
