//! The client driver against a real Synapse 1.163.2 on 127.0.0.1.
//!
//! The manual probe in `tests/interop/synapse-probe/` recorded what Synapse
//! answers in each UIA situation; this test does the part of it that the
//! client driver needs, automatically, on every `cargo test`: it installs
//! Synapse into a virtualenv kept under the target directory (once), starts
//! it on a free port with a fresh SQLite database, and drives registration,
//! logins, `delete_devices` (wrong password, then the right one) and
//! `account/password` through [`matrix_uia::client::drive`]. Every body
//! Synapse sends is read with the model and must round-trip unchanged, and
//! the answers to a bogus session and to an auth type that was not offered
//! are checked against the Synapse column of the table in
//! `src/server/mod.rs`. Installing, starting and stopping Synapse is
//! `support::synapse`, which `matrix-uia-probe`'s `tests/synapse.rs` shares.
//!
//! Without `python3` (3.10 or later) or without PyPI the test does not run
//! and is reported as ignored with the reason, unless
//! `MATRIX_UIA_INTEROP=require` (see `support::interop`, whose libtest-mimic
//! harness runs this target).

mod support;

use std::cell::RefCell;
use std::convert::Infallible;
use std::fs;
use std::path::Path;
use std::time::Instant;

use matrix_uia::client::{StagePrompt, drive};
use matrix_uia::{
    AuthData, AuthType, Dummy, ErrorKind, JsonObject, Password, UiaaInfo, UiaaRequest, UiaaResponse,
    UserIdentifier, from_json_slice,
};
use serde_json::{Value, json};
use support::http::fields;
use support::interop::{Outcome, Unavailable};
use support::synapse::{SYNAPSE_VERSION, Synapse, install_and_start};

const USER: &str = "alice";
const PASSWORD: &str = "first password of alice";
const NEW_PASSWORD: &str = "second password of alice";

const VERSIONS: &str = "/_matrix/client/versions";
const REGISTER: &str = "/_matrix/client/v3/register";
const LOGIN: &str = "/_matrix/client/v3/login";
const DEVICES: &str = "/_matrix/client/v3/devices";
const DELETE_DEVICES: &str = "/_matrix/client/v3/delete_devices";
const ACCOUNT_PASSWORD: &str = "/_matrix/client/v3/account/password";

fn main() -> std::process::ExitCode {
    support::interop::main(support::interop::tests![the_client_driver_against_synapse])
}

fn the_client_driver_against_synapse() -> Outcome {
    let (synapse, install, start) = install_and_start(&[]).map_err(Unavailable)?;

    let started = Instant::now();
    let client = Client { synapse: &synapse, exchanges: RefCell::new(Vec::new()) };
    let versions = client.ok_json("versions", client.get("versions", VERSIONS, None));
    let listed = versions["versions"].as_array().is_some_and(|v| !v.is_empty());
    client.ensure(listed, || "/versions lists no versions".to_owned());
    let account = register(&client);
    let (token, _) = log_in(&client, "DEV1", PASSWORD);
    let (_, second_device) = log_in(&client, "DEV2", PASSWORD);
    let (_, third_device) = log_in(&client, "DEV3", PASSWORD);
    delete_with_a_wrong_then_the_right_password(&client, &token, &second_device);
    a_bogus_session_is_an_unknown_session(&client, &token, &third_device);
    an_auth_type_not_offered_is_recorded_as_completed(&client, &token, &third_device);
    change_the_password(&client, &token);
    let exchanges = started.elapsed();

    let checked = every_body_round_trips(&client);
    eprintln!(
        "Synapse {SYNAPSE_VERSION} at {} ({}): install {install:.1?}, start {start:.1?}, \
         {} exchanges {exchanges:.1?}, {checked}",
        synapse.address,
        account.user_id,
        client.exchanges.borrow().len(),
    );
    Ok(())
}

// ----- the exchanges --------------------------------------------------------

/// One request to Synapse and its answer, kept to check every body at the end.
struct Exchange {
    what: String,
    request: String,
    status: u16,
    body: Vec<u8>,
}

/// `support::http` with a record of every exchange.
struct Client<'a> {
    synapse: &'a Synapse,
    exchanges: RefCell<Vec<Exchange>>,
}

