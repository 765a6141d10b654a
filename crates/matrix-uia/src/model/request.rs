//! [`UiaRequest`]: a request body with its optional `auth` dict.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{DeserializeOwned, Error as _};
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::auth_data::AuthData;
use crate::__private::{Reader, Writer};
use crate::json::Json;
use crate::json::impls::read_with_serde;
use crate::{JsonObject, SpecType};

/// The body of a request to an endpoint that uses UIA: the endpoint's own
/// fields (`T`, by default any JSON object) and, from the second attempt on,
/// the `auth` dict.
///
/// Spec: [User-interactive API in the REST API](https://spec.matrix.org/latest/client-server-api/#user-interactive-api-in-the-rest-api).
#[derive(Clone, Debug, PartialEq)]
pub struct UiaRequest<T = JsonObject> {
    /// The stage the client attempts, or `None` on the first request.
    pub auth: Option<AuthData>,
    /// The endpoint's own fields. They must serialize to a JSON object.
    pub body: T,
}

impl<T> UiaRequest<T> {
    /// A request with these fields and no `auth`.
    pub fn new(body: T) -> Self {
        UiaRequest { auth: None, body }
    }

    /// The same request with `auth`: how a client retries after a 401.
    pub fn with_auth(self, auth: AuthData) -> Self {
        UiaRequest { auth: Some(auth), body: self.body }
    }
}

impl<T: Serialize> Serialize for UiaRequest<T> {
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

impl<'de, T: DeserializeOwned> Deserialize<'de> for UiaRequest<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut fields = crate::__private::deserialize_unique_object(deserializer)?;
        let auth = match fields.remove("auth") {
            None | Some(Value::Null) => None,
            Some(auth) => {
                Some(AuthData::deserialize(auth).map_err(|e| D::Error::custom(format_args!("auth: {e}")))?)
            }
        };
        let body = T::deserialize(Value::Object(fields)).map_err(D::Error::custom)?;
        Ok(UiaRequest { auth, body })
    }
}

/// Read and written through serde: the body is the endpoint's, of any type,
/// and `auth` is the one key the request itself reads.
impl<T: Serialize + DeserializeOwned> Json for UiaRequest<T> {
    fn read_json(reader: &mut Reader<'_>) -> Option<Self> {
        read_with_serde(reader)
    }

    fn write_json(&self, writer: &mut Writer) {
        writer.serde(self);
    }
}

impl<T: JsonSchema> JsonSchema for UiaRequest<T> {
    fn schema_name() -> Cow<'static, str> {
        Cow::Owned(format!("UiaRequest_{}", T::schema_name()))
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let body = generator.subschema_for::<T>().to_value();
        let auth = generator.subschema_for::<AuthData>().to_value();
        let schema = serde_json::json!({
            "title": "UiaRequest",
            "description": <Self as SpecType>::DESCRIPTION,
            "allOf": [
                body,
                { "type": "object", "properties": { "auth": auth } }
            ]
        });
        Schema::try_from(schema).unwrap_or_default()
    }
}

impl<T> SpecType for UiaRequest<T> {
    const NAME: &'static str = "UiaRequest";
    const TAG: Option<&'static str> = None;
    const PARAMS_FOR: Option<&'static str> = None;
    const SECTIONS: &'static [&'static str] = &["User-interactive API in the REST API"];
    const SPEC_URL: &'static str =
        "https://spec.matrix.org/latest/client-server-api/#user-interactive-api-in-the-rest-api";
    const DESCRIPTION: &'static str = "The body of a request to an endpoint that uses UIA: the endpoint's own \
        fields and, from the second attempt on, the `auth` dict with the stage the client attempts.";
}
