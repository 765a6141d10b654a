//! The homeserver's routes and state. Kept apart from `main` so that the
//! tests serve the same app on a port of their own.

// A handler's early return is the response itself; it goes straight to axum,
// so its size costs one move, not a copy per layer.
#![allow(clippy::result_large_err)]

#[path = "database.rs"]
mod database;
#[path = "hashing.rs"]
mod hashing;
#[path = "listener.rs"]
mod listener;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use matrix_uia::server::{
    Decision, Engine, EngineConfig, IncomingRequest, PasswordStage, Policy, StoreError,
    fixed_registration_tokens,
};
use matrix_uia::{AuthData, AuthType, ErrorKind, JsonObject, StandardError, UiaaResponse, UserIdentifier};

use database::{Database, DbError, Param, Sessions};
use hashing::HashPool;
pub use listener::Limits;
use listener::{Guarded, Peer};
use serde_json::{Value, json};
use sha2::Sha256;

/// The server's name: the part of user ids after the colon.
pub const SERVER_NAME: &str = "localhost";
/// PBKDF2 rounds for stored passwords (an example, not a tuning guide).
const ROUNDS: u32 = 10_000;

/// Users, devices and access tokens, in the [`Database`] beside the UIA
/// sessions. PBKDF2 is CPU-heavy and SQLite blocks, so neither runs on the
/// executor: hashes run on the [`HashPool`]'s low-priority threads, SQLite
/// statements on tokio's blocking threads. A flood of password guesses then
/// queues for the hashing threads while the executor goes on answering
/// everything else.
pub struct Accounts {
    db: Database,
    hashing: HashPool,
}

impl Accounts {
    /// PBKDF2 of `password`, on one of the hashing threads.
    async fn hash(&self, password: String, salt: Vec<u8>) -> Vec<u8> {
        self.hashing.run(move || hash(&password, &salt)).await
    }

    /// Claim `user_id` for a new account: `Ok(false)` when it is taken,
    /// whoever claimed it first (the primary key decides, not a check
    /// before the insert, which two registrations could both pass; on
    /// PostgreSQL, whichever worker they came to).
    async fn create(&self, user_id: &str, password: String) -> Result<bool, DbError> {
        let salt = random_hex(16).into_bytes();
        let hash = self.hash(password, salt.clone()).await;
        let sql =
            "INSERT INTO users (user_id, salt, hash) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO NOTHING";
        let params = vec![Param::Text(user_id.to_owned()), Param::Bytes(salt), Param::Bytes(hash)];
        Ok(self.db.execute(sql, params).await? == 1)
    }

    async fn set_password(&self, user_id: &str, password: String) -> Result<(), DbError> {
        let salt = random_hex(16).into_bytes();
        let hash = self.hash(password, salt.clone()).await;
        let sql = "UPDATE users SET salt = $1, hash = $2 WHERE user_id = $3";
        self.db
            .execute(sql, vec![Param::Bytes(salt), Param::Bytes(hash), Param::Text(user_id.to_owned())])
            .await?;
        Ok(())
    }

    async fn exists(&self, user_id: &str) -> Result<bool, DbError> {
        let sql = "SELECT user_id FROM users WHERE user_id = $1";
        Ok(self.db.query_row(sql, vec![Param::Text(user_id.to_owned())]).await?.is_some())
    }

    /// The user id `identifier` names, when `password` is theirs.
    async fn check_password(&self, identifier: UserIdentifier, password: String) -> Option<String> {
        let UserIdentifier::UserId(user) = identifier else { return None };
        // Normalised as registration normalises it, or a name registered
        // with capitals could never log in.
        let user_id = user_id_of(&user.user).ok()?;
        let sql = "SELECT salt, hash FROM users WHERE user_id = $1";
        let row = self.db.query_row(sql, vec![Param::Text(user_id.clone())]).await.ok()??;
        let mut columns = row.into_iter();
        let (salt, stored) = (columns.next()?.bytes()?, columns.next()?.bytes()?);
        let hash = self.hash(password, salt).await;
        matrix_uia::server::constant_time_eq(&hash, &stored).then_some(user_id)
    }

    async fn new_device(&self, user_id: &str) -> Result<(String, String), DbError> {
        let (token, device) = (random_hex(16), random_hex(5).to_uppercase());
        let sql = "INSERT INTO devices (access_token, user_id, device_id) VALUES ($1, $2, $3)";
        let params =
            vec![Param::Text(token.clone()), Param::Text(user_id.to_owned()), Param::Text(device.clone())];
        self.db.execute(sql, params).await?;
        Ok((token, device))
    }