impl Client<'_> {
    fn post(
        &self,
        what: &str,
        path: &str,
        token: Option<&str>,
        body: &impl serde::Serialize,
    ) -> (u16, Vec<u8>) {
        let request = format!("POST {path} {}", serde_json::to_string(body).unwrap_or_default());
        let answer = support::http::post_json(self.synapse.address, path, token, body);
        self.record(what, request, &answer);
        answer
    }

    fn get(&self, what: &str, path: &str, token: Option<&str>) -> (u16, Vec<u8>) {
        let answer = support::http::get(self.synapse.address, path, token);
        self.record(what, format!("GET {path}"), &answer);
        answer
    }

    fn record(&self, what: &str, request: String, (status, body): &(u16, Vec<u8>)) {
        let exchange = Exchange { what: what.to_owned(), request, status: *status, body: body.clone() };
        self.exchanges.borrow_mut().push(exchange);
    }

    /// The statuses and JSON bodies of the exchanges from `from` on.
    fn since(&self, from: usize) -> Vec<(u16, Value)> {
        let exchanges = self.exchanges.borrow();
        exchanges[from..]
            .iter()
            .map(|e| (e.status, serde_json::from_slice(&e.body).unwrap_or(Value::Null)))
            .collect()
    }

    /// Fail unless `ok`: `what`, the last exchanges and Synapse's log tail.
    fn ensure(&self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            let exchanges = self.exchanges.borrow();
            let last: Vec<String> = exchanges[exchanges.len().saturating_sub(4)..]
                .iter()
                .map(|e| {
                    format!(
                        "[{}] {}\n  -> {} {}",
                        e.what,
                        e.request,
                        e.status,
                        String::from_utf8_lossy(&e.body)
                    )
                })
                .collect();
            drop(exchanges);
            self.synapse.fail(format!("{}\nlast exchanges:\n{}", what(), last.join("\n")));
        }
    }

    /// The JSON body of a 200, or a failure that shows it.
    fn ok_json(&self, what: &str, (status, body): (u16, Vec<u8>)) -> Value {
        let json = serde_json::from_slice::<Value>(&body).ok();
        self.ensure(status == 200 && json.is_some(), || format!("{what}: expected 200 with JSON"));
        json.unwrap_or_default()
    }

    /// The device ids the account has now.
    fn devices(&self, token: &str) -> Vec<String> {
        let list = self.ok_json("list devices", self.get("list devices", DEVICES, Some(token)));
        let devices = list["devices"].as_array().map(Vec::as_slice).unwrap_or_default();
        devices.iter().filter_map(|d| d["device_id"].as_str()).map(str::to_owned).collect()
    }
}

// ----- the scenarios --------------------------------------------------------

/// A registered account.
struct Account {
    user_id: String,
}

/// Register through the flow Synapse offers for open registration (the
/// driver picks it among the stages this client can do; Synapse offers
/// `[m.login.dummy]`). The first 401 is the `no auth` row of the table.
fn register(client: &Client<'_>) -> Account {
    let from = client.exchanges.borrow().len();
    let mut stages = Vec::new();
    let answer = |p: &StagePrompt<'_>| {
        stages.push(p.auth_type.clone());
        match p.auth_type {
            AuthType::Dummy => Some(p.dummy()),
            AuthType::Terms => Some(p.terms()),
            _ => None,
        }
    };
    let send = |r: &UiaaRequest<JsonObject>| Ok::<_, Infallible>(client.post("register", REGISTER, None, r));
    let body =
        fields(json!({"username": USER, "password": PASSWORD, "initial_device_display_name": "register"}));
    let result = drive(body, [AuthType::Terms, AuthType::Dummy], send, answer);
    let answer = result.unwrap_or_else(|e| client.synapse.fail(format!("registering through UIA: {e}")));
    let account = client.ok_json("register", answer);

    let seen = client.since(from);
    client.ensure(stages == [AuthType::Dummy], || {
        format!("the driver did the stages {stages:?}, not [m.login.dummy]")
    });
    client.ensure(seen.len() == 2 && seen[0].0 == 401, || "register: expected 401, then 200".to_owned());
    let first = &seen[0].1;
    client.ensure(first["flows"] == json!([{"stages": ["m.login.dummy"]}]), || "register: flows".to_owned());
    client.ensure(first.get("completed").is_none() && first["session"].is_string(), || {
        "register: the first 401 has a session and no `completed`".to_owned()
    });
    table_says(client, "no `auth`, or `\"auth\": {}`", &["401", "no `completed`"]);
    let user_id = account["user_id"].as_str().unwrap_or_default().to_owned();
    client.ensure(user_id == format!("@{USER}:localhost") && account["access_token"].is_string(), || {
        "register: a user id and an access token".to_owned()
    });
    Account { user_id }
}

