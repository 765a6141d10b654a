//! Conversions between the model and the [`http`] crate's requests and
//! responses, so that the engine and the driver plug into any HTTP stack.

use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::server::{Decision, Engine, IncomingRequest, Policy, SessionStore};
use crate::{FromHttpError, JsonError, JsonObject, UiaRequest, UiaaResponse, from_json_slice};

const JSON: &str = "application/json";

impl UiaaResponse {
    /// The HTTP response to send: status, `Content-Type: application/json`, body.
    pub fn to_http_response(&self) -> http::Response<Vec<u8>> {
        json_response(self.status(), self.to_json_bytes())
    }

    /// Read an HTTP response by the spec's rule (see [`UiaaResponse::from_http`]).
    pub fn from_http_response<B: AsRef<[u8]>>(response: &http::Response<B>) -> Result<Self, FromHttpError> {
        UiaaResponse::from_http(response.status().as_u16(), response.body().as_ref())
    }
}

impl<T: Serialize> UiaRequest<T> {
    /// The HTTP request to send, with the access token as a bearer token when given.
    pub fn to_http_request(
        &self,
        method: http::Method,
        uri: &str,
        access_token: Option<&str>,
    ) -> Result<http::Request<Vec<u8>>, http::Error> {
        // A UIA request body is a JSON object of strings and values: it serializes.
        let body = serde_json::to_vec(self).unwrap_or_default();
        let mut builder = http::Request::builder().method(method).uri(uri).header(CONTENT_TYPE, JSON);
        if let Some(token) = access_token {
            builder = builder.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        builder.body(body)
    }
}

impl<T: DeserializeOwned> UiaRequest<T> {
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

impl<S: SessionStore> Engine<S> {
    /// [`Engine::authorize`] for an HTTP request: its method, path and JSON
    /// body. A body that is not a JSON object is answered 400 `M_NOT_JSON`.
    pub fn authorize_http<B: AsRef<[u8]>>(
        &self,
        policy: &Policy,
        request: &http::Request<B>,
        requester: Option<&str>,
    ) -> Decision {
        let body: JsonObject = match from_json_slice(request.body().as_ref()) {
            Ok(body) => body,
            Err(error) => {
                let error = crate::StandardError::new(
                    crate::ErrorKind::NotJson,
                    format!("Invalid JSON body: {error}"),
                );
                return Decision::Respond(UiaaResponse::Error { status: 400, error });
            }
        };
        let incoming = IncomingRequest {
            method: request.method().as_str(),
            path: request.uri().path(),
            requester,
            body: &body,
        };
        self.authorize(policy, &incoming)
    }
}
