//! The shape of the answers: the first 401, the 401 of a failed stage (the
//! spec change this project started from), and the standard errors.

use matrix_uia::UiaaResponse;
use serde_json::{Value, json};

use super::{DELETE_DEVICES, Probe, devices, password_auth, scenario};
use crate::report::Outcome;

pub fn first_request_401(probe: &Probe<'_>) -> Outcome {
    scenario(|| {
        let device = probe.device(&probe.a)?;
        let mark = probe.client.mark();
        let first = probe.client.post(DELETE_DEVICES, Some(&probe.a.token), &devices(&device))?;
        let flows = first.body["flows"].as_array();
        let well_formed = flows.is_some_and(|flows| {
            !flows.is_empty()
                && flows
                    .iter()
                    .all(|flow| flow["stages"].as_array().is_some_and(|s| s.iter().all(Value::is_string)))
        });
        // The spec's schema requires `flows` only; `params`, when sent, is an object.
        let params = first.body.get("params").is_none_or(Value::is_object);
        if first.status != 401 || !well_formed || !params {
            return Ok(
                probe.fail(mark, "expected 401 with `flows` (each with `stages`), and `params` an object")
            );
        }
        // And the model reads it as the spec's UIA body.
        match UiaaResponse::from_http(first.status, first.body.to_string().as_bytes()) {
            Ok(UiaaResponse::AuthRequired(_)) => Ok(Outcome::Pass),
            other => Ok(probe.fail(mark, &format!("not a UIA body by the spec's rule: {other:?}"))),
        }
    })
}

pub fn failed_stage_401_errcode(probe: &Probe<'_>) -> Outcome {
    scenario(|| {
        let (mark, answer) = probe.wrong_password()?;
        let error_text = answer.body["error"].is_string();
        if !answer.is_uia() || answer.session().is_none() || answer.errcode().is_none() || !error_text {
            return Ok(probe.fail(mark, "expected 401 with `flows`, `session`, `errcode` and `error`"));
        }
        match UiaaResponse::from_http(answer.status, answer.body.to_string().as_bytes()) {
            Ok(UiaaResponse::AuthRequired(info)) if info.auth_error.is_some() => Ok(Outcome::Pass),
            other => {
                Ok(probe.fail(mark, &format!("the model does not read it as a failed stage: {other:?}")))
            }
        }
    })
}

pub fn malformed_auth_standard_error(probe: &Probe<'_>) -> Outcome {
    scenario(|| {
        let device = probe.device(&probe.a)?;
        let session = probe.start_delete(&probe.a, &device)?;
        let mark = probe.client.mark();
        let malformed = json!({"type": 7, "session": session});
        let answer = probe.attempt(DELETE_DEVICES, Some(&probe.a.token), &devices(&device), malformed)?;
        if !answer.is_standard_error() {
            return Ok(probe.fail(mark, "expected a 4xx standard error (`errcode`, no `flows`)"));
        }
        Ok(Outcome::Pass)
    })
}

pub fn unknown_session(probe: &Probe<'_>) -> Outcome {
    scenario(|| {
        let device = probe.device(&probe.a)?;
        let mark = probe.client.mark();
        // The right password: only the session is wrong.
        let auth = password_auth(&probe.a, &probe.a.password, Some("uiaprobe-no-such-session"));
        let answer = probe.attempt(DELETE_DEVICES, Some(&probe.a.token), &devices(&device), auth)?;
        if !answer.is_standard_error() || answer.errcode() != Some("M_UNKNOWN") {
            return Ok(probe.fail(mark, "expected a 4xx standard error with `M_UNKNOWN`"));
        }
        if !probe.alive(&device)? {
            return Ok(probe.fail(mark, "the device was deleted under a session that does not exist"));
        }
        Ok(Outcome::Pass)
    })
}

pub fn completed_in_401(probe: &Probe<'_>) -> Outcome {
    scenario(|| {
        let (mark, answer) = probe.wrong_password()?;
        if !answer.is_uia() || !answer.body["completed"].is_array() {
            return Ok(probe.fail(mark, "expected the 401 after a failed attempt to list `completed`"));
        }
        Ok(Outcome::Pass)
    })
}
