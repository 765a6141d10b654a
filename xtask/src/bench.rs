//! `cargo xtask bench-extract [FILE…]`: extraction speed and memory, with a
//! baseline measured in the same run.
//!
//! For each file: time per extraction and MB/s, against a like-for-like
//! baseline on the same text in the same run, which reads the same input and
//! keeps nothing: for Markdown a bare pulldown-cmark parse with the same
//! options, for RST a bare line scan in Rust that finds where code blocks
//! open. For RST, docutils building its document tree (what the spec was
//! built with) is printed beside, when Python has it (`pip install
//! docutils`): another job (the whole grammar, a tree), a reference for scale
//! and not a baseline.
//! Then a 50 MB document of each format, for throughput at scale against the
//! same baseline, and peak memory.
//! A debug build re-runs itself in release: numbers from a debug build mislead.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use matrix_spec_examples::{Format, extract};

use crate::examples::spec_files;

/// How long each measurement of a spec file samples.
const SAMPLE_TIME: Duration = Duration::from_millis(700);
/// Size of the synthetic large documents, and how many times each is timed.
const LARGE: usize = 50 * 1024 * 1024;
const LARGE_SAMPLES: usize = 5;

/// What each side does, printed above the figures so that no ratio is read as
/// more than it is.
const LEGEND: &str = "\
extraction: every code block found, its section titles and id, its text copied and
  dedented, and classified (HTTP head read, JSON body parsed)
baseline, on the same text in the same run, reading it all and keeping nothing:
  .md:  a bare pulldown-cmark parse with the extractor's options (every event)
  .rst: a bare line scan in Rust (every line; `.. <code directive>::` and `::` markers found)
docutils (.rst): publish_doctree, the whole RST grammar into a document tree: another
  job, for scale only (median of 5 in Python)";

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    if cfg!(debug_assertions) {
        return rerun_in_release(args);
    }
    let files: Vec<PathBuf> = match args {
        [] => spec_files(&crate::project_root())?,
        files => files.iter().map(PathBuf::from).collect(),
    };
    outln!("{LEGEND}\n");
    outln!(
        "{:<36} {:>7} {:>6} {:>10} {:>7}  {:>10} {:>15}  {:>10} {:>12}",
        "file",
        "KiB",
        "blocks",
        "time/file",
        "MB/s",
        "baseline",
        "vs. baseline",
        "docutils",
        "vs. docutils"
    );
    for path in &files {
        bench_file(path)?;
    }
    outln!();
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

/// The like-for-like baseline of `format`: its name and the function.
fn baseline(format: Format) -> (&'static str, fn(&str) -> usize) {
    match format {
        Format::Markdown => ("bare pulldown-cmark", bare_parse),
        Format::Rst => ("bare line scan", bare_rst_scan),
    }
}

fn extracted(text: &str, format: Format) -> usize {
    extract(text, format).map(|e| e.len()).unwrap_or_default()
}

