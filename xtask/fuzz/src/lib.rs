//! The property each fuzz target checks, as one function per target.
//!
//! The fuzz binaries (`fuzz_targets/*.rs`, one line each) and the replay test
//! (`tests/replay.rs`) call the same functions, so every input libFuzzer ever
//! kept or crashed on can be replayed with `cargo test`, without libFuzzer.
//! A property that does not hold panics, with the input in the message.

use std::collections::HashSet;
use std::fmt::Debug;
use std::future::ready;

use matrix_spec_examples::{Format, Problem, extract_bytes};
use matrix_uia::server::{
    BoxFuture, Decision, EngineConfig, IncomingRequest, PasswordStage, Policy, StageContext, StageOutcome,
    StageVerifier, fixed_registration_tokens,
};
use matrix_uia::{
    AuthData, AuthType, ErrorKind, FromHttpError, JsonObject, OAuthParams, ReCaptchaParams, TermsParams,
    UiaaInfo, UiaaResponse, from_json_slice, from_json_value,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Value, json};

#[path = "../../../crates/matrix-uia/tests/support/accounts.rs"]
mod accounts;
#[path = "../../../crates/matrix-uia/tests/support/repeated_keys.rs"]
mod repeated_keys;
#[path = "../../../crates/matrix-uia/tests/support/world.rs"]
mod world;

use accounts::password_check;
use repeated_keys::find_repeated_key;
use world::World;

/// `matrix_spec_examples::extract_bytes(data, Format::Rst)`: see [`extractor`].
pub fn rst(data: &[u8]) {
    extractor(data, Format::Rst);
}

/// `matrix_spec_examples::extract_bytes(data, Format::Markdown)`: see [`extractor`].
pub fn markdown(data: &[u8]) {
    extractor(data, Format::Markdown);
}

/// Extraction never panics; it fails exactly on non-UTF-8 input and on a NUL
/// among the first 8000 bytes, with a line inside the input; otherwise every
/// example's `line` and `body_line` are lines of the input and ids are unique.
fn extractor(data: &[u8], format: Format) {
    let result = extract_bytes(data, format);
    let raw_lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    let Ok(text) = std::str::from_utf8(data) else {
        let error = result.expect_err("non-UTF-8 input was accepted");
        assert_eq!(error.problem, Problem::NotUtf8, "{error}");
        assert!(error.line >= 1 && error.line <= raw_lines, "error line {} of {raw_lines}", error.line);
        return;
    };
    let binary = text.as_bytes()[..text.len().min(8000)].contains(&0);
    let examples = match result {
        Err(error) => {
            assert!(binary, "UTF-8 text without an early NUL refused: {error}");
            assert_eq!(error.problem, Problem::Binary, "{error}");
            assert!(error.line >= 1 && error.line <= raw_lines, "error line {} of {raw_lines}", error.line);
            return;
        }
        Ok(examples) => examples,
    };
    assert!(!binary, "a NUL in the first 8000 bytes was accepted");
    // The lines a reader of the file counts: CRLF, LF and a lone CR each end one.
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines = normalized.matches('\n').count() + 1;
    let mut ids = HashSet::new();
    for example in &examples {
        assert!(
            example.line >= 1 && example.line <= lines,
            "example {} at line {} of a {lines}-line input",
            example.id,
            example.line
        );
        if let Some(body_line) = example.body_line {
            assert!(
                body_line >= example.line && body_line <= lines,
                "example {} at line {}: body_line {body_line} of a {lines}-line input",
                example.id,
                example.line
            );
        }
        assert!(ids.insert(example.id.as_str()), "duplicate id {}", example.id);
    }
}

/// `from_json_slice::<AuthData>`: see [`json_model`].
pub fn auth_data(data: &[u8]) {
    if let Some(auth) = json_model::<AuthData>(data) {
        let _ = (auth.auth_type(), auth.session());
        if let AuthData::Password(password) = &auth {
            let _ = password.identifier();
        }
    }
}

/// `from_json_slice::<UiaaInfo>`: see [`json_model`]; the typed params never panic.
pub fn uiaa_info(data: &[u8]) {
    if let Some(info) = json_model::<UiaaInfo>(data) {
        let _ = info.completed();
        let _ = info.params::<TermsParams>();
        let _ = info.params::<ReCaptchaParams>();
        let _ = info.params::<OAuthParams>();
        for flow in &info.flows {
            for stage in &flow.stages {
                let _ = info.params_of(stage);
            }
        }
    }
}

