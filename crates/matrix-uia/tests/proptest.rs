//! Property tests of the model.
//!
//! - **Round trip**: every value of every public type, including absent
//!   optionals, unknown keys in `extra`, unicode, custom auth types and error
//!   codes and the legacy forms, comes back equal through
//!   `to_value`/`from_value` and through `to_string`/`from_str` (compact or
//!   pretty).
//! - **Canonical JSON**: what the model writes never has a duplicate key, and
//!   never a `null` unless the value itself holds one in `extra`.
//! - **Variants**: the strategies of the tagged enums reach every variant the
//!   derive lists in [`TaggedEnum::VARIANTS`], and a value's `type_tag()` and
//!   `session()` are what it writes under `"type"` and `"session"`.
//! - **Key order and duplicate keys**: the order of an object's keys does not
//!   matter; a key given twice, at the top or at any depth (an unknown key's
//!   object, `params`, a flow), is refused with a "duplicate field" error.
//! - **Hostile input**: arbitrary JSON (with the model's own keys and tags
//!   mixed in, and duplicate keys in text) and arbitrary bytes never panic;
//!   whatever parses, it parses alike from a tree and from text, and parses
//!   back to itself after writing.
//!
//! Written JSON is compared as values, never as bytes: the order in which a
//! `JsonObject` writes its keys depends on serde_json's features.
//!
//! Failures are not persisted (no `proptest-regressions/` directory): the
//! shrunk input is in the failure message.

#[path = "support/repeated_keys.rs"]
mod repeated_keys;

use std::fmt::{self, Debug};

use matrix_uia::{
    AuthData, AuthFlow, AuthType, CustomAuthData, CustomIdentifier, Dummy, EmailIdentity, ErrorKind,
    FallbackAcknowledgement, FromHttpError, JsonObject, Msisdn, OAuth, OAuth2, OAuthParams, Password,
    PhoneNumber, PolicyDefinition, PolicyTranslation, RawParams, ReCaptcha, ReCaptchaParams,
    RegistrationToken, Sso, StandardError, TaggedEnum, Terms, TermsParams, ThirdPartyCredentials,
    ThirdPartyId, Token, UiaaInfo, UiaaRequest, UiaaResponse, UserId, UserIdentifier,
};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::strategy::{Union, ValueTree};
use proptest::test_runner::{TestCaseError, TestRunner};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Number, Value};

use repeated_keys::find_repeated_key;

type Strat<T> = BoxedStrategy<T>;

fn config() -> ProptestConfig {
    // Default case count (256, or PROPTEST_CASES); no regression files are
    // written into the source tree.
    ProptestConfig { failure_persistence: None, ..ProptestConfig::default() }
}

/// The `"type"` tags of an enum's variants, as the derive lists them: a
/// custom variant must hold none of them, and a new variant joins the list
/// without this file changing.
fn known_tags<E: TaggedEnum>() -> Vec<&'static str> {
    E::VARIANTS.iter().filter_map(|v| v.tag).collect()
}

// ---------------------------------------------------------------------------
// Strategies: strings and JSON
// ---------------------------------------------------------------------------

/// Strings: plain ASCII, any `char` (controls, surrogate neighbours, astral
/// planes, quotes and backslashes), non-ASCII letters, and the empty string.
/// (No regex strategies: they are slow to sample in a debug build.)
fn text() -> Strat<String> {
    const PLAIN: &[char] = &['a', 'b', 'z', 'A', 'Z', '0', '9', '@', ':', '.', '_', '-', ' '];
    const SPECIAL: &[char] =
        &['"', '\\', '\u{0}', '\n', '\u{7f}', 'é', 'ß', 'Ω', '中', '𝄞', '🦀', '\u{200d}', '\u{feff}'];
    prop_oneof![
        3 => vec(select(PLAIN), 0..10).prop_map(String::from_iter),
        1 => vec(any::<char>(), 0..6).prop_map(String::from_iter),
        2 => vec(prop_oneof![select(PLAIN), select(SPECIAL)], 0..6).prop_map(String::from_iter),
        1 => Just(String::new()),
    ]
    .boxed()
}

/// A short lowercase word, for tags like `org.example.<word>`.
fn word() -> Strat<String> {
    vec(select(&['a', 'b', 'x', 'y', 'z', '0', '1', '_'][..]), 1..8).prop_map(String::from_iter).boxed()
}

fn number() -> Strat<Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("not finite, or not exact through text", exact_float),
    ]
    .boxed()
}

/// A float that serde_json reads back exactly from its own text. Without
/// serde_json's `float_roundtrip` feature (the workspace does not enable it)
/// its parser is best-effort and some floats, e.g. `-4.323762734078375e239`,
/// come back one ULP off: a property of the JSON library, not of the model.
fn exact_float(f: f64) -> Option<Value> {
    let number = Number::from_f64(f)?;
    let back: f64 = serde_json::from_str(&number.to_string()).ok()?;
    (back.to_bits() == f.to_bits()).then_some(Value::Number(number))
}

/// Any JSON value, bounded in depth and size; `null` only when `nulls`.
fn json(nulls: bool) -> Strat<Value> {
    json_leaf(nulls)
        .prop_recursive(3, 8, 3, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..3).prop_map(Value::Array),
                btree_map(text(), inner, 0..3).prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
        .boxed()
}

/// A JSON scalar; `null` only when `nulls`.
fn json_leaf(nulls: bool) -> Strat<Value> {
    let scalar = prop_oneof![any::<bool>().prop_map(Value::Bool), number(), text().prop_map(Value::String)];
    if nulls { prop_oneof![1 => Just(Value::Null), 5 => scalar].boxed() } else { scalar.boxed() }
}

/// Unknown keys: prefixed `x_`, so that none is a key of any model type.
/// Their values are scalars more often than not (cheaper to generate).
fn extra(nulls: bool) -> Strat<JsonObject> {
    let value = prop_oneof![2 => json_leaf(nulls), 1 => json(nulls)];
    btree_map(text().prop_map(|k| format!("x_{k}")), value, 0..3)
        .prop_map(|m| m.into_iter().collect())
        .boxed()
}

fn opt<T: Debug + 'static>(strategy: impl Strategy<Value = T> + 'static) -> Strat<Option<T>> {
    option::of(strategy).boxed()
}

/// A tag that is none of `known`: `org.example.*` or any string.
fn custom_tag(known: Vec<&'static str>) -> Strat<String> {
    prop_oneof![word().prop_map(|s| format!("org.example.{s}")), text()]
        .prop_filter("a known tag", move |s| !known.contains(&s.as_str()))
        .boxed()
}

/// A stage of a flow: any `AuthType`, known to the string enum or not.
fn auth_type() -> Strat<AuthType> {
    prop_oneof![
        select(AuthType::KNOWN).prop_map(AuthType::from),
        custom_tag(AuthType::KNOWN.to_vec()).prop_map(AuthType::from),
    ]
    .boxed()
}

