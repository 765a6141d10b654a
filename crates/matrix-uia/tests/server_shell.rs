//! The async engine (the shell around the core) with real stores: the store
//! contract, durability across restarts and SIGKILL, and limits that hold
//! under concurrent requests.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;

use matrix_uia::server::{
    Decision, Engine, EngineConfig, EngineError, IncomingRequest, Limit, MemoryStore, Policy, SessionStore,
    SqliteStore,
};
use matrix_uia::{AuthType, JsonObject};
use serde_json::json;

mod support;

use support::store_contract::{self, send, session, session_of, status, with_password};

const PATH: &str = "/_matrix/client/v3/register";

#[tokio::test]
async fn the_memory_store_keeps_the_contract() {
    store_contract::contract(&MemoryStore::new()).await;
}

#[tokio::test]
async fn the_sqlite_store_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    store_contract::contract(&SqliteStore::open(dir.path().join("contract.db")).unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn caps_hold_when_sessions_are_opened_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Arc::new(SqliteStore::open(dir.path().join("caps.db")).unwrap());
    assert_eq!(store_contract::caps_hold_under_concurrency(sqlite, 64, 5).await, 5);
    assert_eq!(store_contract::caps_hold_under_concurrency(Arc::new(MemoryStore::new()), 64, 5).await, 5);
}

#[tokio::test]
async fn session_ids_are_128_random_bits_as_hex() {
    let engine = Engine::new(MemoryStore::new());
    let policy = Policy::new([vec![AuthType::Dummy]]);
    let first = session_of(send(&engine, &policy, None, json!({})).await);
    let second = session_of(send(&engine, &policy, None, json!({})).await);
    assert_eq!(first.len(), 32, "128 bits as hex");
    assert!(first.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_ne!(first, second);
}

#[tokio::test]
async fn a_stage_the_server_cannot_check_is_a_server_error() {
    let engine = Engine::new(MemoryStore::new());
    let policy = Policy::new([vec![AuthType::ReCaptcha]]);
    let body = JsonObject::new();
    let failure = engine.authorize(&policy, IncomingRequest::new("POST", PATH, &body)).await.unwrap_err();
    assert!(matches!(&failure, EngineError::NoVerifier(t) if *t == AuthType::ReCaptcha), "{failure:?}");
    // The homeserver logs the cause; the client is told nothing of it.
    let response = serde_json::to_value(failure.response()).unwrap();
    assert_eq!(failure.response().status(), 500);
    assert_eq!(response["errcode"], "M_UNKNOWN");
    assert!(!response.to_string().contains("recaptcha"), "{response}");
}

#[tokio::test]
async fn sqlite_sessions_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.db");
    let policy = Policy::new([vec![AuthType::Terms, AuthType::Dummy]]);
    let body = json!({"username": "dana"});
    let session = {
        let engine = Engine::new(SqliteStore::open(&path).unwrap());
        let session = session_of(send(&engine, &policy, None, body.clone()).await);
        let mut with_terms = body.clone();
        with_terms["auth"] = json!({"type": "m.login.terms", "session": session});
        session_of(send(&engine, &policy, None, with_terms).await);
        session
    };
    let engine = Engine::new(SqliteStore::open(&path).unwrap());
    let stored = engine.store().get(&session).await.unwrap().expect("still there");
    assert_eq!(stored.completed, [AuthType::Terms]);
    let mut finish = body;
    finish["auth"] = json!({"type": "m.login.dummy", "session": session});
    assert!(matches!(send(&engine, &policy, None, finish).await, Decision::Proceed(_)));
}

#[tokio::test]
async fn a_version_1_sqlite_file_is_migrated_and_its_sessions_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    {
        // The schema and a row as the first release wrote them.
        let connection = rusqlite::Connection::open(&path).unwrap();
        connection.execute_batch(include_str!("../src/server/sqlite_schema_1.sql")).unwrap();
        connection
            .execute(
                "INSERT INTO uia_sessions VALUES ('old', ?1, 1, 9999999999999, '[\"m.login.dummy\"]', '[]', NULL, 0, 0, 0)",
                [&[7u8; 32][..]],
            )
            .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let old = store.get("old").await.unwrap().expect("kept");
    assert_eq!((old.offered.len(), old.address, old.requester), (1, None, None));
    store_contract::contract(&store).await;
    drop(store);
    // Opening it again is a no-op.
    let again = SqliteStore::open(&path).unwrap();
    assert!(again.get("old").await.unwrap().is_some());
    let version: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    assert_eq!(version, 2);
}

