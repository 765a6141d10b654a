//! The variant says one auth type and its struct another: a `const` check of
//! the struct's `SpecType::TAG` refuses it.

use matrix_uia::{JsonObject, Uia};

#[derive(Uia)]
#[uia(auth_type = "org.example.pin")]
pub struct Pin {
    pub pin: String,
    #[uia(extra)]
    pub extra: JsonObject,
}

#[derive(Uia)]
pub enum Auth {
    #[uia(auth_type = "org.example.password")]
    Pin(Pin),
}

fn main() {}
