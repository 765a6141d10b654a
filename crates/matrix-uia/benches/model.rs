//! Throughput of the model on the spec's own UIA bodies.
//!
//! For each body: the typed parse (`serde_json::from_slice` into the model
//! type, the crate's one JSON path) against `serde_json::Value` (the
//! baseline) and `serde::de::IgnoredAny` (the floor: serde's fastest walk of
//! the same bytes), both serializers, and `UiaaResponse::from_http` for the
//! 401 bodies. A 401 with `params` keeps them as checked text until they are
//! read, where a `Value` has parsed them: for those bodies the typed parse is
//! also timed together with reading the params, and that figure stands beside
//! the typed parse's. The ratios are information, not targets: what a user
//! feels is the engine under load (`benches/engine.rs`), not a parse of 300 bytes.
//!
//! Criterion runs first. Then a summary table is measured in the same run and
//! printed: every function of a body is timed again in batches, the functions
//! taking turns so that the machine's noise hits them alike, and the median
//! of the batches is kept. Criterion's own medians, read back from
//! `target/criterion`, follow as a cross-check.
//!
//! ```text
//! cargo bench -p matrix-uia --bench model                 # criterion, then the tables (~2 min)
//! cargo bench -p matrix-uia --bench model -- password     # only the bodies matching a filter
//! UIA_BENCH_SUMMARY_ONLY=1 cargo bench -p matrix-uia --bench model   # the summary alone (~10 s)
//! ```
//!
//! For a profiler, `UIA_BENCH_PROFILE=<body>/<function>` runs that one
//! function (`ITERS` times, 20 000 by default) and nothing else:
//!
//! ```text
//! UIA_BENCH_PROFILE=password/typed_parse valgrind --tool=callgrind target/release/deps/model-<hash> --bench
//! ```

#[path = "support/harness.rs"]
mod harness;

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use harness::{CriterionMedians, Op, Run, Timing, bench_group, example, interleaved, mbps};
use matrix_uia::{AuthData, AuthType, StandardError, TermsParams, UiaaInfo, UiaaResponse};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde::de::IgnoredAny;
use serde_json::Value;

/// Criterion's warm-up for every group (the rest of its settings are the
/// harness's): short, so that the whole run stays near 2 minutes.
const WARM_UP: Duration = Duration::from_millis(500);

/// One spec body and what is measured on it.
struct Case {
    /// The criterion group, and the row of the summary.
    group: &'static str,
    /// The model type it parses into.
    ty: &'static str,
    bytes: &'static [u8],
    ops: Vec<Op>,
}

/// The text of `body` with its top-level `"type"` entry moved last. The
/// examples are written one top-level entry per line, indented two spaces,
/// which is all this relies on (and checks).
fn type_last(body: &[u8]) -> &'static [u8] {
    let text = std::str::from_utf8(body).expect("the example is UTF-8");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let at = lines.iter().position(|l| l.starts_with("  \"type\":")).expect("a top-level `type` line");
    let tag = lines.remove(at);
    let tag = tag.trim_end_matches(',').to_owned();
    let close = lines.iter().rposition(|l| l == "}").expect("a closing brace");
    lines[close - 1].push(',');
    lines.insert(close, tag);
    let reordered = lines.join("\n");

    let Value::Object(map) = serde_json::from_str::<Value>(&reordered).expect("reordered JSON") else {
        panic!("not an object")
    };
    assert_eq!(map.keys().next_back().map(String::as_str), Some("type"), "`type` is not last");
    assert_eq!(
        serde_json::from_str::<Value>(&reordered).ok(),
        serde_json::from_slice::<Value>(body).ok(),
        "reordering changed the body"
    );
    Box::leak(reordered.into_bytes().into_boxed_slice())
}

