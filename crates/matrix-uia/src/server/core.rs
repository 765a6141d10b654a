//! The UIA rules as a pure state machine: no I/O, no clock, no randomness.
//!
//! A [`Request`] is read once for an endpoint's policy and the engine's
//! limits (its auth dict parsed, its fingerprint taken, the counters it is
//! charged to named). Then [`Request::decide`] is asked, with what is known
//! so far ([`Facts`]),
//! what to do next: a [`Step`]. Either the answer, or one thing the core
//! needs from the world: a session looked up or created, an attempt charged
//! to its limits, a stage checked, a session written. The caller does it,
//! records the result in the facts and asks again. The async
//! [`Engine`](super::Engine) is that caller; the rule tests
//! (`tests/server_rules.rs`) and the engine's fuzz target are others, with
//! the world in a map.
//!
//! Every rule lives here: flow order, completion, binding, consumption,
//! limits and expiry. The same facts give the same step.

use std::fmt;

use serde::{Deserialize, de};
use serde_json::Value;

use super::binding::fingerprint;
use super::limits::{EngineConfig, Limit};
use super::policy::Policy;
use super::session::Session;
use super::stages::{StageContext, StageOutcome};
use super::store::Admission;
use crate::__private::{Content, ContentDeserializer};
use crate::{AuthData, AuthType, ErrorKind, JsonObject, RawParams, StandardError, UiaaInfo, UiaaResponse};

/// A request as the engine needs it. Build it with [`IncomingRequest::new`].
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct IncomingRequest<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The path, without the query string.
    pub path: &'a str,
    /// The authenticated user, for endpoints that need an access token.
    pub requester: Option<&'a str>,
    /// The client's address, for the limits per address.
    pub client_address: Option<&'a str>,
    /// The JSON body, `auth` included.
    pub body: &'a JsonObject,
}

impl<'a> IncomingRequest<'a> {
    /// A request with no requester and no client address.
    pub fn new(method: &'a str, path: &'a str, body: &'a JsonObject) -> Self {
        IncomingRequest { method, path, requester: None, client_address: None, body }
    }

    /// The same request, made by `requester` (the user of its access token).
    pub fn requester(mut self, requester: Option<&'a str>) -> Self {
        self.requester = requester;
        self
    }

    /// The same request, from `address` (for the limits per address): an
    /// IPv4 address, or for IPv6 the client's /64 (one client holds a whole
    /// /64 and could take a new address per guess), or whatever else the
    /// homeserver counts clients by. Behind a reverse proxy, the client's
    /// address as the proxy reports it, from a proxy the homeserver trusts.
    pub fn client_address(mut self, address: Option<&'a str>) -> Self {
        self.client_address = address;
        self
    }
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

/// A request, read once: its auth dict parsed, its fingerprint taken.
pub struct Request<'r> {
    policy: &'r Policy,
    config: &'r EngineConfig,
    incoming: IncomingRequest<'r>,
    fingerprint: [u8; 32],
    read: Read<'r>,
}

/// What the body's `auth` asks for.
enum Read<'r> {
    /// No auth dict (or an empty one): start a session.
    Start,
    /// An auth dict refused outright: no session is touched.
    Refuse(Decision),
    /// An attempt, in the named session or, without one, in a new session.
    Attempt { session: Option<&'r str>, attempt: Attempt },
}

/// One attempt at a stage, as the client sent it.
enum Attempt {
    /// A well-formed auth dict, and the counters an attempt at it is charged to.
    Stage(AuthData, Vec<(String, Limit)>),
    /// An auth dict of an offered type whose fields are wrong: a retryable failure.
    Malformed(AuthType, StandardError),
}

