//! What a session is bound to and how it may be completed: its endpoint,
//! its body, its user, its stages and their order, and its single use.

use serde_json::json;

use super::{
    CHANGE_PASSWORD, DELETE_DEVICES, Probe, REGISTER, devices, flows, password_auth, scenario, succeeded,
};
use crate::accounts::random_hex;
use crate::report::Outcome;

pub fn uri_binding(probe: &Probe<'_>) -> Outcome {
    scenario(|| {
        let (a, device) = (&probe.a, probe.device(&probe.a)?);
        // Started for a password change to the password the account has:
        // harmless, should a server perform it.
        let change = json!({"new_password": a.password, "logout_devices": false});
        let (_, session) = probe.start(CHANGE_PASSWORD, Some(&a.token), &change)?;
        let mark = probe.client.mark();
        let answer = probe.attempt(
            DELETE_DEVICES,
            Some(&a.token),
            &devices(&device),
            password_auth(a, &a.password, Some(&session)),
        )?;
        if succeeded(&answer) || !probe.alive(&device)? {
            return Ok(
                probe.fail(mark, &format!("a session of {CHANGE_PASSWORD} authorised {DELETE_DEVICES}"))
            );
        }
        Ok(Outcome::Pass)
    })
}

pub fn body_binding(probe: &Probe<'_>) -> Outcome {
    scenario(|| {
        let a = &probe.a;
        let (started_for, other) = (probe.device(a)?, probe.device(a)?);
        let auth = |session: &str| password_auth(a, &a.password, Some(session));
        let (mark, done) = probe.foreign_attempt(&started_for, &other, &a.token, auth)?;
        if done {
            return Ok(probe.fail(mark, "a session started to delete one device deleted another"));
        }
        Ok(Outcome::Pass)
    })
}

pub fn replay_after_success(probe: &Probe<'_>) -> Outcome {
    scenario(|| {
        let (a, device) = (&probe.a, probe.device(&probe.a)?);
        let session = probe.start_delete(a, &device)?;
        let auth = password_auth(a, &a.password, Some(&session));
        let done = probe.attempt(DELETE_DEVICES, Some(&a.token), &devices(&device), auth)?;
        if !succeeded(&done) {
            return Err(Outcome::Skip(format!(
                "the right password did not complete the request ({})",
                done.status
            )));
        }
        let mark = probe.client.mark();
        let replay =
            probe.attempt(DELETE_DEVICES, Some(&a.token), &devices(&device), json!({"session": session}))?;
        if succeeded(&replay) {
            return Ok(probe.fail(mark, "the session authorised its request again, with no credentials"));
        }
        Ok(Outcome::Pass)
    })
}

pub fn stage_not_offered(probe: &Probe<'_>) -> Outcome {
    scenario(|| {
        let (a, device) = (&probe.a, probe.device(&probe.a)?);
        let (first, session) = probe.start(DELETE_DEVICES, Some(&a.token), &devices(&device))?;
        let offered: Vec<String> = flows(&first).into_iter().flatten().collect();
        let Some(stage) =
            ["m.login.dummy", "m.login.terms"].into_iter().find(|s| !offered.iter().any(|o| o == s))
        else {
            return Err(Outcome::Skip("every stage the probe can send is offered".to_owned()));
        };
        let mark = probe.client.mark();
        let answer = probe.attempt(
            DELETE_DEVICES,
            Some(&a.token),
            &devices(&device),
            json!({"type": stage, "session": session}),
        )?;
        let recorded =
            answer.body["completed"].as_array().is_some_and(|done| done.iter().any(|s| s == stage));
        if succeeded(&answer) || recorded || !probe.alive(&device)? {
            return Ok(probe.fail(mark, &format!("`{stage}`, in no offered flow, was accepted")));
        }
        Ok(Outcome::Pass)
    })
}

/// A stage of some flow past its first that no flow starts with, among
/// those the probe can send whole: sending it first is out of order in
/// every flow.
fn out_of_order(flows: &[Vec<String>]) -> Option<String> {
    let firsts: Vec<&String> = flows.iter().filter_map(|flow| flow.first()).collect();
    flows
        .iter()
        .flat_map(|flow| flow.iter().skip(1))
        .find(|stage| ["m.login.dummy", "m.login.terms"].contains(&stage.as_str()) && !firsts.contains(stage))
        .cloned()
}

pub fn stage_order(probe: &Probe<'_>) -> Outcome {
    scenario(|| {
        // Registration is where servers offer flows of several stages; a
        // registration left unfinished creates nothing.
        let body = json!({"username": format!("uiaprobe-{}", random_hex(6)), "password": random_hex(16)});
        let first = probe.client.post(REGISTER, None, &body)?;
        let (Some(session), true) = (first.session(), first.is_uia()) else {
            return Err(Outcome::Skip(format!(
                "registration is not open to a UIA round here ({})",
                first.status
            )));
        };
        let Some(stage) = out_of_order(&flows(&first)) else {
            return Err(Outcome::Skip(format!(
                "no offered flow has a later stage the probe can send first: {}",
                first.body["flows"]
            )));
        };
        let mark = probe.client.mark();
        let answer = probe.attempt(REGISTER, None, &body, json!({"type": stage, "session": session}))?;
        let recorded = answer.body["completed"]
            .as_array()
            .is_some_and(|done| done.iter().any(|s| s.as_str() == Some(stage.as_str())));
        if succeeded(&answer) || recorded {
            return Ok(
                probe.fail(mark, &format!("`{stage}` was accepted before the stages its flow puts first"))
            );
        }
        Ok(Outcome::Pass)
    })
}

pub fn other_user_password(probe: &Probe<'_>) -> Outcome {
    scenario(|| {
        let (a, b) = (&probe.a, probe.second()?);
        let device = probe.device(a)?;
        let auth = |session: &str| password_auth(b, &b.password, Some(session));
        let (mark, done) = probe.foreign_attempt(&device, &device, &a.token, auth)?;
        if done {
            return Ok(probe.fail(mark, "user B's password authorised a request made with user A's token"));
        }
        Ok(Outcome::Pass)
    })
}

pub fn cross_user_session(probe: &Probe<'_>) -> Outcome {
    scenario(|| {
        let (a, b) = (&probe.a, probe.second()?);
        let device = probe.device(a)?;
        let auth = |session: &str| password_auth(b, &b.password, Some(session));
        let (mark, done) = probe.foreign_attempt(&device, &device, &b.token, auth)?;
        if done {
            return Ok(probe.fail(mark, "user B completed a session user A started"));
        }
        Ok(Outcome::Pass)
    })
}

#[cfg(test)]
mod tests {
    use super::out_of_order;

    fn flows(flows: &[&[&str]]) -> Vec<Vec<String>> {
        flows.iter().map(|flow| flow.iter().map(|s| (*s).to_owned()).collect()).collect()
    }

    #[test]
    fn a_stage_is_out_of_order_only_if_no_flow_starts_with_it() {
        assert_eq!(
            out_of_order(&flows(&[&["m.login.terms", "m.login.dummy"]])).as_deref(),
            Some("m.login.dummy")
        );
        assert_eq!(out_of_order(&flows(&[&["m.login.terms", "m.login.dummy"], &["m.login.dummy"]])), None);
        assert_eq!(out_of_order(&flows(&[&["m.login.dummy"]])), None);
        // A later stage the probe cannot send whole is not a candidate.
        assert_eq!(out_of_order(&flows(&[&["m.login.dummy", "m.login.recaptcha"]])), None);
    }
}