fn error_kind() -> Strat<ErrorKind> {
    prop_oneof![
        select(ErrorKind::KNOWN).prop_map(ErrorKind::from),
        word().prop_map(|s| ErrorKind::from(format!("COM.EXAMPLE_{}", s.to_uppercase()))),
        custom_tag(ErrorKind::KNOWN.to_vec()).prop_map(ErrorKind::from),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------
// Strategies: the model. `nulls` says whether `extra` may hold a `null`.
// ---------------------------------------------------------------------------

/// The model's structs are `#[non_exhaustive]`: outside the crate they are
/// made with `new`, then given their optional fields and unknown keys.
trait WithExtra: Sized {
    fn extra_mut(&mut self) -> &mut JsonObject;

    fn with_extra(mut self, extra: JsonObject) -> Self {
        *self.extra_mut() = extra;
        self
    }
}

macro_rules! with_extra {
    ($($ty:ty),* $(,)?) => {
        $(impl WithExtra for $ty {
            fn extra_mut(&mut self) -> &mut JsonObject {
                &mut self.extra
            }
        })*
    };
}

with_extra!(
    UserId,
    ThirdPartyId,
    PhoneNumber,
    Password,
    ReCaptcha,
    Token,
    OAuth2,
    ThirdPartyCredentials,
    EmailIdentity,
    Msisdn,
    Dummy,
    Terms,
    Sso,
    OAuth,
    RegistrationToken,
    FallbackAcknowledgement,
    CustomAuthData,
    StandardError,
    AuthFlow,
    PolicyTranslation,
    TermsParams,
    OAuthParams,
    ReCaptchaParams,
    UiaaInfo,
);

fn user_id(nulls: bool) -> Strat<UserId> {
    (text(), extra(nulls)).prop_map(|(user, extra)| UserId::new(user).with_extra(extra)).boxed()
}

fn third_party_id(nulls: bool) -> Strat<ThirdPartyId> {
    (text(), text(), extra(nulls))
        .prop_map(|(medium, address, extra)| ThirdPartyId::new(medium, address).with_extra(extra))
        .boxed()
}

fn phone_number(nulls: bool) -> Strat<PhoneNumber> {
    (text(), text(), extra(nulls))
        .prop_map(|(country, phone, extra)| PhoneNumber::new(country, phone).with_extra(extra))
        .boxed()
}

fn custom_identifier(nulls: bool) -> Strat<CustomIdentifier> {
    (custom_tag(known_tags::<UserIdentifier>()), extra(nulls))
        .prop_map(|(id_type, extra)| CustomIdentifier::new(id_type, extra).expect("an unknown type"))
        .boxed()
}

fn user_identifier(nulls: bool) -> Strat<UserIdentifier> {
    prop_oneof![
        user_id(nulls).prop_map(UserIdentifier::UserId),
        third_party_id(nulls).prop_map(UserIdentifier::ThirdPartyId),
        phone_number(nulls).prop_map(UserIdentifier::PhoneNumber),
        custom_identifier(nulls).prop_map(UserIdentifier::Custom),
    ]
    .boxed()
}

type PasswordForm = (Option<UserIdentifier>, Option<String>, Option<String>, Option<String>);

fn password(nulls: bool) -> Strat<Password> {
    let form: Strat<PasswordForm> = prop_oneof![
        user_identifier(nulls).prop_map(|id| (Some(id), None, None, None)),
        // Legacy: the user at the top level.
        text().prop_map(|user| (None, Some(user), None, None)),
        // Legacy: a third-party id at the top level.
        (text(), text()).prop_map(|(medium, address)| (None, None, Some(medium), Some(address))),
        // Anything, including none and all of them.
        (opt(user_identifier(nulls)), opt(text()), opt(text()), opt(text())),
    ]
    .boxed();
    (form, text(), opt(text()), extra(nulls))
        .prop_map(|((identifier, user, medium, address), password, session, extra)| {
            // `new` takes the current form only; the legacy ones, and none, are set after.
            let mut p = Password::new(UserIdentifier::user(""), password, session).with_extra(extra);
            p.identifier = identifier;
            p.user = user;
            p.medium = medium;
            p.address = address;
            p
        })
        .boxed()
}

fn recaptcha(nulls: bool) -> Strat<ReCaptcha> {
    (text(), opt(text()), extra(nulls))
        .prop_map(|(response, session, extra)| ReCaptcha::new(response, session).with_extra(extra))
        .boxed()
}

fn token(nulls: bool) -> Strat<Token> {
    (text(), opt(text()), opt(text()), extra(nulls))
        .prop_map(|(token, txn_id, session, extra)| {
            let mut t = Token::new(token, session).with_extra(extra);
            t.txn_id = txn_id;
            t
        })
        .boxed()
}

fn oauth2(nulls: bool) -> Strat<OAuth2> {
    (opt(text()), opt(text()), extra(nulls))
        .prop_map(|(uri, session, extra)| {
            let mut o = OAuth2::new(session).with_extra(extra);
            o.uri = uri;
            o
        })
        .boxed()
}

fn third_party_credentials(nulls: bool) -> Strat<ThirdPartyCredentials> {
    (text(), text(), opt(text()), opt(text()), extra(nulls))
        .prop_map(|(sid, client_secret, id_server, id_access_token, extra)| {
            let mut c = ThirdPartyCredentials::new(sid, client_secret).with_extra(extra);
            c.id_server = id_server;
            c.id_access_token = id_access_token;
            c
        })
        .boxed()
}

type Creds = (Option<ThirdPartyCredentials>, Option<Vec<ThirdPartyCredentials>>);

/// `threepid_creds`, the legacy `threepidCreds` list, both or neither.
fn creds(nulls: bool) -> Strat<Creds> {
    prop_oneof![
        third_party_credentials(nulls).prop_map(|c| (Some(c), None)),
        vec(third_party_credentials(nulls), 0..3).prop_map(|l| (None, Some(l))),
        (opt(third_party_credentials(nulls)), opt(vec(third_party_credentials(nulls), 0..3))),
    ]
    .boxed()
}

/// The two third-party stages have one shape. `new` takes the current
/// `threepid_creds` only; the legacy list, both and neither are set after.
macro_rules! threepid_stage {
    ($($name:ident: $ty:ident;)*) => {
        $(fn $name(nulls: bool) -> Strat<$ty> {
            (creds(nulls), opt(text()), extra(nulls))
                .prop_map(|((current, legacy), session, extra)| {
                    let mut stage = $ty::new(ThirdPartyCredentials::new("", ""), session).with_extra(extra);
                    stage.threepid_creds = current;
                    stage.threepid_creds_legacy = legacy;
                    stage
                })
                .boxed()
        })*
    };
}

threepid_stage! {
    email_identity: EmailIdentity;
    msisdn: Msisdn;
}

/// A stage with nothing but a `session` (and unknown keys).
fn session_only<T: WithExtra + Debug + 'static>(new: fn(Option<String>) -> T, nulls: bool) -> Strat<T> {
    (opt(text()), extra(nulls)).prop_map(move |(session, extra)| new(session).with_extra(extra)).boxed()
}

fn dummy(nulls: bool) -> Strat<Dummy> {
    session_only(Dummy::new, nulls)
}

fn terms(nulls: bool) -> Strat<Terms> {
    session_only(Terms::new, nulls)
}

fn sso(nulls: bool) -> Strat<Sso> {
    session_only(Sso::new, nulls)
}

fn oauth(nulls: bool) -> Strat<OAuth> {
    session_only(OAuth::new, nulls)
}

fn registration_token(nulls: bool) -> Strat<RegistrationToken> {
    (text(), opt(text()), extra(nulls))
        .prop_map(|(token, session, extra)| RegistrationToken::new(token, session).with_extra(extra))
        .boxed()
}

fn fallback_acknowledgement(nulls: bool) -> Strat<FallbackAcknowledgement> {
    (text(), extra(nulls))
        .prop_map(|(session, extra)| FallbackAcknowledgement::new(session).with_extra(extra))
        .boxed()
}

fn custom_auth_data(nulls: bool) -> Strat<CustomAuthData> {
    (custom_tag(known_tags::<AuthData>()), opt(text()), extra(nulls))
        .prop_map(|(auth_type, session, extra)| {
            CustomAuthData::new(auth_type, session).expect("an unknown type").with_extra(extra)
        })
        .boxed()
}

/// Every variant, uniformly. A variant added to `AuthData` and not here
/// fails `strategies_reach_every_variant`.
fn auth_data(nulls: bool) -> Strat<AuthData> {
    Union::new([
        password(nulls).prop_map(AuthData::Password).boxed(),
        recaptcha(nulls).prop_map(AuthData::ReCaptcha).boxed(),
        oauth2(nulls).prop_map(AuthData::OAuth2).boxed(),
        email_identity(nulls).prop_map(AuthData::EmailIdentity).boxed(),
        msisdn(nulls).prop_map(AuthData::Msisdn).boxed(),
        token(nulls).prop_map(AuthData::Token).boxed(),
        dummy(nulls).prop_map(AuthData::Dummy).boxed(),
        sso(nulls).prop_map(AuthData::Sso).boxed(),
        registration_token(nulls).prop_map(AuthData::RegistrationToken).boxed(),
        terms(nulls).prop_map(AuthData::Terms).boxed(),
        oauth(nulls).prop_map(AuthData::OAuth).boxed(),
        fallback_acknowledgement(nulls).prop_map(AuthData::FallbackAcknowledgement).boxed(),
        custom_auth_data(nulls).prop_map(AuthData::Custom).boxed(),
    ])
    .boxed()
}

/// An error with its code-specific keys, each there or not, and `extra`.
fn error_with(extra: Strat<JsonObject>) -> Strat<StandardError> {
    let code_keys =
        (opt(any::<u64>()), opt(any::<bool>()), opt(text()), opt(text()), opt(any::<bool>()), opt(text()));
    (error_kind(), opt(text()), code_keys, extra)
        .prop_map(|(errcode, error, code_keys, extra)| {
            let (retry_after_ms, soft_logout, admin_contact, info_uri, can_upgrade, room_version) = code_keys;
            let mut e = StandardError::new(errcode, "").with_extra(extra);
            e.error = error;
            e.retry_after_ms = retry_after_ms;
            e.soft_logout = soft_logout;
            e.admin_contact = admin_contact;
            e.info_uri = info_uri;
            e.can_upgrade = can_upgrade;
            e.room_version = room_version;
            e
        })
        .boxed()
}

fn standard_error(nulls: bool) -> Strat<StandardError> {
    error_with(extra(nulls))
}

fn auth_flow(nulls: bool) -> Strat<AuthFlow> {
    (vec(auth_type(), 0..4), extra(nulls))
        .prop_map(|(stages, extra)| AuthFlow::new(stages).with_extra(extra))
        .boxed()
}

fn policy_translation(nulls: bool) -> Strat<PolicyTranslation> {
    (text(), text(), extra(nulls))
        .prop_map(|(name, url, extra)| PolicyTranslation::new(name, url).with_extra(extra))
        .boxed()
}

/// Translations are the `extra` of a policy: language codes and any other key
/// but `version`; beside them, keys whose value is not a translation (leaves:
/// an object could happen to be one).
fn policy_definition(nulls: bool) -> Strat<PolicyDefinition> {
    let language = prop_oneof![
        select(&["en", "fr", "en-US", "zh-Hant"][..]).prop_map(String::from),
        text().prop_map(|k| format!("l_{k}")),
    ];
    let other = btree_map(text().prop_map(|k| format!("o_{k}")), json_leaf(nulls), 0..2);
    (text(), btree_map(language, policy_translation(nulls), 0..3), other)
        .prop_map(|(version, languages, other)| {
            let mut p = PolicyDefinition::new(version, languages);
            p.translations.other = other.into_iter().collect();
            p
        })
        .boxed()
}

fn terms_params(nulls: bool) -> Strat<TermsParams> {
    (btree_map(text(), policy_definition(nulls), 0..3), extra(nulls))
        .prop_map(|(policies, extra)| TermsParams::new(policies).with_extra(extra))
        .boxed()
}

fn oauth_params(nulls: bool) -> Strat<OAuthParams> {
    (text(), extra(nulls)).prop_map(|(url, extra)| OAuthParams::new(url).with_extra(extra)).boxed()
}

fn recaptcha_params(nulls: bool) -> Strat<ReCaptchaParams> {
    (text(), extra(nulls)).prop_map(|(key, extra)| ReCaptchaParams::new(key).with_extra(extra)).boxed()
}

/// `params`: by auth type (known or not), raw JSON or one of the typed params.
fn params(nulls: bool) -> Strat<JsonObject> {
    let value = prop_oneof![
        json(nulls),
        terms_params(nulls).prop_map(|p| serde_json::to_value(p).expect("params serialize")),
        oauth_params(nulls).prop_map(|p| serde_json::to_value(p).expect("params serialize")),
        recaptcha_params(nulls).prop_map(|p| serde_json::to_value(p).expect("params serialize")),
    ];
    btree_map(auth_type().prop_map(|t| t.as_str().to_owned()), value, 0..3)
        .prop_map(|m| m.into_iter().collect())
        .boxed()
}

/// The error of a 401 body. Its `extra` is empty: on the wire a flattened
/// error's unknown keys cannot be told from the body's own (see
/// `flattened_error_extra_*` below).
fn auth_error() -> Strat<StandardError> {
    error_with(Just(JsonObject::new()).boxed())
}

fn uiaa_info(nulls: bool) -> Strat<UiaaInfo> {
    (
        vec(auth_flow(nulls), 0..3),
        opt(vec(auth_type(), 0..3)),
        opt(params(nulls).prop_map(|p| RawParams::from_object(&p))),
        opt(text()),
        opt(auth_error()),
        extra(nulls),
    )
        .prop_map(|(flows, completed, params, session, auth_error, extra)| {
            let mut info = UiaaInfo::new(flows, session).with_extra(extra);
            info.completed = completed;
            info.params = params;
            info.auth_error = auth_error;
            info
        })
        .boxed()
}

fn uia_request(nulls: bool) -> Strat<UiaaRequest<JsonObject>> {
    let key = text().prop_filter("the `auth` key", |k| k != "auth");
    (opt(auth_data(nulls)), btree_map(key, json(nulls), 0..4))
        .prop_map(|(auth, body)| UiaaRequest { auth, body: body.into_iter().collect() })
        .boxed()
}

fn uiaa_response(nulls: bool) -> Strat<UiaaResponse> {
    prop_oneof![
        uiaa_info(nulls).prop_map(UiaaResponse::AuthRequired),
        (400u16..600, standard_error(nulls))
            .prop_map(|(status, error)| UiaaResponse::Error { status, error }),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

fn fail(what: &str, error: impl fmt::Display, json: impl fmt::Display) -> TestCaseError {
    TestCaseError::fail(format!("{what}: {error}\n  json: {json}"))
}

fn assert_no_duplicate_keys(text: &str) -> Result<(), TestCaseError> {
    find_repeated_key(text.as_bytes()).map_err(|e| fail("written JSON", e, text))?;
    Ok(())
}

fn contains_null(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.iter().any(contains_null),
        Value::Object(map) => map.values().any(contains_null),
        Value::Bool(_) | Value::Number(_) | Value::String(_) => false,
    }
}

/// value → to_value → from_value, and value → to_string → from_str, give the
/// value back; both writers write the same JSON value; the text has no
/// duplicate key.
fn assert_round_trip<T>(value: &T) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let tree = serde_json::to_value(value).map_err(|e| fail("to_value", e, "-"))?;
    prop_assert!(tree.is_object(), "not written as an object: {}", tree);
    let back: T = serde_json::from_value(tree.clone()).map_err(|e| fail("from_value", e, &tree))?;
    prop_assert_eq!(&back, value, "to_value -> from_value; json: {}", tree);

    let text = serde_json::to_string(value).map_err(|e| fail("to_string", e, "-"))?;
    let back: T = serde_json::from_str(&text).map_err(|e| fail("from_str", e, &text))?;
    prop_assert_eq!(&back, value, "to_string -> from_str; json: {}", text);

    // Whitespace must not matter, inside the raw text `params` keeps too;
    // read through the crate's own entry point, which callers use.
    let pretty = serde_json::to_string_pretty(value).map_err(|e| fail("to_string_pretty", e, "-"))?;
    let back: T = matrix_uia::from_json_str(&pretty).map_err(|e| fail("from_json_str", e, &pretty))?;
    prop_assert_eq!(&back, value, "to_string_pretty -> from_json_str; json: {}", pretty);

    let reread: Value = serde_json::from_str(&text).map_err(|e| fail("from_str::<Value>", e, &text))?;
    prop_assert_eq!(&reread, &tree, "to_string and to_value disagree");
    assert_no_duplicate_keys(&text)
}

/// The JSON written for a value with no `null` anywhere in it has no `null`
/// (an absent optional is left out, not written `null`) and no duplicate key.
fn assert_canonical<T: Serialize>(value: &T) -> Result<(), TestCaseError> {
    let tree = serde_json::to_value(value).map_err(|e| fail("to_value", e, "-"))?;
    prop_assert!(!contains_null(&tree), "a null was written: {}", tree);
    let text = serde_json::to_string(value).map_err(|e| fail("to_string", e, "-"))?;
    assert_no_duplicate_keys(&text)
}

/// What `TaggedEnum` says of a value is what it writes: its `type_tag()` under
/// `"type"`, its `session()` under `"session"`; its variant's tag, if any, is
/// that type, and a custom variant never holds a known tag (which would be
/// read back as the known variant).
fn assert_tag_and_session_written<E>(value: &E) -> Result<(), TestCaseError>
where
    E: TaggedEnum + Serialize + Debug,
{
    let json = serde_json::to_value(value).map_err(|e| fail("to_value", e, "-"))?;
    prop_assert_eq!(json.get("type").and_then(Value::as_str), value.type_tag(), "type; json: {}", json);
    prop_assert_eq!(
        json.get("session").and_then(Value::as_str),
        TaggedEnum::session(value),
        "json: {}",
        json
    );
    let variant = value.variant();
    match (variant.tag, value.type_tag()) {
        (Some(tag), written) => prop_assert_eq!(Some(tag), written, "variant {}", variant.variant),
        (None, Some(written)) => {
            prop_assert!(
                !known_tags::<E>().contains(&written),
                "{} holds the known type {}",
                variant.variant,
                written
            );
        }
        (None, None) => {}
    }
    // `variant_index` names the variant the value is (its derived `Debug` says which).
    let debug = format!("{value:?}");
    prop_assert!(debug.starts_with(&format!("{}(", variant.variant)), "{} is not {:?}", debug, variant);
    Ok(())
}

/// Samples `strategy` and fails unless every variant of `E` came out.
fn assert_reaches_every_variant<E: TaggedEnum + Debug>(strategy: Strat<E>) {
    // The seed is fixed, so the outcome cannot flake; and with 13 uniform
    // variants, 2000 samples would miss one by chance with odds below 1e-60.
    const SAMPLES: usize = 2000;
    let mut runner = TestRunner::deterministic();
    let mut seen = vec![false; E::VARIANTS.len()];
    for _ in 0..SAMPLES {
        let value = strategy.new_tree(&mut runner).expect("a value").current();
        seen[value.variant_index()] = true;
    }
    let missing: Vec<&str> =
        E::VARIANTS.iter().zip(&seen).filter(|(_, seen)| !**seen).map(|(v, _)| v.variant).collect();
    assert!(missing.is_empty(), "no strategy generates {missing:?}");
}

// ---------------------------------------------------------------------------
// Round trip and canonical JSON, per type
// ---------------------------------------------------------------------------

macro_rules! round_trip {
    ($($name:ident: $ty:ty = $strategy:ident;)*) => {
        /// value → JSON → value is the identity, for every type of the model.
        mod round_trip {
            use super::*;

            proptest! {
                #![proptest_config(config())]
                $(
                    #[test]
                    fn $name(value in super::$strategy(true)) {
                        assert_round_trip::<$ty>(&value)?;
                    }
                )*
            }
        }
    };
}

round_trip! {
    uiaa_info: UiaaInfo = uiaa_info;
    auth_flow: AuthFlow = auth_flow;
    standard_error: StandardError = standard_error;
    auth_data: AuthData = auth_data;
    password: Password = password;
    recaptcha: ReCaptcha = recaptcha;
    token: Token = token;
    oauth2: OAuth2 = oauth2;
    email_identity: EmailIdentity = email_identity;
    msisdn: Msisdn = msisdn;
    dummy: Dummy = dummy;
    terms: Terms = terms;
    sso: Sso = sso;
    oauth: OAuth = oauth;
    registration_token: RegistrationToken = registration_token;
    fallback_acknowledgement: FallbackAcknowledgement = fallback_acknowledgement;
    custom_auth_data: CustomAuthData = custom_auth_data;
    user_identifier: UserIdentifier = user_identifier;
    user_id: UserId = user_id;
    third_party_id: ThirdPartyId = third_party_id;
    phone_number: PhoneNumber = phone_number;
    custom_identifier: CustomIdentifier = custom_identifier;
    third_party_credentials: ThirdPartyCredentials = third_party_credentials;
    terms_params: TermsParams = terms_params;
    policy_definition: PolicyDefinition = policy_definition;
    policy_translation: PolicyTranslation = policy_translation;
    oauth_params: OAuthParams = oauth_params;
    recaptcha_params: ReCaptchaParams = recaptcha_params;
    uia_request: UiaaRequest<JsonObject> = uia_request;
}

/// No `null` for an absent optional, no duplicate key. Every struct is
/// reached through one of these (the `AuthData` variants, identifiers and
/// credentials through `auth_data`; flows and errors through `uiaa_info`;
/// policies through `terms_params`).
mod canonical {
    use super::*;

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn auth_data(value in super::auth_data(false)) {
            assert_canonical(&value)?;
        }

        #[test]
        fn uiaa_info(value in super::uiaa_info(false)) {
            assert_canonical(&value)?;
        }

        #[test]
        fn standard_error(value in super::standard_error(false)) {
            assert_canonical(&value)?;
        }

        #[test]
        fn terms_params(value in super::terms_params(false)) {
            assert_canonical(&value)?;
        }

        #[test]
        fn other_params(oauth in oauth_params(false), recaptcha in recaptcha_params(false)) {
            assert_canonical(&oauth)?;
            assert_canonical(&recaptcha)?;
        }

        #[test]
        fn uia_request(value in super::uia_request(false)) {
            assert_canonical(&value)?;
        }

        #[test]
        fn uiaa_response(value in super::uiaa_response(false)) {
            assert_canonical(&value)?;
        }
    }
}

