//! The engine's rules, one by one, on the pure core (`support/world.rs`
//! answers its steps). Each test names the rule it checks; together they are
//! the table in the `server` module docs.

use std::future::ready;
use std::time::Duration;

use matrix_uia::server::{
    Decision, EngineConfig, IncomingRequest, Limit, PasswordStage, Policy, fixed_registration_tokens,
};
use matrix_uia::{AuthType, ErrorKind, JsonObject, UiaaInfo, UiaaResponse};
use serde_json::{Value, json};

#[path = "support/accounts.rs"]
mod accounts;
#[path = "support/world.rs"]
mod world;

use accounts::password_check;
use world::World;

const PATH: &str = "/_matrix/client/v3/delete_devices";
/// Who makes the requests: a session is bound to its requester, so every
/// request of one session comes from the same user unless a test says not.
const ALICE: Option<&str> = Some("@alice:example.org");
const BOB: Option<&str> = Some("@bob:example.org");

/// The core, in a world where Alice and Bob have passwords and
/// `let-me-in` is a registration token.
struct Server {
    world: World,
}

fn server() -> Server {
    server_with(EngineConfig::default())
}

fn server_with(config: EngineConfig) -> Server {
    let world = World::new(config)
        .with_verifier(PasswordStage::new(|id, pw: String| ready(password_check(&id, &pw))))
        .with_verifier(fixed_registration_tokens(vec!["let-me-in".to_owned()]));
    Server { world }
}

