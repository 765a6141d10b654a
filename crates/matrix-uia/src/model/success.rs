//! The success bodies of the endpoints that use UIA, where the spec shows
//! them beside the UIA exchange: what a client reads once a flow is done.

use matrix_uia_derive::Uia;

use crate::JsonObject;

/// The body of a 200 to `POST /register`: the new account and, unless the
/// client asked for none, its first device and access token.
///
/// Spec: [`POST /_matrix/client/v3/register`](https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3register).
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
#[uia(new, spec = "https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3register")]
pub struct RegistrationResponse {
    /// The fully-qualified Matrix user ID of the new account.
    pub user_id: String,
    /// An access token for the account; absent when the client set `inhibit_login`.
    #[uia(secret)]
    pub access_token: Option<String>,
    /// The device the access token belongs to.
    pub device_id: Option<String>,
    /// The lifetime of the access token, when it expires.
    pub expires_in_ms: Option<u64>,
    /// A refresh token, when the client asked for one.
    #[uia(secret)]
    pub refresh_token: Option<String>,
    /// The server name (deprecated: it is the `user_id`'s).
    pub home_server: Option<String>,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}

/// The body of a 200 to `POST /login`: the session the client logged in to.
///
/// Spec: [`POST /_matrix/client/v3/login`](https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3login).
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
#[uia(new, spec = "https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3login")]
pub struct LoginResponse {
    /// The fully-qualified Matrix user ID that logged in.
    pub user_id: String,
    /// The access token of the new session.
    #[uia(secret)]
    pub access_token: String,
    /// The device of the new session.
    pub device_id: String,
    /// The lifetime of the access token, when it expires.
    pub expires_in_ms: Option<u64>,
    /// A refresh token, when the client asked for one.
    #[uia(secret)]
    pub refresh_token: Option<String>,
    /// The server name (deprecated: it is the `user_id`'s).
    pub home_server: Option<String>,
    /// Where the client should look for its homeserver and identity server
    /// from now on, when the server says so.
    pub well_known: Option<JsonObject>,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}

/// The empty body of a 200 that carries nothing but success (`{}`): a
/// deleted device, a changed password, a deactivated account's partner
/// endpoints.
///
/// Spec: for example [`POST /_matrix/client/v3/delete_devices`](https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3delete_devices).
#[derive(Clone, Default, PartialEq, Uia)]
#[non_exhaustive]
#[uia(spec = "https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3delete_devices")]
pub struct EmptyResponse {
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}
