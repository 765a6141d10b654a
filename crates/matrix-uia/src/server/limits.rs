//! The engine's limits: per session, per identity across sessions, and on
//! how many sessions one client may hold.
//!
//! See [`EngineConfig`].

use std::time::Duration;

use crate::{AuthData, UserIdentifier};

/// At most `max` failures in a window of `window`; the window starts at the
/// first failure and the count starts again when it ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Failures allowed in the window; the next attempt answers 429.
    pub max: u32,
    /// How long the count lasts.
    pub window: Duration,
}

impl Limit {
    /// `max` failures per `window`.
    pub const fn new(max: u32, window: Duration) -> Self {
        Limit { max, window }
    }

    /// The window in milliseconds.
    pub fn window_ms(&self) -> u64 {
        u64::try_from(self.window.as_millis()).unwrap_or(u64::MAX)
    }
}

/// Limits of the engine. Every limit answers 429 `M_LIMIT_EXCEEDED` with
/// `retry_after_ms`; `None` turns a limit off.
///
/// The counts live in the store, so that every worker sharing it sees the
/// same ones:
///
/// - failures per session ([`max_failures`](Self::max_failures));
/// - failures per user across sessions ([`failures_per_user`](Self::failures_per_user)):
///   the user a password stage names and the requester count as one
///   identity, keyed by the lower-cased localpart, so that `Alice`,
///   `@alice:example.org` and the access token of `@alice:example.org` share
///   one count (a third-party identifier is its own key);
/// - failures per client address ([`failures_per_address`](Self::failures_per_address)),
///   when the homeserver passes [`IncomingRequest::client_address`](super::IncomingRequest::client_address);
/// - live sessions per client address and per requester
///   ([`sessions_per_address`](Self::sessions_per_address),
///   [`sessions_per_requester`](Self::sessions_per_requester)): one client
///   cannot grow the store without bound.
///
/// An attempt is counted before its stage is checked and given back when it
/// passes, so that concurrent guesses cannot overrun a limit: at most `max`
/// attempts are failing or being checked in a window, whatever the
/// concurrency. A limited client learns nothing from its attempt, not even
/// from the right password.
///
/// # Compared with Synapse
///
/// Synapse limits `/login` with `rc_login.failed_attempts` (keyed by the
/// lower-cased user ID; 3 at once, then one every 6 s by default) and
/// `rc_login.address` (per IP). For UIA it declares
/// `AuthHandler._failed_uia_attempts_ratelimiter`, with the same settings and
/// keyed by the requester, but the limiter is never reached: it records a
/// failure only when a `LoginError` escapes `check_ui_auth`, which catches a
/// wrong password's `LoginError` itself and answers the 401 challenge
/// (`synapse/handlers/auth.py`, 1.163.2: checked at line 352, recorded at
/// 371–375, caught at 589, 401 raised at 615). On the Synapse 1.163.2 of
/// the interop tests with default `rc_login`, 20 wrong passwords on
/// `POST /delete_devices`, each in a new session, all got 401 `M_FORBIDDEN`
/// and the right password straight after got 200; 20 in one session, the
/// same; `/login` answered 429 from the 4th wrong attempt
/// (`tests/interop/synapse-probe/results.md`, probe 6). Synapse neither
/// caps sessions per client; its sessions are removed 48 hours after
/// creation.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EngineConfig {
    /// How long a session lives after it is created.
    pub session_lifetime: Duration,
    /// Failed attempts a session allows; the next attempt answers 429.
    pub max_failures: u32,
    /// Failed attempts one user may make across sessions: the user a
    /// password stage names, and the requester.
    pub failures_per_user: Option<Limit>,
    /// Failed attempts from one client address, over every user it tries.
    pub failures_per_address: Option<Limit>,
    /// Live (unexpired, unused) sessions one client address may hold.
    pub sessions_per_address: Option<u32>,
    /// Live sessions one requester (an access token's user) may hold.
    pub sessions_per_requester: Option<u32>,
}