/// Parsing never panics; the fast path and the path-tracking path of
/// `from_json_slice` agree; input with a key repeated at any depth is never
/// accepted (the model's one duplicate-key policy, checked here by a reader
/// of this file's own); a parsed value serializes to JSON that a `Value`
/// reads, parses back equal (from bytes and from the `Value`), and
/// serializes to the same bytes again.
fn json_model<T>(data: &[u8]) -> Option<T>
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let parsed = from_json_slice::<T>(data);
    let fast = serde_json::from_slice::<T>(data);
    assert_eq!(
        parsed.is_ok(),
        fast.is_ok(),
        "from_json_slice and serde_json::from_slice disagree on {:?}: {:?}",
        String::from_utf8_lossy(data),
        parsed.as_ref().err().map(ToString::to_string)
    );
    let value = match parsed {
        Ok(value) => value,
        Err(error) => {
            let _ = (error.to_string(), error.path(), error.is_syntax());
            return None;
        }
    };
    if let Err(repeated) = find_repeated_key(data) {
        panic!("accepted {:?}: {repeated}", String::from_utf8_lossy(data));
    }
    let _ = format!("{value:?}");
    let bytes = serde_json::to_vec(&value).expect("a parsed value serializes");
    let again: T = from_json_slice(&bytes).unwrap_or_else(|error| {
        panic!("re-serialized {} does not parse: {error}", String::from_utf8_lossy(&bytes))
    });
    assert_eq!(again, value, "round trip through {}", String::from_utf8_lossy(&bytes));
    let bytes_again = serde_json::to_vec(&again).expect("serializes");
    assert_eq!(
        String::from_utf8_lossy(&bytes_again),
        String::from_utf8_lossy(&bytes),
        "serialization is not a fixed point"
    );
    // Params are checked when read, so what the model writes is JSON that
    // any reader takes (no lone surrogate escape, no repeated key).
    let tree: Value = serde_json::from_slice(&bytes).unwrap_or_else(|error| {
        panic!("the model wrote {} which a Value refuses: {error}", String::from_utf8_lossy(&bytes))
    });
    let from_tree: T = from_json_value(tree).unwrap_or_else(|error| {
        panic!("re-serialized {} does not parse from a Value: {error}", String::from_utf8_lossy(&bytes))
    });
    assert_eq!(from_tree, value, "round trip through a Value of {}", String::from_utf8_lossy(&bytes));
    Some(value)
}

/// The statuses the first byte picks from (below 0xF0); 401 twice.
const STATUSES: [u16; 16] =
    [401, 400, 403, 429, 500, 401, 404, 200, 0, 399, 499, 503, 599, 600, 999, u16::MAX];

/// The status and body a `from_http` input stands for: a first byte below
/// 0xF0 picks from [`STATUSES`]; 0xF0 and above is followed by the status,
/// two bytes big-endian. The body is the rest.
pub fn split_status(data: &[u8]) -> Option<(u16, &[u8])> {
    let (&first, rest) = data.split_first()?;
    if first < 0xF0 {
        return Some((STATUSES[usize::from(first) % STATUSES.len()], rest));
    }
    match rest {
        [high, low, body @ ..] => Some((u16::from_be_bytes([*high, *low]), body)),
        _ => Some((u16::from(first), rest)),
    }
}