/// The tagged enums' variants, as the derive lists them.
mod variants {
    use super::*;

    /// A variant added to an enum without a strategy fails here instead of
    /// going untested by every property above.
    #[test]
    fn strategies_reach_every_variant() {
        assert_reaches_every_variant(auth_data(true));
        assert_reaches_every_variant(user_identifier(true));
    }

    /// A stage a flow names is known exactly when an `AuthData` variant reads
    /// it: otherwise a known stage would be submitted as a custom dict.
    #[test]
    fn known_auth_types_are_auth_data_tags() {
        let mut tags = known_tags::<AuthData>();
        let mut known = AuthType::KNOWN.to_vec();
        tags.sort_unstable();
        known.sort_unstable();
        assert_eq!(tags, known);
    }

    proptest! {
        #![proptest_config(config())]

        /// `type_tag()`/`session()` are what is written; `auth_type()` is `type_tag()` as an `AuthType`.
        #[test]
        fn auth_data_tag_and_session_are_written(auth in auth_data(true)) {
            assert_tag_and_session_written(&auth)?;
            prop_assert_eq!(auth.auth_type(), auth.type_tag().map(AuthType::from));
        }

        /// An identifier writes its `type_tag()` as `"type"` and has no session.
        #[test]
        fn user_identifier_tag_is_written(id in user_identifier(true)) {
            assert_tag_and_session_written(&id)?;
            prop_assert_eq!(Some(id.id_type()), id.type_tag());
        }
    }
}

