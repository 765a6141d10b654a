//! Ruma-style string enums: known values as variants, any other string kept.

/// A string a string enum did not know, kept verbatim. Its field is private so
/// that a known value can never be built as "custom".
#[doc(hidden)]
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PrivOwnedStr(pub(crate) Box<str>);

/// Declare a string enum: `Variant = "wire string"`, plus a hidden `_Custom`
/// variant for any other string. Serializes as the string; parses any string.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
            #[doc(hidden)]
            _Custom($crate::model::string_enum::PrivOwnedStr),
        }

        impl $name {
            /// Every value the spec defines.
            pub const KNOWN: &'static [&'static str] = &[$($value),*];

            /// The string on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )*
                    Self::_Custom(s) => &s.0,
                }
            }

            /// Whether this is a value the spec defines.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::_Custom(_))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $value => Self::$variant, )*
                    other => Self::_Custom($crate::model::string_enum::PrivOwnedStr(other.into())),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $( $value => Self::$variant, )*
                    _ => Self::_Custom($crate::model::string_enum::PrivOwnedStr(s.into())),
                }
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Debug::fmt(self.as_str(), f)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let key = $crate::__private::Key::deserialize(deserializer)?;
                Ok(Self::from(&*key))
            }
        }

        #[cfg(feature = "schema")]
        #[cfg_attr(docsrs, doc(cfg(feature = "schema")))]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }

            fn inline_schema() -> bool {
                true
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                // Any string is accepted and kept; the known ones are listed for readers.
                schemars::json_schema!({ "type": "string", "examples": Self::KNOWN })
            }
        }
    };
}

pub(crate) use string_enum;
