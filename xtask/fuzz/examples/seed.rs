//! Seed the working corpora `work/<target>/` from the spec:
//!
//! - `rst`, `markdown`: every `spec/*.rst` / `spec/*.md` whole, and in chunks
//!   of 120 lines every 60 lines;
//! - `auth_data`, `uiaa_info`: every JSON body of every example the extractor
//!   finds in `spec/*` (HTTP bodies' JSON part, JSON fragments' values, the
//!   `auth` dict of request bodies) and every `.json` under `generated/examples/`;
//! - `from_http`: those bodies behind a status (401 and 400 from the table,
//!   and the status of the HTTP response they came from);
//! - `engine`: request sequences that walk each policy's flows, and the
//!   spec's `auth` dicts sent with a session.
//!
//! Run from anywhere: `cargo run --manifest-path xtask/fuzz/Cargo.toml --example seed`.
//! Files are named by a hash of their content, so seeding twice adds nothing.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use matrix_spec_examples::{Format, Kind, extract};
use serde_json::{Value, json};

fn main() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = fuzz.join("../..");
    let mut rst = BTreeSet::new();
    let mut markdown = BTreeSet::new();
    let mut bodies: BTreeSet<Vec<u8>> = BTreeSet::new();
    let mut http: BTreeSet<Vec<u8>> = BTreeSet::new();

    for path in sorted_files(&root.join("spec")) {
        let Some(format) = Format::from_path(&path) else { continue };
        let text = fs::read_to_string(&path).expect("spec files are UTF-8");
        let set = if format == Format::Rst { &mut rst } else { &mut markdown };
        set.insert(text.clone().into_bytes());
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        for start in (0..lines.len()).step_by(60) {
            set.insert(lines[start..(start + 120).min(lines.len())].concat().into_bytes());
        }
        for example in extract(&text, format).expect("the spec extracts") {
            let Some(body) = &example.body else { continue };
            let bytes = serde_json::to_vec_pretty(body).unwrap();
            if let Some(auth) = body.get("auth") {
                bodies.insert(serde_json::to_vec_pretty(auth).unwrap());
            }
            if example.kind == Kind::HttpResponse
                && let Some(status) = example.status
            {
                http.insert([&[0xF0], &status.to_be_bytes()[..], &bytes].concat());
            }
            bodies.insert(bytes);
        }
    }
    let mut stack = vec![root.join("generated/examples")];
    while let Some(dir) = stack.pop() {
        for path in sorted_files(&dir) {
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                bodies.insert(fs::read(&path).unwrap());
            }
        }
    }
    for body in &bodies {
        http.insert([&[0u8][..], body].concat()); // 401
        http.insert([&[1u8][..], body].concat()); // 400
    }

    let mut written = Vec::new();
    written.push(("rst", write(&fuzz.join("work/rst"), &rst)));
    written.push(("markdown", write(&fuzz.join("work/markdown"), &markdown)));
    written.push(("auth_data", write(&fuzz.join("work/auth_data"), &bodies)));
    written.push(("uiaa_info", write(&fuzz.join("work/uiaa_info"), &bodies)));
    written.push(("from_http", write(&fuzz.join("work/from_http"), &http)));
    written.push(("engine", write(&fuzz.join("work/engine"), &engine_seeds(&bodies))));
    for (target, (count, bytes)) in written {
        println!("{target:10} {count:5} files {bytes:9} bytes in work/{target}/");
    }
}

