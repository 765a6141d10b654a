//! [`AuthData`]: the `auth` dict a client submits, one struct per auth type.

use std::borrow::Cow;

use matrix_uia_derive::Uia;

use super::auth_type::AuthType;
use super::custom::{KnownTypeError, check_unknown};
use super::identifier::UserIdentifier;
use crate::{JsonObject, TaggedEnum};

/// `m.login.password`: an identifier and a password.
///
/// Early revisions of the spec put the user at the top level (`user`, or
/// `medium` and `address`) instead of in `identifier`; both forms are kept as
/// sent, and [`Password::identifier`] gives the one view of them.
///
/// Spec: [Password-based](https://spec.matrix.org/latest/client-server-api/#password-based).
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
#[uia(auth_type = "m.login.password", section = "Password-based")]
#[uia(spec = "https://spec.matrix.org/latest/client-server-api/#password-based")]
pub struct Password {
    /// Who is authenticating.
    pub identifier: Option<UserIdentifier>,
    /// The legacy form of `identifier`: a user ID or localpart.
    pub user: Option<String>,
    /// The legacy form of a third-party `identifier`: its medium.
    pub medium: Option<String>,
    /// The legacy form of a third-party `identifier`: its address.
    pub address: Option<String>,
    /// The password, in plain text.
    #[uia(secret)]
    pub password: String,
    /// The session the homeserver gave.
    pub session: Option<String>,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}

impl Password {
    /// A password stage for `identifier`.
    pub fn new(identifier: UserIdentifier, password: impl Into<String>, session: Option<String>) -> Self {
        Password {
            identifier: Some(identifier),
            user: None,
            medium: None,
            address: None,
            password: password.into(),
            session,
            extra: JsonObject::new(),
        }
    }

    /// The identifier, whichever form the client sent: `identifier` itself,
    /// or the legacy top-level `user` (as `m.id.user`) or `medium` and
    /// `address` (as `m.id.thirdparty`).
    pub fn identifier(&self) -> Option<Cow<'_, UserIdentifier>> {
        if let Some(identifier) = &self.identifier {
            return Some(Cow::Borrowed(identifier));
        }
        if let Some(user) = &self.user {
            return Some(Cow::Owned(UserIdentifier::user(user.clone())));
        }
        match (&self.medium, &self.address) {
            (Some(medium), Some(address)) => {
                Some(Cow::Owned(UserIdentifier::third_party(medium.clone(), address.clone())))
            }
            _ => None,
        }
    }
}

/// `m.login.recaptcha`: the response to a Google ReCaptcha challenge.
///
/// Spec: [Google ReCaptcha](https://spec.matrix.org/latest/client-server-api/#google-recaptcha).
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
#[uia(new, auth_type = "m.login.recaptcha", section = "Google ReCaptcha")]
#[uia(spec = "https://spec.matrix.org/latest/client-server-api/#google-recaptcha")]
pub struct ReCaptcha {
    /// The captcha response.
    #[uia(secret)]
    pub response: String,
    /// The session the homeserver gave.
    pub session: Option<String>,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}

/// `m.login.token`: a login token, with the client's nonce (early spec).
///
/// Spec (r0): Token-based.
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
#[uia(new, auth_type = "m.login.token", section = "Token-based")]
#[uia(spec = "https://spec.matrix.org/legacy/client_server/r0.6.1.html#token-based")]
pub struct Token {
    /// The login token.
    #[uia(secret)]
    pub token: String,
    /// A client-generated nonce, the same when a request is retried.
    pub txn_id: Option<String>,
    /// The session the homeserver gave.
    pub session: Option<String>,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}

/// `m.login.oauth2`: OAuth2, completed out of band (early spec).
///
/// Spec (r0): OAuth2-based.
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
#[uia(new, auth_type = "m.login.oauth2", section = "OAuth2-based")]
#[uia(spec = "https://spec.matrix.org/legacy/client_server/r0.6.1.html#oauth2-based")]
pub struct OAuth2 {
    /// The authorization request or service selection URI.
    pub uri: Option<String>,
    /// The session the homeserver gave.
    pub session: Option<String>,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}

/// The credentials of a third-party identifier validation session.
///
/// Spec: [Email-based (identity / homeserver)](https://spec.matrix.org/latest/client-server-api/#email-based-identity--homeserver).
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
#[uia(new)]
pub struct ThirdPartyCredentials {
    /// The validation session's id.
    pub sid: String,
    /// The client secret of the validation session.
    #[uia(secret)]
    pub client_secret: String,
    /// The identity server that validated it, when one did.
    pub id_server: Option<String>,
    /// An access token for `id_server`.
    #[uia(secret)]
    pub id_access_token: Option<String>,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}

