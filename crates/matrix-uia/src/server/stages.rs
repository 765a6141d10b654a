//! Checking one stage: the trait a homeserver implements per auth type, and
//! the stages that need nothing from it.

use crate::{AuthData, AuthType, ErrorKind, StandardError, UserIdentifier};

/// What the engine knows when a stage is attempted.
#[derive(Clone, Copy, Debug)]
pub struct StageContext<'a> {
    /// The session the stage belongs to.
    pub session_id: &'a str,
    /// The authenticated user making the request, when the endpoint has one
    /// (from the access token), e.g. for `/account/password`.
    pub requester: Option<&'a str>,
    /// The user earlier stages of this session proved, if any.
    pub proven_user: Option<&'a str>,
    /// The params the endpoint advertises for this auth type.
    pub params: Option<&'a serde_json::Value>,
}

/// The result of one attempt at a stage.
#[derive(Clone, Debug, PartialEq)]
pub enum StageOutcome {
    /// The stage is complete. `user_id` is the user it proves, if it proves one
    /// (a password does; a captcha does not).
    Passed {
        /// The user the stage proved.
        user_id: Option<String>,
    },
    /// The attempt failed and may be retried: the engine answers 401 with the
    /// UIA body and this error, and counts the failure.
    Failed(StandardError),
    /// The request cannot go on whatever the client retries: the engine
    /// answers this status and error in the standard format.
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The error.
        error: StandardError,
    },
}

impl StageOutcome {
    /// A retryable failure with this code and message.
    pub fn failed(errcode: ErrorKind, message: impl Into<String>) -> Self {
        StageOutcome::Failed(StandardError::new(errcode, message))
    }
}

/// Checks the stages of one auth type. A homeserver implements it for the
/// stages that need its data: passwords, captchas, third-party validation,
/// registration tokens.
pub trait StageVerifier: Send + Sync {
    /// The auth type this verifier checks.
    fn auth_type(&self) -> AuthType;

    /// Check an attempt. `auth` is of this verifier's auth type.
    fn verify(&self, auth: &AuthData, context: &StageContext<'_>) -> StageOutcome;

    /// Whether the stage was completed out of band for this session (an email
    /// link clicked, a fallback page submitted elsewhere). Asked when a client
    /// sends an `auth` dict with only the session. By default: no.
    fn completed_out_of_band(&self, context: &StageContext<'_>) -> bool {
        let _ = context;
        false
    }
}

/// `m.login.dummy`: always passes.
#[derive(Clone, Copy, Debug, Default)]
pub struct DummyStage;

impl StageVerifier for DummyStage {
    fn auth_type(&self) -> AuthType {
        AuthType::Dummy
    }

    fn verify(&self, _: &AuthData, _: &StageContext<'_>) -> StageOutcome {
        StageOutcome::Passed { user_id: None }
    }
}

/// `m.login.terms`: the client's submission is the user's acceptance of the
/// policies advertised in `params` (the spec has the server track which
/// versions it presented; those are the endpoint's params).
#[derive(Clone, Copy, Debug, Default)]
pub struct TermsStage;

impl StageVerifier for TermsStage {
    fn auth_type(&self) -> AuthType {
        AuthType::Terms
    }

    fn verify(&self, _: &AuthData, _: &StageContext<'_>) -> StageOutcome {
        StageOutcome::Passed { user_id: None }
    }
}

/// `m.login.password` with a homeserver-supplied lookup: given the
/// identifier (normalised from legacy forms) and the password, the user id
/// it proves, or `None` when they do not match.
pub struct PasswordStage<F> {
    check: F,
}

impl<F> PasswordStage<F>
where
    F: Fn(&UserIdentifier, &str) -> Option<String> + Send + Sync,
{
    /// A password stage that asks `check`.
    pub fn new(check: F) -> Self {
        PasswordStage { check }
    }
}

impl<F> StageVerifier for PasswordStage<F>
where
    F: Fn(&UserIdentifier, &str) -> Option<String> + Send + Sync,
{
    fn auth_type(&self) -> AuthType {
        AuthType::Password
    }

    fn verify(&self, auth: &AuthData, _: &StageContext<'_>) -> StageOutcome {
        let AuthData::Password(password) = auth else {
            return StageOutcome::failed(ErrorKind::Unrecognized, "not a password auth dict");
        };
        let Some(identifier) = password.identifier() else {
            return StageOutcome::failed(ErrorKind::MissingParam, "Missing identifier");
        };
        match (self.check)(&identifier, &password.password) {
            Some(user_id) => StageOutcome::Passed { user_id: Some(user_id) },
            None => StageOutcome::failed(ErrorKind::Forbidden, "Invalid password"),
        }
    }
}

/// `m.login.registration_token` against a homeserver-supplied check of the
/// token (which may count uses).
pub struct RegistrationTokenStage<F> {
    check: F,
}

impl<F: Fn(&str) -> bool + Send + Sync> RegistrationTokenStage<F> {
    /// A registration token stage that asks `check`.
    pub fn new(check: F) -> Self {
        RegistrationTokenStage { check }
    }
}

impl<F: Fn(&str) -> bool + Send + Sync> StageVerifier for RegistrationTokenStage<F> {
    fn auth_type(&self) -> AuthType {
        AuthType::RegistrationToken
    }

    fn verify(&self, auth: &AuthData, _: &StageContext<'_>) -> StageOutcome {
        let AuthData::RegistrationToken(token) = auth else {
            return StageOutcome::failed(ErrorKind::MissingParam, "Missing registration token");
        };
        if (self.check)(&token.token) {
            StageOutcome::Passed { user_id: None }
        } else {
            StageOutcome::failed(ErrorKind::Unauthorized, "Invalid registration token")
        }
    }
}

/// Compare two secrets in time that depends on their lengths only, not on
/// where they first differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

/// A registration token stage for a fixed set of tokens, compared in constant time.
pub fn fixed_registration_tokens(
    tokens: Vec<String>,
) -> RegistrationTokenStage<impl Fn(&str) -> bool + Send + Sync> {
    RegistrationTokenStage::new(move |candidate: &str| {
        // Every token is compared, so the time does not tell which one came closest.
        tokens
            .iter()
            .fold(false, |found, token| found | constant_time_eq(token.as_bytes(), candidate.as_bytes()))
    })
}
