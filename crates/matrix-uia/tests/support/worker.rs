//! A worker of the example homeserver in a process of its own: the running
//! test or bench binary, run again with [`WORKER_DB`] set. Its `main` calls
//! [`serve_if_worker`] first; in the worker, that serves the example
//! homeserver's app (the same code as `examples/homeserver`, so always built
//! from the current source) on a free port of 127.0.0.1, prints the address
//! and serves until killed.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;

/// In a worker: the database to serve from.
pub const WORKER_DB: &str = "MATRIX_UIA_WORKER_DB";

/// In a worker process, serve and never return; elsewhere `None`.
pub fn serve_if_worker() -> Option<ExitCode> {
    let db = std::env::var(WORKER_DB).ok()?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    runtime.block_on(async {
        let server = super::app::Homeserver::open(&db, super::app::Settings::default()).await.expect("opens");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
        println!("listening {}", listener.local_addr().expect("an address"));
        let limits = super::app::Limits::default();
        super::app::serve(listener, limits, Arc::new(server), std::future::pending()).await.expect("serves");
    });
    Some(ExitCode::SUCCESS)
}

/// A worker process; killed (SIGKILL) when dropped.
pub struct Worker {
    child: Child,
    /// Where it listens.
    pub address: SocketAddr,
}

impl Worker {
    /// A worker on `db` (a `postgres://` URL or an SQLite path), once it listens.
    pub fn start(db: &str) -> Worker {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(WORKER_DB, db)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("a worker starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let address =
            line.trim().strip_prefix("listening ").unwrap_or_else(|| panic!("a worker said {line:?}"));
        Worker { child, address: address.parse().unwrap() }
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, and reap.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.kill();
    }
}
