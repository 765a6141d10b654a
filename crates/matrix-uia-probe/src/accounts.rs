//! The probe's accounts and devices: registered through the flows the
//! server offers, or the one given, with devices made by logging in. The
//! probe acts on nothing else.

use matrix_uia::client::{DriveError, drive};
use matrix_uia::{AuthType, JsonObject, UiaaRequest};
use serde_json::{Value, json};

use crate::http::{Client, ClientError};

const REGISTER: &str = "/_matrix/client/v3/register";
const LOGIN: &str = "/_matrix/client/v3/login";

/// An account the probe may act on.
#[derive(Clone, Debug)]
pub struct Account {
    /// Its full user ID.
    pub user_id: String,
    /// What to log in with: the user ID or localpart it was given as.
    pub login: String,
    /// Its password.
    pub password: String,
    /// An access token of a device of the probe's.
    pub token: String,
}

/// A device of the probe's, made by logging in.
#[derive(Clone, Debug)]
pub struct Device {
    /// Its device ID.
    pub id: String,
    /// Its access token.
    pub token: String,
}

/// `bytes` random bytes from the OS, as hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    // Without randomness no name or password is safe to use: stop.
    getrandom::fill(&mut buffer).expect("the operating system's random number generator");
    buffer.iter().map(|b| format!("{b:02x}")).collect()
}

/// Register a new account through the first flow of stages the probe can do
/// (`m.login.dummy`, `m.login.terms`, and `m.login.registration_token` when
/// it has a token).
pub fn register(client: &Client, registration_token: Option<&str>) -> Result<Account, String> {
    let (login, password) = (format!("uiaprobe-{}", random_hex(6)), random_hex(16));
    client.hide(&password);
    if let Some(token) = registration_token {
        client.hide(token);
    }
    let mut body = JsonObject::new();
    body.insert("username".to_owned(), Value::from(login.clone()));
    body.insert("password".to_owned(), Value::from(password.clone()));
    body.insert("initial_device_display_name".to_owned(), Value::from("matrix-uia-probe"));
    let mut stages = vec![AuthType::Dummy, AuthType::Terms];
    if registration_token.is_some() {
        stages.push(AuthType::RegistrationToken);
    }
    let send = |request: &UiaaRequest<JsonObject>| -> Result<(u16, Vec<u8>), ClientError> {
        let answer = client.post(REGISTER, None, &serde_json::to_value(request).unwrap_or_default())?;
        Ok((answer.status, serde_json::to_vec(&answer.body).unwrap_or_default()))
    };
    let answer = |prompt: &matrix_uia::client::StagePrompt<'_>| match prompt.auth_type {
        AuthType::Dummy => Some(prompt.dummy()),
        AuthType::Terms => Some(prompt.terms()),
        AuthType::RegistrationToken => registration_token.map(|token| prompt.registration_token(token)),
        _ => None,
    };
    let (status, done) = drive(body, stages, send, answer).map_err(|error| match error {
        DriveError::Send(error) => error.to_string(),
        DriveError::Server { status, error } => format!("registration refused: {status} {error}"),
        DriveError::NoSupportedFlow(flows) => format!(
            "no registration flow the probe can do (dummy, terms{}): {}",
            if registration_token.is_some() { ", registration token" } else { "; give --registration-token" },
            serde_json::to_string(&flows).unwrap_or_default()
        ),
        other => format!("registration failed: {other:?}"),
    })?;
    let done: Value = serde_json::from_slice(&done).unwrap_or(Value::Null);
    let (Some(user_id), Some(token)) = (done["user_id"].as_str(), done["access_token"].as_str()) else {
        return Err(format!("registration answered {status} without a user ID and an access token"));
    };
    client.hide(token);
    Ok(Account { user_id: user_id.to_owned(), login, password, token: token.to_owned() })
}

/// Log in as `login` with `password`: the account's full user ID, and a new device.
pub fn log_in(client: &Client, login: &str, password: &str) -> Result<(String, Device), String> {
    client.hide(password);
    let body = json!({"type": "m.login.password", "identifier": {"type": "m.id.user", "user": login},
        "password": password, "initial_device_display_name": "matrix-uia-probe"});
    let answer = client.post(LOGIN, None, &body).map_err(|e| e.to_string())?;
    let (Some(user_id), Some(token), Some(device)) = (
        answer.body["user_id"].as_str(),
        answer.body["access_token"].as_str(),
        answer.body["device_id"].as_str(),
    ) else {
        return Err(format!(
            "log in as {login}: {} {}",
            answer.status,
            client.redact(&answer.body.to_string())
        ));
    };
    client.hide(token);
    Ok((user_id.to_owned(), Device { id: device.to_owned(), token: token.to_owned() }))
}

/// `login` logged in: the account, with the new device's token.
pub fn given(client: &Client, login: &str, password: &str) -> Result<Account, String> {
    let (user_id, device) = log_in(client, login, password)?;
    Ok(Account { user_id, login: login.to_owned(), password: password.to_owned(), token: device.token })
}
