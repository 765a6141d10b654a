//! The model's promises, each where Ruma's `uiaa` types fall short: legacy
//! forms kept, unknown keys kept, absent optionals omitted, a partial
//! `errcode`/`error` kept, tags checked, secrets redacted, hostile input
//! refused with the JSON path of the fault.

use matrix_uia::{
    AuthData, AuthFlow, AuthType, ErrorKind, FromHttpError, JsonObject, Password, RawParams, StandardError,
    TermsParams, UiaaInfo, UiaaRequest, UiaaResponse, UserIdentifier, from_json_slice, from_json_str,
};
use serde_json::{Value, json};

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(value: Value) -> (T, Value) {
    let parsed: T = serde_json::from_value(value).expect("parses");
    let back = serde_json::to_value(&parsed).expect("serializes");
    (parsed, back)
}

#[test]
fn legacy_password_with_top_level_user_is_kept_and_normalised() {
    let body = json!({"type": "m.login.password", "user": "@alice:example.org", "password": "p"});
    let (auth, back) = round_trip::<AuthData>(body.clone());
    assert_eq!(back, body);
    let AuthData::Password(password) = auth else { panic!("not a password dict") };
    assert_eq!(password.identifier().as_deref(), Some(&UserIdentifier::user("@alice:example.org")));
}

#[test]
fn legacy_password_with_medium_and_address_is_kept_and_normalised() {
    let body =
        json!({"type": "m.login.password", "medium": "email", "address": "a@example.org", "password": "p"});
    let (auth, back) = round_trip::<AuthData>(body.clone());
    assert_eq!(back, body);
    let AuthData::Password(password) = auth else { panic!("not a password dict") };
    assert_eq!(
        password.identifier().as_deref(),
        Some(&UserIdentifier::third_party("email", "a@example.org"))
    );
}

#[test]
fn legacy_threepid_creds_list_and_current_object_both_read() {
    let creds = json!({"sid": "s", "client_secret": "c", "id_server": "id.example.org"});
    for body in [
        json!({"type": "m.login.email.identity", "threepidCreds": [creds.clone()]}),
        json!({"type": "m.login.email.identity", "threepid_creds": creds.clone(), "session": "x"}),
    ] {
        let (auth, back) = round_trip::<AuthData>(body.clone());
        assert_eq!(back, body);
        let AuthData::EmailIdentity(email) = auth else { panic!("not an email dict") };
        assert_eq!(email.credentials().map(|c| c.sid.as_str()), Some("s"));
    }
}

#[test]
fn legacy_token_with_txn_id_and_oauth2_round_trip() {
    for body in [
        json!({"type": "m.login.token", "token": "t", "txn_id": "n"}),
        json!({"type": "m.login.oauth2", "uri": "https://example.org/auth", "session": "s"}),
    ] {
        let (auth, back) = round_trip::<AuthData>(body.clone());
        assert_eq!(back, body);
        assert!(!matches!(auth, AuthData::Custom(_)), "{auth:?}");
    }
}

#[test]
fn unknown_keys_of_known_types_are_kept() {
    let body = json!({
        "type": "m.login.password",
        "identifier": {"type": "m.id.user", "user": "alice", "org.example.hint": 1},
        "password": "p",
        "org.example.extension": {"nested": [1, 2]}
    });
    assert_eq!(round_trip::<AuthData>(body.clone()).1, body);
}

#[test]
fn absent_optionals_are_omitted_not_null() {
    let dummy = AuthData::Dummy(matrix_uia::Dummy::new(None));
    assert_eq!(serde_json::to_value(&dummy).unwrap(), json!({"type": "m.login.dummy"}));
    let info = UiaaInfo::new(vec![AuthFlow::new([AuthType::Dummy])], None);
    assert_eq!(serde_json::to_value(&info).unwrap(), json!({"flows": [{"stages": ["m.login.dummy"]}]}));
}

