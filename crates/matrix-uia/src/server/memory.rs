//! The in-memory session store: one process, nothing survives a restart.

use std::collections::HashMap;
use std::sync::Mutex;

use super::session::Session;
use super::store::{SessionStore, StoreError};

/// Sessions in a `HashMap` behind a mutex: the default for tests and for a
/// single-process server that accepts losing sessions on restart.
#[derive(Debug, Default)]
pub struct MemoryStore {
    sessions: Mutex<HashMap<String, Session>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// How many sessions it holds.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        // A panic while holding the lock cannot leave a half-written session:
        // every write is one `insert` of a whole value.
        self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl SessionStore for MemoryStore {
    fn insert(&self, session: &Session) -> Result<(), StoreError> {
        self.lock().insert(session.id.clone(), session.clone());
        Ok(())
    }

    fn get(&self, id: &str) -> Result<Option<Session>, StoreError> {
        Ok(self.lock().get(id).cloned())
    }

    fn replace(&self, session: &Session) -> Result<bool, StoreError> {
        let mut sessions = self.lock();
        match sessions.get_mut(&session.id) {
            Some(stored) if stored.version + 1 == session.version => {
                *stored = session.clone();
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn remove_expired(&self, now_ms: u64) -> Result<usize, StoreError> {
        let mut sessions = self.lock();
        let before = sessions.len();
        sessions.retain(|_, s| !s.is_expired(now_ms));
        Ok(before - sessions.len())
    }
}