/// `m.login.email.identity`: an email address validated by an identity server or the homeserver.
///
/// Early revisions sent `threepidCreds`, a list; current ones `threepid_creds`,
/// one object. Both are kept as sent; [`EmailIdentity::credentials`] reads either.
///
/// Spec: [Email-based (identity / homeserver)](https://spec.matrix.org/latest/client-server-api/#email-based-identity--homeserver).
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
#[uia(auth_type = "m.login.email.identity", section = "Email-based (identity server)")]
#[uia(section = "Email-based (identity / homeserver)")]
#[uia(spec = "https://spec.matrix.org/latest/client-server-api/#email-based-identity--homeserver")]
pub struct EmailIdentity {
    /// The validation session.
    pub threepid_creds: Option<ThirdPartyCredentials>,
    /// The legacy list form of `threepid_creds`.
    #[uia(rename = "threepidCreds")]
    pub threepid_creds_legacy: Option<Vec<ThirdPartyCredentials>>,
    /// The session the homeserver gave.
    pub session: Option<String>,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}

/// `m.login.msisdn`: a phone number validated by SMS.
///
/// Spec: [Phone number/MSISDN-based (identity / homeserver)](https://spec.matrix.org/latest/client-server-api/#phone-numbermsisdn-based-identity--homeserver).
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
#[uia(auth_type = "m.login.msisdn", section = "Phone number/MSISDN-based (identity / homeserver)")]
#[uia(
    spec = "https://spec.matrix.org/latest/client-server-api/#phone-numbermsisdn-based-identity--homeserver"
)]
pub struct Msisdn {
    /// The validation session.
    pub threepid_creds: Option<ThirdPartyCredentials>,
    /// The legacy list form of `threepid_creds`.
    #[uia(rename = "threepidCreds")]
    pub threepid_creds_legacy: Option<Vec<ThirdPartyCredentials>>,
    /// The session the homeserver gave.
    pub session: Option<String>,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}

/// The validation credentials of a third-party stage, whichever form was sent.
fn credentials<'a>(
    current: &'a Option<ThirdPartyCredentials>,
    legacy: &'a Option<Vec<ThirdPartyCredentials>>,
) -> Option<&'a ThirdPartyCredentials> {
    current.as_ref().or_else(|| legacy.as_ref()?.first())
}

impl EmailIdentity {
    /// The stage for a validation session, in its current form (`threepid_creds`).
    pub fn new(credentials: ThirdPartyCredentials, session: Option<String>) -> Self {
        EmailIdentity {
            threepid_creds: Some(credentials),
            threepid_creds_legacy: None,
            session,
            extra: JsonObject::new(),
        }
    }

    /// The validation session: `threepid_creds`, or the first of the legacy `threepidCreds`.
    pub fn credentials(&self) -> Option<&ThirdPartyCredentials> {
        credentials(&self.threepid_creds, &self.threepid_creds_legacy)
    }
}

impl Msisdn {
    /// The stage for a validation session, in its current form (`threepid_creds`).
    pub fn new(credentials: ThirdPartyCredentials, session: Option<String>) -> Self {
        Msisdn {
            threepid_creds: Some(credentials),
            threepid_creds_legacy: None,
            session,
            extra: JsonObject::new(),
        }
    }

    /// The validation session: `threepid_creds`, or the first of the legacy `threepidCreds`.
    pub fn credentials(&self) -> Option<&ThirdPartyCredentials> {
        credentials(&self.threepid_creds, &self.threepid_creds_legacy)
    }
}

