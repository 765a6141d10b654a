//! `cargo xtask verify [--json] [FILE…]`: bind every example of the spec to a
//! type of the model, prove it round-trips, and validate it against the JSON
//! Schema that `generated/schemas/` publishes for that type.
//!
//! Binding and round-tripping are `binding::check` (`xtask/src/binding.rs`); this module
//! adds the schema, because a body the Rust type accepts but its published
//! schema rejects would make `generated/schemas/` wrong for every
//! implementation that is not written in Rust. The typed `params` entries of a
//! 401 body are validated against their own schemas too, since the body's
//! schema cannot say which type each entry has.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::binding::{self as model, Http, Sample, TypeEntry, Verdict};
use jsonschema::Validator;
use matrix_spec_examples::{Example, Kind};
use serde::Serialize;
use serde_json::Value;

use crate::codegen::slashed;
use crate::examples::{extract_file, spec_files};
use crate::schemas;
use crate::typed::{self, ExtraKey, SpecKeys};

const USAGE: &str = "usage: cargo xtask verify [--json] [FILE…]";

/// What verification made of one in-scope example with a JSON body.
#[derive(Clone, Debug)]
pub(crate) struct Outcome {
    /// The example's id in its file.
    pub id: String,
    /// The example's line in its spec file.
    pub line: usize,
    /// The titles of its sections, outermost first.
    pub section: Vec<String>,
    /// What the block is (HTTP response, bare JSON, …).
    pub kind: Kind,
    /// The status of an HTTP response.
    pub status: Option<u16>,
    /// The type the body was parsed as; `None` when no type claimed it.
    pub parsed_as: Option<&'static str>,
    /// The most specific type holding the body: whose schema and docs page apply.
    pub type_name: Option<&'static str>,
    /// `Ok` when bound, round-tripped and schema-valid; otherwise why not.
    pub result: Result<(), String>,
    /// The example's JSON body, as the spec writes it.
    pub body: Value,
    /// The keys of the body the model keeps in extra maps.
    pub extra_keys: Vec<ExtraKey>,
}

impl Outcome {
    /// The maintainer's line for a failed example, `file:line id: reason`;
    /// `None` when it passed.
    pub(crate) fn failure(&self, file: &str) -> Option<String> {
        let reason = self.result.as_ref().err()?;
        Some(format!("{file}:{} {}: {reason}", self.line, self.id))
    }

    /// Whether every key the spec defines reached a typed field: bound,
    /// round-tripped, and no spec-defined key left in an extra map (the
    /// round trip alone would keep such a key and pass).
    fn typed(&self) -> bool {
        self.status() == "round_tripped"
    }

    /// `round_tripped`, `failed` (bound but wrong) or `unbound`.
    fn status(&self) -> &'static str {
        match (self.type_name, &self.result) {
            (None, _) => "unbound",
            (Some(_), Ok(())) => "round_tripped",
            (Some(_), Err(_)) => "failed",
        }
    }
}

/// Verification of one spec file: an outcome per in-scope example with a
/// body, in document order.
#[derive(Clone, Debug)]
pub(crate) struct FileReport {
    /// The file as the maintainer named it (workspace-relative for `spec/`).
    pub file: String,
    /// One per in-scope example with a JSON body.
    pub outcomes: Vec<Outcome>,
}

impl FileReport {
    /// This file's tally.
    pub(crate) fn counts(&self) -> Counts {
        let bound = self.outcomes.iter().filter(|o| o.type_name.is_some()).count();
        let round_tripped = self.outcomes.iter().filter(|o| o.status() == "round_tripped").count();
        let typed = self.outcomes.iter().filter(|o| o.typed()).count();
        Counts {
            files: 1,
            examples: self.outcomes.len(),
            bound,
            round_tripped,
            typed,
            failed: self.outcomes.len() - typed,
        }
    }

    /// Every failed example's line, as [`Outcome::failure`] writes it.
    pub(crate) fn failures(&self) -> impl Iterator<Item = String> + '_ {
        self.outcomes.iter().filter_map(|o| o.failure(&self.file))
    }
}

