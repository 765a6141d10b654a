//! Parsing JSON into the model with errors that name where: serde_json
//! reads, and a body that fails is read again to find the JSON path of the
//! fault, so that the common case pays nothing for it.

use std::fmt;

use serde::de::DeserializeOwned;

/// A body that does not fit a type: the JSON path of the fault and what is wrong.
#[derive(Debug)]
pub struct JsonError {
    path: String,
    inner: serde_json::Error,
}

impl JsonError {
    /// The JSON path of the fault, e.g. `flows[0].stages[1]`, or `.` for the whole value.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The underlying error.
    pub fn inner(&self) -> &serde_json::Error {
        &self.inner
    }

    /// Whether the body is not JSON at all (as opposed to JSON of another shape).
    pub fn is_syntax(&self) -> bool {
        matches!(
            self.inner.classify(),
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof
        )
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at `{}`: {}", self.path, self.inner)
    }
}

impl std::error::Error for JsonError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.inner)
    }
}

impl From<serde_path_to_error::Error<serde_json::Error>> for JsonError {
    fn from(error: serde_path_to_error::Error<serde_json::Error>) -> Self {
        JsonError { path: error.path().to_string(), inner: error.into_inner() }
    }
}

/// Parse `bytes` as `T`; a failure names the JSON path.
pub fn from_json_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, JsonError> {
    // Path tracking copies every key: parse without it, and only a body that
    // fails is parsed again to name where.
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer)?;
    deserializer.end().map_err(|inner| JsonError { path: ".".to_owned(), inner })?;
    Ok(value)
}

/// Parse `text` as `T`; a failure names the JSON path.
pub fn from_json_str<T: DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    from_json_slice(text.as_bytes())
}

/// Convert a JSON value into `T`; a failure names the JSON path.
pub fn from_json_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, JsonError> {
    Ok(serde_path_to_error::deserialize(value)?)
}

/// Parse `bytes` as a JSON object under the model's duplicate-key policy (no
/// key repeated at any depth), its values untyped: an endpoint's request
/// body, whose `auth` the engine reads and answers for itself. A failure
/// names the JSON path.
pub fn from_json_object(bytes: &[u8]) -> Result<crate::JsonObject, JsonError> {
    struct Object(crate::JsonObject);

    impl<'de> serde::Deserialize<'de> for Object {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            crate::__private::deserialize_unique_object(deserializer).map(Object)
        }
    }

    from_json_slice::<Object>(bytes).map(|object| object.0)
}
