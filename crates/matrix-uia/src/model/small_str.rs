//! [`SmallStr`]: a string that costs no allocation while it is short.

/// A string kept in place while it is at most `N` bytes (`N` < 256), and on
/// the heap once longer. The auth types and error codes a spec does not
/// define are mostly that short.
#[derive(Clone)]
pub(crate) enum SmallStr<const N: usize> {
    Inline { len: u8, bytes: [u8; N] },
    Heap(Box<str>),
}

impl<const N: usize> SmallStr<N> {
    /// The bytes of the string, without checking them again.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            SmallStr::Inline { len, bytes } => &bytes[..usize::from(*len)],
            SmallStr::Heap(s) => s.as_bytes(),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            // The bytes were copied from a `&str` whole, so they are UTF-8.
            SmallStr::Inline { len, bytes } => std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or(""),
            SmallStr::Heap(s) => s,
        }
    }
}

impl<const N: usize> From<&str> for SmallStr<N> {
    fn from(s: &str) -> Self {
        match u8::try_from(s.len()) {
            Ok(len) if s.len() <= N => {
                let mut bytes = [0; N];
                bytes[..s.len()].copy_from_slice(s.as_bytes());
                SmallStr::Inline { len, bytes }
            }
            _ => SmallStr::Heap(s.into()),
        }
    }
}

impl<const N: usize> From<String> for SmallStr<N> {
    fn from(s: String) -> Self {
        if s.len() <= N { SmallStr::from(s.as_str()) } else { SmallStr::Heap(s.into_boxed_str()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_strings_stay_in_place_and_long_ones_go_to_the_heap() {
        for (s, inline) in [("", true), ("abc", true), ("dé", true), ("xyzw", false), ("éé", false)] {
            let small = SmallStr::<3>::from(s);
            assert_eq!(small.as_str(), s);
            assert_eq!(matches!(small, SmallStr::Inline { .. }), inline, "{s}");
            assert_eq!(SmallStr::<3>::from(s.to_owned()).as_str(), s);
        }
        let long = "é".repeat(200);
        assert_eq!(SmallStr::<255>::from(long.as_str()).as_str(), long);
    }
}