impl Default for EngineConfig {
    /// Ten failures per session and per user in 15 minutes, 100 per address;
    /// 100 live sessions per address and 20 per requester, sessions living
    /// 30 minutes.
    fn default() -> Self {
        const WINDOW: Duration = Duration::from_secs(15 * 60);
        EngineConfig {
            session_lifetime: Duration::from_secs(30 * 60),
            max_failures: 10,
            failures_per_user: Some(Limit::new(10, WINDOW)),
            failures_per_address: Some(Limit::new(100, WINDOW)),
            sessions_per_address: Some(100),
            sessions_per_requester: Some(20),
        }
    }
}

impl EngineConfig {
    /// The session lifetime in milliseconds.
    pub(crate) fn lifetime_ms(&self) -> u64 {
        u64::try_from(self.session_lifetime.as_millis()).unwrap_or(u64::MAX)
    }

    /// The counters an attempt at `auth` is charged to, each with its limit:
    /// the user it names or the requester (one key when they are the same
    /// user), and the client address.
    pub(crate) fn charges(
        &self,
        auth: &AuthData,
        requester: Option<&str>,
        address: Option<&str>,
    ) -> Vec<(String, Limit)> {
        let mut keys = Vec::new();
        if let Some(limit) = self.failures_per_user {
            let named = match auth {
                AuthData::Password(password) => password.identifier().map(|id| identity_key(&id)),
                _ => None,
            };
            for key in [named, requester.map(user_key)].into_iter().flatten() {
                if !keys.iter().any(|(k, _)| *k == key) {
                    keys.push((key, limit));
                }
            }
        }
        if let (Some(limit), Some(address)) = (self.failures_per_address, address) {
            keys.push((format!("address {address}"), limit));
        }
        keys
    }
}

/// The counter of a user named by a user ID or a bare localpart: the
/// localpart, lower-cased. A homeserver's users are its own, so the server
/// name adds nothing, and case-folding only merges counts, never splits them.
fn user_key(name: &str) -> String {
    let localpart = name.strip_prefix('@').map_or(name, |full| full.split_once(':').map_or(full, |(l, _)| l));
    let mut key = String::with_capacity(5 + localpart.len());
    key.push_str("user ");
    key.extend(localpart.chars().flat_map(char::to_lowercase));
    key
}

/// The counter of the identity a password stage names.
fn identity_key(identifier: &UserIdentifier) -> String {
    match identifier {
        UserIdentifier::UserId(user) => user_key(&user.user),
        UserIdentifier::ThirdPartyId(third_party) => {
            format!("3pid {} {}", third_party.medium, third_party.address.to_lowercase())
        }
        UserIdentifier::PhoneNumber(phone) => format!("phone {} {}", phone.country, phone.phone),
        other => format!("identifier {}", serde_json::to_string(other).unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password(user: &str) -> AuthData {
        serde_json::from_value(serde_json::json!({
            "type": "m.login.password", "identifier": {"type": "m.id.user", "user": user}, "password": "x"
        }))
        .unwrap()
    }

    #[test]
    fn a_user_is_one_identity_however_it_is_spelled() {
        let config = EngineConfig::default();
        for spelling in ["alice", "Alice", "@alice:example.org", "@ALICE:other.example"] {
            let keys = config.charges(&password(spelling), Some("@alice:example.org"), None);
            assert_eq!(keys.len(), 1, "{spelling}: {keys:?}");
            assert_eq!(keys[0].0, "user alice");
        }
    }

    #[test]
    fn a_named_user_and_another_requester_are_both_charged_and_the_address_too() {
        let config = EngineConfig::default();
        let keys = config.charges(&password("bob"), Some("@alice:example.org"), Some("192.0.2.7"));
        let names: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["user bob", "user alice", "address 192.0.2.7"]);
    }

    #[test]
    fn limits_switched_off_charge_nothing() {
        let config =
            EngineConfig { failures_per_user: None, failures_per_address: None, ..Default::default() };
        assert!(config.charges(&password("bob"), Some("@alice:x"), Some("192.0.2.7")).is_empty());
    }
}
