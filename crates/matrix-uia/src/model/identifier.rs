//! [`UserIdentifier`]: who a stage is about.

use matrix_uia_derive::Uia;

use super::custom::{KnownTypeError, check_unknown};
use crate::{JsonObject, TaggedEnum};

/// `m.id.user`: a user by their Matrix ID or its localpart.
///
/// Spec: [Matrix User ID](https://spec.matrix.org/latest/client-server-api/#matrix-user-id).
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
#[uia(new, id_type = "m.id.user", section = "Matrix User ID")]
#[uia(spec = "https://spec.matrix.org/latest/client-server-api/#matrix-user-id")]
pub struct UserId {
    /// The fully qualified user ID, or just its localpart.
    pub user: String,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}

/// `m.id.thirdparty`: a user by a third-party identifier bound to their account.
///
/// Spec: [Third-party ID](https://spec.matrix.org/latest/client-server-api/#third-party-id).
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
#[uia(new, id_type = "m.id.thirdparty", section = "Third-party ID")]
#[uia(spec = "https://spec.matrix.org/latest/client-server-api/#third-party-id")]
pub struct ThirdPartyId {
    /// The medium: `email` or `msisdn`.
    pub medium: String,
    /// The canonicalised third-party address.
    pub address: String,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}

/// `m.id.phone`: a user by a phone number as they entered it.
///
/// Spec: [Phone number](https://spec.matrix.org/latest/client-server-api/#phone-number).
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
#[uia(new, id_type = "m.id.phone", section = "Phone number")]
#[uia(spec = "https://spec.matrix.org/latest/client-server-api/#phone-number")]
pub struct PhoneNumber {
    /// The ISO-3166-1 alpha-2 country code the number is dialled from.
    pub country: String,
    /// The phone number.
    pub phone: String,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}

/// An identifier type this crate does not know, kept whole.
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
pub struct CustomIdentifier {
    /// The `type`, e.g. `org.example.id`.
    #[uia(rename = "type")]
    id_type: String,
    /// Every other key.
    #[uia(extra)]
    pub extra: JsonObject,
}

/// A user identifier: the `identifier` of a password auth dict or a login.
///
/// Spec: [Identifier types](https://spec.matrix.org/latest/client-server-api/#identifier-types).
#[derive(Clone, PartialEq, Debug, Uia)]
#[non_exhaustive]
#[uia(section = "Identifier types")]
#[uia(spec = "https://spec.matrix.org/latest/client-server-api/#identifier-types")]
pub enum UserIdentifier {
    /// `m.id.user`
    #[uia(id_type = "m.id.user")]
    UserId(UserId),
    /// `m.id.thirdparty`
    #[uia(id_type = "m.id.thirdparty")]
    ThirdPartyId(ThirdPartyId),
    /// `m.id.phone`
    #[uia(id_type = "m.id.phone")]
    PhoneNumber(PhoneNumber),
    /// Any other `type`, kept whole.
    #[uia(other)]
    Custom(CustomIdentifier),
}

impl UserIdentifier {
    /// `m.id.user` for `user`.
    pub fn user(user: impl Into<String>) -> Self {
        UserIdentifier::UserId(UserId::new(user))
    }

    /// `m.id.thirdparty` for `medium` and `address`.
    pub fn third_party(medium: impl Into<String>, address: impl Into<String>) -> Self {
        UserIdentifier::ThirdPartyId(ThirdPartyId::new(medium, address))
    }

    /// The identifier's `type`, e.g. `m.id.user`.
    pub fn id_type(&self) -> &str {
        // Every variant has a type: a tag, or the custom one's own.
        self.type_tag().unwrap_or_default()
    }
}

impl CustomIdentifier {
    /// An identifier of type `id_type`, refused when `id_type` is one
    /// [`UserIdentifier`] has a variant for (build that variant instead).
    pub fn new(id_type: impl Into<String>, extra: JsonObject) -> Result<Self, KnownTypeError> {
        Ok(CustomIdentifier { id_type: check_unknown::<UserIdentifier>(id_type.into())?, extra })
    }

    /// The `type`, e.g. `org.example.id`.
    pub fn id_type(&self) -> &str {
        &self.id_type
    }
}
