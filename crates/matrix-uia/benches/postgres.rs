//! Sessions shared through PostgreSQL, on a server of the bench's own
//! (`tests/support/postgres.rs`), each figure against a baseline measured in
//! the same run:
//! - session writes per second through `PostgresStore`'s pool (each session
//!   inserted, then advanced by compare-and-swap), from 32 tasks at once,
//!   against bare single-row `INSERT`s through the same pool and tasks;
//! - full registrations per second (first request, `m.login.terms`,
//!   `m.login.dummy`: a password hashed, an account and a device written)
//!   through 1, 2 and 3 example-homeserver workers sharing the database,
//!   each against the one-worker figure, and where the time goes: the CPU
//!   the workers, PostgreSQL and the load's clients used per registration.
//!
//! `cargo bench -p matrix-uia --bench postgres`
//!
//! Without `--bench` (`cargo test --benches`), one write and one
//! registration through one worker are checked. Without PostgreSQL's server
//! binaries, it says so and measures nothing.

#[allow(dead_code)]
mod support {
    #[path = "../../examples/homeserver/app.rs"]
    pub mod app;
    #[path = "../../tests/support/http.rs"]
    pub mod http;
    #[path = "../../tests/support/interop.rs"]
    pub mod interop;
    #[path = "../../tests/support/postgres.rs"]
    pub mod postgres;
    #[path = "session_writes.rs"]
    pub mod session_writes;
    #[path = "../../tests/support/worker.rs"]
    pub mod worker;
}

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use matrix_uia::server::{PostgresStore, SessionCaps, SessionStore};

use support::http::register_across;
use support::postgres::Postgres;
use support::session_writes::{session, session_writes};
use support::worker::Worker;

const WRITES: u64 = 20_000;
const WRITERS: u64 = 32;
/// Clients registering at once, and for how long per worker count.
const CLIENTS: usize = 24;
const LOAD: Duration = Duration::from_secs(6);

/// Bare single-row `INSERT`s per second through the same pool and tasks.
async fn bare_inserts(store: &Arc<PostgresStore>) -> f64 {
    let client = store.pool().get().await.unwrap();
    client.batch_execute("CREATE TABLE bench_rows (id TEXT PRIMARY KEY, v TEXT NOT NULL)").await.unwrap();
    drop(client);
    let start = Instant::now();
    let tasks: Vec<_> = (0..WRITERS)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for k in 0..2 * WRITES / WRITERS {
                    let client = store.pool().get().await.unwrap();
                    let statement = client
                        .prepare_cached("INSERT INTO bench_rows (id, v) VALUES ($1, $2)")
                        .await
                        .unwrap();
                    client.execute(&statement, &[&format!("r{w}-{k}"), &"[]"]).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    (2 * WRITES) as f64 / start.elapsed().as_secs_f64()
}

/// CPU time (user + system) of the processes `pids`, in seconds.
fn cpu_seconds(pids: &[u32]) -> f64 {
    let ticks: u64 = pids
        .iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok())
        .map(|stat| {
            // The fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
            let fields: Vec<&str> =
                stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
            let field = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
            field(11) + field(12)
        })
        .sum();
    // The kernel's USER_HZ: 100 on Linux.
    ticks as f64 / 100.0
}

/// The postmaster and every process it started (its backends, its helpers).
fn postgres_pids(postmaster: u32) -> Vec<u32> {
    let mut pids = vec![postmaster];
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        let parent =
            stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok());
        if parent == Some(postmaster) {
            pids.push(pid);
        }
    }
    pids
}

/// What one load run measured.
struct Load {
    per_second: f64,
    workers_cpu_ms: f64,
    postgres_cpu_ms: f64,
    clients_cpu_ms: f64,
    busy: f64,
}

