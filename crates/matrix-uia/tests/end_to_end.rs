//! The client driver against the engine, every message through the `http`
//! crate's types as it would cross the wire: password, dummy, terms with
//! params, registration token, and a failed-then-retried password that shows
//! the seed's 401 + `errcode` body.

use std::cell::RefCell;

use matrix_uia::client::{DriveError, StagePrompt, drive};
use matrix_uia::server::{Decision, Engine, MemoryStore, PasswordStage, Policy, fixed_registration_tokens};
use matrix_uia::{AuthType, ErrorKind, JsonObject, TermsParams, UiaaRequest, UiaaResponse, UserIdentifier};
use serde_json::{Value, json};

fn engine() -> Engine<MemoryStore> {
    Engine::new(MemoryStore::new())
        .with_verifier(PasswordStage::new(|id: UserIdentifier, password: String| {
            std::future::ready(match (id, password.as_str()) {
                (UserIdentifier::UserId(u), "correct horse") if u.user == "@alice:example.org" => {
                    Some(u.user)
                }
                _ => None,
            })
        }))
        .with_verifier(fixed_registration_tokens(vec!["invite-42".to_owned()]))
}

/// One HTTP exchange: the client's request serialized to an `http::Request`,
/// the engine's decision serialized to an `http::Response`. Every response
/// seen is recorded for the assertions.
fn exchange(
    engine: &Engine<MemoryStore>,
    policy: &Policy,
    requester: Option<&str>,
    seen: &RefCell<Vec<(u16, Value)>>,
) -> impl FnMut(&UiaaRequest<JsonObject>) -> Result<(u16, Vec<u8>), matrix_uia::http::ToHttpError> {
    move |request| {
        let http_request =
            request.to_http_request(http::Method::POST, "/_matrix/client/v3/delete_devices", Some("tok"))?;
        assert_eq!(matrix_uia::http::bearer_token(&http_request), Some("tok"));
        // The driver's loop is synchronous; the engine is async: `block_on`, as the docs offer.
        let decision = pollster::block_on(engine.authorize_http(policy, &http_request, requester, None));
        let response = match decision.unwrap() {
            Decision::Proceed(authorized) => {
                let body = serde_json::to_vec(&json!({"completed": authorized.completed})).unwrap();
                matrix_uia::http::json_response(200, body)
            }
            Decision::Respond(answer) => answer.to_http_response().unwrap(),
        };
        assert_eq!(response.headers()["content-type"], "application/json");
        let status = response.status().as_u16();
        seen.borrow_mut().push((status, serde_json::from_slice(response.body()).unwrap()));
        Ok((status, response.into_body()))
    }
}

fn body() -> JsonObject {
    match json!({"devices": ["ABCDEF"]}) {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

#[test]
fn password_stage_with_a_failed_then_retried_attempt() {
    let engine = engine();
    let policy = Policy::new([vec![AuthType::Password]]);
    let seen = RefCell::new(Vec::new());
    let mut attempts = 0;
    let answer = |prompt: &StagePrompt<'_>| {
        attempts += 1;
        assert_eq!(prompt.auth_type, &AuthType::Password);
        let password = if prompt.error.is_none() { "wrong" } else { "correct horse" };
        let identifier = UserIdentifier::user("@alice:example.org");
        Some(prompt.password(identifier, password))
    };
    let (status, done) = drive(
        body(),
        [AuthType::Password],
        exchange(&engine, &policy, Some("@alice:example.org"), &seen),
        answer,
    )
    .unwrap();
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_slice::<Value>(&done).unwrap()["completed"], json!(["m.login.password"]));
    assert_eq!(attempts, 2);

    let seen = seen.into_inner();
    let statuses: Vec<u16> = seen.iter().map(|(s, _)| *s).collect();
    assert_eq!(statuses, [401, 401, 200]);
    // The seed's body: the usual 401 plus errcode and error.
    let failed = &seen[1].1;
    assert_eq!(failed["errcode"], "M_FORBIDDEN");
    assert_eq!(failed["error"], "Invalid password");
    assert_eq!(failed["flows"], json!([{"stages": ["m.login.password"]}]));
    assert_eq!(failed["session"], seen[0].1["session"]);
    assert_eq!(failed["completed"], json!([]), "nothing completed yet, and said so as Synapse does");
    assert!(seen[0].1.get("completed").is_none(), "the first 401 has no `completed`");
}

#[test]
fn dummy_stage() {
    let engine = engine();
    let policy = Policy::new([vec![AuthType::Dummy]]);
    let seen = RefCell::new(Vec::new());
    let answer = |p: &StagePrompt<'_>| Some(p.dummy());
    let (status, _) =
        drive(body(), [AuthType::Dummy], exchange(&engine, &policy, None, &seen), answer).unwrap();
    assert_eq!(status, 200);
    assert_eq!(seen.borrow().len(), 2, "401 first, even for dummy");
}

