//! Requests to the homeserver: every one with a timeout, all of them under
//! a rate (a token bucket) and a bound on the whole run, and a record of
//! each exchange with the secrets taken out, for the evidence of a fail.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

/// An answer: the status, and the body as JSON (`Null` when it is not).
#[derive(Clone, Debug)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body, when it is JSON.
    pub body: Value,
}

impl Answer {
    /// The body's `errcode`, if any.
    pub fn errcode(&self) -> Option<&str> {
        self.body.get("errcode").and_then(Value::as_str)
    }

    /// Whether it is a 401 with the UIA body (`flows`).
    pub fn is_uia(&self) -> bool {
        self.status == 401 && self.body.get("flows").is_some()
    }

    /// Whether it is a 4xx in the standard error format: `errcode`, no `flows`.
    pub fn is_standard_error(&self) -> bool {
        (400..500).contains(&self.status) && self.errcode().is_some() && self.body.get("flows").is_none()
    }

    /// The `session` of a UIA body.
    pub fn session(&self) -> Option<&str> {
        self.body.get("session").and_then(Value::as_str)
    }
}

/// Why the probe could not talk to the server.
#[derive(Debug)]
pub enum ClientError {
    /// The request did not get an answer (connection, timeout, TLS).
    Transport(String),
    /// The run's time is up.
    OutOfTime,
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Transport(why) => write!(f, "no answer: {why}"),
            ClientError::OutOfTime => f.write_str("the run's time is up (--max-time)"),
        }
    }
}

/// The homeserver, as the probe reaches it.
pub struct Client {
    agent: ureq::Agent,
    base: String,
    bucket: Mutex<Bucket>,
    deadline: Instant,
    secrets: Mutex<Vec<String>>,
    log: Mutex<Vec<String>>,
}

/// At most `rate` requests a second on average, `rate` at once.
struct Bucket {
    rate: f64,
    tokens: f64,
    at: Instant,
}

/// The JSON keys whose values are secrets wherever they appear.
const SECRET_KEYS: [&str; 5] = ["password", "new_password", "access_token", "refresh_token", "token"];

impl Client {
    /// A client of `base` (no trailing slash).
    pub fn new(base: &str, rate: f64, timeout: Duration, max_time: Duration) -> Client {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .user_agent("matrix-uia-probe")
            .build();
        Client {
            agent: config.into(),
            base: base.to_owned(),
            bucket: Mutex::new(Bucket { rate, tokens: rate, at: Instant::now() }),
            deadline: Instant::now() + max_time,
            secrets: Mutex::new(Vec::new()),
            log: Mutex::new(Vec::new()),
        }
    }

    /// Never print `secret` (a password, an access token).
    pub fn hide(&self, secret: &str) {
        if !secret.is_empty() {
            self.secrets.lock().unwrap_or_else(|e| e.into_inner()).push(secret.to_owned());
        }
    }

    /// `text` with every secret replaced.
    pub fn redact(&self, text: &str) -> String {
        let secrets = self.secrets.lock().unwrap_or_else(|e| e.into_inner());
        secrets.iter().fold(text.to_owned(), |text, secret| text.replace(secret.as_str(), "<redacted>"))
    }

    /// Wait for the bucket to allow one more request.
    fn wait_turn(&self) -> Result<(), ClientError> {
        loop {
            if Instant::now() >= self.deadline {
                return Err(ClientError::OutOfTime);
            }
            let wait = {
                let mut bucket = self.bucket.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                let refill = now.duration_since(bucket.at).as_secs_f64() * bucket.rate;
                bucket.tokens = (bucket.tokens + refill).min(bucket.rate);
                bucket.at = now;
                if bucket.tokens >= 1.0 {
                    bucket.tokens -= 1.0;
                    return Ok(());
                }
                Duration::from_secs_f64((1.0 - bucket.tokens) / bucket.rate)
            };
            std::thread::sleep(wait);
        }
    }

    /// `POST path` with a JSON body, as `token`'s user when given.
    pub fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Result<Answer, ClientError> {
        self.send("POST", path, token, Some(body))
    }