#[test]
fn an_empty_completed_list_stays_an_empty_list() {
    let body = json!({"flows": [], "completed": [], "session": "s"});
    assert_eq!(round_trip::<UiaaInfo>(body.clone()).1, body);
}

#[test]
fn errcode_without_error_is_still_the_stage_error() {
    let body = br#"{"errcode": "M_FORBIDDEN", "flows": [{"stages": ["m.login.password"]}], "session": "s"}"#;
    let Ok(UiaaResponse::AuthRequired(info)) = UiaaResponse::from_http(401, body) else { panic!() };
    let error = info.auth_error.as_ref().expect("auth_error kept");
    assert_eq!((&error.errcode, error.error.as_deref()), (&ErrorKind::Forbidden, None));
    let back: Value = serde_json::to_value(&info).unwrap();
    assert_eq!(back, serde_json::from_slice::<Value>(body).unwrap());
}

#[test]
fn error_without_errcode_is_kept_as_an_extra_key() {
    let body = json!({"error": "odd", "flows": [], "session": "s"});
    let (info, back) = round_trip::<UiaaInfo>(body.clone());
    assert!(info.auth_error.is_none());
    assert_eq!(info.extra.get("error"), Some(&json!("odd")));
    assert_eq!(back, body);
}

#[test]
fn a_struct_refuses_a_dict_tagged_with_another_type() {
    let error =
        serde_json::from_value::<Password>(json!({"type": "m.login.dummy", "password": "p"})).unwrap_err();
    assert!(
        error.to_string().contains("expected `type` to be `m.login.password`, found `m.login.dummy`"),
        "{error}"
    );
    let error = serde_json::from_value::<Password>(json!({"password": "p"})).unwrap_err();
    assert!(error.to_string().contains("missing field `type`"), "{error}");
}

#[test]
fn dispatch_reads_type_wherever_it_stands() {
    let first = r#"{"type": "m.login.password", "password": "p", "session": "s"}"#;
    let last = r#"{"password": "p", "session": "s", "type": "m.login.password"}"#;
    let a: AuthData = serde_json::from_str(first).unwrap();
    let b: AuthData = serde_json::from_str(last).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.auth_type(), Some(AuthType::Password));
    assert_eq!(a.session(), Some("s"));
}

#[test]
fn session_alone_is_the_fallback_acknowledgement_and_unknown_types_are_kept_whole() {
    let ack: AuthData = serde_json::from_value(json!({"session": "s"})).unwrap();
    assert!(matches!(&ack, AuthData::FallbackAcknowledgement(a) if a.session == "s"));
    assert_eq!(ack.auth_type(), None);
    let body = json!({"type": "org.example.custom", "session": "s", "proof": {"a": 1}});
    let (custom, back) = round_trip::<AuthData>(body.clone());
    assert_eq!(custom.auth_type(), Some(AuthType::from("org.example.custom")));
    assert!(!custom.auth_type().unwrap().is_known());
    assert_eq!(back, body);
    let error = serde_json::from_value::<AuthData>(json!({})).unwrap_err();
    assert!(error.to_string().contains("missing field `session`"), "{error}");
}

#[test]
fn debug_redacts_secrets() {
    let auth: AuthData = serde_json::from_value(json!({
        "type": "m.login.password", "identifier": {"type": "m.id.user", "user": "alice"},
        "password": "hunter2", "session": "s"
    }))
    .unwrap();
    let shown = format!("{auth:?}");
    assert!(!shown.contains("hunter2") && shown.contains("<redacted>") && shown.contains("alice"), "{shown}");
    for (body, secret) in [
        (json!({"type": "m.login.recaptcha", "response": "captcha-secret"}), "captcha-secret"),
        (json!({"type": "m.login.registration_token", "token": "token-secret"}), "token-secret"),
        (json!({"type": "m.login.token", "token": "login-secret"}), "login-secret"),
        (
            json!({"type": "m.login.email.identity", "threepid_creds": {"sid": "1", "client_secret": "cs-secret"}}),
            "cs-secret",
        ),
    ] {
        let auth: AuthData = serde_json::from_value(body).unwrap();
        assert!(!format!("{auth:?}").contains(secret), "{auth:?}");
    }
}

