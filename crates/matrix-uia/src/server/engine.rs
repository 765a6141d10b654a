//! The decision for one request to an endpoint that uses UIA.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use std::fmt;

use serde::{Deserialize, de};
use serde_json::Value;

use super::binding::fingerprint;
use super::session::Session;
use super::stages::{DummyStage, StageContext, StageOutcome, StageVerifier, TermsStage};
use super::store::{EngineError, SessionStore, StoreError};
use crate::__private::{Content, ContentDeserializer};
use crate::{
    AuthData, AuthFlow, AuthParams, AuthType, ErrorKind, JsonObject, RawParams, StandardError, UiaaInfo,
    UiaaResponse,
};

/// What an endpoint offers: its flows and the params of its auth types.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Policy {
    /// The flows a client may complete; any one authorises the request.
    pub flows: Vec<AuthFlow>,
    /// The `params` of the 401 body, by auth type.
    pub params: JsonObject,
}

impl Policy {
    /// A policy offering these flows, each a list of stages.
    pub fn new(flows: impl IntoIterator<Item = Vec<AuthType>>) -> Self {
        Policy { flows: flows.into_iter().map(AuthFlow::new).collect(), params: JsonObject::new() }
    }

    /// The same policy advertising `params` for `auth_type`, as raw JSON
    /// (for an auth type the model has no params type for).
    pub fn with_params(mut self, auth_type: AuthType, params: Value) -> Self {
        self.params.insert(auth_type.as_str().to_owned(), params);
        self
    }

    /// The same policy advertising typed params ([`TermsParams`](crate::TermsParams),
    /// [`OAuthParams`](crate::OAuthParams), …) for their auth type.
    pub fn with_auth_params<P: AuthParams>(self, params: &P) -> Result<Self, serde_json::Error> {
        let value = serde_json::to_value(params)?;
        Ok(self.with_params(AuthType::from(P::AUTH_TYPE), value))
    }

    /// Every stage of every flow, once, in order of first appearance.
    pub fn stages(&self) -> Vec<AuthType> {
        let mut stages: Vec<AuthType> = Vec::new();
        for stage in self.flows.iter().flat_map(|f| &f.stages) {
            if !stages.contains(stage) {
                stages.push(stage.clone());
            }
        }
        stages
    }

    /// Whether `stage` is the next one of some flow, given what is completed:
    /// the flow's earlier stages are all completed and it is not.
    fn is_next(&self, completed: &[AuthType], stage: &AuthType) -> bool {
        self.flows.iter().any(|flow| {
            let done = flow.stages.iter().take_while(|s| completed.contains(s)).count();
            flow.stages.get(done) == Some(stage)
        })
    }

    /// Whether the completed stages make up a whole flow.
    fn is_complete(&self, completed: &[AuthType]) -> bool {
        self.flows.iter().any(|flow| flow.stages.iter().all(|s| completed.contains(s)))
    }
}

/// A request as the engine needs it.
#[derive(Clone, Copy, Debug)]
pub struct IncomingRequest<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The path, without the query string.
    pub path: &'a str,
    /// The authenticated user, for endpoints that need an access token.
    pub requester: Option<&'a str>,
    /// The JSON body, `auth` included.
    pub body: &'a JsonObject,
}

/// What to do with a request.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// A flow is complete: perform the request. The session is consumed.
    Proceed(Authorized),
    /// Answer with this (401 to authenticate further, or an error).
    Respond(UiaaResponse),
}

/// What a completed session proved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorized {
    /// The session, now consumed.
    pub session_id: String,
    /// The stages completed.
    pub completed: Vec<AuthType>,
    /// The user the stages proved, if any stage proves one.
    pub user_id: Option<String>,
}

/// Limits of the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineConfig {
    /// How long a session lives after it is created.
    pub session_lifetime: Duration,
    /// Failed attempts a session allows; the next attempt answers 429.
    pub max_failures: u32,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig { session_lifetime: Duration::from_secs(30 * 60), max_failures: 10 }
    }
}

