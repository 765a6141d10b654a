//! What the probe's tests share: the example homeserver of `matrix-uia`,
//! served from its source on a port of its own, and the proxy that breaks
//! one rule of it at a time.
#![allow(dead_code)]

#[path = "../../../matrix-uia/examples/homeserver/app.rs"]
pub mod app;
pub mod proxy;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use matrix_uia_probe::{Accounts, Options, Report};

/// The example homeserver on a free port of 127.0.0.1, served by `runtime`
/// from a database in `dir`.
pub fn serve_example(runtime: &tokio::runtime::Runtime, dir: &std::path::Path) -> SocketAddr {
    let db = dir.join("hs.db").to_string_lossy().into_owned();
    let server = Arc::new(runtime.block_on(app::Homeserver::open(&db, app::Settings::default())).unwrap());
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let address = listener.local_addr().unwrap();
    runtime.spawn(app::serve(listener, app::Limits::default(), server, std::future::pending()));
    address
}

/// A runtime for a test's servers, with a few workers.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(3).enable_all().build().unwrap()
}

/// The probe's options for `address`: its own accounts, a fast rate (the
/// server is the test's), a bound on the run.
pub fn options(address: SocketAddr) -> Options {
    Options {
        homeserver: format!("http://{address}"),
        accounts: Accounts::Register,
        registration_token: None,
        json: true,
        only: None,
        rate: 1000.0,
        timeout: Duration::from_secs(30),
        max_time: Duration::from_secs(300),
    }
}

/// The outcome of `rule` in `report`.
pub fn outcome<'a>(report: &'a Report, rule: &str) -> &'a str {
    report.findings.iter().find(|f| f.rule == rule).map_or("missing", |f| f.outcome)
}
