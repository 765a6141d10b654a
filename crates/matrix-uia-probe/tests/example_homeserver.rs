//! The probe against `matrix-uia`'s example homeserver, which keeps every
//! rule: every rule passes, the checked-in results
//! (`results/example-homeserver.jsonl`, the README's table) say so, and the
//! binary's exit codes and JSON lines are what its docs promise.

mod support;

use std::process::Command;

use matrix_uia_probe::rules::RULES;
use serde_json::Value;

#[test]
fn every_rule_passes_on_the_example_homeserver() {
    let (runtime, dir) = (support::runtime(), tempfile::tempdir().unwrap());
    let address = support::serve_example(&runtime, dir.path());
    let report = matrix_uia_probe::run(&support::options(address)).expect("the probe runs");
    assert_eq!(report.findings.len(), RULES.len());
    for finding in &report.findings {
        assert_eq!(finding.outcome, "pass", "{}: {}", finding.rule, finding.detail);
    }
    let recorded =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/results/example-homeserver.jsonl"))
            .expect("the checked-in results");
    for line in recorded.lines().filter_map(|l| serde_json::from_str::<Value>(l).ok()) {
        if let Some(rule) = line["rule"].as_str() {
            assert_eq!(line["outcome"], "pass", "results/example-homeserver.jsonl says {rule} does not pass");
        }
    }
}

#[test]
fn the_binary_prints_json_lines_and_exits_by_the_must_rules() {
    let (runtime, dir) = (support::runtime(), tempfile::tempdir().unwrap());
    let address = support::serve_example(&runtime, dir.path());
    let probe = env!("CARGO_BIN_EXE_matrix-uia-probe");
    let url = format!("http://{address}");
    let run = Command::new(probe)
        .args([
            "--homeserver",
            &url,
            "--register",
            "--rate",
            "1000",
            "--json",
            "--only",
            "uri-binding,body-binding",
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let lines: Vec<Value> =
        String::from_utf8(run.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "two rules and the summary: {lines:?}");
    assert_eq!(lines[0]["rule"], "uri-binding");
    assert_eq!(lines[0]["level"], "must");
    assert_eq!(lines[1]["rule"], "body-binding");
    assert_eq!(lines[1]["level"], "should");
    assert_eq!(lines[2]["summary"]["pass"], 2);
    // The table is for people: a line per rule and the counts.
    let table =
        Command::new(probe).args(["--homeserver", &url, "--register", "--rate", "1000"]).output().unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.lines().count() == RULES.len() + 2 && table.ends_with("0 fail (0 must), 0 skip\n"),
        "{table}"
    );
}

#[test]
fn the_probe_says_why_it_cannot_run_and_exits_2() {
    let probe = env!("CARGO_BIN_EXE_matrix-uia-probe");
    // Nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let unreachable = Command::new(probe).args(["--homeserver", &url, "--register"]).output().unwrap();
    assert_eq!(unreachable.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unreachable.stderr).contains(&url));
    let usage = Command::new(probe).args(["--homeserver", &url]).output().unwrap();
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("--register"));
}

#[test]
fn help_prints_every_option_and_exits_0() {
    let probe = env!("CARGO_BIN_EXE_matrix-uia-probe");
    let help = Command::new(probe).args(["--homeserver", "http://x", "--help"]).output().unwrap();
    assert_eq!(help.status.code(), Some(0), "{}", String::from_utf8_lossy(&help.stderr));
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.starts_with("usage: matrix-uia-probe") && text.contains("--registration-token T"), "{text}");
}

#[test]
fn a_reader_that_stops_early_is_no_error() {
    // `matrix-uia-probe --list-rules | head -1`: the pipe is closed before the probe writes.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let run = Command::new(env!("CARGO_BIN_EXE_matrix-uia-probe"))
        .arg("--list-rules")
        .stdout(writer)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn with_a_given_account_the_rules_that_need_more_skip_and_say_why() {
    let (runtime, dir) = (support::runtime(), tempfile::tempdir().unwrap());
    let address = support::serve_example(&runtime, dir.path());
    // An account of the operator's, made here through the probe's own registration.
    let client = matrix_uia_probe::http::Client::new(
        &format!("http://{address}"),
        1000.0,
        std::time::Duration::from_secs(30),
        std::time::Duration::from_secs(60),
    );
    let account = matrix_uia_probe::accounts::register(&client, None).unwrap();
    let mut options = support::options(address);
    options.accounts =
        matrix_uia_probe::Accounts::Given { user: account.login.clone(), password: account.password };
    let report = matrix_uia_probe::run(&options).expect("the probe runs");
    for rule in ["other-user-password", "cross-user-session"] {
        let finding = report.findings.iter().find(|f| f.rule == rule).unwrap();
        assert_eq!(
            (finding.outcome, finding.detail.contains("second account")),
            ("skip", true),
            "{finding:?}"
        );
    }
    for rule in ["failure-limit-session", "failure-limit-identity"] {
        assert_eq!(support::outcome(&report, rule), "skip", "the given account is not throttled");
    }
    assert_eq!(report.summary().fail, 0, "{}", report.table());
}
