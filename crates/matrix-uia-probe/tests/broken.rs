//! For each rule, a server that breaks that rule alone (the example
//! homeserver behind `support/proxy.rs`, which breaks it the way real
//! servers do): the probe reports that rule `fail`, and no `fail` for any
//! rule the server still keeps. The same proxy breaking nothing passes
//! every rule, so the proxy itself breaks nothing by being there.

mod support;

use matrix_uia_probe::rules::RULES;

/// Probe the example homeserver behind a proxy breaking `rule`.
fn probe_broken(rule: Option<&'static str>) -> matrix_uia_probe::Report {
    let (runtime, dir) = (support::runtime(), tempfile::tempdir().unwrap());
    let upstream = support::serve_example(&runtime, dir.path());
    let address = support::proxy::serve(&runtime, upstream, rule);
    matrix_uia_probe::run(&support::options(address)).expect("the probe runs")
}

/// `rule` broken: it fails, and nothing else does.
fn only_broken_rule_fails(rule: &'static str) {
    assert!(RULES.iter().any(|r| r.id == rule), "no rule {rule}");
    let report = probe_broken(Some(rule));
    let broken = report.findings.iter().find(|f| f.rule == rule).expect("the rule ran");
    assert_eq!(
        broken.outcome, "fail",
        "{rule} broken, but the probe says {}: {}",
        broken.outcome, broken.detail
    );
    let others: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.rule != rule && f.outcome == "fail")
        .map(|f| format!("{}: {}", f.rule, f.detail))
        .collect();
    assert!(others.is_empty(), "with only {rule} broken, the probe also failed:\n{}", others.join("\n"));
}

#[test]
fn the_proxy_breaking_nothing_passes_every_rule() {
    let report = probe_broken(None);
    assert_eq!(report.summary().pass, RULES.len(), "{}", report.table());
}

macro_rules! broken {
    ($($test:ident: $rule:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                only_broken_rule_fails($rule);
            }
        )*

        #[test]
        fn every_rule_has_its_broken_server() {
            let tested = [$($rule),*];
            for rule in RULES {
                assert!(tested.contains(&rule.id), "no broken-server test for {}", rule.id);
            }
        }
    };
}

broken! {
    first_request_401: "first-request-401",
    failed_stage_401_errcode: "failed-stage-401-errcode",
    malformed_auth_standard_error: "malformed-auth-standard-error",
    unknown_session: "unknown-session",
    completed_in_401: "completed-in-401",
    uri_binding: "uri-binding",
    body_binding: "body-binding",
    replay_after_success: "replay-after-success",
    stage_not_offered: "stage-not-offered",
    stage_order: "stage-order",
    other_user_password: "other-user-password",
    cross_user_session: "cross-user-session",
    concurrent_completion: "concurrent-completion",
    session_id_entropy: "session-id-entropy",
    failure_limit_session: "failure-limit-session",
    failure_limit_identity: "failure-limit-identity",
}
