//! `generated/docs/`: the published reference of the model, as static HTML.
//!
//! `index.html` lists every type by group; `<Type>.html` shows a type's doc
//! comment, its spec section, a field table and the JSON Schema, and every
//! spec example it was verified against. Pages are written as Markdown and
//! rendered with pulldown-cmark, so the doc comments (already Markdown) and
//! the embedded JSON are escaped by one renderer. Nothing depends on the clock
//! or the machine: the output is a golden file like the rest of `generated/`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use matrix_spec_examples::Kind;
use matrix_uia::verify::TypeEntry;
use pulldown_cmark::{BrokenLink, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde_json::Value;

use crate::codegen::{Target, Tree};
use crate::schemas;
use crate::verify::{Counts, FileReport, Outcome, verify_spec};

/// The directory under `generated/`.
pub(crate) const DIR: &str = "docs";

const INDEX: &str = "index.html";

/// The whole `generated/docs/` tree.
pub(crate) fn generate(root: &Path) -> Result<Target, String> {
    let entries = schemas::unique_entries()?;
    let reports = verify_spec(root)?;
    let site = Site { entries, reports: &reports, known: entries.iter().map(|e| e.name).collect() };
    let mut tree = Tree::new();
    tree.insert(PathBuf::from(INDEX), page("Reference", &site.render(&site.index(), 0)));
    for entry in entries {
        let body = format!(
            "{}{}{}",
            site.render(&type_head(entry), 0),
            site.render(entry.description, 1),
            site.render(&site.type_body(entry, &entry.schema()), 0)
        );
        tree.insert(PathBuf::from(page_name(entry.name)), page(entry.name, &body));
    }
    Ok(Target { dir: DIR, tree })
}

/// `cargo xtask docs`: where the reference is; `regen` is what writes it.
pub(crate) fn print_location(root: &Path) {
    let index = root.join("generated").join(DIR).join(INDEX);
    if index.is_file() {
        println!("{}", index.display());
    } else {
        println!("{}: not generated yet: run `cargo xtask regen`", index.display());
    }
}

fn page_name(type_name: &str) -> String {
    format!("{type_name}.html")
}

/// The groups of the index, in order.
const GROUPS: [&str; 5] = ["Auth dicts", "Responses & errors", "User identifiers", "Params", "Other"];

/// What every page is built from: the types, and what verification made of
/// the spec's examples.
struct Site<'a> {
    entries: &'a [TypeEntry],
    reports: &'a [FileReport],
    /// The names that have a page.
    known: BTreeSet<&'a str>,
}

impl<'a> Site<'a> {
    /// Every example bound to the type called `name`, with its file, in file
    /// and document order.
    fn bound_to(&self, name: &'a str) -> impl Iterator<Item = (&'a str, &'a Outcome)> + 'a {
        self.reports.iter().flat_map(move |report| {
            report
                .outcomes
                .iter()
                .filter(move |o| o.type_name == Some(name))
                .map(|o| (report.file.as_str(), o))
        })
    }

    /// A type name as inline code, linked to its page when it has one.
    fn link(&self, name: &str) -> String {
        if self.known.contains(name) { format!("[{}]({})", code(name), page_name(name)) } else { code(name) }
    }

    /// Auth dicts by their tag; then what answers a failed request (bound to
    /// an error response, or named so); then the rest.
    fn group(&self, entry: &TypeEntry) -> &'static str {
        let answers_error = self
            .bound_to(entry.name)
            .any(|(_, o)| o.kind == Kind::HttpResponse && o.status.is_some_and(|s| s >= 400));
        let identifies =
            entry.schema()["properties"]["type"]["const"].as_str().is_some_and(|t| t.starts_with("m.id."));
        if entry.auth_type.is_some() {
            GROUPS[0]
        } else if answers_error || entry.name.contains("Response") || entry.name.contains("Error") {
            GROUPS[1]
        } else if identifies || entry.name.ends_with("Identifier") {
            GROUPS[2]
        } else if entry.params_for.is_some() || entry.name.starts_with("Policy") {
            // `Policy*` are the parts of the terms params.
            GROUPS[3]
        } else {
            GROUPS[4]
        }
    }

