//! The rule table, and what its scenarios share: the probe's accounts, its
//! devices, and the requests of a UIA round.
//!
//! Each rule is an independent scenario with sessions of its own. It acts
//! only on the probe's accounts and on devices the probe made by logging
//! in, and what it asks a server to do is harmless if a broken server does
//! it: delete one of the probe's devices, or set a password to the one it
//! already has.

mod binding;
mod limits;
mod shape;

use serde_json::{Value, json};

use crate::accounts::{self, Account, Device};
use crate::http::{Answer, Client, ClientError};
use crate::options::{Accounts, Options};
use crate::report::{Level, Outcome};

/// One rule: a stable id, a level, what it checks, and its scenario.
pub struct Rule {
    /// The id: stable; a new rule gets a new one.
    pub id: &'static str,
    /// Whether a fail fails the run.
    pub level: Level,
    /// What it checks, for the README and `--help`.
    pub checks: &'static str,
    /// What a server that breaks it lets happen (for the `should` rules).
    pub protects: &'static str,
    /// The scenario.
    pub run: fn(&Probe<'_>) -> Outcome,
}

use Level::{Must, Should};

/// Every rule, in the order they run. The limit rules come last: they may
/// leave their accounts throttled.
pub const RULES: &[Rule] = &[
    Rule {
        id: "first-request-401",
        level: Must,
        checks: "a request without `auth` → 401 with `flows` (each with `stages`); `params`, when sent, an object",
        protects: "",
        run: shape::first_request_401,
    },
    Rule {
        id: "failed-stage-401-errcode",
        level: Must,
        checks: "a wrong password → 401 with the UIA body (`flows`, `session`) plus `errcode` and `error`",
        protects: "",
        run: shape::failed_stage_401_errcode,
    },
    Rule {
        id: "malformed-auth-standard-error",
        level: Must,
        checks: "`auth` whose `type` is not a string → a 4xx standard error (`errcode`, no `flows`)",
        protects: "",
        run: shape::malformed_auth_standard_error,
    },
    Rule {
        id: "unknown-session",
        level: Must,
        checks: "an unknown session id → refused with a 4xx standard error, `M_UNKNOWN`",
        protects: "",
        run: shape::unknown_session,
    },
    Rule {
        id: "completed-in-401",
        level: Should,
        checks: "the 401 after a failed attempt lists `completed`",
        protects: "clients that read `completed` to find the next stage after a retry",
        run: shape::completed_in_401,
    },
    Rule {
        id: "uri-binding",
        level: Must,
        checks: "a session started on one endpoint, used on another → refused, and nothing done",
        protects: "",
        run: binding::uri_binding,
    },
    Rule {
        id: "body-binding",
        level: Should,
        checks: "the same endpoint with another body (another device list) → refused, and nothing done",
        protects: "a user who authenticated deleting one device having another deleted under the same session",
        run: binding::body_binding,
    },
    Rule {
        id: "replay-after-success",
        level: Should,
        checks: "a session-only `auth` after the request succeeded → refused",
        protects: "a completed session being replayed, without credentials, to repeat the request",
        run: binding::replay_after_success,
    },
    Rule {
        id: "stage-not-offered",
        level: Should,
        checks: "a stage that is in no offered flow → refused, and not listed in `completed`",
        protects: "a stage that proves nothing (`m.login.dummy`) counting towards a flow that never offered it",
        run: binding::stage_not_offered,
    },
    Rule {
        id: "stage-order",
        level: Should,
        checks: "a later stage of a multi-stage flow sent first → refused",
        protects: "a flow's stages being completed in an order its designer did not allow",
        run: binding::stage_order,
    },
    Rule {
        id: "other-user-password",
        level: Must,
        checks: "user A's token with user B's identifier and B's correct password → refused",
        protects: "",
        run: binding::other_user_password,
    },
    Rule {
        id: "cross-user-session",
        level: Must,
        checks: "a session user A started, continued under user B's token with B's password → refused",
        protects: "",
        run: binding::cross_user_session,
    },
    Rule {
        id: "concurrent-completion",
        level: Must,
        checks: "20 concurrent completing requests on one session → at most one succeeds",
        protects: "",
        run: limits::concurrent_completion,
    },
    Rule {
        id: "session-id-entropy",
        level: Should,
        checks: "32 session ids are unique, and their length × log2(alphabet) ≥ 128 bits",
        protects: "session ids being guessed by someone who did not start the session",
        run: limits::session_id_entropy,
    },
    Rule {
        id: "failure-limit-session",
        level: Should,
        checks: "wrong passwords in one session → 429 `M_LIMIT_EXCEEDED` within 20 attempts",
        protects: "online password guessing through one UIA session",
        run: limits::failure_limit_session,
    },
    Rule {
        id: "failure-limit-identity",
        level: Should,
        checks: "wrong passwords for one user, each in a new session → 429 within 20 attempts",
        protects: "online password guessing that starts a new session for every guess",
        run: limits::failure_limit_identity,
    },
];

/// The rule table as JSON lines: id, level, what it checks, what it
/// protects, in that order whatever serde_json's features.
pub fn list() -> String {
    #[derive(serde::Serialize)]
    struct Line {
        id: &'static str,
        level: Level,
        checks: &'static str,
        protects: &'static str,
    }
    RULES
        .iter()
        .map(|rule| {
            let line = Line { id: rule.id, level: rule.level, checks: rule.checks, protects: rule.protects };
            format!("{}\n", serde_json::to_string(&line).unwrap_or_default())
        })
        .collect()
}

pub(crate) const DELETE_DEVICES: &str = "/_matrix/client/v3/delete_devices";
pub(crate) const CHANGE_PASSWORD: &str = "/_matrix/client/v3/account/password";
pub(crate) const REGISTER: &str = "/_matrix/client/v3/register";
const WHOAMI: &str = "/_matrix/client/v3/account/whoami";

/// A step of a scenario: its value, or the rule's outcome now (a skip
/// because the scenario cannot go on here, or the evidence of a fail).
pub type Step<T> = Result<T, Outcome>;

/// What the scenarios share.
pub struct Probe<'a> {
    /// The server.
    pub client: &'a Client,
    /// The command line.
    pub options: &'a Options,
    /// The first account.
    pub a: Account,
    /// A second account, when the probe registers its own.
    pub b: Option<Account>,
}

