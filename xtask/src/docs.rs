//! `generated/docs/`: the published reference of the model, as static HTML.
//!
//! `index.html` lists every type by group and every file of
//! `generated/schemas/`; `<Type>.html` shows a type's doc comment, its spec
//! section, a field table, its JSON Schema, and the spec examples it was
//! verified against, each body once with every spec edition it appears in.
//! A type no example is bound to as a whole shows the values of it found
//! inside other examples (a flow of a 401 body, the `params` entry of its auth
//! type). Pages are written as Markdown and rendered with pulldown-cmark, so
//! the doc comments (already Markdown) and the embedded JSON are escaped by
//! one renderer. Nothing depends on the clock or the machine: the output is a
//! golden file like the rest of `generated/`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use crate::binding::TypeEntry;
use matrix_spec_examples::Kind;
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use serde_json::Value;

use crate::codegen::{Target, Tree, slashed};
use crate::markdown::{self, Target as LinkTarget};
use crate::verify::{Counts, FileReport, Outcome, PARAMS_HOLDER, typed_params, variant_of, verify_spec};
use crate::{examples, schemas};

/// The directory under `generated/`.
pub(crate) const DIR: &str = "docs";

const INDEX: &str = "index.html";

/// The Rust API documentation of the crate.
const API_DOCS: &str = "https://docs.rs/matrix-uia";

/// What a page says when the spec has no example of its type.
const NO_EXAMPLE: &str = "The spec publishes no example of this type.";

/// How a page starts pointing to the pages that show its type's examples.
const HELD_BY: &str = "The examples parsed as";

/// The anchor of the index's list of schema files.
const SCHEMAS_ANCHOR: &str = "schemas";

/// The whole `generated/docs/` tree; `schema_files` is the
/// `generated/schemas/` tree, which the pages show and the index lists.
pub(crate) fn generate(root: &Path, schema_files: &Tree) -> Result<Target, String> {
    let entries = schemas::unique_entries()?;
    let reports = verify_spec(root)?;
    let site = Site::new(entries, &reports, schema_files);
    let mut tree = Tree::new();
    let index = format!("{}{}", site.render(&site.index(), 0), site.schema_index());
    tree.insert(PathBuf::from(INDEX), page("Reference", &index));
    for entry in entries {
        tree.insert(PathBuf::from(page_name(entry.name)), page(entry.name, &site.type_page(entry)));
    }
    Ok(Target { dir: DIR, tree })
}

/// `cargo xtask docs`: where the reference is; `regen` is what writes it.
pub(crate) fn print_location(root: &Path) {
    let index = root.join("generated").join(DIR).join(INDEX);
    if index.is_file() {
        outln!("{}", index.display());
    } else {
        outln!("{}: not generated yet: run `cargo xtask regen`", index.display());
    }
}

fn page_name(type_name: &str) -> String {
    format!("{type_name}.html")
}

/// The groups of the index, in order.
const GROUPS: [&str; 5] = ["Auth dicts", "Responses & errors", "User identifiers", "Params", "Other"];

/// What every page is built from: the types, what verification made of the
/// spec's examples, and the published schemas.
struct Site<'a> {
    entries: &'a [TypeEntry],
    reports: &'a [FileReport],
    /// The files of `generated/schemas/`, by name.
    schema_files: &'a Tree,
    /// The derive's schema of each type: its descriptions are the doc
    /// comments as written, which a page renders with their links (the
    /// published schema has them as plain text).
    schemas: BTreeMap<&'a str, Value>,
    /// The names that have a page.
    known: BTreeSet<&'a str>,
    /// Every value of a model type inside a bound example, with the example.
    parts: Vec<(&'a str, &'a Outcome, Part<'a>)>,
}

/// A value of a model type found inside an example bound to another type.
#[derive(Debug)]
struct Part<'v> {
    /// The value's type.
    type_name: String,
    /// Where it is in the example's body, as jq spells it (`.flows[0]`).
    at: String,
    value: &'v Value,
}

/// Where a value shown on a page appears: an example of a spec file, and
/// where in its body (empty for the whole body).
struct Place<'a> {
    file: &'a str,
    outcome: &'a Outcome,
    at: &'a str,
}

/// One value shown on a page: what verification made of it, and every place
/// it appears in, across the spec's editions.
struct Shown<'a> {
    verdict: String,
    value: &'a Value,
    places: Vec<Place<'a>>,
}

impl<'a> Site<'a> {
    fn new(entries: &'a [TypeEntry], reports: &'a [FileReport], schema_files: &'a Tree) -> Self {
        let mut site = Site {
            entries,
            reports,
            schema_files,
            schemas: entries.iter().map(|e| (e.name, e.schema())).collect(),
            known: entries.iter().map(|e| e.name).collect(),
            parts: Vec::new(),
        };
        let mut parts = Vec::new();
        for report in reports {
            for outcome in &report.outcomes {
                let Some(holder) = outcome.type_name else { continue };
                let mut found = Vec::new();
                site.parts_of(holder, &outcome.body, "", &outcome.section, &mut found);
                parts.extend(found.into_iter().map(|part| (report.file.as_str(), outcome, part)));
            }
        }
        site.parts = parts;
        site
    }

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

