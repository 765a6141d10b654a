//! The command line.

use std::time::Duration;

use crate::rules::RULES;

/// How to run the probe.
#[derive(Clone, Debug)]
pub struct Options {
    /// The homeserver's base URL (`https://matrix.example.org`), no trailing slash.
    pub homeserver: String,
    /// Where the probe's accounts come from.
    pub accounts: Accounts,
    /// A registration token, for servers whose registration asks for one.
    pub registration_token: Option<String>,
    /// One JSON object per line instead of a table.
    pub json: bool,
    /// Only these rules (ids), in the table's order.
    pub only: Option<Vec<String>>,
    /// Requests per second at most, on average (a burst of as many is allowed).
    pub rate: f64,
    /// How long one request may take.
    pub timeout: Duration,
    /// How long the whole run may take; rules not reached by then are skipped.
    pub max_time: Duration,
}

/// Where the probe's accounts come from.
#[derive(Clone, Debug)]
pub enum Accounts {
    /// Register accounts of its own through the flows the server offers.
    Register,
    /// Use this account; extra devices come from logging in.
    Given {
        /// The user ID or localpart.
        user: String,
        /// Its password.
        password: String,
    },
}

/// The usage line.
pub const USAGE: &str = "usage: matrix-uia-probe --homeserver URL [--register | --user USER --password PW] \
[--registration-token T] [--json] [--only RULE,...] [--rate N] [--timeout SECONDS] [--max-time SECONDS]
       matrix-uia-probe --list-rules";

/// What `--help` prints: the usage, then each option.
pub const HELP: &str = "\
Checks a Matrix homeserver's User-Interactive Authentication against the rules
that matter for security, and reports each as pass, fail (with the exchanges
that show it, secrets redacted) or skip (with the reason).

  --homeserver URL          the server's base URL (https://matrix.example.org)
  --register                make accounts of its own through the registration
                            flows the server offers (dummy, terms, token)
  --user USER --password PW use this account instead; extra devices come from
                            logging in; the rules that need more accounts skip
  --registration-token T    for a server whose registration asks for a token
  --json                    one JSON object per rule, then a summary line
  --only RULE,...           run only these rules (see --list-rules)
  --rate N                  at most N requests a second (default 20)
  --timeout SECONDS         per request (default 10)
  --max-time SECONDS        for the whole run; rules not reached skip (default 600)
  --list-rules              print the rule table as JSON lines, and exit
  --help                    print this, and exit

Exit codes: 0 when no `must` rule fails, 1 when one does, 2 when the probe
could not run (bad arguments, server unreachable, no account).";

/// What the command line asks for.
#[derive(Clone, Debug)]
pub enum Command {
    /// Probe a server.
    Probe(Options),
    /// Print the rule table.
    ListRules,
    /// Print [`USAGE`] and [`HELP`].
    Help,
}

impl Command {
    /// Read the arguments (without the program's name): `--help` or
    /// `--list-rules` anywhere wins over the rest.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
        let args: Vec<String> = args.into_iter().collect();
        if args.iter().any(|arg| arg == "--help" || arg == "-h") {
            return Ok(Command::Help);
        }
        if args.iter().any(|arg| arg == "--list-rules") {
            return Ok(Command::ListRules);
        }
        Options::parse(args).map(Command::Probe)
    }
}

