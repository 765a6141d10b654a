//! The contract every `SessionStore` keeps, as one suite that runs against
//! each store (`server_shell.rs`: memory and SQLite; `postgres.rs`:
//! PostgreSQL), and the engine's guarantees that rest on it under
//! concurrent requests.

use std::sync::Arc;
use std::time::Duration;

use std::future::ready;

use matrix_uia::server::{
    Admission, Decision, Engine, EngineConfig, IncomingRequest, Limit, PasswordStage, Policy, Session,
    SessionCaps, SessionStore,
};
use matrix_uia::{AuthType, JsonObject, UiaaResponse};
use serde_json::{Value, json};
use tokio::sync::Barrier;

use super::accounts::password_check;

/// A live session `id` started at `now` by `address` and `requester`.
pub fn session(id: &str, now: u64, address: Option<&str>, requester: Option<&str>) -> Session {
    Session {
        id: id.to_owned(),
        request: [7; 32],
        created_ms: now,
        expires_ms: now + 1_000,
        offered: vec![AuthType::Dummy].into(),
        completed: Vec::new(),
        user_id: None,
        failures: 0,
        consumed: false,
        version: 0,
        address: address.map(str::to_owned),
        requester: requester.map(str::to_owned),
    }
}

const NO_CAPS: SessionCaps = SessionCaps { per_address: None, per_requester: None };

/// Every clause of the contract, on an empty `store`.
pub async fn contract<S: SessionStore>(store: &S) {
    reads_what_it_wrote_and_swaps_on_the_version(store).await;
    caps_count_live_sessions_per_owner(store).await;
    charges_count_in_windows_and_refunds_give_back(store).await;
    removes_what_expired(store).await;
}

async fn reads_what_it_wrote_and_swaps_on_the_version<S: SessionStore>(store: &S) {
    let mut s = session("abc", 10, Some("192.0.2.1"), Some("@a:b"));
    assert_eq!(store.insert(&s, NO_CAPS).await.unwrap(), Admission::Admitted);
    assert_eq!(store.get("abc").await.unwrap().as_ref(), Some(&s), "every field reads back");
    assert_eq!(store.get("nope").await.unwrap(), None);
    let mut stale = s.clone();
    stale.version = 5;
    assert!(!store.replace(&stale).await.unwrap(), "a write from a stale read loses");
    s.version = 1;
    s.user_id = Some("@a:b".to_owned());
    s.completed.push(AuthType::Dummy);
    s.failures = 2;
    assert!(store.replace(&s).await.unwrap());
    assert!(!store.replace(&s).await.unwrap(), "the same version twice: the second loses");
    assert_eq!(store.get("abc").await.unwrap().as_ref(), Some(&s));
    s.consumed = true;
    s.version = 2;
    assert!(store.replace(&s).await.unwrap());
    assert!(store.get("abc").await.unwrap().unwrap().consumed);
}

async fn caps_count_live_sessions_per_owner<S: SessionStore>(store: &S) {
    let caps = SessionCaps { per_address: Some(2), per_requester: Some(3) };
    let now = 100;
    for id in ["c1", "c2"] {
        let s = session(id, now, Some("198.51.100.1"), None);
        assert_eq!(store.insert(&s, caps).await.unwrap(), Admission::Admitted, "{id}");
    }
    let third = session("c3", now + 10, Some("198.51.100.1"), None);
    // The first of the address's sessions ends at `now + 1000`.
    assert_eq!(
        store.insert(&third, caps).await.unwrap(),
        Admission::Limited { retry_after_ms: 1_000 - 10 },
        "a third live session of one address"
    );
    assert_eq!(store.get("c3").await.unwrap(), None, "a capped session is not stored");
    assert_eq!(store.insert(&third, NO_CAPS).await.unwrap(), Admission::Admitted, "caps are the caller's");
    // A used session does not count.
    let mut used = store.get("c1").await.unwrap().unwrap();
    used.consumed = true;
    used.version += 1;
    assert!(store.replace(&used).await.unwrap());
    let fourth = session("c4", now + 20, Some("198.51.100.2"), Some("@r:x"));
    assert_eq!(store.insert(&fourth, caps).await.unwrap(), Admission::Admitted, "another address");
    // An expired one neither: at `now + 1000` the address's first two have ended.
    let later = session("c5", now + 1_000, Some("198.51.100.1"), None);
    assert_eq!(store.insert(&later, caps).await.unwrap(), Admission::Admitted);
    // Per requester, whatever the address.
    for (i, address) in ["a", "b"].into_iter().enumerate() {
        let s = session(&format!("r{i}"), now + 20, Some(address), Some("@r:x"));
        assert_eq!(store.insert(&s, caps).await.unwrap(), Admission::Admitted);
    }
    let over = session("r9", now + 20, Some("c"), Some("@r:x"));
    assert!(matches!(store.insert(&over, caps).await.unwrap(), Admission::Limited { .. }));
}