fn bench_file(path: &Path) -> Result<(), String> {
    let (text, format) = read(path)?;
    let blocks = extract(&text, format).map_err(|e| e.display_in(path))?.len();
    let (_, bare) = baseline(format);
    let [ours, base] =
        median_times([&|| extracted(black_box(&text), format), &|| bare(black_box(&text))], SAMPLE_TIME, 10);
    let docutils = match format {
        Format::Rst => match docutils_time(path) {
            Some(t) => format!("{:>10} {:>12}", human(t), compare(ours, t)),
            None => format!("{:>23}", "not installed"),
        },
        Format::Markdown => format!("{:>10} {:>12}", "–", "–"),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    outln!(
        "{name:<36} {:>7.1} {blocks:>6} {:>10} {:>7.1}  {:>10} {:>15}  {docutils}",
        text.len() as f64 / 1024.0,
        human(ours),
        mb_per_s(text.len(), ours),
        human(base),
        compare(ours, base),
    );
    Ok(())
}

/// One 50 MB document made of copies of the file: throughput at scale
/// against the same baseline, and the peak resident memory it costs.
fn bench_large(path: &Path) -> Result<(), String> {
    let (text, format) = read(path)?;
    let copies = LARGE.div_ceil(text.len().max(1));
    let large = text.repeat(copies);
    let (base_name, bare) = baseline(format);
    // No minimum sampling time: a few runs of each, alternating, the median kept.
    let [ours, base] =
        median_times([&|| extracted(&large, format), &|| bare(&large)], Duration::ZERO, LARGE_SAMPLES);
    let blocks = extracted(&large, format);
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    outln!(
        "{name} ×{copies} ({:.0} MB): {blocks} blocks in {}, {:.1} MB/s; {base_name} {} ({:.0} MB/s): {}; \
         peak RSS so far {}",
        large.len() as f64 / 1e6,
        human(ours),
        mb_per_s(large.len(), ours),
        human(base),
        mb_per_s(large.len(), base),
        compare(ours, base),
        peak_rss().unwrap_or_else(|| "unknown".to_owned()),
    );
    Ok(())
}

/// The Markdown baseline: every event of a pulldown-cmark parse with the extractor's options.
fn bare_parse(text: &str) -> usize {
    pulldown_cmark::Parser::new_ext(text, matrix_spec_examples::markdown_options()).into_offset_iter().count()
}

/// The directives the RST extractor reads as code, as the baseline looks for them.
const CODE_DIRECTIVES: &[&str] = &["code::", "code-block::", "sourcecode::", "parsed-literal::"];

/// The RST baseline: the least any code-block scanner does, one pass over
/// the lines finding the lines that open a block (a code directive, or a
/// paragraph ending in `::`). It follows no titles, comments or nesting and
/// copies nothing: the gap to extraction is what those cost.
fn bare_rst_scan(text: &str) -> usize {
    text.split('\n')
        .filter(|line| {
            let line = line.trim_start_matches([' ', '\t']);
            let directive = line.strip_prefix(".. ").map(str::trim_start);
            directive.is_some_and(|d| CODE_DIRECTIVES.iter().any(|c| d.starts_with(c)))
                || line.trim_end().ends_with("::")
        })
        .count()
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

/// The median time of one call of each function, over at least `min_samples`
/// calls and `sample_time`, after a warm-up call (which also pays for the
/// allocator's first touch of the pages). Calls alternate, so that a noisy
/// neighbour slows all alike and the ratio between them holds.
fn median_times<const N: usize>(
    fs: [&dyn Fn() -> usize; N],
    sample_time: Duration,
    min_samples: usize,
) -> [Duration; N] {
    for f in fs {
        black_box(f());
    }
    let mut samples: [Vec<Duration>; N] = std::array::from_fn(|_| Vec::new());
    let start = Instant::now();
    while start.elapsed() < sample_time || samples[0].len() < min_samples {
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
        s if s < 1.0 => format!("{:.1} ms", s * 1e3),
        s => format!("{s:.2} s"),
    }
}

/// Our time against the other's: how many times its time, or how many times faster.
fn compare(ours: Duration, other: Duration) -> String {
    let ratio = ours.as_secs_f64() / other.as_secs_f64();
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
    outln!("(debug build: re-running in release)");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(["run", "--release", "--quiet", "--package", "xtask", "--", "bench-extract"])
        .args(args)
        .current_dir(crate::project_root())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("release benchmark failed: {status}")) }
}

#[cfg(test)]
mod tests {
    use super::bare_rst_scan;

    #[test]
    fn the_bare_rst_scan_finds_the_lines_that_open_code_blocks() {
        let text = "Title\n=====\n\n.. code:: json\n\n  {}\n\n.. note::\n\nA paragraph::\n\n  literal\n\n\
                    - item ::\n\n    nested\n\n  .. code-block::\n\n    x\n";
        // `.. note::` ends in `::` too: the scan finds markers, it does not parse.
        assert_eq!(bare_rst_scan(text), 5);
    }
}
