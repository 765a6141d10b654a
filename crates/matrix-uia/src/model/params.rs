//! The `params` of a [`crate::UiaaInfo`]: the raw object, and a typed
//! struct for each auth type whose params the spec defines.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::fmt;

use matrix_uia_derive::Uia;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, IgnoredAny};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use super::extra::Extra;
use crate::__private::{ExtraMap, Key, Reader, Source, Writer, duplicate, typed_or_value};
use crate::json::impls::read_with_serde;
use crate::json::{Json, JsonError};
use crate::{AuthParams, JsonObject};

/// The `params` object of a 401: what the client needs to know for each auth
/// type, keyed by auth type, kept as the JSON text the server sent.
///
/// A client reads the entry of the stage it is on and no other, so the
/// object is not parsed into a tree when the body is read (Ruma keeps it raw
/// for the same reason): [`RawParams::typed`] parses one entry into its
/// struct, [`RawParams::get`] finds one entry's text. Written back, the text
/// goes out as it came: as it is by [`Json::to_json`], and checked once more
/// on the way through serde (`serde_json::to_vec`), whose serializers take
/// raw text only as a checked `RawValue`.
///
/// Spec: [User-interactive API in the REST API](https://spec.matrix.org/latest/client-server-api/#user-interactive-api-in-the-rest-api).
#[derive(Clone)]
pub struct RawParams(Box<str>);

impl RawParams {
    /// The params in `object`, by auth type.
    pub fn from_object(object: &JsonObject) -> Self {
        // A map of JSON values always serializes.
        RawParams(serde_json::to_string(object).unwrap_or_else(|_| "{}".to_owned()).into_boxed_str())
    }

    /// The params object as JSON text.
    pub fn json(&self) -> &str {
        &self.0
    }

    /// The entry of `auth_type`, as JSON text; when a key repeats, the last
    /// one counts, as when the object is parsed into a map.
    pub fn get(&self, auth_type: &str) -> Option<&RawValue> {
        struct Find<'k>(&'k str);
        impl<'de> de::Visitor<'de> for Find<'_> {
            type Value = Option<&'de RawValue>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object keyed by auth type")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut found = None;
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    if key == self.0 {
                        found = Some(map.next_value::<&'de RawValue>()?);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(found)
            }
        }
        let mut deserializer = serde_json::Deserializer::from_str(&self.0);
        deserializer.deserialize_map(Find(auth_type)).ok().flatten()
    }

    /// The params of `P`'s auth type, typed: `None` when there are none, an
    /// error naming the JSON path when they do not match `P`.
    pub fn typed<P: AuthParams>(&self) -> Option<Result<P, JsonError>> {
        Some(P::from_json(self.get(P::AUTH_TYPE)?.get().as_bytes()))
    }

    /// The params as a JSON object.
    pub fn to_object(&self) -> JsonObject {
        // The text was checked to be an object when it was read or made.
        serde_json::from_str(&self.0).unwrap_or_default()
    }
}

impl fmt::Debug for RawParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawParams").field(&self.json()).finish()
    }
}

/// The same params: the same text, or texts that parse to the same object
/// (key order and spacing aside).
impl PartialEq for RawParams {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0 || self.to_object() == other.to_object()
    }
}

impl Serialize for RawParams {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The text is JSON (checked when read or made): serde_json writes it
        // as it is through a raw value borrowed from it.
        let raw: &RawValue = serde_json::from_str(&self.0).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RawParams {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        // serde_json hands over the value's text from its first byte.
        if !raw.get().starts_with('{') {
            let unexpected = de::Unexpected::Other("a JSON value that is not an object");
            return Err(de::Error::invalid_type(unexpected, &"a JSON object keyed by auth type"));
        }
        // serde_json keeps escapes undecoded in a raw value, so a lone
        // surrogate (`"\ud800"`) would pass here and fail whoever reads the
        // entry, or writes the body as a `Value`. Only text with a surrogate
        // escape pays for decoding.
        if has_surrogate_escape(raw.get()) {
            serde_json::from_str::<serde_json::Value>(raw.get()).map_err(de::Error::custom)?;
        }
        Ok(RawParams(raw.into()))
    }
}

/// The direct reader takes the text as it is when it is an object with no
/// escape at all, checked as serde_json checks it; anything else (a
/// surrogate to check, a value that is not an object) is decided by the
/// `Deserialize` above.
impl Json for RawParams {
    fn read_json(reader: &mut Reader<'_>) -> Option<Self> {
        if reader.peek()? != b'{' {
            return None;
        }
        Some(RawParams(reader.checked()?.into()))
    }

    fn write_json(&self, writer: &mut Writer) {
        writer.raw(&self.0);
    }
}

/// Whether `text` has a `\uD…` escape (a false positive only costs a check).
fn has_surrogate_escape(text: &str) -> bool {
    // Most params have no `\u` at all: one vectorised search says so.
    text.contains("\\u")
        && text
            .match_indices("\\u")
            .any(|(at, _)| text.as_bytes().get(at + 2).is_some_and(|b| b.eq_ignore_ascii_case(&b'd')))
}

impl JsonSchema for RawParams {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("RawParams")
    }

    // A field's schema, not a type of the spec's: it has no page of its own.
    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "type": "object",
            "additionalProperties": {"type": "object"}
        })
    }
}

