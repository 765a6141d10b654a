//! matrix-uia against Ruma (`ruma-client-api`'s `uiaa` types) on the same
//! spec bodies: parse from bytes and serialize to a `Vec`, with both.
//!
//! Before anything is timed, both libraries parse every body (a body that
//! Ruma rejects is reported, and only matrix-uia is timed on it), the written
//! bodies are compared with the input, and a few small checks of how the two
//! differ are printed as "observations".
//!
//! Criterion runs first. Then the summary table is measured in the same run:
//! the four functions of a body (two parses, two serializations) are timed in
//! batches, taking turns so that the machine's noise hits them alike, and the
//! median of the batches is kept. Criterion's own medians follow as a
//! cross-check.
//!
//! ```text
//! cargo bench --manifest-path xtask/ruma-compare/Cargo.toml             # criterion, then the table (~1 min)
//! cargo bench --manifest-path xtask/ruma-compare/Cargo.toml -- password # only the bodies matching a filter
//! RUMA_COMPARE_SUMMARY_ONLY=1 cargo bench --manifest-path xtask/ruma-compare/Cargo.toml   # the table alone
//! ```
//!
//! For a profiler, `RUMA_COMPARE_PROFILE=<body>/<function>` runs that one
//! function (`ITERS` times, 20 000 by default) and nothing else:
//!
//! ```text
//! RUMA_COMPARE_PROFILE=seed_401_errcode/uia_parse valgrind --tool=callgrind \
//!     xtask/ruma-compare/target/release/deps/compare-<hash> --bench
//! ```

#[path = "../../../crates/matrix-uia/benches/support/harness.rs"]
mod harness;

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use harness::{CriterionMedians, Op, Run, Timing, bench_group, example, interleaved, mbps};
use matrix_uia as uia;
use ruma_client_api::uiaa as ruma;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

const SEED_401: &str =
    "client_server_api/user-interactive-authentication-api/user-interactive-api-in-the-rest-api/4.json";
const PASSWORD: &str = "client_server_api.v1/authentication-types/password-based/2.json";
const TERMS_401: &str = "client_server_api.v1/authentication-types/terms-of-service-at-registration/3.json";

/// matrix-uia, through serde like Ruma, must reach at least this share of
/// Ruma's throughput on the headline bodies: parity is the aim, not a lead.
const TARGET: f64 = 0.9;

/// Criterion's warm-up for every group (the rest of its settings are the
/// harness's): short, so that the whole run stays near a minute.
const WARM_UP: Duration = Duration::from_millis(400);

/// The functions timed for every body; `uia_*` and `ruma_*` pair up.
const UIA_PARSE: &str = "uia_parse";
const RUMA_PARSE: &str = "ruma_parse";
const UIA_SER: &str = "uia_serialize";
const RUMA_SER: &str = "ruma_serialize";

/// How a library is called to read and write a body.
struct Api<T> {
    parse: fn(&[u8]) -> Option<T>,
    write: fn(&T) -> Vec<u8>,
}

/// serde_json's `from_slice` and `to_vec`: how both libraries' types are
/// read and written (matrix-uia's `from_http`, `to_json_bytes` and typed
/// `params` are these calls).
fn serde_api<T: DeserializeOwned + Serialize>() -> Api<T> {
    Api { parse: |bytes| serde_json::from_slice(bytes).ok(), write: |value| serde_json::to_vec(value).unwrap_or_default() }
}

/// One body and what is measured on it.
struct Case {
    /// The criterion group, and the row of the summary.
    group: &'static str,
    /// Where the body comes from.
    source: &'static str,
    uia_ty: &'static str,
    ruma_ty: &'static str,
    bytes: &'static [u8],
    /// Whether the row counts toward the ≥ 0.9× target.
    headline: bool,
    ops: Vec<Op>,
    /// Said of the body before timing: rejections, round-trip differences.
    checks: Vec<String>,
}