/// What the caller has found out for the request so far. Each field answers
/// one kind of [`Step`]; after a lost write, `session` is cleared and the
/// rest kept (a stage is checked and charged once).
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// The answer to [`Step::Open`] or [`Step::Load`].
    pub session: Option<Found>,
    /// The answer to [`Step::Charge`].
    pub charged: Option<Admission>,
    /// The answer to [`Step::Verify`].
    pub outcome: Option<StageOutcome>,
    /// The answer to [`Step::PollOutOfBand`]: the stages whose verifiers
    /// report them completed out of band.
    pub out_of_band: Option<Vec<AuthType>>,
}

/// What the store had for the session the request names or opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// This session.
    Session(Session),
    /// No session with the id.
    Missing,
    /// A new session was not admitted: its client holds too many.
    Capped {
        /// When one of the client's sessions ends.
        retry_after_ms: u64,
    },
}

/// What the core needs next, or its answer.
#[derive(Debug)]
pub enum Step<'a> {
    /// Answer this; nothing is written.
    Respond(Decision),
    /// Create this session, after giving it a fresh id from a CSPRNG, if
    /// its client is under `caps` ([`SessionStore::insert`](super::SessionStore::insert));
    /// record [`Found::Session`] (with the id) or [`Found::Capped`].
    Open {
        /// The session, its id empty.
        session: Session,
        /// Live sessions its address and its requester may hold.
        caps: SessionCaps,
    },
    /// Look the session up; record [`Found::Session`] or [`Found::Missing`].
    Load(&'a str),
    /// Count an attempt against these limits ([`SessionStore::charge`](super::SessionStore::charge));
    /// record the admission. Give it back if the stage passes.
    Charge(&'a [(String, Limit)]),
    /// Check the stage with the verifier of `auth_type`; record the outcome.
    Verify {
        /// The stage's auth type.
        auth_type: AuthType,
        /// The auth dict.
        auth: &'a AuthData,
        /// What the verifier may need.
        context: StageContext<'a>,
    },
    /// Ask the verifiers of these stages whether they were completed out of
    /// band; record the stages that were.
    PollOutOfBand(Vec<(AuthType, StageContext<'a>)>),
    /// Write the session if nobody wrote it since it was read
    /// ([`SessionStore::replace`](super::SessionStore::replace)), then answer
    /// `then`. If the write loses, clear [`Facts::session`] and ask again.
    Write {
        /// The session's next state, its version bumped.
        session: Session,
        /// The answer once it is written.
        then: Decision,
    },
}

/// Live sessions one client may hold, by address and by requester.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionCaps {
    /// For the session's [`Session::address`].
    pub per_address: Option<u32>,
    /// For the session's [`Session::requester`].
    pub per_requester: Option<u32>,
}

impl<'r> Request<'r> {
    /// Read `incoming` for an endpoint offering `policy`, under `config`.
    pub fn read(policy: &'r Policy, config: &'r EngineConfig, incoming: IncomingRequest<'r>) -> Self {
        let fingerprint = fingerprint(incoming.method, incoming.path, incoming.requester, incoming.body);
        let read = match incoming.body.get("auth") {
            // An empty dict says no more than none, as Synapse reads it.
            None | Some(Value::Null) => Read::Start,
            Some(Value::Object(auth)) if auth.is_empty() => Read::Start,
            Some(raw) => read_auth(policy, config, &incoming, raw),
        };
        Request { policy, config, incoming, fingerprint, read }
    }

    /// The request as it came.
    pub fn incoming(&self) -> &IncomingRequest<'r> {
        &self.incoming
    }

    /// What to do next, given `facts`, at `now_ms` (milliseconds since the
    /// Unix epoch).
    pub fn decide<'a>(&'a self, facts: &'a Facts, now_ms: u64) -> Step<'a> {
        let (policy, config) = (self.policy, self.config);
        let (named, attempt) = match &self.read {
            Read::Refuse(decision) => return Step::Respond(decision.clone()),
            Read::Start => (None, None),
            Read::Attempt { session, attempt } => (*session, Some(attempt)),
        };
        let session = match (&facts.session, named) {
            (None, Some(id)) => return Step::Load(id),
            (None, None) => return self.open(policy, config, now_ms),
            (Some(Found::Missing), _) => return respond(400, ErrorKind::Unknown, "Unknown session ID"),
            (Some(Found::Capped { retry_after_ms }), _) => {
                return limited(*retry_after_ms, "Too many authentication sessions are open");
            }
            (Some(Found::Session(session)), _) => session,
        };
        let Some(attempt) = attempt else {
            return Step::Respond(challenge(policy, session, None, Round::First));
        };
        if let Some(refusal) = self.unusable(config, session, now_ms) {
            return refusal;
        }
        match attempt {
            Attempt::Malformed(auth_type, error) => {
                if let Some(refusal) = not_offered(session, auth_type) {
                    return refusal;
                }
                let mut next = session.clone();
                next.failures += 1;
                failed(policy, next, error.clone())
            }
            Attempt::Stage(auth, charges) => match auth.auth_type() {
                None => self.session_only(policy, facts, session),
                Some(auth_type) => self.stage(facts, session, auth, auth_type, charges),
            },
        }
    }

    /// A session for this request, as it starts.
    fn open(&self, policy: &Policy, config: &EngineConfig, now_ms: u64) -> Step<'static> {
        let request = &self.incoming;
        let session = Session {
            id: String::new(),
            request: self.fingerprint,
            created_ms: now_ms,
            expires_ms: now_ms.saturating_add(config.lifetime_ms()),
            offered: policy.stages().into(),
            completed: Vec::new(),
            user_id: None,
            failures: 0,
            consumed: false,
            version: 0,
            address: request.client_address.map(str::to_owned),
            requester: request.requester.map(str::to_owned),
        };
        let caps = SessionCaps {
            per_address: config.sessions_per_address.filter(|_| session.address.is_some()),
            per_requester: config.sessions_per_requester.filter(|_| session.requester.is_some()),
        };
        Step::Open { session, caps }
    }

    /// The refusal when the session cannot be used for this request now.
    fn unusable(&self, config: &EngineConfig, session: &Session, now_ms: u64) -> Option<Step<'static>> {
        if session.is_expired(now_ms) {
            return Some(respond(
                400,
                ErrorKind::Unknown,
                "The session has expired: start again without auth",
            ));
        }
        if session.consumed {
            return Some(respond(400, ErrorKind::Unknown, "The session has already authorised its request"));
        }
        if session.request != self.fingerprint {
            return Some(respond(
                403,
                ErrorKind::Forbidden,
                "Requested operation has changed during the UI authentication session.",
            ));
        }
        if session.failures >= config.max_failures {
            let retry_after_ms = session.expires_ms.saturating_sub(now_ms);
            return Some(limited(retry_after_ms, "Too many failed attempts in this session"));
        }
        None
    }

    /// An auth dict with only the session: take the stages completed out of
    /// band, in flow order, and answer by whether a flow is complete.
    fn session_only<'a>(&'a self, policy: &'a Policy, facts: &Facts, session: &'a Session) -> Step<'a> {
        let Some(reported) = &facts.out_of_band else {
            let pending = session.offered.iter().filter(|s| !session.completed.contains(s));
            return Step::PollOutOfBand(
                pending.map(|stage| (stage.clone(), self.context(policy, session, stage))).collect(),
            );
        };
        let mut next = session.clone();
        while let Some(stage) =
            reported.iter().find(|s| !next.completed.contains(s) && policy.is_next(&next.completed, s))
        {
            next.completed.push(stage.clone());
        }
        evaluate(policy, session, next)
    }

    fn stage<'a>(
        &'a self,
        facts: &'a Facts,
        session: &'a Session,
        auth: &'a AuthData,
        auth_type: AuthType,
        charges: &'a [(String, Limit)],
    ) -> Step<'a> {
        let policy = self.policy;
        if let Some(refusal) = not_offered(session, &auth_type) {
            return refusal;
        }
        if session.completed.contains(&auth_type) {
            // Completed stages are not retried: answer as if the client had asked.
            return evaluate(policy, session, session.clone());
        }
        if !policy.is_next(&session.completed, &auth_type) {
            let completed: Vec<&str> = session.completed.iter().map(AuthType::as_str).collect();
            return respond(
                400,
                ErrorKind::InvalidParam,
                &format!("`{auth_type}` is not the next stage of any offered flow after {completed:?}"),
            );
        }
        if !charges.is_empty() {
            match &facts.charged {
                None => return Step::Charge(charges),
                Some(Admission::Limited { retry_after_ms }) => {
                    return limited(*retry_after_ms, "Too many failed attempts; wait before trying again");
                }
                Some(Admission::Admitted) => {}
            }
        }
        let Some(outcome) = &facts.outcome else {
            let context = self.context(policy, session, &auth_type);
            return Step::Verify { auth_type, auth, context };
        };
        let mut next = session.clone();
        match outcome {
            StageOutcome::Passed { user_id } => {
                if let Some(user_id) = user_id {
                    // The user a stage proves must be the requester, and the same in every stage.
                    let requester = self.incoming.requester.filter(|r| r != user_id);
                    if requester.or(next.user_id.as_deref().filter(|p| p != user_id)).is_some() {
                        next.failures += 1;
                        let error =
                            StandardError::new(ErrorKind::Forbidden, "The credentials are for another user");
                        return write(next, Decision::Respond(UiaaResponse::Error { status: 403, error }));
                    }
                    next.user_id = Some(user_id.clone());
                }
                next.completed.push(auth_type);
                evaluate(policy, session, next)
            }
            StageOutcome::Failed(error) => {
                next.failures += 1;
                failed(policy, next, error.clone())
            }
            StageOutcome::Rejected { status, error } => {
                Step::Respond(Decision::Respond(UiaaResponse::Error {
                    status: *status,
                    error: error.clone(),
                }))
            }
        }
    }

    fn context<'a>(
        &'a self,
        policy: &'a Policy,
        session: &'a Session,
        auth_type: &AuthType,
    ) -> StageContext<'a> {
        StageContext {
            session_id: &session.id,
            requester: self.incoming.requester,
            client_address: self.incoming.client_address,
            proven_user: session.user_id.as_deref(),
            params: policy.params.get(auth_type.as_str()),
        }
    }
}

