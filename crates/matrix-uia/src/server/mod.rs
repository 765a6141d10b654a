//! The server side of UIA: an engine a homeserver embeds.
//!
//! The homeserver declares, per endpoint, a [`Policy`] (flows and params) and
//! hands each request to [`Engine::authorize`], which answers
//! [`Decision::Proceed`] (a flow is complete: perform the request) or
//! [`Decision::Respond`] with the 401 or error to send. Stages are checked by
//! [`StageVerifier`]s the homeserver registers (`m.login.dummy` and
//! `m.login.terms` are built in); sessions live in a [`SessionStore`]
//! ([`MemoryStore`], or the durable [`SqliteStore`]).
//!
//! ```
//! use matrix_uia::server::{Decision, Engine, IncomingRequest, MemoryStore, Policy};
//! use matrix_uia::{AuthType, JsonObject};
//!
//! let engine = Engine::new(MemoryStore::new());
//! let policy = Policy::new([vec![AuthType::Dummy]]);
//! let body = JsonObject::new();
//! let request = IncomingRequest { method: "POST", path: "/_matrix/client/v3/register", requester: None, body: &body };
//! let Decision::Respond(first) = engine.authorize(&policy, &request) else { unreachable!() };
//! assert_eq!(first.status(), 401);
//! ```
//!
//! # The answers, and Synapse's
//!
//! Each rule has a test named after it in `tests/server_rules.rs`. The
//! Synapse 1.163.2 column is read from its UIA handler
//! (`synapse/handlers/auth.py`, `handlers/ui_auth/checkers.py`) and from
//! trying it as a client would; it is not yet checked by a test against a
//! running Synapse. Where the engine differs, it is stricter on purpose.
//!
//! | situation | this engine | Synapse 1.163.2 |
//! |---|---|---|
//! | no `auth` | 401, flows, params, new session (128 bits, CSPRNG) | same |
//! | dummy-only flow, no `auth` | 401 first | same |
//! | stage failed, may retry (wrong password) | 401 UIA body + `M_FORBIDDEN` | same |
//! | registration token missing / invalid | 401 UIA body + `M_MISSING_PARAM` / `M_UNAUTHORIZED` | same |
//! | other missing or mistyped field of an offered stage | 401 UIA body + `M_MISSING_PARAM` / `M_INVALID_PARAM` | checker-specific |
//! | `auth` not an object, or unparsable | 400 `M_BAD_JSON` | 400 `M_BAD_JSON` |
//! | unknown session | 400 `M_UNKNOWN` | same |
//! | expired session | 400 `M_UNKNOWN`, checked on every lookup | accepted until a sweep (every 5 minutes) removes it |
//! | auth type in no offered flow | 400 `M_UNRECOGNIZED`, not recorded | recorded as completed (a stage no flow needs) |
//! | stage out of order in every flow | 400 `M_UNRECOGNIZED` | accepted in any order |
//! | completed stage sent again | 401 with `completed` (not re-checked), or proceed if a flow is complete | re-checked |
//! | same session, other method, path **or body** | 403 `M_FORBIDDEN` ("Requested operation has changed…") | 403 for method or path; **another body is authorised** |
//! | session-only `auth` after completion | 400 `M_UNKNOWN`: a session authorises once | **authorises again with no credentials** |
//! | more than 10 failed attempts (configurable) | 429 `M_LIMIT_EXCEEDED`, `retry_after_ms` | never limited inside UIA |
//! | another user's correct password | 403 `M_FORBIDDEN`, counted as a failure | 403 `M_FORBIDDEN` |
//! | stage offered but no verifier registered | 500 `M_UNKNOWN` (server misconfiguration) | not possible: flows come from its checkers |
//!
//! Secrets the engine compares itself (registration tokens through
//! [`fixed_registration_tokens`]) are compared in constant time with
//! [`constant_time_eq`]; password checks are the homeserver's, against its hashes.
//!
//! # Sharing sessions between workers
//!
//! The store is the seam: every worker of a homeserver builds its engine on
//! the same store. [`SessionStore::replace`] is a compare-and-swap on the
//! session's version, so concurrent requests on one session (from one worker
//! or several) never both complete a stage or both authorise the request.
//! [`SqliteStore`] shares sessions between the processes of one machine; a
//! PostgreSQL store for a multi-machine deployment implements the same four
//! operations (see the [`SessionStore`] docs for the SQL).

pub mod binding;
mod engine;
mod memory;
mod session;
#[cfg(feature = "sqlite")]
mod sqlite;
mod stages;
mod store;

pub use engine::{Authorized, Clock, Decision, Engine, EngineConfig, IncomingRequest, Policy};
pub use memory::MemoryStore;
pub use session::Session;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;
pub use stages::{
    DummyStage, PasswordStage, RegistrationTokenStage, StageContext, StageOutcome, StageVerifier, TermsStage,
    constant_time_eq, fixed_registration_tokens,
};
pub use store::{SessionStore, StoreError};
