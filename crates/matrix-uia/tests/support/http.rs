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