#[test]
fn from_http_applies_the_seed_rule() {
    let uia = br#"{"flows": [{"stages": ["m.login.password"]}], "session": "s"}"#;
    assert!(
        matches!(UiaaResponse::from_http(401, uia), Ok(UiaaResponse::AuthRequired(i)) if i.auth_error.is_none())
    );

    let token = br#"{"errcode": "M_UNKNOWN_TOKEN", "error": "Invalid access token", "soft_logout": true}"#;
    let Ok(UiaaResponse::Error { status: 401, error }) = UiaaResponse::from_http(401, token) else {
        panic!()
    };
    assert_eq!(error.errcode, ErrorKind::UnknownToken);
    assert_eq!(error.soft_logout, Some(true));
    assert!(error.extra.is_empty(), "a key the spec defines is typed");

    let limited = br#"{"errcode": "M_LIMIT_EXCEEDED", "error": "Too many", "retry_after_ms": 2000}"#;
    let response = UiaaResponse::from_http(429, limited).unwrap();
    assert_eq!(response.status(), 429);
    assert!(matches!(&response, UiaaResponse::Error { error, .. } if error.retry_after_ms == Some(2000)));
    // A spec key of another type than the spec's is an error that names it.
    let wrong = br#"{"errcode": "M_LIMIT_EXCEEDED", "error": "Too many", "retry_after_ms": "soon"}"#;
    let Err(FromHttpError::Body { status: 429, error }) = UiaaResponse::from_http(429, wrong) else {
        panic!("a string `retry_after_ms` was accepted")
    };
    assert!(error.to_string().contains("retry_after_ms"), "{error}");
    assert_eq!(
        serde_json::from_slice::<Value>(&response.to_json_bytes().unwrap()).unwrap(),
        serde_json::from_slice::<Value>(limited).unwrap()
    );

    assert!(matches!(UiaaResponse::from_http(200, b"{}"), Err(FromHttpError::NotAnError { status: 200 })));
    assert!(matches!(UiaaResponse::from_http(401, b"<html>"), Err(FromHttpError::Body { status: 401, .. })));
}

#[test]
fn a_malformed_uia_body_names_the_json_path() {
    let body = br#"{"flows": [{"stages": ["m.login.password", 7]}], "session": "s"}"#;
    let Err(FromHttpError::Body { error, .. }) = UiaaResponse::from_http(401, body) else { panic!() };
    assert_eq!(error.path(), "flows[0].stages[1]");
    assert!(error.to_string().starts_with("at `flows[0].stages[1]`: invalid type: integer `7`"), "{error}");
}

