//! The README's table of `matrix-uia-probe` results: a row per rule, a
//! column per server, written from the probe's own output checked in under
//! `crates/matrix-uia-probe/results/`: `rules.jsonl` (`--list-rules`) and a
//! `--json` run per server (`<server>.jsonl`). `regen` rewrites the
//! README's section between the markers; `check` fails when it is stale.

use std::fs;
use std::path::Path;

use serde_json::Value;

const RESULTS: &str = "crates/matrix-uia-probe/results";
const README: &str = "README.md";
const BEGIN: &str =
    "<!-- probe-results: begin (written by `cargo xtask regen` from crates/matrix-uia-probe/results/) -->";
const END: &str = "<!-- probe-results: end -->";

/// The servers, in the table's column order, by result file: the example
/// homeserver first, then the others by name.
fn servers(root: &Path) -> Result<Vec<(String, Vec<Value>)>, String> {
    let dir = root.join(RESULTS);
    let mut names: Vec<String> = fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(".jsonl").map(str::to_owned))
        .filter(|name| name != "rules")
        .collect();
    names.sort_by_key(|name| (name != "example-homeserver", name.clone()));
    names.into_iter().map(|name| Ok((column(&name), lines(&dir.join(format!("{name}.jsonl")))?))).collect()
}

/// A column's title from a file name: `synapse-1.163.2` → `Synapse 1.163.2`.
fn column(name: &str) -> String {
    match name.rsplit_once('-') {
        _ if name == "example-homeserver" => "example homeserver".to_owned(),
        Some((server, version)) if version.starts_with(|c: char| c.is_ascii_digit()) => {
            let mut title = server.replace('-', " ");
            title[..1].make_ascii_uppercase();
            format!("{title} {version}")
        }
        _ => name.to_owned(),
    }
}

/// The JSON lines of a file, each checked to parse.
fn lines(path: &Path) -> Result<Vec<Value>, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1)))
        .collect()
}

/// The section, markers included.
fn section(root: &Path) -> Result<String, String> {
    let rules = lines(&root.join(RESULTS).join("rules.jsonl"))?;
    let servers = servers(root)?;
    let mut out = format!("{BEGIN}\n\n| rule | level | what it checks |");
    for (title, _) in &servers {
        out.push_str(&format!(" {title} |"));
    }
    out.push_str(&format!("\n|---|---|---|{}\n", "---|".repeat(servers.len())));
    for rule in &rules {
        let id = rule["id"].as_str().ok_or("rules.jsonl: a rule without an id")?;
        let (level, checks) = (rule["level"].as_str().unwrap_or("?"), rule["checks"].as_str().unwrap_or(""));
        out.push_str(&format!("| `{id}` | {level} | {} |", checks.replace('|', "\\|")));
        for (title, findings) in &servers {
            let finding = findings.iter().find(|f| f["rule"] == id);
            let outcome = finding.and_then(|f| f["outcome"].as_str()).ok_or_else(|| {
                format!("{RESULTS}: the {title} results have no `{id}`: run the probe against it again")
            })?;
            out.push_str(&format!(
                " {} |",
                if outcome == "pass" { "pass".to_owned() } else { format!("**{outcome}**") }
            ));
        }
        out.push('\n');
    }
    out.push('\n');
    out.push_str(END);
    Ok(out)
}

/// The README with its section rewritten.
fn readme(root: &Path) -> Result<(String, String), String> {
    let path = root.join(README);
    let old = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (Some(start), Some(end)) = (old.find(BEGIN), old.find(END)) else {
        return Err(format!("{README}: the probe results markers are missing (`{BEGIN}` … `{END}`)"));
    };
    let new = format!("{}{}{}", &old[..start], section(root)?, &old[end + END.len()..]);
    Ok((old, new))
}

/// Rewrite the README's section; whether it changed.
pub(crate) fn regen(root: &Path) -> Result<bool, String> {
    let (old, new) = readme(root)?;
    if old == new {
        return Ok(false);
    }
    fs::write(root.join(README), new).map_err(|e| format!("{README}: {e}"))?;
    Ok(true)
}

/// `Err` when the README's section is not what `regen` writes.
pub(crate) fn check(root: &Path) -> Result<(), String> {
    let (old, new) = readme(root)?;
    if old.replace("\r\n", "\n") == new.replace("\r\n", "\n") {
        return Ok(());
    }
    Err(format!("{README}: the probe results table is stale; run `cargo xtask regen` and commit the result"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_after_their_servers() {
        assert_eq!(column("synapse-1.163.2"), "Synapse 1.163.2");
        assert_eq!(column("example-homeserver"), "example homeserver");
        assert_eq!(column("conduwuit"), "conduwuit");
    }

    #[test]
    fn the_checked_in_readme_table_is_current() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        check(root).unwrap();
    }
}
