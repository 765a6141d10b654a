//! What a session is bound to: the request it was started for, and who made it.
//!
//! Synapse binds a UIA session to the method and URI only, so a client that
//! authenticated "delete device A" can change the body and delete device B
//! under the same session. Here the body counts too: the session keeps a
//! SHA-256 of the method, the path, the requester and the body without
//! `auth`, in a canonical form (keys sorted, no white space) so that
//! re-serialising the same body differently is still the same request. The
//! requester counts so that a session one user advanced (say, with their
//! password) cannot be finished by another with a stage that proves no one,
//! such as `m.login.dummy`.

use std::io;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::JsonObject;

/// The fingerprint of a request by `requester` (when the endpoint has one),
/// without its `auth`.
pub fn fingerprint(method: &str, path: &str, requester: Option<&str>, body: &JsonObject) -> [u8; 32] {
    let mut hasher = HashWriter(Sha256::new());
    // Methods come upper case; only another spelling pays for a copy.
    if method.bytes().any(|b| b.is_ascii_lowercase()) {
        hasher.0.update(method.to_ascii_uppercase().as_bytes());
    } else {
        hasher.0.update(method.as_bytes());
    }
    hasher.0.update([0]);
    hasher.0.update(path.as_bytes());
    hasher.0.update([0]);
    // A marker byte first, so that no requester and an empty one differ.
    match requester {
        None => hasher.0.update([0]),
        Some(user) => {
            hasher.0.update([1]);
            hasher.0.update(user.as_bytes());
            hasher.0.update([0]);
        }
    }
    write_object(&mut hasher, body.iter().filter(|(k, _)| k.as_str() != "auth"));
    hasher.0.finalize().into()
}

/// Canonical JSON goes straight into the hash: nothing is buffered.
struct HashWriter(Sha256);

impl io::Write for HashWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn write_canonical(out: &mut HashWriter, value: &Value) {
    match value {
        Value::Object(map) => write_object(out, map.iter()),
        Value::Array(items) => {
            out.0.update(b"[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.0.update(b",");
                }
                write_canonical(out, item);
            }
            out.0.update(b"]");
        }
        // Scalars have one spelling in serde_json's output; writing to a hash cannot fail.
        scalar => serde_json::to_writer(out, scalar).unwrap_or_default(),
    }
}

/// Objects up to this size are sorted on the stack; request bodies are small.
const INLINE_KEYS: usize = 16;

fn write_object<'a>(out: &mut HashWriter, entries: impl Iterator<Item = (&'a String, &'a Value)>) {
    let mut inline: [Option<(&String, &Value)>; INLINE_KEYS] = [None; INLINE_KEYS];
    let mut spilled: Vec<Option<(&String, &Value)>> = Vec::new();
    let mut count = 0;
    for entry in entries {
        match inline.get_mut(count) {
            Some(slot) => *slot = Some(entry),
            None => {
                if spilled.is_empty() {
                    spilled.extend_from_slice(&inline);
                }
                spilled.push(Some(entry));
            }
        }
        count += 1;
    }
    let entries = if spilled.is_empty() { &mut inline[..count] } else { &mut spilled[..] };
    entries.sort_unstable_by(|a, b| a.map(|e| e.0).cmp(&b.map(|e| e.0)));
    out.0.update(b"{");
    for (i, (key, value)) in entries.iter().flatten().enumerate() {
        if i > 0 {
            out.0.update(b",");
        }
        serde_json::to_writer(&mut *out, key).unwrap_or_default();
        out.0.update(b":");
        write_canonical(out, value);
    }
    out.0.update(b"}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(value: Value) -> JsonObject {
        match value {
            Value::Object(map) => map,
            _ => JsonObject::new(),
        }
    }

    #[test]
    fn key_order_white_space_and_auth_do_not_change_the_request() {
        let a = object(serde_json::json!({"devices": ["A"], "x": {"b": 1, "a": 2}}));
        let b: JsonObject = serde_json::from_str(
            r#"{ "x": {"a": 2, "b": 1}, "auth": {"type": "m.login.dummy"}, "devices": ["A"] }"#,
        )
        .unwrap();
        assert_eq!(fingerprint("POST", "/p", None, &a), fingerprint("post", "/p", None, &b));
    }

    #[test]
    fn large_objects_sort_the_same_as_small_ones() {
        // More keys than are sorted on the stack: the spilled path must agree.
        let forward: JsonObject = (0..40).map(|i| (format!("k{i:02}"), Value::from(i))).collect();
        let backward: JsonObject = (0..40).rev().map(|i| (format!("k{i:02}"), Value::from(i))).collect();
        assert_eq!(fingerprint("POST", "/p", None, &forward), fingerprint("POST", "/p", None, &backward));
        let mut changed = forward.clone();
        changed.insert("k39".to_owned(), Value::from(0));
        assert_ne!(fingerprint("POST", "/p", None, &forward), fingerprint("POST", "/p", None, &changed));
    }

    #[test]
    fn another_requester_is_another_request() {
        let a = object(serde_json::json!({"devices": ["A"]}));
        let alice = fingerprint("POST", "/p", Some("@alice:example.org"), &a);
        assert_ne!(alice, fingerprint("POST", "/p", Some("@bob:example.org"), &a));
        assert_ne!(alice, fingerprint("POST", "/p", None, &a));
        assert_ne!(fingerprint("POST", "/p", Some(""), &a), fingerprint("POST", "/p", None, &a));
    }

    #[test]
    fn another_body_method_or_path_is_another_request() {
        let a = object(serde_json::json!({"devices": ["A"]}));
        let b = object(serde_json::json!({"devices": ["B"]}));
        assert_ne!(fingerprint("POST", "/p", None, &a), fingerprint("POST", "/p", None, &b));
        assert_ne!(fingerprint("POST", "/p", None, &a), fingerprint("PUT", "/p", None, &a));
        assert_ne!(fingerprint("POST", "/p", None, &a), fingerprint("POST", "/q", None, &a));
        // Separators keep "ab"+"c" apart from "a"+"bc".
        assert_ne!(
            fingerprint("POST", "/a", None, &JsonObject::new()),
            fingerprint("POS", "T/a", None, &JsonObject::new())
        );
    }
}
