//! `cargo xtask extract` as a maintainer runs it: the real binary on the real spec files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use matrix_spec_examples::{Format, extract};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).current_dir(root()).output().expect("xtask runs")
}

const SPEC_FILES: [&str; 3] =
    ["spec/client_server_api.rst", "spec/client_server_api.before-seed.rst", "spec/client_server_api.v1.md"];

#[test]
fn extract_json_prints_every_code_block_of_every_file() {
    let output = xtask(&[&["extract", "--json"][..], &SPEC_FILES].concat());
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let lines: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect();
    for file in SPEC_FILES {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        let expected = extract(&text, Format::from_path(Path::new(file)).unwrap()).unwrap();
        let printed: Vec<&Value> = lines.iter().filter(|l| l["file"] == file).collect();
        assert_eq!(printed.len(), expected.len(), "{file}");
        for (line, example) in printed.iter().zip(&expected) {
            for key in ["file", "id", "line", "section", "kind", "status", "method", "path", "body"] {
                assert!(line.get(key).is_some(), "{file} {}: no `{key}`", example.id);
            }
            assert_eq!(line["id"], example.id.as_str());
            assert_eq!(line["line"], example.line);
            assert_eq!(line["body"], example.body.clone().unwrap_or(Value::Null));
        }
    }
    let failed = lines.iter().find(|l| l["body"]["errcode"] == "M_FORBIDDEN").expect("the seed's example");
    assert_eq!(failed["status"], 401);
    assert_eq!(failed["kind"], "http_response");
}

#[test]
fn extract_table_lists_blocks_with_their_lines() {
    let output = xtask(&["extract", "spec/client_server_api.rst"]);
    assert!(output.status.success());
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(table.contains("312  http_response  401 Unauthorized"), "{table}");
    assert!(table.contains("POST /_matrix/client/r0/endpoint"), "{table}");
}

#[test]
fn unreadable_files_are_named_and_fail_the_command() {
    let dir = std::env::temp_dir().join(format!("xtask-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let binary = dir.join("binary.rst");
    std::fs::write(&binary, b"Title\n=====\n\nab\0cd\n").unwrap();
    let latin1 = dir.join("latin1.md");
    std::fs::write(&latin1, b"# Caf\xe9\n").unwrap();
    let missing = dir.join("missing.rst");

    let output = xtask(&[
        "extract",
        binary.to_str().unwrap(),
        latin1.to_str().unwrap(),
        missing.to_str().unwrap(),
        "spec/client_server_api.rst",
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains(&format!("{}:4:3: a NUL byte", binary.display())), "{stderr}");
    assert!(stderr.contains(&format!("{}:1:6: not UTF-8", latin1.display())), "{stderr}");
    assert!(stderr.contains(&format!("{}: cannot read", missing.display())), "{stderr}");
    // The readable file is still printed.
    assert!(String::from_utf8(output.stdout).unwrap().contains("spec/client_server_api.rst: "));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn unknown_commands_and_flags_are_errors_with_usage() {
    let output = xtask(&["frobnicate"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("usage: cargo xtask"));
    let output = xtask(&["extract", "--yaml", "spec/client_server_api.rst"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown flag `--yaml`"));
}

/// The counts of `verify`'s closing line, by name, in order.
fn closing_counts(line: &str) -> Vec<(String, usize)> {
    let counts = line.strip_prefix("verify: ").unwrap_or_else(|| panic!("closing line: {line}"));
    counts
        .split(", ")
        .map(|part| {
            let (n, name) = part.split_once(' ').unwrap_or_else(|| panic!("`{part}` in {line}"));
            (name.to_owned(), n.parse().unwrap_or_else(|e| panic!("`{n}` in {line}: {e}")))
        })
        .collect()
}

#[test]
fn verify_closes_with_consistent_counts_and_fails_only_on_failures() {
    let output = xtask(&["verify"]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    let closing = closing_counts(lines.last().expect("a closing line"));
    let names: Vec<&str> = closing.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["files", "examples", "bound", "round-tripped", "typed", "failed"], "{stdout}");
    let [files, examples, bound, round_tripped, typed, failed] = [0, 1, 2, 3, 4, 5].map(|i| closing[i].1);
    assert_eq!(files, SPEC_FILES.len(), "{stdout}");
    assert!(typed <= round_tripped && round_tripped <= bound && bound <= examples, "{stdout}");
    assert_eq!(failed, examples - typed, "every in-scope example is typed or fails");
    assert_eq!(output.status.success(), failed == 0, "{}", String::from_utf8_lossy(&output.stderr));

    // One line per spec file, whose counts add up to the closing line's;
    // every other line before the closing one names a failure.
    let per_file: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("spec/")).collect();
    assert_eq!(per_file.len(), SPEC_FILES.len(), "{stdout}");
    let mut sums = [0; 5];
    for line in &per_file {
        let (_, counts) = line.split_once(": ").unwrap();
        for (sum, (_, n)) in sums.iter_mut().zip(closing_counts(&format!("verify: {counts}"))) {
            *sum += n;
        }
    }
    assert_eq!(sums, [examples, bound, round_tripped, typed, failed], "{stdout}");
    let failure_lines = lines.iter().filter(|l| l.starts_with("  spec/")).count();
    assert_eq!(failure_lines, failed, "{stdout}");
}

#[test]
fn verify_json_prints_an_outcome_per_example_then_the_counts() {
    let text = xtask(&["verify"]);
    let json = xtask(&["verify", "--json"]);
    assert_eq!(text.status.success(), json.status.success());
    let stdout = String::from_utf8(json.stdout).unwrap();
    let lines: Vec<Value> =
        stdout.lines().map(|l| serde_json::from_str(l).expect("each line is one JSON object")).collect();
    let (closing, outcomes) = lines.split_last().expect("a closing line");
    let text_closing = closing_counts(String::from_utf8(text.stdout).unwrap().lines().last().unwrap());
    for (name, n) in text_closing {
        assert_eq!(closing[name.replace('-', "_")], n, "{name}");
    }
    assert_eq!(closing["examples"], outcomes.len());
    for outcome in outcomes {
        for key in ["file", "line", "id", "kind", "status", "parsed_as", "type_name", "outcome", "error"] {
            assert!(outcome.get(key).is_some(), "no `{key}` in {outcome}");
        }
        assert_eq!(outcome["outcome"] == "round_tripped", outcome["error"].is_null(), "{outcome}");
    }
}

#[test]
fn verify_names_unreadable_files_and_fails() {
    let missing = std::env::temp_dir().join(format!("xtask-verify-missing-{}.rst", std::process::id()));
    let output = xtask(&["verify", missing.to_str().unwrap(), "spec/client_server_api.rst"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains(&format!("{}: cannot read", missing.display())), "{stderr}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("spec/client_server_api.rst: "), "the readable file is still verified: {stdout}");
    assert!(stdout.lines().last().is_some_and(|l| l.starts_with("verify: 1 files, ")), "{stdout}");

    let output = xtask(&["verify", "--yaml"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown flag `--yaml`"));
}

#[test]
fn a_reader_that_stops_early_is_no_error() {
    // `cargo xtask extract --json … | head -1`: the pipe is closed before xtask writes.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([&["extract", "--json"][..], &SPEC_FILES].concat())
        .current_dir(root())
        .stdout(writer)
        .output()
        .expect("xtask runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
