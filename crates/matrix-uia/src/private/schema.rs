//! The pieces of the JSON Schemas the derive generates.

use schemars::{Schema, SchemaGenerator};
use serde_json::{Map, Value};

/// The schema of a `"type"` tag.
pub fn tag_schema(tag: &str) -> Value {
    serde_json::json!({ "type": "string", "const": tag, "description": format!("Always `{tag}`.") })
}

/// A field's schema with its doc comment as description.
pub fn field_schema(schema: Schema, description: &str) -> Value {
    let mut schema = schema.to_value();
    if !description.is_empty()
        && let Value::Object(map) = &mut schema
    {
        map.insert("description".to_owned(), Value::String(description.to_owned()));
    }
    schema
}

/// Add a flattened struct's properties to its parent's.
pub fn merge_properties(
    properties: &mut Map<String, Value>,
    schema: Schema,
    generator: &mut SchemaGenerator,
) {
    let resolved = resolve(schema.to_value(), generator);
    if let Some(Value::Object(inner)) = resolved.get("properties") {
        for (key, value) in inner {
            properties.insert(key.clone(), value.clone());
        }
    }
}

/// A `$ref` to a definition resolved to the definition itself.
fn resolve(schema: Value, generator: &mut SchemaGenerator) -> Value {
    let name =
        schema.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next()).map(str::to_owned);
    match name.and_then(|name| generator.definitions().get(&name).cloned()) {
        Some(definition) => definition,
        None => schema,
    }
}

/// The schema of a derived struct.
pub fn object_schema(
    title: &str,
    description: &str,
    properties: Map<String, Value>,
    required: &[&str],
    additional: Value,
) -> Schema {
    let mut schema = Map::new();
    schema.insert("title".to_owned(), Value::String(title.to_owned()));
    if !description.is_empty() {
        schema.insert("description".to_owned(), Value::String(description.to_owned()));
    }
    schema.insert("type".to_owned(), Value::String("object".to_owned()));
    schema.insert("properties".to_owned(), Value::Object(properties));
    if !required.is_empty() {
        schema
            .insert("required".to_owned(), required.iter().map(|r| Value::String((*r).to_owned())).collect());
    }
    schema.insert("additionalProperties".to_owned(), additional);
    Schema::from(schema)
}

/// The schema of a derived enum: any of its variants.
pub fn any_of_schema(title: &str, description: &str, variants: Vec<Value>) -> Schema {
    let mut schema = Map::new();
    schema.insert("title".to_owned(), Value::String(title.to_owned()));
    if !description.is_empty() {
        schema.insert("description".to_owned(), Value::String(description.to_owned()));
    }
    schema.insert("anyOf".to_owned(), Value::Array(variants));
    Schema::from(schema)
}
