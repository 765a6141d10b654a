//! `cargo xtask bench-extract [FILE…]`: extraction speed and memory, with a
//! baseline measured in the same run.
//!
//! For each file: time per extraction and MB/s; for Markdown, a bare
//! pulldown-cmark parse of the same text with the same options, and the ratio.
//! Then a 50 MB document of each format, for throughput at scale and peak memory.
//! A debug build re-runs itself in release: numbers from a debug build mislead.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use matrix_spec_examples::{Format, extract};

use crate::examples::spec_files;

/// How long each measurement samples.
const SAMPLE_TIME: Duration = Duration::from_millis(700);
/// Size of the synthetic large documents.
const LARGE: usize = 50 * 1024 * 1024;

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    if cfg!(debug_assertions) {
        return rerun_in_release(args);
    }
    let files: Vec<PathBuf> = match args {
        [] => spec_files(&crate::project_root())?,
        files => files.iter().map(PathBuf::from).collect(),
    };
    println!(
        "{:<36} {:>8} {:>7} {:>11} {:>9} {:>13} {:>7}",
        "file", "KiB", "blocks", "time/file", "MB/s", "bare pulldown", "ratio"
    );
    for path in &files {
        bench_file(path)?;
    }
    println!();
    for path in &files {
        bench_large(path)?;
    }
    Ok(())
}

fn read(path: &Path) -> Result<(String, Format), String> {
    let format = Format::from_path(path)
        .ok_or_else(|| format!("{}: not a spec file: name an .rst or .md file", path.display()))?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    Ok((text, format))
}

fn bench_file(path: &Path) -> Result<(), String> {
    let (text, format) = read(path)?;
    let blocks = extract(&text, format).map_err(|e| e.display_in(path))?.len();
    let ours = median_time(|| extract(black_box(&text), format).map(|e| e.len()).unwrap_or_default());
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let baseline = match format {
        Format::Markdown => {
            let bare = median_time(|| bare_parse(black_box(&text)));
            format!("{:>13} {:>6.2}×", micros(bare), ours.as_secs_f64() / bare.as_secs_f64())
        }
        Format::Rst => format!("{:>13} {:>7}", "-", "-"),
    };
    println!(
        "{name:<36} {:>8.1} {blocks:>7} {:>11} {:>9.1} {baseline}",
        text.len() as f64 / 1024.0,
        micros(ours),
        mb_per_s(text.len(), ours),
    );
    Ok(())
}

/// One 50 MB document made of copies of the file: throughput at scale, and
/// the peak resident memory it costs.
fn bench_large(path: &Path) -> Result<(), String> {
    let (text, format) = read(path)?;
    let copies = LARGE.div_ceil(text.len().max(1));
    let large = text.repeat(copies);
    let start = Instant::now();
    let examples = extract(&large, format).map_err(|e| e.display_in(path))?;
    let took = start.elapsed();
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    println!(
        "{name} ×{copies} ({:.0} MB): {} blocks in {:.0} ms, {:.1} MB/s, peak RSS so far {}",
        large.len() as f64 / 1e6,
        examples.len(),
        took.as_secs_f64() * 1e3,
        mb_per_s(large.len(), took),
        peak_rss().unwrap_or_else(|| "unknown".to_owned()),
    );
    Ok(())
}

/// The baseline: every event of a pulldown-cmark parse with the extractor's options.
fn bare_parse(text: &str) -> usize {
    pulldown_cmark::Parser::new_ext(text, matrix_spec_examples::markdown_options()).into_offset_iter().count()
}

/// The median time of one call of `f`, sampled for [`SAMPLE_TIME`] after a warm-up.
fn median_time(mut f: impl FnMut() -> usize) -> Duration {
    for _ in 0..3 {
        black_box(f());
    }
    let mut samples = Vec::new();
    let start = Instant::now();
    while start.elapsed() < SAMPLE_TIME || samples.len() < 10 {
        let t = Instant::now();
        black_box(f());
        samples.push(t.elapsed());
    }
    samples.sort();
    samples[samples.len() / 2]
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn mb_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

/// The process's peak resident set (Linux `VmHWM`).
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(format!("{:.0} MB", kib / 1024.0))
}

fn rerun_in_release(args: &[String]) -> Result<(), String> {
    println!("(debug build: re-running in release)");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(["run", "--release", "--quiet", "--package", "xtask", "--", "bench-extract"])
        .args(args)
        .current_dir(crate::project_root())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("release benchmark failed: {status}")) }
}
