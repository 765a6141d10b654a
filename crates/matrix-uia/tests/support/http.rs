//! A plain HTTP/1.1 client over `TcpStream`: one exchange per connection,
//! `Content-Length` or chunked bodies. Enough for the example homeserver and
//! for Synapse, and nothing between the test and the wire.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// One HTTP/1.1 exchange on a fresh connection: the status and the body.
pub fn http(
    address: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &[u8],
    content_type: &str,
) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(address).unwrap_or_else(|e| panic!("connect to {address}: {e}"));
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{auth}Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").expect("a response head");
    let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status");
    let body = &response[split + 4..];
    let chunked = head.lines().any(|l| l.starts_with("transfer-encoding:") && l.contains("chunked"));
    (status, if chunked { dechunk(body) } else { body.to_vec() })
}

/// POST a JSON body: a `UiaaRequest` from the driver, or a hand-written `Value`.
pub fn post_json(
    address: SocketAddr,
    path: &str,
    token: Option<&str>,
    body: &impl serde::Serialize,
) -> (u16, Vec<u8>) {
    http(address, "POST", path, token, &serde_json::to_vec(body).unwrap(), "application/json")
}

/// The object of a `json!({...})` request body, for the client driver's
/// endpoint fields.
pub fn fields(value: serde_json::Value) -> matrix_uia::JsonObject {
    match value {
        serde_json::Value::Object(map) => map,
        _ => matrix_uia::JsonObject::new(),
    }
}

/// GET a path, expecting JSON back.
pub fn get(address: SocketAddr, path: &str, token: Option<&str>) -> (u16, Vec<u8>) {
    http(address, "GET", path, token, b"", "application/json")
}

/// The JSON body of an answer; a panic, showing the body, when it is not JSON.
pub fn json_of(answer: &(u16, Vec<u8>)) -> serde_json::Value {
    serde_json::from_slice(&answer.1)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&answer.1)))
}

/// The status of an answer and its `errcode` (empty when it has none).
pub fn errcode(answer: &(u16, Vec<u8>)) -> (u16, String) {
    (answer.0, json_of(answer)["errcode"].as_str().unwrap_or_default().to_owned())
}

/// Register `username` with `password` on the example homeserver (terms,
/// then dummy), its three requests going to `servers` in turn from
/// `first` (a server alone, or the workers of one homeserver): the body of
/// the final 200 (user ID, access token, device).
pub fn register_across(
    servers: &[SocketAddr],
    first: usize,
    username: &str,
    password: &str,
) -> serde_json::Value {
    const REGISTER: &str = "/_matrix/client/v3/register";
    let at = |n: usize| servers[(first + n) % servers.len()];
    let mut body = serde_json::json!({"username": username, "password": password});
    let start = post_json(at(0), REGISTER, None, &body);
    assert_eq!(start.0, 401, "the first request: {}", String::from_utf8_lossy(&start.1));
    let session = json_of(&start)["session"].clone();
    let mut answer = start;
    for (n, stage) in ["m.login.terms", "m.login.dummy"].into_iter().enumerate() {
        body["auth"] = serde_json::json!({"type": stage, "session": session});
        answer = post_json(at(n + 1), REGISTER, None, &body);
        let expected = if stage == "m.login.dummy" { 200 } else { 401 };
        assert_eq!(answer.0, expected, "{stage}: {}", String::from_utf8_lossy(&answer.1));
    }
    json_of(&answer)
}

/// The body of a `Transfer-Encoding: chunked` response.
fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line = body.windows(2).position(|w| w == b"\r\n").expect("a chunk size line");
        let size = std::str::from_utf8(&body[..line])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap_or("").trim(), 16).ok());
        let size = size.expect("a hexadecimal chunk size");
        body = &body[line + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}
