//! Where sessions live: the contract every store keeps.
//!
//! The engine never holds a lock across a stage check (a password hash takes
//! milliseconds). It reads a session, decides, and writes the result back
//! with [`SessionStore::replace`], which succeeds only if nobody wrote the
//! session in between (its `version` is the one read). A loser re-reads and
//! decides again, so two concurrent submissions can never both complete a
//! stage or both authorise the request.
//!
//! This is also how several homeserver workers share sessions: give them one
//! store. The bundled SQLite store works across processes on one machine (WAL,
//! busy timeout); a PostgreSQL store implements the same four operations with
//! `INSERT`, `SELECT`, `UPDATE … WHERE id = $1 AND version = $2` (the row
//! count says whether it won) and `DELETE … WHERE expires_ms <= $1`.

use std::fmt;

use super::session::Session;
use crate::{AuthType, ErrorKind, StandardError, UiaaResponse};

/// A store failure: the request can be retried.
#[derive(Debug)]
pub struct StoreError(pub Box<dyn std::error::Error + Send + Sync>);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "session store: {}", self.0)
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// A failure of the server's own, not the client's: the engine hands it to
/// the homeserver to log, and the client gets [`EngineError::response`].
#[derive(Debug)]
#[non_exhaustive]
pub enum EngineError {
    /// The session store failed; the request can be retried.
    Store(StoreError),
    /// A policy offers a stage that no verifier checks: a configuration error.
    NoVerifier(AuthType),
    /// The operating system gave no randomness for a session id.
    Randomness(String),
}

impl EngineError {
    /// What to answer: 500 `M_UNKNOWN`, with no internal text.
    pub fn response(&self) -> UiaaResponse {
        let error = StandardError::new(ErrorKind::Unknown, "Internal server error; retry the request later");
        UiaaResponse::Error { status: 500, error }
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::Store(error) => error.fmt(f),
            EngineError::NoVerifier(auth_type) => {
                write!(f, "a policy offers `{auth_type}`, but no verifier is registered for it")
            }
            EngineError::Randomness(error) => write!(f, "no randomness for a session id: {error}"),
        }
    }
}

impl std::error::Error for EngineError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EngineError::Store(error) => Some(error),
            _ => None,
        }
    }
}

impl From<StoreError> for EngineError {
    fn from(error: StoreError) -> Self {
        EngineError::Store(error)
    }
}

/// Session storage, shared by every request (and every worker) of a server.
pub trait SessionStore: Send + Sync {
    /// Add a new session. Its id is fresh from the CSPRNG.
    fn insert(&self, session: &Session) -> Result<(), StoreError>;

    /// The session with this id, expired or not (the engine checks).
    fn get(&self, id: &str) -> Result<Option<Session>, StoreError>;

    /// Write `session` if the stored one still has version `session.version - 1`.
    /// `Ok(false)` when another writer came first (or it is gone).
    fn replace(&self, session: &Session) -> Result<bool, StoreError>;

    /// Delete the sessions that expired by `now_ms`; how many there were.
    fn remove_expired(&self, now_ms: u64) -> Result<usize, StoreError>;
}

impl<S: SessionStore + ?Sized> SessionStore for std::sync::Arc<S> {
    fn insert(&self, session: &Session) -> Result<(), StoreError> {
        (**self).insert(session)
    }

    fn get(&self, id: &str) -> Result<Option<Session>, StoreError> {
        (**self).get(id)
    }

    fn replace(&self, session: &Session) -> Result<bool, StoreError> {
        (**self).replace(session)
    }

    fn remove_expired(&self, now_ms: u64) -> Result<usize, StoreError> {
        (**self).remove_expired(now_ms)
    }
}
