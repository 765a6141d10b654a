//! `PostgresStore` against a real PostgreSQL server of the test's own
//! (`support/postgres.rs`: a cluster in a temporary directory, stopped by
//! PID when the test ends): the store contract every store keeps, the
//! engine's guarantees under concurrent requests, one sweep at a time, the
//! schema migrated once by workers starting together, and what a lost
//! connection does. Where the server binaries are missing, each test is
//! reported as ignored with the reason; `MATRIX_UIA_INTEROP=require` (CI)
//! makes it fail instead.

mod support;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use matrix_uia::AuthType;
use matrix_uia::server::{Engine, EngineError, Policy, PostgresStore, SessionStore};
use serde_json::json;
use support::interop::Outcome;
use support::postgres::Postgres;
use support::store_contract::{self, send, session, status};

fn main() -> std::process::ExitCode {
    support::interop::main(support::interop::tests![
        the_server_starts_and_is_stopped_by_pid,
        the_postgres_store_keeps_the_contract,
        caps_and_limits_hold_under_concurrent_requests,
        concurrent_completions_of_one_session_authorise_once,
        workers_starting_together_migrate_the_schema_once,
        one_sweep_runs_at_a_time,
        a_lost_connection_is_a_store_error_and_the_pool_reconnects,
    ])
}

/// A multi-threaded runtime for one test's async body.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap()
}

/// A fresh database `name` on `server`, and a store on it.
async fn store(server: &Postgres, name: &str) -> PostgresStore {
    server.create_database(name);
    PostgresStore::connect(&server.url(name), 16).await.expect("the store connects")
}

/// Whether a process of this id exists (`kill -0` succeeds).
fn alive(pid: u32) -> bool {
    Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn the_server_starts_and_is_stopped_by_pid() -> Outcome {
    let started = Instant::now();
    let server = Postgres::start()?;
    eprintln!("PostgreSQL up in {:?}", started.elapsed());
    let (pid, dir) = (server.pid(), server.dir().to_owned());
    assert!(alive(pid), "the postmaster {pid} runs while the server is held");
    drop(server);
    let stopped = Instant::now();
    while alive(pid) {
        assert!(
            stopped.elapsed() < Duration::from_secs(10),
            "the postmaster {pid} outlived its Postgres by 10 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!dir.exists(), "the cluster's directory {} is removed", dir.display());
    Ok(())
}

fn the_postgres_store_keeps_the_contract() -> Outcome {
    let server = Postgres::start()?;
    runtime().block_on(async {
        store_contract::contract(&store(&server, "contract").await).await;
    });
    Ok(())
}

fn caps_and_limits_hold_under_concurrent_requests() -> Outcome {
    let server = Postgres::start()?;
    runtime().block_on(async {
        let caps = Arc::new(store(&server, "caps").await);
        assert_eq!(store_contract::caps_hold_under_concurrency(caps, 64, 5).await, 5);
        store_contract::guesses_at_once_stay_within_the_limit(store(&server, "guesses").await).await;
    });
    Ok(())
}

fn concurrent_completions_of_one_session_authorise_once() -> Outcome {
    let server = Postgres::start()?;
    runtime().block_on(async {
        store_contract::no_double_completion(store(&server, "completions").await).await;
    });
    Ok(())
}

fn workers_starting_together_migrate_the_schema_once() -> Outcome {
    let server = Postgres::start()?;
    server.create_database("fresh");
    let url = server.url("fresh");
    runtime().block_on(async {
        let workers: Vec<_> = (0..6)
            .map(|_| {
                let url = url.clone();
                tokio::spawn(async move { PostgresStore::connect(&url, 2).await })
            })
            .collect();
        let mut stores = Vec::new();
        for worker in workers {
            stores.push(worker.await.unwrap().expect("every worker connects"));
        }
        let client = stores[0].pool().get().await.unwrap();
        let versions = client.query("SELECT version FROM uia_schema_version", &[]).await.unwrap();
        assert_eq!(versions.len(), 1, "one version row");
        assert_eq!(versions[0].get::<_, i32>(0), 1);
        // And a worker starting later finds it done.
        PostgresStore::connect(&url, 1).await.expect("a later worker connects");
    });
    Ok(())
}

fn one_sweep_runs_at_a_time() -> Outcome {
    let server = Postgres::start()?;
    runtime().block_on(async {
        let store = store(&server, "sweep").await;
        let expired = session("expired", 1_000, None, None);
        store.insert(&expired, Default::default()).await.unwrap();
        // Another worker's sweep holds the lock: this one skips.
        let mut other = store.pool().get().await.unwrap();
        let sweeping = other.transaction().await.unwrap();
        sweeping.execute("SELECT pg_advisory_xact_lock($1)", &[&PostgresStore::SWEEP_LOCK]).await.unwrap();
        assert_eq!(store.remove_expired(10_000).await.unwrap(), 0, "a second sweep skips");
        assert!(store.get("expired").await.unwrap().is_some());
        sweeping.commit().await.unwrap();
        assert_eq!(store.remove_expired(10_000).await.unwrap(), 1, "the lock is free again");
        assert!(store.get("expired").await.unwrap().is_none());
    });
    Ok(())
}

fn a_lost_connection_is_a_store_error_and_the_pool_reconnects() -> Outcome {
    let server = Postgres::start()?;
    runtime().block_on(async {
        let store = store(&server, "lost").await;
        let engine = Engine::new(store.clone());
        let policy = Policy::new([vec![AuthType::Dummy]]);
        assert_eq!(status(&send(&engine, &policy, None, json!({})).await), 401);
        // Every connection of the pool is cut by the server.
        let admin = PostgresStore::connect(&server.url("postgres"), 1).await.unwrap();
        let cut = admin
            .pool()
            .get()
            .await
            .unwrap()
            .execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'lost'", &[])
            .await
            .unwrap();
        assert!(cut >= 1, "the pool's connections were cut");
        // A request may meet a dead connection (a store error, the client's
        // 500); within a few, the pool has reconnected.
        let mut answers = Vec::new();
        for _ in 0..5 {
            let body = matrix_uia::JsonObject::new();
            let request =
                matrix_uia::server::IncomingRequest::new("POST", "/_matrix/client/v3/register", &body);
            match engine.authorize(&policy, request).await {
                Ok(decision) => answers.push(status(&decision)),
                Err(EngineError::Store(error)) => {
                    assert_eq!(EngineError::Store(error).response().status(), 500);
                    answers.push(500);
                }
                Err(other) => panic!("not a store error: {other}"),
            }
        }
        assert_eq!(answers.last(), Some(&401), "the pool reconnected: {answers:?}");
        // With the server gone, a request is a store error within the pool's timeouts.
        drop(server);
        let gone = Instant::now();
        let body = matrix_uia::JsonObject::new();
        let request = matrix_uia::server::IncomingRequest::new("POST", "/_matrix/client/v3/register", &body);
        let failure = engine.authorize(&policy, request).await.expect_err("no server, no session");
        assert!(matches!(failure, EngineError::Store(_)), "{failure}");
        assert!(gone.elapsed() < Duration::from_secs(30), "answered after {:?}", gone.elapsed());
    });
    Ok(())
}