/// The tally of a run; also the closing `--json` line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Counts {
    /// Files verified.
    pub files: usize,
    /// In-scope examples with a JSON body.
    pub examples: usize,
    /// Examples a type claimed.
    pub bound: usize,
    /// Bound examples that round-tripped and are valid against their schema.
    pub round_tripped: usize,
    /// Round-tripped examples with no key the spec defines left in an extra map.
    pub typed: usize,
    /// Unbound examples plus bound ones that failed.
    pub failed: usize,
}

impl Counts {
    /// Add `other`'s tally to this one.
    pub(crate) fn add(&mut self, other: Counts) {
        self.files += other.files;
        self.examples += other.examples;
        self.bound += other.bound;
        self.round_tripped += other.round_tripped;
        self.typed += other.typed;
        self.failed += other.failed;
    }

    /// `N examples, N bound, N round-tripped, N typed, N failed`: the tail of
    /// both the per-file and the closing line, so the two can never disagree
    /// in form.
    pub(crate) fn summary(&self) -> String {
        format!(
            "{} examples, {} bound, {} round-tripped, {} typed, {} failed",
            self.examples, self.bound, self.round_tripped, self.typed, self.failed
        )
    }
}

/// Bind, round-trip and schema-validate every example of one file that has a
/// JSON body; examples that are out of UIA's scope are left out.
/// A key the spec defines must reach a typed field: the spec's schemas of the
/// file's revision (`spec/openapi-*`) say which.
pub(crate) fn verify_examples(file_label: &str, examples: &[Example]) -> FileReport {
    let spec = typed::spec_keys(&typed::spec_dir_for(&crate::project_root(), file_label));
    let outcomes = examples.iter().filter_map(|example| verify_example(example, &spec)).collect();
    FileReport { file: file_label.to_owned(), outcomes }
}

fn verify_example(example: &Example, spec: &Result<SpecKeys, String>) -> Option<Outcome> {
    let body = example.body.as_ref()?;
    let sample = Sample {
        section: &example.section,
        http: http_role(example),
        fragment_key: example.fragment_key.as_deref(),
        body,
    };
    let (parsed_as, type_name, result) = match model::check(&sample) {
        Verdict::OutOfScope => return None,
        Verdict::Unbound { reason } => (None, None, Err(format!("unbound: {reason}"))),
        Verdict::Bound(binding) => {
            let result = match binding.result {
                Ok(()) if binding.type_name == PARAMS_HOLDER => {
                    validate(binding.type_name, body).and_then(|()| validate_params(body))
                }
                Ok(()) => validate(binding.type_name, body),
                Err(e) => Err(format!("`{}` round trip: {e}", binding.parsed_as)),
            };
            (Some(binding.parsed_as), Some(binding.type_name), result)
        }
    };
    let extra_keys = type_name.map(|name| typed::extra_keys(name, body)).unwrap_or_default();
    let result = result.and_then(|()| {
        let spec = spec.as_ref().map_err(|e| format!("the spec's schemas: {e}"))?;
        match typed::untyped(&extra_keys, spec).next() {
            None => Ok(()),
            Some(missed) => Err(format!(
                "`{}` is a field the spec defines for `{}`, but the model keeps it as an unknown key (at `{}`)",
                missed.key, missed.owner, missed.path
            )),
        }
    });
    Some(Outcome {
        id: example.id.clone(),
        line: example.line,
        section: example.section.clone(),
        kind: example.kind,
        status: example.status,
        parsed_as,
        type_name,
        result,
        body: body.clone(),
        extra_keys,
    })
}

fn http_role(example: &Example) -> Option<Http> {
    // A request body is known by its content (an `auth` dict beside the
    // endpoint's fields), whether or not the spec showed an HTTP head.
    if example.request_auth().is_some() {
        return Some(Http::Request);
    }
    match example.kind {
        Kind::HttpRequest => Some(Http::Request),
        // Extraction records the status of every response it recognises; one
        // without a status cannot be told apart by it, so it binds by content.
        Kind::HttpResponse => example.status.map(|status| Http::Response { status }),
        Kind::Json | Kind::JsonFragment | Kind::Text => None,
    }
}

/// The type whose `params` entries are typed by their key, an auth type
/// (`UiaaInfo::params`); its schema leaves them untyped.
pub(crate) const PARAMS_HOLDER: &str = "UiaaInfo";

