//! Unions are not supported.

use matrix_uia::Uia;

#[derive(Uia)]
pub union Bits {
    pub a: u32,
    pub b: f32,
}

fn main() {}