/// Milliseconds since the Unix epoch; replaceable for tests of expiry.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// How many times a decision is retried when another request wrote the same
/// session first. Each retry re-reads; contention on one session is a client
/// racing itself, so a handful is plenty.
const MAX_RACES: usize = 32;

/// The UIA engine: sessions, stage order, failures, expiry, binding.
pub struct Engine<S> {
    store: S,
    /// A handful of entries: a scan comparing `AuthType`s beats hashing strings.
    verifiers: Vec<(AuthType, Arc<dyn StageVerifier>)>,
    config: EngineConfig,
    clock: Clock,
}

/// One attempt at a stage, as the client sent it.
enum Attempt<'a> {
    /// A well-formed auth dict.
    Stage(&'a AuthData),
    /// An auth dict of an offered type whose fields are wrong: a retryable failure.
    Malformed(AuthType, StandardError),
}

/// What an attempt did to the session.
enum Step {
    /// Nothing failed: answer by whether a flow is complete.
    Evaluate,
    /// A retryable failure: 401 with the error.
    Failed(StandardError),
    /// A failure that ends the request: the standard error format.
    Refused(u16, StandardError),
}

impl<S: SessionStore> Engine<S> {
    /// An engine over `store`, with `m.login.dummy` and `m.login.terms` built in.
    pub fn new(store: S) -> Self {
        let now: Clock =
            Arc::new(|| SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64));
        Engine { store, verifiers: Vec::new(), config: EngineConfig::default(), clock: now }
            .with_verifier(DummyStage)
            .with_verifier(TermsStage)
    }

    /// Check stages of `verifier`'s auth type with it (replacing any other).
    pub fn with_verifier(mut self, verifier: impl StageVerifier + 'static) -> Self {
        let auth_type = verifier.auth_type();
        self.verifiers.retain(|(t, _)| *t != auth_type);
        self.verifiers.push((auth_type, Arc::new(verifier)));
        self
    }

    /// Use these limits.
    pub fn with_config(mut self, config: EngineConfig) -> Self {
        self.config = config;
        self
    }

    /// Read the time from `clock` (milliseconds since the Unix epoch).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Decide what to do with `request` to an endpoint offering `policy`.
    ///
    /// An [`EngineError`] is the server's own failure (the store, its
    /// configuration): log it, and answer [`EngineError::response`], a 500
    /// whose body says nothing of the cause.
    pub fn authorize(&self, policy: &Policy, request: &IncomingRequest<'_>) -> Result<Decision, EngineError> {
        self.decide(policy, request)
    }

    /// Record that the stage `auth_type` of `session_id` was completed out of
    /// band (a fallback page, an email link). The client then sends
    /// `{"auth": {"session": …}}`. `false` when the session is unknown,
    /// expired or used, or does not offer that stage.
    pub fn complete_out_of_band(&self, session_id: &str, auth_type: &AuthType) -> Result<bool, StoreError> {
        for _ in 0..MAX_RACES {
            let Some(session) = self.store.get(session_id)? else { return Ok(false) };
            if session.is_expired(self.now()) || session.consumed || !session.offered.contains(auth_type) {
                return Ok(false);
            }
            if session.completed.contains(auth_type) {
                return Ok(true);
            }
            let mut next = session;
            next.completed.push(auth_type.clone());
            next.version += 1;
            if self.store.replace(&next)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Delete expired sessions. Expiry is also checked on every lookup, so
    /// this is housekeeping, not security.
    pub fn sweep(&self) -> Result<usize, StoreError> {
        self.store.remove_expired(self.now())
    }

    fn now(&self) -> u64 {
        (self.clock)()
    }

    fn verifier(&self, auth_type: &AuthType) -> Option<&Arc<dyn StageVerifier>> {
        self.verifiers.iter().find(|(t, _)| t == auth_type).map(|(_, v)| v)
    }

    fn decide(&self, policy: &Policy, request: &IncomingRequest<'_>) -> Result<Decision, EngineError> {
        let mut stages = policy.flows.iter().flat_map(|flow| &flow.stages);
        if let Some(missing) = stages.find(|s| self.verifier(s).is_none()) {
            return Err(EngineError::NoVerifier(missing.clone()));
        }
        let request_id = fingerprint(request.method, request.path, request.requester, request.body);
        let raw = match request.body.get("auth") {
            // An empty dict says no more than none, as Synapse reads it.
            None | Some(Value::Null) => None,
            Some(Value::Object(auth)) if auth.is_empty() => None,
            Some(raw) => Some(raw),
        };
        let Some(raw) = raw else {
            return self.start(policy, request_id).map(|s| challenge(policy, s, None, Round::First));
        };
        let parsed = parse_auth(raw);
        let session_id = raw.get("session").and_then(Value::as_str);
        let attempt = match &parsed {
            Ok(auth) => Attempt::Stage(auth),
            Err(error) => match malformed_stage(policy, raw, error) {
                Some(attempt) if session_id.is_some() => attempt,
                _ => return Ok(respond(400, ErrorKind::BadJson, &format!("Invalid auth dict: {error}"))),
            },
        };
        let session_id = match session_id {
            Some(id) => id.to_owned(),
            // An auth dict without a session: the client skipped the first 401.
            // Start the session now and take the attempt in it, as Synapse does.
            None => self.start(policy, request_id)?.id,
        };
        self.attempt(policy, request, &session_id, request_id, &attempt)
    }

    /// A new session for the request.
    fn start(&self, policy: &Policy, request: [u8; 32]) -> Result<Session, EngineError> {
        let now = self.now();
        let session = Session {
            id: new_session_id()?,
            request,
            created_ms: now,
            expires_ms: now.saturating_add(self.config.session_lifetime.as_millis() as u64),
            offered: policy.stages().into(),
            completed: Vec::new(),
            user_id: None,
            failures: 0,
            consumed: false,
            version: 0,
        };
        self.store.insert(&session)?;
        Ok(session)
    }

    fn attempt(
        &self,
        policy: &Policy,
        request: &IncomingRequest<'_>,
        session_id: &str,
        request_id: [u8; 32],
        attempt: &Attempt<'_>,
    ) -> Result<Decision, EngineError> {
        // A stage is checked once, however often the write below loses a race.
        let mut outcome: Option<StageOutcome> = None;
        for _ in 0..MAX_RACES {
            let mut next = match self.load(session_id, request_id)? {
                Ok(session) => session,
                Err(answer) => return Ok(answer),
            };
            // Writes only append stages, count failures, set the user and consume:
            // this is enough to tell whether anything changed, without a copy.
            let before = (next.completed.len(), next.failures, next.user_id.is_some(), next.consumed);
            let step = match attempt {
                Attempt::Malformed(auth_type, error) => {
                    if let Some(refusal) = check_offered(&next, auth_type) {
                        return Ok(refusal);
                    }
                    next.failures += 1;
                    Step::Failed(error.clone())
                }
                Attempt::Stage(auth) => match auth.auth_type() {
                    None => {
                        self.poll_out_of_band(policy, request, &mut next);
                        Step::Evaluate
                    }
                    Some(auth_type) => {
                        if let Some(refusal) = check_offered(&next, &auth_type) {
                            return Ok(refusal);
                        }
                        if next.completed.contains(&auth_type) {
                            // Completed stages are not retried: answer as if the client had asked.
                            Step::Evaluate
                        } else if !policy.is_next(&next.completed, &auth_type) {
                            return Ok(respond(
                                400,
                                ErrorKind::InvalidParam,
                                &format!(
                                    "`{auth_type}` is not the next stage of any offered flow after {:?}",
                                    next.completed.iter().map(AuthType::as_str).collect::<Vec<_>>()
                                ),
                            ));
                        } else {
                            // `decide` checked that every offered stage has one.
                            let Some(verifier) = self.verifier(&auth_type) else {
                                return Err(EngineError::NoVerifier(auth_type));
                            };
                            let result = outcome.get_or_insert_with(|| {
                                verifier.verify(auth, &context(policy, request, &next, &auth_type))
                            });
                            apply(result, request, &auth_type, &mut next)
                        }
                    }
                },
            };
            let complete = matches!(step, Step::Evaluate) && policy.is_complete(&next.completed);
            next.consumed = complete;
            if (next.completed.len(), next.failures, next.user_id.is_some(), next.consumed) != before {
                next.version += 1;
                if !self.store.replace(&next)? {
                    continue;
                }
            }
            return Ok(match step {
                Step::Failed(error) => challenge(policy, next, Some(error), Round::Later),
                Step::Refused(status, error) => Decision::Respond(UiaaResponse::Error { status, error }),
                Step::Evaluate if complete => Decision::Proceed(Authorized {
                    session_id: next.id,
                    completed: next.completed,
                    user_id: next.user_id,
                }),
                Step::Evaluate => challenge(policy, next, None, Round::Later),
            });
        }
        Ok(respond(503, ErrorKind::Unknown, "The session is busy with concurrent requests; retry"))
    }

    /// The session, if it may be used for this request now; else the answer.
    fn load(&self, id: &str, request: [u8; 32]) -> Result<Result<Session, Decision>, StoreError> {
        let now = self.now();
        let Some(session) = self.store.get(id)? else {
            // Not the id itself: a client can send megabytes of it.
            return Ok(Err(respond(400, ErrorKind::Unknown, "Unknown session ID")));
        };
        if session.is_expired(now) {
            return Ok(Err(respond(
                400,
                ErrorKind::Unknown,
                "The session has expired: start again without auth",
            )));
        }
        if session.consumed {
            return Ok(Err(respond(
                400,
                ErrorKind::Unknown,
                "The session has already authorised its request",
            )));
        }
        if session.request != request {
            return Ok(Err(respond(
                403,
                ErrorKind::Forbidden,
                "Requested operation has changed during the UI authentication session.",
            )));
        }
        if session.failures >= self.config.max_failures {
            let mut error =
                StandardError::new(ErrorKind::LimitExceeded, "Too many failed attempts in this session");
            error.retry_after_ms = Some(session.expires_ms.saturating_sub(now));
            return Ok(Err(Decision::Respond(UiaaResponse::Error { status: 429, error })));
        }
        Ok(Ok(session))
    }

    /// Mark the next stages that their verifiers report done out of band.
    fn poll_out_of_band(&self, policy: &Policy, request: &IncomingRequest<'_>, session: &mut Session) {
        loop {
            let candidates: Vec<AuthType> = session
                .offered
                .iter()
                .filter(|s| !session.completed.contains(s) && policy.is_next(&session.completed, s))
                .cloned()
                .collect();
            let done = candidates.into_iter().find(|stage| {
                self.verifier(stage)
                    .is_some_and(|v| v.completed_out_of_band(&context(policy, request, session, stage)))
            });
            match done {
                Some(stage) => session.completed.push(stage),
                None => return,
            }
        }
    }
}

/// Apply a stage's outcome to the session, with the identity rules: the user a
/// stage proves must be the requester, and the same in every stage.
fn apply(
    outcome: &StageOutcome,
    request: &IncomingRequest<'_>,
    auth_type: &AuthType,
    next: &mut Session,
) -> Step {
    match outcome {
        StageOutcome::Passed { user_id } => {
            if let Some(user_id) = user_id {
                let other = request
                    .requester
                    .filter(|r| r != user_id)
                    .or(next.user_id.as_deref().filter(|p| p != user_id));
                if other.is_some() {
                    next.failures += 1;
                    return Step::Refused(
                        403,
                        StandardError::new(ErrorKind::Forbidden, "The credentials are for another user"),
                    );
                }
                next.user_id = Some(user_id.clone());
            }
            next.completed.push(auth_type.clone());
            Step::Evaluate
        }
        StageOutcome::Failed(error) => {
            next.failures += 1;
            Step::Failed(error.clone())
        }
        StageOutcome::Rejected { status, error } => Step::Refused(*status, error.clone()),
    }
}

/// 400 `M_UNRECOGNIZED` when the session does not offer `auth_type`.
fn check_offered(session: &Session, auth_type: &AuthType) -> Option<Decision> {
    (!session.offered.contains(auth_type)).then(|| {
        respond(400, ErrorKind::InvalidParam, &format!("`{auth_type}` is not offered for this request"))
    })
}

/// Why an auth dict did not parse, by the error's structure: a required
/// field that is missing, or anything else. The message is bounded: it can
/// quote what the client sent.
#[derive(Debug)]
struct AuthDictError {
    missing_field: bool,
    message: String,
}

impl fmt::Display for AuthDictError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AuthDictError {}

impl de::Error for AuthDictError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        AuthDictError { missing_field: false, message: bounded(&message.to_string()) }
    }

    fn missing_field(field: &'static str) -> Self {
        AuthDictError { missing_field: true, message: format!("missing field `{field}`") }
    }
}