/// Environment variable that turns the test binary into the writer child.
const CHILD_DB: &str = "MATRIX_UIA_KILL_TEST_DB";

/// In the child: write sessions as fast as possible, announcing each one only
/// after its insert returned (committed), until killed.
#[tokio::test]
async fn sqlite_writer_child() {
    let Ok(path) = std::env::var(CHILD_DB) else { return };
    let store = SqliteStore::open(path).unwrap();
    let mut out = std::io::stdout().lock();
    for n in 0u64.. {
        let mut s = session(&format!("s{n}"), 1, None, None);
        s.expires_ms = u64::MAX / 2;
        store.insert(&s, Default::default()).await.unwrap();
        s.completed.push(AuthType::Dummy);
        s.version = 1;
        assert!(store.replace(&s).await.unwrap());
        writeln!(out, "s{n}").unwrap();
        out.flush().unwrap();
    }
}

#[tokio::test]
async fn sqlite_loses_no_committed_session_when_the_writer_is_killed() {
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
        let stored = store.get(id).await.unwrap().unwrap_or_else(|| panic!("{id} was committed and is lost"));
        assert_eq!(stored.completed, [AuthType::Dummy], "{id}: its committed update is lost");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_store_never_double_completes() {
    store_contract::no_double_completion(MemoryStore::new()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_store_never_double_completes() {
    let dir = tempfile::tempdir().unwrap();
    store_contract::no_double_completion(SqliteStore::open(dir.path().join("s.db")).unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_store_limits_hold_under_concurrent_guesses() {
    store_contract::guesses_at_once_stay_within_the_limit(MemoryStore::new()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_store_limits_hold_under_concurrent_guesses() {
    let dir = tempfile::tempdir().unwrap();
    store_contract::guesses_at_once_stay_within_the_limit(
        SqliteStore::open(dir.path().join("g.db")).unwrap(),
    )
    .await;
}

#[tokio::test]
async fn the_user_count_is_shared_by_engines_on_one_sqlite_file() {
    // Two engines, two connections, one file: two workers of one homeserver.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let mut config = EngineConfig::default();
    config.failures_per_user = Some(Limit::new(4, std::time::Duration::from_secs(60)));
    let workers = [
        with_password(Engine::new(SqliteStore::open(&path).unwrap()).with_config(config.clone())),
        with_password(Engine::new(SqliteStore::open(&path).unwrap()).with_config(config)),
    ];
    let policy = Policy::new([vec![AuthType::Password]]);
    let mut statuses = Vec::new();
    for i in 0..6 {
        let worker = &workers[i % 2];
        let session = session_of(send(worker, &policy, None, json!({})).await);
        let guess = json!({"auth": {"type": "m.login.password", "session": session,
            "identifier": {"type": "m.id.user", "user": "alice"}, "password": "guess"}});
        statuses.push(status(&send(&workers[(i + 1) % 2], &policy, None, guess).await));
    }
    assert_eq!(statuses, [401, 401, 401, 401, 429, 429]);
}

#[tokio::test]
async fn a_sync_caller_drives_the_engine_with_block_on() {
    // What the docs offer a synchronous homeserver: any `block_on`.
    let engine = with_password(Engine::new(MemoryStore::new()));
    let policy = Policy::new([vec![AuthType::Password]]);
    let decision = std::thread::spawn(move || {
        let body = JsonObject::new();
        pollster::block_on(engine.authorize(&policy, IncomingRequest::new("POST", PATH, &body)))
    })
    .join()
    .unwrap()
    .unwrap();
    assert_eq!(status(&decision), 401);
}