/// What marking `auth_type` of `session` completed out of band (a fallback
/// page, an email link) does at `now_ms`.
#[derive(Debug)]
pub enum OutOfBand {
    /// The session is expired or used, or does not offer the stage.
    Refused,
    /// The stage was already completed.
    Done,
    /// Write this (compare-and-swap); if it loses, read and ask again.
    Write(Session),
}

/// What completing `auth_type` of `session` out of band does at `now_ms`.
pub fn complete_out_of_band(session: &Session, auth_type: &AuthType, now_ms: u64) -> OutOfBand {
    if session.is_expired(now_ms) || session.consumed || !session.offered.contains(auth_type) {
        return OutOfBand::Refused;
    }
    if session.completed.contains(auth_type) {
        return OutOfBand::Done;
    }
    let mut next = session.clone();
    next.completed.push(auth_type.clone());
    next.version += 1;
    OutOfBand::Write(next)
}

/// Read the auth dict of a body.
fn read_auth<'r>(
    policy: &Policy,
    config: &EngineConfig,
    incoming: &IncomingRequest<'r>,
    raw: &'r Value,
) -> Read<'r> {
    let session = raw.get("session").and_then(Value::as_str);
    let attempt = match parse_auth(raw) {
        Ok(auth) => {
            let charges = config.charges(&auth, incoming.requester, incoming.client_address);
            Attempt::Stage(auth, charges)
        }
        Err(error) => match malformed_stage(policy, raw, &error) {
            // Without a session a malformed dict is no attempt at anything.
            Some(attempt) if session.is_some() => attempt,
            _ => {
                let error = StandardError::new(ErrorKind::BadJson, format!("Invalid auth dict: {error}"));
                return Read::Refuse(Decision::Respond(UiaaResponse::Error { status: 400, error }));
            }
        },
    };
    Read::Attempt { session, attempt }
}