/// The auth dict, read from the body's value with an error whose kind the
/// engine can tell without reading its text.
fn parse_auth(raw: &Value) -> Result<AuthData, AuthDictError> {
    let content = Content::deserialize(raw).map_err(de::Error::custom)?;
    AuthData::deserialize(ContentDeserializer::<AuthDictError>::new(content))
}

/// At most this many bytes of a message that quotes the client.
const MESSAGE_MAX: usize = 200;

fn bounded(message: &str) -> String {
    if message.len() <= MESSAGE_MAX {
        return message.to_owned();
    }
    let mut end = MESSAGE_MAX;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &message[..end])
}

/// An auth dict of an offered type that does not parse: the client gets
/// another go, with `M_MISSING_PARAM` or `M_INVALID_PARAM` (Synapse's codes).
fn malformed_stage<'a>(policy: &Policy, raw: &Value, error: &AuthDictError) -> Option<Attempt<'a>> {
    let auth_type = AuthType::from(raw.get("type")?.as_str()?);
    if !policy.stages().contains(&auth_type) {
        return None;
    }
    let errcode = if error.missing_field { ErrorKind::MissingParam } else { ErrorKind::InvalidParam };
    Some(Attempt::Malformed(auth_type, StandardError::new(errcode, error.message.clone())))
}

