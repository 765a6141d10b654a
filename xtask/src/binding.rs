//! Binding the spec's examples to the model's types, and proving they round-trip.
//!
//! This is what `cargo xtask verify` and the workspace tests run over every
//! example extracted from the spec. It takes the example as data ([`Sample`])
//! and reads no file: binding is by content first (an auth dict names its
//! `type`, a 401 body has `flows`) and by section title second, so it works on
//! spec revisions whose example ids it has never seen.

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use matrix_uia::{
    AuthData, AuthFlow, AuthParams, CustomAuthData, CustomIdentifier, Dummy, EmailIdentity, EmptyResponse,
    FallbackAcknowledgement, LoginResponse, Msisdn, OAuth, OAuth2, OAuthParams, Password, PhoneNumber,
    PolicyDefinition, PolicyTranslation, ReCaptcha, ReCaptchaParams, RegistrationResponse, RegistrationToken,
    SpecType, Sso, StandardError, TaggedEnum, Terms, TermsParams, ThirdPartyCredentials, ThirdPartyId, Token,
    UNAUTHORIZED, UiaaInfo, UiaaRequest, UiaaResponse, UserId, UserIdentifier, from_json_value,
};

/// One spec example, as much of it as binding needs.
#[derive(Clone, Copy, Debug)]
pub struct Sample<'a> {
    /// Titles of the enclosing sections, outermost first.
    pub section: &'a [String],
    /// Whether the example is an HTTP request or response.
    pub http: Option<Http>,
    /// For a JSON member shown alone (`"identifier": {…}`), its key.
    pub fragment_key: Option<&'a str>,
    /// The JSON body.
    pub body: &'a Value,
}

/// The HTTP role of an example.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Http {
    /// A request: its body is a [`matrix_uia::UiaaRequest`].
    Request,
    /// A response with this status.
    Response {
        /// The HTTP status code.
        status: u16,
    },
}

/// A public type of the model, for schemas and documentation.
#[derive(Clone, Copy, Debug)]
pub struct TypeEntry {
    /// The Rust type name, e.g. `Password`; also the schema's file name.
    pub name: &'static str,
    /// The auth type it answers to, for auth dict types.
    pub auth_type: Option<&'static str>,
    /// The auth type whose `params` entry it is, for params types.
    pub params_for: Option<&'static str>,
    /// The spec section that defines it.
    pub spec_url: &'static str,
    /// Its doc comment.
    pub description: &'static str,
    pub(crate) schema: fn() -> Value,
}

impl TypeEntry {
    /// The type's JSON Schema (draft 2020-12) with a stable `$id`.
    pub fn schema(&self) -> Value {
        (self.schema)()
    }
}

/// What binding made of a sample.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Not a UIA or standard-error example: not this crate's business.
    OutOfScope,
    /// A UIA example no type claims: the model is missing something.
    Unbound {
        /// Why nothing matched.
        reason: String,
    },
    /// Bound to a type, and whether it round-tripped.
    Bound(Binding),
}

/// An example bound to a type.
#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    /// The type the body was parsed as (`AuthData`, `UiaaInfo`, …).
    pub parsed_as: &'static str,
    /// The most specific type that holds it (`Password` for a password auth
    /// dict): the schema to validate against and the docs page that shows it.
    pub type_name: &'static str,
    /// `Ok` when parse → serialize gave back the same JSON value (and, for
    /// HTTP examples, `UiaaResponse::from_http` chose the right variant);
    /// otherwise what differed.
    pub result: Result<(), String>,
}

/// Where the schemas are published; a schema's `$id` is this plus `<Name>.schema.json`.
pub const SCHEMA_BASE: &str = "https://github.com/matrix-uia/matrix-uia/raw/main/generated/schemas/";

/// Every public type with a schema, in a stable order.
pub fn types() -> &'static [TypeEntry] {
    TYPES
}

