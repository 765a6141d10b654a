//! Replay every input of `corpus/<target>/` and `regressions/<target>/`
//! through the target's check function, without libFuzzer:
//!
//!     cargo test --manifest-path xtask/fuzz/Cargo.toml
//!
//! Every failing file is reported (with its panic message), not only the first.
//! Every target has a kept corpus: a missing or empty one fails the replay
//! (a replay of nothing passes whatever the code does). Regressions exist
//! only for the targets that found something.

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use matrix_uia_fuzz::TARGETS;

/// The inputs of `<dir>/<target>/`, sorted (`.md` notes on regressions left
/// out); `None` when the directory cannot be read.
fn inputs(dir: &Path) -> Option<Vec<PathBuf>> {
    let entries = fs::read_dir(dir).ok()?;
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "md"))
        .collect();
    paths.sort();
    Some(paths)
}

/// Run every file of `<root>/<dir>/<target>/` through its target; the number
/// of files. With `required`, a target whose directory is missing or empty fails.
fn replay(root: &Path, dir: &str, required: bool) -> usize {
    let base = root.join(dir);
    let mut missing = Vec::new();
    let mut failures = Vec::new();
    let mut count = 0;
    for (target, check) in TARGETS {
        let paths = match inputs(&base.join(target)) {
            Some(paths) if !paths.is_empty() => paths,
            found => {
                let what = if found.is_some() { "is empty" } else { "is missing" };
                missing.push(format!("xtask/fuzz/{dir}/{target}/ {what}"));
                continue;
            }
        };
        for path in paths {
            let data = match fs::read(&path) {
                Ok(data) => data,
                Err(error) => {
                    failures.push(format!("{}: cannot read: {error}", path.display()));
                    continue;
                }
            };
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
    let mut problems = Vec::new();
    if required && !missing.is_empty() {
        problems.push(format!(
            "{}\nrestore the kept corpus from git (`git checkout -- xtask/fuzz/{dir}/`), or rebuild it: \
             seed, run and minimise as xtask/fuzz/README.md says",
            missing.join("\n")
        ));
    }
    if !failures.is_empty() {
        problems.push(format!("{} of {count} inputs fail:\n{}", failures.len(), failures.join("\n")));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    count
}

fn fuzz_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn corpus_replays() {
    let count = replay(fuzz_dir(), "corpus", true);
    eprintln!("replayed {count} corpus inputs");
}

#[test]
fn regressions_replay() {
    let count = replay(fuzz_dir(), "regressions", false);
    eprintln!("replayed {count} regression inputs");
}

#[test]
fn a_missing_or_empty_corpus_fails_and_says_which() {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("replay-missing-corpus");
    let _ = fs::remove_dir_all(&root);
    let corpus = root.join("corpus");
    fs::create_dir_all(corpus.join("rst")).unwrap();
    fs::write(corpus.join("rst").join("title"), "Title\n=====\n").unwrap();
    fs::create_dir_all(corpus.join("markdown")).unwrap();
    let panic = catch_unwind(|| replay(&root, "corpus", true)).expect_err("an incomplete corpus passed");
    let message = panic.downcast_ref::<String>().expect("a formatted message");
    assert!(message.contains("xtask/fuzz/corpus/markdown/ is empty"), "{message}");
    assert!(message.contains("xtask/fuzz/corpus/engine/ is missing"), "{message}");
    assert!(!message.contains("corpus/rst/"), "{message}");
    assert!(message.contains("git checkout -- xtask/fuzz/corpus/"), "{message}");
}
