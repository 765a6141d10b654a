//! What bounds an attacker: one success per session under concurrency,
//! session ids that cannot be guessed, and limits on wrong passwords.

use std::collections::HashSet;

use serde_json::json;

use super::{DELETE_DEVICES, Probe, REGISTER, devices, password_auth, scenario, succeeded};
use crate::accounts::random_hex;
use crate::report::Outcome;

/// Attempts the limit rules allow before they call a server unlimited.
const ATTEMPTS: usize = 20;

pub fn concurrent_completion(probe: &Probe<'_>) -> Outcome {
    scenario(|| {
        let (a, device) = (&probe.a, probe.device(&probe.a)?);
        let session = probe.start_delete(a, &device)?;
        let mark = probe.client.mark();
        let body = devices(&device);
        let statuses: Vec<Result<u16, Outcome>> = std::thread::scope(|scope| {
            let racers: Vec<_> = (0..20)
                .map(|_| {
                    let (body, auth) = (&body, password_auth(a, &a.password, Some(&session)));
                    scope.spawn(move || {
                        probe.attempt(DELETE_DEVICES, Some(&a.token), body, auth).map(|r| r.status)
                    })
                })
                .collect();
            racers.into_iter().map(|racer| racer.join().unwrap_or(Ok(0))).collect()
        });
        let statuses: Vec<u16> = statuses.into_iter().collect::<Result<_, _>>()?;
        let successes = statuses.iter().filter(|s| (200..300).contains(*s)).count();
        if successes > 1 {
            let first = probe.client.since(mark).lines().take(4).collect::<Vec<_>>().join("\n");
            return Err(Outcome::Fail(format!(
                "{successes} of 20 concurrent completions of one session succeeded; statuses {statuses:?}\n{first}"
            )));
        }
        Ok(Outcome::Pass)
    })
}

/// An alphabet: its size, and which characters are in it.
type Alphabet = (usize, fn(char) -> bool);

