//! A real Synapse 1.163.2 on 127.0.0.1, for the tests that talk to one:
//! installed once into a virtualenv kept under the target directory,
//! configured by `tests/interop/synapse/configure.py` (open registration
//! with the single flow `[m.login.dummy]`, rate limits lifted, unless its
//! flags say otherwise), started on a free port with a fresh SQLite
//! database, and stopped (by its PID) when the handle is dropped.
//!
//! `matrix-uia`'s `tests/interop_synapse.rs` uses it through `support`;
//! `matrix-uia-probe`'s `tests/synapse.rs` includes this file and
//! `interop.rs` by path. So it reaches only [`super::interop`], and its paths
//! to the workspace's files are computed from either crate's manifest
//! directory (`crates/<crate>/../matrix-uia/…`).
//!
//! Without `python3` (3.10 or later) or without PyPI, [`install_synapse`]
//! returns why, for the test to return as [`super::interop::Unavailable`].

use std::fmt::Display;
use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::interop::{run, work_dir};

/// The Synapse the probe recorded and the table in `src/server/mod.rs` cites.
pub const SYNAPSE_VERSION: &str = "1.163.2";
/// How long Synapse may take to answer `/versions` (about 3 s on the probe's machine).
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long `pip install` may take (35 to 90 s here).
const INSTALL_TIMEOUT: Duration = Duration::from_secs(300);
/// How long a quick set-up command may take (a version check, the config).
const QUICK: Duration = Duration::from_secs(60);

/// What Synapse answers once it is up.
const VERSIONS: &str = "/_matrix/client/versions";

/// `tests/interop/synapse/` of `matrix-uia`, whichever crate's test includes
/// this file: both crates are directories of `crates/`.
pub fn interop_synapse_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../matrix-uia/tests/interop/synapse")
}

/// `python3`, if it is 3.10 or later (Synapse 1.163 needs it).
pub fn find_python() -> Result<PathBuf, String> {
    let output = run(Command::new("python3").args(["-c", "import sys; print(*sys.version_info[:2])"]), QUICK)
        .map_err(|e| format!("Python 3.10+ is missing: {e}"))?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let numbers: Vec<u32> = version.split(' ').filter_map(|n| n.parse().ok()).collect();
    match numbers[..] {
        [major, minor] if (major, minor) >= (3, 10) => Ok(PathBuf::from("python3")),
        _ => Err(format!(
            "Python 3.10+ is missing: python3 is version {version:?}, too old for Synapse {SYNAPSE_VERSION}"
        )),
    }
}