    /// The values of model types inside `value`, a value of the type `name`
    /// at `at` in an example of `section`: what its schema types with a
    /// `$ref` (fields, items, map values), the variant such a value is when
    /// its type is an enum, and the typed `params` entries of a UIA body,
    /// which no schema types.
    fn parts_of<'v>(
        &self,
        name: &str,
        value: &'v Value,
        at: &str,
        section: &[String],
        out: &mut Vec<Part<'v>>,
    ) {
        let mut found = Vec::new();
        if let Some(schema) = self.schemas.get(name) {
            walk(schema, schema, value, at, &mut found);
        }
        for part in found {
            let variant = variant_of(&part.type_name, part.value, section);
            let (value, at) = (part.value, part.at.clone());
            out.push(part);
            if let Some(variant) = variant {
                out.push(Part { type_name: variant.to_owned(), at: at.clone(), value });
                self.parts_of(variant, value, &at, section, out);
            }
        }
        if name == PARAMS_HOLDER {
            for (entry, auth_type, params) in typed_params(value) {
                let at = member(&member(at, "params"), auth_type);
                out.push(Part { type_name: entry.name.to_owned(), at: at.clone(), value: params });
                self.parts_of(entry.name, params, &at, section, out);
            }
        }
    }

    /// A type name as inline code, linked to its page when it has one.
    fn link(&self, name: &str) -> String {
        if self.known.contains(name) { format!("[{}]({})", code(name), page_name(name)) } else { code(name) }
    }

    /// A schema type with every model type in it linked: `array of [AuthFlow]`.
    fn type_link(&self, ty: &TypeName) -> String {
        let parts: Vec<String> =
            ty.0.iter()
                .map(|piece| match piece {
                    Piece::Name(name) => self.link(name),
                    Piece::Word(word) => (*word).to_owned(),
                })
                .collect();
        parts.join(" ")
    }

    /// A doc comment as page Markdown: web links kept, a Rust item linked to
    /// the page of the model type it names or belongs to, any other item
    /// shown as its name.
    fn doc(&self, text: &str) -> String {
        markdown::rewrite_links(text, |text, target| match target {
            LinkTarget::Url(url) => format!("[{text}](<{url}>)"),
            LinkTarget::Item(path) => match self.page_of(path) {
                Some(name) => format!("[{text}]({})", page_name(name)),
                None => text.to_owned(),
            },
        })
    }

    /// The model type a rustdoc path names or belongs to:
    /// `crate::UiaaInfo::params()` and `struct@Password` have one.
    fn page_of<'p>(&self, path: &'p str) -> Option<&'p str> {
        let path = path.trim_end_matches("()").trim_end_matches('!');
        path.rsplit([':', '@']).find(|part| self.known.contains(part))
    }

    /// Auth dicts by their tag; then what answers a failed request (bound to
    /// an error response, or named so); then the rest.
    fn group(&self, entry: &TypeEntry) -> &'static str {
        let answers_error = self
            .bound_to(entry.name)
            .any(|(_, o)| o.kind == Kind::HttpResponse && o.status.is_some_and(|s| s >= 400));
        let identifies = self.schemas[entry.name]["properties"]["type"]["const"]
            .as_str()
            .is_some_and(|t| t.starts_with("m.id."));
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
        let mut md = format!(
            "# matrix-uia reference\n\n\
             The Matrix specification's User-Interactive Authentication (UIA) as a \
             spec-verified Rust model. Every type below is checked against the \
             examples the spec itself publishes: each example is bound to a type, \
             parsed, serialized back to the same JSON, and validated against the \
             type's JSON Schema (the schema files are [listed below](#{SCHEMAS_ANCHOR})). \
             The Rust API is documented on [docs.rs]({API_DOCS}).\n\n",
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
                let summary = markdown::summary(&self.doc(entry.description));
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

    /// The index's list of `generated/schemas/`: the files themselves, so
    /// that nothing written there goes unlisted; HTML, for its two columns.
    fn schema_index(&self) -> String {
        let mut html = format!(
            "<h2 id=\"{SCHEMAS_ANCHOR}\">JSON Schemas</h2>\n<p>One JSON Schema (draft 2020-12) per type, \
             in <code>generated/schemas/</code>; each names where it is published in its <code>$id</code>.</p>\n"
        );
        if self.schema_files.is_empty() {
            html.push_str("<p>There are no schema files yet.</p>\n");
            return html;
        }
        html.push_str("<ul class=\"files\">\n");
        for (path, text) in self.schema_files {
            let file = slashed(path);
            let title =
                serde_json::from_str::<Value>(text).ok().and_then(|s| s["title"].as_str().map(str::to_owned));
            let page = match title {
                Some(title) if self.known.contains(title.as_str()) => {
                    format!(" (<a href=\"{}\">page</a>)", escape_html(&page_name(&title)))
                }
                _ => String::new(),
            };
            let href = format!("../{}/{file}", schemas::DIR);
            let _ = writeln!(
                html,
                "<li><a href=\"{}\"><code>{}</code></a>{page}</li>",
                escape_html(&href),
                escape_html(&file)
            );
        }
        html.push_str("</ul>\n");
        html
    }

    /// A type's page, below the navigation.
    fn type_page(&self, entry: &TypeEntry) -> String {
        let schema = &self.schemas[entry.name];
        format!(
            "{}{}{}{}{}",
            self.render(&type_head(entry), 0),
            self.render(&self.doc(entry.description), 1),
            self.render(&self.type_fields(entry, schema), 0),
            self.schema_section(entry),
            self.render(&self.examples(entry), 0)
        )
    }

    /// Under the doc comment: links, then the fields or variants.
    fn type_fields(&self, entry: &TypeEntry, schema: &Value) -> String {
        let mut md = String::new();
        // The model's doc comments usually end with their spec link already.
        if !entry.description.contains(entry.spec_url) {
            let _ = writeln!(md, "Spec: <{}>\n", entry.spec_url);
        }
        let rows = self.fields(schema);
        match variants(schema) {
            Some(variants) if rows.is_empty() => {
                let links: Vec<String> = variants.iter().map(|v| self.type_link(v)).collect();
                let _ = writeln!(md, "## Variants\n\nOne of: {}.\n", links.join(", "));
            }
            _ if rows.is_empty() => md.push_str("## Fields\n\nNo fixed fields: see the schema.\n\n"),
            _ => {
                md.push_str("## Fields\n\n");
                md.push_str(&self.field_table(&rows));
            }
        }
        // A map beside the fields (a policy's translations by language).
        if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
            let _ = writeln!(md, "Any other key: {}.\n", self.type_link(&type_of(values)));
        }
        md
    }

    /// The published schema, folded: it is long, and the field table above
    /// says most of it.
    fn schema_section(&self, entry: &TypeEntry) -> String {
        let file = schemas::file_name(entry.name);
        let href = format!("../{}/{file}", schemas::DIR);
        let Some(text) = self.schema_files.get(Path::new(&file)) else {
            return self.render(&format!("## Schema\n\n{} is not published.\n", code(&file)), 0);
        };
        format!(
            "<h2>Schema</h2>\n<details>\n<summary>The JSON Schema of <code>{}</code> ({} lines), \
             as <a href=\"{}\"><code>{}</code></a> publishes it</summary>\n{}</details>\n",
            escape_html(entry.name),
            text.lines().count(),
            escape_html(&href),
            escape_html(&file),
            self.render(&fenced("json", text), 0)
        )
    }

    /// The examples a type was verified against, then the values of it inside
    /// other examples; each body once, with every place it appears.
    fn examples(&self, entry: &TypeEntry) -> String {
        let mut whole = Vec::new();
        for (file, outcome) in self.bound_to(entry.name) {
            whole.push((self.verdict(outcome, None), &outcome.body, Place { file, outcome, at: "" }));
        }
        let mut inside = Vec::new();
        // A value shown whole already is not shown again as a part.
        let not_shown = |part: &Part<'_>| !whole.iter().any(|(_, body, _)| *body == part.value);
        for (file, outcome, part) in
            self.parts.iter().filter(|(_, _, part)| part.type_name == entry.name && not_shown(part))
        {
            let place = Place { file, outcome, at: &part.at };
            inside.push((self.verdict(outcome, Some(entry.name)), part.value, place));
        }

        let mut md = String::from("## Verified against\n\n");
        let (whole, inside) = (grouped(whole), grouped(inside));
        if whole.is_empty() {
            md.push_str(&self.why_no_examples(entry, !inside.is_empty()));
        }
        let mut number = 0;
        for shown in &whole {
            number += 1;
            md.push_str(&self.shown(number, shown));
        }
        if !inside.is_empty() {
            md.push_str("## Inside other examples\n\n");
            for shown in &inside {
                number += 1;
                md.push_str(&self.shown(number, shown));
            }
        }
        md
    }

    /// Why a page has no example bound to its type, and where to look.
    fn why_no_examples(&self, entry: &TypeEntry, has_parts: bool) -> String {
        let mut holders: Vec<&str> = Vec::new();
        for outcome in self.reports.iter().flat_map(|r| &r.outcomes) {
            match outcome.type_name {
                Some(holder) if outcome.parsed_as == Some(entry.name) && !holders.contains(&holder) => {
                    holders.push(holder)
                }
                _ => {}
            }
        }
        let mut sentences = Vec::new();
        if has_parts {
            sentences.push(
                "No example of the spec is bound to this type as a whole; the values of it inside other \
                 examples are below."
                    .to_owned(),
            );
        }
        if !holders.is_empty() {
            let links: Vec<String> = holders.iter().map(|h| self.link(h)).collect();
            sentences.push(format!(
                "{HELD_BY} {} are shown on the pages of the types that hold them: {}.",
                code(entry.name),
                links.join(", ")
            ));
        }
        if sentences.is_empty() {
            sentences.push(NO_EXAMPLE.to_owned());
        }
        format!("{}\n\n", sentences.join(" "))
    }

    /// What verification made of `outcome`, said of its whole body, or of a
    /// value of the type `part` inside it.
    fn verdict(&self, outcome: &Outcome, part: Option<&str>) -> String {
        let what = match (outcome.kind, outcome.status) {
            (Kind::HttpResponse, Some(status)) => format!("the body of an HTTP {status} response"),
            (Kind::HttpRequest, _) => "the body of an HTTP request".to_owned(),
            (Kind::JsonFragment, _) => "a JSON member's value".to_owned(),
            _ => "a JSON value".to_owned(),
        };
        let parsed_as =
            outcome.parsed_as.map(|t| format!(", parsed as {}", self.link(t))).unwrap_or_default();
        let (subject, passed) = match (part, outcome.type_name) {
            (Some(part), Some(holder)) => (
                format!("Inside {what} bound to {}", self.link(holder)),
                format!("the body round-trips, and this value is valid against the schema of {}", code(part)),
            ),
            _ => (
                upper_first(&format!("{what}{parsed_as}")),
                "round-trips and is valid against the schema".to_owned(),
            ),
        };
        match &outcome.result {
            Ok(()) => format!("{subject}: {passed}.\n\n"),
            Err(reason) => format!("{subject}: **fails**:\n\n{}", fenced("text", reason)),
        }
    }

    /// One shown value: a heading, the verdict, where it appears by spec
    /// edition (each place linked to the example's JSON file, the id as the
    /// link's title) and the value.
    fn shown(&self, number: usize, shown: &Shown<'_>) -> String {
        let mut editions: Vec<(&str, Vec<String>)> = Vec::new();
        for place in &shown.places {
            let body = examples::body_path(examples::stem(Path::new(place.file)), &place.outcome.id);
            let at = if place.at.is_empty() { String::new() } else { format!(" at {}", code(place.at)) };
            let link = format!(
                "[line {}](../{}/{} \"{}\"){at}",
                place.outcome.line,
                examples::DIR,
                slashed(&body),
                place.outcome.id.replace('"', "\\\"")
            );
            match editions.iter_mut().find(|(file, _)| *file == place.file) {
                Some((_, links)) => links.push(link),
                None => editions.push((place.file, vec![link])),
            }
        }
        let mut md = format!("### Example {number}\n\n{}", shown.verdict);
        let _ = writeln!(
            md,
            "In {} spec edition{}:\n",
            editions.len(),
            if editions.len() == 1 { "" } else { "s" }
        );
        for (file, links) in &editions {
            let _ = writeln!(md, "- {}: {}", code(file), links.join(", "));
        }
        md.push('\n');
        md.push_str(&fenced("json", &pretty(shown.value)));
        md
    }

    /// The fields of an object schema, in the schema's order; those of an
    /// `allOf` of objects too (a request's own fields beside `auth`).
    fn fields(&self, schema: &Value) -> Vec<Field> {
        let parts = schema.get("allOf").and_then(Value::as_array).into_iter().flatten();
        std::iter::once(schema).chain(parts).flat_map(|schema| self.own_fields(schema)).collect()
    }

    fn own_fields(&self, schema: &Value) -> Vec<Field> {
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
                description: property
                    .get("description")
                    .and_then(Value::as_str)
                    .map(|text| markdown::summary(&self.doc(text)))
                    .unwrap_or_default(),
            })
            .collect()
    }

    fn field_table(&self, rows: &[Field]) -> String {
        let mut md = String::from("| Field | Type | Required | Description |\n|---|---|---|---|\n");
        for row in rows {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                cell(&code(&row.name)),
                cell(&self.type_link(&row.ty)),
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
    /// page.
    fn render(&self, markdown: &str, demote: usize) -> String {
        let events = Parser::new_ext(markdown, markdown::OPTIONS).map(|event| match event {
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

/// Where `schema` (a part of `root`) types a part of `value` with a `$ref`.
/// Alternatives (`anyOf`, `oneOf`) are not followed: which one a value is,
/// the schema alone does not say.
fn walk<'v>(root: &Value, schema: &Value, value: &'v Value, at: &str, out: &mut Vec<Part<'v>>) {
    if let Some(name) = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/$defs/")) {
        out.push(Part { type_name: name.to_owned(), at: at.to_owned(), value });
        if let Some(definition) = root.get("$defs").and_then(|defs| defs.get(name)) {
            walk(root, definition, value, at, out);
        }
    }
    let properties = schema.get("properties").and_then(Value::as_object);
    for (key, subschema) in properties.into_iter().flatten() {
        if let Some(field) = value.get(key) {
            walk(root, subschema, field, &member(at, key), out);
        }
    }
    match value {
        Value::Array(items) => {
            if let Some(subschema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    walk(root, subschema, item, &format!("{at}[{i}]"), out);
                }
            }
        }
        Value::Object(map) => {
            if let Some(subschema) = schema.get("additionalProperties").filter(|s| s.is_object()) {
                let named = |key: &String| properties.is_some_and(|p| p.contains_key(key));
                for (key, item) in map.iter().filter(|(key, _)| !named(key)) {
                    walk(root, subschema, item, &member(at, key), out);
                }
            }
        }
        _ => {}
    }
    for subschema in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        walk(root, subschema, value, at, out);
    }
}

/// `at` and then its member `key`, as jq spells it: `.flows`, `.params["m.login.terms"]`.
fn member(at: &str, key: &str) -> String {
    let plain = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!("{at}.{key}")
    } else {
        format!("{at}[{}]", serde_json::to_string(key).unwrap_or_default())
    }
}