/// `CLIENTS` clients registering for `LOAD` through `n` workers on a fresh database.
fn registrations(server: &Postgres, n: usize) -> Load {
    let name = format!("registrations{n}");
    server.create_database(&name);
    let url = server.url(&name);
    let workers: Vec<Worker> = (0..n).map(|_| Worker::start(&url)).collect();
    let addresses: Arc<Vec<SocketAddr>> = Arc::new(workers.iter().map(|w| w.address).collect());
    // Warm: every worker has its pool's connections and statements.
    for (i, _) in workers.iter().enumerate() {
        register_across(&addresses, i, &format!("warm{n}-{i}"), "a-password");
    }
    let worker_pids: Vec<u32> = workers.iter().map(Worker::pid).collect();
    let cpu = |pids: &[u32]| cpu_seconds(pids);
    let own = [std::process::id()];
    let (stop, done) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(0)));
    let before = (cpu(&worker_pids), cpu(&postgres_pids(server.pid())), cpu(&own));
    let start = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (stop, done, addresses) = (stop.clone(), done.clone(), addresses.clone());
            std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    register_across(&addresses, c + i, &format!("u{n}-{c}-{i}"), "a-password");
                    done.fetch_add(1, Ordering::Relaxed);
                    i += 1;
                }
            })
        })
        .collect();
    std::thread::sleep(LOAD);
    let (count, elapsed) = (done.load(Ordering::Relaxed), start.elapsed().as_secs_f64());
    let after = (cpu(&worker_pids), cpu(&postgres_pids(server.pid())), cpu(&own));
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.join().unwrap();
    }
    let per = |before: f64, after: f64| (after - before) * 1e3 / count as f64;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    Load {
        per_second: count as f64 / elapsed,
        workers_cpu_ms: per(before.0, after.0),
        postgres_cpu_ms: per(before.1, after.1),
        clients_cpu_ms: per(before.2, after.2),
        busy: ((after.0 - before.0) + (after.1 - before.1) + (after.2 - before.2)) / (elapsed * cores),
    }
}

fn main() -> ExitCode {
    if let Some(exit) = support::worker::serve_if_worker() {
        return exit;
    }
    let server = match Postgres::start() {
        Ok(server) => server,
        Err(support::interop::Unavailable(why)) => {
            println!("skipped: {why}");
            return ExitCode::SUCCESS;
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    server.create_database("writes");
    let store = Arc::new(runtime.block_on(PostgresStore::connect(&server.url("writes"), 16)).unwrap());
    if !std::env::args().any(|a| a == "--bench") {
        runtime.block_on(store.insert(&session("check".to_owned()), SessionCaps::default())).unwrap();
        server.create_database("check");
        let worker = Worker::start(&server.url("check"));
        register_across(&[worker.address], 0, "check", "a-password");
        return ExitCode::SUCCESS;
    }

    let writes = runtime.block_on(session_writes(&store, "w", WRITES, WRITERS));
    let bare = runtime.block_on(bare_inserts(&store));
    println!("PostgreSQL 15 on this machine, pool of 16 connections, {WRITERS} tasks at once");
    println!("  session writes through PostgresStore      {writes:>10.0} /s");
    println!("  baseline: bare single-row INSERTs         {bare:>10.0} /s");
    println!("  session writes vs. baseline               {:>10.2}× its time", bare / writes);

    println!();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "full registrations (3 requests, a PBKDF2 hash, an account and a device) from {CLIENTS} clients for {} s,",
        LOAD.as_secs()
    );
    println!("through workers sharing one PostgreSQL; {cores} cores; CPU per registration by process group");
    println!(
        "  {:<8} {:>16} {:>8} {:>12} {:>12} {:>12} {:>8}",
        "workers", "registrations/s", "vs. 1", "workers ms", "postgres ms", "clients ms", "busy"
    );
    let mut one = 0.0;
    for n in 1..=3 {
        let load = registrations(&server, n);
        if n == 1 {
            one = load.per_second;
        }
        println!(
            "  {n:<8} {:>16.0} {:>7.2}× {:>12.2} {:>12.2} {:>12.2} {:>7.0}%",
            load.per_second,
            load.per_second / one,
            load.workers_cpu_ms,
            load.postgres_cpu_ms,
            load.clients_cpu_ms,
            load.busy * 100.0
        );
    }
    println!("  busy: the three groups' CPU time over the run's time on all {cores} cores");
    ExitCode::SUCCESS
}
