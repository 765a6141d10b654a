//! [`UiaaResponse`]: what a UIA endpoint answers when it does not proceed.

use std::fmt;

use serde::{Serialize, Serializer};

use super::error::StandardError;
use super::info::UiaaInfo;
use crate::SpecType;
use crate::{JsonError, from_json_slice};

/// The status of a response that asks for authentication.
pub const UNAUTHORIZED: u16 = 401;

/// A UIA endpoint's answer when it does not perform the request.
///
/// The spec's rule, since the change "UI Auth: servers should 401 when a
/// request fails": a stage that failed but may be retried answers **401 with
/// the usual UIA body plus `errcode` and `error`** ([`UiaaResponse::AuthRequired`]
/// with [`UiaaInfo::auth_error`] set); a request that fails for any other
/// reason answers the **standard error format** ([`UiaaResponse::Error`]).
///
/// Spec: [User-interactive API in the REST API](https://spec.matrix.org/latest/client-server-api/#user-interactive-api-in-the-rest-api).
#[derive(Clone, Debug, PartialEq)]
pub enum UiaaResponse {
    /// 401 with a UIA body: authenticate (further), possibly after a failed attempt.
    AuthRequired(UiaaInfo),
    /// Any other failure, in the standard error format.
    Error {
        /// The HTTP status.
        status: u16,
        /// The body.
        error: StandardError,
    },
}

/// Why a response could not be read as a [`UiaaResponse`].
#[derive(Debug)]
pub enum FromHttpError {
    /// The status is not an error (below 400): the endpoint's own response,
    /// which is not this crate's to read.
    NotAnError {
        /// The HTTP status.
        status: u16,
    },
    /// The body is not JSON, or not JSON of the shape the status calls for.
    Body {
        /// The HTTP status.
        status: u16,
        /// What is wrong, and where.
        error: JsonError,
    },
}

impl fmt::Display for FromHttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FromHttpError::NotAnError { status } => {
                write!(f, "status {status} is not an error: read the body as the endpoint's response")
            }
            FromHttpError::Body { status, error } => write!(f, "body of the {status} response {error}"),
        }
    }
}

impl std::error::Error for FromHttpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FromHttpError::Body { error, .. } => Some(error),
            FromHttpError::NotAnError { .. } => None,
        }
    }
}

impl UiaaResponse {
    /// Read an HTTP response by the spec's rule: a 401 whose body is a UIA
    /// body (it has `flows`) is [`AuthRequired`](UiaaResponse::AuthRequired),
    /// with `auth_error` set when the body has `errcode`; any other error
    /// status, and a 401 that is not a UIA body (`M_UNKNOWN_TOKEN`), is
    /// [`Error`](UiaaResponse::Error). A body that fits neither is an error
    /// naming the JSON path; nothing here panics.
    pub fn from_http(status: u16, body: &[u8]) -> Result<UiaaResponse, FromHttpError> {
        if status < 400 {
            return Err(FromHttpError::NotAnError { status });
        }
        let body_error = |error| FromHttpError::Body { status, error };
        if status == UNAUTHORIZED {
            match from_json_slice::<UiaaInfo>(body) {
                Ok(info) => return Ok(UiaaResponse::AuthRequired(info)),
                // A 401 without `flows` is an ordinary error (a bad access token);
                // with `flows`, the UIA body itself is wrong.
                Err(error) if error.is_syntax() || has_flows(body) => return Err(body_error(error)),
                Err(_) => {}
            }
        }
        let error = from_json_slice::<StandardError>(body).map_err(body_error)?;
        Ok(UiaaResponse::Error { status, error })
    }

    /// The HTTP status to answer with.
    pub fn status(&self) -> u16 {
        match self {
            UiaaResponse::AuthRequired(_) => UNAUTHORIZED,
            UiaaResponse::Error { status, .. } => *status,
        }
    }

    /// The body to answer with. The model's types always serialize; the
    /// error is passed on rather than hidden all the same.
    pub fn to_json_bytes(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }

    /// The error of a failed stage or of the request, if any.
    pub fn error(&self) -> Option<&StandardError> {
        match self {
            UiaaResponse::AuthRequired(info) => info.auth_error.as_ref(),
            UiaaResponse::Error { error, .. } => Some(error),
        }
    }
}

fn has_flows(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body)
        .is_ok_and(|map| map.contains_key("flows"))
}

impl Serialize for UiaaResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            UiaaResponse::AuthRequired(info) => info.serialize(serializer),
            UiaaResponse::Error { error, .. } => error.serialize(serializer),
        }
    }
}

#[cfg(feature = "schema")]
#[cfg_attr(docsrs, doc(cfg(feature = "schema")))]
impl schemars::JsonSchema for UiaaResponse {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("UiaaResponse")
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let info = generator.subschema_for::<UiaaInfo>().to_value();
        let error = generator.subschema_for::<StandardError>().to_value();
        crate::__private::any_of_schema("UiaaResponse", Self::DESCRIPTION, vec![info, error])
    }
}

impl SpecType for UiaaResponse {
    const NAME: &'static str = "UiaaResponse";
    const TAG: Option<&'static str> = None;
    const PARAMS_FOR: Option<&'static str> = None;
    const SECTIONS: &'static [&'static str] = &["User-interactive API in the REST API"];
    const SPEC_URL: &'static str =
        "https://spec.matrix.org/latest/client-server-api/#user-interactive-api-in-the-rest-api";
    const DESCRIPTION: &'static str = "The body of a UIA endpoint's answer when it does not perform the \
        request: 401 with a UIA body (plus `errcode` and `error` when a stage failed but may be retried), \
        or any error status with the standard error format.";
}