/// The functions every body gets: three parses and two serializations.
fn common_ops<T: DeserializeOwned + Serialize + 'static>(bytes: &'static [u8]) -> Vec<Op> {
    let typed: T = serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("{} does not parse: {e}", std::any::type_name::<T>()));
    let value: Value = serde_json::from_slice(bytes).expect("the body is JSON");
    serde_json::from_slice::<IgnoredAny>(bytes).expect("the body is JSON");
    // The typed value must write back the same document, or the serializers compare different work.
    let written: Value =
        serde_json::from_slice(&serde_json::to_vec(&typed).expect("serializes")).expect("JSON");
    assert_eq!(written, value, "{} does not round-trip", std::any::type_name::<T>());
    // Each parse is kept observable through a reference, so that what is
    // timed is the parse (and the drop), not a copy of its result.
    vec![
        Op::new("typed_parse", move |n| {
            for _ in 0..n {
                black_box(&serde_json::from_slice::<T>(black_box(bytes)));
            }
        }),
        Op::new("value_parse", move |n| {
            for _ in 0..n {
                black_box(&serde_json::from_slice::<Value>(black_box(bytes)));
            }
        }),
        Op::new("ignored_any", move |n| {
            for _ in 0..n {
                black_box(&serde_json::from_slice::<IgnoredAny>(black_box(bytes)));
            }
        }),
        Op::new("typed_serialize", move |n| {
            for _ in 0..n {
                black_box(serde_json::to_vec(black_box(&typed)).ok());
            }
        }),
        Op::new("value_serialize", move |n| {
            for _ in 0..n {
                black_box(serde_json::to_vec(black_box(&value)).ok());
            }
        }),
    ]
}

fn from_http_op(bytes: &'static [u8]) -> Op {
    let parsed = UiaaResponse::from_http(401, bytes).expect("a 401 UIA body");
    assert!(matches!(parsed, UiaaResponse::AuthRequired(_)), "not read as a UIA body");
    Op::new("from_http", move |n| {
        for _ in 0..n {
            black_box(&UiaaResponse::from_http(black_box(401), black_box(bytes)));
        }
    })
}

/// The typed parse of a 401 followed by what a client does next with its
/// `params`: `read` them. A `Value` parse has read them already.
fn typed_parse_params_op(bytes: &'static [u8], read: impl Fn(&UiaaInfo) + 'static) -> Op {
    Op::new("typed_parse_params", move |n| {
        for _ in 0..n {
            let info = serde_json::from_slice::<UiaaInfo>(black_box(bytes));
            if let Ok(info) = &info {
                read(info);
            }
            black_box(&info);
        }
    })
}

fn cases() -> Vec<Case> {
    let seed = example(
        "client_server_api/user-interactive-authentication-api/user-interactive-api-in-the-rest-api/4.json",
    );
    let password = example("client_server_api.v1/authentication-types/password-based/2.json");
    let terms = example("client_server_api.v1/authentication-types/terms-of-service-at-registration/3.json");
    let email =
        example("client_server_api/user-interactive-authentication-api/email-based-identity-server/1.json");
    let error = example("client_server_api.v1/standard-error-response/common-error-codes/1.json");
    let password_type_last = type_last(password);

    let info = |bytes| {
        let mut ops = common_ops::<UiaaInfo>(bytes);
        ops.push(from_http_op(bytes));
        ops
    };
    let auth = |bytes| common_ops::<AuthData>(bytes);

    // The terms params have a model type; the seed's are for an auth type the
    // model does not know, which a client reads from their JSON text.
    let read_terms = |info: &UiaaInfo| {
        black_box(info.params::<TermsParams>());
    };
    let custom = AuthType::from("example.type.baz");
    let read_custom = move |info: &UiaaInfo| {
        black_box(info.params_of(&custom).map(|raw| serde_json::from_str::<Value>(raw.get())));
    };
    let terms_info: UiaaInfo = serde_json::from_slice(terms).expect("the terms 401 parses");
    let policies = terms_info.params::<TermsParams>().expect("terms params").expect("typed terms params");
    assert!(policies.policies.contains_key("terms_of_service"));
    let seed_info: UiaaInfo = serde_json::from_slice(seed).expect("the seed 401 parses");
    let custom_params = seed_info.params_of(&AuthType::from("example.type.baz")).expect("params of baz");
    assert_eq!(
        serde_json::from_str::<Value>(custom_params.get()).ok(),
        Some(serde_json::json!({"example_key": "foobar"}))
    );
    let (mut seed_ops, mut terms_ops) = (info(seed), info(terms));
    seed_ops.push(typed_parse_params_op(seed, read_custom));
    terms_ops.push(typed_parse_params_op(terms, read_terms));

    let (a, b) = (
        serde_json::from_slice::<AuthData>(password).expect("password"),
        serde_json::from_slice::<AuthData>(password_type_last).expect("password, type last"),
    );
    assert_eq!(a, b, "moving `type` changed the parse");
    assert!(matches!(a, AuthData::Password(_)));
    assert!(matches!(
        serde_json::from_slice::<AuthData>(email).expect("email"),
        AuthData::EmailIdentity(ref e) if e.credentials().is_some()
    ));
    assert!(serde_json::from_slice::<UiaaInfo>(seed).expect("seed").auth_error.is_some());

    vec![
        Case { group: "seed_401_errcode", ty: "UiaaInfo", bytes: seed, ops: seed_ops },
        Case { group: "password", ty: "AuthData", bytes: password, ops: auth(password) },
        Case { group: "terms_401", ty: "UiaaInfo", bytes: terms, ops: terms_ops },
        Case { group: "email_legacy", ty: "AuthData", bytes: email, ops: auth(email) },
        Case {
            group: "standard_error",
            ty: "StandardError",
            bytes: error,
            ops: common_ops::<StandardError>(error),
        },
        Case {
            group: "password_type_last",
            ty: "AuthData",
            bytes: password_type_last,
            ops: auth(password_type_last),
        },
    ]
}

