//! Enum shapes the derive refuses: a tag on the enum itself, a variant that
//! is not a newtype, a variant with two roles, two `other` variants, and a mix
//! of auth types and identifier types.

use matrix_uia::{CustomAuthData, Dummy, Uia, UserId};

#[derive(Uia)]
#[uia(auth_type = "m.login.dummy")]
pub enum Tagged {
    #[uia(auth_type = "m.login.dummy")]
    Dummy(Dummy),
}

#[derive(Uia)]
pub enum Shapes {
    #[uia(auth_type = "m.login.dummy")]
    Dummy { dummy: Dummy },
    #[uia(auth_type = "m.login.terms", other)]
    Both(CustomAuthData),
}

#[derive(Uia)]
pub enum TwoOthers {
    #[uia(other)]
    A(CustomAuthData),
    #[uia(other)]
    B(CustomAuthData),
}

#[derive(Uia)]
pub enum Mixed {
    #[uia(auth_type = "m.login.dummy")]
    Dummy(Dummy),
    #[uia(id_type = "m.id.user")]
    User(UserId),
}

fn main() {}
