//! Typed `params` entries of a [`crate::UiaaInfo`].

use std::collections::BTreeMap;

use matrix_uia_derive::Uia;

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
#[derive(Clone, PartialEq, Uia)]
pub struct PolicyDefinition {
    /// The version of the policy document.
    pub version: String,
    /// The document in each language, by language code (`en`, `fr`, `en-US`).
    #[uia(extra)]
    pub translations: BTreeMap<String, PolicyTranslation>,
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