/// The entries of a UIA body's `params` that have a type: each with that
/// type's entry and its auth type.
pub(crate) fn typed_params(body: &Value) -> impl Iterator<Item = (&'static TypeEntry, &str, &Value)> {
    let params = body.get("params").and_then(Value::as_object);
    params.into_iter().flatten().filter_map(|(auth_type, value)| {
        let entry = model::types().iter().find(|entry| entry.params_for == Some(auth_type.as_str()))?;
        Some((entry, auth_type.as_str(), value))
    })
}

/// Validate each typed `params` entry against its own schema: the round trip
/// parses them as their types, and their published schemas must agree.
fn validate_params(body: &Value) -> Result<(), String> {
    typed_params(body).try_for_each(|(entry, auth_type, value)| {
        validate(entry.name, value).map_err(|e| format!("`params.{auth_type}`: {e}"))
    })
}

/// The variant of the enum `enum_name` that `value`, found inside an example
/// of `section`, is: which one, only the model can tell (an unknown auth type
/// fits the schema of `FallbackAcknowledgement` as well as that of
/// `CustomAuthData`). `None` unless the model reads it as that enum, it
/// round-trips, and it is valid against the variant's own schema.
pub(crate) fn variant_of(enum_name: &str, value: &Value, section: &[String]) -> Option<&'static str> {
    let sample = Sample { section, http: None, fragment_key: None, body: value };
    match model::check(&sample) {
        Verdict::Bound(binding)
            if binding.parsed_as == enum_name
                && binding.type_name != enum_name
                && binding.result.is_ok()
                && validate(binding.type_name, value).is_ok() =>
        {
            Some(binding.type_name)
        }
        _ => None,
    }
}

/// A type's published schema and its validator.
struct Compiled {
    schema: Value,
    validator: Result<Validator, String>,
}

/// Schemas by type name, each made and compiled on first use and kept for
/// the rest of the process: compiling costs far more than validating, and
/// every example of a run (and every test) shares them.
type Validators = BTreeMap<&'static str, (&'static TypeEntry, OnceLock<Compiled>)>;

fn validators() -> &'static Validators {
    static VALIDATORS: OnceLock<Validators> = OnceLock::new();
    VALIDATORS
        .get_or_init(|| model::types().iter().map(|entry| (entry.name, (entry, OnceLock::new()))).collect())
}

fn compiled(type_name: &str) -> Result<&'static Compiled, String> {
    let (entry, cell) = validators().get(type_name).ok_or_else(|| {
        format!("bound to `{type_name}`, which has no entry in binding::types() and so no schema")
    })?;
    Ok(cell.get_or_init(|| {
        let schema = schemas::published(entry);
        let validator = jsonschema::draft202012::new(&schema)
            .map_err(|e| format!("the schema of `{type_name}` does not compile: {e}"));
        Compiled { schema, validator }
    }))
}

/// The published schema of `type_name`, made once.
pub(crate) fn published_schema(type_name: &str) -> Option<&'static Value> {
    compiled(type_name).ok().map(|compiled| &compiled.schema)
}

/// Validate `body` against the published schema of `type_name`.
fn validate(type_name: &str, body: &Value) -> Result<(), String> {
    let validator = compiled(type_name)?.validator.as_ref().map_err(Clone::clone)?;
    match schema_errors(validator, body) {
        errors if errors.is_empty() => Ok(()),
        errors => Err(format!("not valid against the schema of `{type_name}`: {}", errors.join("; "))),
    }
}

/// Every schema violation of `body`, each naming its JSON path.
fn schema_errors(validator: &Validator, body: &Value) -> Vec<String> {
    validator.iter_errors(body).map(|e| format!("at {}: {e}", pointer(e.instance_path().as_str()))).collect()
}

/// A JSON pointer as a reader sees it: the empty pointer is the whole body.
fn pointer(pointer: &str) -> String {
    if pointer.is_empty() { "the root".to_owned() } else { format!("`{pointer}`") }
}

/// Each spec file of `spec/`, labelled by its path from the workspace root
/// (with `/`, so labels and the docs that show them are the same everywhere).
fn spec_inputs(root: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let label = |path: &Path| slashed(path.strip_prefix(root).unwrap_or(path));
    Ok(spec_files(root)?.into_iter().map(|path| (label(&path), path)).collect())
}

