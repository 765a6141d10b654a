//! The interop tests' rule for missing tools: on a developer's machine a
//! test whose peer cannot be set up (no Python, no Node, no Chromium, no
//! registry) says so and passes; under `MATRIX_UIA_INTEROP=require`, which
//! `.ci/run` sets, the same situation fails the test, because there the
//! interop run is the proof.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Whether a missing peer fails the test rather than skipping it.
pub fn required() -> bool {
    std::env::var("MATRIX_UIA_INTEROP").is_ok_and(|v| v == "require")
}

/// Report that `what` cannot run because of `why`: a skip message on a
/// developer's machine (returns, so the caller returns), a panic under
/// `MATRIX_UIA_INTEROP=require`.
pub fn unavailable(what: &str, why: &str) {
    let message = format!("{what}: {why}");
    if required() {
        panic!("{message} (MATRIX_UIA_INTEROP=require, so this fails instead of skipping)");
    }
    eprintln!("SKIPPED {message}; set MATRIX_UIA_INTEROP=require to make this a failure");
}

/// A directory for one peer's installation, kept between runs under the
/// target directory so that a second `cargo test` does not reinstall.
pub fn work_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("interop").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// How long a SIGTERMed child has to exit (Playwright closes its browser on SIGTERM).
const GRACE: Duration = Duration::from_secs(10);

/// Run `command` with no input, killing it after `timeout`: SIGTERM first,
/// then SIGKILL after [`GRACE`]. Its output, or what went wrong with the tail
/// of its stdout and stderr.
pub fn run(command: &mut Command, timeout: Duration) -> Result<Output, String> {
    let line = format!("{command:?}");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {line}: {e}"))?;
    let reader = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = reader(Box::new(child.stdout.take().unwrap()));
    let stderr = reader(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| format!("{line}: {e}"))? {
            break status;
        }
        let waited = started.elapsed();
        if waited >= timeout + GRACE {
            let _ = child.kill();
            break child.wait().map_err(|e| format!("{line}: {e}"))?;
        }
        if waited >= timeout && !timed_out {
            timed_out = true;
            // SIGTERM by pid: the child is ours, and Node closes Chromium on it.
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    };
    if status.success() && !timed_out {
        return Ok(output);
    }
    let tail = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes);
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    };
    let how =
        if timed_out { format!("timed out after {timeout:?}") } else { format!("exited with {status}") };
    Err(format!("{line} {how}\n--- stdout\n{}\n--- stderr\n{}", tail(&output.stdout), tail(&output.stderr)))
}
