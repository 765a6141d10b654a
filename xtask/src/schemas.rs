//! `generated/schemas/`: the JSON Schema (draft 2020-12) of every public type
//! of the model, one file per [`TypeEntry`], so that implementations in other
//! languages can validate against the same contract the Rust types keep.
//!
//! The schemas are the derive's, published with two changes (made here, on
//! the output, so the derive keeps one job): descriptions are plain text, not
//! rustdoc Markdown, and a `$defs` entry no `$ref` reaches is dropped.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::binding::{TypeEntry, types};
use serde_json::Value;

use crate::codegen::{Target, Tree, to_json};
use crate::markdown;

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
        .map(|entry| (PathBuf::from(file_name(entry.name)), to_json(&published(entry))))
        .collect();
    Ok(Target { dir: DIR, tree })
}

/// The schema of `entry` as `generated/schemas/` publishes it, and as
/// `verify` validates against.
pub(crate) fn published(entry: &TypeEntry) -> Value {
    let mut schema = entry.schema();
    drop_unreachable_defs(&mut schema);
    plain_descriptions(&mut schema);
    schema
}

/// Remove every `$defs` entry that no `$ref` reaches from the root: schemars
/// defines each type a field mentions, even one the field's schema then
/// inlines or flattens (`UiaaInfo`'s `StandardError`).
fn drop_unreachable_defs(schema: &mut Value) {
    let Value::Object(root) = schema else { return };
    let Some(Value::Object(defs)) = root.get("$defs") else { return };
    let mut pending = Vec::new();
    root.iter().filter(|(key, _)| *key != "$defs").for_each(|(_, value)| local_refs(value, &mut pending));
    let mut reached = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if !reached.contains(&name)
            && let Some(definition) = defs.get(&name)
        {
            local_refs(definition, &mut pending);
            reached.insert(name);
        }
    }
    if let Some(Value::Object(defs)) = root.get_mut("$defs") {
        defs.retain(|name, _| reached.contains(name));
        if defs.is_empty() {
            root.remove("$defs");
        }
    }
}

/// The `$defs` names of every `#/$defs/…` reference in `value`.
fn local_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value.as_str().and_then(|r| r.strip_prefix("#/$defs/"))) {
                    // A JSON pointer escapes `/` and `~` in a name.
                    ("$ref", Some(name)) => out.push(name.replace("~1", "/").replace("~0", "~")),
                    _ => local_refs(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| local_refs(item, out)),
        _ => {}
    }
}

