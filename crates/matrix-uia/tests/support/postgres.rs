//! A throwaway PostgreSQL server per test, with no container: the Debian
//! server binaries (or any `initdb` on PATH), a cluster in a temporary
//! directory, a free port of 127.0.0.1 and trust authentication. A machine
//! without the binaries skips the tests that need one, or fails them under
//! `MATRIX_UIA_INTEROP=require` (see [`super::interop`]); `.ci/run`
//! installs Debian's `postgresql` so that CI always has one.

use std::fs::File;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::interop::{Unavailable, required};

/// How long the server has to accept connections after it is started.
const STARTUP: Duration = Duration::from_secs(30);

/// How long the server has to shut down before it is killed.
const SHUTDOWN: Duration = Duration::from_secs(10);

/// How many times a server whose port was taken meanwhile is restarted on
/// another one: the port is free when chosen, not when bound.
const ATTEMPTS: usize = 3;

/// A PostgreSQL server of the test's own, in a temporary directory.
///
/// Dropping it stops the server whatever the outcome of the test, so that
/// no postmaster outlives the test process, then removes the cluster.
pub struct Postgres {
    /// The postmaster itself (not a wrapper around it), so that its id is
    /// the server's and waiting on it reaps the server.
    child: Child,
    port: u16,
    bin: PathBuf,
    /// Declared last: removed after [`Drop`] has stopped the server.
    dir: tempfile::TempDir,
}

/// Who the server runs as: initdb refuses root, so as root it is the
/// `postgres` system user; otherwise whoever runs the tests.
#[derive(Clone, Copy)]
struct Owner {
    uid: u32,
    gid: u32,
}

impl Postgres {
    /// Find the binaries (PATH's `pg_ctl`/`initdb`, else the newest
    /// `/usr/lib/postgresql/*/bin`, where Debian keeps them off PATH), create
    /// a cluster in a fresh temporary directory and start it on a free port
    /// of 127.0.0.1, returning once it accepts connections.
    ///
    /// As root, the cluster belongs to the `postgres` user, since initdb and
    /// postgres refuse to run as root. Authentication is `trust` and the unix
    /// socket stays in the temporary directory, so nothing of the machine's
    /// own PostgreSQL (its port 5432, its `/var/run/postgresql`) is touched.
    /// `max_connections=300` leaves room for tests that open many pools at
    /// once.
    ///
    /// `Err` when the binaries are missing (the test is skipped, or fails
    /// under `required()`), or when initdb or the server fails, with its
    /// output.
    pub fn start() -> Result<Postgres, Unavailable> {
        let bin = binaries().ok_or_else(|| {
            Unavailable("PostgreSQL server binaries not found (Debian: apt-get install postgresql)".into())
        })?;
        let owner = owner()?;
        let dir = tempfile::tempdir()
            .map_err(|e| Unavailable(format!("PostgreSQL: no temporary directory: {e}")))?;
        let data = dir.path().join("data");
        std::fs::create_dir(&data)
            .and_then(|()| std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)))
            .map_err(|e| Unavailable(format!("PostgreSQL: cannot create {}: {e}", data.display())))?;
        if let Some(owner) = owner {
            for path in [dir.path(), &data] {
                std::os::unix::fs::chown(path, Some(owner.uid), Some(owner.gid))
                    .map_err(|e| Unavailable(format!("PostgreSQL: cannot chown {}: {e}", path.display())))?;
            }
        }

        // C locale and UTF-8: the machine's locale may not be generated, and
        // tests must not depend on it. No fsync: the cluster is thrown away.
        let initdb = as_owner(owner, &bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"])
            .current_dir(dir.path())
            .output()
            .map_err(|e| {
                Unavailable(format!("PostgreSQL: cannot run {}: {e}", bin.join("initdb").display()))
            })?;
        if !initdb.status.success() {
            return Err(Unavailable(format!(
                "PostgreSQL: initdb failed ({})\n{}",
                initdb.status,
                text(&initdb)
            )));
        }

        let mut last = String::new();
        for _ in 0..ATTEMPTS {
            let port = free_port().map_err(|e| Unavailable(format!("PostgreSQL: no free port: {e}")))?;
            let mut child = spawn(owner, &bin, dir.path(), &data, port)?;
            match ready(&bin, &mut child, port) {
                Ok(()) => return Ok(Postgres { child, port, bin, dir }),
                Err(why) => {
                    stop(&mut child);
                    let log = std::fs::read_to_string(dir.path().join("postgres.log")).unwrap_or_default();
                    last = format!("PostgreSQL: the server did not start: {why}\n{}", log.trim_end());
                    // Only a port taken in the meantime is worth another try.
                    if !log.contains("could not bind") && !log.contains("could not create any TCP/IP sockets")
                    {
                        break;
                    }
                }
            }
        }
        Err(Unavailable(last))
    }

    /// `postgres://postgres@127.0.0.1:PORT/NAME`, for a database created
    /// with [`Postgres::create_database`] (or `postgres`, which always
    /// exists). No password: the cluster trusts every local connection.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// `CREATE DATABASE name`, with the `createdb` next to initdb so that
    /// the tests need no SQL client of their own for it. Panics on failure:
    /// the server is up, so a failure is the test's.
    pub fn create_database(&self, name: &str) {
        let createdb = tool(&self.bin, "createdb");
        let output = Command::new(&createdb)
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "postgres", "--", name])
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", createdb.display()));
        assert!(output.status.success(), "createdb {name} failed ({}):\n{}", output.status, text(&output));
    }

    /// The server's process id (the `postgres` postmaster), e.g. for tests
    /// that kill it to see what a client does when its database goes away.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The TCP port on 127.0.0.1, for clients that take it apart from a URL.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The temporary directory: the cluster in `data/`, the server's log in
    /// `postgres.log` (to show when a test fails) and the unix socket.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Postgres {
    /// Stop the server even when the test panicked: a postmaster left behind
    /// would hold its port and shared memory after the test process ends.
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// The server, or the reason it could not start: under
/// [`required()`] a missing server panics with the reason (the test fails);
/// otherwise the caller returns `Err(Unavailable)` so libtest-mimic reports
/// it ignored with the reason.
pub fn start_or_skip() -> Result<Postgres, Unavailable> {
    match Postgres::start() {
        Err(Unavailable(reason)) if required() => panic!("{reason} (MATRIX_UIA_INTEROP=require)"),
        started => started,
    }
}