/// `params["m.login.terms"]` of the terms 401, written as the examples are
/// (pretty-printed, 2-space indent, keys in their order).
fn terms_params(terms_401: &[u8]) -> &'static [u8] {
    let body: Value = serde_json::from_slice(terms_401).expect("the terms 401 is JSON");
    let params = body["params"]["m.login.terms"].clone();
    assert!(params.is_object(), "the terms 401 has no params[\"m.login.terms\"] object");
    let bytes = serde_json::to_vec_pretty(&params).expect("serializes");
    Box::leak(bytes.into_boxed_slice())
}

/// `body` without its top-level `params`, pretty-printed as the examples are.
fn without_params(body: &[u8]) -> &'static [u8] {
    let mut body: Value = serde_json::from_slice(body).expect("the body is JSON");
    body.as_object_mut().expect("an object").remove("params").expect("a body with params");
    Box::leak(serde_json::to_vec_pretty(&body).expect("serializes").into_boxed_slice())
}

/// The paths at which `written` differs from `original`, at most a few.
fn differences(original: &Value, written: &Value) -> Vec<String> {
    fn walk(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
        match (a, b) {
            (Value::Object(a), Value::Object(b)) => {
                for (key, va) in a {
                    let at = format!("{path}.{key}");
                    match b.get(key) {
                        Some(vb) => walk(&at, va, vb, out),
                        None => out.push(format!("`{at}` dropped")),
                    }
                }
                for (key, vb) in b {
                    if !a.contains_key(key) {
                        out.push(format!("`{path}.{key}` added as {vb}"));
                    }
                }
            }
            (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
                for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                    walk(&format!("{path}[{i}]"), va, vb, out);
                }
            }
            _ if a == b => {}
            _ => out.push(format!("`{path}` {a} written as {b}")),
        }
    }
    let mut out = Vec::new();
    walk("", original, written, &mut out);
    out
}

/// Parse `bytes` as `T` through `api`, check what it writes back, and return
/// the parse and serialize functions. `Err` when `T` rejects the body.
fn lib_ops<T: 'static>(
    lib: &str,
    (parse, serialize): (&'static str, &'static str),
    api: Api<T>,
    bytes: &'static [u8],
    checks: &mut Vec<String>,
) -> Result<[Op; 2], String> {
    let ty = std::any::type_name::<T>();
    let typed: T = (api.parse)(bytes).ok_or_else(|| format!("{lib} ({ty}) REJECTS the body"))?;
    let original: Value = serde_json::from_slice(bytes).expect("the body is JSON");
    let written = (api.write)(&typed);
    let diff = differences(&original, &serde_json::from_slice(&written).expect("writes JSON"));
    if diff.is_empty() {
        checks
            .push(format!("{lib}: parses; writes back the same document ({} bytes, compact)", written.len()));
    } else {
        checks.push(format!(
            "{lib}: parses; writes back a DIFFERENT document ({} bytes): {}",
            written.len(),
            diff.join("; ")
        ));
    }
    Ok([
        Op::new(parse, move |n| {
            for _ in 0..n {
                black_box((api.parse)(black_box(bytes)));
            }
        }),
        Op::new(serialize, move |n| {
            for _ in 0..n {
                black_box((api.write)(black_box(&typed)));
            }
        }),
    ])
}

/// A body parsed as `U` (matrix-uia) and `R` (Ruma). matrix-uia must parse
/// it; a body Ruma rejects is said so loudly and timed with matrix-uia alone.
fn case<U, R>(
    group: &'static str,
    source: &'static str,
    (uia_ty, ruma_ty): (&'static str, &'static str),
    bytes: &'static [u8],
    headline: bool,
) -> Case
where
    U: DeserializeOwned + Serialize + 'static,
    R: DeserializeOwned + Serialize + 'static,
{
    let mut checks = Vec::new();
    let [uia_parse, uia_ser] = lib_ops("matrix-uia", (UIA_PARSE, UIA_SER), serde_api::<U>(), bytes, &mut checks)
        .unwrap_or_else(|e| panic!("{group}: {e}"));
    let mut ops = vec![uia_parse, uia_ser];
    match lib_ops("Ruma", (RUMA_PARSE, RUMA_SER), serde_api::<R>(), bytes, &mut checks) {
        Ok([parse, ser]) => ops.extend([parse, ser]),
        Err(e) => {
            eprintln!("\nERROR: {group}: {e}\n  -> only matrix-uia is timed on this body.\n");
            checks.push(format!("{e}; only matrix-uia is timed"));
        }
    }
    Case { group, source, uia_ty, ruma_ty, bytes, headline, ops, checks }
}

