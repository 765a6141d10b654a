//! The example homeserver over real HTTP on 127.0.0.1: the client driver
//! registers (terms, then dummy), logs in, fails and retries a password
//! stage, and completes the terms stage through the fallback page.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use matrix_uia::client::{StagePrompt, drive};
use matrix_uia::{AuthType, JsonObject, UiaaRequest, UserIdentifier};
use serde_json::{Value, json};
use support::http::{errcode, fields, http, post_json};
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
    assert_eq!(pollster::block_on(stored.get(&session)).unwrap().unwrap().completed, [AuthType::Terms]);

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

/// Regression (found by racing it): concurrent final requests for one
/// username in different sessions both got 200, and the second silently
/// took the account over. The insert decides now.
#[test]
fn a_username_claimed_at_the_same_moment_is_registered_once() {
    let (address, _server, _dir) = serve(None);
    // One race rarely hits the window; the old code lost about one in five.
    for round in 0..10 {
        race_for(address, &format!("racer{round}"), 8);
    }
}

/// `racers` registrations of `username`, each taken to its last stage and
/// then all sent at once: exactly one wins, and the account is its.
fn race_for(address: SocketAddr, username: &str, racers: usize) {
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(racers));
    let threads: Vec<_> = (0..racers)
        .map(|i| {
            let (barrier, username) = (barrier.clone(), username.to_owned());
            std::thread::spawn(move || {
                let path = "/_matrix/client/v3/register";
                let body = json!({"username": username, "password": format!("password {i}")});
                let (status, first) = post_json(address, path, None, &body);
                assert_eq!(status, 401);
                let session = serde_json::from_slice::<Value>(&first).unwrap()["session"].clone();
                let mut terms = body.clone();
                terms["auth"] = json!({"type": "m.login.terms", "session": session});
                assert_eq!(post_json(address, path, None, &terms).0, 401);
                let mut dummy = body;
                dummy["auth"] = json!({"type": "m.login.dummy", "session": session});
                barrier.wait();
                errcode(&post_json(address, path, None, &dummy))
            })
        })
        .collect();
    let results: Vec<(u16, String)> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let winners: Vec<usize> = (0..racers).filter(|i| results[*i].0 == 200).collect();
    assert_eq!(winners.len(), 1, "{username}: {results:?}");
    for (status, code) in results.iter().filter(|(status, _)| *status != 200) {
        assert_eq!((*status, code.as_str()), (400, "M_USER_IN_USE"), "{username}: {results:?}");
    }
    // The winner's password is the account's, and not a loser's (one loser
    // a round: failed logins are limited per address).
    let loser = (0..racers).find(|i| !winners.contains(i)).unwrap();
    assert_eq!(login_as(address, username, &format!("password {}", winners[0])).0, 200, "{username}");
    assert_eq!(login_as(address, username, &format!("password {loser}")).0, 403, "{username}");
}

/// Regression: with `--registration-token`, terms then dummy still
/// registered without a token.
#[test]
fn a_registration_token_is_asked_for_in_every_flow() {
    let (address, _server, _dir) = serve(Some("invite"));
    let body = json!({"username": "dora", "password": "pw"});
    let (status, first) = post_json(address, "/_matrix/client/v3/register", None, &body);
    assert_eq!(status, 401);
    let first: Value = serde_json::from_slice(&first).unwrap();
    let flows = first["flows"].as_array().unwrap();
    assert!(!flows.is_empty());
    for flow in flows {
        assert!(flow["stages"].as_array().unwrap().contains(&json!("m.login.registration_token")), "{first}");
    }
    let mut terms = body.clone();
    terms["auth"] = json!({"type": "m.login.terms", "session": first["session"]});
    assert_eq!(errcode(&post_json(address, "/_matrix/client/v3/register", None, &terms)).0, 400);
    let mut dummy = body;
    dummy["auth"] = json!({"type": "m.login.dummy", "session": first["session"]});
    assert_ne!(post_json(address, "/_matrix/client/v3/register", None, &dummy).0, 200);
}

