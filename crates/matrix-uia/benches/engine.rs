//! The engine's costs, each against a baseline measured in the same run:
//! - the pure core's decisions per second on one core: reading a request and
//!   the steps of a passing password attempt, given what the shell gathers;
//! - the engine's decisions per second on one core with the in-memory store, for the three
//!   kinds of attempt at a stage (one that passes, one that fails, a retry of
//!   a completed stage), each against parsing the same request's `auth` dict
//!   from the same body, the input work every decision starts with;
//! - first requests per second (a new session), timed while the sessions of
//!   the passing attempts are started;
//! - bytes per live session, counted by the allocator;
//! - SQLite session writes per second, against bare `INSERT`s of the same
//!   rows through the same connection settings.
//!
//! `cargo bench -p matrix-uia --bench engine`
//!
//! Without `--bench` (`cargo test --benches`), only the checks that each case
//! is what its label says run.

// The counting allocator below is the only unsafe code of the workspace: a
// `GlobalAlloc` cannot be written without it. It forwards to `System`.
#![allow(unsafe_code)]

#[path = "../tests/support/accounts.rs"]
mod accounts;
#[path = "support/session_writes.rs"]
mod session_writes;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::{Future, ready};
use std::hint::black_box;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use matrix_uia::server::core::{Facts, Found, Request, Step};
use matrix_uia::server::{
    Admission, Decision, Engine, EngineConfig, IncomingRequest, Limit, MemoryStore, PasswordStage, Policy,
    SessionStore, SqliteStore, StageOutcome,
};
use matrix_uia::{AuthData, AuthType, ErrorKind, JsonObject, UiaaInfo, UiaaResponse};
use serde::Deserialize;
use serde_json::json;

use accounts::password_check;
use session_writes::session_writes;

/// Counts live heap bytes and allocations of the thread that allocates, in
/// thread-local counters: no atomic instruction per allocation, so that the
/// count costs the timed code next to nothing. The timed code runs on the
/// main thread; the SQLite store's thread keeps counts of its own, unread.
struct Counting;

std::thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static ALLOCATIONS: Cell<isize> = const { Cell::new(0) };
}

fn live() -> isize {
    LIVE.with(Cell::get)
}