fn run_criterion(c: &mut Criterion, cases: &[Case]) {
    for case in cases {
        bench_group(c, case.group, WARM_UP, Some(case.bytes.len()), &case.ops);
    }
}

fn summary(cases: &[&Case]) -> String {
    let mut out = String::new();
    let mut notes = String::new();
    let mut worst_spread: (f64, String) = (0.0, String::new());
    let w = &mut out;
    let _ = writeln!(w, "{}", harness::summary_title());
    let _ = writeln!(w, "MB/s = 10^6 bytes/s of the body as checked in (pretty-printed, 2-space indent).");
    let _ = writeln!(w, "typed/Value = speed of typed parse over Value parse;");
    let _ = writeln!(w, "+params/Value = the same, the typed parse followed by reading the body's params");
    let _ = writeln!(w, "  (a Value parse has read them; the typed parse keeps them as checked text);");
    let _ = writeln!(w, "typed÷floor = time of typed parse over IgnoredAny.\n");
    let _ = writeln!(
        w,
        "| body | type | bytes | typed parse | Value parse | IgnoredAny | typed/Value | +params/Value | typed÷floor | typed ser | Value ser | ser typed/Value | from_http |"
    );
    let _ = writeln!(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for case in cases {
        let ops: Vec<&Op> = case.ops.iter().collect();
        let timings: Vec<Timing> = interleaved(&ops).iter().map(|s| Timing::of(s)).collect();
        let ns = |name: &str| ops.iter().position(|op| op.name == name).map(|i| &timings[i]);
        let speed = |name: &str| ns(name).map(|t| mbps(case.bytes.len(), t.median));
        let cell = |name: &str| speed(name).map_or_else(|| "–".to_owned(), |v| format!("{v:.0} MB/s"));
        for (op, t) in ops.iter().zip(&timings) {
            let spread = (t.q3 - t.q1) / t.median;
            if spread > worst_spread.0 {
                worst_spread = (spread, format!("{}/{}", case.group, op.name));
            }
        }
        let (typed, value, floor) = (ns("typed_parse"), ns("value_parse"), ns("ignored_any"));
        let (Some(typed), Some(value), Some(floor)) = (typed, value, floor) else { continue };
        let vs_value = value.median / typed.median;
        let with_params = ns("typed_parse_params");
        let params_vs_value =
            with_params.map_or_else(|| "–".to_owned(), |t| format!("{:.2}×", value.median / t.median));
        let vs_floor = typed.median / floor.median;
        let ser = match (ns("typed_serialize"), ns("value_serialize")) {
            (Some(t), Some(v)) => format!("{:.2}×", v.median / t.median),
            _ => "–".to_owned(),
        };
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {:.2}× | {} | {:.2}× | {} | {} | {} | {} |",
            case.group,
            case.ty,
            case.bytes.len(),
            cell("typed_parse"),
            cell("value_parse"),
            cell("ignored_any"),
            vs_value,
            params_vs_value,
            vs_floor,
            cell("typed_serialize"),
            cell("value_serialize"),
            ser,
            cell("from_http"),
        );
        let _ = writeln!(
            notes,
            "{}: typed parse {:.0} ns, Value {:.0} ns, IgnoredAny {:.0} ns{}",
            case.group,
            typed.median,
            value.median,
            floor.median,
            ns("from_http").map_or_else(String::new, |t| format!(
                ", from_http {:.0} ns ({:+.0}% over typed parse)",
                t.median,
                (t.median / typed.median - 1.0) * 100.0
            )),
        );
        if let Some(p) = with_params {
            let _ = writeln!(
                notes,
                "{}: typed parse then reading params {:.0} ns (the read alone ≈ {:.0} ns) vs Value parse {:.0} ns",
                case.group,
                p.median,
                p.median - typed.median,
                value.median
            );
        }
    }
    let _ = writeln!(out, "\n{notes}");
    let _ = writeln!(
        out,
        "Noise: the widest interquartile range was {:.0}% of its median ({}).",
        worst_spread.0 * 100.0,
        worst_spread.1
    );
    out
}