/// Values with what verification made of them, each value once per verdict,
/// with all its places, in the order of first appearance.
fn grouped<'a>(found: Vec<(String, &'a Value, Place<'a>)>) -> Vec<Shown<'a>> {
    let mut shown: Vec<Shown<'a>> = Vec::new();
    for (verdict, value, place) in found {
        match shown.iter_mut().find(|s| s.value == value && s.verdict == verdict) {
            Some(same) => same.places.push(place),
            None => shown.push(Shown { verdict, value, places: vec![place] }),
        }
    }
    shown
}

fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A type page above its doc comment: the title and auth type.
fn type_head(entry: &TypeEntry) -> String {
    let mut md = format!("# {}\n\n", code(entry.name));
    if let Some(auth_type) = entry.auth_type {
        let _ = writeln!(md, "Auth type: {}\n", code(auth_type));
    }
    if let Some(auth_type) = entry.params_for {
        let _ = writeln!(
            md,
            "Params of the auth type {}: its entry in the `params` of a 401 body.\n",
            code(auth_type)
        );
    }
    md
}

/// One row of a type's field table.
#[derive(Debug, PartialEq, Eq)]
struct Field {
    name: String,
    ty: TypeName,
    required: bool,
    /// Page Markdown.
    description: String,
}

/// A schema's type as a reader wants it: `string`, `array of AuthFlow`,
/// `"m.login.password"`, `UserIdentifier or null`; each name apart, so that a
/// page can link the model types among them.
#[derive(Clone, Debug, PartialEq, Eq)]
struct TypeName(Vec<Piece>);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    /// A type (`string`, `AuthFlow`) or a constant (`"m.login.password"`).
    Name(String),
    /// What joins them: `array of`, `or`.
    Word(&'static str),
}