fn verify_file(label: &str, path: &Path) -> Result<FileReport, String> {
    Ok(verify_examples(label, &extract_file(path)?))
}

/// Verify the spec files of `spec/`, freshly extracted.
pub(crate) fn verify_spec(root: &Path) -> Result<Vec<FileReport>, String> {
    spec_inputs(root)?.iter().map(|(label, path)| verify_file(label, path)).collect()
}

/// `cargo xtask verify [--json] [FILE…]`
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let json = args.iter().any(|a| a == "--json");
    if let Some(flag) = args.iter().find(|a| a.starts_with('-') && *a != "--json") {
        return Err(format!("unknown flag `{flag}`: {USAGE}"));
    }
    let named: Vec<(String, PathBuf)> =
        args.iter().filter(|a| !a.starts_with('-')).map(|a| (a.clone(), PathBuf::from(a))).collect();
    let files = if named.is_empty() { spec_inputs(&crate::project_root())? } else { named };

    let mut total = Counts::default();
    let mut unreadable = Vec::new();
    for (label, path) in &files {
        match verify_file(label, path) {
            Ok(report) => {
                if json {
                    print_json(&report);
                } else {
                    print_text(&report);
                }
                total.add(report.counts());
            }
            Err(message) => {
                eprintln!("error: {message}");
                unreadable.push(label.as_str());
            }
        }
    }
    if json {
        outln!("{}", serde_json::to_string(&total).unwrap_or_default());
    } else {
        outln!("verify: {} files, {}", total.files, total.summary());
    }

    let mut problems = Vec::new();
    if !unreadable.is_empty() {
        problems.push(format!("{} file(s) could not be read: {}", unreadable.len(), unreadable.join(", ")));
    }
    if total.failed > 0 {
        problems.push(format!("{} example(s) failed verification", total.failed));
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
}

fn print_text(report: &FileReport) {
    outln!("{}: {}", report.file, report.counts().summary());
    for failure in report.failures() {
        outln!("  {failure}");
    }
}

/// One `--json` line: an example's outcome.
#[derive(Serialize)]
struct Line<'a> {
    file: &'a str,
    line: usize,
    id: &'a str,
    kind: Kind,
    status: Option<u16>,
    parsed_as: Option<&'a str>,
    type_name: Option<&'a str>,
    /// `round_tripped`, `failed` or `unbound`.
    outcome: &'a str,
    error: Option<&'a str>,
    /// The keys the model keeps in extra maps, by JSON path.
    extra_keys: Vec<&'a str>,
}

