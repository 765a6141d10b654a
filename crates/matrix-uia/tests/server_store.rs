//! The session stores: durability across restarts and SIGKILL, and no double
//! completion under concurrent submissions.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};

use matrix_uia::server::{
    Decision, Engine, IncomingRequest, MemoryStore, Policy, Session, SessionStore, SqliteStore,
};
use matrix_uia::{AuthType, JsonObject, UiaaResponse};
use serde_json::{Value, json};

const PATH: &str = "/_matrix/client/v3/register";

fn object(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        _ => JsonObject::new(),
    }
}

fn send<S: SessionStore>(engine: &Engine<S>, policy: &Policy, body: Value) -> Decision {
    let body = object(body);
    engine
        .authorize(policy, &IncomingRequest { method: "POST", path: PATH, requester: None, body: &body })
        .unwrap()
}

fn session_of(decision: Decision) -> String {
    match decision {
        Decision::Respond(UiaaResponse::AuthRequired(info)) => info.session.expect("a session"),
        other => panic!("expected 401, got {other:?}"),
    }
}

#[test]
fn sqlite_sessions_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.db");
    let policy = Policy::new([vec![AuthType::Terms, AuthType::Dummy]]);
    let body = json!({"username": "dana"});
    let session = {
        let engine = Engine::new(SqliteStore::open(&path).unwrap());
        let session = session_of(send(&engine, &policy, body.clone()));
        let mut with_terms = body.clone();
        with_terms["auth"] = json!({"type": "m.login.terms", "session": session});
        session_of(send(&engine, &policy, with_terms));
        session
    };
    let engine = Engine::new(SqliteStore::open(&path).unwrap());
    let stored = engine.store().get(&session).unwrap().expect("still there");
    assert_eq!(stored.completed, [AuthType::Terms]);
    let mut finish = body;
    finish["auth"] = json!({"type": "m.login.dummy", "session": session});
    assert!(matches!(send(&engine, &policy, finish), Decision::Proceed(_)));
}

/// Environment variable that turns the test binary into the writer child.
const CHILD_DB: &str = "MATRIX_UIA_KILL_TEST_DB";

fn session(id: String) -> Session {
    Session {
        id,
        request: [7; 32],
        created_ms: 1,
        expires_ms: u64::MAX / 2,
        offered: vec![AuthType::Dummy].into(),
        completed: Vec::new(),
        user_id: None,
        failures: 0,
        consumed: false,
        version: 0,
    }
}

/// In the child: write sessions as fast as possible, announcing each one only
/// after its insert returned (committed), until killed.
#[test]
fn sqlite_writer_child() {
    let Ok(path) = std::env::var(CHILD_DB) else { return };
    let store = SqliteStore::open(path).unwrap();
    let mut out = std::io::stdout().lock();
    for n in 0u64.. {
        let mut s = session(format!("s{n}"));
        store.insert(&s).unwrap();
        s.completed.push(AuthType::Dummy);
        s.version = 1;
        assert!(store.replace(&s).unwrap());
        writeln!(out, "s{n}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn sqlite_loses_no_committed_session_when_the_writer_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.db");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "sqlite_writer_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_DB, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut announced = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        // The test harness prints its own lines; sessions are `s<n>`.
        if line.starts_with('s') && line[1..].bytes().all(|b| b.is_ascii_digit()) {
            announced.push(line);
        }
        if announced.len() == 2_000 {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL on Unix: no destructor, no flush, mid-write.
    child.wait().unwrap();
    assert_eq!(announced.len(), 2_000, "the child wrote");

    let store = SqliteStore::open(&path).unwrap();
    for id in &announced {
        let stored = store.get(id).unwrap().unwrap_or_else(|| panic!("{id} was committed and is lost"));
        assert_eq!(stored.completed, [AuthType::Dummy], "{id}: its committed update is lost");
    }
}

/// Many threads submit the same stages on one session at once: each stage is
/// completed once, and exactly one submission authorises the request.
fn no_double_completion<S: SessionStore + 'static>(store: S) {
    let engine = Arc::new(Engine::new(store));
    let policy = Arc::new(Policy::new([vec![AuthType::Terms, AuthType::Dummy]]));
    let body = json!({"username": "erin"});
    let session = session_of(send(&engine, &policy, body.clone()));
    for stage in ["m.login.terms", "m.login.dummy"] {
        const THREADS: usize = 16;
        let barrier = Arc::new(Barrier::new(THREADS));
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let (engine, policy, barrier) = (engine.clone(), policy.clone(), barrier.clone());
                let mut request = body.clone();
                request["auth"] = json!({"type": stage, "session": session});
                std::thread::spawn(move || {
                    barrier.wait();
                    send(&engine, &policy, request)
                })
            })
            .collect();
        let decisions: Vec<Decision> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let proceeded = decisions.iter().filter(|d| matches!(d, Decision::Proceed(_))).count();
        let stored = engine.store().get(&session).unwrap().unwrap();
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

#[test]
fn memory_store_never_double_completes() {
    no_double_completion(MemoryStore::new());
}

#[test]
fn sqlite_store_never_double_completes() {
    let dir = tempfile::tempdir().unwrap();
    no_double_completion(SqliteStore::open(dir.path().join("s.db")).unwrap());
}

#[test]
fn stores_agree_on_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let stores: Vec<Box<dyn SessionStore>> =
        vec![Box::new(MemoryStore::new()), Box::new(SqliteStore::open(dir.path().join("c.db")).unwrap())];
    for store in stores {
        let mut s = session("abc".to_owned());
        s.expires_ms = 100;
        store.insert(&s).unwrap();
        assert_eq!(store.get("abc").unwrap().as_ref(), Some(&s));
        assert_eq!(store.get("nope").unwrap(), None);
        let mut stale = s.clone();
        stale.version = 5;
        assert!(!store.replace(&stale).unwrap(), "a write from a stale read loses");
        s.version = 1;
        s.user_id = Some("@a:b".to_owned());
        assert!(store.replace(&s).unwrap());
        assert!(!store.replace(&s).unwrap(), "the same version twice: the second loses");
        assert_eq!(store.get("abc").unwrap().unwrap().user_id.as_deref(), Some("@a:b"));
        assert_eq!(store.remove_expired(99).unwrap(), 0);
        assert_eq!(store.remove_expired(100).unwrap(), 1);
        assert_eq!(store.get("abc").unwrap(), None);
    }
}
