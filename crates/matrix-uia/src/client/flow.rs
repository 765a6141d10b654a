//! Picking a flow and the stage to do next.

use crate::{AuthFlow, AuthType, UiaaInfo};

/// The flow to follow: the shortest one made only of `supported` stages.
///
/// Fewer stages is less for the user to do; this is matrix-js-sdk's choice.
/// Ties go to the flow the server lists first: servers list the flow they
/// prefer first, and taking the first keeps the choice stable across
/// retries. Stages already completed count as supported: they need nothing
/// more from the client.
pub fn choose_flow<'a>(info: &'a UiaaInfo, supported: &[AuthType]) -> Option<&'a AuthFlow> {
    let usable = |stage: &AuthType| supported.contains(stage) || info.completed().contains(stage);
    info.flows
        .iter()
        .filter(|flow| flow.stages.iter().all(usable))
        .min_by_key(|flow| flow.stages.iter().filter(|s| !info.completed().contains(s)).count())
}

/// The first stage of `flow` that is not completed, or `None` when the flow is done.
pub fn next_stage<'a>(info: &UiaaInfo, flow: &'a AuthFlow) -> Option<&'a AuthType> {
    flow.stages.iter().find(|stage| !info.completed().contains(stage))
}

/// The fallback page for `auth_type` in `session`:
/// `<homeserver>/_matrix/client/v3/auth/<type>/fallback/web?session=<session>`,
/// with the type and the session percent-encoded.
pub fn fallback_url(homeserver: &str, auth_type: &AuthType, session: &str) -> String {
    format!(
        "{}/_matrix/client/v3/auth/{}/fallback/web?session={}",
        homeserver.trim_end_matches('/'),
        percent_encode(auth_type.as_str()),
        percent_encode(session)
    )
}

/// Percent-encode everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(flows: &[&[&str]], completed: &[&str]) -> UiaaInfo {
        let mut info = UiaaInfo::new(
            flows.iter().map(|f| AuthFlow::new(f.iter().map(|s| AuthType::from(*s)))).collect(),
            Some("s".to_owned()),
        );
        if !completed.is_empty() {
            info.completed = Some(completed.iter().map(|s| AuthType::from(*s)).collect());
        }
        info
    }

    #[test]
    fn the_shortest_supported_flow_wins_and_ties_go_to_the_first() {
        let info = info(
            &[
                &["m.login.recaptcha", "m.login.terms", "m.login.dummy"],
                &["m.login.terms", "m.login.dummy"],
                &["m.login.email.identity", "m.login.dummy"],
            ],
            &[],
        );
        let supported = [AuthType::Terms, AuthType::Dummy, AuthType::EmailIdentity, AuthType::ReCaptcha];
        assert_eq!(choose_flow(&info, &supported), Some(&info.flows[1]));
        assert_eq!(choose_flow(&info, &[AuthType::Dummy]), None);
    }

    #[test]
    fn completed_stages_count_as_supported_and_as_done() {
        let info = info(
            &[&["m.login.sso", "m.login.dummy"], &["m.login.password", "m.login.terms", "m.login.dummy"]],
            &["m.login.sso"],
        );
        let flow = choose_flow(&info, &[AuthType::Dummy, AuthType::Password, AuthType::Terms]).unwrap();
        assert_eq!(flow, &info.flows[0]);
        assert_eq!(next_stage(&info, flow), Some(&AuthType::Dummy));
    }

    #[test]
    fn fallback_urls_escape_type_and_session() {
        assert_eq!(
            fallback_url("https://hs.example.org/", &AuthType::from("org.example/x y"), "a&b=c"),
            "https://hs.example.org/_matrix/client/v3/auth/org.example%2Fx%20y/fallback/web?session=a%26b%3Dc"
        );
        assert_eq!(
            fallback_url("http://127.0.0.1:8008", &AuthType::Terms, "abc"),
            "http://127.0.0.1:8008/_matrix/client/v3/auth/m.login.terms/fallback/web?session=abc"
        );
    }
}
