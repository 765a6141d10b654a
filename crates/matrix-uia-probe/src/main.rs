//! `matrix-uia-probe --homeserver URL [--register | --user USER --password PW] …`
//! `matrix-uia-probe --list-rules`: the rule table as JSON lines.
//!
//! Exit codes: 0 when no `must` rule fails, 1 when one does, 2 when the
//! probe could not run (bad arguments, server unreachable, no account).

use std::process::ExitCode;

use matrix_uia_probe::{Options, run};

fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() == Some("--list-rules") {
        print!("{}", matrix_uia_probe::rules::list());
        return ExitCode::SUCCESS;
    }
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(why) => {
            eprintln!("{why}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(report) => {
            print!("{}", if options.json { report.json_lines() } else { report.table() });
            ExitCode::from(if report.summary().must_failed > 0 { 1 } else { 0 })
        }
        Err(why) => {
            eprintln!("matrix-uia-probe: {why}");
            ExitCode::from(2)
        }
    }
}
