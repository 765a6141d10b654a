//! The documents a user reads first say what the crate does: the features
//! table is the one in both READMEs and the crate docs, and it lists every
//! feature of the manifest with its true default.
//!
//! They also say what depending on the crate costs: the Rust each feature
//! needs (FEATURES.md's last column) and the crates each feature set brings
//! (the README's table), both read off the dependency graph that
//! `Cargo.lock` resolves. A lockfile update that raises a dependency's
//! minimum Rust, or adds crates, fails here until the documents say so.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn read(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_features_table_is_in_both_readmes() {
    let table = read("FEATURES.md");
    for readme in ["README.md", "../../README.md"] {
        assert!(
            read(readme).contains(table.trim()),
            "{readme} does not hold FEATURES.md's table: copy it in"
        );
    }
}

#[test]
fn the_features_table_lists_every_feature_with_its_default() {
    let table = read("FEATURES.md");
    let manifest = read("Cargo.toml");
    let section = manifest.split("[features]").nth(1).expect("a [features] section");
    let section = section.split("\n[").next().unwrap_or(section);
    let defaults: Vec<&str> = section
        .lines()
        .find_map(|l| l.strip_prefix("default = "))
        .expect("a default line")
        .trim_matches(['[', ']'])
        .split(',')
        .map(|f| f.trim().trim_matches('"'))
        .filter(|f| !f.is_empty())
        .collect();
    let features: Vec<&str> = section
        .lines()
        .filter_map(|l| l.split_once(" = "))
        .map(|(name, _)| name.trim())
        .filter(|name| *name != "default" && !name.starts_with('#'))
        .collect();
    assert!(features.len() >= 6, "{features:?}");
    let rows = table_rows(&table, "| feature |");
    for feature in features {
        let row = rows
            .iter()
            .find(|row| row[0] == format!("`{feature}`"))
            .unwrap_or_else(|| panic!("FEATURES.md has no row for `{feature}`"));
        assert_eq!(row[1] == "yes", defaults.contains(&feature), "default of `{feature}`: {row:?}");
    }
}

/// A feature set of matrix-uia, as `cargo tree` takes it.
#[derive(Debug)]
struct FeatureSet {
    default: bool,
    all: bool,
    features: Vec<String>,
}

impl FeatureSet {
    fn args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if self.all {
            args.push("--all-features".to_owned());
        } else if !self.default {
            args.push("--no-default-features".to_owned());
        }
        if !self.features.is_empty() {
            args.push(format!("--features={}", self.features.join(",")));
        }
        args
    }
}

/// The packages (`name vX.Y.Z`) that the crate with `set` brings along
/// `edges` (`normal`, `normal,build`), the crate itself included.
fn packages(set: &FeatureSet, edges: &str) -> BTreeSet<String> {
    let output = Command::new(env!("CARGO"))
        .args(["tree", "-p", "matrix-uia", "--prefix", "none", "--format", "{p}", "-e", edges])
        .args(set.args())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "cargo tree {set:?}: {}", String::from_utf8_lossy(&output.stderr));
    // `serde v1.0.229`, maybe followed by `(proc-macro)`, a path or `(*)`.
    let packages: BTreeSet<String> = stdout
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some(format!("{} {}", words.next()?, words.next()?))
        })
        .collect();
    assert!(packages.iter().any(|p| p.starts_with("matrix-uia v")), "{stdout}");
    packages
}

/// Each package's `rust-version`, where it declares one, by `name vX.Y.Z`.
fn rust_versions() -> BTreeMap<String, (u32, u32)> {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&output.stderr));
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    packages
        .iter()
        .filter_map(|package| {
            let version = parse_rust(package["rust_version"].as_str()?)?;
            Some((format!("{} v{}", package["name"].as_str()?, package["version"].as_str()?), version))
        })
        .collect()
}

/// `1.85`, `1.85.0` → (1, 85).
fn parse_rust(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.trim().split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// The rows of the Markdown table whose header row starts with `header`:
/// the cells of each row, trimmed.
fn table_rows(text: &str, header: &str) -> Vec<Vec<String>> {
    let mut lines = text.lines().skip_while(|line| !line.starts_with(header));
    assert!(lines.next().is_some(), "no table headed `{header}`");
    lines
        .skip(1)
        .take_while(|line| line.starts_with('|'))
        .map(|line| line.trim_matches('|').split('|').map(|cell| cell.trim().to_owned()).collect())
        .collect()
}

/// The names in backticks in `label`: `sqlite`, `axum`.
fn backticked(label: &str) -> Vec<String> {
    label.split('`').skip(1).step_by(2).map(str::to_owned).collect()
}

#[test]
fn the_features_table_gives_the_rust_each_feature_needs() {
    let table = read("FEATURES.md");
    let versions = rust_versions();
    let rows = table_rows(&table, "| feature |");
    assert!(rows.len() >= 7, "{rows:?}");
    let mut wrong = Vec::new();
    for row in rows {
        let (label, rust) = (&row[0], row.last().expect("a Rust column"));
        let set = FeatureSet { default: false, all: false, features: backticked(label) };
        // Build scripts and proc macros compile with the same compiler.
        let needs = packages(&set, "normal,build")
            .into_iter()
            .filter_map(|package| Some((*versions.get(&package)?, package)))
            .max()
            .expect("matrix-uia itself declares a rust-version");
        let said = parse_rust(rust).unwrap_or_else(|| panic!("row {label}: `{rust}` is not a Rust version"));
        if said != needs.0 {
            wrong.push(format!(
                "  {label}: FEATURES.md says Rust {rust}, the dependency graph needs {}.{} ({} says so)",
                needs.0.0, needs.0.1, needs.1
            ));
        }
    }
    assert!(wrong.is_empty(), "the Rust column is not what Cargo.lock needs:\n{}", wrong.join("\n"));
}

#[test]
fn the_readme_counts_the_crates_each_feature_set_brings() {
    let readme = read("../../README.md");
    let rows = table_rows(&readme, "| features | crates |");
    assert!(rows.len() >= 8, "{rows:?}");
    let mut wrong = Vec::new();
    for row in rows {
        let label = &row[0];
        let set = FeatureSet {
            default: label.starts_with("default"),
            all: label.starts_with("all"),
            features: if label.starts_with("default (") { Vec::new() } else { backticked(label) },
        };
        let count = packages(&set, "normal").len();
        if row[1] != count.to_string() {
            wrong.push(format!(
                "  {label}: the README says {}, `cargo tree -e normal` counts {count}",
                row[1]
            ));
        }
    }
    assert!(wrong.is_empty(), "the README's crate counts are stale:\n{}", wrong.join("\n"));
}