/// The venv's python, with Synapse installed. The venv is kept under the
/// target directory, so the second run skips pip: it is built under a name
/// of this process's own, gets a marker file once pip succeeded, and is then
/// renamed to `venv`. So a `venv` always has a complete install, a failed
/// or killed install never leaves a half-built `venv`, and two test processes
/// (two `cargo test` runs at once) never install into the same directory.
pub fn install_synapse() -> Result<PathBuf, String> {
    if !cfg!(unix) {
        return Err("Synapse runs on Unix only".to_owned());
    }
    let dir = work_dir("synapse");
    let venv = dir.join("venv");
    let wanted = format!("matrix-synapse=={SYNAPSE_VERSION}");
    if is_installed(&venv, &wanted) {
        eprintln!("Synapse {SYNAPSE_VERSION}: cached venv in {}", venv.display());
        return Ok(venv.join("bin/python"));
    }
    let system_python = find_python()?;
    remove_abandoned_installs(&dir);
    let staging = dir.join(format!("{STAGING}{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    eprintln!("Synapse {SYNAPSE_VERSION}: installing into {} (about a minute)", venv.display());
    if let Err(why) = build_venv(&system_python, &staging, &wanted) {
        let _ = fs::remove_dir_all(&staging);
        return Err(why);
    }
    // A `venv` without the marker, or of another version, is replaced.
    if venv.exists() && !is_installed(&venv, &wanted) {
        // (If it cannot be removed, the rename fails and the check below says so.)
        let _ = fs::remove_dir_all(&venv);
    }
    if fs::rename(&staging, &venv).is_err() {
        // Another test process renamed its complete venv first: use that one.
        let _ = fs::remove_dir_all(&staging);
    }
    if !is_installed(&venv, &wanted) {
        return Err(format!("{} is not a complete install after renaming", venv.display()));
    }
    Ok(venv.join("bin/python"))
}

/// The prefix of a venv being built; the process id follows.
const STAGING: &str = "venv.partial.";

/// Create a venv at `staging`, pip-install `wanted` into it and write the marker.
fn build_venv(system_python: &Path, staging: &Path, wanted: &str) -> Result<(), String> {
    run(Command::new(system_python).arg("-m").arg("venv").arg(staging), QUICK)
        .map_err(|e| format!("python3 cannot create a virtualenv (Debian: python3-venv)\n{e}"))?;
    // `python -m pip`, not `bin/pip`: the scripts name the staging path, which goes away.
    let python = staging.join("bin/python");
    run(
        Command::new(python).args(["-m", "pip", "install", "--progress-bar", "off", wanted]),
        INSTALL_TIMEOUT,
    )
    .map_err(|e| format!("{wanted} cannot be installed from PyPI (is it reachable?)\n{e}"))?;
    let marker = staging.join(MARKER);
    fs::write(&marker, wanted).map_err(|e| format!("cannot write {}: {e}", marker.display()))?;
    if !is_installed(staging, wanted) {
        return Err(format!("{wanted} installed, but the venv does not import that version"));
    }
    Ok(())
}

/// Remove the staging venvs of installs that were killed (a quarter of a
/// gigabyte each): those untouched for an hour, far longer than an install takes.
fn remove_abandoned_installs(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > Duration::from_secs(3600)));
        if old && entry.file_name().to_string_lossy().starts_with(STAGING) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// The file in the venv that says which Synapse pip installed into it.
const MARKER: &str = "matrix-uia-installed";

/// Whether `venv` has the marker for `wanted` and imports that version
/// (the marker alone does not notice a Python that went away under the venv).
fn is_installed(venv: &Path, wanted: &str) -> bool {
    fs::read_to_string(venv.join(MARKER)).is_ok_and(|m| m.trim() == wanted)
        && imports_synapse(&venv.join("bin/python"))
}

/// Whether `python` imports Synapse at the version this test is for.
fn imports_synapse(python: &Path) -> bool {
    Command::new(python)
        // Not `synapse.__version__`: inside a git checkout (this one) it adds the checkout's branch.
        .args(["-c", "import synapse, importlib.metadata as m; print(m.version('matrix-synapse'))"])
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == SYNAPSE_VERSION)
}

/// A free port on 127.0.0.1: bind port 0, read the port, let it go.
/// Synapse installed (or found in the cache) and started with
/// `configure_flags`, and how long the install and the start took; `Err`
/// (the reason) when it cannot be installed.
pub fn install_and_start(configure_flags: &[&str]) -> Result<(Synapse, Duration, Duration), String> {
    let started = Instant::now();
    let python = install_synapse()?;
    let install = started.elapsed();
    let started = Instant::now();
    let synapse = Synapse::start(&python, configure_flags);
    Ok((synapse, install, started.elapsed()))
}

pub fn free_port() -> u16 {
    let listener =
        TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("cannot bind 127.0.0.1:0: {e}"));
    listener.local_addr().map(|a| a.port()).unwrap_or_else(|e| panic!("no local address: {e}"))
}

/// A running Synapse: killed (by its PID) and waited for when dropped, so
/// that nothing is left running when an assertion fails. Its config, SQLite
/// database and logs are in a temporary directory of this run, removed after it.
pub struct Synapse {
    child: Child,
    /// Where it listens: 127.0.0.1 and a free port.
    pub address: SocketAddr,
    dir: tempfile::TempDir,
}