    fn index(&self) -> String {
        let mut md = String::from(
            "# matrix-uia reference\n\n\
             The Matrix specification's User-Interactive Authentication (UIA) as a \
             spec-verified Rust model. Every type below is checked against the \
             examples the spec itself publishes: each example is bound to a type, \
             parsed, serialized back to the same JSON, and validated against the \
             type's JSON Schema (published beside these pages in \
             [`schemas/`](../schemas/)).\n\n",
        );
        let mut total = Counts::default();
        for report in self.reports {
            total.add(report.counts());
        }
        let files: Vec<String> = self.reports.iter().map(|r| code(&r.file)).collect();
        let _ = writeln!(md, "Verified against {}: {}.\n", files.join(", "), total.summary());
        if self.entries.is_empty() {
            md.push_str("The model has no types yet.\n");
        }
        for name in GROUPS {
            let members: Vec<&TypeEntry> = self.entries.iter().filter(|e| self.group(e) == name).collect();
            if members.is_empty() {
                continue;
            }
            let _ = writeln!(md, "## {name}\n");
            for entry in members {
                let summary = summary(entry.description);
                // Auth dict docs tend to open with their tag; say it once.
                let auth_type = match entry.auth_type {
                    Some(tag) if !summary.contains(tag) => format!(" ({})", code(tag)),
                    _ => String::new(),
                };
                let _ = writeln!(md, "- {}{auth_type} — {summary}", self.link(entry.name));
            }
            md.push('\n');
        }
        md
    }

    /// A type page below its doc comment: links, fields, schema and examples.
    fn type_body(&self, entry: &TypeEntry, schema: &Value) -> String {
        let mut md = String::new();
        // The model's doc comments usually end with their spec link already.
        if !entry.description.contains(entry.spec_url) {
            let _ = writeln!(md, "Spec: <{}>\n", entry.spec_url);
        }
        let schema_file = schemas::file_name(entry.name);
        let _ = writeln!(md, "JSON Schema: [{}](../{}/{schema_file})\n", code(&schema_file), schemas::DIR);

        let rows = fields(schema);
        match variants(schema) {
            Some(variants) if rows.is_empty() => {
                let links: Vec<String> = variants.iter().map(|v| self.link(v)).collect();
                let _ = writeln!(md, "## Variants\n\nOne of: {}.\n", links.join(", "));
            }
            _ if rows.is_empty() => md.push_str("## Fields\n\nNo fixed fields: see the schema.\n\n"),
            _ => {
                md.push_str("## Fields\n\n");
                md.push_str(&self.field_table(&rows));
            }
        }

        md.push_str("## Schema\n\n");
        md.push_str(&fenced("json", &pretty(schema)));

        md.push_str("## Verified against\n\n");
        let examples: Vec<(&str, &Outcome)> = self.bound_to(entry.name).collect();
        if examples.is_empty() {
            md.push_str("No example of the spec is bound to this type itself.");
            let mut holders: Vec<&str> = Vec::new();
            for outcome in self.reports.iter().flat_map(|r| &r.outcomes) {
                match outcome.type_name {
                    Some(holder) if outcome.parsed_as == Some(entry.name) && !holders.contains(&holder) => {
                        holders.push(holder)
                    }
                    _ => {}
                }
            }
            if !holders.is_empty() {
                let links: Vec<String> = holders.iter().map(|h| self.link(h)).collect();
                let _ = write!(
                    md,
                    " The examples parsed as {} are shown with the types that hold them: {}.",
                    code(entry.name),
                    links.join(", ")
                );
            }
            md.push_str("\n\n");
        }
        for (file, outcome) in examples {
            let _ = writeln!(md, "### {} {}\n", code(&format!("{file}:{}", outcome.line)), code(&outcome.id));
            let what = match (outcome.kind, outcome.status) {
                (Kind::HttpResponse, Some(status)) => format!("The body of an HTTP {status} response"),
                (Kind::HttpRequest, _) => "The body of an HTTP request".to_owned(),
                (Kind::JsonFragment, _) => "A JSON member's value".to_owned(),
                _ => "A JSON value".to_owned(),
            };
            let parsed_as =
                outcome.parsed_as.map(|t| format!(", parsed as {}", self.link(t))).unwrap_or_default();
            match &outcome.result {
                Ok(()) => {
                    let _ = writeln!(md, "{what}{parsed_as}: round-trips and is valid against the schema.\n");
                }
                Err(reason) => {
                    let _ = writeln!(md, "{what}{parsed_as}: **fails**:\n");
                    md.push_str(&fenced("text", reason));
                }
            }
            md.push_str(&fenced("json", &pretty(&outcome.body)));
        }
        md
    }