/// Answer by whether `next` completes a flow; write it if it changed.
fn evaluate<'a>(policy: &Policy, before: &Session, mut next: Session) -> Step<'a> {
    next.consumed = policy.is_complete(&next.completed);
    if next.consumed {
        let authorized = Authorized {
            session_id: next.id.clone(),
            completed: next.completed.clone(),
            user_id: next.user_id.clone(),
        };
        return write(next, Decision::Proceed(authorized));
    }
    let answer = challenge(policy, &next, None, Round::Later);
    if next.completed.len() == before.completed.len() {
        return Step::Respond(answer);
    }
    write(next, answer)
}

/// A retryable failure: 401 with the UIA body and the error.
fn failed<'a>(policy: &Policy, next: Session, error: StandardError) -> Step<'a> {
    let answer = challenge(policy, &next, Some(error), Round::Later);
    write(next, answer)
}

fn write<'a>(mut session: Session, then: Decision) -> Step<'a> {
    session.version += 1;
    Step::Write { session, then }
}

/// 400 when the session does not offer `auth_type`.
fn not_offered<'a>(session: &Session, auth_type: &AuthType) -> Option<Step<'a>> {
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

/// The auth dict, read from the body's value; when it does not read, read
/// again through a deserializer whose error the engine can tell the kind of
/// without reading its text. The same `Deserialize` impl both times: the
/// second reading only gives the first one's failure a structure.
fn parse_auth(raw: &Value) -> Result<AuthData, AuthDictError> {
    if let Ok(auth) = AuthData::deserialize(raw) {
        return Ok(auth);
    }
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
fn malformed_stage(policy: &Policy, raw: &Value, error: &AuthDictError) -> Option<Attempt> {
    let auth_type = AuthType::from(raw.get("type")?.as_str()?);
    if !policy.flows.iter().any(|flow| flow.stages.contains(&auth_type)) {
        return None;
    }
    let errcode = if error.missing_field { ErrorKind::MissingParam } else { ErrorKind::InvalidParam };
    Some(Attempt::Malformed(auth_type, StandardError::new(errcode, error.message.clone())))
}

/// Whether a 401 answers the first request of a session or a later attempt.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Round {
    First,
    Later,
}

/// 401 with the UIA body for the session. After the first round `completed`
/// is always there, `[]` included, as Synapse writes it: clients that look for
/// the key find it.
fn challenge(policy: &Policy, session: &Session, error: Option<StandardError>, round: Round) -> Decision {
    let mut info = UiaaInfo::new(policy.flows.clone(), Some(session.id.clone()));
    if round == Round::Later || !session.completed.is_empty() {
        info.completed = Some(session.completed.clone());
    }
    if !policy.params.is_empty() {
        info.params = Some(RawParams::from_object(&policy.params));
    }
    info.auth_error = error;
    Decision::Respond(UiaaResponse::AuthRequired(info))
}

fn respond<'a>(status: u16, errcode: ErrorKind, message: &str) -> Step<'a> {
    Step::Respond(Decision::Respond(UiaaResponse::Error {
        status,
        error: StandardError::new(errcode, message),
    }))
}

/// 429 `M_LIMIT_EXCEEDED`, to try again in `retry_after_ms` (at least 1).
fn limited<'a>(retry_after_ms: u64, message: &str) -> Step<'a> {
    let mut error = StandardError::new(ErrorKind::LimitExceeded, message);
    error.retry_after_ms = Some(retry_after_ms.max(1));
    Step::Respond(Decision::Respond(UiaaResponse::Error { status: 429, error }))
}
