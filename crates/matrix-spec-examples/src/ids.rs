//! Stable example ids.
//!
//! An id is `<section slug path>/<ordinal>`: the slugs of the innermost two
//! headings (more when two sections would otherwise share a prefix) and the
//! block's 1-based position in its section. So an id changes only when its own
//! section changes, not when unrelated text moves, and it survives the spec's
//! reorganisations that keep the section titles (RST → Markdown, new parent
//! headings), which is what lets bindings work on revisions never seen.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use crate::block::Heading;

/// Prefix for blocks that come before the first heading. A slug is letters,
/// digits and `-` (`block::slugify`), so no section, not even one titled
/// "Preamble", can have this prefix.
const PREAMBLE: &str = "_preamble";

/// How many innermost headings an id names when that is unambiguous.
const MIN_DEPTH: usize = 2;

/// A section as ids see it: its path of slugs (titles that slug alike are one section).
#[derive(Clone, Copy)]
struct Key<'a>(&'a [Heading]);

impl<'a> Key<'a> {
    fn slugs(self) -> impl Iterator<Item = &'a str> {
        self.0.iter().map(|h| h.slug.as_str())
    }

    /// The innermost `n` headings (all of them when there are fewer).
    fn suffix(self, n: usize) -> Key<'a> {
        Key(&self.0[self.0.len().saturating_sub(n)..])
    }
}

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && self.slugs().eq(other.slugs())
    }
}

impl Eq for Key<'_> {}

impl Hash for Key<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for slug in self.slugs() {
            slug.hash(state);
        }
    }
}

/// One id per entry of `sections` (the heading path of each block, in document order).
pub(crate) fn assign<'a>(sections: impl IntoIterator<Item = &'a [Heading]>) -> Vec<String> {
    // Each block's section as an index into the distinct sections, in order of appearance.
    let mut distinct: Vec<Key<'_>> = Vec::new();
    let mut index: HashMap<Key<'_>, usize> = HashMap::new();
    let blocks: Vec<usize> = sections
        .into_iter()
        .map(|headings| {
            let key = Key(headings);
            *index.entry(key).or_insert_with(|| {
                distinct.push(key);
                distinct.len() - 1
            })
        })
        .collect();

    let prefixes: Vec<String> = distinct.iter().map(|key| prefix(*key, &distinct)).collect();
    let mut ordinals = vec![0usize; distinct.len()];
    blocks
        .into_iter()
        .map(|section| {
            ordinals[section] += 1;
            format!("{}/{}", prefixes[section], ordinals[section])
        })
        .collect()
}

/// The shortest suffix of `key` (at least [`MIN_DEPTH`] headings) that no other
/// section's suffix of the same length equals.
///
/// Two sections never share a prefix: the prefix names its headings, so two
/// equal prefixes are suffixes of one length `d`; a section stops short of
/// its full path only at a length where no other section's suffix is its
/// own, so `d` is the full length of both, and the two are one section.
fn prefix(key: Key<'_>, all: &[Key<'_>]) -> String {
    if key.0.is_empty() {
        return PREAMBLE.to_owned();
    }
    let depth = (MIN_DEPTH..=key.0.len())
        .find(|&n| all.iter().all(|other| *other == key || other.suffix(n) != key.suffix(n)))
        .unwrap_or(key.0.len());
    let slugs: Vec<&str> = key.suffix(depth.max(1)).slugs().collect();
    slugs.join("/")
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
        assert_eq!(ids, ["login/account/example/1", "register/account/example/1", "logout/1", "_preamble/1"]);
    }

    #[test]
    fn a_section_titled_preamble_is_not_the_blocks_before_any_heading() {
        // Found by fuzzing `markdown`: both were `preamble/1`.
        let preamble = path(&["Preamble"]);
        let ids = assign([[].as_slice(), preamble.as_slice(), [].as_slice()]);
        assert_eq!(ids, ["_preamble/1", "preamble/1", "_preamble/2"]);
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
