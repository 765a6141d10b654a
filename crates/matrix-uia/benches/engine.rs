//! The engine's costs, each against a baseline measured in the same run:
//! - decisions per second on one core with the in-memory store, against
//!   parsing the same `auth` dict alone (the floor of any decision);
//! - bytes per live session, counted by the allocator;
//! - SQLite session writes per second, against bare `INSERT`s of the same
//!   rows through the same connection settings.
//!
//! `cargo bench -p matrix-uia --bench engine`

// The counting allocator below is the only unsafe code of the workspace: a
// `GlobalAlloc` cannot be written without it. It forwards to `System`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use matrix_uia::server::{
    Decision, Engine, IncomingRequest, MemoryStore, Policy, Session, SessionStore, SqliteStore,
};
use matrix_uia::{AuthData, AuthType, JsonObject};
use serde_json::json;

/// Counts live heap bytes, to measure what a session costs.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static ALLOCATIONS: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const PATH: &str = "/_matrix/client/v3/delete_devices";

fn object(value: serde_json::Value) -> JsonObject {
    match value {
        serde_json::Value::Object(map) => map,
        _ => JsonObject::new(),
    }
}

/// Calls per second of `f`, over about a second, in batches.
fn rate(mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut calls = 0u64;
    while start.elapsed() < Duration::from_millis(1000) {
        for _ in 0..1000 {
            f();
        }
        calls += 1000;
    }
    calls as f64 / start.elapsed().as_secs_f64()
}

fn session(id: String) -> Session {
    Session {
        id,
        request: [1; 32],
        created_ms: 0,
        expires_ms: u64::MAX / 2,
        offered: vec![AuthType::Terms, AuthType::Dummy].into(),
        completed: Vec::new(),
        user_id: None,
        failures: 0,
        consumed: false,
        version: 0,
    }
}

fn request(body: &JsonObject) -> IncomingRequest<'_> {
    IncomingRequest { method: "POST", path: PATH, requester: None, body }
}

fn decisions() {
    let engine = Engine::new(MemoryStore::new());
    let policy = Policy::new([vec![AuthType::Terms, AuthType::Dummy]]);
    let base = object(json!({"devices": ["DEVICE_A", "DEVICE_B"]}));
    let Decision::Respond(matrix_uia::UiaaResponse::AuthRequired(first)) =
        engine.authorize(&policy, &request(&base)).expect("the store works")
    else {
        panic!("the first request answers 401")
    };
    let session = first.session.expect("a session");
    // The terms stage completes once; then every terms attempt is a full
    // decision: load, bind, order check, answer 401 with `completed`.
    let mut attempt = base.clone();
    attempt.insert("auth".to_owned(), json!({"type": "m.login.terms", "session": session}));
    engine.authorize(&policy, &request(&attempt)).expect("the store works");
    let raw_auth = attempt["auth"].clone();

    // Allocations are a stable measure where the clock is not.
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..1000 {
        let _ = black_box(engine.authorize(&policy, black_box(&request(&attempt))));
    }
    let per_decision = (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / 1000.0;
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..1000 {
        black_box(serde_json::from_value::<AuthData>(black_box(raw_auth.clone())).ok());
    }
    let per_parse = (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / 1000.0;

    let stage_rate = rate(|| {
        let _ = black_box(engine.authorize(&policy, black_box(&request(&attempt))));
    });
    let floor = rate(|| {
        black_box(serde_json::from_value::<AuthData>(black_box(raw_auth.clone())).ok());
    });
    let new_session_rate = rate(|| {
        let _ = black_box(engine.authorize(&policy, black_box(&request(&base))));
    });
    println!("decisions (one core, in-memory store)");
    println!("  stage attempt on a session      {:>12.0} /s", stage_rate);
    println!("  first request (new session)     {:>12.0} /s", new_session_rate);
    println!("  baseline: parse the auth dict   {:>12.0} /s", floor);
    println!("  stage attempt vs. baseline      {:>12.2}× its time", floor / stage_rate);
    println!("  allocations per stage attempt   {per_decision:>12.1}");
    println!("  allocations per baseline parse  {per_parse:>12.1}");
}

fn bytes_per_session() {
    const N: usize = 100_000;
    let store = MemoryStore::new();
    // Fill once and empty again so the map's growth is not counted against sessions.
    let ids: Vec<String> = (0..N).map(|n| format!("{n:032x}")).collect();
    let before = LIVE.load(Ordering::Relaxed);
    for id in &ids {
        store.insert(&session(id.clone())).unwrap();
    }
    let after = LIVE.load(Ordering::Relaxed);
    let per_session = (after - before) as f64 / N as f64;
    // Baseline: the session id alone, the least any store must keep.
    let id_bytes = ids.iter().map(String::capacity).sum::<usize>() as f64 / N as f64;
    println!("memory (in-memory store, {N} live sessions of a two-stage flow)");
    println!("  bytes per live session          {per_session:>12.0}");
    println!("  baseline: the session id alone  {id_bytes:>12.0}");
    drop(store);
}

fn sqlite_writes() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = SqliteStore::open(dir.path().join("bench.db")).expect("the store opens");
    const N: u64 = 20_000;
    let start = Instant::now();
    for n in 0..N {
        let mut s = session(format!("s{n}"));
        store.insert(&s).unwrap();
        s.completed.push(AuthType::Terms);
        s.version = 1;
        store.replace(&s).unwrap();
    }
    let store_rate = (2 * N) as f64 / start.elapsed().as_secs_f64();

    // Baseline: the same number of bare single-row writes, same pragmas.
    let mut connection = rusqlite_baseline(dir.path().join("baseline.db"));
    let start = Instant::now();
    for n in 0..(2 * N) {
        connection(n);
    }
    let bare_rate = (2 * N) as f64 / start.elapsed().as_secs_f64();
    println!("SQLite (WAL, synchronous=NORMAL, one connection)");
    println!("  session writes                  {store_rate:>12.0} /s");
    println!("  baseline: bare INSERTs          {bare_rate:>12.0} /s");
    println!("  session writes vs. baseline     {:>12.2}× its time", bare_rate / store_rate);
}

/// A closure that inserts one row into a bare table, like a session write minus the engine.
fn rusqlite_baseline(path: std::path::PathBuf) -> impl FnMut(u64) {
    let connection = rusqlite::Connection::open(path).expect("opens");
    connection.pragma_update(None, "journal_mode", "WAL").expect("WAL");
    connection.pragma_update(None, "synchronous", "NORMAL").expect("NORMAL");
    connection.execute_batch("CREATE TABLE t (id TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID").expect("table");
    move |n| {
        connection
            .prepare_cached("INSERT INTO t (id, v) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(rusqlite::params![format!("r{n}"), "[]"]))
            .expect("insert");
    }
}

fn main() {
    // `cargo test --benches` runs benches with `--bench`-less arguments: keep it quick there.
    if std::env::args().any(|a| a == "--test") {
        return;
    }
    decisions();
    bytes_per_session();
    sqlite_writes();
}
