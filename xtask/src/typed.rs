//! Which keys of a bound example landed in an extra map, and whether the
//! spec's own schemas (`spec/openapi-*/`) define any of them for the type
//! that holds it.
//!
//! Every struct of the model keeps unknown keys and writes them back, so a
//! body round-trips even when a key the spec defines misses its typed field
//! (a misspelt field, a missing one): the round trip alone cannot tell. The
//! model's own field lists are its schemas' `properties`; a key outside them
//! is an extra key. The spec's schemas are the independent list of what the
//! spec defines, per revision.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use matrix_uia::{AuthData, TaggedEnum, UserIdentifier};
use serde_json::Value;

/// A key of an example that the model keeps in an extra map.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) struct ExtraKey {
    /// Where, as a JSON path: `.auth.identifier.x`.
    pub path: String,
    /// The key.
    pub key: String,
    /// The model type whose extra map holds it.
    pub owner: String,
}

/// The extra keys of `body`, bound to the model type `type_name`, and of
/// the typed `params` entries it holds.
pub(crate) fn extra_keys(type_name: &str, body: &Value) -> Vec<ExtraKey> {
    let mut out = Vec::new();
    walk_type(type_name, body, "", &mut out);
    for (entry, auth_type, value) in crate::verify::typed_params(body) {
        walk_type(entry.name, value, &format!(".params.{auth_type}"), &mut out);
    }
    out
}

fn walk_type(type_name: &str, value: &Value, path: &str, out: &mut Vec<ExtraKey>) {
    // The schema verification validates against, made once per type.
    if let Some(root) = crate::verify::published_schema(type_name) {
        walk(root, root, value, path, out);
    }
}

/// Follow `$ref`s into the root's `$defs`.
fn resolve<'a>(root: &'a Value, mut schema: &'a Value) -> &'a Value {
    while let Some(name) = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/$defs/"))
    {
        match root.get("$defs").and_then(|defs| defs.get(name)) {
            Some(target) => schema = target,
            None => break,
        }
    }
    schema
}