#[test]
fn hostile_json_is_an_error_with_a_path_never_a_panic() {
    let deep = format!("{{\"type\": \"org.x\", \"a\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000));
    let error = from_json_slice::<AuthData>(deep.as_bytes()).unwrap_err();
    assert!(error.to_string().contains("recursion limit"), "{error}");

    let error = from_json_slice::<AuthData>(br#"{"type": 5}"#).unwrap_err();
    assert_eq!(error.path(), "type");
    assert!(error.to_string().contains("invalid type: integer `5`, expected a string"), "{error}");

    let error =
        from_json_slice::<AuthData>(br#"{"type": "m.login.password", "password": "a", "password": "b"}"#)
            .unwrap_err();
    assert!(error.to_string().contains("duplicate field `password`"), "{error}");
    let error = from_json_slice::<AuthData>(br#"{"type": "m.login.dummy", "x": 1, "x": 2}"#).unwrap_err();
    assert!(error.to_string().contains("duplicate field `x`"), "{error}");
    let error =
        from_json_slice::<AuthData>(br#"{"type": "m.login.dummy", "type": "m.login.dummy"}"#).unwrap_err();
    assert!(error.to_string().contains("duplicate field `type`"), "{error}");

    let huge = format!(r#"{{"type": "m.login.password", "password": "{}"}}"#, "x".repeat(10_000_000));
    let auth = from_json_slice::<AuthData>(huge.as_bytes()).expect("a long string is still a string");
    assert!(matches!(auth, AuthData::Password(p) if p.password.len() == 10_000_000));

    let error = from_json_slice::<UiaaInfo>(br#"{"flows": "none"}"#).unwrap_err();
    assert_eq!(error.path(), "flows");
    let error = from_json_slice::<UiaaInfo>(b"[1, 2]").unwrap_err();
    assert!(error.to_string().contains("expected a JSON object"), "{error}");
}

#[test]
fn typed_params_are_read_by_auth_type() {
    let body = json!({
        "flows": [{"stages": ["m.login.terms"]}],
        "params": {"m.login.terms": {"policies": {"privacy": {
            "version": "1.2", "en": {"name": "Privacy", "url": "https://example.org/p"}
        }}}},
        "session": "s"
    });
    let (info, _) = round_trip::<UiaaInfo>(body);
    let terms: TermsParams = info.params::<TermsParams>().expect("present").expect("valid");
    let policy = &terms.policies["privacy"];
    assert_eq!(policy.version, "1.2");
    assert_eq!(policy.translations.languages["en"].url, "https://example.org/p");
    assert_eq!(policy.translation("en").map(|t| t.name.as_str()), Some("Privacy"));
    assert!(info.params::<matrix_uia::OAuthParams>().is_none());

    let bad = json!({"flows": [], "params": {"m.login.terms": {"policies": {"p": {"version": 1}}}}});
    let (info, _) = round_trip::<UiaaInfo>(bad);
    let error = info.params::<TermsParams>().unwrap().unwrap_err();
    assert_eq!(error.path(), "policies.p.version");
}

#[test]
fn a_key_named_like_the_tag_is_an_unknown_key_like_any_other() {
    // Found by fuzzing: the tag's value was taken for one of the struct's
    // own keys, so an extra key of that name was read and never written.
    for body in [
        json!({"type": "m.login.dummy", "m.login.dummy": 1}),
        json!({"type": "m.login.msisdn", "m.login.msisdn": "x", "threepidVcreds": "y"}),
        json!({"type": "m.login.password", "identifier": {"type": "m.id.user", "user": "a", "m.id.user": 1},
            "password": "x"}),
    ] {
        let (_, back) = round_trip::<AuthData>(body.clone());
        assert_eq!(back, body);
    }
}

#[test]
fn params_are_kept_whole_and_read_one_entry_at_a_time() {
    // Unknown auth types and their entries go back out as they came.
    let body = br#"{"flows": [], "params": {"x.custom": {"b": 1, "a": [true]},
        "m.login.terms": {"policies": {}}, "m.oauth": {"url": "https://example.org/new"}}}"#;
    let info = from_json_slice::<UiaaInfo>(body).unwrap();
    let params = info.params.as_ref().expect("params");
    // The entry of an unknown auth type, as the server wrote it.
    assert_eq!(params.get("x.custom").map(|p| p.get()), Some(r#"{"b": 1, "a": [true]}"#));
    assert_eq!(
        info.params_of(&AuthType::from("x.custom")).map(|p| p.get()),
        Some(r#"{"b": 1, "a": [true]}"#)
    );
    assert!(params.get("x.other").is_none());
    let oauth = info.params::<matrix_uia::OAuthParams>().unwrap().unwrap();
    assert_eq!(oauth.url, "https://example.org/new");
    let written: Value = serde_json::to_value(&info).unwrap();
    let sent: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(written["params"], sent["params"]);
    // Equal when the objects are, whatever the spacing.
    assert_eq!(RawParams::from_object(&params.to_object()), *params);
    assert_ne!(*params, RawParams::from_object(&JsonObject::new()));

    // A typed entry that does not fit says where.
    let wrong = br#"{"flows": [], "params": {"m.oauth": {"url": 5}}}"#;
    let info = from_json_slice::<UiaaInfo>(wrong).unwrap();
    let error = info.params::<matrix_uia::OAuthParams>().unwrap().unwrap_err();
    assert_eq!(error.path(), "url");
}

#[test]
fn params_that_are_not_an_object_are_refused_at_their_path() {
    for bad in [&br#"{"flows": [], "params": [1]}"#[..], br#"{"flows": [], "params": "x"}"#] {
        let error = from_json_slice::<UiaaInfo>(bad).unwrap_err();
        assert_eq!(error.path(), "params");
        assert!(error.to_string().contains("a JSON object keyed by auth type"), "{error}");
    }
    // The same from a `Value`, which holds no text to keep.
    let value = json!({"flows": [], "params": {"m.oauth": {"url": "u"}}});
    let info: UiaaInfo = matrix_uia::from_json_value(value).unwrap();
    assert_eq!(info.params::<matrix_uia::OAuthParams>().unwrap().unwrap().url, "u");
    let error = matrix_uia::from_json_value::<UiaaInfo>(json!({"flows": [], "params": 5})).unwrap_err();
    assert_eq!(error.path(), "params");
}

#[test]
fn params_with_a_lone_surrogate_are_refused_like_any_other_string() {
    // Found by fuzzing: kept raw, `"\ud800"` parsed, then failed every reader.
    let error = from_json_slice::<UiaaInfo>(br#"{"flows": [], "params": {"x": "\ud800"}}"#).unwrap_err();
    assert_eq!(error.path(), "params");
    assert!(error.to_string().contains("escape"), "{error}");
    assert!(serde_json::from_slice::<Value>(br#"{"x": "\ud800"}"#).is_err(), "as serde_json reads it");
    // A pair, and an escaped backslash before `ud`, are fine.
    let fine = br#"{"flows": [], "params": {"x": {"a": "\ud83d\ude00", "b": "\\ud800"}}}"#;
    let info = from_json_slice::<UiaaInfo>(fine).unwrap();
    assert_eq!(info.params.unwrap().to_object()["x"]["a"], "\u{1F600}");
}

#[test]
fn a_policy_key_that_is_not_a_translation_is_kept_not_refused() {
    // Ruma drops such a key; refusing the whole body would be worse.
    let body = json!({"policies": {"tos": {
        "version": "1", "en": {"name": "T", "url": "u"}, "foo": "bar", "de": {"name": "T"}
    }}});
    let (terms, back) = round_trip::<TermsParams>(body.clone());
    assert_eq!(back, body);
    let policy = &terms.policies["tos"];
    assert_eq!(policy.translations.languages.keys().collect::<Vec<_>>(), ["en"]);
    assert_eq!(policy.translations.other["foo"], "bar");
    // An object that is not a whole translation is kept as it came too.
    assert_eq!(policy.translations.other["de"], json!({"name": "T"}));

    let repeated = br#"{"policies": {"tos": {"version": "1", "en": {"name": "T", "url": "u"}, "en": 1}}}"#;
    let error = from_json_slice::<TermsParams>(repeated).unwrap_err();
    assert!(error.to_string().contains("duplicate field `en`"), "{error}");
}

#[test]
fn a_request_keeps_its_own_fields_beside_auth() {
    let body = json!({"devices": ["A", "B"], "auth": {"type": "m.login.dummy", "session": "s"}});
    let (request, back) = round_trip::<UiaaRequest>(body.clone());
    assert_eq!(back, body);
    assert!(matches!(request.auth, Some(AuthData::Dummy(_))));
    assert_eq!(request.body["devices"], json!(["A", "B"]));
    let first: UiaaRequest = serde_json::from_value(json!({"devices": []})).unwrap();
    assert!(first.auth.is_none());
}

#[test]
fn custom_error_codes_and_auth_types_are_kept_verbatim() {
    let (error, back) = round_trip::<StandardError>(json!({"errcode": "COM.EXAMPLE_OOPS", "error": "x"}));
    assert_eq!(error.errcode.as_str(), "COM.EXAMPLE_OOPS");
    assert_eq!(back["errcode"], "COM.EXAMPLE_OOPS");
    assert_eq!(AuthType::from("m.login.password"), AuthType::Password);
    assert_eq!(AuthType::from(String::from("m.oauth")), AuthType::OAuth);
}

/// serde_json's nesting limit holds wherever a value is kept: in `extra`,
/// inside a flow, and in `params`, whose text is checked when it is read.
/// Deep input is refused with an error, never a stack overflow.
#[test]
fn nesting_is_bounded_everywhere_a_value_is_kept() {
    for (levels, parses) in [(100, true), (200, false), (10_000, false)] {
        let nested = format!("{}{}", "[".repeat(levels), "]".repeat(levels));
        let bodies = [
            format!(r#"{{"flows": [], "params": {{"x": {nested}}}}}"#),
            format!(r#"{{"flows": [], "x_extra": {nested}}}"#),
            format!(r#"{{"flows": [{{"stages": [], "x": {nested}}}]}}"#),
        ];
        for body in bodies {
            let parsed = from_json_slice::<UiaaInfo>(body.as_bytes());
            assert_eq!(parsed.is_ok(), parses, "{levels} levels: {parsed:?}");
        }
    }
}

/// One duplicate-key policy: a key that repeats is refused in a struct, in
/// its unknown keys at any depth, in a typed map, in `params` and in a
/// request body, with the repeated key named.
#[test]
fn a_repeated_key_is_refused_at_any_depth() {
    let refused = |result: Result<(), String>, what: &str| {
        let message = result.expect_err(what);
        assert!(message.contains("duplicate field"), "{what}: {message}");
    };
    let info = |body: &str| from_json_str::<UiaaInfo>(body).map(drop).map_err(|e| e.to_string());
    refused(info(r#"{"flows": [], "session": "a", "session": "b"}"#), "a struct's field");
    refused(info(r#"{"flows": [], "x": 1, "x": 2}"#), "an unknown key");
    refused(info(r#"{"flows": [], "x": {"y": [{"z": 1, "z": 2}]}}"#), "deep in an unknown key");
    refused(info(r#"{"flows": [{"stages": [], "x": {"a": 1, "a": 1}}]}"#), "in a flow's unknown key");
    refused(info(r#"{"flows": [], "params": {"m.oauth": {"url": "a"}, "m.oauth": {"url": "b"}}}"#), "params");
    refused(info(r#"{"flows": [], "params": {"x": {"k": {"a": 1, "a": 2}}}}"#), "deep in params");
    refused(info(r#"{"flows": [], "errcode": "M_FORBIDDEN", "errcode": "M_UNKNOWN"}"#), "a flattened key");
    let terms = |body: &str| from_json_str::<TermsParams>(body).map(drop).map_err(|e| e.to_string());
    refused(terms(r#"{"policies": {"p": {"version": "1"}, "p": {"version": "2"}}}"#), "a typed map");
    refused(
        terms(r#"{"policies": {"p": {"version": "1", "en": {"name": "a", "url": "b"}, "en": {}}}}"#),
        "a language",
    );
    let auth = |body: &str| from_json_str::<AuthData>(body).map(drop).map_err(|e| e.to_string());
    refused(auth(r#"{"type": "m.login.dummy", "type": "m.login.dummy"}"#), "the tag");
    refused(auth(r#"{"session": "a", "type": "m.login.dummy", "session": "b"}"#), "a key before the tag");
    refused(auth(r#"{"type": "org.example", "x": {"a": 1, "a": 2}}"#), "in a custom dict");
    let request = |body: &str| from_json_str::<UiaaRequest>(body).map(drop).map_err(|e| e.to_string());
    refused(request(r#"{"devices": ["A"], "devices": ["B"]}"#), "a request's own field");
    refused(request(r#"{"x": {"a": 1, "a": 2}, "auth": {"session": "s"}}"#), "deep in a request");
    // Different keys are fine, however alike.
    assert!(info(r#"{"flows": [], "x": {"a": 1, "b": {"a": 1}}, "y": [{"a": 1}, {"a": 2}]}"#).is_ok());
}

/// The keys the spec defines for some codes are the error's, in a 401 body
/// too; without an `errcode` they are the body's unknown keys, as `error` is.
#[test]
fn code_specific_keys_belong_to_the_error_of_a_401() {
    let limited =
        br#"{"errcode": "M_LIMIT_EXCEEDED", "error": "slow", "retry_after_ms": 5, "flows": [], "x": 1}"#;
    let info = from_json_slice::<UiaaInfo>(limited).unwrap();
    let error = info.auth_error.as_ref().expect("an error");
    assert_eq!(error.retry_after_ms, Some(5));
    assert_eq!(info.extra.len(), 1, "only `x` is the body's: {:?}", info.extra);
    assert_eq!(info, serde_json::from_slice::<UiaaInfo>(limited).unwrap());

    let orphan = br#"{"retry_after_ms": 5, "soft_logout": true, "flows": []}"#;
    let info = from_json_slice::<UiaaInfo>(orphan).unwrap();
    assert!(info.auth_error.is_none());
    assert_eq!(
        (info.extra["retry_after_ms"].as_u64(), info.extra["soft_logout"].as_bool()),
        (Some(5), Some(true))
    );
    assert_eq!(info, serde_json::from_slice::<UiaaInfo>(orphan).unwrap());
    assert_eq!(serde_json::to_value(&info).unwrap(), serde_json::from_slice::<Value>(orphan).unwrap());
}

#[test]
fn custom_variants_hold_only_types_the_model_does_not_know() {
    use matrix_uia::{CustomAuthData, CustomIdentifier, TaggedEnum};

    let refused = CustomAuthData::new("m.login.password", None).unwrap_err();
    assert_eq!(refused.type_tag(), "m.login.password");
    assert!(refused.to_string().contains("`Password` variant"), "{refused}");
    for tag in AuthData::VARIANTS.iter().filter_map(|v| v.tag) {
        assert!(CustomAuthData::new(tag, None).is_err(), "{tag} is known");
    }
    let custom = CustomAuthData::new("org.example.pin", Some("s".to_owned())).unwrap();
    let auth = AuthData::Custom(custom);
    assert_eq!((auth.auth_type(), auth.session()), (Some(AuthType::from("org.example.pin")), Some("s")));
    let back: AuthData = serde_json::from_value(serde_json::to_value(&auth).unwrap()).unwrap();
    assert_eq!(back, auth);

    assert!(CustomIdentifier::new("m.id.user", JsonObject::new()).is_err());
    let id = CustomIdentifier::new("org.example.id", JsonObject::new()).unwrap();
    assert_eq!(UserIdentifier::Custom(id).id_type(), "org.example.id");
}

#[test]
fn a_request_body_that_does_not_serialize_is_an_error_not_an_empty_body() {
    let request = UiaaRequest::new(5);
    let error = request.to_http_request(http::Method::POST, "/x", None).unwrap_err();
    assert!(matches!(error, matrix_uia::http::ToHttpError::Body(_)), "{error}");
    assert!(error.to_string().contains("JSON object"), "{error}");
    let fine =
        UiaaRequest::new(json!({"devices": []})).to_http_request(http::Method::POST, "/x", None).unwrap();
    assert_eq!(fine.body().as_slice(), br#"{"devices":[]}"#);
}