impl From<ClientError> for Outcome {
    fn from(error: ClientError) -> Self {
        Outcome::Skip(error.to_string())
    }
}

impl Probe<'_> {
    /// The second account, or the skip that says why there is none.
    pub fn second(&self) -> Step<&Account> {
        self.b.as_ref().ok_or_else(|| Outcome::Skip("needs a second account: run with --register".to_owned()))
    }

    /// A fresh account for a scenario that may leave it throttled.
    pub fn throwaway(&self) -> Step<Account> {
        match self.options.accounts {
            Accounts::Register => accounts::register(self.client, self.options.registration_token.as_deref())
                .map_err(|why| Outcome::Skip(format!("no fresh account: {why}"))),
            Accounts::Given { .. } => Err(Outcome::Skip(
                "needs fresh accounts (run with --register): it would leave the given account throttled"
                    .to_owned(),
            )),
        }
    }

    /// A new device of `account`'s, for a scenario to act on.
    pub fn device(&self, account: &Account) -> Step<Device> {
        accounts::log_in(self.client, &account.login, &account.password)
            .map(|(_, device)| device)
            .map_err(|why| Outcome::Skip(format!("no device to act on: {why}")))
    }

    /// Whether `device` still exists: its token still works (200), or not
    /// (401 `M_UNKNOWN_TOKEN`). Anything else says neither: a skip.
    pub fn alive(&self, device: &Device) -> Step<bool> {
        let answer = self.client.get(WHOAMI, Some(&device.token))?;
        match (answer.status, answer.errcode()) {
            (200, _) => Ok(true),
            (401, Some("M_UNKNOWN_TOKEN")) => Ok(false),
            (status, _) => Err(Outcome::Skip(format!(
                "cannot tell whether a device still exists: {WHOAMI} answered {status}"
            ))),
        }
    }

    /// The first request of a round: `body` to `path` as `token`'s user, no
    /// `auth`. A scenario that needs the round goes on only after a 401 with
    /// a session.
    pub fn start(&self, path: &str, token: Option<&str>, body: &Value) -> Step<(Answer, String)> {
        let answer = self.client.post(path, token, body)?;
        match answer.session() {
            Some(session) if answer.is_uia() => {
                let session = session.to_owned();
                Ok((answer, session))
            }
            _ => Err(Outcome::Skip(format!(
                "{path} did not answer its first request with a UIA 401 and a session ({}): see first-request-401",
                answer.status
            ))),
        }
    }

    /// The first request of deleting `device` as `account`, when a flow of
    /// the password stage alone is offered.
    pub fn start_delete(&self, account: &Account, device: &Device) -> Step<String> {
        let (first, session) = self.start(DELETE_DEVICES, Some(&account.token), &devices(device))?;
        if !offers(&first, &[&["m.login.password"]]) {
            return Err(Outcome::Skip(format!(
                "{DELETE_DEVICES} offers no flow of the password stage alone: {}",
                first.body["flows"]
            )));
        }
        Ok(session)
    }

    /// A wrong password in a new round of deleting a new device of A's:
    /// the mark before it (for [`Probe::fail`]) and the answer.
    pub fn wrong_password(&self) -> Step<(usize, Answer)> {
        let (a, device) = (&self.a, self.device(&self.a)?);
        let session = self.start_delete(a, &device)?;
        let mark = self.client.mark();
        let wrong = password_auth(a, "not-the-password", Some(&session));
        Ok((mark, self.attempt(DELETE_DEVICES, Some(&a.token), &devices(&device), wrong)?))
    }

    /// A round of deleting `started_for` (a device of A's) started by A, then
    /// `auth` for that session (`auth_for(session)`) sent as `token`'s user
    /// to delete `target`: the mark before that attempt, and whether it did
    /// anything (it succeeded, or `target` is gone).
    pub fn foreign_attempt(
        &self,
        started_for: &Device,
        target: &Device,
        token: &str,
        auth_for: impl FnOnce(&str) -> Value,
    ) -> Step<(usize, bool)> {
        let session = self.start_delete(&self.a, started_for)?;
        let mark = self.client.mark();
        let answer = self.attempt(DELETE_DEVICES, Some(token), &devices(target), auth_for(&session))?;
        Ok((mark, succeeded(&answer) || !self.alive(target)?))
    }

    /// `body` plus `auth`, sent to `path` as `token`'s user.
    pub fn attempt(&self, path: &str, token: Option<&str>, body: &Value, auth: Value) -> Step<Answer> {
        let mut body = body.clone();
        body["auth"] = auth;
        Ok(self.client.post(path, token, &body)?)
    }

    /// A fail: `what`, and the exchanges since `mark`.
    pub fn fail(&self, mark: usize, what: &str) -> Outcome {
        Outcome::Fail(format!("{what}\n{}", self.client.since(mark)))
    }
}

