//! Driving a request through UIA with any HTTP client.
//!
//! [`Driver`] is the state machine: feed it each HTTP answer, it says what to
//! send next. [`drive`] and [`drive_async`] are the loop around it for a
//! blocking or an async `send`.

use std::fmt;
use std::future::Future;

use serde::Serialize;
use serde_json::value::RawValue;

use super::flow::{choose_flow, next_stage};
use crate::{
    AuthData, AuthFlow, AuthType, FromHttpError, StandardError, UiaaInfo, UiaaRequest, UiaaResponse,
};

/// What the driver needs from the application for one stage.
#[derive(Clone, Copy, Debug)]
pub struct StagePrompt<'a> {
    /// The stage to complete.
    pub auth_type: &'a AuthType,
    /// The session; put it in the `auth` dict.
    pub session: Option<&'a str>,
    /// The stage's params (the terms to show, the captcha key).
    pub params: Option<&'a RawValue>,
    /// Why the previous attempt failed, when it did (`M_FORBIDDEN`: wrong password).
    pub error: Option<&'a StandardError>,
    /// The whole 401 body.
    pub info: &'a UiaaInfo,
}

impl StagePrompt<'_> {
    fn session_owned(&self) -> Option<String> {
        self.session.map(str::to_owned)
    }

    /// `m.login.dummy` in this session.
    pub fn dummy(&self) -> AuthData {
        AuthData::Dummy(crate::Dummy::new(self.session_owned()))
    }

    /// `m.login.terms` in this session: the user accepted the policies in
    /// [`StagePrompt::params`].
    pub fn terms(&self) -> AuthData {
        AuthData::Terms(crate::Terms::new(self.session_owned()))
    }

    /// `m.login.password` for `identifier` in this session.
    pub fn password(&self, identifier: crate::UserIdentifier, password: impl Into<String>) -> AuthData {
        AuthData::Password(crate::Password::new(identifier, password, self.session_owned()))
    }

    /// `m.login.registration_token` with `token` in this session.
    pub fn registration_token(&self, token: impl Into<String>) -> AuthData {
        AuthData::RegistrationToken(crate::RegistrationToken::new(token, self.session_owned()))
    }

    /// `m.login.recaptcha` with the captcha `response` in this session.
    pub fn recaptcha(&self, response: impl Into<String>) -> AuthData {
        AuthData::ReCaptcha(crate::ReCaptcha::new(response, self.session_owned()))
    }

    /// The session alone: the stage was completed out of band (the
    /// [`fallback_url`](super::fallback_url) page, an email link).
    pub fn acknowledge(&self) -> AuthData {
        acknowledgement(self.info)
    }
}

/// What to do after an answer.
#[derive(Debug)]
pub enum Next<T> {
    /// Send this request.
    Send(UiaaRequest<T>),
    /// The request was performed: its status and body.
    Done {
        /// The HTTP status (2xx).
        status: u16,
        /// The response body.
        body: Vec<u8>,
    },
}

/// Why a request could not be completed.
#[derive(Debug)]
pub enum DriveError<E> {
    /// `send` failed.
    Send(E),
    /// The server answered an error that UIA cannot get past.
    Server {
        /// The HTTP status.
        status: u16,
        /// The error (boxed: it is the largest thing a drive can end with).
        error: Box<StandardError>,
    },
    /// No offered flow is made of stages this client supports.
    NoSupportedFlow(Vec<AuthFlow>),
    /// The application declined the stage (returned `None`).
    Cancelled(AuthType),
    /// The answer was not a UIA response.
    Response(FromHttpError),
    /// The server kept asking: more rounds than any flow can need.
    TooManyRounds,
}

