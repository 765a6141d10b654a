//! The documents a user reads first say what the crate does: the features
//! table is the one in both READMEs and the crate docs, and it lists every
//! feature of the manifest with its true default.

use std::path::Path;

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
    for feature in features {
        let row = table
            .lines()
            .find(|l| l.starts_with(&format!("| `{feature}` |")))
            .unwrap_or_else(|| panic!("FEATURES.md has no row for `{feature}`"));
        let default_cell = row.split('|').nth(2).unwrap_or_default().trim();
        assert_eq!(default_cell == "yes", defaults.contains(&feature), "default of `{feature}`: {row}");
    }
}
