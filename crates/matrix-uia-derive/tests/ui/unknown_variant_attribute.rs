//! An unknown attribute on a variant lists the ones a variant takes.

use matrix_uia::{Dummy, Uia};

#[derive(Uia)]
pub enum Auth {
    #[uia(auth_type = "m.login.dummy", fallback)]
    Dummy(Dummy),
}

fn main() {}
