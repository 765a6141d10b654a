//! The `params` of a [`crate::UiaaInfo`]: the raw object, and a typed
//! struct for each auth type whose params the spec defines.

use std::borrow::Cow;
use std::collections::BTreeMap;

use matrix_uia_derive::Uia;
use std::fmt;

use serde::de::{self, IgnoredAny};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::__private::{ExtraMap, Key, Source, check_unique, duplicate, typed_or_value};
use crate::{AuthParams, JsonError, JsonObject, from_json_str};

/// The `params` object of a 401: what the client needs to know for each auth
/// type, keyed by auth type, kept as the JSON text the server sent.
///
/// A client reads the entry of the stage it is on and no other, so the
/// object is not parsed into a tree when the body is read (Ruma keeps it raw
/// for the same reason): [`RawParams::typed`] parses one entry into its
/// struct, [`RawParams::get`] finds one entry's text. It is checked when it
/// is read as every object of the model is: JSON, an object, no key
/// repeated at any depth, no lone surrogate escape. Written back, the text
/// goes out as it came.
///
/// Spec: [User-interactive API in the REST API](https://spec.matrix.org/latest/client-server-api/#user-interactive-api-in-the-rest-api).
#[derive(Clone)]
pub struct RawParams(Box<RawValue>);

impl RawParams {
    /// The params in `object`, by auth type.
    pub fn from_object(object: &JsonObject) -> Self {
        // serde_json serializes a map with string keys without fail; the
        // fallback is never taken.
        RawParams(serde_json::value::to_raw_value(object).unwrap_or_else(|_| RawValue::NULL.to_owned()))
    }

    /// The params object as JSON text.
    pub fn json(&self) -> &str {
        self.0.get()
    }

    /// The entry of `auth_type`, as JSON text.
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
        let mut deserializer = serde_json::Deserializer::from_str(self.0.get());
        deserializer.deserialize_map(Find(auth_type)).ok().flatten()
    }

    /// The params of `P`'s auth type, typed: `None` when there are none, an
    /// error naming the JSON path when they do not match `P`.
    pub fn typed<P: AuthParams>(&self) -> Option<Result<P, JsonError>> {
        Some(from_json_str(self.get(P::AUTH_TYPE)?.get()))
    }

    /// The params as a JSON object.
    pub fn to_object(&self) -> JsonObject {
        // The text was checked to be an object when it was read or made.
        serde_json::from_str(self.0.get()).unwrap_or_default()
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
        self.json() == other.json() || self.to_object() == other.to_object()
    }
}

impl Serialize for RawParams {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Written as it came, with no second look.
        self.0.serialize(serializer)
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
        // serde_json keeps a raw value's text undecoded: walk it once, so
        // that a lone surrogate escape (`"\ud800"`) or a repeated key is
        // refused here, not by whoever reads the entry later.
        check_unique(raw.get()).map_err(de::Error::custom)?;
        Ok(RawParams(raw))
    }
}

#[cfg(feature = "schema")]
#[cfg_attr(docsrs, doc(cfg(feature = "schema")))]
impl schemars::JsonSchema for RawParams {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("RawParams")
    }

    // A field's schema, not a type of the spec's: it has no page of its own.
    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
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
#[non_exhaustive]
#[uia(new, params_for = "m.login.terms", section = "Terms of service at registration")]
#[uia(spec = "https://spec.matrix.org/latest/client-server-api/#terms-of-service-at-registration")]
pub struct TermsParams {
    /// The current definition of each policy, by policy id.
    pub policies: BTreeMap<String, PolicyDefinition>,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}

/// One policy: its version and its translations.
///
/// Every key but `version` is a language code whose value is a
/// [`PolicyTranslation`]; a key whose value is not one (a server's own
/// addition) is kept in [`Translations::other`], not refused.
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
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
            translations: Translations { languages: translations, other: JsonObject::new() },
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
    pub other: JsonObject,
}

impl ExtraMap for Translations {
    fn insert_from<'de, S: Source<'de>>(&mut self, key: Key<'de>, source: &mut S) -> Result<(), S::Error> {
        if self.languages.contains_key(&*key) || self.other.contains_key(&*key) {
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

    fn serialize_into<M: SerializeMap>(
        &self,
        map: &mut M,
        written: &dyn Fn(&str) -> bool,
    ) -> Result<(), M::Error> {
        let mut languages = self.languages.iter().filter(|(language, _)| !written(language));
        languages.try_for_each(|(language, translation)| map.serialize_entry(language, translation))?;
        ExtraMap::serialize_into(&self.other, map, written)
    }

    #[cfg(feature = "schema")]
    fn additional_properties(generator: &mut schemars::SchemaGenerator) -> serde_json::Value {
        generator.subschema_for::<PolicyTranslation>().to_value()
    }
}

/// A policy document in one language.
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
#[uia(new)]
pub struct PolicyTranslation {
    /// The document's name in this language.
    pub name: String,
    /// A link to the document's text.
    pub url: String,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}

/// The `m.oauth` params: where the user approves the action.
///
/// Spec: [OAuth authentication](https://spec.matrix.org/latest/client-server-api/#oauth-authentication).
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
#[uia(new, params_for = "m.oauth", section = "OAuth authentication")]
#[uia(spec = "https://spec.matrix.org/latest/client-server-api/#oauth-authentication")]
pub struct OAuthParams {
    /// The URL of the homeserver's account management page for the action.
    pub url: String,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}

/// The `m.login.recaptcha` params: the site key of the captcha.
///
/// Spec: [Google ReCaptcha](https://spec.matrix.org/latest/client-server-api/#google-recaptcha).
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
#[uia(new, params_for = "m.login.recaptcha", section = "Google ReCaptcha")]
#[uia(spec = "https://spec.matrix.org/latest/client-server-api/#google-recaptcha")]
pub struct ReCaptchaParams {
    /// The ReCaptcha public (site) key.
    pub public_key: String,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}
