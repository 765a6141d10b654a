//! Hands the bench the versions it runs against, read from this workspace's `Cargo.lock`.

fn main() {
    let lock_path = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock");
    println!("cargo::rerun-if-changed={lock_path}");
    let lock = std::fs::read_to_string(lock_path).unwrap_or_default();
    for (name, var) in [
        ("matrix-uia", "UIA_VERSION"),
        ("ruma-client-api", "RUMA_VERSION"),
        ("serde_json", "SERDE_JSON_VERSION"),
    ] {
        let version = lock
            .split("[[package]]")
            .find(|entry| entry.lines().any(|l| l.trim() == format!("name = \"{name}\"")))
            .and_then(|entry| entry.lines().find_map(|l| l.trim().strip_prefix("version = \"")))
            .map_or("unknown", |v| v.trim_end_matches('"'));
        println!("cargo::rustc-env={var}={version}");
    }
}
