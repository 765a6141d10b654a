//! What a flood of wrong passwords does to everyone else on the example
//! homeserver: the p50 and p99 latency of `GET /_matrix/client/versions`,
//! idle and while 16 clients send wrong passwords to a UIA endpoint as fast
//! as they are answered, in the same run, on the same server.
//!
//! The flood loads the expensive path: every request is a wrong password
//! that the server hashes (PBKDF2). The engine's limits are lifted for it;
//! with them, the flood would turn into cheap 429s after ten guesses and
//! measure nothing. The server runs as `main` runs it (a tokio runtime with
//! a worker per core), hashing on its bounded pool.
//!
//! `cargo bench -p matrix-uia --bench flood`
//!
//! Without `--bench` (`cargo test --benches`), one request of each kind is
//! checked to be what its label says.

#[path = "../examples/homeserver/app.rs"]
mod app;
#[allow(dead_code)] // the bench sends JSON; the support module has more
#[path = "../tests/support/http.rs"]
mod http;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const FLOODERS: usize = 16;
/// Probes per phase, one every [`PROBE_GAP`].
const PROBES: usize = 1500;
const PROBE_GAP: Duration = Duration::from_millis(2);
const DELETE_DEVICES: &str = "/_matrix/client/v3/delete_devices";

/// The example homeserver on a free port, with the engine's limits lifted so
/// that every wrong password is hashed.
fn start(dir: &std::path::Path) -> (SocketAddr, app::Settings) {
    let mut settings = app::Settings::default();
    settings.engine.max_failures = u32::MAX;
    settings.engine.failures_per_user = None;
    settings.engine.failures_per_address = None;
    settings.engine.sessions_per_address = None;
    settings.engine.sessions_per_requester = None;
    // As `#[tokio::main]` builds it: a worker thread per core.
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    let db = dir.join("flood.db").to_string_lossy().into_owned();
    let server =
        Arc::new(runtime.block_on(app::Homeserver::open(&db, settings.clone())).expect("the server opens"));
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("a port");
    let address = listener.local_addr().expect("an address");
    std::thread::spawn(move || {
        let serve = app::serve(listener, app::Limits::default(), server, std::future::pending());
        runtime.block_on(serve).expect("the server runs");
    });
    (address, settings)
}

/// One wrong password in `session`: the status.
fn wrong_password(address: SocketAddr, token: &str, session: &Value) -> u16 {
    let auth = json!({"type": "m.login.password", "session": session,
        "identifier": {"type": "m.id.user", "user": "flood"}, "password": "a-wrong-one"});
    http::post_json(address, DELETE_DEVICES, Some(token), &json!({"devices": ["NONE"], "auth": auth})).0
}

/// A session of `delete_devices` for the flood to guess in.
fn open_session(address: SocketAddr, token: &str) -> Value {
    let first = http::post_json(address, DELETE_DEVICES, Some(token), &json!({"devices": ["NONE"]}));
    assert_eq!(first.0, 401);
    http::json_of(&first)["session"].clone()
}

fn versions(address: SocketAddr) -> Duration {
    let start = Instant::now();
    let (status, _) = http::get(address, "/_matrix/client/versions", None);
    assert_eq!(status, 200);
    start.elapsed()
}

/// `PROBES` timed `GET /versions`, one every `PROBE_GAP`: p50 and p99.
fn probe(address: SocketAddr) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..PROBES)
        .map(|_| {
            let time = versions(address);
            std::thread::sleep(PROBE_GAP);
            time
        })
        .collect();
    times.sort();
    (times[PROBES / 2], times[PROBES * 99 / 100])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (address, settings) = start(dir.path());
    let registered = http::register_across(&[address], 0, "flood", "the-right-one");
    let token = registered["access_token"].as_str().expect("a token").to_owned();
    let session = open_session(address, &token);
    assert_eq!(wrong_password(address, &token, &session), 401, "a wrong password is hashed and refused");
    versions(address);
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }

    let (idle_p50, idle_p99) = probe(address);

    let stop = Arc::new(AtomicBool::new(false));
    let guesses = Arc::new(AtomicU64::new(0));
    let flooders: Vec<_> = (0..FLOODERS)
        .map(|_| {
            let (stop, guesses, token) = (stop.clone(), guesses.clone(), token.clone());
            std::thread::spawn(move || {
                let session = open_session(address, &token);
                while !stop.load(Ordering::Relaxed) {
                    assert_eq!(
                        wrong_password(address, &token, &session),
                        401,
                        "the flood stays on the hashed path"
                    );
                    guesses.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    // Let every flooder get going before the probes start.
    std::thread::sleep(Duration::from_millis(500));
    let (start, counted) = (Instant::now(), guesses.load(Ordering::Relaxed));
    let (flood_p50, flood_p99) = probe(address);
    let rate = (guesses.load(Ordering::Relaxed) - counted) as f64 / start.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for flooder in flooders {
        flooder.join().expect("a flooder");
    }

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "GET /_matrix/client/versions on the example homeserver ({cores} cores, a tokio worker per core, \
         {} hashing thread(s))",
        settings.hash_threads
    );
    println!(
        "({PROBES} sequential probes per phase, one every {} ms; a fresh connection each)",
        PROBE_GAP.as_millis()
    );
    println!("  {:<44} {:>9} {:>9}", "phase", "p50 ms", "p99 ms");
    println!("  {:<44} {:>9.2} {:>9.2}", "idle", ms(idle_p50), ms(idle_p99));
    let flood = format!("{FLOODERS} clients sending wrong passwords");
    println!("  {flood:<44} {:>9.2} {:>9.2}", ms(flood_p50), ms(flood_p99));
    println!("  flood p99 vs. idle p99                       {:>19.2}×", ms(flood_p99) / ms(idle_p99));
    println!("  wrong passwords hashed and refused during the flood: {rate:.0} /s");
}