/// What the round trip keeps is what the accessors read.
mod semantics {
    use super::*;

    proptest! {
        #![proptest_config(config())]

        /// A custom string stays custom and verbatim; a known one is the known variant.
        #[test]
        fn string_enums_keep_their_string(t in auth_type(), e in error_kind()) {
            prop_assert_eq!(t.is_known(), AuthType::KNOWN.contains(&t.as_str()));
            prop_assert_eq!(e.is_known(), ErrorKind::KNOWN.contains(&e.as_str()));
            prop_assert_eq!(serde_json::to_value(&t).unwrap(), Value::String(t.as_str().to_owned()));
            prop_assert_eq!(serde_json::from_value::<AuthType>(Value::String(t.as_str().to_owned())).unwrap(), t);
            prop_assert_eq!(serde_json::from_value::<ErrorKind>(Value::String(e.as_str().to_owned())).unwrap(), e);
        }

        /// A legacy password dict is read back as legacy, and `identifier()` gives the one view.
        #[test]
        fn password_legacy_forms_survive(p in password(true)) {
            let back: Password = serde_json::from_value(serde_json::to_value(&p).unwrap()).unwrap();
            prop_assert_eq!(back.identifier(), p.identifier());
            if p.identifier.is_none() && let Some(user) = &p.user {
                prop_assert_eq!(back.identifier().map(|c| c.into_owned()), Some(UserIdentifier::user(user.clone())));
            }
        }

        /// `threepidCreds` is written under its legacy name, and `credentials()` falls back to it.
        #[test]
        fn legacy_threepid_creds_survive(e in email_identity(true)) {
            let json = serde_json::to_value(&e).unwrap();
            prop_assert_eq!(json.get("threepidCreds").is_some(), e.threepid_creds_legacy.is_some());
            prop_assert!(json.get("threepid_creds_legacy").is_none());
            let back: EmailIdentity = serde_json::from_value(json).unwrap();
            prop_assert_eq!(back.credentials(), e.credentials());
        }

        /// Typed params put in `params` are read back typed.
        #[test]
        fn typed_params_read_back(terms in terms_params(true), oauth in oauth_params(true)) {
            let mut info = UiaaInfo::new(vec![AuthFlow::new([AuthType::Terms, AuthType::OAuth])], None);
            let mut params = JsonObject::new();
            params.insert("m.login.terms".to_owned(), serde_json::to_value(&terms).unwrap());
            params.insert("m.oauth".to_owned(), serde_json::to_value(&oauth).unwrap());
            info.params = Some(RawParams::from_object(&params));
            let back: UiaaInfo = serde_json::from_str(&serde_json::to_string(&info).unwrap()).unwrap();
            prop_assert_eq!(back.params::<TermsParams>().unwrap().unwrap(), terms);
            prop_assert_eq!(back.params::<OAuthParams>().unwrap().unwrap(), oauth);
        }

        /// `from_http(status(), to_json_bytes())` is the identity (`UiaaResponse`
        /// has no `Deserialize`: the status decides what the body is).
        #[test]
        fn uiaa_response_from_http_round_trip(response in uiaa_response(true)) {
            let bytes = response.to_json_bytes().map_err(|e| fail("to_json_bytes", e, "-"))?;
            let shown = String::from_utf8_lossy(&bytes);
            match UiaaResponse::from_http(response.status(), &bytes) {
                Ok(back) => prop_assert_eq!(&back, &response),
                Err(e) => return Err(fail("from_http", e, &shown)),
            }
            assert_no_duplicate_keys(&shown)?;
        }
    }
}

