//! A world for the pure decision core (`matrix_uia::server::core`): it
//! answers each step the core asks for at once, on the test's thread, with
//! no executor. Sessions and counts live in a `MemoryStore` (its futures are
//! ready at their first poll), session ids count up, the clock is a number
//! the test moves, and stages are checked by the library's verifiers.
//!
//! The rule tests (`server_rules.rs`) and the engine fuzz target exercise
//! the rules through it; the async `Engine`, the other driver of the same
//! core, is tested with real stores in `server_shell.rs`.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use matrix_uia::AuthType;
use matrix_uia::server::core::{self, Facts, Found, OutOfBand, Request, Step};
use matrix_uia::server::{
    Admission, Decision, DummyStage, EngineConfig, IncomingRequest, MemoryStore, Policy, Session,
    SessionStore, StageOutcome, StageVerifier, TermsStage,
};

/// The state the core's decisions act on.
pub struct World {
    /// The sessions and the failure counts.
    pub store: MemoryStore,
    /// The limits.
    pub config: EngineConfig,
    /// The clock, in milliseconds since the Unix epoch.
    pub now_ms: u64,
    verifiers: Vec<Box<dyn StageVerifier>>,
    issued: u64,
}

/// The value of a future that must not wait: the world does no I/O.
fn at_once<T>(future: impl Future<Output = T>) -> T {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("a step of the world waited"),
    }
}

impl World {
    /// An empty world with `config`, `m.login.dummy` and `m.login.terms`.
    pub fn new(config: EngineConfig) -> Self {
        World { store: MemoryStore::new(), config, now_ms: 1_000_000, verifiers: Vec::new(), issued: 0 }
            .with_verifier(DummyStage)
            .with_verifier(TermsStage)
    }

    /// Check the stages of `verifier`'s auth type with it.
    pub fn with_verifier(mut self, verifier: impl StageVerifier + 'static) -> Self {
        self.verifiers.push(Box::new(verifier));
        self
    }

    fn verifier(&self, auth_type: &AuthType) -> &dyn StageVerifier {
        let found = self.verifiers.iter().find(|v| v.auth_type() == *auth_type);
        found.map(|v| &**v).unwrap_or_else(|| panic!("the world has no verifier for {auth_type}"))
    }

    /// The core's decision on `incoming`, every step it asks for answered.
    pub fn decide(&mut self, policy: &Policy, incoming: IncomingRequest<'_>) -> Decision {
        let request = Request::read(policy, &self.config, incoming);
        let mut facts = Facts::default();
        let mut charged = Vec::new();
        let decision = loop {
            match request.decide(&facts, self.now_ms) {
                Step::Respond(decision) => break decision,
                Step::Open { mut session, caps } => {
                    self.issued += 1;
                    session.id = format!("{:032x}", self.issued);
                    facts.session = Some(match at_once(self.store.insert(&session, caps)).unwrap() {
                        Admission::Admitted => Found::Session(session),
                        Admission::Limited { retry_after_ms } => Found::Capped { retry_after_ms },
                    });
                }
                Step::Load(id) => {
                    let session = at_once(self.store.get(id)).unwrap();
                    facts.session = Some(session.map_or(Found::Missing, Found::Session));
                }
                Step::Charge(keys) => {
                    let admission = at_once(self.store.charge(keys, self.now_ms)).unwrap();
                    if admission == Admission::Admitted {
                        charged = keys.iter().map(|(key, _)| key.clone()).collect();
                    }
                    facts.charged = Some(admission);
                }
                Step::Verify { auth_type, auth, context } => {
                    facts.outcome = Some(at_once(self.verifier(&auth_type).verify(auth, &context)));
                }
                Step::PollOutOfBand(stages) => {
                    let done = stages.into_iter().filter(|(stage, context)| {
                        at_once(self.verifier(stage).completed_out_of_band(context))
                    });
                    facts.out_of_band = Some(done.map(|(stage, _)| stage).collect());
                }
                Step::Write { session, then } => {
                    // One thread: nobody else writes in between.
                    assert!(at_once(self.store.replace(&session)).unwrap(), "a write lost with no rival");
                    break then;
                }
            }
        };
        if matches!(facts.outcome, Some(StageOutcome::Passed { .. })) {
            at_once(self.store.refund(&charged, self.now_ms)).unwrap();
        }
        decision
    }

    /// Mark `auth_type` of `session_id` completed out of band.
    pub fn complete_out_of_band(&mut self, session_id: &str, auth_type: &AuthType) -> bool {
        let Some(session) = at_once(self.store.get(session_id)).unwrap() else { return false };
        match core::complete_out_of_band(&session, auth_type, self.now_ms) {
            OutOfBand::Refused => false,
            OutOfBand::Done => true,
            OutOfBand::Write(next) => at_once(self.store.replace(&next)).unwrap(),
        }
    }

    /// The session as stored.
    #[allow(dead_code)] // the rule tests read it; the fuzz target does not
    pub fn session(&self, id: &str) -> Option<Session> {
        at_once(self.store.get(id)).unwrap()
    }

    /// Remove what expired by now.
    pub fn sweep(&mut self) -> usize {
        at_once(self.store.remove_expired(self.now_ms)).unwrap()
    }
}