/// `UiaaResponse::from_http(status, body)` never panics for any status; below
/// 400 it is `NotAnError`; an error names the status; a response keeps the
/// status and reads back equal from its own `to_json_bytes`.
pub fn from_http(data: &[u8]) {
    let Some((status, body)) = split_status(data) else { return };
    match UiaaResponse::from_http(status, body) {
        Err(FromHttpError::NotAnError { status: s }) => {
            assert!(status < 400, "status {status} called not an error");
            assert_eq!(s, status);
        }
        Err(error @ FromHttpError::Body { status: s, .. }) => {
            assert!(status >= 400, "status {status} below 400 read as an error body");
            assert_eq!(s, status);
            let _ = error.to_string();
        }
        Ok(response) => {
            assert!(status >= 400, "status {status} below 400 read as an error");
            assert_eq!(response.status(), status, "{response:?}");
            if let UiaaResponse::AuthRequired(_) = &response {
                assert_eq!(status, 401);
            }
            let _ = response.error();
            let bytes = response.to_json_bytes().expect("the model serializes");
            let again = UiaaResponse::from_http(status, &bytes).unwrap_or_else(|error| {
                panic!(
                    "status {status}: own body {} does not read back: {error}",
                    String::from_utf8_lossy(&bytes)
                )
            });
            assert_eq!(
                again,
                response,
                "status {status}: round trip through {}",
                String::from_utf8_lossy(&bytes)
            );
        }
    }
}

const PATH_A: &str = "/_matrix/client/v3/delete_devices";
const PATH_B: &str = "/_matrix/client/v3/account/password";
const ALICE: &str = "@alice:example.org";
const BOB: &str = "@bob:example.org";
/// At most this many requests per input, to bound the time of one input.
const MAX_REQUESTS: usize = 64;

/// `m.login.email.identity` as a stage completed out of band: it is done once
/// Bob asks, and an attempt in-band always fails (retryably).
struct EmailOutOfBand;

impl StageVerifier for EmailOutOfBand {
    fn auth_type(&self) -> AuthType {
        AuthType::EmailIdentity
    }

    fn verify<'a>(&'a self, _: &'a AuthData, _: &'a StageContext<'a>) -> BoxFuture<'a, StageOutcome> {
        Box::pin(ready(StageOutcome::failed(ErrorKind::Unauthorized, "Email not validated yet")))
    }

    fn completed_out_of_band<'a>(&'a self, context: &'a StageContext<'a>) -> BoxFuture<'a, bool> {
        Box::pin(ready(context.requester == Some(BOB)))
    }
}

/// The endpoint's policy, chosen by the first byte of an `engine` input.
pub fn engine_policy(selector: u8) -> Policy {
    match selector % 5 {
        0 => Policy::new([vec![AuthType::Dummy]]),
        1 => Policy::new([vec![AuthType::Password]]),
        2 => Policy::new([
            vec![AuthType::RegistrationToken, AuthType::Terms],
            vec![AuthType::Password, AuthType::Dummy],
        ])
        .with_params(
            AuthType::Terms,
            json!({"policies": {"privacy_policy": {"version": "1.0",
                "en": {"name": "Privacy Policy", "url": "https://example.org/privacy-1.0.html"}}}}),
        ),
        3 => Policy::new([vec![AuthType::Terms, AuthType::Dummy], vec![AuthType::Password]]),
        _ => Policy::new([
            vec![AuthType::EmailIdentity, AuthType::Password],
            vec![AuthType::Dummy, AuthType::Dummy],
        ]),
    }
}

/// Replace every `$S` in `segment` with `session`.
fn substitute(segment: &[u8], session: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(segment.len() + session.len());
    let mut rest = segment;
    while let Some(at) = rest.windows(2).position(|w| w == b"$S") {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(session.as_bytes());
        rest = &rest[at + 2..];
    }
    out.extend_from_slice(rest);
    out
}