    /// The user and the device of an access token.
    async fn device_of(&self, access_token: &str) -> Result<Option<(String, String)>, DbError> {
        let sql = "SELECT user_id, device_id FROM devices WHERE access_token = $1";
        let row = self.db.query_row(sql, vec![Param::Text(access_token.to_owned())]).await?;
        Ok(row.and_then(|row| {
            let mut columns = row.into_iter();
            Some((columns.next()?.text()?, columns.next()?.text()?))
        }))
    }

    async fn delete_devices(&self, user_id: &str, devices: Vec<String>) -> Result<(), DbError> {
        let sql = "DELETE FROM devices WHERE user_id = $1 AND device_id = $2";
        for device in devices {
            self.db.execute(sql, vec![Param::Text(user_id.to_owned()), Param::Text(device)]).await?;
        }
        Ok(())
    }
}

fn hash(password: &str, salt: &[u8]) -> Vec<u8> {
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt, ROUNDS, &mut out);
    out.to_vec()
}

fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    // The OS's CSPRNG; without it no token can be safe, so stop here.
    getrandom::fill(&mut buffer).expect("the operating system's random number generator");
    buffer.iter().map(|b| format!("{b:02x}")).collect()
}

/// The user ID a client's name for a user stands for: a localpart, or a
/// full ID of this server, lowercased; refused (with why) when it is not a
/// user ID this server could have. The spec's grammar, with one thing
/// less: no `/`, which the spec keeps for historical IDs, so that no name
/// can look like a path.
fn user_id_of(name: &str) -> Result<String, &'static str> {
    let name = name.to_lowercase();
    let localpart = match name.strip_prefix('@') {
        Some(full) => match full.split_once(':') {
            Some((localpart, server)) if server == SERVER_NAME => localpart.to_owned(),
            _ => return Err("The user ID must be of this server"),
        },
        None => name,
    };
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "-._=+".contains(c);
    if localpart.is_empty() || !localpart.chars().all(allowed) {
        return Err("A user ID may only contain a-z, 0-9 and -._=+");
    }
    let user_id = format!("@{localpart}:{SERVER_NAME}");
    // The spec's bound on a whole user ID.
    if user_id.len() > 255 {
        return Err("The user ID is longer than 255 bytes");
    }
    Ok(user_id)
}

/// What the limits per address count a client by: its IPv4 address, or
/// the /64 of its IPv6 address, which one client holds whole and could
/// otherwise rotate through, a new address per guess.
pub fn client_of(peer: SocketAddr) -> String {
    match peer.ip() {
        std::net::IpAddr::V4(ip) => ip.to_string(),
        std::net::IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = ip.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// Failed logins in the last [`LoginLimiter::WINDOW`], by user and by
/// client address: `/login` is not UIA, so the engine's limits do not cover
/// it, and without this a client could guess passwords as fast as the
/// server hashes them.
#[derive(Default)]
struct LoginLimiter {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    const WINDOW: Duration = Duration::from_secs(60);
    /// Failures a user may have in the window.
    const PER_USER: usize = 5;
    /// Failures one address may have in the window, over every user it tries.
    const PER_ADDRESS: usize = 20;
    /// Keys kept before expired ones are dropped: a flood of names cannot
    /// grow the map without bound.
    const KEYS_MAX: usize = 10_000;

    fn keys(user_id: Option<&str>, peer: SocketAddr) -> [(String, usize); 2] {
        let user = user_id.map_or_else(String::new, |u| format!("user {u}"));
        [(user, Self::PER_USER), (format!("address {}", client_of(peer)), Self::PER_ADDRESS)]
    }

    /// How long until `user_id` may try again from `peer`, if it may not now.
    fn wait(&self, user_id: Option<&str>, peer: SocketAddr) -> Option<Duration> {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Self::keys(user_id, peer)
            .into_iter()
            .filter_map(|(key, max)| {
                let times = failures.get_mut(&key)?;
                times.retain(|t| now.duration_since(*t) < Self::WINDOW);
                (times.len() >= max).then(|| Self::WINDOW.saturating_sub(now.duration_since(times[0])))
            })
            .max()
    }

    fn fail(&self, user_id: Option<&str>, peer: SocketAddr) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if failures.len() >= Self::KEYS_MAX {
            failures.retain(|_, times| times.back().is_some_and(|t| now.duration_since(*t) < Self::WINDOW));
        }
        for (key, _) in Self::keys(user_id, peer).into_iter().filter(|(key, _)| !key.is_empty()) {
            failures.entry(key).or_default().push_back(now);
        }
    }
}

/// Everything the handlers share.
pub struct Homeserver {
    engine: Engine<Sessions>,
    accounts: Arc<Accounts>,
    register: Policy,
    password: Policy,
    logins: LoginLimiter,
    sweep_every: Duration,
}

/// How the homeserver is set up.
#[derive(Clone, Debug)]
pub struct Settings {
    /// With a token, registration asks for it in every flow.
    pub registration_token: Option<String>,
    /// The engine's limits.
    pub engine: EngineConfig,
    /// Password hashes computed at once, each on a low-priority thread of its own.
    pub hash_threads: usize,
    /// How often expired UIA sessions and ended failure counts are removed.
    pub sweep_every: Duration,
    /// Connections to PostgreSQL, when the database is there.
    pub pool_size: usize,
}

impl Default for Settings {
    /// No token, the engine's default limits, one hashing thread fewer than
    /// the machine has cores (at least one), a sweep a minute, 16 PostgreSQL
    /// connections.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Settings {
            registration_token: None,
            engine: EngineConfig::default(),
            hash_threads: cores.saturating_sub(1).max(1),
            sweep_every: Duration::from_secs(60),
            pool_size: 16,
        }
    }
}