#[test]
fn terms_then_dummy_with_params() {
    let engine = engine();
    let policy = Policy::new([vec![AuthType::Terms, AuthType::Dummy]]).with_params(
        AuthType::Terms,
        json!({"policies": {"tos": {"version": "2.0", "en": {"name": "Terms", "url": "https://example.org/tos"}}}}),
    );
    let seen = RefCell::new(Vec::new());
    let mut accepted = Vec::new();
    let answer = |p: &StagePrompt<'_>| {
        Some(match p.auth_type {
            AuthType::Terms => {
                let terms: TermsParams = p.info.params::<TermsParams>().expect("advertised").expect("valid");
                accepted.extend(terms.policies.into_iter().map(|(id, policy)| (id, policy.version)));
                p.terms()
            }
            _ => p.dummy(),
        })
    };
    let supported = [AuthType::Terms, AuthType::Dummy];
    let (status, _) = drive(body(), supported, exchange(&engine, &policy, None, &seen), answer).unwrap();
    assert_eq!(status, 200);
    assert_eq!(accepted, [("tos".to_owned(), "2.0".to_owned())]);
    assert_eq!(seen.borrow()[1].1["completed"], json!(["m.login.terms"]));
}

#[test]
fn registration_token_then_dummy() {
    let engine = engine();
    let policy = Policy::new([vec![AuthType::RegistrationToken, AuthType::Dummy]]);
    let seen = RefCell::new(Vec::new());
    // The prompt builds each stage's auth dict with the session filled in.
    let answer = |p: &StagePrompt<'_>| {
        Some(match p.auth_type {
            AuthType::RegistrationToken => p.registration_token("invite-42"),
            _ => p.dummy(),
        })
    };
    let supported = [AuthType::RegistrationToken, AuthType::Dummy];
    let (status, _) = drive(body(), supported, exchange(&engine, &policy, None, &seen), answer).unwrap();
    assert_eq!(status, 200);
    let sent_session = &seen.borrow()[0].1["session"];
    assert!(sent_session.is_string());
}

#[test]
fn the_acknowledgement_completes_a_stage_done_out_of_band() {
    let engine = engine();
    let policy = Policy::new([vec![AuthType::Terms]]);
    let seen = RefCell::new(Vec::new());
    let answer = |p: &StagePrompt<'_>| {
        // The user accepted the terms on the fallback page instead.
        let session = p.session.expect("a session");
        assert!(pollster::block_on(engine.complete_out_of_band(session, &AuthType::Terms)).unwrap());
        Some(p.acknowledge())
    };
    let (status, _) =
        drive(body(), [AuthType::Terms], exchange(&engine, &policy, None, &seen), answer).unwrap();
    assert_eq!(status, 200);
}

#[test]
fn an_unsupported_flow_and_a_cancelled_stage_are_errors() {
    let engine = engine();
    let policy = Policy::new([vec![AuthType::Password]]);
    let seen = RefCell::new(Vec::new());
    let result = drive(body(), [AuthType::Dummy], exchange(&engine, &policy, None, &seen), |_| None);
    assert!(matches!(result, Err(DriveError::NoSupportedFlow(flows)) if flows == policy.flows));
    let result = drive(body(), [AuthType::Password], exchange(&engine, &policy, None, &seen), |_| None);
    assert!(matches!(result, Err(DriveError::Cancelled(AuthType::Password))));
}

#[test]
fn a_standard_error_ends_the_drive() {
    let engine = engine();
    let policy = Policy::new([vec![AuthType::Password]]);
    let seen = RefCell::new(Vec::new());
    // Bob's session, Alice's password: 403, not retryable.
    let answer = |p: &StagePrompt<'_>| {
        let identifier = UserIdentifier::user("@alice:example.org");
        Some(p.password(identifier, "correct horse"))
    };
    let result = drive(
        body(),
        [AuthType::Password],
        exchange(&engine, &policy, Some("@bob:example.org"), &seen),
        answer,
    );
    let Err(DriveError::Server { status: 403, error }) = result else { panic!("{result:?}") };
    assert_eq!(error.errcode, ErrorKind::Forbidden);
    let _ = UiaaResponse::from_http(
        403,
        &seen.borrow().last().map(|(_, v)| serde_json::to_vec(v).unwrap()).unwrap(),
    )
    .expect("a standard error on the wire");
}

#[tokio::test]
async fn the_async_driver_completes_the_same_flow() {
    let engine = engine();
    let policy = Policy::new([vec![AuthType::Terms, AuthType::Dummy]]);
    let seen = RefCell::new(Vec::new());
    let mut send = exchange(&engine, &policy, None, &seen);
    // An async `send`, as an HTTP client library would offer: the exchange
    // happens in a future that the driver awaits.
    let send = |request: UiaaRequest<JsonObject>| std::future::ready(send(&request));
    let answer =
        |p: &StagePrompt<'_>| Some(if *p.auth_type == AuthType::Terms { p.terms() } else { p.dummy() });
    let (status, _) =
        matrix_uia::client::drive_async(body(), [AuthType::Terms, AuthType::Dummy], send, answer)
            .await
            .unwrap();
    assert_eq!(status, 200);
    let statuses: Vec<u16> = seen.borrow().iter().map(|(s, _)| *s).collect();
    assert_eq!(statuses, [401, 401, 200]);
}
