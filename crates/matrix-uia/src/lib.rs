//! The Matrix specification's [User-Interactive Authentication][uia] (UIA) as
//! typed, spec-verified Rust.
//!
//! Ruma's names, so Matrix developers feel at home: [`UiaaInfo`] (the 401
//! body), [`AuthFlow`], [`AuthType`], [`AuthData`] (the `auth` dict, one
//! struct per auth type), [`UserIdentifier`], [`StandardError`] and
//! [`UiaaResponse`]. Every example the spec publishes for these types is
//! extracted from the spec's source text and proven to round-trip (see
//! [`verify`]). Unknown keys, unknown auth types and the legacy forms of early
//! revisions are kept as sent, never dropped; `Debug` redacts secrets.
//!
//! Reading a 401 and answering it with the next stage:
//!
//! ```
//! use matrix_uia::{AuthData, AuthType, Password, UiaRequest, UiaaResponse, UserIdentifier};
//!
//! let body = br#"{"errcode": "M_FORBIDDEN", "error": "Invalid password",
//!     "flows": [{"stages": ["m.login.password"]}], "session": "xyz"}"#;
//! let UiaaResponse::AuthRequired(info) = UiaaResponse::from_http(401, body)? else { unreachable!() };
//! assert_eq!(info.auth_error.as_ref().unwrap().errcode.as_str(), "M_FORBIDDEN");
//! assert_eq!(info.flows[0].stages, [AuthType::Password]);
//! let auth = Password::new(UserIdentifier::user("@alice:example.org"), "hunter2", info.session.clone());
//! let retry = UiaRequest::new(serde_json::json!({"devices": ["ABC"]})).with_auth(AuthData::Password(auth));
//! assert_eq!(serde_json::to_value(&retry)?["auth"]["session"], "xyz");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Every type reads and writes JSON through [`Json`] too, with code the
//! derive generates for it; the result is the same as through serde, faster:
//!
//! ```
//! use matrix_uia::{AuthData, Json};
//!
//! let body = br#"{"type": "m.login.dummy", "session": "xyz", "org.example.flag": true}"#;
//! let auth = AuthData::from_json(body)?;
//! assert_eq!(auth, serde_json::from_slice::<AuthData>(body)?);
//! assert_eq!(auth.to_json(), serde_json::to_vec(&auth)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [uia]: https://spec.matrix.org/latest/client-server-api/#user-interactive-authentication-api

extern crate self as matrix_uia;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
#[cfg(feature = "axum")]
mod axum;
pub mod client;
#[cfg(feature = "http")]
pub mod http;
mod json;
mod model;
pub mod server;
pub mod verify;

pub use json::{Json, JsonError, from_json_slice, from_json_str, from_json_value};
pub use matrix_uia_derive::Uia;
pub use model::auth_data::{
    AuthData, CustomAuthData, Dummy, EmailIdentity, FallbackAcknowledgement, Msisdn, OAuth, OAuth2, Password,
    ReCaptcha, RegistrationToken, Sso, Terms, ThirdPartyCredentials, Token,
};
pub use model::auth_type::AuthType;
pub use model::error::{ErrorKind, StandardError};
pub use model::extra::Extra;
pub use model::identifier::{CustomIdentifier, PhoneNumber, ThirdPartyId, UserId, UserIdentifier};
pub use model::info::{AuthFlow, UiaaInfo};
pub use model::params::{
    OAuthParams, PolicyDefinition, PolicyTranslation, RawParams, ReCaptchaParams, TermsParams, Translations,
};
pub use model::request::UiaRequest;
pub use model::response::{FromHttpError, UNAUTHORIZED, UiaaResponse};

/// A JSON object: unknown keys, untyped endpoint bodies, the params a server [`Policy`](server::Policy) advertises.
pub type JsonObject = serde_json::Map<String, serde_json::Value>;

/// What the spec says of a type: its name, tag, sections and link.
/// `#[derive(Uia)]` implements it; [`verify`] and the docs read it.
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
pub trait AuthParams: SpecType + Json {
    /// The auth type whose params these are.
    const AUTH_TYPE: &'static str;
}
