//! A `type` tag needs named fields to sit beside; the error points at the tag.

use matrix_uia::Uia;

#[derive(Uia)]
#[uia(auth_type = "org.example.pin")]
pub struct Pin(pub String);

fn main() {}