/// The policies a user accepts at registration.
fn terms() -> Value {
    json!({"policies": {"terms_of_service": {
        "version": "1.0",
        "en": {"name": "Terms of Service", "url": "https://localhost/terms-1.0-en.html"}
    }}})
}

impl Homeserver {
    /// Open the server's database (an SQLite file's path, or a
    /// `postgres://` URL): accounts and UIA sessions.
    pub async fn open(db: &str, settings: Settings) -> Result<Self, Box<dyn std::error::Error>> {
        let (db, sessions) = database::open(db, settings.pool_size).await?;
        let accounts = Arc::new(Accounts { db, hashing: HashPool::new(settings.hash_threads)? });
        let checker = accounts.clone();
        let password_check = move |identifier: UserIdentifier, password: String| {
            let accounts = checker.clone();
            async move { accounts.check_password(identifier, password).await }
        };
        let mut engine = Engine::new(sessions)
            .with_config(settings.engine)
            .with_verifier(PasswordStage::new(password_check));
        // With a registration token, every flow asks for it: a flow
        // without one would let anyone register anyway.
        let register = match settings.registration_token {
            Some(token) => {
                engine = engine.with_verifier(fixed_registration_tokens(vec![token]));
                Policy::new([vec![AuthType::RegistrationToken, AuthType::Dummy]])
            }
            None => {
                Policy::new([vec![AuthType::Terms, AuthType::Dummy]]).with_params(AuthType::Terms, terms())
            }
        };
        let password = Policy::new([vec![AuthType::Password]]);
        let logins = LoginLimiter::default();
        Ok(Homeserver { engine, accounts, register, password, logins, sweep_every: settings.sweep_every })
    }

    /// The engine, for tests that look at sessions.
    pub fn engine(&self) -> &Engine<Sessions> {
        &self.engine
    }
}

/// Serve the homeserver on `listener`, under `limits`, until `shutdown`
/// resolves; then stop accepting, let the requests in flight finish, and
/// return, so that the caller can close the store. Expired sessions are
/// swept meanwhile.
pub async fn serve(
    listener: tokio::net::TcpListener,
    limits: Limits,
    server: Arc<Homeserver>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let sweeper = tokio::spawn(sweep(server.clone()));
    // The client's address, for the per-address limits.
    let service = router(server).into_make_service_with_connect_info::<Peer>();
    let served = axum::serve(Guarded::new(listener, limits), service).with_graceful_shutdown(shutdown).await;
    sweeper.abort();
    served
}

/// Remove expired sessions and ended counts, on a timer, for ever.
async fn sweep(server: Arc<Homeserver>) {
    let mut timer = tokio::time::interval(server.sweep_every);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        timer.tick().await;
        if let Err(e) = server.engine.sweep().await {
            eprintln!("homeserver: the session sweep failed: {e}");
        }
    }
}

