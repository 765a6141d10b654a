//! The client side of UIA: choose a flow, report the next stage, build each
//! stage's `auth` dict, and drive a request through its 401s with any HTTP
//! client (the caller supplies `send`).

mod driver;
mod flow;

pub use driver::{DriveError, Driver, Next, StagePrompt, drive, drive_async};
pub use flow::{choose_flow, fallback_url, next_stage};