    /// `GET path`, as `token`'s user when given.
    pub fn get(&self, path: &str, token: Option<&str>) -> Result<Answer, ClientError> {
        self.send("GET", path, token, None)
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Answer, ClientError> {
        self.wait_turn()?;
        let url = format!("{}{path}", self.base);
        let bearer = token.map(|token| format!("Bearer {token}"));
        let response = match body {
            Some(body) => {
                let mut request = self.agent.post(&url).header("Content-Type", "application/json");
                if let Some(bearer) = &bearer {
                    request = request.header("Authorization", bearer);
                }
                request.send(serde_json::to_vec(body).unwrap_or_default())
            }
            None => {
                let mut request = self.agent.get(&url);
                if let Some(bearer) = &bearer {
                    request = request.header("Authorization", bearer);
                }
                request.call()
            }
        };
        let mut response = response.map_err(|e| ClientError::Transport(self.redact(&e.to_string())))?;
        let status = response.status().as_u16();
        let bytes = response.body_mut().read_to_vec().map_err(|e| ClientError::Transport(e.to_string()))?;
        let answer = Answer { status, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
        let sent = body.map(|b| hide_keys(b.clone()).to_string()).unwrap_or_default();
        // A body that is not JSON (a proxy's HTML error page) is shown as
        // text: it is what tells the user why.
        let received = match &answer.body {
            Value::Null => String::from_utf8_lossy(&bytes).into_owned(),
            json => hide_keys(json.clone()).to_string(),
        };
        let entry = format!(
            "{method} {path} {}\n  → {status} {}",
            shortened(&self.redact(&sent)),
            shortened(&self.redact(&received))
        );
        self.log.lock().unwrap_or_else(|e| e.into_inner()).push(entry);
        Ok(answer)
    }

    /// How many exchanges so far: a mark for [`Client::since`].
    pub fn mark(&self) -> usize {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// The exchanges since `mark`, secrets redacted: the evidence of a fail.
    pub fn since(&self, mark: usize) -> String {
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.get(mark..).unwrap_or_default().join("\n")
    }
}

/// At most this many bytes of a body go into the record: a server that
/// answers every request with megabytes can fill neither the probe's memory
/// nor its report.
const SHOWN_MAX: usize = 2048;

/// `text` cut to [`SHOWN_MAX`] bytes (on a character boundary), saying how
/// much was left out.
fn shortened(text: &str) -> String {
    if text.len() <= SHOWN_MAX {
        return text.to_owned();
    }
    let end = (0..=SHOWN_MAX).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    format!("{}… ({} bytes more)", &text[..end], text.len() - end)
}

/// `value` with the values of secret keys replaced, at any depth.
fn hide_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let value = if SECRET_KEYS.contains(&key.as_str()) {
                        Value::from("<redacted>")
                    } else {
                        hide_keys(value)
                    };
                    (key, value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(hide_keys).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_reach_the_evidence() {
        let client = Client::new("http://127.0.0.1:9", 20.0, Duration::from_secs(1), Duration::from_secs(1));
        client.hide("hunter2");
        assert_eq!(client.redact("user alice, password hunter2"), "user alice, password <redacted>");
        let body =
            serde_json::json!({"auth": {"password": "x", "identifier": {"user": "a"}}, "access_token": "t"});
        let hidden = hide_keys(body);
        assert_eq!(hidden["auth"]["password"], "<redacted>");
        assert_eq!(hidden["access_token"], "<redacted>");
        assert_eq!(hidden["auth"]["identifier"]["user"], "a");
    }

    /// A server on a local port that answers one request with `status`,
    /// `content_type` and `body`, then closes.
    fn answer_once(status: &str, content_type: &str, body: Vec<u8>) -> String {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a local port");
        let base = format!("http://{}", listener.local_addr().expect("an address"));
        let status = status.to_owned();
        let content_type = content_type.to_owned();
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().expect("the probe connects");
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            // The request's head; a GET has no body.
            while reader.read_line(&mut line).map(|n| n > 2).unwrap_or(false) {
                line.clear();
            }
            let mut stream = reader.into_inner();
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body));
        });
        base
    }

    #[test]
    fn a_body_that_is_not_json_is_shown_as_text() {
        let page = b"<html><body>502 Bad Gateway (nginx)</body></html>".to_vec();
        let base = answer_once("502 Bad Gateway", "text/html", page);
        let client = Client::new(&base, 20.0, Duration::from_secs(5), Duration::from_secs(5));
        let answer = client.get("/_matrix/client/versions", None).expect("an answer");
        assert_eq!((answer.status, answer.body.clone()), (502, Value::Null));
        let record = client.since(0);
        assert!(record.contains("→ 502 <html><body>502 Bad Gateway (nginx)</body></html>"), "{record}");
    }

    #[test]
    fn a_huge_body_is_read_but_recorded_shortened() {
        // 1 MB of JSON, cut inside a two-byte character; the secret stays hidden.
        let filler = "é".repeat(500_000);
        let body = serde_json::json!({"errcode": "M_UNKNOWN", "error": filler, "access_token": "t0ps3cret"});
        let base = answer_once("400 Bad Request", "application/json", serde_json::to_vec(&body).unwrap());
        let client = Client::new(&base, 20.0, Duration::from_secs(5), Duration::from_secs(5));
        let answer = client.get("/x", None).expect("an answer");
        assert_eq!(answer.errcode(), Some("M_UNKNOWN"), "the whole body was read");
        let record = client.since(0);
        assert!(record.len() < 2 * SHOWN_MAX, "{} bytes recorded", record.len());
        assert!(record.ends_with(" bytes more)"), "{}", &record[record.len() - 40..]);
        assert!(!record.contains("t0ps3cret"));
        assert_eq!(shortened("short"), "short");
    }

    #[test]
    fn the_rate_allows_a_burst_then_spaces_the_requests() {
        let client = Client::new("http://127.0.0.1:9", 10.0, Duration::from_secs(1), Duration::from_secs(60));
        let start = Instant::now();
        for _ in 0..10 {
            client.wait_turn().unwrap();
        }
        assert!(start.elapsed() < Duration::from_millis(100), "a burst of 10 at 10/s is at once");
        for _ in 0..5 {
            client.wait_turn().unwrap();
        }
        assert!(start.elapsed() >= Duration::from_millis(400), "5 more at 10/s take about 0.5 s");
    }

    #[test]
    fn the_run_stops_at_its_bound() {
        let client = Client::new("http://127.0.0.1:9", 1000.0, Duration::from_secs(1), Duration::ZERO);
        assert!(matches!(client.wait_turn(), Err(ClientError::OutOfTime)));
    }
}