impl TypeName {
    fn name(name: impl Into<String>) -> Self {
        TypeName(vec![Piece::Name(name.into())])
    }
}

impl fmt::Display for TypeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, piece) in self.0.iter().enumerate() {
            let text = match piece {
                Piece::Name(name) => name.as_str(),
                Piece::Word(word) => word,
            };
            write!(f, "{}{text}", if i == 0 { "" } else { " " })?;
        }
        Ok(())
    }
}

/// For a schema that is a choice rather than an object, its alternatives.
fn variants(schema: &Value) -> Option<Vec<TypeName>> {
    ["oneOf", "anyOf"].iter().find_map(|key| schema.get(key)?.as_array()).map(|options| {
        let mut names: Vec<TypeName> = Vec::new();
        for name in options.iter().map(type_of) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    })
}

fn type_of(schema: &Value) -> TypeName {
    if let Some(value) = schema.get("const") {
        return TypeName::name(value.to_string());
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        return alternatives(values.iter().map(|v| TypeName::name(v.to_string())));
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return TypeName::name(reference.rsplit('/').next().unwrap_or(reference));
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
        _ => TypeName::name("any"),
    }
}

fn named_type(name: &str, schema: &Value) -> TypeName {
    let (word, inner) = match (name, schema.get("items"), schema.get("additionalProperties")) {
        ("array", Some(items), _) => ("array of", items),
        ("object", _, Some(values)) if values.is_object() => ("map of", values),
        _ => return TypeName::name(name),
    };
    let mut pieces = vec![Piece::Word(word)];
    pieces.extend(type_of(inner).0);
    TypeName(pieces)
}

