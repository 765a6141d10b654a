//! The engine, rule by rule. Each test names the rule it checks; together
//! they are the table in the `server` module docs.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use matrix_uia::server::{
    Decision, Engine, EngineConfig, IncomingRequest, MemoryStore, PasswordStage, Policy, SessionStore,
    fixed_registration_tokens,
};
use matrix_uia::{AuthType, ErrorKind, JsonObject, UiaaInfo, UiaaResponse};
use serde_json::{Value, json};

#[path = "support/accounts.rs"]
mod accounts;

use accounts::password_check;

const PATH: &str = "/_matrix/client/v3/delete_devices";
/// Who makes the requests: a session is bound to its requester, so every
/// request of one session comes from the same user unless a test says not.
const ALICE: Option<&str> = Some("@alice:example.org");
const BOB: Option<&str> = Some("@bob:example.org");

struct Server {
    engine: Engine<Arc<MemoryStore>>,
    store: Arc<MemoryStore>,
    clock: Arc<AtomicU64>,
}

fn server() -> Server {
    let store = Arc::new(MemoryStore::new());
    let clock = Arc::new(AtomicU64::new(1_000_000));
    let time = clock.clone();
    let engine = Engine::new(store.clone())
        .with_verifier(PasswordStage::new(password_check))
        .with_verifier(fixed_registration_tokens(vec!["let-me-in".to_owned()]))
        .with_config(EngineConfig { max_failures: 10, ..EngineConfig::default() })
        .with_clock(Arc::new(move || time.load(Ordering::SeqCst)));
    Server { engine, store, clock }
}