async fn charges_count_in_windows_and_refunds_give_back<S: SessionStore>(store: &S) {
    let user = (String::from("user alice"), Limit::new(2, Duration::from_millis(500)));
    let address = (String::from("address 192.0.2.9"), Limit::new(3, Duration::from_millis(500)));
    let both = [user.clone(), address.clone()];
    assert_eq!(store.charge(&both, 1_000).await.unwrap(), Admission::Admitted);
    assert_eq!(store.charge(&both, 1_100).await.unwrap(), Admission::Admitted);
    // The user's window started at 1000: it ends at 1500.
    assert_eq!(store.charge(&both, 1_200).await.unwrap(), Admission::Limited { retry_after_ms: 300 });
    // Nothing was counted by the refused charge: the address has room for one.
    assert_eq!(store.charge(std::slice::from_ref(&address), 1_200).await.unwrap(), Admission::Admitted);
    assert!(matches!(
        store.charge(std::slice::from_ref(&address), 1_200).await.unwrap(),
        Admission::Limited { .. }
    ));
    // A refund gives one back.
    store.refund(std::slice::from_ref(&user.0), 1_300).await.unwrap();
    assert_eq!(store.charge(std::slice::from_ref(&user), 1_300).await.unwrap(), Admission::Admitted);
    assert!(matches!(
        store.charge(std::slice::from_ref(&user), 1_300).await.unwrap(),
        Admission::Limited { .. }
    ));
    // A new window starts the count again.
    assert_eq!(store.charge(&both, 1_500).await.unwrap(), Admission::Admitted);
    assert_eq!(store.charge(&both, 1_600).await.unwrap(), Admission::Admitted);
    assert_eq!(store.charge(&both, 1_700).await.unwrap(), Admission::Limited { retry_after_ms: 300 });
    // A refund after the window ended gives nothing to the next one.
    store.refund(std::slice::from_ref(&user.0), 2_000).await.unwrap();
    assert_eq!(store.charge(std::slice::from_ref(&user), 2_000).await.unwrap(), Admission::Admitted);
    assert_eq!(store.charge(std::slice::from_ref(&user), 2_000).await.unwrap(), Admission::Admitted);
    assert!(matches!(
        store.charge(std::slice::from_ref(&user), 2_000).await.unwrap(),
        Admission::Limited { .. }
    ));
}

async fn removes_what_expired<S: SessionStore>(store: &S) {
    let s = session("expiring", 50_000, None, None);
    store.insert(&s, NO_CAPS).await.unwrap();
    let before = store.remove_expired(50_999).await.unwrap();
    assert!(store.get("expiring").await.unwrap().is_some());
    assert_eq!(store.remove_expired(51_000).await.unwrap(), 1, "removed {before} earlier, then this one");
    assert_eq!(store.get("expiring").await.unwrap(), None);
}

/// `n` concurrent inserts of sessions of one address under a cap of
/// `cap`: exactly `cap` are admitted.
pub async fn caps_hold_under_concurrency<S: SessionStore + 'static>(
    store: Arc<S>,
    n: usize,
    cap: u32,
) -> usize {
    let caps = SessionCaps { per_address: Some(cap), per_requester: None };
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let s = session(&format!("flood{i}"), 1_000, Some("203.0.113.5"), None);
                store.insert(&s, caps).await.unwrap()
            })
        })
        .collect();
    let mut admitted = 0;
    for task in tasks {
        if task.await.unwrap() == Admission::Admitted {
            admitted += 1;
        }
    }
    admitted
}