/// `a or b`, each alternative once.
fn alternatives(options: impl Iterator<Item = TypeName>) -> TypeName {
    let mut seen: Vec<TypeName> = Vec::new();
    for option in options {
        if !seen.contains(&option) {
            seen.push(option);
        }
    }
    let mut pieces = Vec::new();
    for (i, option) in seen.into_iter().enumerate() {
        if i > 0 {
            pieces.push(Piece::Word("or"));
        }
        pieces.extend(option.0);
    }
    TypeName(pieces)
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
details > summary { cursor: pointer; }
td:nth-child(-n+2) { white-space: nowrap; }
ul.files { columns: 2; }
";

/// A whole HTML document around a rendered body.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — matrix-uia</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
         <nav><a href=\"{INDEX}\">matrix-uia reference</a> · \
         <a href=\"{INDEX}#{SCHEMAS_ANCHOR}\">JSON Schemas</a> · \
         <a href=\"{API_DOCS}\">API docs (docs.rs)</a></nav>\n<main>\n{body}</main>\n</body>\n</html>\n",
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
    use std::sync::OnceLock;

    use serde_json::json;

    use super::*;

    static NO_FILES: Tree = Tree::new();

    /// A site with no types or reports, where `known` have pages.
    fn site(known: &[&'static str]) -> Site<'static> {
        Site {
            entries: &[],
            reports: &[],
            schema_files: &NO_FILES,
            schemas: BTreeMap::new(),
            known: known.iter().copied().collect(),
            parts: Vec::new(),
        }
    }

    /// What the generator writes, from the real spec and model, built once
    /// for every test that reads it.
    struct Real {
        docs: Tree,
        schemas: Tree,
        examples: Tree,
        reports: Vec<FileReport>,
    }

    fn real() -> &'static Real {
        static REAL: OnceLock<Real> = OnceLock::new();
        REAL.get_or_init(|| {
            let root = crate::project_root();
            let fail = |e: String| -> Tree { panic!("{e}") };
            let schemas = schemas::generate().map(|t| t.tree).unwrap_or_else(fail);
            Real {
                docs: generate(&root, &schemas).map(|t| t.tree).unwrap_or_else(fail),
                examples: examples::generate(&root).map(|t| t.tree).unwrap_or_else(fail),
                reports: verify_spec(&root).unwrap_or_else(|e| panic!("{e}")),
                schemas,
            }
        })
    }

    fn page_of(name: &str) -> &'static str {
        real().docs.get(&PathBuf::from(page_name(name))).unwrap_or_else(|| panic!("no page for {name}"))
    }

    /// `value` as a page shows it: an escaped JSON code block.
    fn json_block(value: &Value) -> String {
        site(&[]).render(&fenced("json", &pretty(value)), 0)
    }

    fn row(name: &str, ty: &str, required: bool, description: &str) -> (String, String, bool, String) {
        (name.into(), ty.into(), required, description.into())
    }

    #[test]
    fn fields_come_from_properties_in_order() {
        let schema = json!({
            "type": "object",
            "required": ["type", "identifier"],
            "properties": {
                "type": {"const": "m.login.password", "description": "The auth type."},
                "identifier": {"$ref": "#/$defs/UserIdentifier", "description": "Who logs in.\n\nMore text."},
                "password": {"type": "string", "description": "See [`Known::method`]."},
                "session": {"type": ["string", "null"]},
                "flows": {"type": "array", "items": {"$ref": "#/$defs/AuthFlow"}},
                "params": {"type": "object", "additionalProperties": {"type": "object"}},
                "user": {"anyOf": [{"$ref": "#/$defs/UserId"}, {"type": "null"}]},
                "medium": {"enum": ["email", "msisdn"]},
                "extra": {}
            },
            "allOf": [{"properties": {"auth": {"$ref": "#/$defs/AuthData"}}}]
        });
        let rows: Vec<_> = site(&["Known"])
            .fields(&schema)
            .into_iter()
            .map(|f| (f.name, f.ty.to_string(), f.required, f.description))
            .collect();
        assert_eq!(
            rows,
            [
                row("type", "\"m.login.password\"", true, "The auth type."),
                row("identifier", "UserIdentifier", true, "Who logs in."),
                row("password", "string", false, "See [`Known::method`](Known.html)."),
                row("session", "string or null", false, ""),
                row("flows", "array of AuthFlow", false, ""),
                row("params", "map of object", false, ""),
                row("user", "UserId or null", false, ""),
                row("medium", "\"email\" or \"msisdn\"", false, ""),
                row("extra", "any", false, ""),
                row("auth", "AuthData", false, ""),
            ]
        );
        assert!(site(&[]).fields(&json!({"oneOf": [{"$ref": "#/$defs/A"}]})).is_empty());
        let variants =
            variants(&json!({"oneOf": [{"$ref": "#/$defs/A"}, {"$ref": "#/$defs/A"}, {"type": "null"}]}));
        assert_eq!(
            variants.map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>()),
            Some(vec!["A".to_owned(), "null".to_owned()])
        );
    }

    /// A model type inside a collection, an option or a choice links to its
    /// page like a bare one; the words around it are not code.
    #[test]
    fn collection_types_link_each_model_type() {
        let site = site(&["AuthFlow", "PolicyDefinition", "UserId"]);
        let link = |schema: Value| site.type_link(&type_of(&schema));
        assert_eq!(link(json!({"$ref": "#/$defs/AuthFlow"})), "[`AuthFlow`](AuthFlow.html)");
        assert_eq!(
            link(json!({"type": "array", "items": {"$ref": "#/$defs/AuthFlow"}})),
            "array of [`AuthFlow`](AuthFlow.html)"
        );
        assert_eq!(
            link(json!({"type": "object", "additionalProperties": {"$ref": "#/$defs/PolicyDefinition"}})),
            "map of [`PolicyDefinition`](PolicyDefinition.html)"
        );
        assert_eq!(
            link(json!({"anyOf": [{"$ref": "#/$defs/UserId"}, {"type": "null"}]})),
            "[`UserId`](UserId.html) or `null`"
        );
        assert_eq!(
            link(json!({"type": "array", "items": {"type": "array", "items": {"$ref": "#/$defs/Unknown"}}})),
            "array of array of `Unknown`"
        );
    }

    /// On the real pages, every model type a field's type names links to its
    /// page, whatever collection holds it.
    #[test]
    fn field_types_on_the_pages_link_every_model_type() {
        let entries = schemas::unique_entries().unwrap_or_else(|e| panic!("{e}"));
        let site = site(&[]);
        let mut linked_in_collections = 0;
        for entry in entries {
            let page = page_of(entry.name);
            for field in site.fields(&entry.schema()) {
                let start = format!("<tr><td><code>{}</code></td><td>", field.name);
                let row = page.split(&start).nth(1).and_then(|rest| rest.split("</tr>").next());
                let row = row.unwrap_or_else(|| panic!("{}: no row for `{}`", entry.name, field.name));
                for piece in &field.ty.0 {
                    if let Piece::Name(name) = piece
                        && entries.iter().any(|e| e.name == name)
                    {
                        let link = format!("<a href=\"{}\"><code>{name}</code></a>", page_name(name));
                        assert!(row.contains(&link), "{}.{}: {row}", entry.name, field.name);
                        linked_in_collections += usize::from(field.ty.0.len() > 1);
                    }
                }
            }
        }
        assert!(linked_in_collections >= 2, "flows and policies are collections of model types");
        assert!(page_of("UiaaInfo").contains("array of <a href=\"AuthFlow.html\"><code>AuthFlow</code></a>"));
        assert!(
            page_of("TermsParams")
                .contains("map of <a href=\"PolicyDefinition.html\"><code>PolicyDefinition</code></a>")
        );
    }

    #[test]
    fn field_table_escapes_pipes_and_renders_as_a_table() {
        let site = site(&["Known"]);
        let table = site.field_table(&[
            Field {
                name: "a".into(),
                ty: type_of(&json!({"type": ["string", "null"]})),
                required: false,
                description: "x | y\nz".into(),
            },
            Field {
                name: "b".into(),
                ty: TypeName::name("Known"),
                required: true,
                description: String::new(),
            },
        ]);
        assert!(table.contains("| `a` | `string` or `null` | no | x \\| y z |"), "{table}");
        assert!(table.contains("| `b` | [`Known`](Known.html) | yes |  |"), "{table}");
        let html = site.render(&table, 0);
        assert!(html.contains("<table>") && html.contains("<td>x | y z</td>"), "{html}");
        assert!(html.contains("<td><a href=\"Known.html\"><code>Known</code></a></td>"), "{html}");
    }

    #[test]
    fn embedded_text_is_escaped() {
        let site = site(&["Known"]);
        let md = format!(
            "{}{}",
            fenced("json", "{\"a\": \"</pre><script>```\"}"),
            site.doc("Hi <b>there</b> & [`Known`].\n")
        );
        let html = site.render(&md, 0);
        assert!(!html.contains("<script>") && !html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;/pre&gt;&lt;script&gt;```"), "{html}");
        assert!(html.contains("&lt;b&gt;there&lt;/b&gt; &amp;"), "{html}");
        assert!(html.contains("<a href=\"Known.html\"><code>Known</code></a>"), "{html}");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
    }

    /// Intra-doc links become a link to the page of the model type they name
    /// or belong to, or plain code; web links stay links.
    #[test]
    fn doc_links_become_page_links_code_or_web_links() {
        let site = site(&["Password", "UiaaInfo"]);
        let doc = "See [`Password::identifier`], [`crate::UiaaInfo::params()`], [`struct@Password`], \
                   [`Translations::other`], the [`Policy`](server::Policy), [Fallback](https://a.example/#f) \
                   and the [uia] section.\n\n[uia]: https://b.example/uia\n";
        let html = site.render(&site.doc(doc), 0);
        assert_eq!(
            html,
            "<p>See <a href=\"Password.html\"><code>Password::identifier</code></a>, \
             <a href=\"UiaaInfo.html\"><code>crate::UiaaInfo::params()</code></a>, \
             <a href=\"Password.html\"><code>struct@Password</code></a>, <code>Translations::other</code>, \
             the <code>Policy</code>, <a href=\"https://a.example/#f\">Fallback</a> and the \
             <a href=\"https://b.example/uia\">uia</a> section.</p>\n"
        );
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
        assert!(html.contains(&format!("<a href=\"{API_DOCS}\">")), "every page links the API docs");
        assert!(html.contains("max-width: 60rem"));
        assert!(html.ends_with("</html>\n"));
        assert_eq!(escape_html("&\"'"), "&amp;&quot;&#39;");
    }

    #[test]
    fn parts_are_found_where_the_schema_refers_to_a_type() {
        let root = json!({
            "properties": {
                "flows": {"type": "array", "items": {"$ref": "#/$defs/Flow"}},
                "one": {"anyOf": [{"$ref": "#/$defs/Flow"}, {"type": "null"}]}
            },
            "$defs": {
                "Flow": {"properties": {"version": {"type": "string"}}, "additionalProperties": {"$ref": "#/$defs/Doc"}},
                "Doc": {"type": "object"}
            }
        });
        let body = json!({"flows": [{"version": "1", "en": {}, "fr-CA": {}}], "one": {"version": "2"}});
        let mut found = Vec::new();
        walk(&root, &root, &body, "", &mut found);
        let found: Vec<(String, String)> = found.into_iter().map(|p| (p.type_name, p.at)).collect();
        let expected = [("Flow", ".flows[0]"), ("Doc", ".flows[0].en"), ("Doc", ".flows[0][\"fr-CA\"]")];
        assert_eq!(
            found,
            expected.map(|(t, at)| (t.to_owned(), at.to_owned())),
            "alternatives are not guessed"
        );
    }

    /// The real tree: an index linking one page per type, each page showing
    /// its schema and its examples.
    #[test]
    fn the_docs_tree_has_an_index_and_a_page_per_type() {
        let root = crate::project_root();
        let entries = schemas::unique_entries().unwrap_or_else(|e| panic!("{e}"));
        let real = real();
        assert_eq!(real.docs.len(), entries.len() + 1);
        let index = &real.docs[&PathBuf::from(INDEX)];
        assert!(index.contains("<h1>matrix-uia reference</h1>"), "{index}");
        // Every spec file of spec/ is named, whether or not the model has types yet.
        for file in crate::examples::spec_files(&root).unwrap_or_default() {
            let name = file.file_name().unwrap_or_default().to_string_lossy().into_owned();
            assert!(index.contains(&format!("<code>spec/{name}</code>")), "{name} in {index}");
        }
        for entry in entries {
            let name = page_name(entry.name);
            assert!(index.contains(&format!("<a href=\"{name}\">")), "{name} linked from the index");
            let page = page_of(entry.name);
            assert!(page.contains(&format!("<h1><code>{}</code></h1>", entry.name)), "{name}");
            assert!(page.contains("<h2>Schema</h2>") && page.contains("language-json"), "{name}");
        }
        let again = generate(&root, &real.schemas).map(|t| t.tree);
        assert_eq!(again.as_ref(), Ok(&real.docs), "deterministic");
    }

    /// The index lists every file of `generated/schemas/` and links the API docs.
    #[test]
    fn the_index_lists_every_schema_file() {
        let real = real();
        let index = &real.docs[&PathBuf::from(INDEX)];
        assert!(!real.schemas.is_empty());
        for path in real.schemas.keys() {
            let href = format!("<a href=\"../{}/{}\">", schemas::DIR, slashed(path));
            assert_eq!(index.matches(&href).count(), 1, "{href} once in the index");
        }
        let listed = index.matches(&format!("<a href=\"../{}/", schemas::DIR)).count();
        assert_eq!(listed, real.schemas.len(), "nothing else is listed as a schema");
        assert!(index.contains(&format!("id=\"{SCHEMAS_ANCHOR}\"")), "the nav's anchor exists");
        assert!(index.contains(&format!("<a href=\"{API_DOCS}\">docs.rs</a>")), "{index}");
    }

    /// No page shows rustdoc's link syntax: every link was resolved to a page,
    /// to code or to a web link.
    #[test]
    fn no_page_shows_rustdoc_link_syntax() {
        for (path, page) in &real().docs {
            for syntax in ["[`", "`]", "](", "[<code>", "</code>]", "]: http", "][", "[]"] {
                assert!(!page.contains(syntax), "{}: `{syntax}` in {page}", path.display());
            }
        }
    }

    /// Every relative link of every page leads to a file that regen writes
    /// (or to an anchor of the page).
    #[test]
    fn every_link_of_every_page_resolves() {
        let real = real();
        let mut checked = 0;
        for (path, page) in &real.docs {
            for href in page.split("href=\"").skip(1).filter_map(|rest| rest.split('"').next()) {
                let href = href.replace("&amp;", "&");
                let found = if href.starts_with("https://") {
                    true
                } else if let Some(anchor) = href.strip_prefix('#') {
                    page.contains(&format!("id=\"{anchor}\""))
                } else if let Some(file) = href.strip_prefix(&format!("../{}/", examples::DIR)) {
                    real.examples.contains_key(&PathBuf::from(file))
                } else if let Some(file) = href.strip_prefix(&format!("../{}/", schemas::DIR)) {
                    real.schemas.contains_key(&PathBuf::from(file))
                } else {
                    let (file, anchor) = href.split_once('#').unwrap_or((&href, ""));
                    real.docs.get(&PathBuf::from(file)).is_some_and(|target| {
                        anchor.is_empty() || target.contains(&format!("id=\"{anchor}\""))
                    })
                };
                assert!(found, "{}: `{href}` leads nowhere", path.display());
                checked += 1;
            }
        }
        assert!(checked > real.docs.len() * 3, "{checked} links");
    }

    /// A body that appears in several spec editions is shown once, with a
    /// link to its JSON file in each.
    #[test]
    fn a_body_in_several_editions_is_shown_once_with_each() {
        let real = real();
        let mut in_several = 0;
        for entry in schemas::unique_entries().unwrap_or_else(|e| panic!("{e}")) {
            let page = page_of(entry.name);
            let mut bodies: Vec<(&Value, Vec<(&str, &Outcome)>)> = Vec::new();
            for report in &real.reports {
                for outcome in report.outcomes.iter().filter(|o| o.type_name == Some(entry.name)) {
                    match bodies.iter_mut().find(|(body, _)| **body == outcome.body) {
                        Some((_, places)) => places.push((&report.file, outcome)),
                        None => bodies.push((&outcome.body, vec![(&report.file, outcome)])),
                    }
                }
            }
            for (body, places) in &bodies {
                assert_eq!(page.matches(&json_block(body)).count(), 1, "{}: {body} once", entry.name);
                let files: BTreeSet<&str> = places.iter().map(|(file, _)| *file).collect();
                in_several += usize::from(files.len() > 1);
                for (file, outcome) in places {
                    let stem = examples::stem(Path::new(file));
                    let href =
                        format!("../{}/{}", examples::DIR, slashed(&examples::body_path(stem, &outcome.id)));
                    assert!(page.contains(&format!("href=\"{href}\"")), "{}: {href}", entry.name);
                    assert!(page.contains(&format!("<code>{file}</code>")), "{}: {file}", entry.name);
                }
            }
            assert!(page.matches("<h3>Example ").count() >= bodies.len(), "{}", entry.name);
        }
        assert!(in_several > 0, "the RST editions share bodies");
    }

    /// A params type shows each `params` entry of its auth type found in a
    /// UIA body of the spec, once; one with none says the spec publishes none.
    #[test]
    fn params_types_show_the_params_they_are_bound_in() {
        let real = real();
        let params_types: Vec<&TypeEntry> = schemas::unique_entries()
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .filter(|e| e.params_for.is_some())
            .collect();
        assert!(!params_types.is_empty());
        let mut shown = 0;
        for entry in params_types {
            let page = page_of(entry.name);
            let auth_type = entry.params_for.unwrap_or_default();
            let found: Vec<&Value> = real
                .reports
                .iter()
                .flat_map(|r| &r.outcomes)
                .filter(|o| o.type_name == Some(PARAMS_HOLDER))
                .filter_map(|o| o.body.get("params")?.get(auth_type))
                .collect();
            for value in &found {
                assert_eq!(page.matches(&json_block(value)).count(), 1, "{}: {value}", entry.name);
            }
            if found.is_empty() {
                assert!(page.contains(NO_EXAMPLE), "{}", entry.name);
            } else {
                assert!(page.contains(&format!("<code>.params[\"{auth_type}\"]</code>")), "{}", entry.name);
                shown += 1;
            }
        }
        assert!(shown > 0, "the terms example of the current spec has params");
    }

    /// Every type page shows an example, or says why it has none.
    #[test]
    fn every_page_shows_an_example_or_says_why_not() {
        for entry in schemas::unique_entries().unwrap_or_else(|e| panic!("{e}")) {
            let page = page_of(entry.name);
            let examples = page.matches("<h3>Example ").count();
            let none = page.contains(NO_EXAMPLE);
            let elsewhere = page.contains(HELD_BY);
            assert!(examples > 0 || none || elsewhere, "{}", entry.name);
            assert!(!(examples > 0 && none), "{}", entry.name);
        }
        assert!(page_of("UiaaResponse").contains(HELD_BY), "an enum's examples are on its variants' pages");
        // Which variant an auth dict inside a request is, the model tells.
        assert!(page_of("CustomAuthData").contains("at <code>.auth</code>"));
        assert!(page_of("AuthFlow").contains("<h2>Inside other examples</h2>"));
    }
}
