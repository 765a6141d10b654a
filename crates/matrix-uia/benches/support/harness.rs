//! The timing harness shared by the benchmarks that print a summary table
//! after Criterion: `crates/matrix-uia/benches/model.rs` and
//! `xtask/ruma-compare/benches/compare.rs` (a workspace of its own, which
//! includes this file by path).
//!
//! Each bench keeps its cases, its tables and what it concludes; this file
//! holds what does not depend on them:
//!
//! - [`Op`], a named function timed over `n` iterations, and [`timed`];
//! - the Criterion groups ([`bench_group`]) with the settings every group uses;
//! - the summary measurement ([`interleaved`], [`Timing`]): every function of a
//!   body timed again in batches, the functions taking turns so that the
//!   machine's noise hits them alike, and the median of the batches kept;
//! - a run's mode ([`Run`]): whether we benchmark at all, the `*_SUMMARY_ONLY`
//!   switch, Criterion's positional filter, and Criterion's own medians of this
//!   run read back from its output directory as a cross-check.
//!
//! Only std, criterion and serde_json: what both benches already depend on.

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use criterion::{Criterion, Throughput};
use serde_json::Value;

/// The spec's example bodies. Both benches sit two folders below the
/// repository root (`crates/matrix-uia`, `xtask/ruma-compare`).
const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../generated/examples/");

/// Criterion's settings for every group: 2 cores and a noisy VM, so short
/// measurements, and few enough samples that a whole run stays within a
/// couple of minutes. Each bench picks its own (short) warm-up.
const MEASUREMENT: Duration = Duration::from_millis(2000);
const SAMPLES: usize = 50;

/// The summary: how many rounds (each runs every function of a body once, in
/// a rotating order) and how long one timed batch lasts.
const ROUNDS: usize = 801;
const BATCH: Duration = Duration::from_micros(300);

/// One timed function: runs its operation `n` times.
pub struct Op {
    /// The Criterion function id, and the name the summary looks it up by.
    pub name: &'static str,
    run: Box<dyn Fn(u64)>,
}

impl Op {
    pub fn new(name: &'static str, run: impl Fn(u64) + 'static) -> Self {
        Op { name, run: Box::new(run) }
    }
}

/// The wall time of `iters` iterations of `op`.
pub fn timed(op: &Op, iters: u64) -> Duration {
    let start = Instant::now();
    (op.run)(iters);
    start.elapsed()
}

/// The bytes of the spec example at `path` (below `generated/examples/`),
/// leaked so that the timed closures can hold them.
/// For a profiler: when `var` is set to `<group>/<function>`, run that one
/// function (`ITERS` times, 20 000 by default) and nothing else, print its
/// time, and return `true`. `ops` are the functions by `<group>/<function>`.
pub fn profile<'a>(var: &str, ops: impl IntoIterator<Item = (String, &'a Op)>) -> bool {
    let Some(target) = std::env::var_os(var) else { return false };
    let target = target.to_string_lossy();
    let iters = std::env::var("ITERS").ok().and_then(|n| n.parse().ok()).unwrap_or(20_000);
    let op =
        ops.into_iter().find(|(id, _)| *id == target).unwrap_or_else(|| panic!("no function {target}")).1;
    let took = timed(op, iters);
    println!("{target}: {iters} iterations, {:.0} ns each", took.as_nanos() as f64 / iters as f64);
    true
}

pub fn example(path: &str) -> &'static [u8] {
    let path = format!("{EXAMPLES}{path}");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    Box::leak(bytes.into_boxed_slice())
}

/// One Criterion group of `ops`, with the settings every group uses, timed
/// through [`timed`] as the summary is. `bytes`, when given, is the
/// throughput of one iteration.
pub fn bench_group<'a>(
    c: &mut Criterion,
    name: impl Into<String>,
    warm_up: Duration,
    bytes: Option<usize>,
    ops: impl IntoIterator<Item = &'a Op>,
) {
    let mut group = c.benchmark_group(name);
    group.warm_up_time(warm_up).measurement_time(MEASUREMENT).sample_size(SAMPLES);
    if let Some(bytes) = bytes {
        group.throughput(Throughput::Bytes(bytes as u64));
    }
    for op in ops {
        group.bench_function(op.name, |b| b.iter_custom(|iters| timed(op, iters)));
    }
    group.finish();
}

/// The first line of a summary: how it was measured.
pub fn summary_title() -> String {
    format!("\nSummary: interleaved medians of {ROUNDS} batches of ~{}µs per function.", BATCH.as_micros())
}

/// How many iterations of `op` take about `BATCH`.
fn calibrate(op: &Op) -> u64 {
    let mut n = 1u64;
    loop {
        let elapsed = timed(op, n);
        if elapsed >= BATCH / 8 || n >= 1 << 30 {
            let per = elapsed.as_secs_f64() / n as f64;
            return ((BATCH.as_secs_f64() / per) as u64).max(1);
        }
        n *= 2;
    }
}

