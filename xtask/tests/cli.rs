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
