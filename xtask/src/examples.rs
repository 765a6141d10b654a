//! `generated/examples/`: every code block of every spec file in `spec/`.
//!
//! Per spec file `spec/<stem>.<ext>`, a directory `<stem>/` with
//! - `index.json`: every block, in document order, with its metadata and
//!   either the `file` holding its JSON body or `why` it has none;
//! - `<id>.json`: the JSON body of each block that has one, pretty-printed.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use matrix_spec_examples::{Example, Format};
use serde_json::{Map, Value};

use crate::codegen::{Target, Tree, read_tree, to_json};

/// The directory under `generated/`.
pub(crate) const DIR: &str = "examples";

/// The file of each spec file's directory listing its blocks.
pub(crate) const INDEX: &str = "index.json";

/// The spec files of `spec/` that extraction reads, sorted.
pub(crate) fn spec_files(root: &Path) -> Result<Vec<PathBuf>, String> {
    let dir = root.join("spec");
    let entries = fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_file() && Format::from_path(path).is_some() && !is_readme(path))
        .collect();
    files.sort();
    Ok(files)
}

/// `spec/README.md` is the provenance note, not a spec revision.
fn is_readme(path: &Path) -> bool {
    path.file_stem().is_some_and(|stem| stem.eq_ignore_ascii_case("readme"))
}

/// Read and extract one spec file; errors name the file (and line where there is one).
pub(crate) fn extract_file(path: &Path) -> Result<Vec<Example>, String> {
    let format = Format::from_path(path)
        .ok_or_else(|| format!("{}: not a spec file: name an .rst or .md file", path.display()))?;
    let bytes = fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    matrix_spec_examples::extract_bytes(&bytes, format).map_err(|e| e.display_in(path))
}

/// The whole `generated/examples/` tree.
pub(crate) fn generate(root: &Path) -> Result<Target, String> {
    let mut tree = Tree::new();
    for path in spec_files(root)? {
        let dir = stem(&path);
        let examples = extract_file(&path)?;
        let mut index = Vec::with_capacity(examples.len());
        for example in examples {
            let file = example.body.as_ref().map(|body| {
                tree.insert(body_path(dir, &example.id), to_json(body));
                body_file(&example.id)
            });
            index.push(index_entry(example, file));
        }
        tree.insert(Path::new(dir).join(INDEX), to_json(&index));
    }
    Ok(Target { dir: DIR, tree })
}

/// An example's metadata without its body, which has a file of its own.
fn index_entry(example: Example, file: Option<String>) -> Value {
    let why = match (&file, &example.json_error) {
        (Some(_), _) => None,
        (None, Some(error)) => Some(format!("JSON does not parse: {error}")),
        (None, None) if example.kind.is_http() => Some("HTTP example without a body".to_owned()),
        (None, None) => Some("not JSON".to_owned()),
    };
    let Ok(Value::Object(mut entry)) = serde_json::to_value(&example) else { return Value::Null };
    entry.remove("body");
    entry.insert("file".to_owned(), file.map_or(Value::Null, Value::String));
    entry.insert("why".to_owned(), why.map_or(Value::Null, Value::String));
    Value::Object(entry)
}

/// Print, per spec file, what was found and what changed against the tree on
/// disk: the maintainer's changelog after pulling a spec change.
pub(crate) fn print_summary(dir: &Path, new: &Tree) {
    let old = read_tree(dir).unwrap_or_default();
    let old_indexes = indexes(&old);
    let new_indexes = indexes(new);
    for (stem, entries) in &new_indexes {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for entry in entries.values() {
            *counts.entry(entry["kind"].as_str().unwrap_or("?").to_owned()).or_default() += 1;
        }
        let with_json = entries.values().filter(|e| !e["file"].is_null()).count();
        let kinds: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
        outln!("{stem}: {} blocks, {with_json} with a JSON body ({})", entries.len(), kinds.join(", "));
        let empty = BTreeMap::new();
        let before = old_indexes.get(stem).unwrap_or(&empty);
        for (id, entry) in entries {
            let body = body_path(stem, id);
            match before.get(id) {
                None => outln!("  + {id} (line {})", entry["line"]),
                Some(was) if was != entry || old.get(&body) != new.get(&body) => {
                    outln!("  ~ {id} (line {})", entry["line"])
                }
                Some(_) => {}
            }
        }
        for id in before.keys().filter(|id| !entries.contains_key(*id)) {
            outln!("  - {id}");
        }
    }
    for stem in old_indexes.keys().filter(|s| !new_indexes.contains_key(*s)) {
        outln!("{stem}: spec file removed; its examples are deleted");
    }
}

/// The directory of a spec file's examples: its name without the extension.
pub(crate) fn stem(spec_file: &Path) -> &str {
    spec_file.file_stem().and_then(|s| s.to_str()).unwrap_or_default()
}

/// Where the body of the example `id` is, in its spec file's directory.
fn body_file(id: &str) -> String {
    format!("{id}.json")
}

/// Where the body of the example `id` of the spec file with `stem` is, under `generated/examples/`.
pub(crate) fn body_path(stem: &str, id: &str) -> PathBuf {
    Path::new(stem).join(body_file(id))
}

/// The index entries of every spec file in `tree`, by stem and id.
fn indexes(tree: &Tree) -> BTreeMap<String, BTreeMap<String, Value>> {
    let mut out = BTreeMap::new();
    for (path, contents) in tree {
        if path.file_name().is_none_or(|name| name != INDEX) {
            continue;
        }
        let stem = path.parent().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
        let entries: Vec<Map<String, Value>> = serde_json::from_str(contents).unwrap_or_default();
        let by_id = entries
            .into_iter()
            .filter_map(|e| Some((e.get("id")?.as_str()?.to_owned(), Value::Object(e))))
            .collect();
        out.insert(stem, by_id);
    }
    out
}
