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
//! busy timeout); a store on a database server implements the same
//! operations with `INSERT`, `SELECT`, `UPDATE … WHERE id = $1 AND version = $2`
//! (the row count says whether it won) and `DELETE … WHERE expires_ms <= $1`.
//! The counts of failed attempts live in the store too, so that every worker
//! limits the same attempts.

use std::fmt;

use super::core::SessionCaps;
use super::limits::Limit;
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

/// Whether a new session or a charged attempt was let in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// It was: the session is stored, the attempt counted.
    Admitted,
    /// A cap or a limit is reached; nothing was stored or counted.
    Limited {
        /// When the client may try again.
        retry_after_ms: u64,
    },
}

/// Session storage, shared by every request (and every worker) of a server.
///
/// Every method is async: a store does I/O, and the engine runs on the
/// homeserver's executor. A store that blocks (a file, a socket without an
/// async driver) does its work off the executor, as `SqliteStore` (feature `sqlite`)
/// does on a thread of its own. Implement the methods with `async fn`; the
/// futures must be `Send`, so that the engine's future is.
pub trait SessionStore: Send + Sync {
    /// Add a new session (its id is fresh from the CSPRNG) unless its client
    /// already holds as many live sessions ([`Session::is_live`]) as `caps`
    /// allow: per [`Session::address`] and per [`Session::requester`]. The
    /// count and the insert are one atomic step, so that concurrent requests
    /// cannot overrun a cap. `Limited` says when the client's oldest live
    /// session ends.
    fn insert(
        &self,
        session: &Session,
        caps: SessionCaps,
    ) -> impl Future<Output = Result<Admission, StoreError>> + Send;

    /// The session with this id, expired or not (the engine checks).
    fn get(&self, id: &str) -> impl Future<Output = Result<Option<Session>, StoreError>> + Send;

    /// Write `session` if the stored one still has version `session.version - 1`.
    /// `Ok(false)` when another writer came first (or it is gone).
    fn replace(&self, session: &Session) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Count one attempt on each key at `now_ms`, in one atomic step, if
    /// every key is under its limit; otherwise count nothing and say when
    /// the latest of the full keys' windows ends. A key's window starts at
    /// its first count and its count starts again when the window ends.
    fn charge(
        &self,
        keys: &[(String, Limit)],
        now_ms: u64,
    ) -> impl Future<Output = Result<Admission, StoreError>> + Send;

    /// Give back one attempt on each key (the stage passed), if its window
    /// has not ended.
    fn refund(&self, keys: &[String], now_ms: u64) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Delete the sessions that expired by `now_ms`, and the counts whose
    /// windows ended; how many sessions there were.
    fn remove_expired(&self, now_ms: u64) -> impl Future<Output = Result<usize, StoreError>> + Send;
}

impl<S: SessionStore + ?Sized> SessionStore for std::sync::Arc<S> {
    async fn insert(&self, session: &Session, caps: SessionCaps) -> Result<Admission, StoreError> {
        (**self).insert(session, caps).await
    }

    async fn get(&self, id: &str) -> Result<Option<Session>, StoreError> {
        (**self).get(id).await
    }

    async fn replace(&self, session: &Session) -> Result<bool, StoreError> {
        (**self).replace(session).await
    }

    async fn charge(&self, keys: &[(String, Limit)], now_ms: u64) -> Result<Admission, StoreError> {
        (**self).charge(keys, now_ms).await
    }

    async fn refund(&self, keys: &[String], now_ms: u64) -> Result<(), StoreError> {
        (**self).refund(keys, now_ms).await
    }

    async fn remove_expired(&self, now_ms: u64) -> Result<usize, StoreError> {
        (**self).remove_expired(now_ms).await
    }
}