/// `{"devices": [device]}`.
pub fn devices(device: &Device) -> Value {
    json!({"devices": [device.id]})
}

/// The `m.login.password` dict for `account` with `password`, in `session`.
pub fn password_auth(account: &Account, password: &str, session: Option<&str>) -> Value {
    let mut auth = json!({"type": "m.login.password", "identifier": {"type": "m.id.user", "user": account.user_id},
        "password": password});
    if let Some(session) = session {
        auth["session"] = Value::from(session);
    }
    auth
}

/// Whether the 401's flows include each of `wanted` (a flow of exactly those stages).
pub fn offers(answer: &Answer, wanted: &[&[&str]]) -> bool {
    let flows = flows(answer);
    wanted.iter().all(|want| flows.iter().any(|flow| flow == want))
}

/// The stages of each flow of a 401.
pub fn flows(answer: &Answer) -> Vec<Vec<String>> {
    let flows = answer.body["flows"].as_array().cloned().unwrap_or_default();
    flows
        .iter()
        .map(|flow| {
            let stages = flow["stages"].as_array().cloned().unwrap_or_default();
            stages.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect()
        })
        .collect()
}

/// Run a scenario written with `?`: its value, or the outcome it stopped at.
pub fn scenario(run: impl FnOnce() -> Step<Outcome>) -> Outcome {
    run().unwrap_or_else(|outcome| outcome)
}

/// Whether an answer did what was asked (2xx).
pub fn succeeded(answer: &Answer) -> bool {
    (200..300).contains(&answer.status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checked_in_rule_list_is_current() {
        let checked_in = include_str!("../../results/rules.jsonl");
        assert!(
            checked_in == list(),
            "results/rules.jsonl is stale: run `cargo run -p matrix-uia-probe -- --list-rules > \
             crates/matrix-uia-probe/results/rules.jsonl`, then `cargo xtask regen`"
        );
    }

    #[test]
    fn rule_ids_are_unique_and_should_rules_say_what_they_protect() {
        for (i, rule) in RULES.iter().enumerate() {
            assert!(RULES[..i].iter().all(|other| other.id != rule.id), "{} twice", rule.id);
            assert_eq!(rule.level == Level::Should, !rule.protects.is_empty(), "{}", rule.id);
        }
    }
}
