//! A broken homeserver for each rule: a proxy in front of the example
//! homeserver (which keeps every rule) that breaks the one rule it is told
//! to, the way real servers break it, and passes everything else through
//! untouched. It watches the exchanges it relays (which session was started
//! where, for which body and by whom, what it offered, which access token is
//! whose) so that it can break a rule in exactly its situation.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// What the proxy knows of a session it relayed.
#[derive(Clone, Debug, Default)]
struct Started {
    path: String,
    body: Value,
    token: Option<String>,
    flows: Vec<Vec<String>>,
    /// The stages its last 401 listed as completed.
    completed: Vec<String>,
    succeeded: bool,
}

#[derive(Default)]
struct Seen {
    sessions: HashMap<String, Started>,
    users: HashMap<String, String>,
    /// Short session ids handed out for the upstream's, and back.
    short: HashMap<String, String>,
    long: HashMap<String, String>,
}

/// The proxy: `upstream`, with `rule` broken (or none).
pub struct Proxy {
    upstream: SocketAddr,
    rule: Option<&'static str>,
    seen: Mutex<Seen>,
    agent: ureq::Agent,
}

/// Serve a proxy of `upstream` breaking `rule` on a free port of 127.0.0.1,
/// from `runtime`; its address.
pub fn serve(
    runtime: &tokio::runtime::Runtime,
    upstream: SocketAddr,
    rule: Option<&'static str>,
) -> SocketAddr {
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let proxy = Arc::new(Proxy { upstream, rule, seen: Mutex::new(Seen::default()), agent });
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let address = listener.local_addr().unwrap();
    let app = Router::new().fallback(relay).with_state(proxy);
    runtime.spawn(async move { axum::serve(listener, app).await });
    address
}

