//! The attribute keywords, in one place.

use std::fmt;

use syn::{Ident, Path};

/// An attribute keyword.
#[derive(Copy, Clone)]
pub struct Symbol(&'static str);

pub const UIA: Symbol = Symbol("uia");
pub const AUTH_TYPE: Symbol = Symbol("auth_type");
pub const ID_TYPE: Symbol = Symbol("id_type");
pub const PARAMS_FOR: Symbol = Symbol("params_for");
pub const SECTION: Symbol = Symbol("section");
pub const SPEC: Symbol = Symbol("spec");
pub const NEW: Symbol = Symbol("new");
pub const EXTRA: Symbol = Symbol("extra");
pub const RENAME: Symbol = Symbol("rename");
pub const SECRET: Symbol = Symbol("secret");
pub const FLATTEN: Symbol = Symbol("flatten");
pub const OTHER: Symbol = Symbol("other");
pub const UNTAGGED: Symbol = Symbol("untagged");

impl PartialEq<Symbol> for Ident {
    fn eq(&self, word: &Symbol) -> bool {
        self == word.0
    }
}

impl PartialEq<Symbol> for Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
