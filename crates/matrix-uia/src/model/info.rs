//! [`UiaaInfo`]: the body of a 401 that asks for authentication.

use matrix_uia_derive::Uia;
use serde_json::value::RawValue;

use super::auth_type::AuthType;
use super::error::StandardError;

use super::params::RawParams;
use crate::JsonObject;
use crate::{AuthParams, JsonError};

/// One way to authenticate: the stages to complete, in order.
///
/// Spec: [User-interactive API in the REST API](https://spec.matrix.org/latest/client-server-api/#user-interactive-api-in-the-rest-api).
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
#[uia(spec = "https://spec.matrix.org/latest/client-server-api/#user-interactive-api-in-the-rest-api")]
pub struct AuthFlow {
    /// The auth types of the stages, in the order they must be completed.
    pub stages: Vec<AuthType>,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}

impl AuthFlow {
    /// A flow of `stages`.
    pub fn new(stages: impl IntoIterator<Item = AuthType>) -> Self {
        AuthFlow { stages: stages.into_iter().collect(), extra: JsonObject::new() }
    }
}

/// The body of a 401 response from an endpoint that uses UIA: the flows the
/// server offers, the stages completed, the params of each auth type, the
/// session and, when the last attempt at a stage failed but may be retried,
/// the error (`errcode` and `error` at the top level of the body).
///
/// Spec: [User-interactive API in the REST API](https://spec.matrix.org/latest/client-server-api/#user-interactive-api-in-the-rest-api).
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
#[uia(section = "User-interactive API in the REST API")]
#[uia(spec = "https://spec.matrix.org/latest/client-server-api/#user-interactive-api-in-the-rest-api")]
pub struct UiaaInfo {
    /// The flows the client may follow; one of them must be completed.
    pub flows: Vec<AuthFlow>,
    /// The stages completed so far. Absent in the first 401 of a session;
    /// kept as sent (an empty list stays an empty list).
    pub completed: Option<Vec<AuthType>>,
    /// What the client needs to know for each auth type, by auth type, as
    /// the server sent it; read one typed with [`UiaaInfo::params`].
    pub params: Option<RawParams>,
    /// The session to pass back in every further attempt.
    pub session: Option<String>,
    /// The error of the last attempt at a stage, when it failed but may be
    /// retried: `errcode`, `error` and the code-specific keys the spec
    /// defines (`retry_after_ms`) beside the usual keys. A body with `error`
    /// but no `errcode` keeps `error` in `extra`. Other keys beside them are
    /// the body's: they are read into, and written from, [`UiaaInfo::extra`],
    /// never this error's own `extra`.
    #[uia(flatten)]
    pub auth_error: Option<StandardError>,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}

impl UiaaInfo {
    /// A first 401: these flows, no stage completed.
    pub fn new(flows: Vec<AuthFlow>, session: Option<String>) -> Self {
        UiaaInfo { flows, completed: None, params: None, session, auth_error: None, extra: JsonObject::new() }
    }

    /// The stages completed so far (empty when the body has no `completed`).
    pub fn completed(&self) -> &[AuthType] {
        self.completed.as_deref().unwrap_or_default()
    }

    /// The params of `P`'s auth type, typed: `None` when the server sent none,
    /// an error naming the JSON path when they do not match `P`.
    pub fn params<P: AuthParams>(&self) -> Option<Result<P, JsonError>> {
        self.params.as_ref()?.typed()
    }

    /// The params of `auth_type`, as JSON text (for an auth type the model has no params type for).
    pub fn params_of(&self, auth_type: &AuthType) -> Option<&RawValue> {
        self.params.as_ref()?.get(auth_type.as_str())
    }
}