/// `m.login.password` on `/login` for a device: its access token and device id.
fn log_in(client: &Client<'_>, device: &str, password: &str) -> (String, String) {
    let body = json!({
        "type": "m.login.password",
        "identifier": {"type": "m.id.user", "user": USER},
        "password": password,
        "device_id": device,
    });
    let what = format!("log in {device}");
    let login = client.ok_json(&what, client.post(&what, LOGIN, None, &body));
    let token = login["access_token"].as_str().unwrap_or_default().to_owned();
    let device_id = login["device_id"].as_str().unwrap_or_default().to_owned();
    client.ensure(!token.is_empty() && device_id == device, || format!("{what}: a token and the device id"));
    (token, device_id)
}

/// The seed's case: `delete_devices` with a wrong password answers 401 with
/// the UIA body and `M_FORBIDDEN`; the driver hands that error to the
/// application, which retries with the right password in the same session.
fn delete_with_a_wrong_then_the_right_password(client: &Client<'_>, token: &str, device: &str) {
    let from = client.exchanges.borrow().len();
    let mut prompts = Vec::new();
    let answer = |p: &StagePrompt<'_>| {
        prompts.push((p.auth_type.clone(), p.error.map(|e| e.errcode.clone())));
        let password = if prompts.len() == 1 { "a wrong password" } else { PASSWORD };
        Some(p.password(UserIdentifier::user(USER), password))
    };
    let send = |r: &UiaaRequest<JsonObject>| {
        Ok::<_, Infallible>(client.post("delete_devices", DELETE_DEVICES, Some(token), r))
    };
    let result = drive(fields(json!({"devices": [device]})), [AuthType::Password], send, answer);
    let answer = result.unwrap_or_else(|e| client.synapse.fail(format!("delete_devices through UIA: {e}")));
    client.ok_json("delete_devices", answer);

    let seen = client.since(from);
    let statuses: Vec<u16> = seen.iter().map(|(s, _)| *s).collect();
    client.ensure(statuses == [401, 401, 200], || {
        format!("delete_devices: statuses {statuses:?}, not 401, 401, 200")
    });
    let (first, seed) = (&seen[0].1, &seen[1].1);
    client.ensure(seed["errcode"] == "M_FORBIDDEN" && seed["error"].is_string(), || {
        "the wrong password: `errcode: M_FORBIDDEN` and an `error`".to_owned()
    });
    client.ensure(seed["flows"] == json!([{"stages": ["m.login.password"]}]), || {
        "the wrong password: flows".to_owned()
    });
    client.ensure(seed["completed"] == json!([]), || "the wrong password: `completed: []`".to_owned());
    client.ensure(seed["session"].is_string() && seed["session"] == first["session"], || {
        "the wrong password: the session of the first 401".to_owned()
    });
    let expected = [(AuthType::Password, None), (AuthType::Password, Some(ErrorKind::Forbidden))];
    client.ensure(prompts == expected, || format!("the driver's prompts were {prompts:?}, not {expected:?}"));
    table_says(
        client,
        "stage failed, may retry (wrong password)",
        &["401", "`M_FORBIDDEN`", "`completed` present"],
    );
    client.ensure(!client.devices(token).iter().any(|d| d == device), || format!("{device} is still listed"));
}