/// Time all `ops` together: each round runs every op once, starting from a
/// different op each round, so drift and noise are shared out evenly. Returns
/// the per-iteration times (ns) of every op, round by round (so that two ops
/// can be compared round against round).
pub fn interleaved(ops: &[&Op]) -> Vec<Vec<f64>> {
    for op in ops {
        timed(op, calibrate(op)); // warm up
    }
    let iters: Vec<u64> = ops.iter().map(|op| calibrate(op)).collect();
    let mut samples = vec![Vec::with_capacity(ROUNDS); ops.len()];
    for round in 0..ROUNDS {
        for k in 0..ops.len() {
            let i = (round + k) % ops.len();
            let elapsed = timed(ops[i], iters[i]);
            samples[i].push(elapsed.as_nanos() as f64 / iters[i] as f64);
        }
    }
    samples
}

/// The median and the first and third quartile of some samples: the median
/// is what the tables show, as a single slow batch (the machine busy
/// elsewhere) does not move it; the interquartile range says how noisy it was.
#[derive(Clone, Copy)]
pub struct Timing {
    pub median: f64,
    pub q1: f64,
    pub q3: f64,
}

impl Timing {
    pub fn of(samples: &[f64]) -> Self {
        let mut s = samples.to_vec();
        s.sort_by(f64::total_cmp);
        let at = |q: f64| s[((s.len() - 1) as f64 * q).round() as usize];
        Timing { median: at(0.5), q1: at(0.25), q3: at(0.75) }
    }
}

/// MB/s (10^6 bytes a second) of `bytes` done in `ns`.
pub fn mbps(bytes: usize, ns: f64) -> f64 {
    bytes as f64 * 1e3 / ns
}

/// What this run of the bench does, from its arguments and environment.
pub struct Run {
    /// When the run started: Criterion's results older than this are not its own.
    started: SystemTime,
    /// Whether the summary is measured at all.
    pub benchmarking: bool,
    /// Whether Criterion is skipped (and with it the cross-check).
    summary_only: bool,
}

impl Run {
    /// Start the clock; `summary_only_var` names the switch that skips
    /// Criterion (set, and neither empty nor `0`).
    pub fn new(summary_only_var: &str) -> Self {
        let started = SystemTime::now();
        let args: Vec<String> = std::env::args().collect();
        let has = |flag: &str| args.iter().any(|a| a == flag);
        // `cargo test --benches` runs this without `--bench`: criterion then runs
        // each function once as a test, and the summary is skipped.
        let benchmarking = has("--bench")
            && !has("--list")
            && !has("--test")
            && !args.iter().any(|a| a.starts_with("--profile-time"));
        let summary_only = std::env::var_os(summary_only_var).is_some_and(|v| !v.is_empty() && v != "0");
        Run { started, benchmarking, summary_only }
    }

    /// Run Criterion (configured from the command line) unless the summary alone is wanted.
    pub fn criterion(&self, bench: impl FnOnce(&mut Criterion)) {
        if !self.summary_only {
            let mut criterion = Criterion::default().configure_from_args();
            bench(&mut criterion);
            criterion.final_summary();
        }
    }

    /// Criterion's medians of this run, if Criterion ran and its output directory is found.
    pub fn criterion_medians(&self) -> Option<CriterionMedians> {
        if self.summary_only {
            return None;
        }
        let dir = match (std::env::var_os("CRITERION_HOME"), std::env::var_os("CARGO_TARGET_DIR")) {
            (Some(home), _) => PathBuf::from(home),
            (None, Some(target)) => PathBuf::from(target).join("criterion"),
            // The bench runs as `<target>/<profile>/deps/<bench>-<hash>`.
            (None, None) => std::env::current_exe().ok()?.parent()?.parent()?.parent()?.join("criterion"),
        };
        Some(CriterionMedians { dir, started: self.started })
    }

    /// Print how long the whole run took.
    pub fn print_duration(&self) {
        let took = self.started.elapsed().map_or(0.0, |d| d.as_secs_f64());
        println!("(the whole run took {took:.0} s)");
    }
}

/// The `cases` Criterion's positional filter selects: those with an id
/// (`<group>/<function>`, as `ids` lists them) that contains it. All without one.
pub fn selected<C>(cases: &[C], ids: impl Fn(&C) -> Vec<String>) -> Vec<&C> {
    let filter = filter();
    cases
        .iter()
        .filter(|case| filter.as_deref().is_none_or(|f| ids(case).iter().any(|id| id.contains(f))))
        .collect()
}

/// Criterion's positional filter, if any (its flags that take a value are skipped).
fn filter() -> Option<String> {
    const VALUED: &[&str] = &[
        "-c",
        "--color",
        "-s",
        "--save-baseline",
        "-b",
        "--baseline",
        "--baseline-lenient",
        "--format",
        "--profile-time",
        "--load-baseline",
        "--sample-size",
        "--warm-up-time",
        "--measurement-time",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--plotting-backend",
        "--output-format",
    ];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if VALUED.contains(&arg.as_str()) {
            args.next();
        } else if !arg.starts_with('-') {
            return Some(arg);
        }
    }
    None
}

/// Criterion's output directory, read back after the run.
pub struct CriterionMedians {
    dir: PathBuf,
    started: SystemTime,
}

impl CriterionMedians {
    /// The median (ns/iter) Criterion wrote for `group/function` in this run.
    pub fn get(&self, group: &str, function: &str) -> Option<f64> {
        let path = self.dir.join(group).join(function).join("new").join("estimates.json");
        if std::fs::metadata(&path).ok()?.modified().ok()? < self.started {
            return None; // not from this run
        }
        let estimates: Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
        estimates["median"]["point_estimate"].as_f64()
    }
}
