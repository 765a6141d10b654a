//! `matrix-uia-probe --homeserver URL [--register | --user USER --password PW] …`
//! `matrix-uia-probe --list-rules`: the rule table as JSON lines.
//!
//! Exit codes: 0 when no `must` rule fails, 1 when one does, 2 when the
//! probe could not run (bad arguments, server unreachable, no account).

use std::io::Write;
use std::process::ExitCode;

use matrix_uia_probe::Command;
use matrix_uia_probe::options::{HELP, USAGE};
use matrix_uia_probe::run;

fn main() -> ExitCode {
    let options = match Command::parse(std::env::args().skip(1)) {
        Ok(Command::Probe(options)) => options,
        Ok(Command::ListRules) => {
            return write_out(&matrix_uia_probe::rules::list(), ExitCode::SUCCESS);
        }
        Ok(Command::Help) => {
            return write_out(&format!("{USAGE}\n\n{HELP}\n"), ExitCode::SUCCESS);
        }
        Err(why) => {
            eprintln!("{why}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(report) => {
            let text = if options.json { report.json_lines() } else { report.table() };
            write_out(&text, ExitCode::from(if report.summary().must_failed > 0 { 1 } else { 0 }))
        }
        Err(why) => {
            eprintln!("matrix-uia-probe: {why}");
            ExitCode::from(2)
        }
    }
}

/// Print `text` and exit with `code`. A reader that stops early (`| head`)
/// is not an error of the probe's: the rest is dropped, and the exit code
/// still says how the run went.
fn write_out(text: &str, code: ExitCode) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("matrix-uia-probe: cannot print the report: {error}");
            ExitCode::from(2)
        }
        _ => code,
    }
}
