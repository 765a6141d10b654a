//! matrix-js-sdk and a real browser against the example homeserver.
//!
//! The scripts in `tests/interop/js/` use a real `MatrixClient` and the SDK's
//! `InteractiveAuth`, pinned in `package-lock.json` (matrix-js-sdk 37.5.0,
//! playwright-core driving Debian's `/usr/bin/chromium`). This test copies
//! them into a directory kept under the target directory, runs `npm ci`
//! there only when `node_modules` is missing or the package files changed,
//! serves the example homeserver in-process and runs:
//!
//! - `register.mjs`: registration (terms, then dummy), login, a password
//!   change under UIA with a wrong password first, then logins with the new
//!   and the old password; the same with a registration token;
//! - `fallback.mjs`: the `m.login.terms` fallback page in headless Chromium
//!   for a session this test started, then the SDK finishing the
//!   registration from that session, as Element does it.
//!
//! Each script prints one JSON line; the test checks it and the server's
//! side (accounts, and the sessions in the engine's store). Without Node 20+
//! and npm, without the npm registry, or without Chromium, a test does not
//! run and is reported as ignored with the reason, unless
//! `MATRIX_UIA_INTEROP=require` (see `support::interop`, whose libtest-mimic
//! harness runs this target).

mod support;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use matrix_uia::AuthType;
use matrix_uia::server::{Session, SessionStore};
use serde_json::{Value, json};
use support::app::Homeserver;
use support::http::post_json;
use support::interop::{Outcome, Unavailable, run, work_dir};
use support::serve;

fn main() -> std::process::ExitCode {
    support::interop::main(support::interop::tests![
        matrix_js_sdk_registers_logs_in_and_changes_the_password,
        matrix_js_sdk_registers_with_a_registration_token,
        the_terms_fallback_in_chromium_then_matrix_js_sdk_finishes_the_registration,
    ])
}

/// The oldest Node that matrix-js-sdk 37 supports.
const NODE_MAJOR: u32 = 20;
/// Debian's Chromium, which playwright-core drives (it downloads no browser).
const CHROMIUM: &str = "/usr/bin/chromium";
/// How long `npm ci` may take (about 10 s with a warm cache).
const INSTALL_TIMEOUT: Duration = Duration::from_secs(300);
/// How long one script may take (2 to 5 s here); it then gets SIGTERM, and SIGKILL.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);

const LOGIN: &str = "/_matrix/client/v3/login";
const REGISTER: &str = "/_matrix/client/v3/register";

/// The scripts' sources.
fn sources() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/js")
}

/// Where the browser test leaves its screenshots: `<target>/interop-artifacts`.
fn artifacts() -> PathBuf {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("the target directory");
    let dir = target.join("interop-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Node and the installed packages, set up once for all the tests.
struct Js {
    dir: PathBuf,
}

/// The set-up, or why it cannot be done (reported by each test that needs it).
fn js() -> Result<&'static Js, Unavailable> {
    static JS: OnceLock<Result<Js, String>> = OnceLock::new();
    JS.get_or_init(set_up).as_ref().map_err(|why| Unavailable(why.clone()))
}

fn set_up() -> Result<Js, String> {
    let quick = Duration::from_secs(30);
    let version = run(Command::new("node").arg("--version"), quick)
        .map_err(|e| format!("Node.js {NODE_MAJOR}+ with npm is missing: {e}"))?;
    let version = String::from_utf8_lossy(&version.stdout).trim().to_owned();
    let major = version.trim_start_matches('v').split('.').next().and_then(|m| m.parse::<u32>().ok());
    if major.is_none_or(|m| m < NODE_MAJOR) {
        return Err(format!("Node.js {NODE_MAJOR}+ is missing: node {version} is too old for matrix-js-sdk"));
    }
    run(Command::new("npm").arg("--version"), quick)
        .map_err(|e| format!("npm is missing beside node {version}: {e}"))?;

    let dir = work_dir("js");
    for entry in std::fs::read_dir(sources()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".mjs") || name == "package.json" || name == "package-lock.json" {
            std::fs::copy(&path, dir.join(&name)).unwrap();
        }
    }
    // `npm ci` only when node_modules is missing or the package files changed.
    let wanted = [
        std::fs::read(dir.join("package.json")).unwrap(),
        std::fs::read(dir.join("package-lock.json")).unwrap(),
    ]
    .concat();
    let stamp = dir.join(".installed-from");
    let installed = dir.join("node_modules").is_dir() && std::fs::read(&stamp).is_ok_and(|s| s == wanted);
    if installed {
        eprintln!("matrix-js-sdk: node {version}, npm ci skipped (package-lock.json unchanged)");
    } else {
        let _ = std::fs::remove_file(&stamp);
        let started = Instant::now();
        run(
            Command::new("npm")
                .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&dir)
                .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
            INSTALL_TIMEOUT,
        )
        .map_err(|e| {
            format!("matrix-js-sdk cannot be installed from the npm registry (is it reachable?)\n{e}")
        })?;
        std::fs::write(&stamp, &wanted).unwrap();
        eprintln!("matrix-js-sdk: node {version}, npm ci took {:.1?}", started.elapsed());
    }
    Ok(Js { dir })
}