fn walk(root: &Value, schema: &Value, value: &Value, path: &str, out: &mut Vec<ExtraKey>) {
    let schema = resolve(root, schema);
    if let Some(variants) = schema.get("anyOf").and_then(Value::as_array) {
        if let Some(variant) = variant_for(root, variants, value) {
            walk(root, variant, value, path, out);
        }
        return;
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        // A request: the endpoint's own fields are untyped, `auth` is typed.
        for (key, item) in value.as_object().into_iter().flatten() {
            let property = parts.iter().find_map(|part| resolve(root, part).get("properties")?.get(key));
            if let Some(property) = property {
                walk(root, property, item, &format!("{path}.{key}"), out);
            }
        }
        return;
    }
    match value {
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    walk(root, item_schema, item, &format!("{path}[{i}]"), out);
                }
            }
        }
        Value::Object(map) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties").filter(|a| a.is_object());
            let owner = schema.get("title").and_then(Value::as_str).filter(|_| properties.is_some());
            for (key, item) in map {
                let here = format!("{path}.{key}");
                match (properties.and_then(|p| p.get(key)), additional) {
                    (Some(property), _) => walk(root, property, item, &here, out),
                    // A typed map's value (a policy, a translation); one that
                    // is no object is kept beside them, as an extra key.
                    (None, Some(typed)) if item.is_object() || !expects_object(root, typed) => {
                        walk(root, typed, item, &here, out)
                    }
                    _ => {
                        if let Some(owner) = owner {
                            out.push(ExtraKey { path: here, key: key.clone(), owner: owner.to_owned() });
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

fn expects_object(root: &Value, schema: &Value) -> bool {
    let schema = resolve(root, schema);
    schema.get("type").and_then(Value::as_str) == Some("object") || schema.get("properties").is_some()
}

/// The variant of a tagged enum's schema that the model reads `value` as:
/// the one whose `type` is the value's tag; else, for a tag no variant has,
/// the one that keeps any tag; for no tag, the one without a `type`.
fn variant_for<'a>(root: &'a Value, variants: &'a [Value], value: &Value) -> Option<&'a Value> {
    let tag_of = |variant: &'a Value| resolve(root, variant).get("properties")?.get("type");
    match value.get("type").and_then(Value::as_str) {
        Some(tag) => variants
            .iter()
            .find(|v| tag_of(v).and_then(|t| t.get("const")).and_then(Value::as_str) == Some(tag))
            .or_else(|| variants.iter().find(|v| tag_of(v).is_some_and(|t| t.get("const").is_none()))),
        None => variants.iter().find(|v| tag_of(v).is_none()),
    }
}

/// The keys each model type's spec schema defines, for one revision of the
/// spec (`openapi-r0` for the RST files, `openapi-v1` for the Markdown one).
pub(crate) type SpecKeys = BTreeMap<String, BTreeSet<String>>;

/// Where each model type's keys are in the spec's schema files: the file, a
/// JSON pointer to the object whose `properties` they are, and the types.
fn places() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    let auth_dicts = AuthData::VARIANTS.iter().map(|v| v.type_name).collect();
    let identifiers = UserIdentifier::VARIANTS.iter().map(|v| v.type_name).collect();
    vec![
        ("auth_data.yaml", "", auth_dicts),
        ("auth_response.yaml", "", vec!["UiaaInfo"]),
        ("auth_response.yaml", "/properties/flows/items", vec!["AuthFlow"]),
        ("error.yaml", "", vec!["StandardError", "UiaaInfo"]),
        ("rate_limited.yaml", "/allOf/1", vec!["StandardError", "UiaaInfo"]),
        ("user_identifier.yaml", "", identifiers),
        ("m.login.terms_params.yaml", "", vec!["TermsParams"]),
        ("m.login.terms_params.yaml", "/properties/policies/additionalProperties", vec!["PolicyDefinition"]),
        (
            "m.login.terms_params.yaml",
            "/properties/policies/additionalProperties/additionalProperties",
            vec!["PolicyTranslation"],
        ),
        ("m.oauth_params.yaml", "", vec!["OAuthParams"]),
    ]
}

/// The spec schemas of the revision `dir` (`spec/openapi-v1`). A file the
/// revision lacks (the r0 schemas have no identifier file) defines nothing.
pub(crate) fn spec_keys(dir: &Path) -> Result<SpecKeys, String> {
    let mut keys = SpecKeys::new();
    for (file, pointer, owners) in places() {
        let path = dir.join(file);
        if !path.exists() {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let schema: Value = yaml_serde::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let properties = schema
            .pointer(pointer)
            .and_then(|node| node.get("properties"))
            .and_then(Value::as_object)
            .ok_or_else(|| {
                format!("{}: no `properties` at `{pointer}`: has the schema moved?", path.display())
            })?;
        for owner in owners {
            keys.entry(owner.to_owned()).or_default().extend(properties.keys().cloned());
        }
    }
    Ok(keys)
}

/// The spec schemas that go with a spec file: r0 for the RST revisions,
/// v1 for the Markdown one.
pub(crate) fn spec_dir_for(root: &Path, spec_file: &str) -> std::path::PathBuf {
    let revision = if spec_file.ends_with(".md") { "openapi-v1" } else { "openapi-r0" };
    root.join("spec").join(revision)
}

/// The extra keys the spec defines for the type that holds them: each one a
/// field the model should have read.
pub(crate) fn untyped<'a>(extra: &'a [ExtraKey], spec: &'a SpecKeys) -> impl Iterator<Item = &'a ExtraKey> {
    extra.iter().filter(|extra| spec.get(&extra.owner).is_some_and(|keys| keys.contains(&extra.key)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn root() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
    }

    #[test]
    fn unknown_keys_are_found_where_the_model_keeps_them() {
        let body = json!({
            "type": "m.login.password", "password": "p", "x_top": 1,
            "identifier": {"type": "m.id.user", "user": "u", "x_id": 2}
        });
        let mut paths: Vec<String> = extra_keys("Password", &body).into_iter().map(|k| k.path).collect();
        paths.sort();
        assert_eq!(paths, [".identifier.x_id", ".x_top"]);
        let info = json!({
            "flows": [{"stages": [], "x_flow": 1}], "errcode": "M_FORBIDDEN", "x_info": 2,
            "params": {"m.login.terms": {"policies": {"p": {"version": "1", "odd": "x",
                "en": {"name": "n", "url": "u", "x_tr": 3}}}}}
        });
        let keys = extra_keys("UiaaInfo", &info);
        let found: Vec<(&str, &str)> = keys.iter().map(|k| (k.path.as_str(), k.owner.as_str())).collect();
        assert!(found.contains(&(".flows[0].x_flow", "AuthFlow")), "{found:?}");
        assert!(found.contains(&(".x_info", "UiaaInfo")), "{found:?}");
        assert!(found.contains(&(".params.m.login.terms.policies.p.odd", "PolicyDefinition")), "{found:?}");
        assert!(
            found.contains(&(".params.m.login.terms.policies.p.en.x_tr", "PolicyTranslation")),
            "{found:?}"
        );
        assert_eq!(found.len(), 4, "{found:?}");
        // A request's own fields are the endpoint's, not extra keys.
        let request = json!({"devices": ["A"], "auth": {"type": "org.example", "example_credential": "s"}});
        let keys = extra_keys("UiaaRequest", &request);
        let key = |path: &str, key: &str, owner: &str| ExtraKey {
            path: path.into(),
            key: key.into(),
            owner: owner.into(),
        };
        assert_eq!(keys, [key(".auth.example_credential", "example_credential", "CustomAuthData")]);
    }

    #[test]
    fn the_spec_schemas_name_the_keys_of_each_revision() {
        let v1 = spec_keys(&root().join("spec/openapi-v1")).unwrap();
        let r0 = spec_keys(&root().join("spec/openapi-r0")).unwrap();
        assert!(v1["UiaaInfo"].contains("completed") && r0["UiaaInfo"].contains("flows"));
        assert!(
            v1["StandardError"].contains("retry_after_ms") && !r0["StandardError"].contains("retry_after_ms")
        );
        assert!(v1["Password"].contains("session") && v1["PolicyTranslation"].contains("url"));
        assert!(v1.contains_key("UserId") && !r0.contains_key("UserId"), "r0 has no identifier schema");
    }

    #[test]
    fn a_spec_key_in_extra_is_untyped() {
        let spec = spec_keys(&root().join("spec/openapi-v1")).unwrap();
        // As if the model had misspelt `session` on a dummy dict.
        let key = |key: &str, owner: &str| ExtraKey {
            path: format!(".{key}"),
            key: key.into(),
            owner: owner.into(),
        };
        let extra = [key("session", "Dummy"), key("example_credential", "CustomAuthData")];
        let untyped: Vec<&str> = untyped(&extra, &spec).map(|k| k.path.as_str()).collect();
        assert_eq!(untyped, [".session"]);
    }
}
