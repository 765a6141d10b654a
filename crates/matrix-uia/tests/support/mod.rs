//! What the HTTP-level tests share: the example homeserver on a port of its
//! own, a plain HTTP/1.1 client, and the skip-or-fail rule of the interop
//! tests. Each test crate uses a part of it.
#![allow(dead_code)]

pub mod accounts;
#[path = "../../examples/homeserver/app.rs"]
pub mod app;
pub mod http;
pub mod interop;
pub mod postgres;
pub mod store_contract;
pub mod synapse;
pub mod worker;

use std::net::SocketAddr;
use std::sync::Arc;

/// The example homeserver on a free port of 127.0.0.1, served from a thread
/// of its own until the test process ends. The database lives in the
/// returned directory.
pub fn serve(registration_token: Option<&str>) -> (SocketAddr, Arc<app::Homeserver>, tempfile::TempDir) {
    let settings =
        app::Settings { registration_token: registration_token.map(str::to_owned), ..Default::default() };
    let (address, server, dir, _) = serve_until(settings, app::Limits::default(), std::future::pending());
    (address, server, dir)
}

/// [`serve`] until `shutdown` resolves; the thread ends when the server has
/// shut down.
pub fn serve_until(
    settings: app::Settings,
    limits: app::Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> (SocketAddr, Arc<app::Homeserver>, tempfile::TempDir, std::thread::JoinHandle<()>) {
    let dir = tempfile::tempdir().unwrap();
    // Several workers, as a real server has: concurrent requests interleave.
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
    let db = dir.path().join("hs.db");
    let server = Arc::new(runtime.block_on(app::Homeserver::open(&db.to_string_lossy(), settings)).unwrap());
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let address = listener.local_addr().unwrap();
    let served = server.clone();
    let thread = std::thread::spawn(move || {
        runtime.block_on(app::serve(listener, limits, served, shutdown)).unwrap();
    });
    (address, server, dir, thread)
}
