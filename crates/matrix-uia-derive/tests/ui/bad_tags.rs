//! An empty tag, two tags, and a struct that is both an auth dict and params.

use matrix_uia::{JsonObject, Uia};

#[derive(Uia)]
#[uia(auth_type = "")]
pub struct Empty {
    #[uia(extra)]
    pub extra: JsonObject,
}

#[derive(Uia)]
#[uia(auth_type = "org.example.a", id_type = "org.example.b")]
pub struct TwoTags {
    #[uia(extra)]
    pub extra: JsonObject,
}

#[derive(Uia)]
#[uia(auth_type = "org.example.c", params_for = "org.example.c")]
pub struct Both {
    #[uia(extra)]
    pub extra: JsonObject,
}

fn main() {}