// ---------------------------------------------------------------------------
// Hostile input
// ---------------------------------------------------------------------------

/// Keys of the model, so that hostile objects reach past the first check.
const MODEL_KEYS: &[&str] = &[
    "type",
    "session",
    "flows",
    "stages",
    "completed",
    "params",
    "errcode",
    "error",
    "identifier",
    "user",
    "medium",
    "address",
    "password",
    "response",
    "token",
    "txn_id",
    "uri",
    "threepid_creds",
    "threepidCreds",
    "sid",
    "client_secret",
    "id_server",
    "id_access_token",
    "country",
    "phone",
    "auth",
    "policies",
    "version",
    "name",
    "url",
    "public_key",
];

fn hostile_key() -> Strat<String> {
    prop_oneof![3 => select(MODEL_KEYS).prop_map(String::from), 1 => text()].boxed()
}

/// The tags the model dispatches on, so that hostile objects reach a variant.
fn hostile_string() -> Strat<String> {
    prop_oneof![
        select(known_tags::<AuthData>()).prop_map(String::from),
        select(known_tags::<UserIdentifier>()).prop_map(String::from),
        select(&["M_FORBIDDEN", "M_UNKNOWN_TOKEN", "org.example.x", ""][..]).prop_map(String::from),
        text(),
    ]
    .boxed()
}