fn cases() -> Vec<Case> {
    let seed = example(SEED_401);
    let password = example(PASSWORD);
    let terms_401 = example(TERMS_401);
    let terms = terms_params(terms_401);

    let mut terms_401_case = case::<uia::UiaaInfo, ruma::UiaaInfo>(
        "terms_401",
        "Terms of service at registration, 3 (whole 401)",
        ("UiaaInfo", "UiaaInfo"),
        terms_401,
        false,
    );
    // What a client does with the terms 401: parse it, then read the typed params.
    let uia_info: uia::UiaaInfo = serde_json::from_slice(terms_401).expect("parses");
    let uia_policies = uia_info.params::<uia::TermsParams>().expect("params").expect("typed params");
    match serde_json::from_slice::<ruma::UiaaInfo>(terms_401).map_err(|e| e.to_string()).and_then(|info| {
        info.params::<ruma::LoginTermsParams>(&ruma::AuthType::Terms).map_err(|e| e.to_string())
    }) {
        Ok(Some(ruma_policies)) => {
            assert_eq!(
                uia_policies.policies.keys().collect::<Vec<_>>(),
                ruma_policies.policies.keys().collect::<Vec<_>>(),
                "the two read different policies"
            );
            terms_401_case.ops.push(Op::new("uia_parse+params", move |n| {
                for _ in 0..n {
                    let info = serde_json::from_slice::<uia::UiaaInfo>(black_box(terms_401)).ok();
                    black_box(info.and_then(|i| i.params::<uia::TermsParams>()?.ok()));
                }
            }));
            terms_401_case.ops.push(Op::new("ruma_parse+params", move |n| {
                for _ in 0..n {
                    let info = serde_json::from_slice::<ruma::UiaaInfo>(black_box(terms_401)).ok();
                    black_box(
                        info.and_then(|i| i.params::<ruma::LoginTermsParams>(&ruma::AuthType::Terms).ok()?),
                    );
                }
            }));
        }
        Ok(None) => terms_401_case.checks.push("Ruma: UiaaInfo::params found no m.login.terms params".into()),
        Err(e) => terms_401_case.checks.push(format!("Ruma: the terms params do not parse: {e}")),
    }

    vec![
        case::<uia::UiaaInfo, ruma::UiaaInfo>(
            "seed_401_errcode",
            "UIA API in the REST API, 4 (401 with errcode)",
            ("UiaaInfo", "UiaaInfo"),
            seed,
            true,
        ),
        case::<uia::AuthData, ruma::AuthData>(
            "password",
            "Password-based, 2 (auth dict with identifier)",
            ("AuthData", "AuthData"),
            password,
            true,
        ),
        case::<uia::TermsParams, ruma::LoginTermsParams>(
            "terms_params",
            "Terms of service at registration, 3: params[\"m.login.terms\"]",
            ("TermsParams", "LoginTermsParams"),
            terms,
            false,
        ),
        terms_401_case,
        // The 401 with errcode, less its params: the rest of the body, where
        // the two libraries do the same work.
        case::<uia::UiaaInfo, ruma::UiaaInfo>(
            "seed_401_no_params",
            "UIA API in the REST API, 4, without `params`",
            ("UiaaInfo", "UiaaInfo"),
            without_params(seed),
            false,
        ),
    ]
}

/// What `T` makes of `json`: the document it writes back, or its error.
fn round_trip<T: DeserializeOwned + Serialize>(json: &str) -> String {
    match serde_json::from_str::<T>(json) {
        Ok(typed) => serde_json::to_string(&typed).expect("serializes"),
        Err(e) => format!("rejected ({e})"),
    }
}

