//! Typed `params` entries of a [`crate::UiaaInfo`].

use std::collections::BTreeMap;

use matrix_uia_derive::Uia;
use serde::Deserialize;

use crate::JsonObject;

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
    pub extra: JsonObject,
}

/// One policy: its version and its translations.
///
/// Every key but `version` is a language code whose value is a
/// [`PolicyTranslation`]; a key whose value is not one (a server's own
/// addition) is kept as it came, not refused, and [`PolicyDefinition::translations`]
/// leaves it out.
#[derive(Clone, PartialEq, Uia)]
pub struct PolicyDefinition {
    /// The version of the policy document.
    pub version: String,
    /// The document in each language, by language code (`en`, `fr`, `en-US`), and any other key.
    #[uia(extra)]
    pub extra: JsonObject,
}

impl PolicyDefinition {
    /// A policy of `version` with these translations.
    pub fn new(version: impl Into<String>, translations: BTreeMap<String, PolicyTranslation>) -> Self {
        let extra = translations
            .into_iter()
            .filter_map(|(language, translation)| Some((language, serde_json::to_value(translation).ok()?)))
            .collect();
        PolicyDefinition { version: version.into(), extra }
    }

    /// The document in each language, by language code: the entries that are translations.
    pub fn translations(&self) -> BTreeMap<&str, PolicyTranslation> {
        self.extra
            .iter()
            .filter_map(|(language, value)| {
                Some((language.as_str(), PolicyTranslation::deserialize(value).ok()?))
            })
            .collect()
    }

    /// The document in `language`, if there is one.
    pub fn translation(&self, language: &str) -> Option<PolicyTranslation> {
        PolicyTranslation::deserialize(self.extra.get(language)?).ok()
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
    pub extra: JsonObject,
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
    pub extra: JsonObject,
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
    pub extra: JsonObject,
}