fn allocations() -> isize {
    ALLOCATIONS.with(Cell::get)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // `try_with`: a thread being torn down has no counters left.
        let _ = LIVE.try_with(|live| live.set(live.get() + layout.size() as isize));
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = LIVE.try_with(|live| live.set(live.get() - layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const PATH: &str = "/_matrix/client/v3/delete_devices";
const USER: &str = "@alice:example.org";
const PASSWORD: &str = "alice-secret";

/// Decisions per timed batch, and batches per case: about a second of
/// decisions per case on this machine.
const BATCH: usize = 1000;
const ROUNDS: usize = 200;

/// What `delete_devices` asks for on a server that wants the password and
/// then a dummy stage: two stages, so that passing the first advances the
/// session without consuming it.
fn policy() -> Policy {
    Policy::new([vec![AuthType::Password, AuthType::Dummy]])
}

fn request(body: &JsonObject) -> IncomingRequest<'_> {
    IncomingRequest::new("POST", PATH, body).requester(Some(USER))
}

/// The value of a future that is ready at its first poll: the in-memory
/// store and a password check that does not wait never make the engine
/// wait, so the engine's own cost is timed, not an executor's.
fn now<T>(future: impl Future<Output = T>) -> T {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("the in-memory engine waited"),
    }
}

fn devices() -> JsonObject {
    let serde_json::Value::Object(body) = json!({"devices": ["DEVICE_A", "DEVICE_B"]}) else {
        unreachable!()
    };
    body
}

/// The request body with a password attempt in `session`.
fn password_attempt(session: &str, password: &str) -> JsonObject {
    let mut body = devices();
    let auth = json!({
        "type": "m.login.password",
        "identifier": {"type": "m.id.user", "user": USER},
        "password": password,
        "session": session,
    });
    body.insert("auth".to_owned(), auth);
    body
}

/// The engine a homeserver would build, on a clock that can be moved forward
/// (to expire sessions between batches) and otherwise reads the system time,
/// as the default clock does.
fn new_engine(mut config: EngineConfig) -> (Engine<MemoryStore>, Arc<AtomicU64>) {
    // A round opens a thousand sessions for one requester: past the cap of
    // live sessions a requester may hold, which would turn them into 429s.
    config.sessions_per_requester = None;
    let skew = Arc::new(AtomicU64::new(0));
    let clock_skew = skew.clone();
    let clock = Arc::new(move || {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
        now + clock_skew.load(Ordering::Relaxed)
    });
    let engine = Engine::new(MemoryStore::new())
        .with_verifier(PasswordStage::new(|id, pw: String| ready(password_check(&id, &pw))))
        .with_config(config)
        .with_clock(clock);
    (engine, skew)
}

/// Every session of `engine` expired and swept. The store's map keeps its
/// capacity, as a server's does between peaks.
fn expire_all(engine: &Engine<MemoryStore>, skew: &AtomicU64) {
    skew.fetch_add(EngineConfig::default().session_lifetime.as_millis() as u64 + 1, Ordering::Relaxed);
    now(engine.sweep()).expect("the store works");
    assert!(engine.store().is_empty());
}

/// The 401 of `decision`, or a panic naming what came instead.
fn challenge(decision: Decision) -> UiaaInfo {
    match decision {
        Decision::Respond(UiaaResponse::AuthRequired(info)) => info,
        other => panic!("expected a 401 with the UIA body, got {other:?}"),
    }
}

/// A first request: its session id.
fn start(engine: &Engine<MemoryStore>, policy: &Policy, body: &JsonObject) -> String {
    let decision = now(engine.authorize(policy, request(body))).expect("the store works");
    challenge(decision).session.expect("a session")
}

/// Time per call and allocations per call of `f` over `0..n`.
#[derive(Clone, Copy)]
struct Sample {
    ns: f64,
    allocations: f64,
}

fn sample(n: usize, mut f: impl FnMut(usize)) -> Sample {
    let before = allocations();
    let start = Instant::now();
    for i in 0..n {
        f(i);
    }
    let ns = start.elapsed().as_nanos() as f64 / n as f64;
    let allocations = (allocations() - before) as f64 / n as f64;
    Sample { ns, allocations }
}

/// Where a case's requests come from.
enum Requests {
    /// The same request every time: the session stays usable after each attempt.
    Same(Vec<JsonObject>),
    /// Each request on a session of its own, started by a first request
    /// before the batch: outside the decision's time, and timed on its own.
    FreshSessions,
}

/// One kind of decision, and what was measured of it.
struct Case {
    label: &'static str,
    engine: Engine<MemoryStore>,
    skew: Arc<AtomicU64>,
    requests: Requests,
    decisions: Vec<Sample>,
    baseline: Vec<Sample>,
    /// The first requests that started the sessions, for `FreshSessions`.
    first_requests: Vec<Sample>,
}

impl Case {
    fn new(
        label: &'static str,
        config: EngineConfig,
        requests: impl FnOnce(&Engine<MemoryStore>) -> Requests,
    ) -> Case {
        let (engine, skew) = new_engine(config);
        let requests = requests(&engine);
        Case {
            label,
            engine,
            skew,
            requests,
            decisions: Vec::new(),
            baseline: Vec::new(),
            first_requests: Vec::new(),
        }
    }

    /// One batch of decisions and one of the baseline on the same bodies, in
    /// the order `engine_first` says (the second runs on warm caches).
    fn round(&mut self, policy: &Policy, engine_first: bool) {
        let fresh;
        let bodies = match &self.requests {
            Requests::Same(bodies) => bodies,
            Requests::FreshSessions => {
                let first = devices();
                let mut ids = Vec::with_capacity(BATCH);
                self.first_requests.push(sample(BATCH, |_| ids.push(start(&self.engine, policy, &first))));
                fresh = ids.iter().map(|id| password_attempt(id, PASSWORD)).collect::<Vec<_>>();
                &fresh
            }
        };
        let engine = &self.engine;
        let decide = |i: usize| {
            black_box(now(engine.authorize(policy, black_box(request(&bodies[i])))))
                .expect("the store works");
        };
        // What the engine's own reading of the dict starts from: the body's
        // `auth` value, borrowed (no copy of the body or of the dict).
        let parse = |i: usize| {
            black_box(&AuthData::deserialize(&black_box(&bodies[i])["auth"]));
        };
        let (decisions, baseline) = if engine_first {
            let decisions = sample(BATCH, decide);
            (decisions, sample(BATCH, parse))
        } else {
            let baseline = sample(BATCH, parse);
            (sample(BATCH, decide), baseline)
        };
        self.decisions.push(decisions);
        self.baseline.push(baseline);
        if let Requests::FreshSessions = self.requests {
            expire_all(&self.engine, &self.skew);
        }
    }
}

/// The three cases, each checked to be what its label says before it is timed.
fn cases(policy: &Policy) -> Vec<Case> {
    let passes = Case::new(
        "stage passes: first attempt at the password stage; verifier called, session advanced and written",
        EngineConfig::default(),
        |engine| {
            let id = start(engine, policy, &devices());
            let info =
                challenge(now(engine.authorize(policy, request(&password_attempt(&id, PASSWORD)))).unwrap());
            assert!(info.auth_error.is_none() && info.completed() == [AuthType::Password], "{info:?}");
            let stored = now(engine.store().get(&id)).unwrap().expect("the session is stored");
            assert_eq!((stored.completed.as_slice(), stored.version), ([AuthType::Password].as_slice(), 1));
            Requests::FreshSessions
        },
    );
    // A server allows 10 failures a session and a user by default, then
    // answers 429 without calling the verifier; the limits are lifted (not
    // switched off: every attempt is still charged to the user and its count
    // written) so that every timed attempt takes the path of a wrong
    // password, not of a cheap refusal.
    let mut unlimited = EngineConfig::default();
    unlimited.max_failures = u32::MAX;
    unlimited.failures_per_user = Some(Limit::new(u32::MAX, std::time::Duration::from_secs(3600)));
    let fails = Case::new(
        "stage fails: a wrong password; verifier called, failure counted and written",
        unlimited,
        |engine| {
            let id = start(engine, policy, &devices());
            let body = password_attempt(&id, "wrong");
            for version in 1..=2 {
                let info = challenge(now(engine.authorize(policy, request(&body))).unwrap());
                let error = info.auth_error.expect("an error");
                assert_eq!(error.errcode, ErrorKind::Forbidden);
                let stored = now(engine.store().get(&id)).unwrap().expect("the session is stored");
                assert_eq!((stored.failures, stored.version), (version as u32, version));
            }
            Requests::Same(vec![body; BATCH])
        },
    );
    let retry = Case::new(
        "stage retry: the completed password stage sent again; no verifier, nothing written",
        EngineConfig::default(),
        |engine| {
            let id = start(engine, policy, &devices());
            let body = password_attempt(&id, PASSWORD);
            for _ in 0..2 {
                let info = challenge(now(engine.authorize(policy, request(&body))).unwrap());
                assert!(info.auth_error.is_none() && info.completed() == [AuthType::Password], "{info:?}");
            }
            let stored = now(engine.store().get(&id)).unwrap().expect("the session is stored");
            assert_eq!(stored.version, 1, "the retry wrote the session");
            Requests::Same(vec![body; BATCH])
        },
    );
    vec![passes, fails, retry]
}

/// The median of `values`.
fn median(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.into_iter().collect();
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn mean_allocations(samples: &[Sample]) -> f64 {
    samples.iter().map(|s| s.allocations).sum::<f64>() / samples.len() as f64
}

fn decisions(cases: &mut [Case], policy: &Policy) {
    // The cases take turns, starting from a different one each round, so that
    // the machine's drift hits them alike.
    for round in 0..ROUNDS {
        for k in 0..cases.len() {
            cases[(round + k) % cases.len()].round(policy, round % 2 == 0);
        }
    }
    println!(
        "decisions on one core, in-memory store; flow [m.login.password, m.login.dummy], requester {USER}"
    );
    println!(
        "(medians of {ROUNDS} rounds; a round times {BATCH} decisions of each case and {BATCH} baseline parses"
    );
    println!(" of the same bodies, the cases taking turns)");
    println!(
        "  {:<14} {:>12} {:>9} {:>12} {:>13} {:>13}",
        "case", "decisions/s", "ns", "baseline ns", "vs. baseline", "allocations"
    );
    for case in cases.iter() {
        let ns = median(case.decisions.iter().map(|s| s.ns));
        let base = median(case.baseline.iter().map(|s| s.ns));
        // Round against round: the two were timed back to back.
        let ratio = median(case.decisions.iter().zip(&case.baseline).map(|(d, b)| d.ns / b.ns));
        let name = case.label.split(':').next().unwrap_or(case.label);
        println!(
            "  {name:<14} {:>12.0} {ns:>9.0} {base:>12.0} {:>11.2}× {:>6.1} ({:.1})",
            1e9 / ns,
            ratio,
            mean_allocations(&case.decisions),
            mean_allocations(&case.baseline),
        );
    }
    for case in cases.iter().filter(|c| !c.first_requests.is_empty()) {
        let ns = median(case.first_requests.iter().map(|s| s.ns));
        println!(
            "  {:<14} {:>12.0} {ns:>9.0} {:>12} {:>13} {:>6.1}",
            "first request",
            1e9 / ns,
            "–",
            "–",
            mean_allocations(&case.first_requests),
        );
    }
    for case in cases.iter() {
        println!("  {}", case.label);
    }
    println!("  first request: no auth; a new session (128 bits from the OS CSPRNG) stored, 401 with it;");
    println!("    timed while starting the sessions of `stage passes`, outside that case's time");
    println!("  baseline: the request's `auth` dict parsed as AuthData from the body's value");
    println!("    (AuthData::deserialize(&body[\"auth\"])), the input work every decision starts with");
    println!("  allocations: per decision (per baseline parse)");
}

/// The four sets of facts the shell gathers for a password attempt in an
/// open session: none (the core asks for the session), the session (it asks
/// to charge the attempt), the charge (it asks for the stage's check), and
/// the outcome (it answers with the write and the 401).
fn gathered_facts(policy: &Policy, config: &EngineConfig, body: &JsonObject) -> [Facts; 4] {
    let first = devices();
    let opened = Request::read(policy, config, request(&first));
    let Step::Open { mut session, .. } = opened.decide(&Facts::default(), 1_000) else {
        panic!("a first request opens a session")
    };
    session.id = body["auth"]["session"].as_str().expect("a session id").to_owned();
    let mut facts = [Facts::default(), Facts::default(), Facts::default(), Facts::default()];
    for (n, facts) in facts.iter_mut().enumerate() {
        if n >= 1 {
            facts.session = Some(Found::Session(session.clone()));
        }
        if n >= 2 {
            facts.charged = Some(Admission::Admitted);
        }
        if n >= 3 {
            facts.outcome = Some(StageOutcome::Passed { user_id: Some(USER.to_owned()) });
        }
    }
    facts
}

/// Read the request and take its four steps; panics unless they are
/// load, charge, verify and write, in that order.
fn core_decision(policy: &Policy, config: &EngineConfig, body: &JsonObject, facts: &[Facts; 4]) {
    let request = Request::read(policy, config, request(body));
    let steps = facts.each_ref().map(|facts| match request.decide(facts, 2_000) {
        Step::Load(_) => 0,
        Step::Charge(_) => 1,
        Step::Verify { .. } => 2,
        Step::Write { then: Decision::Respond(UiaaResponse::AuthRequired(info)), .. } => {
            black_box(info);
            3
        }
        other => panic!("an unexpected step: {other:?}"),
    });
    assert_eq!(black_box(steps), [0, 1, 2, 3]);
}

fn core_decisions(policy: &Policy) {
    let config = EngineConfig::default();
    let bodies: Vec<JsonObject> =
        (0..BATCH).map(|i| password_attempt(&format!("{i:032x}"), PASSWORD)).collect();
    let facts: Vec<[Facts; 4]> = bodies.iter().map(|body| gathered_facts(policy, &config, body)).collect();
    let (mut decisions, mut baseline, mut reads) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let decide = |i: usize| core_decision(policy, &config, &bodies[i], &facts[i]);
        let parse = |i: usize| {
            black_box(&AuthData::deserialize(&black_box(&bodies[i])["auth"]));
        };
        let read = |i: usize| {
            black_box(Request::read(policy, &config, request(black_box(&bodies[i]))));
        };
        if round % 2 == 0 {
            decisions.push(sample(BATCH, decide));
            baseline.push(sample(BATCH, parse));
            reads.push(sample(BATCH, read));
        } else {
            reads.push(sample(BATCH, read));
            baseline.push(sample(BATCH, parse));
            decisions.push(sample(BATCH, decide));
        }
    }
    let read_ns = median(reads.iter().map(|s| s.ns));
    let ns = median(decisions.iter().map(|s| s.ns));
    let ratio = median(decisions.iter().zip(&baseline).map(|(d, b)| d.ns / b.ns));
    println!("the pure core on one core: a password attempt that passes, given the facts the shell gathers");
    println!(
        "(read the request: parse `auth`, fingerprint the body; then the load, charge, verify and write steps)"
    );
    println!(
        "  decisions/s {:>10.0}   ns {ns:>6.0}   baseline ns {:>6.0}   vs. baseline {ratio:>5.2}×   allocations {:.1} ({:.1})",
        1e9 / ns,
        median(baseline.iter().map(|s| s.ns)),
        mean_allocations(&decisions),
        mean_allocations(&baseline),
    );
    println!(
        "  of which reading the request {read_ns:>6.0} ns; the four steps {:>6.0} ns ({:.0} steps' decisions/s)",
        ns - read_ns,
        1e9 / (ns - read_ns)
    );
}

fn bytes_per_session(policy: &Policy) {
    const N: usize = 100_000;
    let body = devices();
    let fill = |engine: &Engine<MemoryStore>| {
        let before = live();
        for _ in 0..N {
            start(engine, policy, &body);
        }
        (live() - before) as f64 / N as f64
    };
    // Filled once and emptied again: the map keeps its capacity, so that the
    // second fill counts what each session adds and not the map's growth.
    let (engine, skew) = new_engine(EngineConfig::default());
    fill(&engine);
    expire_all(&engine, &skew);
    let own = fill(&engine);
    // From an empty map, as a server's first peak: the map's table counts too,
    // at whatever load factor N sessions leave it.
    let (engine, _) = new_engine(EngineConfig::default());
    let with_table = fill(&engine);
    let id = start(&engine, policy, &body);
    println!("memory (in-memory store, {N} live sessions started by first requests, flow of two stages)");
    println!("  bytes per live session, the map pre-grown    {own:>8.0}");
    println!("  bytes per live session, the map grown too    {with_table:>8.0}");
    println!("  baseline: the session id alone               {:>8}", id.len());
}

fn sqlite_writes() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Arc::new(SqliteStore::open(dir.path().join("bench.db")).expect("the store opens"));
    const N: u64 = 20_000;
    let runtime = tokio::runtime::Builder::new_multi_thread().build().expect("a runtime");
    let one = runtime.block_on(session_writes(&store, "one", N, 1));
    let many = runtime.block_on(session_writes(&store, "many", N, 16));
    // Baseline: the same number of bare single-row writes, same pragmas, on
    // the calling thread.
    let mut connection = rusqlite_baseline(dir.path().join("baseline.db"));
    let start = Instant::now();
    for n in 0..(2 * N) {
        connection(n);
    }
    let bare_rate = (2 * N) as f64 / start.elapsed().as_secs_f64();
    println!("SQLite (WAL, synchronous=NORMAL; the store's connection on a thread of its own)");
    println!("  session writes, one writer waiting for each     {one:>10.0} /s");
    println!("  session writes, 16 writers at once              {many:>10.0} /s");
    println!("  baseline: bare INSERTs on the calling thread    {bare_rate:>10.0} /s");
    println!("  16 writers vs. baseline                         {:>10.2}× its time", bare_rate / many);
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
    let policy = policy();
    let mut cases = cases(&policy);
    let config = EngineConfig::default();
    let body = password_attempt(&format!("{:032x}", 1), PASSWORD);
    core_decision(&policy, &config, &body, &gathered_facts(&policy, &config, &body));
    // `cargo test --benches` runs benches without `--bench`: the checks above suffice there.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    core_decisions(&policy);
    println!();
    decisions(&mut cases, &policy);
    drop(cases);
    println!();
    bytes_per_session(&policy);
    println!();
    sqlite_writes();
}