/// Regression: names of other servers, empty names, control characters,
/// paths and 10 000 characters were registered; a name registered with
/// capitals could not log in with them.
#[test]
fn usernames_follow_the_user_id_grammar_and_log_in_as_registered() {
    let (address, _server, _dir) = serve(None);
    let long = "a".repeat(10_000);
    for name in ["@admin:evil.example", "", "a\u{0}b", "/../", "with space", long.as_str()] {
        let answer = post_json(
            address,
            "/_matrix/client/v3/register",
            None,
            &json!({"username": name, "password": "pw"}),
        );
        assert_eq!(errcode(&answer), (400, "M_INVALID_USERNAME".to_owned()), "{name:?}");
    }
    let account = register(address, "CaseUser", "pw");
    assert_eq!(account["user_id"], "@caseuser:localhost");
    for user in ["CaseUser", "caseuser", "@CaseUser:localhost"] {
        let login = json!({"type": "m.login.password", "identifier": {"type": "m.id.user", "user": user}, "password": "pw"});
        assert_eq!(post_json(address, "/_matrix/client/v3/login", None, &login).0, 200, "{user}");
    }
}

/// Regression: plain-text 404, 405 and 413, a wrong content type taken as
/// JSON, and `"devices": "ALL"` answered 200 doing nothing.
#[test]
fn every_error_is_matrix_json() {
    let (address, _server, _dir) = serve(None);
    let account = register(address, "erin", "pw");
    let token = account["access_token"].as_str().unwrap();
    let call = |method: &str, path: &str, body: &[u8], content_type: &str| {
        errcode(&http(address, method, path, Some(token), body, content_type))
    };
    assert_eq!(
        call("GET", "/_matrix/client/v3/nowhere", b"", "application/json"),
        (404, "M_UNRECOGNIZED".into())
    );
    assert_eq!(
        call("GET", "/_matrix/client/v3/delete_devices", b"", "application/json"),
        (405, "M_UNRECOGNIZED".into())
    );
    let huge = vec![b' '; 3 << 20];
    assert_eq!(
        call("POST", "/_matrix/client/v3/register", &huge, "application/json"),
        (413, "M_TOO_LARGE".into())
    );
    let body = br#"{"devices": ["X"]}"#;
    assert_eq!(
        call("POST", "/_matrix/client/v3/delete_devices", body, "text/plain"),
        (400, "M_NOT_JSON".into())
    );
    assert_eq!(
        call("POST", "/_matrix/client/v3/delete_devices", b"{", "application/json"),
        (400, "M_NOT_JSON".into())
    );
    let all = br#"{"devices": "ALL"}"#;
    assert_eq!(
        call("POST", "/_matrix/client/v3/delete_devices", all, "application/json"),
        (400, "M_BAD_JSON".into())
    );
    let twice = br#"{"devices": [], "devices": ["X"]}"#;
    assert_eq!(
        call("POST", "/_matrix/client/v3/delete_devices", twice, "application/json"),
        (400, "M_BAD_JSON".into())
    );
}

fn login_as(address: SocketAddr, user: &str, password: &str) -> (u16, Vec<u8>) {
    let login = json!({"type": "m.login.password", "identifier": {"type": "m.id.user", "user": user}, "password": password});
    post_json(address, "/_matrix/client/v3/login", None, &login)
}

/// Regression: 100 of 100 password guesses on `/login` were answered.
#[test]
fn login_guessing_is_limited_per_user_and_per_address() {
    let (address, _server, _dir) = serve(None);
    register(address, "fay", "right");
    for guess in 0..5 {
        assert_eq!(
            errcode(&login_as(address, "fay", &format!("guess {guess}"))),
            (403, "M_FORBIDDEN".into())
        );
    }
    // Limited now, whatever the spelling of the name, and even with the right password.
    for user in ["fay", "FAY", "@fay:localhost"] {
        let limited = login_as(address, user, "right");
        assert_eq!(errcode(&limited), (429, "M_LIMIT_EXCEEDED".into()), "{user}");
        let wait = serde_json::from_slice::<Value>(&limited.1).unwrap()["retry_after_ms"].as_u64().unwrap();
        assert!((1..=60_000).contains(&wait), "{wait}");
    }

    // One address guessing across many names is limited too.
    let (address, _server, _dir) = serve(None);
    register(address, "gus", "right");
    for name in 0..20 {
        assert_eq!(login_as(address, &format!("nobody{name}"), "guess").0, 403, "name {name}");
    }
    assert_eq!(errcode(&login_as(address, "nobody99", "guess")), (429, "M_LIMIT_EXCEEDED".into()));
    assert_eq!(login_as(address, "gus", "right").0, 429, "the address is limited for every user");
}

