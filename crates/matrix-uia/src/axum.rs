//! `axum` integration: answer with a [`UiaaResponse`] straight from a handler.

use axum::body::Body;
use axum::response::{IntoResponse, Response};

use crate::UiaaResponse;

impl IntoResponse for UiaaResponse {
    fn into_response(self) -> Response {
        self.to_http_response().map(Body::from)
    }
}
