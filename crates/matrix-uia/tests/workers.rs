//! Three example-homeserver processes on one PostgreSQL database, as the
//! workers of one homeserver: a registration whose requests go to different
//! workers completes; 50 concurrent completions of one session across the
//! three give one success; a worker killed with SIGKILL in the middle of a
//! flow leaves the session to the others; the failure limit counts the
//! attempts of every worker; a username claimed at the same moment on two
//! workers is registered once.
//!
//! A worker is this test binary run again with `MATRIX_UIA_WORKER_DB` set:
//! it then serves the example homeserver's app (the same code as
//! `examples/homeserver`), so it is always built from the current source.
//! Skipped (ignored, with the reason) without PostgreSQL's server binaries,
//! unless `MATRIX_UIA_INTEROP=require`.

mod support;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::{Arc, Barrier};

use serde_json::{Value, json};
use support::http::{errcode, get, json_of, post_json, register_across};
use support::interop::Outcome;
use support::postgres::Postgres;
use support::worker::Worker;

const REGISTER: &str = "/_matrix/client/v3/register";
const DELETE_DEVICES: &str = "/_matrix/client/v3/delete_devices";

fn main() -> ExitCode {
    if let Some(exit) = support::worker::serve_if_worker() {
        return exit;
    }
    support::interop::main(support::interop::tests![
        a_registration_completes_across_workers,
        fifty_concurrent_completions_across_workers_authorise_once,
        a_session_survives_its_worker_being_killed,
        the_failure_limit_counts_attempts_on_every_worker,
        a_username_claimed_on_two_workers_at_once_is_registered_once,
    ])
}

/// A PostgreSQL server, a database on it, and three workers sharing it.
fn three_workers(name: &str) -> Result<(Postgres, Vec<Worker>), support::interop::Unavailable> {
    let server = Postgres::start()?;
    server.create_database(name);
    let url = server.url(name);
    // The first creates the schema; the others find it (or wait on its lock).
    let workers: Vec<Worker> = (0..3).map(|_| Worker::start(&url)).collect();
    for worker in &workers {
        assert_eq!(get(worker.address, "/_matrix/client/versions", None).0, 200);
    }
    Ok((server, workers))
}

/// The first request of a registration of `username` on `worker`: the session.
fn start_registration(worker: &Worker, username: &str) -> Value {
    let first = post_json(worker.address, REGISTER, None, &json!({"username": username, "password": "pw"}));
    assert_eq!(first.0, 401, "{}", String::from_utf8_lossy(&first.1));
    json_of(&first)["session"].clone()
}

/// One stage of a registration of `username`.
fn stage(worker: &Worker, username: &str, session: &Value, auth_type: &str) -> (u16, Vec<u8>) {
    let body =
        json!({"username": username, "password": "pw", "auth": {"type": auth_type, "session": session}});
    post_json(worker.address, REGISTER, None, &body)
}

fn a_registration_completes_across_workers() -> Outcome {
    let (_server, workers) = three_workers("across")?;
    let addresses: Vec<SocketAddr> = workers.iter().map(|w| w.address).collect();
    // The first request to the first worker, terms to the second, dummy to the third.
    register_across(&addresses, 0, "ada", "pw");
    // The account is in the shared database: another worker logs it in.
    let login = json!({"type": "m.login.password", "identifier": {"type": "m.id.user", "user": "ada"},
        "password": "pw"});
    assert_eq!(post_json(workers[0].address, "/_matrix/client/v3/login", None, &login).0, 200);
    Ok(())
}