/// Small checks of where the two libraries differ, each run here and now.
fn observations(terms_params: &[u8]) -> String {
    let mut out =
        String::from("Observations (each checked in this run; input → what each library writes back):\n");
    let mut item = |title: &str, input: &str, uia: String, ruma: String| {
        let _ = writeln!(
            out,
            "\n- {title}\n    input:      {input}\n    matrix-uia: {uia}\n    Ruma:       {ruma}"
        );
    };

    let no_session =
        r#"{"type":"m.login.password","identifier":{"type":"m.id.user","user":"@a:x"},"password":"p"}"#;
    item(
        "password dict without `session`",
        no_session,
        round_trip::<uia::AuthData>(no_session),
        round_trip::<ruma::AuthData>(no_session),
    );

    let unknown = r#"{"type":"m.login.password","identifier":{"type":"m.id.user","user":"@a:x","org.example.id":1},"password":"p","session":"s","org.example.flag":true}"#;
    item(
        "unknown keys in an auth dict and its identifier",
        unknown,
        round_trip::<uia::AuthData>(unknown),
        round_trip::<ruma::AuthData>(unknown),
    );

    let legacy = r#"{"type":"m.login.password","user":"@a:x","password":"p","session":"s"}"#;
    item(
        "legacy password dict (top-level `user`, early spec)",
        legacy,
        round_trip::<uia::AuthData>(legacy),
        round_trip::<ruma::AuthData>(legacy),
    );

    let info = r#"{"flows":[{"stages":["m.login.dummy"],"org.example.hint":"x"}],"completed":[],"session":"s","org.example.note":"y"}"#;
    item(
        "401 with `completed: []` and unknown keys",
        info,
        round_trip::<uia::UiaaInfo>(info),
        round_trip::<ruma::UiaaInfo>(info),
    );

    let error_only =
        r#"{"flows":[{"stages":["m.login.password"]}],"error":"Invalid password","session":"s"}"#;
    item(
        "401 with `error` but no `errcode`",
        error_only,
        round_trip::<uia::UiaaInfo>(error_only),
        round_trip::<ruma::UiaaInfo>(error_only),
    );

    let limited =
        r#"{"errcode":"M_LIMIT_EXCEEDED","error":"Too many","retry_after_ms":2000,"flows":[],"session":"s"}"#;
    item(
        "401 with a code-specific key (`retry_after_ms`)",
        limited,
        round_trip::<uia::UiaaInfo>(limited),
        round_trip::<ruma::UiaaInfo>(limited),
    );

    let odd_policy =
        r#"{"policies":{"privacy":{"version":"1","en":{"name":"Privacy","url":"https://x/p"},"foo":"bar"}}}"#;
    item(
        "terms policy with a key that is not a translation",
        odd_policy,
        round_trip::<uia::TermsParams>(odd_policy),
        round_trip::<ruma::LoginTermsParams>(odd_policy),
    );

    let params_401 = r#"{"flows":[{"stages":["m.login.terms"]}], "params": { "m.login.terms" : {"policies": {}} },"session":"s"}"#;
    item(
        "401 `params` (whitespace inside)",
        params_401,
        round_trip::<uia::UiaaInfo>(params_401),
        round_trip::<ruma::UiaaInfo>(params_401),
    );

    // Key order of the terms params: matrix-uia's map is sorted, as is Ruma's.
    let text = std::str::from_utf8(terms_params).expect("UTF-8");
    let _ = writeln!(
        out,
        "\n- the terms params body timed here ({} bytes) writes back as {} bytes (matrix-uia) and {} bytes (Ruma); `version` first in the input, {} in matrix-uia's output, {} in Ruma's",
        text.len(),
        round_trip::<uia::TermsParams>(text).len(),
        round_trip::<ruma::LoginTermsParams>(text).len(),
        position_of_version(&round_trip::<uia::TermsParams>(text)),
        position_of_version(&round_trip::<ruma::LoginTermsParams>(text)),
    );
    out
}