impl Js {
    /// Run `script` with `args`; its one JSON line, which must say `ok`.
    fn run(&self, script: &str, args: &[&str]) -> Value {
        let started = Instant::now();
        let output = run(Command::new("node").arg(script).args(args).current_dir(&self.dir), SCRIPT_TIMEOUT)
            .unwrap_or_else(|e| panic!("{script} failed: {e}"));
        eprintln!("{script} took {:.1?}", started.elapsed());
        let stdout = String::from_utf8_lossy(&output.stdout);
        let line = stdout.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default();
        let result: Value = serde_json::from_str(line).unwrap_or_else(|e| {
            panic!(
                "{script} printed no JSON line ({e}):\n{stdout}\n--- stderr\n{}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
        assert_eq!(result["ok"], true, "{script}: {result:#}");
        result
    }
}

fn base_url(address: SocketAddr) -> String {
    format!("http://{address}")
}

fn login(address: SocketAddr, user: &str, password: &str) -> u16 {
    let body = json!({"type": "m.login.password", "identifier": {"type": "m.id.user", "user": user}, "password": password});
    post_json(address, LOGIN, None, &body).0
}

/// The session `id` as the server stored it.
fn session(server: &Homeserver, id: &Value) -> Session {
    let id = id.as_str().unwrap_or_else(|| panic!("no session id: {id}"));
    pollster::block_on(server.engine().store().get(id))
        .unwrap()
        .unwrap_or_else(|| panic!("session {id} is not stored"))
}

/// `field` of each request the SDK made, in order.
fn requests(trace: &Value, field: &str) -> Vec<Value> {
    trace["requests"].as_array().unwrap().iter().map(|r| r[field].clone()).collect()
}

fn auth_types(trace: &Value) -> Vec<Value> {
    requests(trace, "auth").iter().map(|auth| auth["type"].clone()).collect()
}

fn matrix_js_sdk_registers_logs_in_and_changes_the_password() -> Outcome {
    let js = js()?;
    let (address, server, _dir) = serve(None);
    let result = js.run("register.mjs", &[&base_url(address), "--username", "jsalice"]);
    assert_eq!(result["user_id"], "@jsalice:localhost", "{result:#}");

    // Registration: the SDK asked the application for the terms once, read
    // the policies from the stage's params, and submitted the dummy itself.
    let registration = &result["registration"];
    assert_eq!(registration["flow"], json!(["m.login.terms", "m.login.dummy"]), "{registration:#}");
    assert_eq!(registration["stages"], json!([{"stage": "m.login.terms", "errcode": null}]));
    assert_eq!(registration["policies"][0]["id"], "terms_of_service");
    assert_eq!(registration["policies"][0]["version"], "1.0");
    assert_eq!(requests(registration, "status"), [json!(401), json!(401), json!(200)]);
    assert_eq!(auth_types(registration), [Value::Null, json!("m.login.terms"), json!("m.login.dummy")]);
    let stored = session(&server, &registration["session"]);
    assert_eq!(stored.completed, [AuthType::Terms, AuthType::Dummy]);
    assert!(stored.consumed);

    // The password change: the wrong password came back to the SDK as a UIA
    // answer (a MatrixError, 401, M_FORBIDDEN) and it asked for the stage again.
    let change = &result["password_change"];
    assert_eq!(change["failed_status"], 401, "{change:#}");
    assert_eq!(change["failed_errcode"], "M_FORBIDDEN");
    assert_eq!(
        change["stages"],
        json!([{"stage": "m.login.password", "errcode": null}, {"stage": "m.login.password", "errcode": "M_FORBIDDEN"}])
    );
    assert_eq!(requests(change, "status"), [json!(401), json!(401), json!(200)]);
    assert_eq!(requests(change, "matrixError"), [json!(true), json!(true), Value::Null]);
    assert_eq!(
        requests(change, "auth")[1]["identifier"],
        json!({"type": "m.id.user", "user": "@jsalice:localhost"})
    );
    let stored = session(&server, &change["session"]);
    assert_eq!(stored.completed, [AuthType::Password]);
    assert_eq!(stored.failures, 1);
    assert_eq!(stored.user_id.as_deref(), Some("@jsalice:localhost"));
    assert!(stored.consumed);

    // The SDK's own logins, then the server's word over plain HTTP.
    assert_eq!(result["new_password_login"], "@jsalice:localhost");
    assert_eq!(result["old_password_login"], json!({"status": 403, "errcode": "M_FORBIDDEN"}));
    assert_eq!(login(address, "jsalice", "a new password under UIA"), 200);
    assert_eq!(login(address, "jsalice", "correct horse battery staple"), 403);
    Ok(())
}

fn matrix_js_sdk_registers_with_a_registration_token() -> Outcome {
    let js = js()?;
    let token = "interop-token";
    let (address, server, _dir) = serve(Some(token));
    let result =
        js.run("register.mjs", &[&base_url(address), "--username", "jstoken", "--registration-token", token]);
    assert_eq!(result["user_id"], "@jstoken:localhost", "{result:#}");
    let registration = &result["registration"];
    // Told which stages the client supports, the SDK picks the token flow.
    assert_eq!(
        registration["flow"],
        json!(["m.login.registration_token", "m.login.dummy"]),
        "{registration:#}"
    );
    assert_eq!(registration["stages"], json!([{"stage": "m.login.registration_token", "errcode": null}]));
    assert_eq!(
        auth_types(registration),
        [Value::Null, json!("m.login.registration_token"), json!("m.login.dummy")]
    );
    assert_eq!(requests(registration, "auth")[1]["token"], token);
    let stored = session(&server, &registration["session"]);
    assert_eq!(stored.completed, [AuthType::RegistrationToken, AuthType::Dummy]);
    assert!(stored.consumed);
    assert_eq!(login(address, "jstoken", "a new password under UIA"), 200);
    Ok(())
}

fn the_terms_fallback_in_chromium_then_matrix_js_sdk_finishes_the_registration() -> Outcome {
    if !Path::new(CHROMIUM).exists() {
        return Err(Unavailable(format!(
            "Chromium is missing: no {CHROMIUM}; install Debian's: apt-get install -y chromium"
        )));
    }
    let js = js()?;
    let (address, server, _dir) = serve(None);

    // The session is bound to the request without `auth`: start it with the
    // body the SDK's `register()` sends (it always asks for a refresh token).
    let (user, password) = ("jsbob", "bob's password");
    let body = json!({"username": user, "password": password, "refresh_token": true});
    let (status, first) = post_json(address, REGISTER, None, &body);
    assert_eq!(status, 401);
    let id = serde_json::from_slice::<Value>(&first).unwrap()["session"].clone();
    let session_id = id.as_str().unwrap().to_owned();

    let screenshot = artifacts().join("terms-fallback.png");
    let page_shot = artifacts().join("terms-fallback-page.png");
    for file in [&screenshot, &page_shot] {
        let _ = std::fs::remove_file(file);
    }
    let args = [
        &base_url(address),
        "--session",
        &session_id,
        "--username",
        user,
        "--password",
        password,
        "--screenshot",
        screenshot.to_str().unwrap(),
    ];
    let result = js.run("fallback.mjs", &args);

    // The browser: the SDK's fallback URL is the server's page for this
    // session, the popup signalled its opener, and the screenshots are PNGs.
    let fallback = &result["fallback"];
    assert_eq!(
        fallback["url"],
        format!(
            "{}/_matrix/client/v3/auth/m.login.terms/fallback/web?session={session_id}",
            base_url(address)
        ),
        "{fallback:#}"
    );
    assert_eq!(fallback["page"]["session"], session_id);
    assert_eq!(fallback["page"]["policies"], json!(["Terms of Service (version 1.0)"]));
    assert_eq!(fallback["auth_done"], json!({"origin": base_url(address), "data": "authDone"}));
    assert_eq!(fallback["done_title"], "Thank you");
    for file in [&screenshot, &page_shot] {
        let png = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 1000, "{} is no PNG", file.display());
    }
    eprintln!("screenshots: {} and {}", page_shot.display(), screenshot.display());

    // The SDK: it resumed the session and was asked for the terms; after the
    // page, it sent the session alone (no m.login.terms dict was ever sent:
    // the stage was completed out of band), saw the terms completed, and did
    // the dummy stage itself.
    let registration = &result["registration"];
    assert_eq!(registration["session"], session_id, "{registration:#}");
    assert_eq!(registration["stages"], json!([{"stage": "m.login.terms", "errcode": null}]));
    assert_eq!(
        requests(registration, "auth"),
        [
            json!({"session": session_id}),
            json!({"session": session_id}),
            json!({"session": session_id, "type": "m.login.dummy"})
        ]
    );
    assert_eq!(requests(registration, "status"), [json!(401), json!(401), json!(200)]);
    assert_eq!(requests(registration, "completed"), [json!([]), json!(["m.login.terms"]), Value::Null]);

    // The server: the stages the session completed, and the account.
    let stored = session(&server, &id);
    assert_eq!(stored.completed, [AuthType::Terms, AuthType::Dummy]);
    assert!(stored.consumed);
    assert_eq!(result["user_id"], "@jsbob:localhost");
    assert_eq!(login(address, user, password), 200);
    Ok(())
}