/// Regression: the server did not shut down gracefully. Now a shutdown
/// (SIGTERM in `main`) lets a request in flight finish, then the server
/// stops.
#[test]
fn a_shutdown_lets_the_request_in_flight_finish() {
    use std::io::{Read, Write};

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (address, _server, _dir, thread) =
        support::serve_until(Default::default(), support::app::Limits::default(), async {
            let _ = stopped.await;
        });
    // A request whose body has not all arrived: the server is reading it.
    let body = br#"{"username": "hal", "password": "pw"}"#;
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
    let head = format!(
        "POST /_matrix/client/v3/register HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body[..10]).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    stop.send(()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(!thread.is_finished(), "the server stopped with a request in flight");

    stream.write_all(&body[10..]).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 401"), "{response}");
    assert!(response.contains("\"flows\""), "{response}");

    // Then it stops, within a bound.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !thread.is_finished() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(thread.is_finished(), "the server did not stop after its last request");
    thread.join().unwrap();
}

/// Regression: 20 000 half-sent connections held every file descriptor the
/// server had, and it stopped answering. Now a silent connection is closed
/// after the idle limit, and past the connection limit new clients wait
/// for a place instead of taking a descriptor each.
#[test]
fn silent_connections_are_closed_and_bounded() {
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};

    let limits = support::app::Limits { connections: 4, idle: Duration::from_millis(500) };
    let (address, _server, _dir, _thread) =
        support::serve_until(Default::default(), limits, std::future::pending());
    // Four connections take every place, each with half a request's head.
    let mut silent: Vec<std::net::TcpStream> = (0..4)
        .map(|_| {
            let mut stream = std::net::TcpStream::connect(address).unwrap();
            stream.write_all(b"POST /_matrix/client/v3/register HTTP/1.1\r\nHost: x\r\n").unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            stream
        })
        .collect();
    // A client that came after them is answered once they have timed out.
    let started = Instant::now();
    let (status, _) = http(address, "GET", "/_matrix/client/versions", None, b"", "application/json");
    assert_eq!(status, 200);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(300), "answered before a place was free: {waited:?}");
    // The silent ones were closed by the server, not left open: a read
    // ends at once (the end of the stream, or a reset), not at the 10 s
    // read timeout of this client.
    for stream in &mut silent {
        let started = Instant::now();
        let read = stream.read_to_end(&mut Vec::new());
        let timed_out = read.as_ref().is_err_and(|e| {
            matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)
        });
        assert!(!timed_out && started.elapsed() < Duration::from_secs(5), "still open: {read:?}");
    }
}

/// An auth dict of an offered stage that lacks a field is the engine's to
/// answer (401 with `M_MISSING_PARAM`: the client may retry), not a body
/// the server refuses before UIA.
#[test]
fn a_malformed_stage_is_a_retryable_failure() {
    let (address, _server, _dir) = serve(Some("invite"));
    let body = json!({"username": "ivy", "password": "pw"});
    let (status, first) = post_json(address, "/_matrix/client/v3/register", None, &body);
    assert_eq!(status, 401);
    let session = serde_json::from_slice::<Value>(&first).unwrap()["session"].clone();
    let mut no_token = body;
    no_token["auth"] = json!({"type": "m.login.registration_token", "session": session});
    let answer = post_json(address, "/_matrix/client/v3/register", None, &no_token);
    assert_eq!(errcode(&answer), (401, "M_MISSING_PARAM".into()));
}