/// Whether `"version"` comes before or after the translations in a written policy.
fn position_of_version(written: &str) -> &'static str {
    match (written.find("\"version\""), written.find("\"en\"")) {
        (Some(v), Some(en)) if v < en => "first",
        (Some(_), Some(_)) => "after the translations",
        _ => "absent",
    }
}

fn run_criterion(c: &mut Criterion, cases: &[Case]) {
    for case in cases {
        bench_group(c, case.group, WARM_UP, Some(case.bytes.len()), &case.ops);
    }
}

/// The speed-up of matrix-uia over Ruma, and whether it misses the target.
fn ratio_cell(ratio: Option<f64>, headline: bool) -> String {
    match ratio {
        Some(r) if headline && r < TARGET => format!("**{r:.2}×** (MISS)"),
        Some(r) => format!("{r:.2}×"),
        None => "–".to_owned(),
    }
}

fn summary(cases: &[&Case]) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut notes = String::new();
    let mut misses = Vec::new();
    let w = &mut out;
    let _ = writeln!(w, "{}", harness::summary_title());
    let _ = writeln!(
        w,
        "MB/s = 10^6 bytes/s of the input body (pretty-printed, 2-space indent), for parse and serialize alike;"
    );
    let _ = writeln!(
        w,
        "uia/Ruma = matrix-uia's throughput over Ruma's (target ≥ {TARGET:.2}× on the rows marked *).\n"
    );
    let _ = writeln!(
        w,
        "| body | matrix-uia type | Ruma type | bytes | parse uia | parse Ruma | parse uia/Ruma | ser uia | ser Ruma | ser uia/Ruma |"
    );
    let _ = writeln!(w, "|---|---|---|--:|--:|--:|--:|--:|--:|--:|");
    for case in cases {
        let samples = interleaved(&case.ops.iter().collect::<Vec<_>>());
        let find = |name: &str| case.ops.iter().position(|op| op.name == name).map(|i| &samples[i]);
        let median = |name: &str| find(name).map(|s| Timing::of(s).median);
        let cell = |name: &str| {
            median(name)
                .map_or_else(|| "–".to_owned(), |ns| format!("{:.0} MB/s", mbps(case.bytes.len(), ns)))
        };
        // The ratio of the medians, and the spread of the round-by-round ratios.
        let ratio = |uia: &str, ruma: &str| -> Option<(f64, Timing)> {
            let (u, r) = (find(uia)?, find(ruma)?);
            let paired: Vec<f64> = u.iter().zip(r).map(|(u, r)| r / u).collect();
            Some((Timing::of(r).median / Timing::of(u).median, Timing::of(&paired)))
        };
        let parse = ratio(UIA_PARSE, RUMA_PARSE);
        let ser = ratio(UIA_SER, RUMA_SER);
        let _ = writeln!(
            w,
            "| {}{} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            case.group,
            if case.headline { " *" } else { "" },
            case.uia_ty,
            case.ruma_ty,
            case.bytes.len(),
            cell(UIA_PARSE),
            cell(RUMA_PARSE),
            ratio_cell(parse.map(|p| p.0), case.headline),
            cell(UIA_SER),
            cell(RUMA_SER),
            ratio_cell(ser.map(|s| s.0), case.headline),
        );
        for (what, r) in [("parse", parse), ("serialize", ser)] {
            if let Some((ratio, Timing { q1, median: q2, q3 })) = r {
                if case.headline && ratio < TARGET {
                    misses.push(format!("{} {what}: {ratio:.2}×", case.group));
                }
                let _ = writeln!(
                    notes,
                    "{} {what}: matrix-uia {:.0} ns, Ruma {:.0} ns; round-by-round ratio {q2:.2}× (IQR {q1:.2}–{q3:.2}×)",
                    case.group,
                    median(if what == "parse" { UIA_PARSE } else { UIA_SER }).unwrap_or(f64::NAN),
                    median(if what == "parse" { RUMA_PARSE } else { RUMA_SER }).unwrap_or(f64::NAN),
                );
            } else if find(RUMA_PARSE).is_none() {
                let _ = writeln!(notes, "{} {what}: Ruma rejected the body; matrix-uia alone", case.group);
            }
        }
        if let (Some(u), Some(r)) = (median("uia_parse+params"), median("ruma_parse+params")) {
            let _ = writeln!(
                notes,
                "{} parse + typed terms params: matrix-uia {:.0} ns, Ruma {:.0} ns: {:.2}× ({:.0} vs {:.0} MB/s)",
                case.group,
                u,
                r,
                r / u,
                mbps(case.bytes.len(), u),
                mbps(case.bytes.len(), r)
            );
        }
    }
    let _ = writeln!(out, "\n{notes}");
    (out, misses)
}

