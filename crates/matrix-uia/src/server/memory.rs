//! The in-memory session store: one process, nothing survives a restart.

use std::collections::HashMap;
use std::sync::Mutex;

use super::core::SessionCaps;
use super::limits::Limit;
use super::session::Session;
use super::store::{Admission, SessionStore, StoreError};

/// Sessions in a `HashMap` behind a mutex: the default for tests and for a
/// single-process server that accepts losing sessions on restart. The lock
/// is held for a map operation, never across an `await`.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    sessions: HashMap<String, Session>,
    /// The ids of the sessions each address and requester started, pruned
    /// of the ones no longer live whenever a cap is checked: a list never
    /// grows past its cap.
    owners: HashMap<String, Vec<String>>,
    /// Failed attempts by key: the count and when its window ends.
    counts: HashMap<String, (u32, u64)>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// How many sessions it holds.
    pub fn len(&self) -> usize {
        self.lock().sessions.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-written session:
        // every write is one `insert` of a whole value.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The owner keys of a session, each with its cap.
fn owners(session: &Session, caps: SessionCaps) -> impl Iterator<Item = (String, u32)> {
    let address =
        session.address.as_ref().zip(caps.per_address).map(|(a, cap)| (format!("address {a}"), cap));
    let requester =
        session.requester.as_ref().zip(caps.per_requester).map(|(r, cap)| (format!("requester {r}"), cap));
    address.into_iter().chain(requester)
}

impl SessionStore for MemoryStore {
    async fn insert(&self, session: &Session, caps: SessionCaps) -> Result<Admission, StoreError> {
        let now = session.created_ms;
        let mut state = self.lock();
        let State { sessions, owners: started, .. } = &mut *state;
        let keys: Vec<(String, u32)> = owners(session, caps).collect();
        for (key, cap) in &keys {
            let Some(ids) = started.get_mut(key) else { continue };
            ids.retain(|id| sessions.get(id).is_some_and(|s| s.is_live(now)));
            if ids.len() >= *cap as usize {
                let first_end = ids.iter().filter_map(|id| sessions.get(id)).map(|s| s.expires_ms).min();
                return Ok(Admission::Limited {
                    retry_after_ms: first_end.unwrap_or(now).saturating_sub(now),
                });
            }
        }
        for (key, _) in keys {
            started.entry(key).or_default().push(session.id.clone());
        }
        sessions.insert(session.id.clone(), session.clone());
        Ok(Admission::Admitted)
    }

    async fn get(&self, id: &str) -> Result<Option<Session>, StoreError> {
        Ok(self.lock().sessions.get(id).cloned())
    }

    async fn replace(&self, session: &Session) -> Result<bool, StoreError> {
        let mut state = self.lock();
        match state.sessions.get_mut(&session.id) {
            Some(stored) if stored.version + 1 == session.version => {
                *stored = session.clone();
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn charge(&self, keys: &[(String, Limit)], now_ms: u64) -> Result<Admission, StoreError> {
        let mut state = self.lock();
        let current = |key: &str| state.counts.get(key).filter(|(_, end)| *end > now_ms);
        let full = keys
            .iter()
            .filter_map(|(key, limit)| {
                current(key).filter(|(count, _)| *count >= limit.max).map(|(_, end)| *end)
            })
            .max();
        if let Some(end) = full {
            return Ok(Admission::Limited { retry_after_ms: end - now_ms });
        }
        for (key, limit) in keys {
            let entry = state.counts.entry(key.clone()).or_insert((0, 0));
            if entry.1 <= now_ms {
                *entry = (0, now_ms.saturating_add(limit.window_ms()));
            }
            entry.0 += 1;
        }
        Ok(Admission::Admitted)
    }

    async fn refund(&self, keys: &[String], now_ms: u64) -> Result<(), StoreError> {
        let mut state = self.lock();
        for key in keys {
            if let Some((count, _)) = state.counts.get_mut(key).filter(|(_, end)| *end > now_ms) {
                *count = count.saturating_sub(1);
            }
        }
        Ok(())
    }

    async fn remove_expired(&self, now_ms: u64) -> Result<usize, StoreError> {
        let mut state = self.lock();
        let State { sessions, owners, counts } = &mut *state;
        let before = sessions.len();
        sessions.retain(|_, s| !s.is_expired(now_ms));
        owners.retain(|_, ids| {
            ids.retain(|id| sessions.contains_key(id));
            !ids.is_empty()
        });
        counts.retain(|_, (_, end)| *end > now_ms);
        Ok(before - sessions.len())
    }
}
