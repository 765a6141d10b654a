//! Checking one stage: the trait a homeserver implements per auth type, and
//! the stages that need nothing from it.

use std::future::{Future, ready};
use std::pin::Pin;

use crate::{AuthData, AuthType, ErrorKind, StandardError, UserIdentifier};

/// A boxed future that can move between threads: what a [`StageVerifier`]
/// returns, so that verifiers work as trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the engine knows when a stage is attempted.
#[derive(Clone, Copy, Debug)]
pub struct StageContext<'a> {
    /// The session the stage belongs to.
    pub session_id: &'a str,
    /// The authenticated user making the request, when the endpoint has one
    /// (from the access token), e.g. for `/account/password`.
    pub requester: Option<&'a str>,
    /// The client's address, when the homeserver gave it.
    pub client_address: Option<&'a str>,
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
///
/// The checks are async: they look things up. CPU-heavy work (a password
/// hash) belongs off the executor, on a bounded pool, as the example
/// homeserver does; see [`PasswordStage`].
///
/// ```
/// use matrix_uia::server::{BoxFuture, StageContext, StageOutcome, StageVerifier};
/// use matrix_uia::{AuthData, AuthType, ErrorKind};
///
/// /// `m.login.recaptcha`, checked against a fixed answer.
/// struct Captcha;
///
/// impl StageVerifier for Captcha {
///     fn auth_type(&self) -> AuthType {
///         AuthType::ReCaptcha
///     }
///
///     fn verify<'a>(&'a self, auth: &'a AuthData, _: &'a StageContext<'a>) -> BoxFuture<'a, StageOutcome> {
///         Box::pin(async move {
///             match auth {
///                 AuthData::ReCaptcha(captcha) if captcha.response == "42" => StageOutcome::Passed { user_id: None },
///                 _ => StageOutcome::failed(ErrorKind::Unauthorized, "Wrong answer"),
///             }
///         })
///     }
/// }
/// ```
pub trait StageVerifier: Send + Sync {
    /// The auth type this verifier checks.
    fn auth_type(&self) -> AuthType;

    /// Check an attempt. `auth` is of this verifier's auth type.
    fn verify<'a>(&'a self, auth: &'a AuthData, context: &'a StageContext<'a>)
    -> BoxFuture<'a, StageOutcome>;

    /// Whether the stage was completed out of band for this session (an email
    /// link clicked, a fallback page submitted elsewhere). Asked when a client
    /// sends an `auth` dict with only the session. By default: no.
    fn completed_out_of_band<'a>(&'a self, context: &'a StageContext<'a>) -> BoxFuture<'a, bool> {
        let _ = context;
        Box::pin(ready(false))
    }
}

/// `m.login.dummy`: always passes.
#[derive(Clone, Copy, Debug, Default)]
pub struct DummyStage;

impl StageVerifier for DummyStage {
    fn auth_type(&self) -> AuthType {
        AuthType::Dummy
    }

    fn verify<'a>(&'a self, _: &'a AuthData, _: &'a StageContext<'a>) -> BoxFuture<'a, StageOutcome> {
        Box::pin(ready(StageOutcome::Passed { user_id: None }))
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

    fn verify<'a>(&'a self, _: &'a AuthData, _: &'a StageContext<'a>) -> BoxFuture<'a, StageOutcome> {
        Box::pin(ready(StageOutcome::Passed { user_id: None }))
    }
}

/// `m.login.password` with a homeserver-supplied lookup: given the
/// identifier (normalised from legacy forms) and the password, the user id
/// it proves, or `None` when they do not match. The lookup is async; hash
/// the password off the executor (`tokio::task::spawn_blocking` under a
/// semaphore, for one).
///
/// ```
/// use matrix_uia::server::PasswordStage;
/// use matrix_uia::UserIdentifier;
///
/// let stage = PasswordStage::new(|identifier: UserIdentifier, password: String| async move {
///     let UserIdentifier::UserId(user) = identifier else { return None };
///     (user.user == "alice" && password == "correct horse").then(|| "@alice:example.org".to_owned())
/// });
/// # let _ = stage;
/// ```
pub struct PasswordStage<F> {
    check: F,
}

impl<F, Fut> PasswordStage<F>
where
    F: Fn(UserIdentifier, String) -> Fut + Send + Sync,
    Fut: Future<Output = Option<String>> + Send + 'static,
{
    /// A password stage that asks `check`.
    pub fn new(check: F) -> Self {
        PasswordStage { check }
    }
}

impl<F, Fut> StageVerifier for PasswordStage<F>
where
    F: Fn(UserIdentifier, String) -> Fut + Send + Sync,
    Fut: Future<Output = Option<String>> + Send + 'static,
{
    fn auth_type(&self) -> AuthType {
        AuthType::Password
    }

    fn verify<'a>(&'a self, auth: &'a AuthData, _: &'a StageContext<'a>) -> BoxFuture<'a, StageOutcome> {
        let AuthData::Password(password) = auth else {
            return Box::pin(ready(StageOutcome::failed(
                ErrorKind::Unrecognized,
                "not a password auth dict",
            )));
        };
        let Some(identifier) = password.identifier() else {
            return Box::pin(ready(StageOutcome::failed(ErrorKind::MissingParam, "Missing identifier")));
        };
        let check = (self.check)(identifier.into_owned(), password.password.clone());
        Box::pin(async move {
            match check.await {
                Some(user_id) => StageOutcome::Passed { user_id: Some(user_id) },
                None => StageOutcome::failed(ErrorKind::Forbidden, "Invalid password"),
            }
        })
    }
}

/// `m.login.registration_token` against a homeserver-supplied check of the
/// token (which may count uses, in its database: the check is async).
pub struct RegistrationTokenStage<F> {
    check: F,
}

impl<F, Fut> RegistrationTokenStage<F>
where
    F: Fn(String) -> Fut + Send + Sync,
    Fut: Future<Output = bool> + Send + 'static,
{
    /// A registration token stage that asks `check`.
    pub fn new(check: F) -> Self {
        RegistrationTokenStage { check }
    }
}

impl<F, Fut> StageVerifier for RegistrationTokenStage<F>
where
    F: Fn(String) -> Fut + Send + Sync,
    Fut: Future<Output = bool> + Send + 'static,
{
    fn auth_type(&self) -> AuthType {
        AuthType::RegistrationToken
    }

    fn verify<'a>(&'a self, auth: &'a AuthData, _: &'a StageContext<'a>) -> BoxFuture<'a, StageOutcome> {
        let AuthData::RegistrationToken(token) = auth else {
            return Box::pin(ready(StageOutcome::failed(
                ErrorKind::MissingParam,
                "Missing registration token",
            )));
        };
        let check = (self.check)(token.token.clone());
        Box::pin(async move {
            if check.await {
                StageOutcome::Passed { user_id: None }
            } else {
                StageOutcome::failed(ErrorKind::Unauthorized, "Invalid registration token")
            }
        })
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
pub fn fixed_registration_tokens(tokens: Vec<String>) -> impl StageVerifier {
    RegistrationTokenStage::new(move |candidate: String| {
        // Every token is compared, so the time does not tell which one came closest.
        let found = tokens
            .iter()
            .fold(false, |found, token| found | constant_time_eq(token.as_bytes(), candidate.as_bytes()));
        ready(found)
    })
}