/// Any JSON value, shaped like the model's bodies more often than not.
fn hostile_json() -> Strat<Value> {
    let leaf = prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => number(),
        4 => hostile_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 5, |inner| {
        prop_oneof![
            1 => vec(inner.clone(), 0..3).prop_map(Value::Array),
            3 => btree_map(hostile_key(), inner, 0..5).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// An object of hostile values; a third of the time a valid model value with
/// one key replaced, so that parsing gets deep before it meets the fault.
fn hostile_object() -> Strat<Value> {
    let valid = prop_oneof![
        auth_data(true).prop_map(|a| serde_json::to_value(a).unwrap()),
        uiaa_info(true).prop_map(|i| serde_json::to_value(i).unwrap()),
        user_identifier(true).prop_map(|i| serde_json::to_value(i).unwrap()),
    ];
    let perturbed = (valid, hostile_key(), hostile_json()).prop_map(|(mut value, key, replacement)| {
        if let Value::Object(map) = &mut value {
            map.insert(key, replacement);
        }
        value
    });
    prop_oneof![
        2 => btree_map(hostile_key(), hostile_json(), 0..8).prop_map(|m| Value::Object(m.into_iter().collect())),
        1 => perturbed,
        1 => hostile_json(),
    ]
    .boxed()
}

/// JSON text of an object whose keys may repeat (which a `Value` cannot hold).
fn hostile_text() -> Strat<String> {
    vec((hostile_key(), hostile_json()), 0..6).prop_map(|entries| render(&entries)).boxed()
}

/// Parsed from a tree or from text, a value is accepted alike (the model
/// buffers differently for each); what is accepted writes JSON without
/// duplicate keys and parses back to itself.
fn assert_parses_consistently<T>(value: &Value) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let from_tree = serde_json::from_value::<T>(value.clone());
    let from_text = serde_json::from_str::<T>(&value.to_string());
    match (&from_tree, &from_text) {
        (Ok(a), Ok(b)) => prop_assert_eq!(a, b, "from_value and from_str disagree on {}", value),
        (Err(_), Err(_)) => {}
        (a, b) => {
            return Err(TestCaseError::fail(format!(
                "from_value and from_str disagree on {value}:\n  from_value: {:?}\n  from_str: {:?}",
                a.as_ref().map(|_| "ok").map_err(ToString::to_string),
                b.as_ref().map(|_| "ok").map_err(ToString::to_string),
            )));
        }
    }
    if let Ok(parsed) = from_tree {
        assert_round_trip(&parsed).map_err(|e| TestCaseError::fail(format!("input: {value}\n{e}")))?;
    }
    Ok(())
}

mod hostile {
    use super::*;

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn json_values_never_panic(value in hostile_object()) {
            let text = value.to_string();
            let _ = serde_json::from_value::<AuthData>(value.clone());
            let _ = serde_json::from_value::<UiaaInfo>(value.clone());
            let _ = serde_json::from_value::<UserIdentifier>(value.clone());
            let _ = serde_json::from_value::<UiaaRequest>(value.clone());
            let _ = serde_json::from_value::<StandardError>(value.clone());
            let _ = serde_json::from_value::<TermsParams>(value.clone());
            let _ = serde_json::from_str::<AuthData>(&text);
            let _ = serde_json::from_str::<UiaaInfo>(&text);
            let _ = serde_json::from_str::<UserIdentifier>(&text);
            let _ = matrix_uia::from_json_value::<AuthData>(value.clone());
            let _ = matrix_uia::from_json_slice::<UiaaInfo>(text.as_bytes());
        }

        /// Text with repeated keys: refused or read, never a panic.
        #[test]
        fn json_text_with_repeated_keys_never_panics(text in hostile_text()) {
            let _ = serde_json::from_str::<AuthData>(&text);
            let _ = serde_json::from_str::<UiaaInfo>(&text);
            let _ = serde_json::from_str::<UserIdentifier>(&text);
            let _ = serde_json::from_str::<UiaaRequest>(&text);
            let _ = serde_json::from_str::<StandardError>(&text);
        }

        #[test]
        fn from_http_never_panics_on_bytes(status in 100u16..600, bytes in vec(any::<u8>(), 0..64)) {
            let _ = UiaaResponse::from_http(status, &bytes);
        }

        #[test]
        fn from_http_never_panics_on_json(status in 100u16..600, text in hostile_text(), value in hostile_object()) {
            let _ = UiaaResponse::from_http(status, text.as_bytes());
            let _ = UiaaResponse::from_http(status, value.to_string().as_bytes());
        }

        /// Below 400 is never read; 400 and up is read or refused with the status.
        #[test]
        fn from_http_status_rule(status in 100u16..600, value in hostile_object()) {
            let bytes = value.to_string().into_bytes();
            match UiaaResponse::from_http(status, &bytes) {
                Err(FromHttpError::NotAnError { status: s }) => {
                    prop_assert!(status < 400);
                    prop_assert_eq!(s, status);
                }
                Err(FromHttpError::Body { status: s, .. }) => {
                    prop_assert!(status >= 400);
                    prop_assert_eq!(s, status);
                }
                Ok(response) => {
                    prop_assert!(status >= 400);
                    prop_assert_eq!(response.status(), status);
                    let written = response.to_json_bytes().map_err(|e| fail("to_json_bytes", e, &value))?;
                    let back = UiaaResponse::from_http(response.status(), &written);
                    prop_assert!(matches!(&back, Ok(b) if *b == response), "{:?} -> {:?}", response, back);
                }
            }
        }

        #[test]
        fn auth_data_parses_consistently(value in hostile_object()) {
            assert_parses_consistently::<AuthData>(&value)?;
        }

        #[test]
        fn user_identifier_parses_consistently(value in hostile_object()) {
            assert_parses_consistently::<UserIdentifier>(&value)?;
        }

        #[test]
        fn standard_error_parses_consistently(value in hostile_object()) {
            assert_parses_consistently::<StandardError>(&value)?;
        }

        #[test]
        fn uiaa_info_parses_consistently(value in hostile_object()) {
            assert_parses_consistently::<UiaaInfo>(&value)?;
        }
    }
}

// ---------------------------------------------------------------------------
// Key order and repeated keys
// ---------------------------------------------------------------------------

/// An object's entries as JSON text, in this order and with repeats kept
/// (a `Value` keeps neither).
fn object_text<K: AsRef<str>, V: fmt::Display>(entries: impl IntoIterator<Item = (K, V)>) -> String {
    let entries: Vec<String> =
        entries.into_iter().map(|(k, v)| format!("{}:{v}", Value::from(k.as_ref()))).collect();
    format!("{{{}}}", entries.join(","))
}

fn render(entries: &[(String, Value)]) -> String {
    object_text(entries.iter().map(|(k, v)| (k, v)))
}

/// The entries of an object, in the order they are written.
type Entries = Vec<(String, Value)>;

fn entries_of<T: Serialize>(value: &T) -> Entries {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map.into_iter().collect(),
        other => panic!("not written as an object: {other:?}"),
    }
}