fn json_response(status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

fn stages(flows: &Value) -> Vec<Vec<String>> {
    let flows = flows.as_array().cloned().unwrap_or_default();
    flows
        .iter()
        .map(|f| {
            f["stages"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .collect()
}

/// The 401 of a failed or accepted stage, as a broken server answers it.
fn uia(started: &Started, session: &str, completed: &[&str], errcode: Option<&str>) -> Value {
    let flows: Vec<Value> = started.flows.iter().map(|f| json!({"stages": f})).collect();
    let mut body = json!({"flows": flows, "params": {}, "session": session, "completed": completed});
    if let Some(errcode) = errcode {
        body["errcode"] = Value::from(errcode);
        body["error"] = Value::from("Invalid password");
    }
    body
}

impl Proxy {
    fn broken(&self, rule: &str) -> bool {
        self.rule == Some(rule)
    }

    /// The answer a broken server gives before asking upstream, if any.
    fn answer_first(&self, path: &str, token: Option<&str>, body: &Value) -> Option<Response> {
        let auth = body.get("auth")?;
        let seen = self.seen.lock().unwrap();
        let session = auth.get("session").and_then(Value::as_str);
        let started = session.and_then(|s| seen.sessions.get(s));
        let kind = auth.get("type");
        if self.broken("malformed-auth-standard-error") && kind.is_some_and(|t| !t.is_string()) {
            let started = Started { flows: vec![vec!["m.login.password".to_owned()]], ..Started::default() };
            return Some(json_response(401, &uia(&started, session.unwrap_or("s"), &[], None)));
        }
        let (Some(session), Some(started)) = (session, started) else { return None };
        let without_auth = {
            let mut body = body.clone();
            body.as_object_mut().map(|b| b.remove("auth"));
            body
        };
        let ok = || Some(json_response(200, &json!({})));
        if self.broken("uri-binding") && started.path != path {
            return ok();
        }
        if self.broken("body-binding") && started.path == path && started.body != without_auth {
            return ok();
        }
        if self.broken("replay-after-success") && started.succeeded && kind.is_none() {
            return ok();
        }
        if self.broken("cross-user-session") && started.token.as_deref() != token {
            return ok();
        }
        if self.broken("other-user-password") && kind.is_some_and(|t| t == "m.login.password") {
            let named = auth["identifier"]["user"].as_str();
            let own = token.and_then(|t| seen.users.get(t)).map(String::as_str);
            if named.is_some() && own.is_some() && named != own {
                return ok();
            }
        }
        let stage = kind.and_then(Value::as_str)?;
        let offered = started.flows.iter().any(|f| f.iter().any(|s| s == stage));
        let first = started.flows.iter().any(|f| f.first().is_some_and(|s| s == stage));
        let early = offered && !first && started.completed.is_empty();
        if (self.broken("stage-not-offered") && !offered) || (self.broken("stage-order") && early) {
            return Some(json_response(401, &uia(started, session, &[stage], None)));
        }
        None
    }

    /// A broken server's answer in place of upstream's. (`token`: the
    /// endpoints the rules probe need one; registration, which the probe
    /// needs to work, does not.)
    fn answer_after(
        &self,
        request: &Value,
        token: Option<&str>,
        status: u16,
        mut body: Value,
    ) -> (u16, Value) {
        let auth = request.get("auth");
        let error = body["error"].as_str().unwrap_or_default().to_owned();
        if self.broken("first-request-401")
            && auth.is_none()
            && status == 401
            && token.is_some()
            && let Some(flows) = body.as_object_mut().and_then(|b| b.remove("flows"))
        {
            body["flow"] = flows;
        }
        if self.broken("failed-stage-401-errcode") && status == 401 && body.get("flows").is_some() {
            body.as_object_mut().map(|b| (b.remove("errcode"), b.remove("error")));
        }
        if self.broken("unknown-session") && error == "Unknown session ID" {
            body["errcode"] = Value::from("M_INVALID_PARAM");
        }
        if self.broken("completed-in-401") && status == 401 && body.get("errcode").is_some() {
            body.as_object_mut().map(|b| b.remove("completed"));
        }
        let password = auth.and_then(|a| a.get("type")).is_some_and(|t| t == "m.login.password");
        if self.broken("concurrent-completion")
            && password
            && status == 400
            && error.contains("already authorised")
        {
            return (200, json!({}));
        }
        let session = auth.and_then(|a| a.get("session")).and_then(Value::as_str).unwrap_or_default();
        let started = self.seen.lock().unwrap().sessions.get(session).cloned().unwrap_or_default();
        let limited = |why: &str| self.broken(why) && status == 429;
        if (limited("failure-limit-session") && error.contains("in this session"))
            || (limited("failure-limit-identity") && error.contains("wait before trying again"))
        {
            return (401, uia(&started, session, &[], Some("M_FORBIDDEN")));
        }
        (status, body)
    }

    /// Remember what the exchange showed.
    fn watch(&self, path: &str, token: Option<&str>, request: &Value, status: u16, answer: &Value) {
        let mut seen = self.seen.lock().unwrap();
        if let (Some(user), Some(token)) = (answer["user_id"].as_str(), answer["access_token"].as_str()) {
            seen.users.insert(token.to_owned(), user.to_owned());
        }
        if let Some(session) = answer["session"].as_str().filter(|_| status == 401) {
            let mut body = request.clone();
            body.as_object_mut().map(|b| b.remove("auth"));
            let flows = stages(&answer["flows"]);
            let token = token.map(str::to_owned);
            let started = seen.sessions.entry(session.to_owned()).or_insert_with(|| Started {
                path: path.to_owned(),
                body,
                token,
                flows,
                ..Started::default()
            });
            started.completed = stages(&json!([{"stages": answer["completed"]}])).concat();
        }
        let session = request["auth"]["session"].as_str();
        if let Some(started) =
            session.and_then(|s| seen.sessions.get_mut(s)).filter(|_| (200..300).contains(&status))
        {
            started.succeeded = true;
        }
    }

    /// The session ids a broken server hands out: short and counted.
    fn shorten(&self, body: &mut Value) {
        let Some(long) = body["session"].as_str().map(str::to_owned) else { return };
        let mut seen = self.seen.lock().unwrap();
        let next = seen.short.len();
        let short = seen.short.entry(long.clone()).or_insert_with(|| format!("s{next}")).clone();
        seen.long.insert(short.clone(), long);
        body["session"] = Value::from(short);
    }

    fn lengthen(&self, body: &mut Value) {
        let Some(short) = body["auth"]["session"].as_str().map(str::to_owned) else { return };
        if let Some(long) = self.seen.lock().unwrap().long.get(&short) {
            body["auth"]["session"] = Value::from(long.clone());
        }
    }
}

async fn relay(
    State(proxy): State<Arc<Proxy>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let mut request: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if proxy.broken("session-id-entropy") {
        proxy.lengthen(&mut request);
    }
    if let Some(answer) = proxy.answer_first(&path, token.as_deref(), &request) {
        return answer;
    }
    let forwarded = request.clone();
    let (upstream, agent, get) = (proxy.upstream, proxy.agent.clone(), method == Method::GET);
    let target = format!("http://{upstream}{}", uri.path_and_query().map_or("/", |p| p.as_str()));
    let bearer = token.clone();
    let (status, answer) = tokio::task::spawn_blocking(move || {
        let response = if get {
            let mut request = agent.get(&target);
            if let Some(token) = &bearer {
                request = request.header("Authorization", format!("Bearer {token}"));
            }
            request.call()
        } else {
            let mut request = agent.post(&target).header("Content-Type", "application/json");
            if let Some(token) = &bearer {
                request = request.header("Authorization", format!("Bearer {token}"));
            }
            request.send(serde_json::to_vec(&forwarded).unwrap_or_default())
        };
        let mut response = response.expect("the example homeserver answers");
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_vec().unwrap_or_default();
        (status, serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null))
    })
    .await
    .unwrap();
    proxy.watch(&path, token.as_deref(), &request, status, &answer);
    let (status, mut answer) = proxy.answer_after(&request, token.as_deref(), status, answer);
    if proxy.broken("session-id-entropy") {
        proxy.shorten(&mut answer);
    }
    json_response(status, &answer)
}
