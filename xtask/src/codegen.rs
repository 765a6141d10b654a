//! Writing and checking `generated/`.
//!
//! Every generator returns its whole output as data, a [`Tree`] of file
//! contents under one directory of `generated/` that it owns alone. `regen`
//! builds every tree before writing anything, then swaps each changed
//! directory in with a rename, so a failure leaves the old tree intact. `check`
//! builds the same trees and compares them with the disk, listing every stale
//! file at once: changed, missing, and no longer produced.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::{docs, examples, schemas};

/// File contents by path relative to the tree's directory.
pub(crate) type Tree = BTreeMap<PathBuf, String>;

/// One directory of `generated/` and what it must hold.
pub(crate) struct Target {
    /// Directory name under `generated/`.
    pub dir: &'static str,
    pub tree: Tree,
}

/// Every target, built in memory.
fn generate(root: &Path) -> Result<Vec<Target>, String> {
    let schemas = schemas::generate()?;
    // The reference shows and lists the schema files as written.
    let docs = docs::generate(root, &schemas.tree)?;
    Ok(vec![examples::generate(root)?, schemas, docs])
}

/// `cargo xtask regen`
pub(crate) fn regen(root: &Path) -> Result<(), String> {
    let targets = generate(root)?;
    let generated = root.join("generated");
    for target in &targets {
        let dir = generated.join(target.dir);
        if target.dir == examples::DIR {
            examples::print_summary(&dir, &target.tree);
        }
        if stale_files(&dir, &target.tree).map_err(|e| io_error(&dir, e))?.is_empty() {
            outln!("generated/{}: up to date", target.dir);
            continue;
        }
        replace_dir(&generated, target).map_err(|e| io_error(&dir, e))?;
        outln!("generated/{}: written ({} files)", target.dir, target.tree.len());
    }
    let written = crate::probe_table::regen(root)?;
    outln!("README.md probe results: {}", if written { "written" } else { "up to date" });
    Ok(())
}

/// `cargo xtask check`
pub(crate) fn check(root: &Path) -> Result<(), String> {
    let mut stale = Vec::new();
    for target in generate(root)? {
        let dir = root.join("generated").join(target.dir);
        for (path, why) in stale_files(&dir, &target.tree).map_err(|e| io_error(&dir, e))? {
            stale.push(format!("  generated/{}/{} ({why})", target.dir, path.display()));
        }
    }
    if let Err(why) = crate::probe_table::check(root) {
        stale.push(format!("  {why}"));
    }
    if stale.is_empty() {
        outln!("generated/ is up to date");
        return Ok(());
    }
    Err(format!(
        "{} generated file(s) are not up to date:\n{}\nrun `cargo xtask regen` and commit the result",
        stale.len(),
        stale.join("\n")
    ))
}

/// Files under `dir` that differ from `tree`, with why.
fn stale_files(dir: &Path, tree: &Tree) -> io::Result<Vec<(PathBuf, &'static str)>> {
    let on_disk = read_tree(dir)?;
    let mut stale = Vec::new();
    for (path, contents) in tree {
        match on_disk.get(path) {
            None => stale.push((path.clone(), "missing")),
            Some(old) if normalize(old) != *contents => stale.push((path.clone(), "changed")),
            Some(_) => {}
        }
    }
    for path in on_disk.keys().filter(|p| !tree.contains_key(*p)) {
        stale.push((path.clone(), "no longer produced"));
    }
    Ok(stale)
}

/// A checkout on Windows may have turned `\n` into `\r\n`; that is not staleness.
fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// Every file under `dir` (empty when `dir` does not exist), by relative path.
pub(crate) fn read_tree(dir: &Path) -> io::Result<Tree> {
    let mut tree = Tree::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = match fs::read_dir(&current) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound && current == dir => return Ok(tree),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap_or(&path).to_path_buf();
                let contents = fs::read(&path)?;
                tree.insert(relative, String::from_utf8_lossy(&contents).into_owned());
            }
        }
    }
    Ok(tree)
}

/// Write `target` beside its directory and rename it into place.
fn replace_dir(generated: &Path, target: &Target) -> io::Result<()> {
    let pid = std::process::id();
    let final_dir = generated.join(target.dir);
    let temp = generated.join(format!(".tmp-{}-{pid}", target.dir));
    let old = generated.join(format!(".old-{}-{pid}", target.dir));
    let _ = fs::remove_dir_all(&temp);
    for (path, contents) in &target.tree {
        let file = temp.join(path);
        if let Some(parent) = file.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&file, contents)?;
    }
    fs::create_dir_all(&temp)?;
    if final_dir.exists() {
        fs::rename(&final_dir, &old)?;
    }
    fs::rename(&temp, &final_dir)?;
    let _ = fs::remove_dir_all(&old);
    Ok(())
}

fn io_error(path: &Path, error: io::Error) -> String {
    format!("{}: {error}", path.display())
}

/// `path` with `/` between its parts whatever the platform: how labels and
/// links name files.
pub(crate) fn slashed(path: &Path) -> String {
    let parts: Vec<_> = path.components().map(|c| c.as_os_str().to_string_lossy()).collect();
    parts.join("/")
}

/// Pretty JSON with a trailing newline: the one format of every generated JSON file.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rust-analyzer pattern: plain `cargo test` catches a stale `generated/`.
    #[test]
    fn generated_is_fresh() {
        if let Err(message) = check(&crate::project_root()) {
            panic!("{message}");
        }
    }

    #[test]
    fn stale_files_names_changed_missing_and_extra_files() {
        let dir = std::env::temp_dir().join(format!("xtask-stale-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("sub")).unwrap();
        fs::write(dir.join("same.json"), "{}\n").unwrap();
        fs::write(dir.join("sub/changed.json"), "old\n").unwrap();
        fs::write(dir.join("extra.json"), "x\n").unwrap();
        let tree: Tree = [
            (PathBuf::from("same.json"), "{}\n".to_owned()),
            (PathBuf::from("sub/changed.json"), "new\n".to_owned()),
            (PathBuf::from("missing.json"), "m\n".to_owned()),
        ]
        .into();
        let mut stale = stale_files(&dir, &tree).unwrap();
        stale.sort();
        assert_eq!(
            stale,
            [
                (PathBuf::from("extra.json"), "no longer produced"),
                (PathBuf::from("missing.json"), "missing"),
                (PathBuf::from("sub/changed.json"), "changed"),
            ]
        );

        let generated = dir.join("generated");
        let target = Target { dir: "out", tree: tree.clone() };
        replace_dir(&generated, &target).unwrap();
        assert!(stale_files(&generated.join("out"), &tree).unwrap().is_empty());
        let leftovers: Vec<_> = fs::read_dir(&generated).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, ["out"], "no temporary directory is left behind");
        fs::remove_dir_all(&dir).unwrap();
    }
}