static TYPES: &[TypeEntry] = &[
    describe::<UiaaInfo>(),
    describe::<AuthFlow>(),
    describe::<UiaaResponse>(),
    describe::<StandardError>(),
    describe::<UiaaRequest>(),
    describe::<AuthData>(),
    describe::<Password>(),
    describe::<ReCaptcha>(),
    describe::<OAuth2>(),
    describe::<EmailIdentity>(),
    describe::<Msisdn>(),
    describe::<Token>(),
    describe::<Dummy>(),
    describe::<Sso>(),
    describe::<RegistrationToken>(),
    describe::<Terms>(),
    describe::<OAuth>(),
    describe::<FallbackAcknowledgement>(),
    describe::<CustomAuthData>(),
    describe::<ThirdPartyCredentials>(),
    describe::<UserIdentifier>(),
    describe::<UserId>(),
    describe::<ThirdPartyId>(),
    describe::<PhoneNumber>(),
    describe::<CustomIdentifier>(),
    describe::<TermsParams>(),
    describe::<PolicyDefinition>(),
    describe::<PolicyTranslation>(),
    describe::<OAuthParams>(),
    describe::<ReCaptchaParams>(),
    describe::<RegistrationResponse>(),
    describe::<LoginResponse>(),
    describe::<EmptyResponse>(),
    TypeEntry {
        name: JSON_OBJECT,
        auth_type: None,
        params_for: None,
        spec_url: "https://spec.matrix.org/latest/client-server-api/#api-standards",
        description: "Any JSON object: the endpoint's own request fields and its success response, \
            which UIA carries but does not type.",
        schema: json_object_schema,
    },
];

/// The name of the untyped JSON object entry.
const JSON_OBJECT: &str = "JsonObject";

const fn describe<T: JsonSchema + SpecType>() -> TypeEntry {
    let auth_type = match T::TAG {
        // Identifier types are tags too, but not auth types.
        Some(tag) if !matrix_uia::__private::starts_with(tag, "m.id.") => Some(tag),
        _ => None,
    };
    TypeEntry {
        name: T::NAME,
        auth_type,
        params_for: T::PARAMS_FOR,
        spec_url: T::SPEC_URL,
        description: T::DESCRIPTION,
        schema: root_schema::<T>,
    }
}

/// `T`'s schema as a document of its own: draft 2020-12, with its `$id`.
fn root_schema<T: JsonSchema + SpecType>() -> Value {
    let schema = SchemaSettings::draft2020_12().into_generator().into_root_schema_for::<T>();
    with_id(schema.to_value(), T::NAME)
}

fn json_object_schema() -> Value {
    let schema = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": JSON_OBJECT,
        "type": "object",
    });
    with_id(schema, JSON_OBJECT)
}

fn with_id(mut schema: Value, name: &str) -> Value {
    if let Value::Object(map) = &mut schema {
        map.insert("$id".to_owned(), Value::String(format!("{SCHEMA_BASE}{name}.schema.json")));
    }
    schema
}

/// The entry of the type called `name`.
#[cfg(test)]
pub fn entry(name: &str) -> Option<&'static TypeEntry> {
    types().iter().find(|t| t.name == name)
}

/// Bind `sample` to a type and check that it round-trips.
pub fn check(sample: &Sample<'_>) -> Verdict {
    if !in_scope(sample) {
        return Verdict::OutOfScope;
    }
    match sample.http {
        Some(Http::Response { status }) if status < 400 => check_success(status, sample.body),
        Some(Http::Response { status }) => Verdict::Bound(check_response(status, sample.body)),
        Some(Http::Request) => Verdict::Bound(round_trip::<UiaaRequest>(sample.body, |_| "UiaaRequest")),
        None => check_json(sample),
    }
}

/// Titles of the sections UIA lives in, in any revision.
const UIA_SECTION: &str = "User-Interactive Authentication API";
/// Where the standard error format is defined (RST: "API Standards"; Markdown: "Standard error response").
const ERROR_SECTIONS: [&str; 2] = ["API Standards", "Standard error response"];

fn in_scope(sample: &Sample<'_>) -> bool {
    let under = |title: &str| sample.section.iter().any(|s| s.eq_ignore_ascii_case(title));
    under(UIA_SECTION) || (ERROR_SECTIONS.iter().any(|s| under(s)) && sample.body.get("errcode").is_some())
}

