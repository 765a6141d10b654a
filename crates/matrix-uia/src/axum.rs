//! `axum` integration: answer with a [`UiaaResponse`] straight from a handler.

use axum::body::Body;
use axum::response::{IntoResponse, Response};

use crate::UiaaResponse;

#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
impl IntoResponse for UiaaResponse {
    fn into_response(self) -> Response {
        match self.to_http_response() {
            Ok(response) => response.map(Body::from),
            // The model's types always serialize; if one ever did not, the
            // client still gets Matrix JSON, and no internal text.
            Err(_) => crate::http::json_response(500, INTERNAL_ERROR.to_vec()).map(Body::from),
        }
    }
}

const INTERNAL_ERROR: &[u8] = br#"{"errcode":"M_UNKNOWN","error":"Internal server error"}"#;
