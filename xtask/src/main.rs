//! `cargo xtask`: the maintainer's commands, and the only writer of `generated/`.
//!
//! ```text
//! cargo xtask regen                    extract spec/, rewrite generated/ and the README's probe table
//! cargo xtask check                    fail, listing stale files, if generated/ is not up to date
//! cargo xtask extract [--json] FILE…   print the code blocks found in spec files
//! cargo xtask verify [--json] [FILE…]  bind, round-trip and schema-check every example
//! cargo xtask docs                     print where regen writes the HTML reference
//! cargo xtask bench-extract [FILE…]    measure extraction speed (release build)
//! ```

/// `println!` for the commands' output: see [`print_line`].
macro_rules! outln {
    () => {
        $crate::print_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::print_line(format_args!($($arg)*))
    };
}

mod bench;
mod binding;
mod codegen;
mod docs;
mod examples;
mod extract;
mod markdown;
mod probe_table;
mod schemas;
mod typed;
mod verify;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  regen                   extract every spec file in spec/, rewrite generated/, and the README's
                          table of probe results (from crates/matrix-uia-probe/results/)
  check                   exit 1, listing stale files, when generated/ or the README's probe table
                          is not what regen writes
  extract [--json] FILE…  print every code block of the given .rst/.md files
  verify [--json] [FILE…] bind every example with a JSON body to a model type, round-trip it and
                          validate it against the type's schema (default: the files in spec/);
                          exit 1 when any fails
  docs                    print where regen writes the HTML reference (generated/docs/)
  bench-extract [FILE…]   measure extraction speed (default: the files in spec/)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => ("help", &[][..]),
    };
    let result = match command {
        "regen" => no_arguments(rest).and_then(|()| codegen::regen(&project_root())),
        "check" => no_arguments(rest).and_then(|()| codegen::check(&project_root())),
        "extract" => extract::run(rest),
        "bench-extract" => bench::run(rest),
        "verify" => verify::run(rest),
        "docs" => no_arguments(rest).map(|()| docs::print_location(&project_root())),
        "help" | "--help" | "-h" => {
            outln!("{}", USAGE.trim_end());
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn no_arguments(rest: &[String]) -> Result<(), String> {
    match rest.first() {
        None => Ok(()),
        Some(arg) => Err(format!("unexpected argument `{arg}`\n\n{USAGE}")),
    }
}

/// Print one line of a command's output. A reader that stops early
/// (`cargo xtask extract … | head`) is no error: the rest of the output is
/// dropped and the command goes on, so that `regen` never stops half-way
/// through writing `generated/`.
pub(crate) fn print_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    if let Err(error) = writeln!(std::io::stdout().lock(), "{line}")
        && error.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("error: cannot print: {error}");
    }
}

/// The workspace root: every path the commands use is relative to it.
pub(crate) fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}
