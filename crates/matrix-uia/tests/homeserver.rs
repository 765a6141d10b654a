//! The example homeserver over real HTTP on 127.0.0.1: the client driver
//! registers (terms, then dummy), logs in, fails and retries a password
//! stage, and completes the terms stage through the fallback page.

mod support;

use std::net::SocketAddr;

use matrix_uia::client::{StagePrompt, drive};
use matrix_uia::{AuthType, JsonObject, UiaaRequest, UserIdentifier};
use serde_json::{Value, json};
use support::http::{fields, http, post_json};
use support::serve;

fn register(address: SocketAddr, user: &str, password: &str) -> Value {
    let answer =
        |p: &StagePrompt<'_>| Some(if *p.auth_type == AuthType::Terms { p.terms() } else { p.dummy() });
    let send = |r: &UiaaRequest<JsonObject>| {
        Ok::<_, std::io::Error>(post_json(address, "/_matrix/client/v3/register", None, r))
    };
    let body = fields(json!({"username": user, "password": password}));
    let (status, body) = drive(body, [AuthType::Terms, AuthType::Dummy], send, answer).unwrap();
    assert_eq!(status, 200);
    serde_json::from_slice(&body).unwrap()
}

#[test]
fn register_login_and_a_failed_then_retried_password_stage() {
    let (address, _server, _dir) = serve(None);
    let (status, versions) = http(address, "GET", "/_matrix/client/versions", None, b"", "application/json");
    assert_eq!(status, 200);
    assert!(
        serde_json::from_slice::<Value>(&versions).unwrap()["versions"]
            .as_array()
            .is_some_and(|v| !v.is_empty())
    );

    let account = register(address, "alice", "first password");
    assert_eq!(account["user_id"], "@alice:localhost");
    let token = account["access_token"].as_str().unwrap().to_owned();

    let login = json!({"type": "m.login.password", "identifier": {"type": "m.id.user", "user": "alice"}, "password": "first password"});
    let (status, second) = post_json(address, "/_matrix/client/v3/login", None, &login);
    assert_eq!(status, 200);
    let second_device =
        serde_json::from_slice::<Value>(&second).unwrap()["device_id"].as_str().unwrap().to_owned();

    // Delete the second device: a wrong password first, then the right one.
    let mut seen = Vec::new();
    let mut attempts = 0;
    let answer = |p: &StagePrompt<'_>| {
        attempts += 1;
        let password = if attempts == 1 { "guess" } else { "first password" };
        Some(p.password(UserIdentifier::user("@alice:localhost"), password))
    };
    let send = |r: &UiaaRequest<JsonObject>| {
        let answer = post_json(address, "/_matrix/client/v3/delete_devices", Some(&token), r);
        seen.push((answer.0, serde_json::from_slice::<Value>(&answer.1).unwrap_or(Value::Null)));
        Ok::<_, std::io::Error>(answer)
    };
    let (status, _) =
        drive(fields(json!({"devices": [second_device]})), [AuthType::Password], send, answer).unwrap();
    assert_eq!(status, 200);
    assert_eq!(seen.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [401, 401, 200]);
    // The seed's body, over the wire from a real server.
    let failed = &seen[1].1;
    assert_eq!(failed["errcode"], "M_FORBIDDEN");
    assert_eq!(failed["flows"], json!([{"stages": ["m.login.password"]}]));
    assert_eq!(failed["session"], seen[0].1["session"]);

    // The password changes under UIA, and the old one stops working.
    let answer = |p: &StagePrompt<'_>| Some(p.password(UserIdentifier::user("alice"), "first password"));
    let send = |r: &UiaaRequest<JsonObject>| {
        Ok::<_, std::io::Error>(post_json(address, "/_matrix/client/v3/account/password", Some(&token), r))
    };
    let (status, _) =
        drive(fields(json!({"new_password": "second password"})), [AuthType::Password], send, answer)
            .unwrap();
    assert_eq!(status, 200);
    let (status, _) = post_json(address, "/_matrix/client/v3/login", None, &login);
    assert_eq!(status, 403);
}

#[test]
fn the_terms_fallback_page_completes_the_stage() {
    let (address, server, _dir) = serve(None);
    let body = json!({"username": "bob", "password": "pw"});
    let (status, first) = post_json(address, "/_matrix/client/v3/register", None, &body);
    assert_eq!(status, 401);
    let session = serde_json::from_slice::<Value>(&first).unwrap()["session"].as_str().unwrap().to_owned();

    let url = format!("/_matrix/client/v3/auth/m.login.terms/fallback/web?session={session}");
    let (status, page) = http(address, "GET", &url, None, b"", "text/plain");
    assert_eq!(status, 200);
    let page = String::from_utf8(page).unwrap();
    assert!(
        page.contains("Terms of Service") && page.contains(&session) && page.contains("id=\"accept\""),
        "{page}"
    );

    let form = format!("session={session}");
    let (status, done) =
        http(address, "POST", &url, None, form.as_bytes(), "application/x-www-form-urlencoded");
    assert_eq!(status, 200);
    let done = String::from_utf8(done).unwrap();
    assert!(done.contains("postMessage(\"authDone\"") && done.contains("window.onAuthDone"), "{done}");
    let stored = server.engine().store();
    use matrix_uia::server::SessionStore;
    assert_eq!(stored.get(&session).unwrap().unwrap().completed, [AuthType::Terms]);

    // The client acknowledges with the session alone, then does the dummy stage.
    let mut ack = body.clone();
    ack["auth"] = json!({"session": session});
    let (status, answer) = post_json(address, "/_matrix/client/v3/register", None, &ack);
    assert_eq!(status, 401);
    assert_eq!(serde_json::from_slice::<Value>(&answer).unwrap()["completed"], json!(["m.login.terms"]));
    let mut dummy = body;
    dummy["auth"] = json!({"type": "m.login.dummy", "session": session});
    let (status, _) = post_json(address, "/_matrix/client/v3/register", None, &dummy);
    assert_eq!(status, 200);

    let (status, _) = http(
        address,
        "GET",
        "/_matrix/client/v3/auth/m.login.password/fallback/web?session=x",
        None,
        b"",
        "text/plain",
    );
    assert_eq!(status, 404);
}