    fn field_table(&self, rows: &[Field]) -> String {
        let mut md = String::from("| Field | Type | Required | Description |\n|---|---|---|---|\n");
        for row in rows {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                cell(&code(&row.name)),
                cell(&self.link(&row.ty)),
                if row.required { "yes" } else { "no" },
                cell(&row.description)
            );
        }
        md.push('\n');
        md
    }

    /// Markdown to HTML, with every heading `demote` levels lower (so that a
    /// doc comment's `# Examples` sits under the page's title, not beside
    /// it). Raw HTML in doc comments is shown as text, not trusted into the
    /// page; a rustdoc intra-doc link such as `[AuthData]` that names a type
    /// with a page links to it.
    fn render(&self, markdown: &str, demote: usize) -> String {
        let mut link = |broken: BrokenLink<'_>| {
            let reference = broken.reference.trim_matches('`');
            // `crate::UiaaResponse::from_http` and `struct@Password` name a type too.
            let name = reference.rsplit([':', '@']).find(|part| self.known.contains(part))?;
            Some((CowStr::from(page_name(name)), CowStr::from(name.to_owned())))
        };
        let events = Parser::new_with_broken_link_callback(markdown, Options::ENABLE_TABLES, Some(&mut link))
            .map(|event| match event {
                Event::Html(text) | Event::InlineHtml(text) => Event::Text(text),
                Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                    Event::Start(Tag::Heading { level: lower(level, demote), id, classes, attrs })
                }
                Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(lower(level, demote))),
                other => other,
            });
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, events);
        html
    }
}

/// The first paragraph of a doc comment, on one line: rustdoc's summary.
fn summary(description: &str) -> String {
    let first = description.trim().split("\n\n").next().unwrap_or_default();
    first.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

/// A type page above its doc comment: the title and auth type.
fn type_head(entry: &TypeEntry) -> String {
    let mut md = format!("# {}\n\n", code(entry.name));
    if let Some(auth_type) = entry.auth_type {
        let _ = writeln!(md, "Auth type: {}\n", code(auth_type));
    }
    md
}

/// One row of a type's field table.
#[derive(Debug, PartialEq, Eq)]
struct Field {
    name: String,
    ty: String,
    required: bool,
    description: String,
}

/// The fields of an object schema, in the schema's order.
fn fields(schema: &Value) -> Vec<Field> {
    let Some(Value::Object(properties)) = schema.get("properties") else { return Vec::new() };
    let required: BTreeSet<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    properties
        .iter()
        .map(|(name, property)| Field {
            name: name.clone(),
            ty: type_of(property),
            required: required.contains(name.as_str()),
            description: property.get("description").and_then(Value::as_str).map(summary).unwrap_or_default(),
        })
        .collect()
}

/// For a schema that is a choice rather than an object, its alternatives.
fn variants(schema: &Value) -> Option<Vec<String>> {
    ["oneOf", "anyOf"].iter().find_map(|key| schema.get(key)?.as_array()).map(|options| {
        let mut names: Vec<String> = Vec::new();
        for name in options.iter().map(type_of) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    })
}

/// A schema's type as a reader wants it: `string`, `array of AuthFlow`,
/// `"m.login.password"`, `UserIdentifier or null`.
fn type_of(schema: &Value) -> String {
    if let Some(value) = schema.get("const") {
        return value.to_string();
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        return alternatives(values.iter().map(Value::to_string));
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return reference.rsplit('/').next().unwrap_or(reference).to_owned();
    }
    if let Some(options) = variants(schema) {
        return alternatives(options.into_iter());
    }
    if let Some([only]) = schema.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
        return type_of(only);
    }
    match schema.get("type") {
        Some(Value::String(name)) => named_type(name, schema),
        Some(Value::Array(names)) => {
            alternatives(names.iter().filter_map(Value::as_str).map(|name| named_type(name, schema)))
        }
        _ => "any".to_owned(),
    }
}