/// The routes.
pub fn router(server: Arc<Homeserver>) -> Router {
    Router::new()
        .route("/_matrix/client/versions", get(versions))
        .route("/_matrix/client/v3/account/whoami", get(whoami))
        .route("/_matrix/client/v3/register", post(register))
        .route("/_matrix/client/v3/login", get(login_flows).post(login))
        .route("/_matrix/client/v3/delete_devices", post(delete_devices))
        .route("/_matrix/client/v3/account/password", post(change_password))
        .route("/_matrix/client/v3/auth/{auth_type}/fallback/web", get(fallback_page).post(fallback_submit))
        .fallback(unrecognized)
        .method_not_allowed_fallback(not_allowed)
        .layer(axum::middleware::map_response(as_matrix_error))
        .with_state(server)
}

async fn unrecognized() -> Response {
    error(404, ErrorKind::Unrecognized, "Unrecognized request")
}

async fn not_allowed() -> Response {
    error(405, ErrorKind::Unrecognized, "Method not allowed")
}

/// An error axum answers itself (a body over its limit, a method the route
/// does not take) in plain text, in Matrix JSON as every other error.
async fn as_matrix_error(response: Response) -> Response {
    let status = response.status();
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let html =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !status.is_client_error() && !status.is_server_error() || json || html {
        return response;
    }
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => error(413, ErrorKind::TooLarge, "The request body is too large"),
        StatusCode::METHOD_NOT_ALLOWED => error(405, ErrorKind::Unrecognized, "Method not allowed"),
        StatusCode::NOT_FOUND => error(404, ErrorKind::Unrecognized, "Unrecognized request"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => error(415, ErrorKind::NotJson, "Unsupported content type"),
        other if other.is_server_error() => {
            error(other.as_u16(), ErrorKind::Unknown, "Internal server error")
        }
        other => error(other.as_u16(), ErrorKind::BadJson, "Bad request"),
    }
}

fn error(status: u16, errcode: ErrorKind, message: &str) -> Response {
    UiaaResponse::Error { status, error: StandardError::new(errcode, message) }.into_response()
}

/// 200 with a JSON body.
fn ok_json(body: Value) -> Response {
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    matrix_uia::http::json_response(200, bytes).map(axum::body::Body::from)
}

/// A failure of the server's own: the cause goes to the operator's log,
/// the client gets a bare 500.
fn internal(e: impl std::fmt::Display) -> Response {
    eprintln!("homeserver: {e}");
    error(500, ErrorKind::Unknown, "Internal server error")
}

/// The request's body as a JSON object, refused with `M_NOT_JSON` when it is
/// not sent as JSON or is not JSON, and with `M_BAD_JSON` when it is JSON of
/// another shape (not an object, or a key twice).
fn json_object(headers: &HeaderMap, body: &Bytes) -> Result<JsonObject, Response> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(error(400, ErrorKind::NotJson, "Content-Type must be application/json"));
    }
    // `auth` stays a value: a malformed stage is the engine's to answer.
    matrix_uia::from_json_object(body).map_err(|e| {
        let errcode = if e.is_syntax() { ErrorKind::NotJson } else { ErrorKind::BadJson };
        error(400, errcode, &format!("Invalid JSON body: {e}"))
    })
}

/// A body field of the type the endpoint expects, or 400 `M_BAD_JSON`.
fn field<T: serde::de::DeserializeOwned>(body: &JsonObject, key: &str) -> Result<Option<T>, Response> {
    body.get(key)
        .map(|value| {
            serde_json::from_value(value.clone())
                .map_err(|e| error(400, ErrorKind::BadJson, &format!("`{key}`: {e}")))
        })
        .transpose()
}

/// The user of the request's access token.
async fn requester(server: &Homeserver, headers: &HeaderMap) -> Result<String, Response> {
    Ok(device(server, headers).await?.0)
}

/// The user and the device of the request's access token.
async fn device(server: &Homeserver, headers: &HeaderMap) -> Result<(String, String), Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| error(401, ErrorKind::MissingToken, "Missing access token"))?;
    server.accounts.device_of(token).await.map_err(internal)?.ok_or_else(|| {
        // As Synapse answers: the client should log in again, not just refresh.
        let mut unknown = StandardError::new(ErrorKind::UnknownToken, "Invalid access token passed.");
        unknown.soft_logout = Some(false);
        UiaaResponse::Error { status: 401, error: unknown }.into_response()
    })
}

