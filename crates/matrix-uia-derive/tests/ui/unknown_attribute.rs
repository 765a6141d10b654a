//! Two unknown attributes, one on the struct and one on a field: both are
//! reported, not just the first.

use matrix_uia::{JsonObject, Uia};

#[derive(Uia)]
#[uia(frobnicate)]
pub struct Pin {
    #[uia(frobnicate = "yes")]
    pub pin: String,
    #[uia(extra)]
    pub extra: JsonObject,
}

fn main() {}