fn fifty_concurrent_completions_across_workers_authorise_once() -> Outcome {
    let (_server, workers) = three_workers("fifty")?;
    let session = start_registration(&workers[0], "bea");
    assert_eq!(stage(&workers[1], "bea", &session, "m.login.terms").0, 401);
    let addresses: Vec<SocketAddr> = workers.iter().map(|w| w.address).collect();
    let barrier = Arc::new(Barrier::new(50));
    let racers: Vec<_> = (0..50)
        .map(|i| {
            let (address, barrier, session) = (addresses[i % 3], barrier.clone(), session.clone());
            std::thread::spawn(move || {
                let body = json!({"username": "bea", "password": "pw",
                    "auth": {"type": "m.login.dummy", "session": session}});
                barrier.wait();
                errcode(&post_json(address, REGISTER, None, &body))
            })
        })
        .collect();
    let answers: Vec<(u16, String)> = racers.into_iter().map(|r| r.join().unwrap()).collect();
    let successes = answers.iter().filter(|(status, _)| *status == 200).count();
    assert_eq!(successes, 1, "exactly one completion registers: {answers:?}");
    // The others are told the session is used (or, the winner having
    // registered the name, that it is taken); none is a server error.
    assert!(answers.iter().all(|(status, _)| *status == 200 || *status == 400), "{answers:?}");
    Ok(())
}

fn a_session_survives_its_worker_being_killed() -> Outcome {
    let (_server, mut workers) = three_workers("killed")?;
    let session = start_registration(&workers[0], "cy");
    assert_eq!(stage(&workers[0], "cy", &session, "m.login.terms").0, 401);
    workers[0].kill();
    let done = stage(&workers[1], "cy", &session, "m.login.dummy");
    assert_eq!(done.0, 200, "the flow went on on another worker: {}", String::from_utf8_lossy(&done.1));
    Ok(())
}

fn the_failure_limit_counts_attempts_on_every_worker() -> Outcome {
    let (_server, workers) = three_workers("limit")?;
    let token =
        register_across(&[workers[0].address], 0, "dee", "pw")["access_token"].as_str().unwrap().to_owned();
    let guess = |i: usize, password: &str| {
        let worker = &workers[i % 3];
        let body = json!({"devices": ["NONE"]});
        let first = post_json(worker.address, DELETE_DEVICES, Some(&token), &body);
        let session = json_of(&first)["session"].clone();
        let auth = json!({"type": "m.login.password", "session": session,
            "identifier": {"type": "m.id.user", "user": "dee"}, "password": password});
        // The guess goes to the next worker: neither the session nor the count is a worker's own.
        let next = &workers[(i + 1) % 3];
        errcode(&post_json(
            next.address,
            DELETE_DEVICES,
            Some(&token),
            &json!({"devices": ["NONE"], "auth": auth}),
        ))
    };
    for i in 0..10 {
        assert_eq!(guess(i, "wrong").0, 401, "guess {i}");
    }
    for i in 10..13 {
        assert_eq!(guess(i, "wrong"), (429, "M_LIMIT_EXCEEDED".to_owned()), "guess {i}, whichever worker");
    }
    Ok(())
}

fn a_username_claimed_on_two_workers_at_once_is_registered_once() -> Outcome {
    let (_server, workers) = three_workers("claim")?;
    for round in 0..10 {
        let name = format!("eve{round}");
        // Two registrations of one name, each at its last stage, on two workers.
        let sessions: Vec<Value> = (0..2)
            .map(|w| {
                let session = start_registration(&workers[w], &name);
                assert_eq!(stage(&workers[w], &name, &session, "m.login.terms").0, 401);
                session
            })
            .collect();
        let barrier = Arc::new(Barrier::new(2));
        let racers: Vec<_> = (0..2)
            .map(|w| {
                let (address, barrier, session, name) =
                    (workers[w].address, barrier.clone(), sessions[w].clone(), name.clone());
                std::thread::spawn(move || {
                    let body = json!({"username": name, "password": "pw",
                        "auth": {"type": "m.login.dummy", "session": session}});
                    barrier.wait();
                    errcode(&post_json(address, REGISTER, None, &body))
                })
            })
            .collect();
        let mut answers: Vec<(u16, String)> = racers.into_iter().map(|r| r.join().unwrap()).collect();
        answers.sort();
        assert_eq!(
            answers,
            [(200, String::new()), (400, "M_USER_IN_USE".to_owned())],
            "round {round}: one registers, the other is told the name is taken"
        );
    }
    Ok(())
}