/// A session id Synapse never issued, with the right password: 400
/// `M_UNKNOWN` in the standard error format (no UIA body), and nothing is
/// deleted. The table's "unknown session" row.
fn a_bogus_session_is_an_unknown_session(client: &Client<'_>, token: &str, device: &str) {
    let password = Password::new(UserIdentifier::user(USER), PASSWORD, Some("no-such-session".to_owned()));
    let request = UiaaRequest::new(json!({"devices": [device]})).with_auth(AuthData::Password(password));
    let (status, body) = client.post("bogus session", DELETE_DEVICES, Some(token), &request);
    eprintln!("a bogus session: {status} {}", String::from_utf8_lossy(&body));
    let answer = UiaaResponse::from_http(status, &body);
    let ok = matches!(&answer, Ok(UiaaResponse::Error { status: 400, error }) if error.errcode == ErrorKind::Unknown);
    client.ensure(ok, || format!("a bogus session: expected 400 M_UNKNOWN without flows, read {answer:?}"));
    table_says(client, "unknown session", &["400", "`M_UNKNOWN`"]);
    client.ensure(client.devices(token).iter().any(|d| d == device), || format!("{device} was deleted"));
}

/// `m.login.dummy` on `delete_devices`, whose only flow is
/// `[m.login.password]`: Synapse answers 401, no error, and records the
/// dummy stage as completed (the table's "auth type not offered" row, where
/// this engine differs). The request is not authorised.
fn an_auth_type_not_offered_is_recorded_as_completed(client: &Client<'_>, token: &str, device: &str) {
    let body = json!({"devices": [device]});
    let (status, first) =
        client.post("not offered: start", DELETE_DEVICES, Some(token), &UiaaRequest::new(&body));
    let session = match UiaaResponse::from_http(status, &first) {
        Ok(UiaaResponse::AuthRequired(info)) => info.session,
        _ => None,
    };
    client.ensure(session.is_some(), || "not offered: the first 401 has a session".to_owned());
    let request = UiaaRequest::new(&body).with_auth(AuthData::Dummy(Dummy::new(session.clone())));
    let (status, answer) = client.post("not offered: m.login.dummy", DELETE_DEVICES, Some(token), &request);
    eprintln!("m.login.dummy, not offered: {status} {}", String::from_utf8_lossy(&answer));
    let info = match UiaaResponse::from_http(status, &answer) {
        Ok(UiaaResponse::AuthRequired(info)) => Some(info),
        _ => None,
    };
    let recorded = info.as_ref().is_some_and(|i| {
        i.auth_error.is_none() && i.completed() == [AuthType::Dummy] && i.session == session
    });
    client
        .ensure(recorded, || "not offered: expected 401, no error, `completed: [m.login.dummy]`".to_owned());
    table_says(client, "auth type not offered by the endpoint", &["401", "recorded as completed"]);
    client.ensure(client.devices(token).iter().any(|d| d == device), || format!("{device} was deleted"));
}

/// `account/password` under UIA: the driver answers the password stage with
/// the current password; afterwards only the new password logs in.
fn change_the_password(client: &Client<'_>, token: &str) {
    let from = client.exchanges.borrow().len();
    let answer = |p: &StagePrompt<'_>| Some(p.password(UserIdentifier::user(USER), PASSWORD));
    let send = |r: &UiaaRequest<JsonObject>| {
        Ok::<_, Infallible>(client.post("account/password", ACCOUNT_PASSWORD, Some(token), r))
    };
    let body = fields(json!({"new_password": NEW_PASSWORD, "logout_devices": false}));
    let result = drive(body, [AuthType::Password], send, answer);
    let answer = result.unwrap_or_else(|e| client.synapse.fail(format!("account/password through UIA: {e}")));
    client.ok_json("account/password", answer);
    let statuses: Vec<u16> = client.since(from).iter().map(|(s, _)| *s).collect();
    client
        .ensure(statuses == [401, 200], || format!("account/password: statuses {statuses:?}, not 401, 200"));

    let old = json!({"type": "m.login.password", "identifier": {"type": "m.id.user", "user": USER}, "password": PASSWORD});
    let (status, body) = client.post("log in with the old password", LOGIN, None, &old);
    let error =
        UiaaResponse::from_http(status, &body).ok().and_then(|r| r.error().map(|e| e.errcode.clone()));
    client.ensure(status == 403 && error == Some(ErrorKind::Forbidden), || {
        "the old password: expected 403 M_FORBIDDEN".to_owned()
    });
    log_in(client, "DEV4", NEW_PASSWORD);
}