/// Declare an auth dict that carries nothing but its type and the session.
macro_rules! session_only_stage {
    ($(#[$meta:meta])* $name:ident, $auth_type:literal, $section:literal, $spec:literal) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Uia)]
        #[non_exhaustive]
        #[uia(new, auth_type = $auth_type, section = $section, spec = $spec)]
        pub struct $name {
            /// The session the homeserver gave.
            pub session: Option<String>,
            /// Keys the spec does not define, kept.
            #[uia(extra)]
            pub extra: JsonObject,
        }
    };
}

session_only_stage!(
    /// `m.login.dummy`: always succeeds.
    ///
    /// Spec: [Dummy Auth](https://spec.matrix.org/latest/client-server-api/#dummy-auth).
    Dummy,
    "m.login.dummy",
    "Dummy Auth",
    "https://spec.matrix.org/latest/client-server-api/#dummy-auth"
);

session_only_stage!(
    /// `m.login.terms`: the user accepted every policy the server presented.
    ///
    /// Spec: [Terms of service at registration](https://spec.matrix.org/latest/client-server-api/#terms-of-service-at-registration).
    Terms,
    "m.login.terms",
    "Terms of service at registration",
    "https://spec.matrix.org/latest/client-server-api/#terms-of-service-at-registration"
);

session_only_stage!(
    /// `m.login.sso`: single sign-on; completed through the fallback page.
    ///
    /// Spec: [Single Sign-On](https://spec.matrix.org/latest/client-server-api/#single-sign-on).
    Sso,
    "m.login.sso",
    "Single Sign-On",
    "https://spec.matrix.org/latest/client-server-api/#single-sign-on"
);

session_only_stage!(
    /// `m.oauth`: approval in the homeserver's OAuth account management UI.
    ///
    /// Spec: [OAuth authentication](https://spec.matrix.org/latest/client-server-api/#oauth-authentication).
    OAuth,
    "m.oauth",
    "OAuth authentication",
    "https://spec.matrix.org/latest/client-server-api/#oauth-authentication"
);

/// `m.login.registration_token`: a token that allows registration.
///
/// Spec: [Token-authenticated registration](https://spec.matrix.org/latest/client-server-api/#token-authenticated-registration).
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
#[uia(new, auth_type = "m.login.registration_token", section = "Token-authenticated registration")]
#[uia(spec = "https://spec.matrix.org/latest/client-server-api/#token-authenticated-registration")]
pub struct RegistrationToken {
    /// The registration token.
    #[uia(secret)]
    pub token: String,
    /// The session the homeserver gave.
    pub session: Option<String>,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}

/// An auth dict with only the session: the client says that a stage was
/// completed out of band (through the fallback page, an email link, OAuth).
///
/// Spec: [Fallback](https://spec.matrix.org/latest/client-server-api/#fallback).
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
#[uia(new, section = "Fallback", section = "OAuth authentication", section = "OAuth2-based")]
#[uia(spec = "https://spec.matrix.org/latest/client-server-api/#fallback")]
pub struct FallbackAcknowledgement {
    /// The session the homeserver gave.
    pub session: String,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}

/// An auth dict of a type this crate does not know, kept whole.
///
/// Its type is never one [`AuthData`] has a variant for: parsing gives
/// that variant, and [`CustomAuthData::new`] refuses it, so a match on
/// [`AuthData`] sees every password stage in [`AuthData::Password`].
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
pub struct CustomAuthData {
    /// The `type`, e.g. `org.example.custom`.
    #[uia(rename = "type")]
    auth_type: String,
    /// The session the homeserver gave.
    pub session: Option<String>,
    /// Every other key.
    #[uia(extra)]
    pub extra: JsonObject,
}

/// The `auth` dict of a request: one variant per auth type.
///
/// Parsing reads the input once: keys before `"type"` are buffered, the rest
/// go straight into the variant's struct. A dict with `session` and no
/// `"type"` is a [`FallbackAcknowledgement`]; an unknown type is kept whole
/// as [`AuthData::Custom`].
///
/// Spec: [User-interactive API in the REST API](https://spec.matrix.org/latest/client-server-api/#user-interactive-api-in-the-rest-api).
#[derive(Clone, PartialEq, Debug, Uia)]
#[non_exhaustive]
#[uia(section = "User-interactive API in the REST API")]
#[uia(spec = "https://spec.matrix.org/latest/client-server-api/#user-interactive-api-in-the-rest-api")]
pub enum AuthData {
    /// `m.login.password`
    #[uia(auth_type = "m.login.password")]
    Password(Password),
    /// `m.login.recaptcha`
    #[uia(auth_type = "m.login.recaptcha")]
    ReCaptcha(ReCaptcha),
    /// `m.login.oauth2`
    #[uia(auth_type = "m.login.oauth2")]
    OAuth2(OAuth2),
    /// `m.login.email.identity`
    #[uia(auth_type = "m.login.email.identity")]
    EmailIdentity(EmailIdentity),
    /// `m.login.msisdn`
    #[uia(auth_type = "m.login.msisdn")]
    Msisdn(Msisdn),
    /// `m.login.token`
    #[uia(auth_type = "m.login.token")]
    Token(Token),
    /// `m.login.dummy`
    #[uia(auth_type = "m.login.dummy")]
    Dummy(Dummy),
    /// `m.login.sso`
    #[uia(auth_type = "m.login.sso")]
    Sso(Sso),
    /// `m.login.registration_token`
    #[uia(auth_type = "m.login.registration_token")]
    RegistrationToken(RegistrationToken),
    /// `m.login.terms`
    #[uia(auth_type = "m.login.terms")]
    Terms(Terms),
    /// `m.oauth`
    #[uia(auth_type = "m.oauth")]
    OAuth(OAuth),
    /// `{"session": …}` alone.
    #[uia(untagged)]
    FallbackAcknowledgement(FallbackAcknowledgement),
    /// Any other type.
    #[uia(other)]
    Custom(CustomAuthData),
}

impl CustomAuthData {
    /// An auth dict of type `auth_type`, refused when `auth_type` is one
    /// [`AuthData`] has a variant for (build that variant instead).
    pub fn new(auth_type: impl Into<String>, session: Option<String>) -> Result<Self, KnownTypeError> {
        let auth_type = check_unknown::<AuthData>(auth_type.into())?;
        Ok(CustomAuthData { auth_type, session, extra: JsonObject::new() })
    }

    /// The `type`, e.g. `org.example.custom`.
    pub fn auth_type(&self) -> &str {
        &self.auth_type
    }
}

impl AuthData {
    /// The auth type of the stage, or `None` for a fallback acknowledgement.
    pub fn auth_type(&self) -> Option<AuthType> {
        self.type_tag().map(AuthType::from)
    }

    /// The session the dict names, if any.
    pub fn session(&self) -> Option<&str> {
        TaggedEnum::session(self)
    }
}
