//! The server side of UIA: an engine a homeserver embeds.
//!
//! The homeserver declares, per endpoint, a [`Policy`] (flows and params) and
//! hands each request to [`Engine::authorize`], which answers
//! [`Decision::Proceed`] (a flow is complete: perform the request) or
//! [`Decision::Respond`] with the 401 or error to send. Stages are checked by
//! [`StageVerifier`]s the homeserver registers (`m.login.dummy` and
//! `m.login.terms` are built in); sessions live in a [`SessionStore`]
//! ([`MemoryStore`], or the durable `SqliteStore` of the `sqlite` feature).
//!
//! The engine is async and needs no particular runtime. The rules are a
//! pure state machine, [`core`], with no I/O; [`Engine`] is the shell that
//! awaits the store and the verifiers for it. A synchronous caller can drive
//! it with any `block_on`, as here:
//!
//! ```
//! use matrix_uia::server::{Decision, Engine, IncomingRequest, MemoryStore, Policy};
//! use matrix_uia::{AuthType, JsonObject};
//!
//! let engine = Engine::new(MemoryStore::new());
//! let policy = Policy::new([vec![AuthType::Dummy]]);
//! let body = JsonObject::new();
//! let request = IncomingRequest::new("POST", "/_matrix/client/v3/register", &body).client_address(Some("192.0.2.7"));
//! let Decision::Respond(first) = pollster::block_on(engine.authorize(&policy, request))? else { unreachable!() };
//! assert_eq!(first.status(), 401);
//! # Ok::<(), matrix_uia::server::EngineError>(())
//! ```
//!
//! Limits ([`EngineConfig`]): failed attempts per session, per user across
//! sessions and per client address, and live sessions per client; their
//! docs compare them with Synapse's.
//!
//! # The answers, and Synapse's
//!
//! Each rule has a test named after it in `tests/server_rules.rs`. The
//! Synapse column is what Synapse 1.163.2 answered on 127.0.0.1 (SQLite,
//! default UIA settings), recorded request by request in
//! `tests/interop/synapse-probe/results.md`. Where the engine differs, the last
//! column says why.
//!
//! | situation | this engine | Synapse 1.163.2 | why they differ |
//! |---|---|---|---|
//! | no `auth`, or `"auth": {}` | 401: flows, params, new session (128 bits, CSPRNG), no `completed` | same | |
//! | dummy-only flow, no `auth` | 401 first | same | |
//! | stage failed, may retry (wrong password) | 401 UIA body + `M_FORBIDDEN`, `completed` present (`[]` too) | same | |
//! | registration token missing / invalid / not a string | 401 UIA body + `M_MISSING_PARAM` / `M_UNAUTHORIZED` / `M_INVALID_PARAM` | same | |
//! | password stage without `password` | 401 UIA body + `M_MISSING_PARAM` (retryable) | 400 `M_INVALID_PARAM` | one rule for every stage's missing field: the client may retry |
//! | `auth` not an object, or `"type": 7` | 400 `M_BAD_JSON` | same | |
//! | unknown session | 400 `M_UNKNOWN` | same | |
//! | expired session | 400 `M_UNKNOWN`, checked on every lookup | usable until a background job removes it (48 h after creation) | an expired session must not authorise |
//! | auth type not offered by the endpoint | 400 `M_INVALID_PARAM`, nothing recorded | 401, **recorded as completed** (`m.login.dummy` on a password endpoint) | a stage no flow needs must not count |
//! | unknown auth type | 400 `M_INVALID_PARAM` | same | |
//! | stage out of order in every flow | 400 `M_INVALID_PARAM` | accepted in any order | the spec's flows are ordered |
//! | completed stage sent again | 401 with `completed` (not re-checked), or proceed if a flow is complete | re-checked | the spec: completed stages cannot be retried |
//! | same session, other method or path | 403 `M_FORBIDDEN` | 403 `M_UNKNOWN` | the request is forbidden, not unknown |
//! | same session, same path, **other body** (another device list) | 403 `M_FORBIDDEN` | **200: the other body is authorised** | a session authorises the request it was started for |
//! | session-only `auth` after the request was authorised | 400 `M_UNKNOWN`: a session authorises once | **200 with no credentials, even for another body** | a replay must not authorise |
//! | 12 wrong passwords in one session | 401 × 10, then 429 `M_LIMIT_EXCEEDED` with `retry_after_ms` (limit configurable) | 401 × 12, never limited (even with default `rc_login`) | online guessing must be bounded |
//! | wrong passwords for one user, each in a new session | 401 × 10 in 15 minutes (the user's count, shared by every worker), then 429 | 401 × 20, never limited; its UIA limiter is never reached (see [`EngineConfig`]) | a new session must not reset the count |
//! | wrong stages from one client address, over many users | 429 after 100 in 15 minutes, when the homeserver passes the address | not limited | |
//! | one client opening session after session | 429 once it holds 100 live sessions (20 per requester) | no cap; sessions are removed 48 h after creation | one client must not grow the store without bound |
//! | another user's correct password | 403 `M_FORBIDDEN`, counted as a failure | 403 `M_FORBIDDEN` | |
//! | a session one user advanced, continued by another requester | 403 `M_FORBIDDEN`: the requester is part of what the session is bound to | not probed (its endpoints' flows are one password stage, whose user it checks against the requester) | found by fuzzing: a stage that proves no one (`m.login.dummy`) must not finish another user's session |
//! | stage offered but no verifier registered | `EngineError::NoVerifier` for the homeserver to log; the client gets 500 `M_UNKNOWN` with no internal text | not possible: flows come from its checkers | |
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
//! The failure counts and the session caps live in the store too, each
//! checked and updated in one atomic step ([`SessionStore::charge`],
//! [`SessionStore::insert`]), so that the limits hold across workers.
//! `SqliteStore` shares sessions between the processes of one machine; a
//! store on a database server for a multi-machine deployment implements the
//! same operations (see the [`SessionStore`] docs).

pub mod binding;
pub mod core;
mod engine;
mod limits;
mod memory;
mod policy;
#[cfg(feature = "postgres")]
mod postgres;
mod session;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql_row;
#[cfg(feature = "sqlite")]
mod sqlite;
mod stages;
mod store;

pub use core::{Authorized, Decision, IncomingRequest, SessionCaps};
pub use engine::{Clock, Engine};
pub use limits::{EngineConfig, Limit};
pub use memory::MemoryStore;
pub use policy::Policy;
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use postgres::PostgresStore;
pub use session::Session;
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub use sqlite::SqliteStore;
pub use stages::{
    BoxFuture, DummyStage, PasswordStage, RegistrationTokenStage, StageContext, StageOutcome, StageVerifier,
    TermsStage, constant_time_eq, fixed_registration_tokens,
};
pub use store::{Admission, EngineError, SessionStore, StoreError};
