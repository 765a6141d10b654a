//! Every UIA type keeps the keys it does not know: it needs an `extra` map.

use matrix_uia::Uia;

#[derive(Uia)]
#[uia(auth_type = "org.example.pin")]
pub struct Pin {
    pub pin: String,
    pub session: Option<String>,
}

fn main() {}
