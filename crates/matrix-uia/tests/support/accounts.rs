//! The two accounts the engine's tests and fuzz target know: Alice and Bob,
//! by full user id or by localpart on `example.org`. Included by path where
//! the rest of `support` is not wanted (`server_rules.rs`, `xtask/fuzz`).

use matrix_uia::UserIdentifier;

/// The homeserver's password check for [`matrix_uia::server::PasswordStage`]:
/// the user id the password proves, or `None`.
pub fn password_check(identifier: &UserIdentifier, password: &str) -> Option<String> {
    let UserIdentifier::UserId(user) = identifier else { return None };
    let user_id =
        if user.user.starts_with('@') { user.user.clone() } else { format!("@{}:example.org", user.user) };
    match (user_id.as_str(), password) {
        ("@alice:example.org", "alice-secret") | ("@bob:example.org", "bob-secret") => Some(user_id),
        _ => None,
    }
}
