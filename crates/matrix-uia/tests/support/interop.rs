//! The interop tests' harness and their rule for missing peers. The test
//! targets `interop_synapse` and `interop_js` run under libtest-mimic
//! (`harness = false`), which takes libtest's command line (filters,
//! `--exact`, `--list`, `--test-threads`, …) and prints its report. A test
//! returns [`Unavailable`] when its peer cannot be set up (no Python, no
//! Node, no Chromium, no registry): on a developer's machine it is then
//! reported as `ignored`, with the reason on the same line; under
//! `MATRIX_UIA_INTEROP=require`, which `.ci/run` sets, it fails, because
//! there the interop run is the proof. A test that ran reports `ok` or
//! `FAILED` as usual. libtest-mimic does not capture output: what a test
//! prints (its timings) shows as it runs.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Completion, Failed, Trial};

/// Why a test could not run. The first line names the missing peer and is
/// the reason printed beside `ignored`; further lines (a command's output)
/// go to stderr.
#[derive(Clone, Debug)]
pub struct Unavailable(pub String);

/// What an interop test returns: `Err` when its peer is missing, so that it
/// did not run. Its assertions panic, as in any test.
pub type Outcome = Result<(), Unavailable>;

/// One test for [`main`]: its name and its function (see [`tests!`]).
pub type Test = (&'static str, fn() -> Outcome);

/// Whether a missing peer fails the test rather than skipping it.
pub fn required() -> bool {
    std::env::var("MATRIX_UIA_INTEROP").is_ok_and(|v| v == "require")
}

/// The `main` of an interop test target: run `tests` as libtest would, with
/// the command line's arguments, and exit 101 if one failed.
pub fn main(tests: &[Test]) -> ExitCode {
    let args = Arguments::from_args();
    let trials = tests
        .iter()
        .map(|&(name, test)| Trial::ignorable_test(name, move || completion(name, test())))
        .collect();
    libtest_mimic::run(&args, trials).exit_code()
}

/// The tests for [`main`]: each function under its own name. (The test
/// crates that use `support` for other things do not use it.)
#[allow(unused_macros)]
macro_rules! tests {
    ($($test:ident),* $(,)?) => {
        &[$((stringify!($test), $test as fn() -> $crate::support::interop::Outcome)),*]
    };
}
#[allow(unused_imports)]
pub(crate) use tests;

/// A test's result as libtest-mimic takes it: a missing peer is an ignored
/// test with the reason, or a failure under `MATRIX_UIA_INTEROP=require`.
fn completion(name: &str, outcome: Outcome) -> Result<Completion, Failed> {
    let Err(Unavailable(why)) = outcome else { return Ok(Completion::Completed) };
    if required() {
        return Err(
            format!("{why}\n(MATRIX_UIA_INTEROP=require, so this fails instead of being ignored)").into()
        );
    }
    let (reason, detail) = why.split_once('\n').unwrap_or((&why, ""));
    // The details once per process, however many tests share the missing peer.
    static SHOWN: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let mut shown = SHOWN.lock().unwrap_or_else(|e| e.into_inner());
    if shown.is_empty() {
        eprintln!(
            "note: a test whose peer is missing is reported as ignored with the reason; \
             MATRIX_UIA_INTEROP=require makes it fail instead"
        );
    }
    if !shown.contains(&why) {
        if !detail.trim().is_empty() {
            eprintln!("{name}: {reason}\n{detail}");
        }
        shown.push(why.clone());
    }
    Ok(Completion::ignored_with(reason))
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
