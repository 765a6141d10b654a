//! `cargo xtask bench-extract [FILE…]`: extraction speed and memory, with a
//! baseline measured in the same run.
//!
//! For each file: time per extraction and MB/s, against a baseline on the same
//! text in the same run: for Markdown a bare pulldown-cmark parse with the same
//! options, for RST docutils' doctree (what the spec was built with), when
//! Python has it (`pip install docutils`).
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
        "{:<36} {:>8} {:>7} {:>11} {:>9}  {:<28} {:>9}",
        "file", "KiB", "blocks", "time/file", "MB/s", "baseline on the same text", "speed-up"
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
    let ours = || extract(black_box(&text), format).map(|e| e.len()).unwrap_or_default();
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let (ours, baseline) = match format {
        Format::Markdown => {
            let [ours, bare] = median_times([&ours, &|| bare_parse(black_box(&text))]);
            (ours, Some(("bare pulldown-cmark", bare)))
        }
        Format::Rst => (median_times([&ours])[0], docutils_time(path).map(|t| ("docutils doctree", t))),
    };
    let baseline = match baseline {
        // Below 1 the extractor is slower than the baseline: 0.80 means it takes 1.25× as long.
        Some((name, t)) => format!("{:<28} {:>9}", format!("{name} {}", human(t)), compare(ours, t)),
        None => "docutils not installed".to_owned(),
    };
    println!(
        "{name:<36} {:>8.1} {blocks:>7} {:>11} {:>9.1}  {baseline}",
        text.len() as f64 / 1024.0,
        human(ours),
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
    // Each measured twice, the second run counted: the first pays for the
    // allocator's first touch of the pages, which says nothing about either.
    let timed = |f: &dyn Fn() -> usize| {
        black_box(f());
        let start = Instant::now();
        let n = black_box(f());
        (n, start.elapsed())
    };
    let (blocks, took) = timed(&|| extract(&large, format).map(|e| e.len()).unwrap_or_default());
    let baseline = match format {
        Format::Markdown => {
            let (_, bare) = timed(&|| bare_parse(&large));
            format!(", bare pulldown-cmark {}: {}", human(bare), compare(took, bare))
        }
        Format::Rst => String::new(),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    println!(
        "{name} ×{copies} ({:.0} MB): {} blocks in {}, {:.1} MB/s{baseline}; peak RSS so far {}",
        large.len() as f64 / 1e6,
        blocks,
        human(took),
        mb_per_s(large.len(), took),
        peak_rss().unwrap_or_else(|| "unknown".to_owned()),
    );
    Ok(())
}

/// The baseline: every event of a pulldown-cmark parse with the extractor's options.
fn bare_parse(text: &str) -> usize {
    pulldown_cmark::Parser::new_ext(text, matrix_spec_examples::markdown_options()).into_offset_iter().count()
}

/// docutils' time to parse `path` into a doctree (median of 5), if Python has docutils.
fn docutils_time(path: &Path) -> Option<Duration> {
    const SCRIPT: &str = "import sys, time, statistics\n\
        from docutils.core import publish_doctree\n\
        text = open(sys.argv[1], encoding='utf-8').read()\n\
        quiet = {'report_level': 5, 'halt_level': 5}\n\
        def once():\n    t = time.perf_counter(); publish_doctree(text, settings_overrides=quiet); \
        return time.perf_counter() - t\n\
        once()\n\
        print(statistics.median(once() for _ in range(5)))\n";
    let output = Command::new("python3").args(["-c", SCRIPT]).arg(path).output().ok()?;
    let seconds: f64 = String::from_utf8(output.stdout).ok()?.trim().parse().ok()?;
    output.status.success().then(|| Duration::from_secs_f64(seconds))
}

/// The median time of one call of each function, sampled for [`SAMPLE_TIME`]
/// after a warm-up. Calls alternate, so that a noisy neighbour slows all alike
/// and the ratio between them holds.
fn median_times<const N: usize>(fs: [&dyn Fn() -> usize; N]) -> [Duration; N] {
    for f in fs {
        black_box(f());
    }
    let mut samples: [Vec<Duration>; N] = std::array::from_fn(|_| Vec::new());
    let start = Instant::now();
    while start.elapsed() < SAMPLE_TIME || samples[0].len() < 10 {
        for (f, samples) in fs.iter().zip(&mut samples) {
            let t = Instant::now();
            black_box(f());
            samples.push(t.elapsed());
        }
    }
    samples.map(|mut s| {
        s.sort();
        s[s.len() / 2]
    })
}

fn human(d: Duration) -> String {
    match d.as_secs_f64() {
        s if s < 1e-3 => format!("{:.1} µs", s * 1e6),
        s => format!("{:.1} ms", s * 1e3),
    }
}

/// Our time against the baseline's, in the words the targets use.
fn compare(ours: Duration, baseline: Duration) -> String {
    let ratio = ours.as_secs_f64() / baseline.as_secs_f64();
    if ratio >= 1.0 { format!("{ratio:.2}× its time") } else { format!("{:.0}× faster", 1.0 / ratio) }
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