fn context<'a>(
    policy: &'a Policy,
    request: &IncomingRequest<'a>,
    session: &'a Session,
    auth_type: &AuthType,
) -> StageContext<'a> {
    StageContext {
        session_id: &session.id,
        requester: request.requester,
        proven_user: session.user_id.as_deref(),
        params: policy.params.get(auth_type.as_str()),
    }
}

/// 401 with the UIA body for the session.
/// Whether a 401 answers the first request of a session or a later attempt.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Round {
    First,
    Later,
}

/// 401 with the UIA body for the session. After the first round `completed`
/// is always there, `[]` included, as Synapse writes it: clients that look for
/// the key find it.
fn challenge(policy: &Policy, session: Session, error: Option<StandardError>, round: Round) -> Decision {
    // The session is done with: its id and list move into the body.
    let Session { id, completed, .. } = session;
    let mut info = UiaaInfo::new(policy.flows.clone(), Some(id));
    if round == Round::Later || !completed.is_empty() {
        info.completed = Some(completed);
    }
    if !policy.params.is_empty() {
        info.params = Some(RawParams::from_object(&policy.params));
    }
    info.auth_error = error;
    Decision::Respond(UiaaResponse::AuthRequired(info))
}

fn respond(status: u16, errcode: ErrorKind, message: &str) -> Decision {
    Decision::Respond(UiaaResponse::Error { status, error: StandardError::new(errcode, message) })
}

/// 128 bits from the operating system's CSPRNG, as 32 hex digits.
fn new_session_id() -> Result<String, EngineError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| EngineError::Randomness(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
