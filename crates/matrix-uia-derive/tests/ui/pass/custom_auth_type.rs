//! A user-defined auth type and an `auth` enum of their own, outside the
//! crate, with nothing but `matrix_uia` in scope: they derive, round-trip and
//! dispatch.

use matrix_uia::{CustomAuthData, Dummy, JsonObject, SpecType, TaggedEnum, Uia, VariantInfo};

/// `org.example.pin`: a PIN.
#[derive(Clone, PartialEq, Uia)]
#[uia(new, auth_type = "org.example.pin", section = "PIN")]
#[uia(spec = "https://example.org/pin")]
pub struct Pin {
    /// The PIN.
    #[uia(secret)]
    pub pin: String,
    /// The legacy name of the PIN.
    #[uia(rename = "PIN")]
    pub legacy_pin: Option<String>,
    /// The session.
    pub session: Option<String>,
    /// Unknown keys.
    #[uia(extra)]
    pub extra: JsonObject,
}

/// The auth dicts this server takes.
#[derive(Clone, PartialEq, Debug, Uia)]
pub enum MyAuth {
    /// `org.example.pin`
    #[uia(auth_type = "org.example.pin")]
    Pin(Pin),
    /// `m.login.dummy`
    #[uia(auth_type = "m.login.dummy")]
    Dummy(Dummy),
    /// Any other.
    #[uia(other)]
    Other(CustomAuthData),
}

fn main() {
    let mut extra = JsonObject::new();
    extra.insert("x_note".to_owned(), serde_json::json!({"a": [1, "b", null]}));
    // The generated constructor: the required fields and the session.
    let mut pin = Pin::new("1234", Some("s".to_owned()));
    assert_eq!((pin.pin.as_str(), pin.legacy_pin.as_ref(), pin.extra.len()), ("1234", None, 0));
    pin.extra = extra;
    let auth = MyAuth::Pin(pin.clone());

    // Round trip, with the tag written first and nothing written for `None`.
    let json = serde_json::to_value(&auth).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"type": "org.example.pin", "pin": "1234", "session": "s", "x_note": {"a": [1, "b", null]}})
    );
    assert_eq!(serde_json::from_value::<MyAuth>(json).unwrap(), auth);
    let text = serde_json::to_string(&auth).unwrap();
    assert!(text.starts_with(r#"{"type":"org.example.pin""#), "{text}");
    assert_eq!(serde_json::from_str::<MyAuth>(&text).unwrap(), auth);

    // Keys before the tag; the renamed field.
    let late = r#"{"session": "s", "PIN": "0000", "pin": "1", "type": "org.example.pin"}"#;
    let MyAuth::Pin(late) = serde_json::from_str(late).unwrap() else { panic!("not a pin") };
    assert_eq!(late.legacy_pin.as_deref(), Some("0000"));

    // The struct alone checks its tag.
    assert!(serde_json::from_str::<Pin>(r#"{"type": "m.login.dummy", "pin": "1"}"#).is_err());
    assert!(serde_json::from_str::<Pin>(r#"{"pin": "1"}"#).is_err());

    // Dispatch to a crate type and to the catch-all.
    let dummy: MyAuth = serde_json::from_str(r#"{"type": "m.login.dummy"}"#).unwrap();
    assert_eq!(dummy, MyAuth::Dummy(Dummy::new(None)));
    let other: MyAuth = serde_json::from_str(r#"{"type": "m.login.password", "password": "p"}"#).unwrap();
    let MyAuth::Other(other) = other else { panic!("not the catch-all") };
    assert_eq!(other.auth_type(), "m.login.password");
    assert_eq!(other.extra["password"], "p");

    // Debug hides the secret; the metadata is there.
    let debug = format!("{auth:?}");
    assert!(!debug.contains("1234") && debug.contains("<redacted>"), "{debug}");
    assert_eq!(<Pin as SpecType>::TAG, Some("org.example.pin"));
    assert_eq!(<Pin as SpecType>::NAME, "Pin");
    assert_eq!(<Pin as SpecType>::SECTIONS, ["PIN"]);
    assert_eq!(<Pin as SpecType>::SPEC_URL, "https://example.org/pin");
    assert_eq!(<Pin as SpecType>::DESCRIPTION, "`org.example.pin`: a PIN.");
    assert_eq!(<MyAuth as SpecType>::TAG, None);

    // The variants, listed by the derive; each value's tag and session.
    let pin_info = VariantInfo { variant: "Pin", type_name: "Pin", tag: Some("org.example.pin") };
    assert_eq!(MyAuth::VARIANTS.len(), 3);
    assert_eq!(MyAuth::VARIANTS[0], pin_info);
    assert_eq!(MyAuth::VARIANTS[2].tag, None);
    assert_eq!(*auth.variant(), pin_info);
    assert_eq!((auth.type_tag(), auth.session()), (Some("org.example.pin"), Some("s")));
    let other: MyAuth = serde_json::from_str(r#"{"type": "org.example.x", "session": "t"}"#).unwrap();
    assert_eq!((other.type_tag(), other.session(), other.variant_index()), (Some("org.example.x"), Some("t"), 2));
}
