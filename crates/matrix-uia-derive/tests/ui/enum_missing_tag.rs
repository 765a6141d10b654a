//! A variant with no tag: the enum cannot know when to choose it.

use matrix_uia::{Dummy, Password, Uia};

#[derive(Uia)]
pub enum Auth {
    #[uia(auth_type = "m.login.password")]
    Password(Password),
    Dummy(Dummy),
}

fn main() {}