/// Criterion's medians of this run, read back from its output directory.
fn criterion_medians(cases: &[&Case], medians: &CriterionMedians) -> Option<String> {
    let median = |group: &str, op: &str| medians.get(group, op);
    let names = [
        "typed_parse",
        "value_parse",
        "ignored_any",
        "typed_serialize",
        "value_serialize",
        "from_http",
        "typed_parse_params",
    ];
    let mut out = String::from("Criterion medians of this run (ns/iter):\n\n| body |");
    for name in names {
        let _ = write!(out, " {name} |");
    }
    out.push_str(" typed/Value | +params/Value | typed÷floor |\n|---|");
    out.push_str(&"--:|".repeat(names.len() + 3));
    out.push('\n');
    let mut any = false;
    for case in cases {
        let values: Vec<Option<f64>> = names.iter().map(|name| median(case.group, name)).collect();
        if values.iter().all(Option::is_none) {
            continue;
        }
        any = true;
        let _ = write!(out, "| {} |", case.group);
        for v in &values {
            let _ = write!(out, " {} |", v.map_or_else(|| "–".to_owned(), |v| format!("{v:.0}")));
        }
        let ratio = |a: Option<f64>, b: Option<f64>| {
            a.zip(b).map_or_else(|| "–".to_owned(), |(a, b)| format!("{:.2}×", a / b))
        };
        let _ = writeln!(
            out,
            " {} | {} | {} |",
            ratio(values[1], values[0]),
            ratio(values[1], values[6]),
            ratio(values[0], values[2])
        );
    }
    any.then_some(out)
}

fn main() {
    let run = Run::new("UIA_BENCH_SUMMARY_ONLY");
    let cases = cases();
    let ops = cases
        .iter()
        .flat_map(|case| case.ops.iter().map(move |op| (format!("{}/{}", case.group, op.name), op)));
    if harness::profile("UIA_BENCH_PROFILE", ops) {
        return;
    }
    run.criterion(|criterion| run_criterion(criterion, &cases));
    if !run.benchmarking {
        return;
    }

    let selected = harness::selected(&cases, |case| {
        case.ops.iter().map(|op| format!("{}/{}", case.group, op.name)).collect()
    });
    println!("{}", summary(&selected));
    if let Some(medians) = run.criterion_medians()
        && let Some(table) = criterion_medians(&selected, &medians)
    {
        println!("{table}");
    }
    run.print_duration();
}