/// Every `description` of `schema` and of its subschemas as plain text; the
/// values a schema holds as data (`const`, `examples`, `default`) are left alone.
fn plain_descriptions(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    for (key, value) in map.iter_mut() {
        match (key.as_str(), value) {
            ("description", Value::String(text)) => *text = markdown::plain(text),
            (
                "properties" | "patternProperties" | "$defs" | "dependentSchemas",
                Value::Object(subschemas),
            ) => subschemas.values_mut().for_each(plain_descriptions),
            ("allOf" | "anyOf" | "oneOf" | "prefixItems", Value::Array(subschemas)) => {
                subschemas.iter_mut().for_each(plain_descriptions)
            }
            (
                "items"
                | "additionalProperties"
                | "unevaluatedProperties"
                | "unevaluatedItems"
                | "contains"
                | "propertyNames"
                | "not"
                | "if"
                | "then"
                | "else",
                subschema,
            ) => plain_descriptions(subschema),
            _ => {}
        }
    }
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
    Err(format!("binding::types() names a type more than once: {}", names.join(", ")))
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

    /// Every `description` string anywhere in `value`, with where it is.
    fn descriptions<'v>(value: &'v Value, at: String, out: &mut Vec<(String, &'v str)>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    match value {
                        Value::String(text) if key == "description" => out.push((at.clone(), text)),
                        _ => descriptions(value, format!("{at}/{key}"), out),
                    }
                }
            }
            Value::Array(items) => {
                items.iter().enumerate().for_each(|(i, item)| descriptions(item, format!("{at}/{i}"), out))
            }
            _ => {}
        }
    }

    /// No description of a published schema holds a Markdown link other
    /// than an autolink, nor what rustdoc would read as one.
    #[test]
    fn descriptions_have_no_rustdoc_link_syntax() {
        use pulldown_cmark::{Event, LinkType, Parser, Tag};

        let target = generate().unwrap_or_else(|e| panic!("{e}"));
        let mut checked = 0;
        for (path, text) in &target.tree {
            let schema: Value =
                serde_json::from_str(text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let mut found = Vec::new();
            descriptions(&schema, String::new(), &mut found);
            for (at, description) in found {
                let place = format!("{}#{at}: {description:?}", path.display());
                for syntax in ["[`", "`]", "](", "]: ", "][", "[]"] {
                    assert!(!description.contains(syntax), "`{syntax}` in {place}");
                }
                let mut unresolved = Vec::new();
                let mut record = |link: pulldown_cmark::BrokenLink<'_>| {
                    unresolved.push(link.reference.into_string());
                    None
                };
                let links =
                    Parser::new_with_broken_link_callback(description, markdown::OPTIONS, Some(&mut record))
                        .filter(|event| {
                            matches!(event, Event::Start(Tag::Link { link_type, .. })
                            if !matches!(link_type, LinkType::Autolink | LinkType::Email))
                        })
                        .count();
                assert_eq!(links, 0, "a Markdown link in {place}");
                assert!(unresolved.is_empty(), "{unresolved:?} would be read as links in {place}");
                checked += 1;
            }
        }
        assert!(checked > target.tree.len(), "every schema has descriptions: {checked}");
    }

    /// Every `$defs` entry of a published schema is reached by a `$ref`
    /// (pruning it again changes nothing), and the one schemars left unused
    /// is gone.
    #[test]
    fn published_schemas_have_no_unreachable_defs() {
        let target = generate().unwrap_or_else(|e| panic!("{e}"));
        for (path, text) in &target.tree {
            let schema: Value =
                serde_json::from_str(text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let mut pruned = schema.clone();
            drop_unreachable_defs(&mut pruned);
            assert_eq!(pruned, schema, "{}", path.display());
            assert!(schema.get("$defs").is_none_or(|defs| defs.as_object().is_some_and(|d| !d.is_empty())));
        }
        let info: Value = serde_json::from_str(&target.tree[&PathBuf::from(file_name("UiaaInfo"))]).unwrap();
        assert!(
            info["$defs"].get("AuthFlow").is_some() && info["$defs"].get("StandardError").is_none(),
            "{info}"
        );
    }

    #[test]
    fn unreachable_defs_are_dropped_and_reachable_ones_kept() {
        let mut schema = serde_json::json!({
            "properties": {"a": {"$ref": "#/$defs/A"}},
            "$defs": {
                "A": {"items": {"$ref": "#/$defs/B~1C"}},
                "B/C": {"$ref": "#/$defs/A"},
                "Unused": {"$ref": "#/$defs/AlsoUnused"},
                "AlsoUnused": {"const": {"$ref": "#/$defs/A"}}
            }
        });
        drop_unreachable_defs(&mut schema);
        let names: Vec<&String> = schema["$defs"].as_object().unwrap().keys().collect();
        assert_eq!(names, ["A", "B/C"]);
        let mut schema = serde_json::json!({"type": "object", "$defs": {"Unused": {}}});
        drop_unreachable_defs(&mut schema);
        assert_eq!(schema, serde_json::json!({"type": "object"}), "an empty `$defs` goes too");
    }

    #[test]
    fn descriptions_of_subschemas_are_plain_but_data_is_left_alone() {
        let mut schema = serde_json::json!({
            "description": "See [`Password`].",
            "properties": {"description": {"description": "A [link](https://a.example).", "const": "[`x`]"}},
            "anyOf": [{"description": "[`B`]"}],
            "examples": [{"description": "[`kept`]"}]
        });
        plain_descriptions(&mut schema);
        assert_eq!(
            schema,
            serde_json::json!({
                "description": "See `Password`.",
                "properties": {"description": {"description": "A link <https://a.example>.", "const": "[`x`]"}},
                "anyOf": [{"description": "`B`"}],
                "examples": [{"description": "[`kept`]"}]
            })
        );
    }

    #[test]
    fn file_names_are_the_type_names() {
        assert_eq!(file_name("Password"), "Password.schema.json");
    }
}