/// The size of the smallest common alphabet that holds every character of `ids`.
fn alphabet(ids: &[String]) -> usize {
    let all = |allowed: fn(char) -> bool| ids.iter().flat_map(|id| id.chars()).all(allowed);
    let classes: [Alphabet; 6] = [
        (10, |c| c.is_ascii_digit()),
        (16, |c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
        (16, |c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()),
        (52, |c| c.is_ascii_alphabetic()),
        (62, |c| c.is_ascii_alphanumeric()),
        (64, |c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '+' || c == '/'),
    ];
    classes.iter().find(|(_, allowed)| all(*allowed)).map_or(95, |(size, _)| *size)
}

pub fn session_id_entropy(probe: &Probe<'_>) -> Outcome {
    scenario(|| {
        // Registration's first requests, where it is open (they create
        // nothing); else the first requests of deleting a device of the probe's.
        let register = json!({"username": format!("uiaprobe-{}", random_hex(6)), "password": random_hex(16)});
        let (path, token, body) = match probe.client.post(REGISTER, None, &register)?.session() {
            Some(_) => (REGISTER, None, register),
            None => (DELETE_DEVICES, Some(probe.a.token.as_str()), devices(&probe.device(&probe.a)?)),
        };
        let mark = probe.client.mark();
        let mut ids = Vec::new();
        for _ in 0..32 {
            let answer = probe.client.post(path, token, &body)?;
            match answer.session() {
                Some(id) => ids.push(id.to_owned()),
                None if answer.status == 429 && ids.len() >= 8 => break,
                None => return Err(Outcome::Skip(format!("{path} gave no session id ({})", answer.status))),
            }
        }
        let unique: HashSet<&String> = ids.iter().collect();
        if unique.len() != ids.len() {
            return Ok(probe.fail(
                mark,
                &format!("{} of {} session ids were repeats", ids.len() - unique.len(), ids.len()),
            ));
        }
        let shortest = ids.iter().map(|id| id.chars().count()).min().unwrap_or(0);
        let bits = shortest as f64 * (alphabet(&ids) as f64).log2();
        if bits < 128.0 {
            let example = ids.first().cloned().unwrap_or_default();
            return Err(Outcome::Fail(format!(
                "session ids of {shortest} characters over an alphabet of {}: {bits:.0} bits (e.g. {example})",
                alphabet(&ids)
            )));
        }
        Ok(Outcome::Pass)
    })
}

pub fn failure_limit_session(probe: &Probe<'_>) -> Outcome {
    scenario(|| {
        let account = probe.throwaway()?;
        let device = probe.device(&account)?;
        let session = probe.start_delete(&account, &device)?;
        for attempt in 1..=ATTEMPTS {
            let mark = probe.client.mark();
            let wrong = password_auth(&account, "not-the-password", Some(&session));
            let answer = probe.attempt(DELETE_DEVICES, Some(&account.token), &devices(&device), wrong)?;
            if answer.status == 429 && answer.errcode() == Some("M_LIMIT_EXCEEDED") {
                return Ok(Outcome::Pass);
            }
            if !answer.is_uia() {
                return Ok(probe.fail(mark, &format!("wrong password {attempt}: neither 401 nor 429")));
            }
            if attempt == ATTEMPTS {
                return Ok(probe.fail(
                    mark,
                    &format!("{ATTEMPTS} wrong passwords in one session, none limited; the last:"),
                ));
            }
        }
        unreachable!("the loop returns")
    })
}

pub fn failure_limit_identity(probe: &Probe<'_>) -> Outcome {
    scenario(|| {
        let account = probe.throwaway()?;
        let device = probe.device(&account)?;
        for attempt in 1..=ATTEMPTS {
            let mark = probe.client.mark();
            let first = probe.client.post(DELETE_DEVICES, Some(&account.token), &devices(&device))?;
            // Limited before a new session opens: as good.
            if first.status == 429 && first.errcode() == Some("M_LIMIT_EXCEEDED") {
                return Ok(Outcome::Pass);
            }
            let Some(session) = first.session().filter(|_| first.is_uia()) else {
                return Err(Outcome::Skip(format!("no new session for guess {attempt} ({})", first.status)));
            };
            let wrong = password_auth(&account, "not-the-password", Some(session));
            let answer = probe.attempt(DELETE_DEVICES, Some(&account.token), &devices(&device), wrong)?;
            if answer.status == 429 && answer.errcode() == Some("M_LIMIT_EXCEEDED") {
                return Ok(Outcome::Pass);
            }
            if succeeded(&answer) {
                return Ok(probe.fail(mark, "a wrong password succeeded"));
            }
            if attempt == ATTEMPTS {
                return Ok(probe.fail(
                    mark,
                    &format!("{ATTEMPTS} wrong passwords, each in a new session, none limited; the last:"),
                ));
            }
        }
        unreachable!("the loop returns")
    })
}

#[cfg(test)]
mod tests {
    use super::alphabet;

    fn ids(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|id| (*id).to_owned()).collect()
    }

    #[test]
    fn the_alphabet_is_the_smallest_common_one() {
        assert_eq!(alphabet(&ids(&["0123", "4567"])), 10);
        assert_eq!(alphabet(&ids(&["0a1b", "ff00"])), 16);
        assert_eq!(alphabet(&ids(&["AbCdEf", "xyz"])), 52);
        assert_eq!(alphabet(&ids(&["Ab1", "zz9"])), 62);
        assert_eq!(alphabet(&ids(&["a_b-c"])), 64);
        assert_eq!(alphabet(&ids(&["a b!"])), 95);
        // Synapse's ids: 24 ASCII letters, about 137 bits.
        assert!(24.0 * (alphabet(&ids(&["aBcDeFgHiJkLmNoPqRsTuVwX"])) as f64).log2() >= 128.0);
    }
}
