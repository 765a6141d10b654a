//! Two fields cannot have one JSON key, nor a field the `type` of a tagged struct.

use matrix_uia::{JsonObject, Uia};

#[derive(Uia)]
#[uia(auth_type = "org.example.pin")]
pub struct Pin {
    pub session: Option<String>,
    #[uia(rename = "session")]
    pub other_session: Option<String>,
    #[uia(rename = "type")]
    pub kind: String,
    #[uia(extra)]
    pub extra: JsonObject,
}

fn main() {}