// ----- the checks -----------------------------------------------------------

/// Every body Synapse sent reads into the model and serializes back to the
/// same JSON: error bodies as [`UiaaResponse::from_http`], 401 UIA bodies
/// also as [`UiaaInfo`], and the JSON of successful answers (which are the
/// endpoints' own, not UIA's) as a [`JsonObject`]. Returns a count by kind.
fn every_body_round_trips(client: &Client<'_>) -> String {
    let exchanges = client.exchanges.borrow();
    let (mut uia, mut errors, mut successes) = (0, 0, 0);
    let mut failures = Vec::new();
    for exchange in exchanges.iter() {
        let checked = round_trip(exchange.status, &exchange.body);
        match checked {
            Ok(Kind::Uia) => uia += 1,
            Ok(Kind::Error) => errors += 1,
            Ok(Kind::Success) => successes += 1,
            Err(e) => failures.push(format!(
                "[{}] {}\n  -> {} {}\n  {e}",
                exchange.what,
                exchange.request,
                exchange.status,
                String::from_utf8_lossy(&exchange.body)
            )),
        }
    }
    drop(exchanges);
    client.ensure(failures.is_empty(), || format!("bodies that do not round-trip:\n{}", failures.join("\n")));
    format!("round-tripped: {uia} UIA 401s, {errors} errors, {successes} successes")
}

/// What a body was read as.
enum Kind {
    Uia,
    Error,
    Success,
}

/// Read one body with the model and compare its serialization with the original.
fn round_trip(status: u16, body: &[u8]) -> Result<Kind, String> {
    let original: Value = serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let same = |what: &str, back: Result<Value, serde_json::Error>| match back {
        Ok(back) if back == original => Ok(()),
        Ok(back) => Err(format!("{what} serializes to {back}")),
        Err(e) => Err(format!("{what} does not serialize: {e}")),
    };
    if (200..300).contains(&status) {
        let object: JsonObject = from_json_slice(body).map_err(|e| format!("not a JSON object: {e}"))?;
        same("the JsonObject", serde_json::to_value(object))?;
        return Ok(Kind::Success);
    }
    let response =
        UiaaResponse::from_http(status, body).map_err(|e| format!("UiaaResponse::from_http: {e}"))?;
    same("the UiaaResponse", serde_json::to_value(&response))?;
    let UiaaResponse::AuthRequired(read) = response else {
        if status == 401 && original.get("flows").is_some() {
            return Err("a 401 with `flows` was not read as AuthRequired".to_owned());
        }
        return Ok(Kind::Error);
    };
    let info: UiaaInfo = from_json_slice(body).map_err(|e| format!("not a UiaaInfo: {e}"))?;
    same("the UiaaInfo", serde_json::to_value(&info))?;
    if info != read {
        return Err("UiaaInfo and UiaaResponse::from_http read it differently".to_owned());
    }
    Ok(Kind::Uia)
}

/// Check that the Synapse column of the table in `src/server/mod.rs` (row
/// `situation`; "same" means the engine's column) says each of `facts`,
/// which the live Synapse just showed. If Synapse changes, this names the
/// row to correct.
fn table_says(client: &Client<'_>, situation: &str, facts: &[&str]) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/server/mod.rs");
    let text =
        fs::read_to_string(&source).unwrap_or_else(|e| panic!("cannot read {}: {e}", source.display()));
    let row = text.lines().filter_map(|l| l.strip_prefix("//! |")).find_map(|l| {
        let cells: Vec<&str> = l.split('|').map(str::trim).collect();
        (cells.first() == Some(&situation)).then_some(cells)
    });
    let Some(cells) = row.filter(|c| c.len() >= 3) else {
        panic!("the table in {} has no row {situation:?}", source.display())
    };
    let synapse = if cells[2] == "same" { cells[1] } else { cells[2] };
    for fact in facts {
        client.ensure(synapse.contains(fact), || {
            format!(
                "the table in src/server/mod.rs, row {situation:?}, says Synapse answers {synapse:?}, \
                 but the live Synapse showed {fact:?}: correct the table"
            )
        });
    }
}