impl<E: fmt::Display> fmt::Display for DriveError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DriveError::Send(e) => write!(f, "sending the request failed: {e}"),
            DriveError::Server { status, error } => write!(f, "the server answered {status}: {error}"),
            DriveError::NoSupportedFlow(flows) => {
                let flows: Vec<Vec<&str>> =
                    flows.iter().map(|f| f.stages.iter().map(AuthType::as_str).collect()).collect();
                write!(f, "no offered flow is supported: {flows:?}")
            }
            DriveError::Cancelled(stage) => write!(f, "the stage `{stage}` was cancelled"),
            DriveError::Response(e) => write!(f, "unexpected response: {e}"),
            DriveError::TooManyRounds => f.write_str("the server asked for more stages than any flow has"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for DriveError<E> {}

/// A bound on round trips: every stage of the longest flow, each retried a
/// few times, is far below it.
const MAX_ROUNDS: usize = 64;

/// The client's state for one request.
pub struct Driver<T> {
    body: T,
    supported: Vec<AuthType>,
    rounds: usize,
}

impl<T: Clone + Serialize> Driver<T> {
    /// Drive a request with these endpoint fields, supporting these stages.
    pub fn new(body: T, supported: impl IntoIterator<Item = AuthType>) -> Self {
        Driver { body, supported: supported.into_iter().collect(), rounds: 0 }
    }

    /// The first request: the body without `auth`.
    pub fn first(&self) -> UiaaRequest<T> {
        UiaaRequest::new(self.body.clone())
    }

    /// Read an answer. `auth_for` builds the `auth` dict of the stage the
    /// driver chose, or returns `None` to give up.
    pub fn answer<E>(
        &mut self,
        status: u16,
        body: Vec<u8>,
        auth_for: &mut impl FnMut(&StagePrompt<'_>) -> Option<AuthData>,
    ) -> Result<Next<T>, DriveError<E>> {
        if (200..300).contains(&status) {
            return Ok(Next::Done { status, body });
        }
        self.rounds += 1;
        if self.rounds > MAX_ROUNDS {
            return Err(DriveError::TooManyRounds);
        }
        let info = match UiaaResponse::from_http(status, &body).map_err(DriveError::Response)? {
            UiaaResponse::AuthRequired(info) => info,
            UiaaResponse::Error { status, error } => {
                return Err(DriveError::Server { status, error: Box::new(error) });
            }
        };
        let Some(flow) = choose_flow(&info, &self.supported) else {
            return Err(DriveError::NoSupportedFlow(info.flows.clone()));
        };
        let Some(stage) = next_stage(&info, flow) else {
            // Every stage is done yet the server still asks: acknowledge with the session.
            return Ok(Next::Send(self.with_auth(acknowledgement(&info))));
        };
        let prompt = StagePrompt {
            auth_type: stage,
            session: info.session.as_deref(),
            params: info.params_of(stage),
            error: info.auth_error.as_ref(),
            info: &info,
        };
        match auth_for(&prompt) {
            Some(auth) => Ok(Next::Send(self.with_auth(auth))),
            None => Err(DriveError::Cancelled(stage.clone())),
        }
    }

    fn with_auth(&self, auth: AuthData) -> UiaaRequest<T> {
        UiaaRequest::new(self.body.clone()).with_auth(auth)
    }
}

fn acknowledgement(info: &UiaaInfo) -> AuthData {
    AuthData::FallbackAcknowledgement(crate::FallbackAcknowledgement::new(
        info.session.clone().unwrap_or_default(),
    ))
}

/// Drive a request to completion with a blocking `send` that returns the
/// status and body of each answer.
pub fn drive<T, E>(
    body: T,
    supported: impl IntoIterator<Item = AuthType>,
    mut send: impl FnMut(&UiaaRequest<T>) -> Result<(u16, Vec<u8>), E>,
    mut auth_for: impl FnMut(&StagePrompt<'_>) -> Option<AuthData>,
) -> Result<(u16, Vec<u8>), DriveError<E>>
where
    T: Clone + Serialize,
{
    let mut driver = Driver::new(body, supported);
    let mut request = driver.first();
    loop {
        let (status, body) = send(&request).map_err(DriveError::Send)?;
        match driver.answer(status, body, &mut auth_for)? {
            Next::Send(next) => request = next,
            Next::Done { status, body } => return Ok((status, body)),
        }
    }
}

/// [`drive`] with an async `send`.
pub async fn drive_async<T, E, F, Fut>(
    body: T,
    supported: impl IntoIterator<Item = AuthType>,
    mut send: F,
    mut auth_for: impl FnMut(&StagePrompt<'_>) -> Option<AuthData>,
) -> Result<(u16, Vec<u8>), DriveError<E>>
where
    T: Clone + Serialize,
    F: FnMut(UiaaRequest<T>) -> Fut,
    Fut: Future<Output = Result<(u16, Vec<u8>), E>>,
{
    let mut driver = Driver::new(body, supported);
    let mut request = driver.first();
    loop {
        let (status, body) = send(request).await.map_err(DriveError::Send)?;
        match driver.answer(status, body, &mut auth_for)? {
            Next::Send(next) => request = next,
            Next::Done { status, body } => return Ok((status, body)),
        }
    }
}
