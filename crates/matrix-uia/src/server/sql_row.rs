//! A session as a row of the SQL stores (SQLite and PostgreSQL): the
//! columns in the order each store's `from_row` reads them, and the stage
//! lists as JSON text.

use crate::AuthType;

/// The columns of `uia_sessions`, in the order the stores read them; a macro
/// so that every statement is a literal (`concat!`) that a statement cache
/// finds without building it.
macro_rules! session_columns {
    () => {
        "id, request, created_ms, expires_ms, offered, completed, user_id, failures, consumed, version, \
         address, requester"
    };
}
pub(crate) use session_columns;

/// A stage list as the stores keep it: JSON text.
pub(crate) fn stages_to_text(stages: &[AuthType]) -> String {
    serde_json::to_string(stages).unwrap_or_else(|_| "[]".to_owned())
}

/// A stage list read back; an unreadable one is empty (the session then
/// offers and has completed nothing, which refuses every attempt).
pub(crate) fn stages_from_text(text: &str) -> Vec<AuthType> {
    serde_json::from_str(text).unwrap_or_default()
}
