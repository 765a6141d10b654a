//! A UIA session as the engine keeps it.

use std::sync::Arc;

use crate::AuthType;

/// The state of one UIA session: what it was started for, what is done, and
/// what it has cost. Small on purpose: a busy server keeps many of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The session id: 128 bits from the OS's CSPRNG, as 32 hex digits.
    pub id: String,
    /// SHA-256 of the request the session was started for: method, path,
    /// requester and the body without `auth`, canonicalised (see [`super::binding`]).
    pub request: [u8; 32],
    /// When it was created, in milliseconds since the Unix epoch.
    pub created_ms: u64,
    /// When it stops being usable, in milliseconds since the Unix epoch.
    pub expires_ms: u64,
    /// The stages the endpoint offered when the session started: only these
    /// can be completed, whatever a fallback page reports. Shared: it never
    /// changes, and every lookup copies the session.
    pub offered: Arc<[AuthType]>,
    /// The stages completed, in the order they were.
    pub completed: Vec<AuthType>,
    /// The user the stages proved, once one has.
    pub user_id: Option<String>,
    /// Failed attempts so far.
    pub failures: u32,
    /// Whether the session has authorised its request: it cannot again.
    pub consumed: bool,
    /// Bumped on every write, so that concurrent writers cannot both win.
    pub version: u64,
    /// The client address that started it, when the homeserver gave one:
    /// what the sessions-per-address cap counts.
    pub address: Option<String>,
    /// The requester that started it: what the sessions-per-requester cap counts.
    pub requester: Option<String>,
}

impl Session {
    /// Whether the session can no longer be used at `now_ms`.
    pub fn is_expired(&self, now_ms: u64) -> bool {
        now_ms >= self.expires_ms
    }

    /// Whether it can still be used at `now_ms`: what the caps count.
    pub fn is_live(&self, now_ms: u64) -> bool {
        !self.consumed && !self.is_expired(now_ms)
    }
}
