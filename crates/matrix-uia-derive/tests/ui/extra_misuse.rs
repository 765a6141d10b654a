//! `extra` takes no other attribute, and there is only one.

use matrix_uia::{JsonObject, Uia};

#[derive(Uia)]
pub struct Twice {
    #[uia(extra, secret)]
    pub extra: JsonObject,
    #[uia(extra)]
    pub more: JsonObject,
}

fn main() {}
