//! Generic types are not supported.

use matrix_uia::{JsonObject, Uia};

#[derive(Uia)]
#[uia(auth_type = "org.example.generic")]
pub struct Generic<T> {
    pub value: T,
    #[uia(extra)]
    pub extra: JsonObject,
}

fn main() {}