/// The `m.login.terms` params: the policies the user must accept.
///
/// Spec: [Terms of service at registration](https://spec.matrix.org/latest/client-server-api/#terms-of-service-at-registration).
#[derive(Clone, PartialEq, Uia)]
#[uia(params_for = "m.login.terms", section = "Terms of service at registration")]
#[uia(spec = "https://spec.matrix.org/latest/client-server-api/#terms-of-service-at-registration")]
pub struct TermsParams {
    /// The current definition of each policy, by policy id.
    pub policies: BTreeMap<String, PolicyDefinition>,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: Extra,
}

/// One policy: its version and its translations.
///
/// Every key but `version` is a language code whose value is a
/// [`PolicyTranslation`]; a key whose value is not one (a server's own
/// addition) is kept in [`Translations::other`], not refused.
#[derive(Clone, PartialEq, Uia)]
pub struct PolicyDefinition {
    /// The version of the policy document.
    pub version: String,
    /// The document in each language, by language code (`en`, `fr`, `en-US`), and any other key.
    #[uia(extra)]
    pub translations: Translations,
}

impl PolicyDefinition {
    /// A policy of `version` with these translations.
    pub fn new(version: impl Into<String>, translations: BTreeMap<String, PolicyTranslation>) -> Self {
        PolicyDefinition {
            version: version.into(),
            translations: Translations { languages: translations, other: Extra::new() },
        }
    }

    /// The document in `language`, if there is one.
    pub fn translation(&self, language: &str) -> Option<&PolicyTranslation> {
        self.translations.languages.get(language)
    }
}

/// The keys of a policy beside `version`: its translations, typed, and any
/// key whose value is not a translation, kept as it came.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Translations {
    /// The document in each language, by language code.
    pub languages: BTreeMap<String, PolicyTranslation>,
    /// Keys whose value is not a translation (Ruma drops them).
    pub other: Extra,
}

impl ExtraMap for Translations {
    fn insert_from<'de, S: Source<'de>>(&mut self, key: Key<'de>, source: &mut S) -> Result<(), S::Error> {
        if self.languages.contains_key(&*key) || self.other.contains_key(&key) {
            return Err(duplicate(&key));
        }
        match typed_or_value::<PolicyTranslation, S>(source)? {
            Ok(translation) => {
                self.languages.insert(key.into_owned(), translation);
            }
            Err(value) => {
                self.other.insert(key.into_owned(), value);
            }
        }
        Ok(())
    }

    fn insert_direct<'a>(&mut self, key: &'a str, reader: &mut Reader<'a>) -> Option<()> {
        if !self.other.is_empty() && self.other.contains_key(key) {
            return None;
        }
        match self.languages.entry(key.to_owned()) {
            Entry::Occupied(_) => None,
            // An object that is not a translation is left to serde_json, which keeps it in `other`.
            Entry::Vacant(slot) if reader.peek()? == b'{' => {
                slot.insert(PolicyTranslation::read_json(reader)?);
                Some(())
            }
            Entry::Vacant(slot) => {
                self.other.insert(slot.into_key(), read_with_serde(reader)?);
                Some(())
            }
        }
    }

    fn write_into(&self, writer: &mut Writer, written: &dyn Fn(&str) -> bool) {
        for (language, translation) in self.languages.iter().filter(|(language, _)| !written(language)) {
            writer.key(language);
            translation.write_json(writer);
        }
        self.other.write_into(writer, written);
    }

    fn serialize_into<M: SerializeMap>(
        &self,
        map: &mut M,
        written: &dyn Fn(&str) -> bool,
    ) -> Result<(), M::Error> {
        let mut languages = self.languages.iter().filter(|(language, _)| !written(language));
        languages.try_for_each(|(language, translation)| map.serialize_entry(language, translation))?;
        self.other.serialize_into(map, written)
    }

    fn additional_properties(generator: &mut SchemaGenerator) -> serde_json::Value {
        generator.subschema_for::<PolicyTranslation>().to_value()
    }
}

/// A policy document in one language.
#[derive(Clone, PartialEq, Uia)]
pub struct PolicyTranslation {
    /// The document's name in this language.
    pub name: String,
    /// A link to the document's text.
    pub url: String,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: Extra,
}

/// The `m.oauth` params: where the user approves the action.
///
/// Spec: [OAuth authentication](https://spec.matrix.org/latest/client-server-api/#oauth-authentication).
#[derive(Clone, PartialEq, Uia)]
#[uia(params_for = "m.oauth", section = "OAuth authentication")]
#[uia(spec = "https://spec.matrix.org/latest/client-server-api/#oauth-authentication")]
pub struct OAuthParams {
    /// The URL of the homeserver's account management page for the action.
    pub url: String,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: Extra,
}

/// The `m.login.recaptcha` params: the site key of the captcha.
///
/// Spec: [Google ReCaptcha](https://spec.matrix.org/latest/client-server-api/#google-recaptcha).
#[derive(Clone, PartialEq, Uia)]
#[uia(params_for = "m.login.recaptcha", section = "Google ReCaptcha")]
#[uia(spec = "https://spec.matrix.org/latest/client-server-api/#google-recaptcha")]
pub struct ReCaptchaParams {
    /// The ReCaptcha public (site) key.
    pub public_key: String,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: Extra,
}
