//! [`UiaaRequest`]: a request body with its optional `auth` dict.

use serde::de::{DeserializeOwned, Error as _};
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::auth_data::AuthData;
use crate::{JsonObject, SpecType};

/// The body of a request to an endpoint that uses UIA: the endpoint's own
/// fields (`T`, by default any JSON object) and, from the second attempt on,
/// the `auth` dict.
///
/// Spec: [User-interactive API in the REST API](https://spec.matrix.org/latest/client-server-api/#user-interactive-api-in-the-rest-api).
#[derive(Clone, Debug, PartialEq)]
pub struct UiaaRequest<T = JsonObject> {
    /// The stage the client attempts, or `None` on the first request.
    pub auth: Option<AuthData>,
    /// The endpoint's own fields. They must serialize to a JSON object.
    pub body: T,
}

impl<T> UiaaRequest<T> {
    /// A request with these fields and no `auth`.
    pub fn new(body: T) -> Self {
        UiaaRequest { auth: None, body }
    }

    /// The same request with `auth`: how a client retries after a 401.
    pub fn with_auth(self, auth: AuthData) -> Self {
        UiaaRequest { auth: Some(auth), body: self.body }
    }
}

impl<T: Serialize> Serialize for UiaaRequest<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Value::Object(mut fields) = serde_json::to_value(&self.body).map_err(S::Error::custom)? else {
            return Err(S::Error::custom("the body of a UIA request must be a JSON object"));
        };
        if let Some(auth) = &self.auth {
            fields.insert("auth".to_owned(), serde_json::to_value(auth).map_err(S::Error::custom)?);
        }
        fields.serialize(serializer)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for UiaaRequest<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut fields = crate::__private::deserialize_unique_object(deserializer)?;
        let auth = match fields.remove("auth") {
            None | Some(Value::Null) => None,
            Some(auth) => {
                Some(AuthData::deserialize(auth).map_err(|e| D::Error::custom(format_args!("auth: {e}")))?)
            }
        };
        let body = T::deserialize(Value::Object(fields)).map_err(D::Error::custom)?;
        Ok(UiaaRequest { auth, body })
    }
}

/// Read and written through serde: the body is the endpoint's, of any type,
/// and `auth` is the one key the request itself reads.
#[cfg(feature = "schema")]
#[cfg_attr(docsrs, doc(cfg(feature = "schema")))]
impl<T: schemars::JsonSchema> schemars::JsonSchema for UiaaRequest<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Owned(format!("UiaaRequest_{}", T::schema_name()))
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let body = generator.subschema_for::<T>().to_value();
        let auth = crate::__private::field_schema(
            generator.subschema_for::<AuthData>(),
            "The stage the client attempts; absent on the first request.",
        );
        let schema = serde_json::json!({
            "title": "UiaaRequest",
            "description": <Self as SpecType>::DESCRIPTION,
            "allOf": [
                body,
                { "type": "object", "properties": { "auth": auth } }
            ]
        });
        schemars::Schema::try_from(schema).unwrap_or_default()
    }
}

impl<T> SpecType for UiaaRequest<T> {
    const NAME: &'static str = "UiaaRequest";
    const TAG: Option<&'static str> = None;
    const PARAMS_FOR: Option<&'static str> = None;
    const SECTIONS: &'static [&'static str] = &["User-interactive API in the REST API"];
    const SPEC_URL: &'static str =
        "https://spec.matrix.org/latest/client-server-api/#user-interactive-api-in-the-rest-api";
    const DESCRIPTION: &'static str = "The body of a request to an endpoint that uses UIA: the endpoint's own \
        fields and, from the second attempt on, the `auth` dict with the stage the client attempts.";
}
