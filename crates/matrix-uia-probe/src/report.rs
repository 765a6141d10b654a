//! What the probe found: one outcome per rule, as a table or as JSON lines.

use serde::Serialize;

/// How much a rule matters: a `must` that fails makes the exit code 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The spec requires it, or breaking it is a security hole.
    Must,
    /// Breaking it weakens a guarantee clients and users rely on.
    Should,
}

/// What one rule's scenario showed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The server keeps the rule.
    Pass,
    /// The server breaks it: the exchanges that show it, secrets redacted.
    Fail(String),
    /// The scenario could not run here, and why.
    Skip(String),
}

/// One line of the report.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// The rule's stable id.
    pub rule: &'static str,
    /// Its level.
    pub level: Level,
    /// `pass`, `fail` or `skip`.
    pub outcome: &'static str,
    /// The evidence of a fail, the reason of a skip; empty for a pass.
    pub detail: String,
}

impl Finding {
    /// The line for `rule` with `outcome`.
    pub fn new(rule: &'static str, level: Level, outcome: Outcome) -> Self {
        let (outcome, detail) = match outcome {
            Outcome::Pass => ("pass", String::new()),
            Outcome::Fail(detail) => ("fail", detail),
            Outcome::Skip(reason) => ("skip", reason),
        };
        Finding { rule, level, outcome, detail }
    }
}

/// Every finding, in the rule table's order.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The findings.
    pub findings: Vec<Finding>,
}

/// The counts of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Rules passed.
    pub pass: usize,
    /// Rules failed.
    pub fail: usize,
    /// Rules skipped.
    pub skip: usize,
    /// `must` rules failed.
    pub must_failed: usize,
}

impl Report {
    /// The counts.
    pub fn summary(&self) -> Summary {
        let count = |outcome: &str| self.findings.iter().filter(|f| f.outcome == outcome).count();
        let must_failed =
            self.findings.iter().filter(|f| f.outcome == "fail" && f.level == Level::Must).count();
        Summary { pass: count("pass"), fail: count("fail"), skip: count("skip"), must_failed }
    }

    /// One JSON object per rule, then `{"summary": …}`, a line each.
    pub fn json_lines(&self) -> String {
        let mut out = String::new();
        for finding in &self.findings {
            out.push_str(&serde_json::to_string(finding).unwrap_or_default());
            out.push('\n');
        }
        out.push_str(&serde_json::json!({"summary": self.summary()}).to_string());
        out.push('\n');
        out
    }

    /// A table for a terminal: the rule, its level and outcome, and the
    /// detail of fails and skips below their line.
    pub fn table(&self) -> String {
        let mut out = format!("{:<32} {:<7} {}\n", "rule", "level", "outcome");
        for finding in &self.findings {
            let level = if finding.level == Level::Must { "must" } else { "should" };
            out.push_str(&format!("{:<32} {:<7} {}\n", finding.rule, level, finding.outcome));
            for line in finding.detail.lines().filter(|line| !line.trim().is_empty()) {
                out.push_str(&format!("    {line}\n"));
            }
        }
        let summary = self.summary();
        out.push_str(&format!(
            "{} pass, {} fail ({} must), {} skip\n",
            summary.pass, summary.fail, summary.must_failed, summary.skip
        ));
        out
    }
}