fn check_response(status: u16, body: &Value) -> Binding {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let parsed = UiaaResponse::from_http(status, &bytes);
    let (parsed_as, type_name) = match &parsed {
        Ok(UiaaResponse::AuthRequired(_)) => ("UiaaResponse", "UiaaInfo"),
        _ => ("UiaaResponse", "StandardError"),
    };
    let result = match parsed {
        Err(error) => Err(format!("from_http({status}) failed: {error}")),
        Ok(response) => check_variant(status, body, &response)
            .and_then(|()| check_params(&response))
            .and_then(|()| serde_json::to_value(&response).map_err(|e| format!("does not serialize: {e}")))
            .and_then(|back| same_value(body, &back)),
    };
    Binding { parsed_as, type_name, result }
}

/// A success response, bound to the type the model names for its shape:
/// `{}`, a new account's registration, or a login. Any other success is the
/// endpoint's own business, reported unbound rather than passed as a bare
/// object.
fn check_success(status: u16, body: &Value) -> Verdict {
    let object = body.as_object();
    if object.is_some_and(|o| o.is_empty()) {
        return Verdict::Bound(round_trip::<EmptyResponse>(body, |_| "EmptyResponse"));
    }
    // A login's answer is a registration's with the client's `well_known`.
    if object.is_some_and(|o| o.contains_key("user_id") && o.contains_key("well_known")) {
        return Verdict::Bound(round_trip::<LoginResponse>(body, |_| "LoginResponse"));
    }
    if object.is_some_and(|o| o.contains_key("user_id")) {
        return Verdict::Bound(round_trip::<RegistrationResponse>(body, |_| "RegistrationResponse"));
    }
    let keys: Vec<&String> = object.map(|o| o.keys().collect()).unwrap_or_default();
    Verdict::Unbound {
        reason: format!(
            "a {status} response with keys {keys:?}: the model names no success type of that shape"
        ),
    }
}

/// The seed's rule: a 401 with `flows` is `AuthRequired` (with `auth_error`
/// exactly when there is an `errcode`); anything else is `Error`.
fn check_variant(status: u16, body: &Value, response: &UiaaResponse) -> Result<(), String> {
    let uia_body = status == UNAUTHORIZED && body.get("flows").is_some();
    match response {
        UiaaResponse::AuthRequired(info) if uia_body => {
            if info.auth_error.is_some() == body.get("errcode").is_some() {
                Ok(())
            } else {
                Err("auth_error does not match the body's errcode".to_owned())
            }
        }
        UiaaResponse::Error { status: s, .. } if !uia_body && *s == status => Ok(()),
        other => Err(format!("from_http({status}) chose the wrong variant: {other:?}")),
    }
}

/// Every `params` entry that has a type parses as it and round-trips.
fn check_params(response: &UiaaResponse) -> Result<(), String> {
    let UiaaResponse::AuthRequired(info) = response else { return Ok(()) };
    check_param::<TermsParams>(info)?;
    check_param::<OAuthParams>(info)?;
    check_param::<ReCaptchaParams>(info)
}

fn check_param<P: AuthParams + PartialEq>(info: &UiaaInfo) -> Result<(), String> {
    let Some(raw) = info.params.as_ref().and_then(|p| p.get(P::AUTH_TYPE)) else { return Ok(()) };
    let raw: Value = serde_json::from_str(raw.get()).map_err(|e| format!("params.{}: {e}", P::AUTH_TYPE))?;
    let typed = match info.params::<P>() {
        Some(Ok(typed)) => typed,
        Some(Err(error)) => {
            return Err(format!("params.{} do not parse as {}: {error}", P::AUTH_TYPE, P::NAME));
        }
        None => return Ok(()),
    };
    let back = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    same_value(&raw, &back).map_err(|e| format!("params.{}: {e}", P::AUTH_TYPE))
}

fn check_json(sample: &Sample<'_>) -> Verdict {
    let body = sample.body;
    let tag = body.get("type").and_then(Value::as_str);
    let binding = if sample.fragment_key == Some("identifier") || tag.is_some_and(|t| t.starts_with("m.id."))
    {
        round_trip::<UserIdentifier>(body, variant_type_name)
    } else if tag.is_some() || is_session_only(body) {
        round_trip::<AuthData>(body, variant_type_name)
    } else if body.get("flows").is_some() {
        round_trip::<UiaaInfo>(body, |_| "UiaaInfo")
    } else if body.get("errcode").is_some() {
        round_trip::<StandardError>(body, |_| "StandardError")
    } else if body.get("policies").is_some() {
        round_trip::<TermsParams>(body, |_| "TermsParams")
    } else {
        return Verdict::Unbound {
            reason: format!(
                "no type claims this body in section {:?}: its keys are {:?}",
                sample.section.last().map(String::as_str).unwrap_or_default(),
                body.as_object().map(|o| o.keys().collect::<Vec<_>>()).unwrap_or_default()
            ),
        };
    };
    Verdict::Bound(binding)
}