/// Sequences in the `engine` input format (see `matrix_uia_fuzz::engine`).
fn engine_seeds(bodies: &BTreeSet<Vec<u8>>) -> BTreeSet<Vec<u8>> {
    // Control bytes: POST A with Alice (0x04), Bob (0x08), none (0x00); DELETE (0x03);
    // with a 31-minute step (0x34); out of band first (0x44); sweep first (0x84).
    let start = br#"{"devices": ["DEVICE_A"]}"#.to_vec();
    let auth = |auth: Value| serde_json::to_vec(&json!({"devices": ["DEVICE_A"], "auth": auth})).unwrap();
    let dummy = auth(json!({"type": "m.login.dummy", "session": "$S"}));
    let terms = auth(json!({"type": "m.login.terms", "session": "$S"}));
    let token = auth(json!({"type": "m.login.registration_token", "token": "let-me-in", "session": "$S"}));
    let bad_token = auth(json!({"type": "m.login.registration_token", "token": "nope", "session": "$S"}));
    let password = |user: &str, secret: &str| {
        auth(json!({"type": "m.login.password", "identifier": {"type": "m.id.user", "user": user},
            "password": secret, "session": "$S"}))
    };
    let alice = password("alice", "alice-secret");
    let wrong = password("@alice:example.org", "guess");
    let ack = auth(json!({"session": "$S"}));
    let seq = |policy: u8, requests: &[(u8, &[u8])]| {
        let mut out = vec![policy];
        for (i, (control, body)) in requests.iter().enumerate() {
            if i > 0 {
                out.push(0);
            }
            out.push(*control);
            out.extend_from_slice(body);
        }
        out
    };
    let mut seeds = BTreeSet::new();
    seeds.insert(seq(0, &[(0x04, &start), (0x04, &dummy), (0x04, &dummy)]));
    seeds.insert(seq(0, &[(0x04, &start), (0x03, &dummy)]));
    seeds.insert(seq(0, &[(0x04, &start), (0x34, &dummy)]));
    seeds.insert(seq(0, &[(0x04, &dummy)]));
    seeds.insert(seq(1, &[(0x04, &start), (0x04, &wrong), (0x04, &wrong), (0x04, &wrong), (0x04, &alice)]));
    seeds.insert(seq(1, &[(0x04, &start), (0x08, &alice)]));
    seeds.insert(seq(1, &[(0x04, &start), (0x04, &alice), (0x04, &ack)]));
    seeds.insert(seq(2, &[(0x00, &start), (0x00, &token), (0x00, &terms)]));
    seeds.insert(seq(2, &[(0x00, &start), (0x00, &bad_token), (0x00, &terms), (0x00, &dummy)]));
    seeds.insert(seq(2, &[(0x04, &start), (0x04, &alice), (0x04, &dummy)]));
    seeds.insert(seq(3, &[(0x04, &start), (0x44, &ack), (0x04, &dummy)]));
    seeds.insert(seq(3, &[(0x04, &start), (0x04, &terms), (0x84, &dummy)]));
    seeds.insert(seq(4, &[(0x08, &start), (0x08, &ack), (0x08, &alice)]));
    seeds.insert(seq(4, &[(0x04, &start), (0x04, &dummy), (0x04, &dummy)]));
    // The spec's auth dicts, as the second request of a session on each policy.
    for (i, body) in bodies.iter().enumerate() {
        let Ok(Value::Object(mut dict)) = serde_json::from_slice::<Value>(body) else { continue };
        if !dict.contains_key("type") && !dict.contains_key("session") {
            continue;
        }
        dict.insert("session".to_owned(), json!("$S"));
        seeds.insert(seq(i as u8 % 5, &[(0x04, &start), (0x04, &serde_json::to_vec(&dict).unwrap())]));
    }
    seeds
}

fn sorted_files(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths
}

/// Write each input to `dir/<fnv-1a hash>`; how many, and their total size.
fn write(dir: &Path, inputs: &BTreeSet<Vec<u8>>) -> (usize, usize) {
    fs::create_dir_all(dir).unwrap();
    for input in inputs {
        let hash =
            input.iter().fold(0xcbf29ce484222325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3));
        fs::write(dir.join(format!("seed-{hash:016x}")), input).unwrap();
    }
    (inputs.len(), inputs.iter().map(Vec::len).sum())
}