/// The directory of the server binaries: the first on PATH with `initdb`
/// and `postgres`, else the newest `/usr/lib/postgresql/<version>/bin`
/// (Debian's place, off PATH).
fn binaries() -> Option<PathBuf> {
    let complete = |dir: &Path| ["initdb", "postgres"].iter().all(|name| executable(&dir.join(name)));
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    if let Some(dir) = on_path.into_iter().find(|dir| executable(&dir.join("pg_ctl")) && complete(dir)) {
        return Some(dir);
    }
    let mut versions: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let version = name.split('.').map(str::parse).collect::<Result<Vec<u32>, _>>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| complete(bin))
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn executable(path: &Path) -> bool {
    path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// A client tool of the same installation, else whichever is on PATH.
fn tool(bin: &Path, name: &str) -> PathBuf {
    let path = bin.join(name);
    if executable(&path) { path } else { PathBuf::from(name) }
}

/// The `postgres` user when we are root (initdb refuses root), or `None`
/// to run everything as ourselves.
fn owner() -> Result<Option<Owner>, Unavailable> {
    if id(&["-u"])? != 0 {
        return Ok(None);
    }
    Ok(Some(Owner { uid: id(&["-u", "postgres"])?, gid: id(&["-g", "postgres"])? }))
}

fn id(args: &[&str]) -> Result<u32, Unavailable> {
    let output = Command::new("id")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Unavailable(format!("PostgreSQL: cannot run id: {e}")))?;
    if !output.status.success() {
        return Err(Unavailable(format!(
            "PostgreSQL: running as root needs the `postgres` user (`id {}` failed)\n{}",
            args.join(" "),
            text(&output)
        )));
    }
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .map_err(|e| Unavailable(format!("PostgreSQL: `id {}`: {e}", args.join(" "))))
}

/// `program` as the cluster's owner: `runuser -u postgres --` as root.
fn as_owner(owner: Option<Owner>, program: &Path) -> Command {
    let mut command = match owner {
        None => Command::new(program),
        Some(_) => {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        }
    };
    command.stdin(Stdio::null());
    command
}

/// Start the postmaster, its output to `postgres.log` (a file, not a pipe,
/// so that nothing has to drain it). As root it goes through `setpriv`,
/// which execs postgres in place, rather than `runuser`, which stays as the
/// parent: the child's id is then the postmaster's own.
fn spawn(owner: Option<Owner>, bin: &Path, dir: &Path, data: &Path, port: u16) -> Result<Child, Unavailable> {
    let log = File::create(dir.join("postgres.log"))
        .map_err(|e| Unavailable(format!("PostgreSQL: cannot create its log: {e}")))?;
    let log2 = log.try_clone().map_err(|e| Unavailable(format!("PostgreSQL: cannot open its log: {e}")))?;
    let postgres = bin.join("postgres");
    let mut command = match owner {
        None => Command::new(&postgres),
        Some(owner) => {
            let mut command = Command::new("setpriv");
            command
                .arg(format!("--reuid={}", owner.uid))
                .arg(format!("--regid={}", owner.gid))
                .args(["--clear-groups", "--"])
                .arg(&postgres);
            command
        }
    };
    command
        .arg("-D")
        .arg(data)
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-k"])
        .arg(dir)
        // fsync off: a process crash loses nothing (the page cache keeps
        // it), only the machine's, and this cluster does not outlive it.
        .args(["-c", "max_connections=300", "-c", "shared_buffers=128MB", "-c", "fsync=off"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2)
        .spawn()
        .map_err(|e| Unavailable(format!("PostgreSQL: cannot run {}: {e}", postgres.display())))
}

/// A port of 127.0.0.1 that nothing listens on now: the kernel's choice,
/// released for postgres to bind.
fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Wait until the server accepts connections, or say why it never will.
fn ready(bin: &Path, child: &mut Child, port: u16) -> Result<(), String> {
    let isready = tool(bin, "pg_isready");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Err(format!("postgres exited ({status})"));
        }
        let accepting = Command::new(&isready)
            .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres", "-t", "1"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| format!("cannot run {}: {e}", isready.display()))?;
        if accepting.success() {
            return Ok(());
        }
        if started.elapsed() > STARTUP {
            return Err(format!("not accepting connections on port {port} after {STARTUP:?}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Stop the postmaster by pid and reap it. SIGINT, PostgreSQL's fast
/// shutdown: SIGTERM (smart shutdown) waits for every client to disconnect,
/// and a test's connection pool may outlive the server. SIGKILL after
/// [`SHUTDOWN`]; the backends notice their postmaster is gone and exit.
fn stop(child: &mut Child) {
    if !matches!(child.try_wait(), Ok(None)) {
        return;
    }
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let started = Instant::now();
    while started.elapsed() < SHUTDOWN {
        if !matches!(child.try_wait(), Ok(None)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A failed command's stdout and stderr, for the reason of an `Err`.
fn text(output: &Output) -> String {
    let mut text = String::from_utf8_lossy(&output.stdout).trim_end().to_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !stderr.trim().is_empty() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(stderr.trim_end());
    }
    text
}
