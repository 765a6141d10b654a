//! The rule of the custom variants: they hold only types their enum does not know.

use std::fmt;

use crate::TaggedEnum;

/// A custom auth dict or identifier was asked for with a type that the
/// model has a variant for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownTypeError {
    type_tag: String,
    variant: &'static str,
}

impl KnownTypeError {
    /// The type that was refused.
    pub fn type_tag(&self) -> &str {
        &self.type_tag
    }
}

impl fmt::Display for KnownTypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is a known type: build the `{}` variant instead of a custom one",
            self.type_tag, self.variant
        )
    }
}

impl std::error::Error for KnownTypeError {}

/// `tag`, when no variant of `E` is selected by it.
pub(crate) fn check_unknown<E: TaggedEnum>(tag: String) -> Result<String, KnownTypeError> {
    match E::VARIANTS.iter().find(|v| v.tag == Some(tag.as_str())) {
        Some(known) => Err(KnownTypeError { type_tag: tag, variant: known.variant }),
        None => Ok(tag),
    }
}