impl Options {
    /// Read the arguments (without the program's name).
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let mut args = args.into_iter();
        let (mut homeserver, mut register, mut user, mut password) = (None, false, None, None);
        let mut options = Options {
            homeserver: String::new(),
            accounts: Accounts::Register,
            registration_token: None,
            json: false,
            only: None,
            rate: 20.0,
            timeout: Duration::from_secs(10),
            max_time: Duration::from_secs(600),
        };
        while let Some(flag) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
            match flag.as_str() {
                "--homeserver" => homeserver = Some(value()?),
                "--register" => register = true,
                "--user" => user = Some(value()?),
                "--password" => password = Some(value()?),
                "--registration-token" => options.registration_token = Some(value()?),
                "--json" => options.json = true,
                "--only" => options.only = Some(rule_ids(&value()?)?),
                "--rate" => options.rate = positive(&flag, &value()?)?,
                "--timeout" => options.timeout = Duration::from_secs_f64(positive(&flag, &value()?)?),
                "--max-time" => options.max_time = Duration::from_secs_f64(positive(&flag, &value()?)?),
                other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
            }
        }
        let homeserver = homeserver.ok_or_else(|| format!("--homeserver is required\n{USAGE}"))?;
        if !homeserver.starts_with("http://") && !homeserver.starts_with("https://") {
            return Err(format!("--homeserver {homeserver}: give a URL, http:// or https://"));
        }
        options.homeserver = homeserver.trim_end_matches('/').to_owned();
        options.accounts = match (register, user, password) {
            (true, None, None) => Accounts::Register,
            (false, Some(user), Some(password)) => Accounts::Given { user, password },
            (false, None, None) => return Err(format!("give --register, or --user and --password\n{USAGE}")),
            _ => return Err(format!("give either --register or --user with --password\n{USAGE}")),
        };
        Ok(options)
    }
}

fn positive(flag: &str, text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(n) if n > 0.0 && n.is_finite() => Ok(n),
        _ => Err(format!("{flag} {text}: give a positive number")),
    }
}

/// The ids of `--only`, each checked against the rule table.
fn rule_ids(list: &str) -> Result<Vec<String>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(|id| {
            if RULES.iter().any(|rule| rule.id == id) {
                Ok(id.to_owned())
            } else {
                let known: Vec<&str> = RULES.iter().map(|rule| rule.id).collect();
                Err(format!("--only: no rule `{id}`; the rules are {}", known.join(", ")))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &str) -> Result<Options, String> {
        Options::parse(args.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn the_accounts_come_from_registration_or_from_the_command_line() {
        let options = parse("--homeserver https://hs.example/ --register").unwrap();
        assert_eq!(options.homeserver, "https://hs.example");
        assert!(matches!(options.accounts, Accounts::Register));
        let given = parse("--homeserver http://127.0.0.1:8008 --user alice --password pw").unwrap();
        assert!(matches!(given.accounts, Accounts::Given { ref user, .. } if user == "alice"));
        assert!(parse("--homeserver http://hs --register --user a --password b").is_err());
        assert!(parse("--homeserver http://hs --user a").is_err());
        assert!(parse("--homeserver http://hs").unwrap_err().contains("--register"));
    }

    #[test]
    fn help_and_the_rule_list_win_over_the_rest() {
        let command = |args: &str| Command::parse(args.split_whitespace().map(str::to_owned));
        assert!(matches!(command("--help"), Ok(Command::Help)));
        assert!(matches!(command("--homeserver nope -h --bogus"), Ok(Command::Help)));
        assert!(matches!(command("--list-rules"), Ok(Command::ListRules)));
        assert!(matches!(command("--homeserver http://hs --register"), Ok(Command::Probe(_))));
        assert!(command("--bogus").unwrap_err().contains("unknown argument `--bogus`"));
        // Every option the parser takes is in the help.
        for flag in [
            "--homeserver",
            "--register",
            "--user",
            "--password",
            "--registration-token",
            "--json",
            "--only",
            "--rate",
            "--timeout",
            "--max-time",
            "--list-rules",
        ] {
            assert!(HELP.contains(flag) && USAGE.contains(flag.trim_start_matches('-')), "{flag}");
        }
    }

    #[test]
    fn bad_values_say_what_to_give() {
        assert!(parse("--register").unwrap_err().contains("--homeserver is required"));
        assert!(parse("--homeserver hs.example --register").unwrap_err().contains("http://"));
        assert!(parse("--homeserver http://hs --register --rate 0").unwrap_err().contains("positive"));
        let unknown = parse("--homeserver http://hs --register --only first-request-401,nope").unwrap_err();
        assert!(unknown.contains("no rule `nope`") && unknown.contains("uri-binding"), "{unknown}");
        let only = parse("--homeserver http://hs --register --only uri-binding,body-binding").unwrap();
        assert_eq!(only.only.unwrap(), ["uri-binding", "body-binding"]);
    }
}
