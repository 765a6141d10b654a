//! [`AuthType`]: the `type` of a UIA stage.

use super::string_enum::string_enum;

string_enum! {
    /// An authentication type: one stage of a UIA flow.
    ///
    /// Every type any revision of the spec has defined, and any other string
    /// kept verbatim (servers invent their own, e.g. `org.example.custom`).
    ///
    /// Spec: [Authentication types](https://spec.matrix.org/latest/client-server-api/#authentication-types).
    pub enum AuthType {
        /// `m.login.password`: a user identifier and a password.
        Password = "m.login.password",
        /// `m.login.recaptcha`: a Google ReCaptcha response.
        ReCaptcha = "m.login.recaptcha",
        /// `m.login.oauth2`: OAuth2 URLs (removed from the spec; old servers offer it).
        OAuth2 = "m.login.oauth2",
        /// `m.login.email.identity`: an email address validated by an identity server or the homeserver.
        EmailIdentity = "m.login.email.identity",
        /// `m.login.msisdn`: a phone number validated by SMS.
        Msisdn = "m.login.msisdn",
        /// `m.login.token`: a login token (in UIA of the early spec).
        Token = "m.login.token",
        /// `m.login.dummy`: always succeeds; lets a server offer "no authentication".
        Dummy = "m.login.dummy",
        /// `m.login.sso`: single sign-on, completed through the fallback.
        Sso = "m.login.sso",
        /// `m.login.registration_token`: a token that allows registration.
        RegistrationToken = "m.login.registration_token",
        /// `m.login.terms`: acceptance of the server's policies.
        Terms = "m.login.terms",
        /// `m.oauth`: approval in the homeserver's OAuth account management UI.
        OAuth = "m.oauth",
    }
}