/// The entries of `value` shuffled, and the same with one key repeated
/// (with another value) at some position.
fn shuffled<T: Serialize + Debug + Clone + 'static>(value: Strat<T>) -> Strat<(T, Entries, Entries)> {
    value
        .prop_flat_map(|value| {
            let entries = entries_of(&value);
            let n = entries.len();
            (Just(value), Just(entries).prop_shuffle(), any::<Index>(), 0..=n, hostile_json())
        })
        .prop_map(|(value, entries, which, at, other)| {
            let mut repeated = entries.clone();
            if !entries.is_empty() {
                let key = entries[which.index(entries.len())].0.clone();
                repeated.insert(at, (key, other));
            }
            (value, entries, repeated)
        })
        .boxed()
}

/// Where to repeat an entry in a tree: which non-empty object (in pre-order),
/// which of its entries, and where its copy goes.
type Repeat = (Index, Index, Index);

fn non_empty_objects(value: &Value) -> usize {
    match value {
        Value::Array(items) => items.iter().map(non_empty_objects).sum(),
        Value::Object(map) => {
            usize::from(!map.is_empty()) + map.values().map(non_empty_objects).sum::<usize>()
        }
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => 0,
    }
}

/// `value` as JSON text with one entry of one of its objects, at any depth,
/// written twice: the same key with the same value, so that nothing but the
/// duplicate-key policy can refuse it. `None` when it has no entry to repeat.
fn text_with_repeat(value: &Value, (object, entry, at): Repeat) -> Option<String> {
    fn write(value: &Value, target: usize, seen: &mut usize, (entry, at): (Index, Index)) -> String {
        match value {
            Value::Array(items) => {
                let items: Vec<String> =
                    items.iter().map(|item| write(item, target, seen, (entry, at))).collect();
                format!("[{}]", items.join(","))
            }
            Value::Object(map) if !map.is_empty() => {
                let here = *seen == target;
                *seen += 1;
                let mut entries: Vec<(&str, String)> =
                    map.iter().map(|(k, v)| (k.as_str(), write(v, target, seen, (entry, at)))).collect();
                if here {
                    let copy = entries[entry.index(entries.len())].clone();
                    entries.insert(at.index(entries.len() + 1), copy);
                }
                object_text(entries)
            }
            scalar => scalar.to_string(),
        }
    }
    let objects = non_empty_objects(value);
    (objects > 0).then(|| write(value, object.index(objects), &mut 0, (entry, at)))
}

/// `text` is refused as a `T`, for a duplicate key.
fn duplicate_refused<T: DeserializeOwned + Debug>(text: &str) -> Result<(), String> {
    match matrix_uia::from_json_str::<T>(text) {
        Ok(parsed) => Err(format!("a repeated key was accepted: {text}\n  as {parsed:?}")),
        Err(e) if e.to_string().contains("duplicate field") => Ok(()),
        Err(e) => Err(format!("refused, but not for the repeated key: {e}\n  json: {text}")),
    }
}

/// Parsing buffers the keys before `"type"` (or before a flattened group is
/// complete) and streams the rest: the order of the keys must not matter; a
/// key given twice at the top, before or after the tag and with another
/// value, is refused; and an entry repeated as it is in any object at any
/// depth (an unknown key's value, `params`, a flow, an identifier) is refused
/// by the one duplicate-key policy.
fn assert_key_order_and_repeats<T>(
    value: &T,
    entries: &[(String, Value)],
    repeated: &[(String, Value)],
    repeat: Repeat,
) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let text = render(entries);
    let back: T = serde_json::from_str(&text).map_err(|e| fail("shuffled", e, &text))?;
    prop_assert_eq!(&back, value, "shuffled: {}", text);
    if repeated.len() > entries.len() {
        let text = render(repeated);
        let parsed = serde_json::from_str::<T>(&text);
        prop_assert!(parsed.is_err(), "a repeated key was accepted: {}\n  as {:?}", text, parsed);
    }
    let tree = serde_json::to_value(value).map_err(|e| fail("to_value", e, "-"))?;
    if let Some(text) = text_with_repeat(&tree, repeat) {
        duplicate_refused::<T>(&text).map_err(TestCaseError::fail)?;
    }
    Ok(())
}

