//! `cargo xtask extract [--json] FILE…`: what the extractor finds in any spec files.

use std::path::Path;

use matrix_spec_examples::{Example, Kind};
use serde::Serialize;

use crate::examples::extract_file;

/// One JSON line of `--json` output: the example and the file it came from.
#[derive(Serialize)]
struct Line<'a> {
    file: &'a str,
    #[serde(flatten)]
    example: &'a Example,
}

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let json = args.iter().any(|a| a == "--json");
    if let Some(flag) = args.iter().find(|a| a.starts_with('-') && *a != "--json") {
        return Err(format!("unknown flag `{flag}`: usage: cargo xtask extract [--json] FILE…"));
    }
    let files: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if files.is_empty() {
        return Err("no files given: usage: cargo xtask extract [--json] FILE…".to_owned());
    }
    let mut failures = Vec::new();
    for file in files {
        match extract_file(Path::new(file)) {
            Ok(examples) if json => print_json(file, &examples),
            Ok(examples) => print_table(file, &examples),
            Err(message) => {
                eprintln!("error: {message}");
                failures.push(file.as_str());
            }
        }
    }
    match failures.as_slice() {
        [] => Ok(()),
        failed => Err(format!("{} file(s) could not be read: {}", failed.len(), failed.join(", "))),
    }
}

fn print_json(file: &str, examples: &[Example]) {
    for example in examples {
        match serde_json::to_string(&Line { file, example }) {
            Ok(line) => outln!("{line}"),
            Err(e) => eprintln!("error: {file}:{}: cannot serialize: {e}", example.line),
        }
    }
}

fn print_table(file: &str, examples: &[Example]) {
    outln!("{file}: {} code blocks", examples.len());
    outln!("  {:>5}  {:<13}  {:<44}  ID", "LINE", "KIND", "WHAT");
    for example in examples {
        outln!("  {:>5}  {:<13}  {:<44}  {}", example.line, example.kind, what(example), example.id);
    }
}

/// A one-line description of what the block holds.
fn what(example: &Example) -> String {
    let mut text = match example.kind {
        Kind::HttpRequest => format!(
            "{} {}",
            example.method.as_deref().unwrap_or_default(),
            example.path.as_deref().unwrap_or_default()
        ),
        Kind::HttpResponse => format!(
            "{} {}",
            example.status.unwrap_or_default(),
            example.reason.as_deref().unwrap_or_default()
        ),
        Kind::Json => shape(example.body.as_ref()),
        Kind::JsonFragment => {
            format!(
                "\"{}\": {}",
                example.fragment_key.as_deref().unwrap_or("…"),
                shape(example.body.as_ref())
            )
        }
        Kind::Text => match &example.json_error {
            Some(error) => format!("not JSON: {error}"),
            None => example.raw.lines().next().unwrap_or_default().trim().to_owned(),
        },
    };
    if example.kind.is_http() && example.json_error.is_some() {
        text.push_str(" (body is not JSON)");
    }
    truncate(text, 44)
}

fn shape(value: Option<&serde_json::Value>) -> String {
    match value {
        Some(serde_json::Value::Object(map)) => format!("object with {} keys", map.len()),
        Some(serde_json::Value::Array(items)) => format!("array of {}", items.len()),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

fn truncate(text: String, width: usize) -> String {
    if text.chars().count() <= width {
        return text;
    }
    let mut short: String = text.chars().take(width - 1).collect();
    short.push('…');
    short
}