fn print_json(report: &FileReport) {
    for o in &report.outcomes {
        let line = Line {
            file: &report.file,
            line: o.line,
            id: &o.id,
            kind: o.kind,
            status: o.status,
            parsed_as: o.parsed_as,
            type_name: o.type_name,
            outcome: o.status(),
            error: o.result.as_ref().err().map(String::as_str),
            extra_keys: o.extra_keys.iter().map(|k| k.path.as_str()).collect(),
        };
        match serde_json::to_string(&line) {
            Ok(text) => outln!("{text}"),
            Err(e) => eprintln!("error: {}:{}: cannot serialize: {e}", report.file, o.line),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, json};

    use super::*;
    use crate::codegen::read_tree;
    use crate::examples::{self, INDEX};

    /// Every example of the checked-in `generated/examples/`, rebuilt from
    /// each spec file's index and body files, by spec file stem.
    fn checked_in_examples(root: &Path) -> Result<BTreeMap<String, Vec<Example>>, String> {
        let dir = root.join("generated").join(examples::DIR);
        let tree = read_tree(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut files = BTreeMap::new();
        for (path, text) in tree.iter().filter(|(path, _)| path.file_name().is_some_and(|n| n == INDEX)) {
            let stem = path.parent().unwrap_or(Path::new(""));
            let in_dir = |file: &str| format!("{}/{}/{file}", dir.display(), stem.display());
            let entries: Vec<Map<String, Value>> =
                serde_json::from_str(text).map_err(|e| format!("{}: {e}", in_dir(INDEX)))?;
            let mut rebuilt = Vec::with_capacity(entries.len());
            for mut entry in entries {
                if let Some(file) = entry.get("file").and_then(Value::as_str) {
                    let text =
                        tree.get(&stem.join(file)).ok_or_else(|| format!("{}: missing", in_dir(file)))?;
                    let body = serde_json::from_str(text).map_err(|e| format!("{}: {e}", in_dir(file)))?;
                    entry.insert("body".to_owned(), body);
                }
                let example = serde_json::from_value(Value::Object(entry))
                    .map_err(|e| format!("{}: not an example: {e}", in_dir(INDEX)))?;
                rebuilt.push(example);
            }
            files.insert(stem.display().to_string(), rebuilt);
        }
        Ok(files)
    }

    /// The checked-in examples are what the spec says, and every one binds,
    /// round-trips and fits its schema.
    #[test]
    fn checked_in_examples_verify() {
        let root = crate::project_root();
        let files = checked_in_examples(&root).unwrap_or_else(|e| panic!("{e}"));
        let spec = spec_files(&root).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(files.len(), spec.len(), "one examples directory per spec file");
        let mut failures = Vec::new();
        for (stem, found) in &files {
            let label = format!("generated/{}/{stem}", examples::DIR);
            // Rebuilding from index and bodies loses nothing, so verifying
            // these is verifying the spec itself.
            let source = spec.iter().find(|p| p.file_stem().is_some_and(|s| s.to_string_lossy() == **stem));
            let source = source.unwrap_or_else(|| panic!("{label}: no spec file of that stem"));
            assert_eq!(found, &extract_file(source).unwrap_or_else(|e| panic!("{e}")), "{label}");
            failures.extend(verify_examples(&label, found).failures());
        }
        assert!(failures.is_empty(), "{} example(s) failed:\n{}", failures.len(), failures.join("\n"));
    }

    fn example(section: &[&str], kind: Kind, status: Option<u16>, body: Option<Value>) -> Example {
        Example {
            id: "test/1".to_owned(),
            line: 7,
            section: section.iter().map(|s| (*s).to_owned()).collect(),
            info: "json".to_owned(),
            kind,
            method: None,
            path: None,
            status,
            reason: None,
            headers: Vec::new(),
            fragment_key: None,
            body,
            body_line: Some(7),
            json_error: None,
            raw: String::new(),
        }
    }

    #[test]
    fn out_of_scope_and_bodiless_examples_are_not_counted() {
        let examples = [
            example(
                &["Room Membership", "Joining rooms"],
                Kind::Json,
                None,
                Some(json!({"membership": "join"})),
            ),
            example(&["User-Interactive Authentication API"], Kind::Text, None, None),
        ];
        let report = verify_examples("spec/x.rst", &examples);
        assert!(report.outcomes.is_empty(), "{:?}", report.outcomes);
        assert_eq!(report.counts(), Counts { files: 1, ..Counts::default() });
        assert_eq!(report.file, "spec/x.rst");
    }

    #[test]
    fn a_uia_401_is_bound_and_valid_once_the_model_has_types() {
        let body = json!({"flows": [{"stages": ["m.login.password"]}], "params": {}, "session": "xxxxxx"});
        let examples = [example(
            &["Client Authentication", "User-Interactive Authentication API"],
            Kind::HttpResponse,
            Some(401),
            Some(body.clone()),
        )];
        let report = verify_examples("spec/x.rst", &examples);
        if model::types().is_empty() {
            assert!(report.outcomes.is_empty(), "with no types, nothing is in scope");
            return;
        }
        let [outcome] = report.outcomes.as_slice() else { panic!("{:?}", report.outcomes) };
        assert_eq!(outcome.result, Ok(()), "{outcome:?}");
        assert!(outcome.type_name.is_some() && outcome.parsed_as.is_some());
        assert_eq!(outcome.body, body);
        assert_eq!(
            report.counts(),
            Counts { files: 1, examples: 1, bound: 1, round_tripped: 1, typed: 1, failed: 0 }
        );
    }

    fn outcome(line: usize, type_name: Option<&'static str>, result: Result<(), &str>) -> Outcome {
        Outcome {
            id: format!("s/{line}"),
            line,
            section: Vec::new(),
            kind: Kind::Json,
            status: None,
            parsed_as: type_name,
            type_name,
            result: result.map_err(str::to_owned),
            body: json!({}),
            extra_keys: Vec::new(),
        }
    }

    #[test]
    fn counts_and_failure_lines() {
        let report = FileReport {
            file: "spec/a.md".to_owned(),
            outcomes: vec![
                outcome(1, None, Err("unbound: no type")),
                outcome(2, Some("Password"), Err("does not round-trip")),
                outcome(3, Some("Password"), Ok(())),
            ],
        };
        let counts = report.counts();
        assert_eq!(counts, Counts { files: 1, examples: 3, bound: 2, round_tripped: 1, typed: 1, failed: 2 });
        assert_eq!(counts.summary(), "3 examples, 2 bound, 1 round-tripped, 1 typed, 2 failed");
        assert_eq!(
            report.failures().collect::<Vec<_>>(),
            ["spec/a.md:1 s/1: unbound: no type", "spec/a.md:2 s/2: does not round-trip"]
        );
        let statuses: Vec<&str> = report.outcomes.iter().map(Outcome::status).collect();
        assert_eq!(statuses, ["unbound", "failed", "round_tripped"]);
        let mut total = Counts::default();
        total.add(counts);
        total.add(counts);
        assert_eq!(total, Counts { files: 2, examples: 6, bound: 4, round_tripped: 2, typed: 2, failed: 4 });
    }

    #[test]
    fn schema_errors_name_the_json_path() {
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "required": ["type"],
            "properties": {"identifier": {"type": "object", "properties": {"user": {"type": "string"}}}}
        });
        let validator = jsonschema::draft202012::new(&schema).unwrap();
        let errors = schema_errors(&validator, &json!({"identifier": {"user": 5}}));
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors.iter().any(|e| e.starts_with("at the root: ") && e.contains("\"type\"")),
            "{errors:?}"
        );
        assert!(errors.iter().any(|e| e.starts_with("at `/identifier/user`: ")), "{errors:?}");
        assert!(schema_errors(&validator, &json!({"type": "m.login.dummy"})).is_empty());
    }

    /// A typed `params` entry is validated against its own schema, which the
    /// 401 body's schema (`map of object`) does not do.
    #[test]
    fn typed_params_entries_are_validated_against_their_schema() {
        let body = json!({
            "flows": [{"stages": ["m.login.terms"]}],
            "params": {"m.login.terms": {"policies": {"tos": {"version": 2}}}, "org.example": {"x": 1}}
        });
        let typed: Vec<(&str, &str)> = typed_params(&body).map(|(entry, key, _)| (entry.name, key)).collect();
        assert_eq!(typed, [("TermsParams", "m.login.terms")], "only auth types with a params type");
        assert_eq!(validate(PARAMS_HOLDER, &body), Ok(()), "the body's own schema lets it through");
        let error = validate_params(&body).unwrap_err();
        assert!(
            error.starts_with("`params.m.login.terms`: ") && error.contains("/policies/tos/version"),
            "{error}"
        );
        assert_eq!(validate_params(&json!({"flows": []})), Ok(()));
    }

    #[test]
    fn a_type_without_an_entry_is_a_failure_not_a_panic() {
        let error = validate("NoSuchType", &json!({})).unwrap_err();
        assert!(error.contains("`NoSuchType`"), "{error}");
    }

    #[test]
    fn http_roles_come_from_kind_and_status() {
        let role = |kind, status| http_role(&example(&[], kind, status, None));
        assert_eq!(role(Kind::HttpRequest, None), Some(Http::Request));
        assert_eq!(role(Kind::HttpResponse, Some(401)), Some(Http::Response { status: 401 }));
        assert_eq!(role(Kind::Json, None), None);
        assert_eq!(role(Kind::JsonFragment, None), None);
        // A bare JSON block whose object carries an `auth` dict is a request body.
        let bare = json!({"devices": ["A"], "auth": {"type": "m.login.dummy", "session": "s"}});
        assert_eq!(http_role(&example(&[], Kind::Json, None, Some(bare))), Some(Http::Request));
        let not_auth = json!({"devices": ["A"], "auth": "x"});
        assert_eq!(http_role(&example(&[], Kind::Json, None, Some(not_auth))), None);
    }
}