macro_rules! key_order_and_repeats {
    ($($name:ident: $ty:ty = $strategy:expr;)*) => {
        /// See [`assert_key_order_and_repeats`].
        mod key_order_and_repeats {
            use super::*;

            proptest! {
                #![proptest_config(config())]
                $(
                    #[test]
                    fn $name((value, entries, repeated) in shuffled::<$ty>($strategy), repeat in any::<Repeat>()) {
                        assert_key_order_and_repeats(&value, &entries, &repeated, repeat)?;
                    }
                )*
            }
        }
    };
}

key_order_and_repeats! {
    auth_data: AuthData = super::auth_data(true);
    uiaa_info: UiaaInfo = super::uiaa_info(true);
    user_identifier: UserIdentifier = super::user_identifier(true);
    standard_error: StandardError = super::standard_error(true);
    terms_params: TermsParams = super::terms_params(true);
    uia_request: UiaaRequest<JsonObject> = super::uia_request(true);
}

/// Deep nesting is refused by the parser's depth limit, not a stack overflow.
#[test]
fn deep_nesting_is_refused() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let inside = format!(r#"{{"session": "s", "x": {deep}, "type": "m.login.dummy"}}"#);
    assert!(serde_json::from_str::<AuthData>(&inside).is_err());
    assert!(serde_json::from_str::<UiaaInfo>(&inside).is_err());
    for status in [400, 401, 403] {
        assert!(UiaaResponse::from_http(status, deep.as_bytes()).is_err());
        assert!(UiaaResponse::from_http(status, inside.as_bytes()).is_err());
    }
}

/// Cases the properties found or skirt, pinned.
mod regressions {
    use super::*;

    fn object(value: Value) -> JsonObject {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    fn assert_duplicates_refused<T: DeserializeOwned + Debug>(texts: &[&str]) {
        for text in texts {
            duplicate_refused::<T>(text).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    /// A 401 body with `error` but no `errcode` keeps `error` in `extra`,
    /// and writes it back (it once was dropped as a "flattened" key).
    #[test]
    fn error_without_errcode_is_written_back() {
        let text = r#"{"flows":[],"error":"x"}"#;
        let info: UiaaInfo = serde_json::from_str(text).unwrap();
        assert_eq!(info.auth_error, None);
        assert_eq!(info.extra.get("error"), Some(&Value::from("x")));
        assert_eq!(serde_json::to_value(&info).unwrap(), serde_json::from_str::<Value>(text).unwrap());
    }

    /// A key in both `auth_error.extra` and `extra` (or `auth_error.extra`
    /// holding `flows`) is never written twice.
    #[test]
    fn flattened_error_extra_makes_no_duplicate_key() {
        let mut info = UiaaInfo::new(vec![], None);
        let mut error = StandardError::new(ErrorKind::LimitExceeded, "slow down");
        error.extra = object(serde_json::json!({"x_hint": 1000, "flows": 5}));
        error.retry_after_ms = Some(1000);
        info.auth_error = Some(error);
        info.extra = object(serde_json::json!({"x_hint": 2000, "retry_after_ms": 2000}));
        let text = serde_json::to_string(&info).unwrap();
        // {"flows":[],"errcode":"M_LIMIT_EXCEEDED","error":"slow down","retry_after_ms":1000,"x_hint":1000,"flows":5,"x_hint":2000,"retry_after_ms":2000}
        assert_no_duplicate_keys(&text).unwrap();
    }

    /// On parse, every key but `errcode`/`error` goes to the body's `extra`;
    /// so on writing, a flattened error's own `extra` is not written (it is
    /// empty for anything parsed): what a caller wants beside `errcode` goes
    /// in `UiaaInfo::extra`, where it round-trips.
    #[test]
    fn flattened_error_extra_belongs_to_the_body() {
        let mut info = UiaaInfo::new(vec![], None);
        let mut error = StandardError::new(ErrorKind::LimitExceeded, "slow down");
        error.extra = object(serde_json::json!({"ignored": 1}));
        info.auth_error = Some(error);
        info.extra = object(serde_json::json!({"x_hint": 1000}));
        let written = serde_json::to_value(&info).unwrap();
        assert_eq!(written.get("ignored"), None);
        let back: UiaaInfo = serde_json::from_value(written).unwrap();
        assert_eq!(back.extra, info.extra);
        assert_eq!(back.auth_error.map(|e| e.errcode), Some(ErrorKind::LimitExceeded));
    }

    /// Like the derived types, a request body refuses a repeated key: two
    /// parsers of one body must never see two different stages.
    #[test]
    fn request_with_two_auth_dicts_is_refused() {
        let text = r#"{"auth":{"type":"m.login.dummy","session":"a"},"auth":{"type":"m.login.dummy","session":"b"}}"#;
        let parsed = serde_json::from_str::<UiaaRequest>(text);
        assert!(parsed.is_err(), "accepted as {parsed:?}");
    }

    /// The places a repeat hides that the property reaches only by chance.
    #[test]
    fn repeats_at_depth_are_refused() {
        assert_duplicates_refused::<UiaaInfo>(&[
            // An unknown key's object, and an object in an array in one.
            r#"{"flows":[],"x_hint":{"a":1,"a":1}}"#,
            r#"{"flows":[],"x_hint":[{"a":{"b":null,"b":null}}]}"#,
            // `params`: an auth type twice, and a key inside typed params.
            r#"{"flows":[],"params":{"m.oauth":{"url":"u"},"m.oauth":{"url":"u"}}}"#,
            r#"{"flows":[],"params":{"m.login.terms":{"policies":{},"policies":{}}}}"#,
            // A flow's own key, and its unknown key.
            r#"{"flows":[{"stages":[],"stages":[]}]}"#,
            r#"{"flows":[{"stages":[],"x":{"a":1,"a":1}}]}"#,
            // The flattened error.
            r#"{"flows":[],"errcode":"M_FORBIDDEN","errcode":"M_FORBIDDEN"}"#,
        ]);
        assert_duplicates_refused::<AuthData>(&[
            r#"{"type":"m.login.dummy","type":"m.login.dummy"}"#,
            r#"{"type":"m.login.password","identifier":{"type":"m.id.user","user":"u","user":"u"},"password":"p"}"#,
            r#"{"type":"org.example.x","x":{"a":[{"b":1,"b":1}]}}"#,
            r#"{"session":"s","x":{"a":1,"a":1}}"#,
        ]);
        assert_duplicates_refused::<UiaaRequest>(&[
            r#"{"devices":{"a":1,"a":1}}"#,
            r#"{"auth":{"type":"m.login.dummy","x":{"a":1,"a":1}}}"#,
        ]);
    }
}