fn named_type(name: &str, schema: &Value) -> String {
    match (name, schema.get("items"), schema.get("additionalProperties")) {
        ("array", Some(items), _) => format!("array of {}", type_of(items)),
        ("object", _, Some(values)) if values.is_object() => format!("map of {}", type_of(values)),
        _ => name.to_owned(),
    }
}

/// `a or b`, each alternative once.
fn alternatives(options: impl Iterator<Item = String>) -> String {
    let mut seen: Vec<String> = Vec::new();
    for option in options {
        if !seen.contains(&option) {
            seen.push(option);
        }
    }
    seen.join(" or ")
}

/// Text made safe for one cell of a Markdown table.
fn cell(text: &str) -> String {
    text.replace('\n', " ").replace('|', "\\|")
}

/// The backticks that can fence `text`: one more than its longest run.
fn backticks(text: &str, at_least: usize) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or_default();
    "`".repeat(at_least.max(longest + 1))
}

/// `text` as an inline code span, whatever backticks it holds.
fn code(text: &str) -> String {
    let fence = backticks(text, 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// `text` as a fenced code block, whatever backticks it holds.
fn fenced(language: &str, text: &str) -> String {
    let fence = backticks(text, 3);
    format!("{fence}{language}\n{}\n{fence}\n\n", text.trim_end_matches('\n'))
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

fn lower(level: HeadingLevel, by: usize) -> HeadingLevel {
    HeadingLevel::try_from((level as usize + by).min(6)).unwrap_or(HeadingLevel::H6)
}

const STYLE: &str = "\
body { max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem; line-height: 1.5; color: #1f2328;
  font-family: system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif; }
nav { border-bottom: 1px solid #d0d7de; padding-bottom: 0.5rem; }
a { color: #0969da; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
code { background: #f6f8fa; padding: 0.1em 0.3em; border-radius: 4px; }
pre { background: #f6f8fa; padding: 0.8rem; overflow-x: auto; border-radius: 6px; }
pre code { padding: 0; background: none; }
";

/// A whole HTML document around a rendered body.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — matrix-uia</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
         <nav><a href=\"{INDEX}\">matrix-uia reference</a></nav>\n<main>\n{body}</main>\n</body>\n</html>\n",
        escape_html(title)
    )
}

/// Text for HTML outside Markdown (the page title); pulldown-cmark escapes the rest.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A site with no types or reports, where `known` have pages.
    fn site(known: &[&'static str]) -> Site<'static> {
        Site { entries: &[], reports: &[], known: known.iter().copied().collect() }
    }

    fn field(name: &str, ty: &str, required: bool, description: &str) -> Field {
        Field { name: name.into(), ty: ty.into(), required, description: description.into() }
    }

    #[test]
    fn fields_come_from_properties_in_order() {
        let schema = json!({
            "type": "object",
            "required": ["type", "identifier"],
            "properties": {
                "type": {"const": "m.login.password", "description": "The auth type."},
                "identifier": {"$ref": "#/$defs/UserIdentifier", "description": "Who logs in.\n\nMore text."},
                "password": {"type": "string"},
                "session": {"type": ["string", "null"]},
                "flows": {"type": "array", "items": {"$ref": "#/$defs/AuthFlow"}},
                "params": {"type": "object", "additionalProperties": {"type": "object"}},
                "user": {"anyOf": [{"$ref": "#/$defs/UserId"}, {"type": "null"}]},
                "medium": {"enum": ["email", "msisdn"]},
                "extra": {}
            }
        });
        assert_eq!(
            fields(&schema),
            [
                field("type", "\"m.login.password\"", true, "The auth type."),
                field("identifier", "UserIdentifier", true, "Who logs in."),
                field("password", "string", false, ""),
                field("session", "string or null", false, ""),
                field("flows", "array of AuthFlow", false, ""),
                field("params", "map of object", false, ""),
                field("user", "UserId or null", false, ""),
                field("medium", "\"email\" or \"msisdn\"", false, ""),
                field("extra", "any", false, ""),
            ]
        );
        assert!(fields(&json!({"oneOf": [{"$ref": "#/$defs/A"}]})).is_empty());
        assert_eq!(
            variants(&json!({"oneOf": [{"$ref": "#/$defs/A"}, {"$ref": "#/$defs/A"}, {"type": "null"}]})),
            Some(vec!["A".into(), "null".into()])
        );
    }

    #[test]
    fn field_table_escapes_pipes_and_renders_as_a_table() {
        let site = site(&["Known"]);
        let table = site
            .field_table(&[field("a", "string or null", false, "x | y\nz"), field("b", "Known", true, "")]);
        assert!(table.contains("| `a` | `string or null` | no | x \\| y z |"), "{table}");
        assert!(table.contains("| `b` | [`Known`](Known.html) | yes |  |"), "{table}");
        let html = site.render(&table, 0);
        assert!(html.contains("<table>") && html.contains("<td>x | y z</td>"), "{html}");
        assert!(html.contains("<td><a href=\"Known.html\"><code>Known</code></a></td>"), "{html}");
    }

    #[test]
    fn embedded_text_is_escaped() {
        let md = format!(
            "{}{}",
            fenced("json", "{\"a\": \"</pre><script>```\"}"),
            "Hi <b>there</b> & [`Known`].\n"
        );
        let html = site(&["Known"]).render(&md, 0);
        assert!(!html.contains("<script>") && !html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;/pre&gt;&lt;script&gt;```"), "{html}");
        assert!(html.contains("&lt;b&gt;there&lt;/b&gt; &amp;"), "{html}");
        assert!(html.contains("<a href=\"Known.html\" title=\"Known\"><code>Known</code></a>"), "{html}");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
    }

    #[test]
    fn doc_comment_headings_sit_under_the_title() {
        let html = site(&[]).render("# Examples\n\n###### Deep\n", 1);
        assert_eq!(html, "<h2>Examples</h2>\n<h6>Deep</h6>\n");
    }

    #[test]
    fn pages_are_whole_documents_with_a_way_back() {
        let html = page("A<B>", "<p>body</p>\n");
        assert!(html.starts_with("<!DOCTYPE html>\n"));
        assert!(html.contains("<title>A&lt;B&gt; — matrix-uia</title>"));
        assert!(html.contains("<a href=\"index.html\">"));
        assert!(html.contains("max-width: 60rem"));
        assert!(html.ends_with("</html>\n"));
        assert_eq!(escape_html("&\"'"), "&amp;&quot;&#39;");
    }

    #[test]
    fn summary_is_the_first_paragraph_on_one_line() {
        assert_eq!(summary("  The password\nauth dict.\n\nDetails."), "The password auth dict.");
        assert_eq!(summary(""), "");
    }

    /// The real tree: an index linking one page per type, each page showing
    /// its schema and only examples bound to it.
    #[test]
    fn the_docs_tree_has_an_index_and_a_page_per_type() {
        let root = crate::project_root();
        let target = generate(&root).unwrap_or_else(|e| panic!("{e}"));
        let entries = schemas::unique_entries().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(target.tree.len(), entries.len() + 1);
        let index = &target.tree[&PathBuf::from(INDEX)];
        assert!(index.contains("<h1>matrix-uia reference</h1>"), "{index}");
        // Every spec file of spec/ is named, whether or not the model has types yet.
        for file in crate::examples::spec_files(&root).unwrap_or_default() {
            let name = file.file_name().unwrap_or_default().to_string_lossy().into_owned();
            assert!(index.contains(&format!("<code>spec/{name}</code>")), "{name} in {index}");
        }
        let reports = verify_spec(&root).unwrap_or_else(|e| panic!("{e}"));
        let site = Site { entries, reports: &reports, known: BTreeSet::new() };
        for entry in entries {
            let name = page_name(entry.name);
            assert!(index.contains(&format!("<a href=\"{name}\">")), "{name} linked from the index");
            let page = &target.tree[&PathBuf::from(&name)];
            assert!(page.contains(&format!("<h1><code>{}</code></h1>", entry.name)), "{name}");
            assert!(page.contains("<h2>Schema</h2>") && page.contains("language-json"), "{name}");
            let bound = site.bound_to(entry.name).count();
            assert_eq!(
                page.matches("<h3><code>spec/").count(),
                bound,
                "{name}: one heading per bound example"
            );
        }
        assert_eq!(generate(&root).map(|t| t.tree), Ok(target.tree), "deterministic");
    }
}
