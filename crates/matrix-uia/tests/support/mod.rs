//! What the HTTP-level tests share: the example homeserver on a port of its
//! own, a plain HTTP/1.1 client, and the skip-or-fail rule of the interop
//! tests. Each test crate uses a part of it.
#![allow(dead_code)]

#[path = "../../examples/homeserver/app.rs"]
pub mod app;
pub mod http;
pub mod interop;

use std::net::SocketAddr;
use std::sync::Arc;

/// The example homeserver on a free port of 127.0.0.1, served from a thread
/// of its own until the test process ends. The database lives in the
/// returned directory.
pub fn serve(registration_token: Option<&str>) -> (SocketAddr, Arc<app::Homeserver>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let server = Arc::new(
        app::Homeserver::open(&dir.path().join("hs.db"), registration_token.map(str::to_owned)).unwrap(),
    );
    // Several workers, as a real server has: concurrent requests interleave.
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let address = listener.local_addr().unwrap();
    let service = app::router(server.clone()).into_make_service_with_connect_info::<SocketAddr>();
    std::thread::spawn(move || runtime.block_on(async { axum::serve(listener, service).await.unwrap() }));
    (address, server, dir)
}
