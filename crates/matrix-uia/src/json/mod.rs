//! Parsing JSON into the model with errors that name where, and the
//! derive's direct reader and writer ([`Json`]).

pub(crate) mod impls;
pub(crate) mod read;
mod scan;
pub(crate) mod write;

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

use read::Reader;
use write::Writer;

/// A type of the model, read from and written to JSON by code the derive
/// generated for it rather than through serde's data model.
///
/// [`Json::from_json`] gives exactly what [`from_json_slice`] gives, and
/// [`Json::to_json`] writes exactly the bytes of `serde_json::to_vec`: both
/// are checked on every spec example, by property tests and by the fuzz
/// targets. They are faster because they know the type: a struct's keys are
/// matched as strings and written as literals, strings are borrowed from the
/// input until the field takes them, and the keys of an auth dict that come
/// before `"type"` are read once the tag is known, from where they are,
/// instead of being buffered. Input the direct reader does not handle itself
/// (a string with an escape, a repeated key, anything that is not valid)
/// goes through serde_json, which gives the value or the error.
///
/// `#[derive(Uia)]` implements it; so does this crate for the std types the
/// model is made of.
pub trait Json: Serialize + DeserializeOwned {
    #[doc(hidden)]
    fn read_json(reader: &mut Reader<'_>) -> Option<Self>;

    #[doc(hidden)]
    fn write_json(&self, writer: &mut Writer);

    /// Parse `bytes`; a failure names the JSON path (as [`from_json_slice`]).
    fn from_json(bytes: &[u8]) -> Result<Self, JsonError> {
        match read_direct(bytes) {
            Some(value) => Ok(value),
            None => from_json_slice(bytes),
        }
    }

    /// The value as compact JSON: the bytes `serde_json::to_vec` writes.
    fn to_json(&self) -> Vec<u8> {
        let mut writer = Writer::new();
        self.write_json(&mut writer);
        writer.into_bytes()
    }
}

/// `bytes` read by the direct reader alone: `None` where it hands over to
/// serde_json. For the tests and fuzz targets that compare the two.
#[doc(hidden)]
pub fn read_direct<T: Json>(bytes: &[u8]) -> Option<T> {
    let mut reader = Reader::new(std::str::from_utf8(bytes).ok()?);
    // The value is returned where it was read, not moved out and back in.
    let value = T::read_json(&mut reader);
    match reader.end() {
        Some(()) => value,
        None => None,
    }
}

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