fn is_session_only(body: &Value) -> bool {
    body.as_object().is_some_and(|o| o.contains_key("session") && !o.contains_key("type"))
}

/// Parse `body` as `T`, write it back, and compare.
fn round_trip<T: DeserializeOwned + Serialize + SpecType>(
    body: &Value,
    type_name: fn(&T) -> &'static str,
) -> Binding {
    let parsed: Result<T, _> = from_json_value(body.clone());
    let (type_name, result) = match parsed {
        Err(error) => (T::NAME, Err(format!("does not parse as {}: {error}", T::NAME))),
        Ok(value) => {
            let back = serde_json::to_value(&value).map_err(|e| format!("does not serialize: {e}"));
            let result = back.and_then(|back| same_value(body, &back));
            (type_name(&value), result)
        }
    };
    Binding { parsed_as: T::NAME, type_name, result }
}

/// The type a tagged enum's variant wraps, as the derive lists it.
fn variant_type_name<T: TaggedEnum>(value: &T) -> &'static str {
    value.variant().type_name
}

/// `Ok` when the values are equal, else the first place they differ.
fn same_value(original: &Value, written: &Value) -> Result<(), String> {
    match first_difference(original, written, "") {
        None => Ok(()),
        Some(difference) => Err(format!("round trip changed the value: {difference}")),
    }
}

fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let here = format!("{path}.{key}");
                match b.get(key) {
                    None => return Some(format!("`{here}` was dropped")),
                    Some(other) => {
                        if let Some(found) = first_difference(value, other, &here) {
                            return Some(found);
                        }
                    }
                }
            }
            b.keys().find(|k| !a.contains_key(*k)).map(|k| format!("`{path}.{k}` was added"))
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (a, b))| first_difference(a, b, &format!("{path}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("`{}` was {a}, is {b}", if path.is_empty() { "." } else { path })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_a_unique_name_and_a_schema_with_a_stable_id() {
        let mut names: Vec<&str> = types().iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), types().len(), "duplicate type names");
        for entry in types() {
            let schema = entry.schema();
            assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema", "{}", entry.name);
            assert_eq!(schema["$id"], format!("{SCHEMA_BASE}{}.schema.json", entry.name));
            assert_eq!(schema, entry.schema(), "{}: the schema is deterministic", entry.name);
        }
    }

    #[test]
    fn auth_dict_schemas_pin_their_tag_and_describe_their_fields() {
        let schema = entry("Password").expect("registered").schema();
        assert_eq!(schema["properties"]["type"]["const"], "m.login.password");
        assert_eq!(schema["required"], serde_json::json!(["type", "password"]));
        assert_eq!(schema["additionalProperties"], true);
        assert_eq!(schema["properties"]["password"]["description"], "The password, in plain text.");
        assert!(schema["description"].as_str().unwrap_or_default().starts_with("`m.login.password`"));
        assert_eq!(entry("Password").unwrap().auth_type, Some("m.login.password"));
        assert_eq!(entry("UserId").unwrap().auth_type, None, "identifier tags are not auth types");
        assert_eq!(entry("TermsParams").unwrap().params_for, Some("m.login.terms"));
    }

    #[test]
    fn the_401_schema_has_the_flattened_error_keys() {
        let schema = entry("UiaaInfo").expect("registered").schema();
        for key in ["flows", "completed", "params", "session", "errcode", "error"] {
            assert!(schema["properties"].get(key).is_some(), "{key}");
        }
        assert_eq!(schema["required"], serde_json::json!(["flows"]));
    }

    fn sample<'a>(section: &'a [String], body: &'a Value) -> Sample<'a> {
        Sample { section, http: None, fragment_key: None, body }
    }

    #[test]
    fn binding_is_by_content_within_the_uia_section() {
        let uia =
            vec!["Client Authentication".to_owned(), UIA_SECTION.to_owned(), "Some new title".to_owned()];
        let body = serde_json::json!({"type": "m.login.password", "user": "a", "password": "p"});
        let Verdict::Bound(binding) = check(&sample(&uia, &body)) else { panic!() };
        assert_eq!((binding.parsed_as, binding.type_name, binding.result), ("AuthData", "Password", Ok(())));

        let elsewhere = vec!["Events".to_owned()];
        assert_eq!(check(&sample(&elsewhere, &body)), Verdict::OutOfScope);

        let unknown = serde_json::json!({"something": "else"});
        assert!(matches!(check(&sample(&uia, &unknown)), Verdict::Unbound { .. }));
    }

    #[test]
    fn a_body_that_does_not_round_trip_is_reported_with_the_place() {
        let uia = vec![UIA_SECTION.to_owned()];
        // `password` must be a string: the parse fails and says where.
        let body = serde_json::json!({"type": "m.login.password", "password": 5});
        let Verdict::Bound(binding) = check(&sample(&uia, &body)) else { panic!() };
        let error = binding.result.unwrap_err();
        assert!(error.contains("at `password`"), "{error}");
    }

    #[test]
    fn responses_go_through_from_http() {
        let uia = vec![UIA_SECTION.to_owned()];
        let body = serde_json::json!({"errcode": "M_FORBIDDEN", "error": "no", "flows": [], "session": "s"});
        let response = Sample { http: Some(Http::Response { status: 401 }), ..sample(&uia, &body) };
        let Verdict::Bound(binding) = check(&response) else { panic!() };
        assert_eq!((binding.type_name, binding.result), ("UiaaInfo", Ok(())));
        // The same body with another status is a standard error whose extra keys are kept.
        let response = Sample { http: Some(Http::Response { status: 403 }), ..sample(&uia, &body) };
        let Verdict::Bound(binding) = check(&response) else { panic!() };
        assert_eq!((binding.type_name, binding.result), ("StandardError", Ok(())));
    }

    #[test]
    fn success_responses_bind_to_their_shape_or_are_unbound() {
        let uia = vec![UIA_SECTION.to_owned()];
        let success = |body: &Value| {
            check(&Sample { http: Some(Http::Response { status: 200 }), ..sample(&uia, body) })
        };
        let empty = serde_json::json!({});
        let Verdict::Bound(binding) = success(&empty) else { panic!("{:?}", success(&empty)) };
        assert_eq!((binding.type_name, binding.result), ("EmptyResponse", Ok(())));
        let registered = serde_json::json!({"user_id": "@a:x", "access_token": "t", "device_id": "D"});
        let Verdict::Bound(binding) = success(&registered) else { panic!() };
        assert_eq!((binding.type_name, binding.result), ("RegistrationResponse", Ok(())));
        let logged_in = serde_json::json!({"user_id": "@a:x", "access_token": "t", "device_id": "D",
            "well_known": {"m.homeserver": {"base_url": "https://x"}}});
        let Verdict::Bound(binding) = success(&logged_in) else { panic!() };
        assert_eq!((binding.type_name, binding.result), ("LoginResponse", Ok(())));
        // Not a bare object passed silently: unbound, with the keys.
        let other = serde_json::json!({"room_id": "!r:x"});
        let Verdict::Unbound { reason } = success(&other) else { panic!("{:?}", success(&other)) };
        assert!(reason.contains("room_id"), "{reason}");
    }

    #[test]
    fn differences_are_located() {
        let a = serde_json::json!({"a": [1, {"b": 2}], "c": 3});
        let b = serde_json::json!({"a": [1, {"b": 4}], "c": 3});
        assert_eq!(first_difference(&a, &b, "").as_deref(), Some("`.a[1].b` was 2, is 4"));
        let c = serde_json::json!({"a": [1, {"b": 2}]});
        assert_eq!(first_difference(&a, &c, "").as_deref(), Some("`.c` was dropped"));
        assert_eq!(first_difference(&c, &a, "").as_deref(), Some("`.c` was added"));
    }
}
