//! Two variants with one auth type: the error points at the second literal
//! and names the first variant.

use matrix_uia::{Dummy, Terms, Uia};

#[derive(Uia)]
pub enum Auth {
    #[uia(auth_type = "m.login.dummy")]
    Dummy(Dummy),
    #[uia(auth_type = "m.login.dummy")]
    Terms(Terms),
}

fn main() {}