fn object(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

impl Server {
    fn send(&mut self, policy: &Policy, requester: Option<&str>, body: Value) -> Decision {
        self.send_to(policy, PATH, requester, body)
    }

    fn send_to(&mut self, policy: &Policy, path: &str, requester: Option<&str>, body: Value) -> Decision {
        let body = object(body);
        self.world.decide(policy, IncomingRequest::new("POST", path, &body).requester(requester))
    }

    fn send_from(
        &mut self,
        policy: &Policy,
        address: &str,
        requester: Option<&str>,
        body: Value,
    ) -> Decision {
        let body = object(body);
        let request =
            IncomingRequest::new("POST", PATH, &body).requester(requester).client_address(Some(address));
        self.world.decide(policy, request)
    }

    /// The first request: 401 and its session.
    fn start(&mut self, policy: &Policy, body: &Value) -> UiaaInfo {
        info(self.send(policy, ALICE, body.clone()))
    }

    fn advance(&mut self, by: Duration) {
        self.world.now_ms += by.as_millis() as u64;
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
    let mut server = server();
    let policy = Policy::new([vec![AuthType::Terms, AuthType::Dummy]])
        .with_params(AuthType::Terms, json!({"policies": {}}));
    let first = server.start(&policy, &devices());
    let second = server.start(&policy, &devices());
    assert_eq!(first.flows, policy.flows);
    assert_eq!(first.params_of(&AuthType::Terms).map(|p| p.get()), Some(r#"{"policies":{}}"#));
    assert!(first.session.is_some());
    assert_ne!(first.session, second.session);
    assert!(first.completed.is_none() && first.auth_error.is_none());
}

#[test]
fn rule_a_dummy_only_flow_still_answers_401_first() {
    let mut server = server();
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
    let mut server = server();
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
    let mut server = server();
    let policy = Policy::new([vec![AuthType::Terms, AuthType::Dummy]]);
    let session = server.start(&policy, &devices()).session.unwrap();
    let captcha = json!({"type": "m.login.recaptcha", "response": "x", "session": session});
    assert_eq!(error(&server.send(&policy, ALICE, with_auth(&devices(), captcha))), (400, "M_INVALID_PARAM"));
    let stored = server.world.session(&session).unwrap();
    assert!(stored.completed.is_empty());
}

#[test]
fn rule_completed_stages_are_not_retried() {
    let mut server = server();
    let policy = Policy::new([vec![AuthType::Password, AuthType::Dummy]]);
    let body = devices();
    let session = server.start(&policy, &body).session.unwrap();
    let user = ALICE;
    info(server.send(&policy, user, with_auth(&body, password(&session, "alice", "alice-secret"))));
    // A retry, even with a wrong password, changes nothing and costs nothing.
    let retry = info(server.send(&policy, user, with_auth(&body, password(&session, "alice", "wrong"))));
    assert_eq!(retry.completed(), [AuthType::Password]);
    assert!(retry.auth_error.is_none());
    assert_eq!(server.world.session(&session).unwrap().failures, 0);
}

#[test]
fn rule_a_retried_completed_stage_proceeds_when_a_flow_is_complete() {
    let mut server = server();
    let policy = Policy::new([vec![AuthType::Terms]]);
    let session = server.start(&policy, &devices()).session.unwrap();
    assert!(server.world.complete_out_of_band(&session, &AuthType::Terms));
    let again = server.send(
        &policy,
        ALICE,
        with_auth(&devices(), json!({"type": "m.login.terms", "session": session})),
    );
    assert!(matches!(again, Decision::Proceed(_)), "{again:?}");
}

#[test]
fn rule_a_failed_stage_answers_401_with_the_uia_body_and_errcode() {
    let mut server = server();
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
    let mut server = server();
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
    let mut server = server();
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
    let mut server = server();
    let policy = Policy::new([vec![AuthType::Terms, AuthType::Dummy]]);
    let session = server.start(&policy, &devices()).session.unwrap();
    let ack = with_auth(&devices(), json!({"session": session}));
    assert!(info(server.send(&policy, ALICE, ack.clone())).completed().is_empty());
    assert!(server.world.complete_out_of_band(&session, &AuthType::Terms));
    assert_eq!(info(server.send(&policy, ALICE, ack)).completed(), [AuthType::Terms]);
    assert!(!server.world.complete_out_of_band(&session, &AuthType::Password), "not offered");
}

#[test]
fn rule_the_session_is_bound_to_its_request_body_and_path() {
    let mut server = server();
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
    let mut server = server();
    let policy = password_policy();
    let session = server.start(&policy, &devices()).session.unwrap();
    server.advance(EngineConfig::default().session_lifetime);
    let late = with_auth(&devices(), password(&session, "alice", "alice-secret"));
    assert_eq!(error(&server.send(&policy, ALICE, late)), (400, "M_UNKNOWN"));
    assert!(server.world.store.len() == 1, "no sweep ran, still refused");
    assert_eq!(server.world.sweep(), 1);
    assert!(server.world.store.is_empty());
}

#[test]
fn rule_failed_attempts_are_limited_per_session() {
    let mut server = server();
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
    let mut server = server();
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
    let mut server = server();
    let policy = password_policy();
    // Bob is logged in and types Alice's (correct) password.
    let session = info(server.send(&policy, BOB, devices())).session.unwrap();
    let other = with_auth(&devices(), password(&session, "alice", "alice-secret"));
    assert_eq!(error(&server.send(&policy, BOB, other)), (403, "M_FORBIDDEN"));
    let stored = server.world.session(&session).unwrap();
    assert_eq!(stored.failures, 1, "counted against the session");
}

#[test]
fn rule_a_session_is_bound_to_its_requester() {
    // Found by the engine fuzz target: Alice proves her password, then Bob
    // finishes her session with a stage that proves no one.
    let mut server = server();
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
    let mut server = server();
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
    let mut server = server();
    let policy = Policy::new([vec![AuthType::Dummy]]);
    let done = server.send(&policy, ALICE, with_auth(&devices(), json!({"type": "m.login.dummy"})));
    assert!(matches!(done, Decision::Proceed(_)), "{done:?}");
}

#[test]
fn rule_errors_never_echo_at_length_what_the_client_sent() {
    let mut server = server();
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
    let mut server = server();
    let translation = matrix_uia::PolicyTranslation::new("Terms", "https://example.org/terms");
    let policy = matrix_uia::PolicyDefinition::new("1.0", [("en".to_owned(), translation)].into());
    let terms =
        matrix_uia::TermsParams::new(std::collections::BTreeMap::from([("terms".to_owned(), policy)]));
    let policy = Policy::new([vec![AuthType::Terms]]).with_auth_params(&terms).unwrap();
    let first = server.start(&policy, &devices());
    assert_eq!(first.params::<matrix_uia::TermsParams>().unwrap().unwrap(), terms);
}

/// `n` wrong passwords for `user`, each in a new session; the answers' statuses.
fn guesses_in_new_sessions(server: &mut Server, n: usize, user: &str, requester: Option<&str>) -> Vec<u16> {
    let policy = password_policy();
    (0..n)
        .map(|_| {
            let session = info(server.send(&policy, requester, devices())).session.unwrap();
            let guess = with_auth(&devices(), password(&session, user, "guess"));
            status(server.send(&policy, requester, guess))
        })
        .collect()
}

#[test]
fn rule_failures_are_limited_per_user_across_sessions() {
    let mut server = server();
    // Ten wrong passwords, each in a fresh session: the per-session limit never trips.
    let statuses = guesses_in_new_sessions(&mut server, 11, "alice", ALICE);
    assert_eq!(statuses[..10], [401; 10]);
    assert_eq!(statuses[10], 429, "the 11th guess, in its own session");
    // Even the right password, in a new session, is refused until the window ends.
    let policy = password_policy();
    let session = info(server.send(&policy, ALICE, devices())).session.unwrap();
    let right = with_auth(&devices(), password(&session, "alice", "alice-secret"));
    let limited = server.send(&policy, ALICE, right.clone());
    assert_eq!(error(&limited), (429, "M_LIMIT_EXCEEDED"));
    let Decision::Respond(UiaaResponse::Error { error, .. }) = &limited else { unreachable!() };
    let wait = error.retry_after_ms.expect("retry_after_ms");
    assert!(wait > 0 && wait <= 15 * 60 * 1000, "{wait}");
    server.advance(Duration::from_millis(wait));
    assert!(matches!(server.send(&policy, ALICE, right), Decision::Proceed(_)));
}

#[test]
fn rule_the_user_limit_counts_every_spelling_of_the_user_and_the_requester() {
    let mut config = EngineConfig::default();
    config.failures_per_user = Some(Limit::new(3, Duration::from_secs(60)));
    let mut server = server_with(config);
    // Bob, logged in, guesses at Alice's password under three spellings of her name.
    let statuses: Vec<u16> = ["alice", "Alice", "@ALICE:example.org"]
        .into_iter()
        .flat_map(|spelling| guesses_in_new_sessions(&mut server, 1, spelling, BOB))
        .collect();
    assert_eq!(statuses, [401, 401, 401]);
    // Alice's count is full, whoever asks: Bob, or Alice herself.
    assert_eq!(guesses_in_new_sessions(&mut server, 1, "alice", BOB), [429]);
    assert_eq!(guesses_in_new_sessions(&mut server, 1, "alice", ALICE), [429]);
    // Bob's count (the requester's) is full too: he made three failed attempts.
    assert_eq!(guesses_in_new_sessions(&mut server, 1, "bob", BOB), [429]);
}

#[test]
fn rule_a_passing_stage_gives_its_attempt_back() {
    let mut config = EngineConfig::default();
    config.failures_per_user = Some(Limit::new(2, Duration::from_secs(60)));
    let mut server = server_with(config);
    let policy = password_policy();
    // Many right passwords, then one wrong: only failures count.
    for _ in 0..5 {
        let session = info(server.send(&policy, ALICE, devices())).session.unwrap();
        let right = with_auth(&devices(), password(&session, "alice", "alice-secret"));
        assert!(matches!(server.send(&policy, ALICE, right), Decision::Proceed(_)));
    }
    assert_eq!(guesses_in_new_sessions(&mut server, 3, "alice", ALICE), [401, 401, 429]);
}

#[test]
fn rule_failures_are_limited_per_client_address() {
    let mut config = EngineConfig::default();
    config.failures_per_address = Some(Limit::new(3, Duration::from_secs(60)));
    let mut server = server_with(config);
    let policy = Policy::new([vec![AuthType::RegistrationToken]]);
    let attempt = |server: &mut Server, address: &str, token: &str| {
        let session = info(server.send_from(&policy, address, None, devices())).session.unwrap();
        let auth = json!({"type": "m.login.registration_token", "token": token, "session": session});
        status(server.send_from(&policy, address, None, with_auth(&devices(), auth)))
    };
    // Token guessing, no user involved: the address is what is counted.
    let statuses: Vec<u16> =
        (0..4).map(|i| attempt(&mut server, "192.0.2.7", &format!("guess-{i}"))).collect();
    assert_eq!(statuses, [401, 401, 401, 429]);
    assert_eq!(attempt(&mut server, "192.0.2.7", "let-me-in"), 429, "limited, even with the right token");
    assert_eq!(attempt(&mut server, "198.51.100.1", "let-me-in"), 200, "another address is not");
}

#[test]
fn rule_live_sessions_are_capped_per_client_address_and_per_requester() {
    let mut config = EngineConfig::default();
    config.sessions_per_address = Some(3);
    config.sessions_per_requester = Some(2);
    let mut server = server_with(config);
    let policy = Policy::new([vec![AuthType::Dummy]]);
    let statuses: Vec<u16> =
        (0..4).map(|_| server.send_from(&policy, "192.0.2.7", None, devices())).map(status).collect();
    assert_eq!(statuses, [401, 401, 401, 429]);
    let capped = server.send_from(&policy, "192.0.2.7", None, devices());
    let Decision::Respond(UiaaResponse::Error { error, .. }) = &capped else { panic!("{capped:?}") };
    assert_eq!(error.errcode, ErrorKind::LimitExceeded);
    assert!(error.retry_after_ms.is_some_and(|ms| ms > 0));
    // Another address may; one requester may hold two, wherever it comes from.
    assert_eq!(status(server.send_from(&policy, "198.51.100.1", ALICE, devices())), 401);
    assert_eq!(status(server.send_from(&policy, "198.51.100.2", ALICE, devices())), 401);
    assert_eq!(status(server.send_from(&policy, "198.51.100.3", ALICE, devices())), 429);
    // A session that authorised its request is no longer live: it frees a place.
    let live = info(server.send_from(&policy, "198.51.100.9", BOB, devices())).session.unwrap();
    let finish = with_auth(&devices(), json!({"type": "m.login.dummy", "session": live}));
    assert!(matches!(server.send_from(&policy, "198.51.100.9", BOB, finish), Decision::Proceed(_)));
    assert_eq!(status(server.send_from(&policy, "198.51.100.9", BOB, devices())), 401);
    // So does one that expired.
    server.advance(EngineConfig::default().session_lifetime);
    assert_eq!(status(server.send_from(&policy, "192.0.2.7", None, devices())), 401);
}

#[test]
fn rule_the_sweep_removes_expired_sessions_and_ended_counts() {
    let mut server = server();
    guesses_in_new_sessions(&mut server, 3, "alice", ALICE);
    assert_eq!(server.world.store.len(), 3);
    server.advance(Duration::from_secs(60));
    assert_eq!(server.world.sweep(), 0, "nothing has expired yet");
    server.advance(EngineConfig::default().session_lifetime);
    assert_eq!(server.world.sweep(), 3);
    assert!(server.world.store.is_empty());
    // The count's window ended too: Alice may try again at once, ten times.
    assert_eq!(guesses_in_new_sessions(&mut server, 10, "alice", ALICE), [401; 10]);
}

fn status(decision: Decision) -> u16 {
    match decision {
        Decision::Respond(answer) => answer.status(),
        Decision::Proceed(_) => 200,
    }
}
