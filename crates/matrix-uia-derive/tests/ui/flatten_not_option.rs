//! A flattened group is optional by nature (its keys may all be absent).

use matrix_uia::{JsonObject, StandardError, Uia};

#[derive(Uia)]
pub struct Info {
    pub session: String,
    #[uia(flatten)]
    pub error: StandardError,
    #[uia(extra)]
    pub extra: JsonObject,
}

fn main() {}
