//! Replay every input of `corpus/<target>/` and `regressions/<target>/`
//! through the target's check function, without libFuzzer:
//!
//!     cargo test --manifest-path xtask/fuzz/Cargo.toml
//!
//! Every failing file is reported (with its panic message), not only the first.

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use matrix_uia_fuzz::TARGETS;

/// Run every file of `<dir>/<target>/` through its target; the number of files.
fn replay(dir: &str) -> usize {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut failures = Vec::new();
    let mut count = 0;
    for (target, check) in TARGETS {
        let Ok(entries) = fs::read_dir(base.join(target)) else { continue };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
        paths.sort();
        for path in paths {
            if path.extension().is_some_and(|e| e == "md") {
                continue; // a note on the regression, not an input
            }
            let data = fs::read(&path).unwrap();
            count += 1;
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| check(&data))) {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{}: {message}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {count} inputs fail:\n{}", failures.len(), failures.join("\n"));
    count
}

#[test]
fn corpus_replays() {
    let count = replay("corpus");
    eprintln!("replayed {count} corpus inputs");
}

#[test]
fn regressions_replay() {
    let count = replay("regressions");
    eprintln!("replayed {count} regression inputs");
}
