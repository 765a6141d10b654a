//! What `#[derive(Uia)]` refuses, and the message it gives (`tests/ui/*.rs`
//! and their `.stderr`), and what it accepts outside the crate
//! (`tests/ui/pass/*.rs`).
//!
//! After a deliberate change to a message, regenerate the `.stderr` files with
//! `TRYBUILD=overwrite cargo test -p matrix-uia-derive --test compile_fail` and read
//! them: every error must point at the token that is wrong.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
