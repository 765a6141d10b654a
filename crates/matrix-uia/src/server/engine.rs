//! The async shell around the core: it does what [`core`](super::core) asks
//! (store reads and writes, stage checks) and nothing else.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use super::core::{self, Decision, Facts, Found, IncomingRequest, OutOfBand, Request, Step};
use super::limits::EngineConfig;
use super::policy::Policy;
use super::stages::{DummyStage, StageVerifier, TermsStage};
use super::store::{Admission, EngineError, SessionStore, StoreError};
use crate::{AuthType, ErrorKind, StandardError, UiaaResponse};

/// Milliseconds since the Unix epoch; replaceable for tests of expiry.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// How many times a decision is retried when another request wrote the same
/// session first. Each retry re-reads; contention on one session is a client
/// racing itself, so a handful is plenty.
const MAX_RACES: usize = 32;

/// The UIA engine: the [`core`](super::core)'s rules over a [`SessionStore`]
/// and the homeserver's [`StageVerifier`]s.
///
/// Every method is async and never blocks: the engine's own work is a few
/// microseconds of CPU per request; the waiting is the store's and the
/// verifiers'. It needs no particular runtime. A synchronous caller drives
/// it with any `block_on` (`futures::executor::block_on`, `pollster`);
/// with the [`MemoryStore`](super::MemoryStore) and verifiers that do not
/// wait, the future is ready at its first poll.
pub struct Engine<S> {
    store: S,
    /// A handful of entries: a scan comparing `AuthType`s beats hashing strings.
    verifiers: Vec<(AuthType, Arc<dyn StageVerifier>)>,
    config: EngineConfig,
    clock: Clock,
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

    /// The limits.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Decide what to do with `request` to an endpoint offering `policy`.
    ///
    /// An [`EngineError`] is the server's own failure (the store, its
    /// configuration): log it, and answer [`EngineError::response`], a 500
    /// whose body says nothing of the cause.
    pub async fn authorize(
        &self,
        policy: &Policy,
        request: IncomingRequest<'_>,
    ) -> Result<Decision, EngineError> {
        let mut stages = policy.flows.iter().flat_map(|flow| &flow.stages);
        if let Some(missing) = stages.find(|s| self.verifier(s).is_none()) {
            return Err(EngineError::NoVerifier(missing.clone()));
        }
        let request = Request::read(policy, &self.config, request);
        let mut facts = Facts::default();
        // The attempt counted against the limits, given back if the stage passes.
        let mut charged: Vec<String> = Vec::new();
        let mut races = 0;
        let answer = loop {
            match request.decide(&facts, self.now()) {
                Step::Respond(decision) => break decision,
                Step::Open { mut session, caps } => {
                    session.id = new_session_id()?;
                    let found = match self.store.insert(&session, caps).await? {
                        Admission::Admitted => Found::Session(session),
                        Admission::Limited { retry_after_ms } => Found::Capped { retry_after_ms },
                    };
                    facts.session = Some(found);
                }
                Step::Load(id) => {
                    let found = self.store.get(id).await?.map_or(Found::Missing, Found::Session);
                    facts.session = Some(found);
                }
                Step::Charge(keys) => {
                    let admission = self.store.charge(keys, self.now()).await?;
                    if admission == Admission::Admitted {
                        charged = keys.iter().map(|(key, _)| key.clone()).collect();
                    }
                    facts.charged = Some(admission);
                }
                Step::Verify { auth_type, auth, context } => {
                    let verifier = self.verifier(&auth_type).ok_or(EngineError::NoVerifier(auth_type))?;
                    let outcome = verifier.verify(auth, &context).await;
                    facts.outcome = Some(outcome);
                }
                Step::PollOutOfBand(stages) => {
                    let mut done = Vec::new();
                    for (stage, context) in stages {
                        let Some(verifier) = self.verifier(&stage) else { continue };
                        if verifier.completed_out_of_band(&context).await {
                            done.push(stage);
                        }
                    }
                    facts.out_of_band = Some(done);
                }
                Step::Write { session, then } => {
                    if self.store.replace(&session).await? {
                        break then;
                    }
                    races += 1;
                    if races == MAX_RACES {
                        let error = StandardError::new(
                            ErrorKind::Unknown,
                            "The session is busy with concurrent requests; retry",
                        );
                        break Decision::Respond(UiaaResponse::Error { status: 503, error });
                    }
                    facts.session = None;
                }
            }
        };
        let passed = matches!(facts.outcome, Some(super::StageOutcome::Passed { .. }));
        if passed && !charged.is_empty() {
            self.store.refund(&charged, self.now()).await?;
        }
        Ok(answer)
    }

    /// Record that the stage `auth_type` of `session_id` was completed out of
    /// band (a fallback page, an email link). The client then sends
    /// `{"auth": {"session": …}}`. `false` when the session is unknown,
    /// expired or used, or does not offer that stage.
    pub async fn complete_out_of_band(
        &self,
        session_id: &str,
        auth_type: &AuthType,
    ) -> Result<bool, StoreError> {
        for _ in 0..MAX_RACES {
            let Some(session) = self.store.get(session_id).await? else { return Ok(false) };
            match core::complete_out_of_band(&session, auth_type, self.now()) {
                OutOfBand::Refused => return Ok(false),
                OutOfBand::Done => return Ok(true),
                OutOfBand::Write(next) => {
                    if self.store.replace(&next).await? {
                        return Ok(true);
                    }
                }
            }
        }
        Ok(false)
    }

    /// Delete expired sessions and ended counts. Expiry is also checked on
    /// every lookup, so this is housekeeping, not security: run it on a
    /// timer (the example homeserver does, every minute).
    pub async fn sweep(&self) -> Result<usize, StoreError> {
        self.store.remove_expired(self.now()).await
    }

    fn now(&self) -> u64 {
        (self.clock)()
    }

    fn verifier(&self, auth_type: &AuthType) -> Option<&Arc<dyn StageVerifier>> {
        self.verifiers.iter().find(|(t, _)| t == auth_type).map(|(_, v)| v)
    }
}

/// 128 bits from the operating system's CSPRNG, as 32 hex digits.
fn new_session_id() -> Result<String, EngineError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| EngineError::Randomness(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
