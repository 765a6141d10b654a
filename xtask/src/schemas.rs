//! `generated/schemas/`: the JSON Schema (draft 2020-12) of every public type
//! of the model, one file per [`TypeEntry`], so that implementations in other
//! languages can validate against the same contract the Rust types keep.

use std::collections::BTreeSet;
use std::path::PathBuf;

use matrix_uia::verify::{TypeEntry, types};

use crate::codegen::{Target, Tree, to_json};

/// The directory under `generated/`.
pub(crate) const DIR: &str = "schemas";

/// The file holding the schema of the type called `name`.
pub(crate) fn file_name(name: &str) -> String {
    format!("{name}.schema.json")
}

/// The whole `generated/schemas/` tree.
pub(crate) fn generate() -> Result<Target, String> {
    let entries = unique_entries()?;
    let tree: Tree = entries
        .iter()
        .map(|entry| (PathBuf::from(file_name(entry.name)), to_json(&entry.schema())))
        .collect();
    Ok(Target { dir: DIR, tree })
}

/// Every entry of [`types`], failing when two share a name: both would claim
/// one schema file and one docs page, and the second would silently win.
pub(crate) fn unique_entries() -> Result<&'static [TypeEntry], String> {
    let entries = types();
    let mut seen = BTreeSet::new();
    let duplicates: BTreeSet<&str> =
        entries.iter().map(|e| e.name).filter(|name| !seen.insert(*name)).collect();
    if duplicates.is_empty() {
        return Ok(entries);
    }
    let names: Vec<&str> = duplicates.into_iter().collect();
    Err(format!("matrix_uia::verify::types() names a type more than once: {}", names.join(", ")))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    #[test]
    fn one_schema_file_per_type_each_a_2020_12_schema() {
        let target = generate().expect("type names are unique");
        assert_eq!(target.dir, DIR);
        let files: Vec<String> = target.tree.keys().map(|p| p.display().to_string()).collect();
        let expected: Vec<String> = {
            let mut names: Vec<String> = types().iter().map(|e| file_name(e.name)).collect();
            names.sort();
            names
        };
        assert_eq!(files, expected);
        for (path, text) in &target.tree {
            assert!(text.ends_with("}\n"), "{}: pretty JSON ends with a newline", path.display());
            let schema: Value =
                serde_json::from_str(text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(
                schema["$schema"],
                "https://json-schema.org/draft/2020-12/schema",
                "{}",
                path.display()
            );
            assert!(
                jsonschema::draft202012::new(&schema).is_ok(),
                "{}: compiles as a schema",
                path.display()
            );
        }
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(generate().map(|t| t.tree), generate().map(|t| t.tree));
    }

    #[test]
    fn file_names_are_the_type_names() {
        assert_eq!(file_name("Password"), "Password.schema.json");
    }
}