impl Synapse {
    /// Generate the config, rewrite it with `tests/interop/synapse/configure.py`
    /// (given `configure_flags`, such as `--default-rc-login`; none for the
    /// defaults), start Synapse with its output in `synapse.log`, and wait
    /// for `/versions`. Panics, with the log's tail, if it does not come up.
    pub fn start(python: &Path, configure_flags: &[&str]) -> Synapse {
        let dir = tempfile::Builder::new()
            .prefix("synapse-")
            .tempdir_in(work_dir("synapse"))
            .unwrap_or_else(|e| panic!("cannot create Synapse's data directory: {e}"));
        let started = Instant::now();
        let config = dir.path().join("homeserver.yaml");
        run(
            Command::new(python)
                .args(["-m", "synapse.app.homeserver", "--server-name", "localhost", "--config-path"])
                .arg(&config)
                .arg("--data-directory")
                .arg(dir.path())
                .args(["--generate-config", "--report-stats=no"])
                .current_dir(dir.path()),
            QUICK,
        )
        .unwrap_or_else(|e| panic!("Synapse cannot generate its config: {e}"));
        let port = free_port();
        let configure = interop_synapse_dir().join("configure.py");
        run(
            Command::new(python).arg(&configure).arg(dir.path()).arg(port.to_string()).args(configure_flags),
            QUICK,
        )
        .unwrap_or_else(|e| panic!("configure.py cannot rewrite Synapse's config: {e}"));

        let log_path = dir.path().join("synapse.log");
        let log = fs::File::create(&log_path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", log_path.display()));
        let log_too = log.try_clone().unwrap_or_else(|e| panic!("cannot share the log file: {e}"));
        let child = Command::new(python)
            .args(["-m", "synapse.app.homeserver", "-c"])
            .arg(&config)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_too)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start Synapse: {e}"));
        let configured = started.elapsed();
        let mut synapse = Synapse { child, address: SocketAddr::from(([127, 0, 0, 1], port)), dir };
        synapse.wait_until_up();
        let up = started.elapsed() - configured;
        eprintln!(
            "Synapse {SYNAPSE_VERSION}: config generated and rewritten in {configured:.1?}, up after {up:.1?}"
        );
        synapse
    }

    /// Its base URL for a client: `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Poll `GET /_matrix/client/versions` until it answers 200; fail with
    /// the log's tail if Synapse exits or takes longer than [`START_TIMEOUT`].
    fn wait_until_up(&mut self) {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            match self.child.try_wait() {
                Ok(None) => {}
                Ok(Some(status)) => self.fail(format!("Synapse exited with {status} before answering")),
                Err(e) => self.fail(format!("cannot tell whether Synapse runs: {e}")),
            }
            if self.versions_status() == Some(200) {
                return;
            }
            if Instant::now() > deadline {
                self.fail(format!("Synapse did not answer /versions within {START_TIMEOUT:?}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The status of `GET /_matrix/client/versions`, or `None` while the port
    /// does not accept or the answer is not HTTP yet. (Its own few lines of
    /// HTTP, so that this module needs nothing of `support` but `interop`.)
    fn versions_status(&self) -> Option<u16> {
        let mut stream = TcpStream::connect_timeout(&self.address, Duration::from_secs(1)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
        let request =
            format!("GET {VERSIONS} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", self.address);
        stream.write_all(request.as_bytes()).ok()?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).ok()?;
        let head = String::from_utf8_lossy(&response);
        head.split_whitespace().nth(1).and_then(|s| s.parse().ok())
    }

    /// The last lines of `synapse.log`: Synapse's stdout and stderr, where
    /// `configure.py` also sends its log (unbuffered).
    pub fn log_tail(&self) -> String {
        let text = fs::read_to_string(self.dir.path().join("synapse.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        format!("--- tail of Synapse's log\n{}", lines[lines.len().saturating_sub(40)..].join("\n"))
    }

    /// Panic with `what` and the log's tail.
    pub fn fail(&self, what: impl Display) -> ! {
        panic!("{what}\n{}", self.log_tail())
    }
}

impl Drop for Synapse {
    fn drop(&mut self) {
        // `Child::kill` signals the child's own PID (SIGKILL): nothing else.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