/// Regression: one unauthenticated client created 200,000 sessions in 40 s.
/// Now its live sessions are capped (100 per address by default).
#[test]
fn one_client_cannot_open_sessions_without_bound() {
    let (address, server, _dir) = serve(None);
    let cap = server.engine().config().sessions_per_address.expect("a cap by default") as usize;
    let body = json!({"username": "ivy", "password": "pw"});
    let statuses: Vec<u16> =
        (0..cap + 5).map(|_| post_json(address, "/_matrix/client/v3/register", None, &body).0).collect();
    assert!(statuses[..cap].iter().all(|s| *s == 401), "{statuses:?}");
    let capped = post_json(address, "/_matrix/client/v3/register", None, &body);
    assert_eq!(errcode(&capped), (429, "M_LIMIT_EXCEEDED".into()));
    let answer: Value = serde_json::from_slice(&capped.1).unwrap();
    assert!(answer["retry_after_ms"].as_u64().is_some_and(|ms| ms > 0), "{answer}");
}

/// Regression: 200 of 200 wrong passwords, each in a new session, got 401.
/// Now the user's failures are counted across sessions.
#[test]
fn password_guesses_are_limited_across_sessions() {
    let (address, _server, _dir) = serve(None);
    let token = register(address, "jo", "right")["access_token"].as_str().unwrap().to_owned();
    let path = "/_matrix/client/v3/delete_devices";
    let guess = |password: &str| {
        let body = json!({"devices": ["NONE"]});
        let first: Value = serde_json::from_slice(&post_json(address, path, Some(&token), &body).1).unwrap();
        let session = first["session"].as_str().expect("a session").to_owned();
        let auth = json!({"type": "m.login.password", "session": session,
            "identifier": {"type": "m.id.user", "user": "jo"}, "password": password});
        errcode(&post_json(address, path, Some(&token), &json!({"devices": ["NONE"], "auth": auth})))
    };
    for attempt in 1..=10 {
        assert_eq!(guess("wrong").0, 401, "attempt {attempt}");
    }
    assert_eq!(guess("wrong"), (429, "M_LIMIT_EXCEEDED".into()), "the 11th, in its own session");
    assert_eq!(guess("right").0, 429, "a limited client learns nothing, not even from the right password");
}

/// Regression: sessions were never removed. The server sweeps expired ones
/// on a timer.
#[test]
fn expired_sessions_are_swept_on_a_timer() {
    let mut settings = support::app::Settings::default();
    settings.engine.session_lifetime = Duration::from_millis(300);
    settings.sweep_every = Duration::from_millis(100);
    let (address, _server, dir, _thread) =
        support::serve_until(settings, support::app::Limits::default(), std::future::pending());
    for _ in 0..5 {
        assert_eq!(
            post_json(address, "/_matrix/client/v3/register", None, &json!({"password": "pw"})).0,
            401
        );
    }
    let rows = || -> i64 {
        let db = rusqlite::Connection::open(dir.path().join("hs.db")).unwrap();
        db.query_row("SELECT COUNT(*) FROM uia_sessions", [], |row| row.get(0)).unwrap()
    };
    assert!(rows() >= 1, "the sessions are stored");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while rows() > 0 {
        assert!(std::time::Instant::now() < deadline, "expired sessions are still stored after 10 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// An IPv6 client holds a whole /64: the limits per address count the /64,
/// or one client could take a new address for every guess.
#[test]
fn an_ipv6_client_is_counted_by_its_slash_64() {
    use support::app::client_of;
    let at = |address: &str| client_of(address.parse().unwrap());
    assert_eq!(at("192.0.2.7:443"), "192.0.2.7");
    assert_eq!(at("[2001:db8:1:2:3:4:5:6]:443"), "2001:db8:1:2::/64");
    assert_eq!(at("[2001:db8:1:2:ffff::1]:443"), at("[2001:db8:1:2:3:4:5:6]:443"), "one /64, one client");
    assert_ne!(at("[2001:db8:1:3::1]:443"), at("[2001:db8:1:2::1]:443"));
    assert_eq!(at("[::ffff:192.0.2.7]:443"), "192.0.2.7", "an IPv4 client on a dual-stack socket");
}
