//! `matrix-uia-probe`: checks any homeserver's User-Interactive
//! Authentication against the rules that matter for security, and says,
//! rule by rule, `pass`, `fail` (with the exchanges that show it, secrets
//! redacted) or `skip` (with the reason).
//!
//! The rules, their levels and what each protects against are
//! [`rules::RULES`]; the command line is [`Options`]. The probe is built on
//! `matrix_uia`'s model and client driver.

pub mod accounts;
pub mod http;
pub mod options;
pub mod report;
pub mod rules;

pub use options::{Accounts, Command, Options};
pub use report::{Finding, Level, Outcome, Report, Summary};

use http::Client;
use rules::{Probe, RULES};

/// Why the probe could not run at all (exit code 2).
#[derive(Debug)]
pub struct CannotRun(pub String);

impl std::fmt::Display for CannotRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Run the rules `options` asks for against its homeserver.
pub fn run(options: &Options) -> Result<Report, CannotRun> {
    let client = Client::new(&options.homeserver, options.rate, options.timeout, options.max_time);
    let versions = client
        .get("/_matrix/client/versions", None)
        .map_err(|e| CannotRun(format!("{}: {e}", options.homeserver)))?;
    if versions.status != 200 || !versions.body["versions"].is_array() {
        return Err(CannotRun(format!(
            "{} does not answer /_matrix/client/versions as a homeserver ({})",
            options.homeserver, versions.status
        )));
    }
    let (a, b) = match &options.accounts {
        Accounts::Register => {
            let token = options.registration_token.as_deref();
            let a =
                accounts::register(&client, token).map_err(|why| CannotRun(format!("no account: {why}")))?;
            let b = accounts::register(&client, token)
                .map_err(|why| CannotRun(format!("no second account: {why}")))?;
            (a, Some(b))
        }
        Accounts::Given { user, password } => (
            accounts::given(&client, user, password)
                .map_err(|why| CannotRun(format!("no account: {why}")))?,
            None,
        ),
    };
    let probe = Probe { client: &client, options, a, b };
    let wanted = |id: &str| options.only.as_ref().is_none_or(|only| only.iter().any(|o| o == id));
    let findings = RULES
        .iter()
        .filter(|rule| wanted(rule.id))
        .map(|rule| Finding::new(rule.id, rule.level, (rule.run)(&probe)))
        .collect();
    Ok(Report { findings })
}
