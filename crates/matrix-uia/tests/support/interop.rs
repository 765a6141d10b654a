//! The interop tests' rule for missing tools: on a developer's machine a
//! test whose peer cannot be set up (no Python, no Node, no Chromium, no
//! registry) says so and passes; under `MATRIX_UIA_INTEROP=require`, which
//! `.ci/run` sets, the same situation fails the test, because there the
//! interop run is the proof.

use std::path::PathBuf;
use std::process::{Command, Output};

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

/// Run a set-up command; on failure, the command line and the tail of its
/// output, for the skip message or the panic.
pub fn run(command: &mut Command) -> Result<Output, String> {
    let line = format!("{command:?}");
    let output = command.output().map_err(|e| format!("cannot start {line}: {e}"))?;
    if output.status.success() {
        return Ok(output);
    }
    let tail = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes);
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    };
    Err(format!(
        "{line} exited with {}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        tail(&output.stdout),
        tail(&output.stderr)
    ))
}