/// A request to an endpoint that needs an access token and the user's
/// password: the requester and the body's required `field`, once UIA is
/// done. The field is checked before UIA: a body the endpoint cannot act on
/// is no request to authorise (`"devices": "ALL"` must not answer 200 doing
/// nothing).
async fn password_protected<T: serde::de::DeserializeOwned>(
    server: &Homeserver,
    peer: SocketAddr,
    (headers, body): (&HeaderMap, &Bytes),
    path: &str,
    field_name: &str,
) -> Result<(String, T), Response> {
    let user_id = requester(server, headers).await?;
    let body = json_object(headers, body)?;
    let value = field::<T>(&body, field_name)?
        .ok_or_else(|| error(400, ErrorKind::MissingParam, &format!("Missing {field_name}")))?;
    authorize(server, &server.password, path, (Some(&user_id), peer), &body).await?;
    Ok((user_id, value))
}

/// Run UIA for a request from `peer`; `Ok` when a flow is complete.
async fn authorize(
    server: &Homeserver,
    policy: &Policy,
    path: &str,
    (requester, peer): (Option<&str>, SocketAddr),
    body: &JsonObject,
) -> Result<matrix_uia::server::Authorized, Response> {
    let address = client_of(peer);
    let request =
        IncomingRequest::new("POST", path, body).requester(requester).client_address(Some(&address));
    match server.engine.authorize(policy, request).await {
        Ok(Decision::Proceed(authorized)) => Ok(authorized),
        Ok(Decision::Respond(answer)) => Err(answer.into_response()),
        Err(error) => {
            // The cause is for the operator's log; the client gets a bare 500.
            eprintln!("homeserver: UIA failed on {path}: {error}");
            Err(error.response().into_response())
        }
    }
}

async fn versions() -> Response {
    ok_json(json!({"versions": ["r0.6.1", "v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6", "v1.7", "v1.8",
        "v1.9", "v1.10", "v1.11", "v1.12"]}))
}

async fn register(
    State(server): State<Arc<Homeserver>>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = match json_object(&headers, &body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let user_id = match field::<String>(&body, "username") {
        Ok(Some(name)) => match user_id_of(&name) {
            Ok(user_id) => user_id,
            Err(why) => return error(400, ErrorKind::InvalidUsername, why),
        },
        Ok(None) => format!("@user{}:{SERVER_NAME}", random_hex(4)),
        Err(response) => return response,
    };
    // Refuse a taken name before any stage: the client should not accept terms for nothing.
    match server.accounts.exists(&user_id).await {
        Ok(false) => {}
        Ok(true) => return error(400, ErrorKind::UserInUse, "User ID already taken."),
        Err(e) => return internal(e),
    }
    let password = match field::<String>(&body, "password") {
        Ok(Some(password)) => password,
        Ok(None) => return error(400, ErrorKind::MissingParam, "Missing password"),
        Err(response) => return response,
    };
    let path = "/_matrix/client/v3/register";
    if let Err(response) = authorize(&server, &server.register, path, (None, peer), &body).await {
        return response;
    }
    // Two registrations of one name can both pass the check above: the
    // insert is where one of them wins.
    match server.accounts.create(&user_id, password).await {
        Ok(true) => {}
        Ok(false) => return error(400, ErrorKind::UserInUse, "User ID already taken."),
        Err(e) => return internal(e),
    }
    match server.accounts.new_device(&user_id).await {
        Ok((access_token, device_id)) => {
            ok_json(json!({"user_id": user_id, "access_token": access_token, "device_id": device_id}))
        }
        Err(e) => internal(e),
    }
}

async fn whoami(State(server): State<Arc<Homeserver>>, headers: HeaderMap) -> Response {
    match device(&server, &headers).await {
        Ok((user_id, device_id)) => ok_json(json!({"user_id": user_id, "device_id": device_id})),
        Err(response) => response,
    }
}

async fn login_flows() -> Response {
    ok_json(json!({"flows": [{"type": "m.login.password"}]}))
}

async fn login(
    State(server): State<Arc<Homeserver>>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    body: Bytes,
) -> Response {
    let auth: AuthData = match matrix_uia::from_json_slice(&body) {
        Ok(auth) => auth,
        Err(e) => return error(400, ErrorKind::BadJson, &format!("Invalid login: {e}")),
    };
    let AuthData::Password(password) = auth else {
        return error(400, ErrorKind::Unknown, "Only m.login.password is supported");
    };
    // The user the client names, normalised: the limit is per account,
    // however the name is spelled.
    let named = password.identifier().and_then(|id| match &*id {
        UserIdentifier::UserId(user) => user_id_of(&user.user).ok(),
        _ => None,
    });
    // Checked before the password, so that a limited client learns nothing,
    // even from the right one.
    if let Some(wait) = server.logins.wait(named.as_deref(), peer) {
        let mut limited = StandardError::new(ErrorKind::LimitExceeded, "Too many failed logins");
        limited.retry_after_ms = Some(u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1));
        return UiaaResponse::Error { status: 429, error: limited }.into_response();
    }
    let user_id = match password.identifier() {
        Some(id) => server.accounts.check_password(id.into_owned(), password.password.clone()).await,
        None => None,
    };
    let Some(user_id) = user_id else {
        server.logins.fail(named.as_deref(), peer);
        return error(403, ErrorKind::Forbidden, "Invalid username or password");
    };
    match server.accounts.new_device(&user_id).await {
        Ok((access_token, device_id)) => {
            ok_json(json!({"user_id": user_id, "access_token": access_token, "device_id": device_id}))
        }
        Err(e) => internal(e),
    }
}

