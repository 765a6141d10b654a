//! Session writes through a store from many tasks at once: what the SQLite
//! (`engine`) and PostgreSQL (`postgres`) benches time.

use std::sync::Arc;
use std::time::Instant;

use matrix_uia::AuthType;
use matrix_uia::server::{Session, SessionCaps, SessionStore};

/// A session as a first request stores it: two stages offered, none done.
pub fn session(id: String) -> Session {
    Session {
        id,
        request: [1; 32],
        created_ms: 0,
        expires_ms: i64::MAX as u64,
        offered: vec![AuthType::Terms, AuthType::Dummy].into(),
        completed: Vec::new(),
        user_id: None,
        failures: 0,
        consumed: false,
        version: 0,
        address: Some("192.0.2.1".to_owned()),
        requester: None,
    }
}

/// `n` sessions written (inserted, then advanced by compare-and-swap)
/// through `store` by `writers` tasks at once, on the caller's tokio
/// runtime: session writes per second.
pub async fn session_writes<S: SessionStore + 'static>(
    store: &Arc<S>,
    prefix: &str,
    n: u64,
    writers: u64,
) -> f64 {
    let start = Instant::now();
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let (store, prefix) = (store.clone(), prefix.to_owned());
            tokio::spawn(async move {
                for k in 0..n / writers {
                    let mut s = session(format!("{prefix}-{w}-{k}"));
                    store.insert(&s, SessionCaps::default()).await.unwrap();
                    s.completed.push(AuthType::Terms);
                    s.version = 1;
                    assert!(store.replace(&s).await.unwrap(), "a fresh session advances");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a writer");
    }
    (2 * (n / writers) * writers) as f64 / start.elapsed().as_secs_f64()
}