/// A sequence of requests against the engine's pure core, in a world whose
/// steps are answered at once (`tests/support/world.rs`: in-memory store,
/// password, registration-token and out-of-band email verifiers, 3 failures
/// a session allowed and the default limits across sessions, a clock the
/// input moves).
///
/// Input: one byte choosing the policy ([`engine_policy`]), then requests
/// separated by NUL bytes. Each request is a control byte and a JSON body in
/// which `$S` stands for the last session id the engine handed out; a body
/// that is not an object is sent as `{"devices": ["DEVICE_A"], "auth": <it>}`,
/// one that is not JSON is skipped. Control bits: 0–1 path and method
/// (0, 1: POST A; 2: POST B; 3: DELETE A), 2–3 requester (none, Alice, Bob,
/// none), 4–5 clock step (0, 1 s, 29 min, 31 min), 6 complete the policy's
/// first stage of the last session out of band first, 7 sweep first.
///
/// Properties: nothing panics; a 401 carries the policy's flows and a session
/// of 32 hex digits; an error status is 400–599; `Proceed` only with the
/// stages of a whole flow, at most once per session, and for the user a stage
/// proved only when that user is the requester; a 429 says when to retry;
/// every response reads back equal through `UiaaResponse::from_http`.
pub fn engine(data: &[u8]) {
    let Some((&selector, requests)) = data.split_first() else { return };
    let policy = engine_policy(selector);
    let mut config = EngineConfig::default();
    config.max_failures = 3;
    let mut world = World::new(config)
        .with_verifier(PasswordStage::new(|id, pw: String| ready(password_check(&id, &pw))))
        .with_verifier(fixed_registration_tokens(vec!["let-me-in".to_owned()]))
        .with_verifier(EmailOutOfBand);
    let mut session = String::from("no-session-yet");
    let mut proceeded: HashSet<String> = HashSet::new();
    for segment in requests.split(|&b| b == 0).take(MAX_REQUESTS) {
        let Some((&control, json)) = segment.split_first() else { continue };
        let (method, path) = match control & 3 {
            0 | 1 => ("POST", PATH_A),
            2 => ("POST", PATH_B),
            _ => ("DELETE", PATH_A),
        };
        let requester = match (control >> 2) & 3 {
            1 => Some(ALICE),
            2 => Some(BOB),
            _ => None,
        };
        let step_ms = [0, 1_000, 29 * 60_000, 31 * 60_000][usize::from((control >> 4) & 3)];
        world.now_ms += step_ms;
        if control & 0x40 != 0 {
            world.complete_out_of_band(&session, &policy.flows[0].stages[0]);
        }
        if control & 0x80 != 0 {
            world.sweep();
        }
        let body: JsonObject = match serde_json::from_slice::<Value>(&substitute(json, &session)) {
            Ok(Value::Object(body)) => body,
            Ok(auth) => match json!({"devices": ["DEVICE_A"], "auth": auth}) {
                Value::Object(body) => body,
                _ => unreachable!(),
            },
            Err(_) => continue,
        };
        let decision = world.decide(&policy, IncomingRequest::new(method, path, &body).requester(requester));
        let response = match decision {
            Decision::Proceed(authorized) => {
                assert!(
                    policy
                        .flows
                        .iter()
                        .any(|flow| flow.stages.iter().all(|s| authorized.completed.contains(s))),
                    "proceeded without a whole flow: {authorized:?}"
                );
                for stage in &authorized.completed {
                    assert!(policy.stages().contains(stage), "completed a stage not offered: {authorized:?}");
                }
                assert!(
                    proceeded.insert(authorized.session_id.clone()),
                    "session {} authorised twice",
                    authorized.session_id
                );
                if let (Some(user), Some(requester)) = (&authorized.user_id, requester) {
                    assert_eq!(
                        user, requester,
                        "proceeded for {requester} on {user}'s credentials: {authorized:?}"
                    );
                }
                continue;
            }
            Decision::Respond(response) => response,
        };
        match &response {
            UiaaResponse::AuthRequired(info) => {
                assert_eq!(info.flows, policy.flows);
                let id = info.session.as_deref().expect("a 401 names its session");
                assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "session id {id:?}");
                session = id.to_owned();
            }
            UiaaResponse::Error { status, error } => {
                assert!((400..600).contains(status), "status {status}: {error:?}");
                if *status == 429 {
                    assert!(error.retry_after_ms.is_some_and(|ms| ms > 0), "a 429 without a wait: {error:?}");
                }
            }
        }
        let bytes = response.to_json_bytes().expect("the model serializes");
        let again = UiaaResponse::from_http(response.status(), &bytes).unwrap_or_else(|error| {
            panic!("engine answer {} does not read back: {error}", String::from_utf8_lossy(&bytes))
        });
        assert_eq!(again, response, "engine answer does not read back equal");
    }
}

/// A target's check: panics when a property does not hold.
pub type Check = fn(&[u8]);

/// Every target, by name, for the replay test and the seeder.
pub const TARGETS: [(&str, Check); 6] = [
    ("rst", rst),
    ("markdown", markdown),
    ("auth_data", auth_data),
    ("uiaa_info", uiaa_info),
    ("from_http", from_http),
    ("engine", engine),
];