async fn delete_devices(
    State(server): State<Arc<Homeserver>>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = "/_matrix/client/v3/delete_devices";
    let request = (&headers, &body);
    let (user_id, devices) =
        match password_protected::<Vec<String>>(&server, peer, request, path, "devices").await {
            Ok(found) => found,
            Err(response) => return response,
        };
    match server.accounts.delete_devices(&user_id, devices).await {
        Ok(()) => ok_json(json!({})),
        Err(e) => internal(e),
    }
}

async fn change_password(
    State(server): State<Arc<Homeserver>>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = "/_matrix/client/v3/account/password";
    let request = (&headers, &body);
    let (user_id, new_password) =
        match password_protected::<String>(&server, peer, request, path, "new_password").await {
            Ok(found) => found,
            Err(response) => return response,
        };
    match server.accounts.set_password(&user_id, new_password).await {
        Ok(()) => ok_json(json!({})),
        Err(e) => internal(e),
    }
}

#[derive(serde::Deserialize)]
struct SessionQuery {
    session: String,
}

const PAGE_STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;line-height:1.5}\
    button{font-size:1rem;padding:.5rem 1rem}";

fn page(title: &str, body: &str) -> Response {
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>{PAGE_STYLE}</style></head><body><h1>{title}</h1>{body}</body></html>"
    ))
    .into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The fallback page: the policies and an accept button (`m.login.terms` only).
async fn fallback_page(UrlPath(auth_type): UrlPath<String>, Query(query): Query<SessionQuery>) -> Response {
    if auth_type != AuthType::Terms.as_str() {
        return error(404, ErrorKind::Unrecognized, "No fallback page for this auth type");
    }
    let policies = terms()["policies"].as_object().cloned().unwrap_or_default();
    let items: String = policies
        .iter()
        .map(|(id, policy)| {
            let name = policy["en"]["name"].as_str().unwrap_or(id);
            let url = policy["en"]["url"].as_str().unwrap_or_default();
            let version = policy["version"].as_str().unwrap_or_default();
            format!("<li><a href=\"{}\">{}</a> (version {})</li>", escape(url), escape(name), escape(version))
        })
        .collect();
    page(
        "Terms of service",
        &format!(
            "<p>To continue, accept these policies:</p><ul>{items}</ul>\
             <form method=\"post\"><input type=\"hidden\" name=\"session\" value=\"{}\">\
             <button id=\"accept\" type=\"submit\">I accept</button></form>",
            escape(&query.session)
        ),
    )
}

/// The accept button: the stage is complete out of band; tell the client.
async fn fallback_submit(
    State(server): State<Arc<Homeserver>>,
    UrlPath(auth_type): UrlPath<String>,
    axum::Form(form): axum::Form<SessionQuery>,
) -> Response {
    if auth_type != AuthType::Terms.as_str() {
        return error(404, ErrorKind::Unrecognized, "No fallback page for this auth type");
    }
    match server.engine().complete_out_of_band(&form.session, &AuthType::Terms).await {
        Ok(true) => page(
            "Thank you",
            "<p id=\"done\">You accepted the policies. You can return to your application.</p>\
             <script>if (window.onAuthDone) { window.onAuthDone(); } \
             else if (window.opener && window.opener.postMessage) { window.opener.postMessage(\"authDone\", \"*\"); }\
             </script>",
        ),
        Ok(false) => {
            (StatusCode::BAD_REQUEST, page("Session not found", "<p>The session is unknown or expired.</p>"))
                .into_response()
        }
        Err(StoreError(e)) => internal(e),
    }
}