/// An engine over `store` that knows Alice's and Bob's passwords.
pub fn with_password<S: SessionStore>(engine: Engine<S>) -> Engine<S> {
    engine.with_verifier(PasswordStage::new(|id, pw: String| ready(password_check(&id, &pw))))
}

/// `POST /register` with `body` through `engine`.
pub async fn send<S: SessionStore>(
    engine: &Engine<S>,
    policy: &Policy,
    requester: Option<&str>,
    body: Value,
) -> Decision {
    let body: JsonObject = match body {
        Value::Object(map) => map,
        _ => JsonObject::new(),
    };
    let request = IncomingRequest::new("POST", "/_matrix/client/v3/register", &body).requester(requester);
    engine.authorize(policy, request).await.unwrap()
}

/// The session of a 401.
pub fn session_of(decision: Decision) -> String {
    match decision {
        Decision::Respond(UiaaResponse::AuthRequired(info)) => info.session.expect("a session"),
        other => panic!("expected 401, got {other:?}"),
    }
}

/// The HTTP status of a decision (200 for `Proceed`).
pub fn status(decision: &Decision) -> u16 {
    match decision {
        Decision::Respond(answer) => answer.status(),
        Decision::Proceed(_) => 200,
    }
}

/// Many tasks on a multi-threaded runtime submit the same stages on one
/// session at once: each stage is completed once, and exactly one submission
/// authorises the request.
pub async fn no_double_completion<S: SessionStore + 'static>(store: S) {
    let engine = Arc::new(Engine::new(store));
    let policy = Arc::new(Policy::new([vec![AuthType::Terms, AuthType::Dummy]]));
    let body = json!({"username": "erin"});
    let session = session_of(send(&engine, &policy, None, body.clone()).await);
    for stage in ["m.login.terms", "m.login.dummy"] {
        const TASKS: usize = 16;
        let barrier = Arc::new(Barrier::new(TASKS));
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let (engine, policy, barrier) = (engine.clone(), policy.clone(), barrier.clone());
                let mut request = body.clone();
                request["auth"] = json!({"type": stage, "session": session});
                tokio::spawn(async move {
                    barrier.wait().await;
                    send(&engine, &policy, None, request).await
                })
            })
            .collect();
        let mut decisions = Vec::new();
        for task in tasks {
            decisions.push(task.await.unwrap());
        }
        let proceeded = decisions.iter().filter(|d| matches!(d, Decision::Proceed(_))).count();
        let stored = engine.store().get(&session).await.unwrap().unwrap();
        match stage {
            "m.login.terms" => {
                assert_eq!(proceeded, 0);
                assert_eq!(stored.completed, [AuthType::Terms], "terms completed once");
            }
            _ => {
                assert_eq!(proceeded, 1, "exactly one request is authorised: {decisions:?}");
                assert_eq!(stored.completed, [AuthType::Terms, AuthType::Dummy]);
                assert!(stored.consumed);
            }
        }
    }
}

/// 32 wrong passwords for one user at once, each in its own session, against
/// a limit of 3: the attempts are charged before they are checked, so no
/// more than 3 are checked, however they interleave.
pub async fn guesses_at_once_stay_within_the_limit<S: SessionStore + 'static>(store: S) {
    let mut config = EngineConfig::default();
    config.failures_per_user = Some(Limit::new(3, std::time::Duration::from_secs(60)));
    let engine = Arc::new(with_password(Engine::new(store).with_config(config)));
    let policy = Arc::new(Policy::new([vec![AuthType::Password]]));
    const TASKS: usize = 32;
    let barrier = Arc::new(Barrier::new(TASKS));
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (engine, policy, barrier) = (engine.clone(), policy.clone(), barrier.clone());
            tokio::spawn(async move {
                let session = session_of(send(&engine, &policy, None, json!({})).await);
                let guess = json!({"auth": {"type": "m.login.password", "session": session,
                    "identifier": {"type": "m.id.user", "user": "alice"}, "password": "guess"}});
                barrier.wait().await;
                status(&send(&engine, &policy, None, guess).await)
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 3, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), TASKS - 3, "{statuses:?}");
}