fn object(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

impl Server {
    fn send(&self, policy: &Policy, requester: Option<&str>, body: Value) -> Decision {
        self.send_to(policy, PATH, requester, body)
    }

    fn send_to(&self, policy: &Policy, path: &str, requester: Option<&str>, body: Value) -> Decision {
        let body = object(body);
        self.engine
            .authorize(policy, &IncomingRequest { method: "POST", path, requester, body: &body })
            .unwrap()
    }

    /// The first request: 401 and its session.
    fn start(&self, policy: &Policy, body: &Value) -> UiaaInfo {
        info(self.send(policy, ALICE, body.clone()))
    }
}

fn info(decision: Decision) -> UiaaInfo {
    match decision {
        Decision::Respond(UiaaResponse::AuthRequired(info)) => info,
        other => panic!("expected a 401 UIA body, got {other:?}"),
    }
}

fn error(decision: &Decision) -> (u16, &str) {
    match decision {
        Decision::Respond(UiaaResponse::Error { status, error }) => (*status, error.errcode.as_str()),
        other => panic!("expected a standard error, got {other:?}"),
    }
}

fn with_auth(body: &Value, auth: Value) -> Value {
    let mut body = body.clone();
    body["auth"] = auth;
    body
}

fn password(session: &str, user: &str, password: &str) -> Value {
    json!({"type": "m.login.password", "identifier": {"type": "m.id.user", "user": user}, "password": password, "session": session})
}

fn password_policy() -> Policy {
    Policy::new([vec![AuthType::Password]])
}

fn devices() -> Value {
    json!({"devices": ["DEVICE_A"]})
}

#[test]
fn rule_no_auth_answers_401_with_flows_params_and_a_fresh_session() {
    let server = server();
    let policy = Policy::new([vec![AuthType::Terms, AuthType::Dummy]])
        .with_params(AuthType::Terms, json!({"policies": {}}));
    let first = server.start(&policy, &devices());
    let second = server.start(&policy, &devices());
    assert_eq!(first.flows, policy.flows);
    assert_eq!(first.params_of(&AuthType::Terms).map(|p| p.get()), Some(r#"{"policies":{}}"#));
    let id = first.session.clone().expect("a session");
    assert_eq!(id.len(), 32, "128 bits as hex");
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_ne!(first.session, second.session);
    assert!(first.completed.is_none() && first.auth_error.is_none());
}

#[test]
fn rule_a_dummy_only_flow_still_answers_401_first() {
    let server = server();
    let policy = Policy::new([vec![AuthType::Dummy]]);
    let first = server.start(&policy, &devices());
    let session = first.session.unwrap();
    let done = server.send(
        &policy,
        ALICE,
        with_auth(&devices(), json!({"type": "m.login.dummy", "session": session})),
    );
    assert!(matches!(done, Decision::Proceed(_)), "{done:?}");
}

#[test]
fn rule_a_stage_must_be_next_in_some_offered_flow() {
    let server = server();
    let policy = Policy::new([vec![AuthType::Terms, AuthType::Dummy]]);
    let session = server.start(&policy, &devices()).session.unwrap();
    let early = server.send(
        &policy,
        ALICE,
        with_auth(&devices(), json!({"type": "m.login.dummy", "session": session})),
    );
    assert_eq!(error(&early), (400, "M_INVALID_PARAM"));
    let terms = server.send(
        &policy,
        ALICE,
        with_auth(&devices(), json!({"type": "m.login.terms", "session": session})),
    );
    assert_eq!(info(terms).completed(), [AuthType::Terms]);
    let dummy = server.send(
        &policy,
        ALICE,
        with_auth(&devices(), json!({"type": "m.login.dummy", "session": session})),
    );
    let Decision::Proceed(authorized) = dummy else { panic!("{dummy:?}") };
    assert_eq!(authorized.completed, [AuthType::Terms, AuthType::Dummy]);
}

#[test]
fn rule_a_stage_in_no_offered_flow_is_refused_and_not_recorded() {
    let server = server();
    let policy = Policy::new([vec![AuthType::Terms, AuthType::Dummy]]);
    let session = server.start(&policy, &devices()).session.unwrap();
    let captcha = json!({"type": "m.login.recaptcha", "response": "x", "session": session});
    assert_eq!(error(&server.send(&policy, ALICE, with_auth(&devices(), captcha))), (400, "M_INVALID_PARAM"));
    let stored = server.store.get(&session).unwrap().unwrap();
    assert!(stored.completed.is_empty());
}

#[test]
fn rule_completed_stages_are_not_retried() {
    let server = server();
    let policy = Policy::new([vec![AuthType::Password, AuthType::Dummy]]);
    let body = devices();
    let session = server.start(&policy, &body).session.unwrap();
    let user = ALICE;
    info(server.send(&policy, user, with_auth(&body, password(&session, "alice", "alice-secret"))));
    // A retry, even with a wrong password, changes nothing and costs nothing.
    let retry = info(server.send(&policy, user, with_auth(&body, password(&session, "alice", "wrong"))));
    assert_eq!(retry.completed(), [AuthType::Password]);
    assert!(retry.auth_error.is_none());
    assert_eq!(server.store.get(&session).unwrap().unwrap().failures, 0);
}

#[test]
fn rule_a_retried_completed_stage_proceeds_when_a_flow_is_complete() {
    let server = server();
    let policy = Policy::new([vec![AuthType::Terms]]);
    let session = server.start(&policy, &devices()).session.unwrap();
    assert!(server.engine.complete_out_of_band(&session, &AuthType::Terms).unwrap());
    let again = server.send(
        &policy,
        ALICE,
        with_auth(&devices(), json!({"type": "m.login.terms", "session": session})),
    );
    assert!(matches!(again, Decision::Proceed(_)), "{again:?}");
}

#[test]
fn rule_a_failed_stage_answers_401_with_the_uia_body_and_errcode() {
    let server = server();
    let policy = password_policy().with_params(AuthType::Password, json!({}));
    let session = server.start(&policy, &devices()).session.unwrap();
    let failed =
        info(server.send(&policy, ALICE, with_auth(&devices(), password(&session, "alice", "nope"))));
    let auth_error = failed.auth_error.as_ref().expect("errcode and error");
    assert_eq!(auth_error.errcode, ErrorKind::Forbidden);
    assert_eq!(auth_error.error.as_deref(), Some("Invalid password"));
    assert_eq!(failed.flows, policy.flows);
    assert_eq!(failed.session.as_deref(), Some(session.as_str()));
    assert!(failed.params.is_some());
    // The seed's body, on the wire: 401 with flows, session, errcode, error.
    let wire: Value = serde_json::to_value(&failed).unwrap();
    for key in ["flows", "session", "errcode", "error", "params"] {
        assert!(wire.get(key).is_some(), "{key} in {wire}");
    }
}

#[test]
fn rule_other_failures_answer_the_standard_error_format() {
    let server = server();
    let policy = password_policy();
    let body = devices();
    assert_eq!(
        error(&server.send(&policy, ALICE, with_auth(&body, json!("not a dict")))),
        (400, "M_BAD_JSON")
    );
    assert_eq!(
        error(&server.send(&policy, ALICE, with_auth(&body, json!({"type": 7})))),
        (400, "M_BAD_JSON")
    );
    let unknown = json!({"type": "m.login.password", "session": "0123", "password": "p", "user": "alice"});
    assert_eq!(error(&server.send(&policy, ALICE, with_auth(&body, unknown))), (400, "M_UNKNOWN"));
    let session = server.start(&policy, &body).session.unwrap();
    let not_offered = json!({"type": "m.login.dummy", "session": session});
    assert_eq!(error(&server.send(&policy, ALICE, with_auth(&body, not_offered))), (400, "M_INVALID_PARAM"));
    // An empty auth dict is no auth at all: a new session, as Synapse answers.
    let fresh = info(server.send(&policy, ALICE, with_auth(&body, json!({}))));
    assert!(fresh.session.is_some_and(|s| s != session));
}

#[test]
fn rule_registration_token_missing_and_invalid_match_synapse_codes() {
    let server = server();
    let policy = Policy::new([vec![AuthType::RegistrationToken, AuthType::Dummy]]);
    let body = json!({"username": "carol", "password": "x"});
    let session = server.start(&policy, &body).session.unwrap();
    let missing = info(server.send(
        &policy,
        ALICE,
        with_auth(&body, json!({"type": "m.login.registration_token", "session": session})),
    ));
    assert_eq!(missing.auth_error.unwrap().errcode, ErrorKind::MissingParam);
    let invalid = json!({"type": "m.login.registration_token", "token": "guess", "session": session});
    let invalid = info(server.send(&policy, ALICE, with_auth(&body, invalid)));
    assert_eq!(invalid.auth_error.unwrap().errcode, ErrorKind::Unauthorized);
    let valid = json!({"type": "m.login.registration_token", "token": "let-me-in", "session": session});
    assert_eq!(
        info(server.send(&policy, ALICE, with_auth(&body, valid))).completed(),
        [AuthType::RegistrationToken]
    );
}

#[test]
fn rule_session_only_auth_rechecks_stages_completed_out_of_band() {
    let server = server();
    let policy = Policy::new([vec![AuthType::Terms, AuthType::Dummy]]);
    let session = server.start(&policy, &devices()).session.unwrap();
    let ack = with_auth(&devices(), json!({"session": session}));
    assert!(info(server.send(&policy, ALICE, ack.clone())).completed().is_empty());
    assert!(server.engine.complete_out_of_band(&session, &AuthType::Terms).unwrap());
    assert_eq!(info(server.send(&policy, ALICE, ack)).completed(), [AuthType::Terms]);
    assert!(!server.engine.complete_out_of_band(&session, &AuthType::Password).unwrap(), "not offered");
}

#[test]
fn rule_the_session_is_bound_to_its_request_body_and_path() {
    let server = server();
    let policy = password_policy();
    let user = ALICE;
    let session = server.start(&policy, &devices()).session.unwrap();
    // Synapse authorises this: same session, another device list.
    let other_body =
        with_auth(&json!({"devices": ["DEVICE_B"]}), password(&session, "alice", "alice-secret"));
    assert_eq!(error(&server.send(&policy, user, other_body)), (403, "M_FORBIDDEN"));
    let other_path = with_auth(&devices(), password(&session, "alice", "alice-secret"));
    assert_eq!(
        error(&server.send_to(&policy, "/_matrix/client/v3/account/password", user, other_path)),
        (403, "M_FORBIDDEN")
    );
    // The original request still works: the attempt was refused, not the session.
    let right = with_auth(&devices(), password(&session, "alice", "alice-secret"));
    assert!(matches!(server.send(&policy, user, right), Decision::Proceed(_)));
}

#[test]
fn rule_sessions_expire_when_looked_up_not_only_when_swept() {
    let server = server();
    let policy = password_policy();
    let session = server.start(&policy, &devices()).session.unwrap();
    server.clock.fetch_add(EngineConfig::default().session_lifetime.as_millis() as u64, Ordering::SeqCst);
    let late = with_auth(&devices(), password(&session, "alice", "alice-secret"));
    assert_eq!(error(&server.send(&policy, ALICE, late)), (400, "M_UNKNOWN"));
    assert!(server.store.get(&session).unwrap().is_some(), "no sweep ran, still refused");
    assert_eq!(server.engine.sweep().unwrap(), 1);
    assert!(server.store.is_empty());
}

#[test]
fn rule_failed_attempts_are_limited_per_session() {
    let server = server();
    let policy = password_policy();
    let user = ALICE;
    let session = server.start(&policy, &devices()).session.unwrap();
    for attempt in 1..=10 {
        let failed =
            info(server.send(&policy, user, with_auth(&devices(), password(&session, "alice", "guess"))));
        assert_eq!(failed.auth_error.unwrap().errcode, ErrorKind::Forbidden, "attempt {attempt}");
    }
    // Even the right password is refused now.
    let blocked =
        server.send(&policy, user, with_auth(&devices(), password(&session, "alice", "alice-secret")));
    assert_eq!(error(&blocked), (429, "M_LIMIT_EXCEEDED"));
    let Decision::Respond(UiaaResponse::Error { error, .. }) = blocked else { unreachable!() };
    assert!(error.retry_after_ms.is_some_and(|ms| ms > 0));
}

#[test]
fn rule_a_session_that_authorised_its_request_cannot_authorise_again() {
    let server = server();
    let policy = password_policy();
    let user = ALICE;
    let session = server.start(&policy, &devices()).session.unwrap();
    let done = server.send(&policy, user, with_auth(&devices(), password(&session, "alice", "alice-secret")));
    assert!(matches!(done, Decision::Proceed(_)));
    // Synapse lets this replay authorise the request again, with no credentials.
    let replay = server.send(&policy, user, with_auth(&devices(), json!({"session": session})));
    assert_eq!(error(&replay), (400, "M_UNKNOWN"));
}

#[test]
fn rule_the_proven_identity_must_be_the_requester() {
    let server = server();
    let policy = password_policy();
    // Bob is logged in and types Alice's (correct) password.
    let session = info(server.send(&policy, BOB, devices())).session.unwrap();
    let other = with_auth(&devices(), password(&session, "alice", "alice-secret"));
    assert_eq!(error(&server.send(&policy, BOB, other)), (403, "M_FORBIDDEN"));
    assert_eq!(server.store.get(&session).unwrap().unwrap().failures, 1, "counted against the session");
}

#[test]
fn rule_a_session_is_bound_to_its_requester() {
    // Found by the engine fuzz target: Alice proves her password, then Bob
    // finishes her session with a stage that proves no one.
    let server = server();
    let policy = Policy::new([vec![AuthType::Password, AuthType::Dummy]]);
    let session = server.start(&policy, &devices()).session.unwrap();
    let proven =
        info(server.send(&policy, ALICE, with_auth(&devices(), password(&session, "alice", "alice-secret"))));
    assert_eq!(proven.completed(), [AuthType::Password]);
    let dummy = json!({"type": "m.login.dummy", "session": session});
    assert_eq!(error(&server.send(&policy, BOB, with_auth(&devices(), dummy.clone()))), (403, "M_FORBIDDEN"));
    assert_eq!(
        error(&server.send(&policy, None, with_auth(&devices(), dummy.clone()))),
        (403, "M_FORBIDDEN")
    );
    // Alice herself still can.
    let done = server.send(&policy, ALICE, with_auth(&devices(), dummy));
    let Decision::Proceed(authorized) = done else { panic!("{done:?}") };
    assert_eq!(authorized.user_id.as_deref(), ALICE);
}

#[test]
fn rule_legacy_password_forms_are_understood() {
    let server = server();
    let policy = password_policy();
    let session = server.start(&policy, &devices()).session.unwrap();
    let legacy =
        json!({"type": "m.login.password", "user": "alice", "password": "alice-secret", "session": session});
    let done = server.send(&policy, ALICE, with_auth(&devices(), legacy));
    let Decision::Proceed(authorized) = done else { panic!("{done:?}") };
    assert_eq!(authorized.user_id.as_deref(), Some("@alice:example.org"));
}

#[test]
fn rule_an_auth_dict_without_session_starts_one() {
    let server = server();
    let policy = Policy::new([vec![AuthType::Dummy]]);
    let done = server.send(&policy, ALICE, with_auth(&devices(), json!({"type": "m.login.dummy"})));
    assert!(matches!(done, Decision::Proceed(_)), "{done:?}");
}

#[test]
fn rule_a_stage_the_server_cannot_check_is_a_server_error() {
    let server = server();
    let policy = Policy::new([vec![AuthType::ReCaptcha]]);
    let body = object(devices());
    let request = IncomingRequest { method: "POST", path: PATH, requester: ALICE, body: &body };
    let failure = server.engine.authorize(&policy, &request).unwrap_err();
    assert!(
        matches!(&failure, matrix_uia::server::EngineError::NoVerifier(t) if *t == AuthType::ReCaptcha),
        "{failure:?}"
    );
    // The homeserver logs the cause; the client is told nothing of it.
    let response = serde_json::to_value(failure.response()).unwrap();
    assert_eq!(failure.response().status(), 500);
    assert_eq!(response["errcode"], "M_UNKNOWN");
    assert!(!response.to_string().contains("recaptcha"), "{response}");
}

#[test]
fn rule_errors_never_echo_at_length_what_the_client_sent() {
    let server = server();
    let policy = password_policy();
    let body = devices();
    // An unknown session id of a megabyte: the answer does not repeat it.
    let huge = "s".repeat(1 << 20);
    let unknown =
        server.send(&policy, ALICE, with_auth(&body, json!({"type": "m.login.password", "session": huge})));
    assert_eq!(error(&unknown), (400, "M_UNKNOWN"));
    let Decision::Respond(answer) = &unknown else { unreachable!() };
    assert!(answer.to_json_bytes().unwrap().len() < 200, "{answer:?}");
    // A field of the wrong type whose value serde would quote whole.
    let session = server.start(&policy, &body).session.unwrap();
    let wrong = json!({"type": "m.login.password", "session": session, "password": "p", "identifier": huge});
    let retry = info(server.send(&policy, ALICE, with_auth(&body, wrong)));
    let error = retry.auth_error.expect("a retryable failure");
    assert_eq!(error.errcode, ErrorKind::InvalidParam, "chosen from the error's kind: {error}");
    assert!(error.error.as_ref().is_some_and(|e| e.len() < 300 && e.starts_with("invalid type")), "{error}");
}

#[test]
fn rule_policies_advertise_typed_params() {
    let server = server();
    let translation = matrix_uia::PolicyTranslation::new("Terms", "https://example.org/terms");
    let policy = matrix_uia::PolicyDefinition::new("1.0", [("en".to_owned(), translation)].into());
    let terms =
        matrix_uia::TermsParams::new(std::collections::BTreeMap::from([("terms".to_owned(), policy)]));
    let policy = Policy::new([vec![AuthType::Terms]]).with_auth_params(&terms).unwrap();
    let first = server.start(&policy, &devices());
    assert_eq!(first.params::<matrix_uia::TermsParams>().unwrap().unwrap(), terms);
}