/// Criterion's medians of this run, read back from its output directory.
fn criterion_medians(cases: &[&Case], medians: &CriterionMedians) -> Option<String> {
    let mut out = String::from(
        "Criterion medians of this run (ns/iter):\n\n| body | uia_parse | ruma_parse | parse uia/Ruma | uia_serialize | ruma_serialize | ser uia/Ruma |\n|---|--:|--:|--:|--:|--:|--:|\n",
    );
    let mut any = false;
    for case in cases {
        let v: Vec<Option<f64>> =
            [UIA_PARSE, RUMA_PARSE, UIA_SER, RUMA_SER].iter().map(|op| medians.get(case.group, op)).collect();
        if v.iter().all(Option::is_none) {
            continue;
        }
        any = true;
        let ns = |x: Option<f64>| x.map_or_else(|| "–".to_owned(), |x| format!("{x:.0}"));
        let ratio = |u: Option<f64>, r: Option<f64>| u.zip(r).map(|(u, r)| r / u);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            case.group,
            ns(v[0]),
            ns(v[1]),
            ratio_cell(ratio(v[0], v[1]), case.headline),
            ns(v[2]),
            ns(v[3]),
            ratio_cell(ratio(v[2], v[3]), case.headline),
        );
    }
    any.then_some(out)
}

fn main() {
    let run = Run::new("RUMA_COMPARE_SUMMARY_ONLY");

    println!(
        "matrix-uia {} (path) against ruma-client-api {} (uiaa), serde_json {}",
        env!("UIA_VERSION"),
        env!("RUMA_VERSION"),
        env!("SERDE_JSON_VERSION")
    );
    let cases = cases();
    let ops = cases.iter().flat_map(|case| case.ops.iter().map(move |op| (format!("{}/{}", case.group, op.name), op)));
    if harness::profile("RUMA_COMPARE_PROFILE", ops) {
        return;
    }
    println!("\nBefore timing, every body was parsed by both and written back:");
    for case in &cases {
        println!("\n{} ({}, {} bytes):", case.group, case.source, case.bytes.len());
        for check in &case.checks {
            println!("  {check}");
        }
    }
    println!("\n{}", observations(cases[2].bytes));

    run.criterion(|criterion| run_criterion(criterion, &cases));
    if !run.benchmarking {
        return;
    }

    let selected = harness::selected(&cases, |case| {
        case.ops.iter().map(|op| format!("{}/{}", case.group, op.name)).collect()
    });
    let (table, misses) = summary(&selected);
    println!("{table}");
    if let Some(medians) = run.criterion_medians()
        && let Some(table) = criterion_medians(&selected, &medians)
    {
        println!("{table}");
    }
    println!(
        "Not targets: terms_params and terms_401, on which matrix-uia keeps what Ruma drops (a policy's keys \
         that are not translations, unknown keys); seed_401_no_params, the 401 less its `params`, which \
         shows what the params cost. matrix-uia walks `params` a second time when it reads a 401, to refuse \
         a key repeated at any depth and a lone surrogate escape; Ruma keeps them unchecked."
    );
    if misses.is_empty() {
        println!("Target met: matrix-uia is ≥ {TARGET:.2}× Ruma on every headline body and operation.");
    } else {
        println!("Target MISSED (matrix-uia < {TARGET:.2}× Ruma): {}", misses.join(", "));
    }
    run.print_duration();
}
