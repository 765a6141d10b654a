//! Stable example ids.
//!
//! An id is `<section slug path>/<ordinal>`: the slugs of the innermost two
//! headings (more when two sections would otherwise share a prefix) and the
//! block's 1-based position in its section. So an id changes only when its own
//! section changes, not when unrelated text moves, and it survives the spec's
//! reorganisations that keep the section titles (RST → Markdown, new parent
//! headings), which is what lets bindings work on revisions never seen.

use std::collections::{HashMap, HashSet};

use crate::block::Heading;

/// Prefix for blocks that come before the first heading.
const PREAMBLE: &str = "preamble";

/// How many innermost headings an id names when that is unambiguous.
const MIN_DEPTH: usize = 2;

/// One id per entry of `sections` (the heading path of each block, in document order).
pub(crate) fn assign<'a>(sections: impl IntoIterator<Item = &'a [Heading]>) -> Vec<String> {
    let keys: Vec<Vec<&str>> =
        sections.into_iter().map(|headings| headings.iter().map(|h| h.slug.as_str()).collect()).collect();

    let mut distinct: Vec<&[&str]> = Vec::new();
    let mut seen = HashSet::new();
    for key in &keys {
        if seen.insert(key.as_slice()) {
            distinct.push(key.as_slice());
        }
    }
    let prefixes: HashMap<&[&str], String> =
        distinct.iter().map(|&key| (key, prefix(key, &distinct))).collect();

    let mut ordinals: HashMap<&[&str], usize> = HashMap::new();
    keys.iter()
        .map(|key| {
            let ordinal = ordinals.entry(key.as_slice()).or_insert(0);
            *ordinal += 1;
            format!("{}/{}", prefixes[key.as_slice()], ordinal)
        })
        .collect()
}

/// The shortest suffix of `key` (at least [`MIN_DEPTH`] headings) that no other
/// section's suffix of the same length equals.
fn prefix(key: &[&str], all: &[&[&str]]) -> String {
    if key.is_empty() {
        return PREAMBLE.to_owned();
    }
    fn suffix<'k, 's>(k: &'k [&'s str], n: usize) -> &'k [&'s str] {
        &k[k.len().saturating_sub(n)..]
    }
    let depth = (MIN_DEPTH..=key.len())
        .find(|&n| all.iter().all(|other| *other == key || suffix(other, n) != suffix(key, n)))
        .unwrap_or(key.len());
    suffix(key, depth.max(1)).join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(titles: &[&str]) -> Vec<Heading> {
        titles.iter().map(|t| Heading::new((*t).to_owned())).collect()
    }

    #[test]
    fn ids_are_the_innermost_two_slugs_and_an_ordinal() {
        let a = path(&["Client-Server API", "User-Interactive Authentication API", "Password-based"]);
        let b = path(&["Client-Server API", "User-Interactive Authentication API", "Dummy Auth"]);
        let ids = assign([a.as_slice(), a.as_slice(), b.as_slice()]);
        assert_eq!(
            ids,
            [
                "user-interactive-authentication-api/password-based/1",
                "user-interactive-authentication-api/password-based/2",
                "user-interactive-authentication-api/dummy-auth/1",
            ]
        );
    }

    #[test]
    fn clashing_suffixes_grow_until_unique() {
        let a = path(&["Login", "Account", "Example"]);
        let b = path(&["Register", "Account", "Example"]);
        let c = path(&["Logout"]);
        let ids = assign([a.as_slice(), b.as_slice(), c.as_slice(), [].as_slice()]);
        assert_eq!(ids, ["login/account/example/1", "register/account/example/1", "logout/1", "preamble/1"]);
    }

    #[test]
    fn an_id_does_not_change_when_another_section_gains_blocks() {
        let a = path(&["API", "Overview"]);
        let b = path(&["API", "Password-based"]);
        let before = assign([a.as_slice(), b.as_slice()]);
        let after = assign([a.as_slice(), a.as_slice(), b.as_slice()]);
        assert_eq!(before[1], after[2]);
    }

    #[test]
    fn same_titled_sections_share_one_ordinal_sequence() {
        let a = path(&["API", "Example"]);
        let other = path(&["API", "Other"]);
        let ids = assign([a.as_slice(), other.as_slice(), a.as_slice()]);
        assert_eq!(ids, ["api/example/1", "api/other/1", "api/example/2"]);
    }
}
