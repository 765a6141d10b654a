//! Conversions between the model and the [`http`] crate's requests and
//! responses, so that the engine and the driver plug into any HTTP stack.

use std::fmt;

use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{FromHttpError, JsonError, UiaaRequest, UiaaResponse, from_json_slice};

const JSON: &str = "application/json";

impl UiaaResponse {
    /// The HTTP response to send: status, `Content-Type: application/json`, body.
    pub fn to_http_response(&self) -> Result<http::Response<Vec<u8>>, serde_json::Error> {
        Ok(json_response(self.status(), self.to_json_bytes()?))
    }

    /// Read an HTTP response by the spec's rule (see [`UiaaResponse::from_http`]).
    pub fn from_http_response<B: AsRef<[u8]>>(response: &http::Response<B>) -> Result<Self, FromHttpError> {
        UiaaResponse::from_http(response.status().as_u16(), response.body().as_ref())
    }
}

impl<T: Serialize> UiaaRequest<T> {
    /// The HTTP request to send, with the access token as a bearer token when given.
    pub fn to_http_request(
        &self,
        method: http::Method,
        uri: &str,
        access_token: Option<&str>,
    ) -> Result<http::Request<Vec<u8>>, ToHttpError> {
        // `T` is the caller's: it may fail to serialize, or not be an object.
        let body = serde_json::to_vec(self).map_err(ToHttpError::Body)?;
        let mut builder = http::Request::builder().method(method).uri(uri).header(CONTENT_TYPE, JSON);
        if let Some(token) = access_token {
            builder = builder.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        builder.body(body).map_err(ToHttpError::Http)
    }
}

impl<T: DeserializeOwned> UiaaRequest<T> {
    /// Read a request's JSON body; a failure names the JSON path.
    pub fn from_http_request<B: AsRef<[u8]>>(request: &http::Request<B>) -> Result<Self, JsonError> {
        from_json_slice(request.body().as_ref())
    }
}

/// A JSON response with this status and body.
pub fn json_response(status: u16, body: Vec<u8>) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(body);
    *response.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
    response
}

/// The bearer token of a request, if it has one.
pub fn bearer_token<B>(request: &http::Request<B>) -> Option<&str> {
    request.headers().get(AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ")
}

/// Why a request could not be made: its body did not serialize (a body
/// type of the caller's that is not a JSON object), or the method, URI or a
/// header was invalid.
#[derive(Debug)]
pub enum ToHttpError {
    /// The body did not serialize.
    Body(serde_json::Error),
    /// The `http` crate refused a part of the request.
    Http(http::Error),
}

impl fmt::Display for ToHttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ToHttpError::Body(error) => write!(f, "the request body does not serialize: {error}"),
            ToHttpError::Http(error) => write!(f, "invalid request: {error}"),
        }
    }
}

impl std::error::Error for ToHttpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ToHttpError::Body(error) => Some(error),
            ToHttpError::Http(error) => Some(error),
        }
    }
}

#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
impl<S: crate::server::SessionStore> crate::server::Engine<S> {
    /// [`Engine::authorize`](crate::server::Engine::authorize) for an HTTP request: its method, path and JSON
    /// body, by `requester` (the user of its access token) from `client_address`.
    /// A body that is not a JSON object is answered 400 `M_NOT_JSON`.
    pub async fn authorize_http<B: AsRef<[u8]>>(
        &self,
        policy: &crate::server::Policy,
        request: &http::Request<B>,
        requester: Option<&str>,
        client_address: Option<&str>,
    ) -> Result<crate::server::Decision, crate::server::EngineError> {
        use crate::server::{Decision, IncomingRequest};
        let body = match crate::from_json_object(request.body().as_ref()) {
            Ok(body) => body,
            Err(error) => {
                let error = crate::StandardError::new(
                    crate::ErrorKind::NotJson,
                    format!("Invalid JSON body: {error}"),
                );
                return Ok(Decision::Respond(UiaaResponse::Error { status: 400, error }));
            }
        };
        let incoming = IncomingRequest::new(request.method().as_str(), request.uri().path(), &body)
            .requester(requester)
            .client_address(client_address);
        self.authorize(policy, incoming).await
    }
}
