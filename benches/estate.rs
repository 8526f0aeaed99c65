//! `cargo bench --bench estate [-- N…]`: in-process timings on generated estates
//! (`benches/estate_gen.rs`: a hub, N spokes of 4 subnets, 3 seeded faults of each seed
//! case), in both forms: parsing alone (hcl-edit over every file; the ARM JSON parser and
//! the expression parser over every string of the template, as HCL parsing includes its
//! expressions; on one thread, `/parallel`: the load against the files parsed on every
//! core),
//! loading (parse + evaluate + link: `routelint::load`; parse and load alternate, 7 rounds,
//! each ratio the median of the rounds' own), and the whole `check`, median of 5,
//! with whether the findings are exactly the generator's. The whole-process table (wall
//! time, peak RSS, checkov beside it) is `benches/scale.sh`.

#[path = "estate_gen.rs"]
mod estate_gen;

use std::path::Path;
use std::time::Instant;

/// The allocator the command line uses (`src/main.rs`), so the timings are the user's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Runs `f` twice to warm up (the allocator's first runs touch fresh memory), then `n`
/// times: the median wall time in ms (what the targets are stated in) and the last
/// result. The whole-process cost, cold, is what `benches/scale.sh` measures.
fn median_of<T>(n: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    for _ in 0..2 {
        drop(f());
    }
    let mut times = Vec::with_capacity(n);
    let mut last = None;
    for _ in 0..n {
        let t = Instant::now();
        let v = f();
        times.push(t.elapsed().as_secs_f64() * 1e3);
        last = Some(v);
    }
    times.sort_by(f64::total_cmp);
    (times[n / 2], last.expect("n > 0"))
}

/// The wall time of `f` in ms (its result dropped outside the timing).
fn timed_ms<T>(f: impl FnOnce() -> T) -> f64 {
    let t = Instant::now();
    let v = f();
    let ms = t.elapsed().as_secs_f64() * 1e3;
    drop(v);
    ms
}

/// Two warm-up rounds, then `n` rounds of (parse, parallel parse, load) times: their
/// medians, and the medians of each round's load/parse and load/parallel-parse.
fn rounds(n: usize, mut round: impl FnMut() -> (f64, f64, f64)) -> (f64, f64, f64, f64, f64) {
    for _ in 0..2 {
        round();
    }
    let all: Vec<(f64, f64, f64)> = (0..n).map(|_| round()).collect();
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (
        median(all.iter().map(|r| r.0).collect()),
        median(all.iter().map(|r| r.1).collect()),
        median(all.iter().map(|r| r.2).collect()),
        median(all.iter().map(|r| r.2 / r.0.max(0.001)).collect()),
        median(all.iter().map(|r| r.2 / r.1.max(0.001)).collect()),
    )
}

/// Parses every file of the estate, nothing more: one thread, or (`parallel`) the files
/// spread over the cores as the loader spreads them.
fn parse_only(dir: &Path, form: &str, parallel: bool) -> usize {
    use rayon::prelude::*;
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .expect("estate dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    let one = |p: &std::path::PathBuf| {
        let text = std::fs::read_to_string(p).expect("readable");
        if form == "terraform" {
            hcl_edit::parser::parse_body(&text)
                .map(|b| b.len())
                .unwrap_or(0)
        } else {
            // A template is JSON whose strings may be expressions (`[concat(…)]`): parsing
            // it is both, as parsing HCL is its blocks and its expressions.
            fn expressions(n: &routelint::frontend::arm::json::JNode) -> usize {
                use routelint::frontend::arm::json::J;
                match &n.v {
                    J::Str(s) => routelint::frontend::arm::expr::classify(s).is_ok() as usize,
                    J::Arr(items) => items.iter().map(expressions).sum(),
                    J::Obj(entries) => entries.iter().map(|(_, v)| expressions(v)).sum(),
                    _ => 0,
                }
            }
            routelint::frontend::arm::json::parse(&text)
                .map(|t| expressions(&t))
                .unwrap_or(0)
        }
    };
    if parallel {
        files.par_iter().map(one).sum()
    } else {
        files.iter().map(one).sum()
    }
}

/// The estate's first spoke file (Terraform), or its template (ARM: one file).
fn first_spoke(dir: &Path) -> std::path::PathBuf {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("estate dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    files
        .iter()
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("spoke"))
        })
        .or(files.first())
        .cloned()
        .expect("a file")
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10, 100, 1000, 2000]
    } else {
        sizes
    };
    let base = std::env::temp_dir().join(format!("routelint-bench-{}", std::process::id()));
    println!(
        "{:>9} {:>6} {:>10} {:>10} {:>10} {:>10} {:>10} {:>9} {:>9} {:>12}",
        "form",
        "spokes",
        "parse ms",
        "load ms",
        "load/parse",
        "/parallel",
        "check ms",
        "findings",
        "right?",
        "re-lint ms"
    );
    for form in ["terraform", "arm"] {
        for &n in &sizes {
            let dir = base.join(format!("{form}-{n}"));
            let want = estate_gen::generate(n, 3.min(n / 4), form, &dir);
            let want_total: usize = want.values().sum();
            let opts = routelint::Options::default();
            // Parsing and loading alternate within each round, and each ratio is the
            // median of the rounds' own ratios: this VM's speed drifts (by up to 2x) over
            // seconds, and a ratio of medians taken minutes apart measures the drift.
            let (parse, _par_parse, load, ratio, par_ratio) = rounds(7, || {
                (
                    timed_ms(|| parse_only(&dir, form, false)),
                    timed_ms(|| parse_only(&dir, form, true)),
                    timed_ms(|| routelint::load(std::slice::from_ref(&dir), &opts)),
                )
            });
            let (check, out) = median_of(5, || routelint::check(std::slice::from_ref(&dir), &opts));
            // What the language server does after a save: lint the saved file (one spoke,
            // its buffer as an overlay) through the unit it belongs to.
            let spoke = first_spoke(&dir);
            // Like the server, it keeps what it parsed between lints: the first lint (on
            // opening) fills the cache; each timed lint follows an edit of the buffer, so
            // the saved file is parsed again and the others are reused.
            let text = std::fs::read_to_string(&spoke).expect("spoke file");
            let cache = std::sync::Arc::new(routelint::cache::Cache::new());
            let lsp_opts = |text: String| routelint::Options {
                overlay: vec![(spoke.clone(), text)],
                cache: Some(cache.clone()),
                ..Default::default()
            };
            routelint::check(std::slice::from_ref(&spoke), &lsp_opts(text.clone()));
            let mut edit = 0;
            let (relint, _) = median_of(5, || {
                edit += 1;
                // Trailing blanks: a valid edit in both HCL and JSON.
                let edited = format!("{text}{}", "\n".repeat(edit));
                routelint::check(std::slice::from_ref(&spoke), &lsp_opts(edited))
            });
            let mut got: std::collections::BTreeMap<&str, usize> = Default::default();
            for d in out.diagnostics.iter().filter(|d| routelint::is_finding(d)) {
                *got.entry(
                    want.keys()
                        .find(|c| **c == d.code)
                        .copied()
                        .unwrap_or("other"),
                )
                .or_default() += 1;
            }
            println!(
                "{form:>9} {n:>6} {parse:>10.1} {load:>10.1} {:>10.2} {:>10.2} {check:>10.1} {:>9} {:>9} {relint:>12.1}",
                ratio,
                par_ratio,
                got.values().sum::<usize>(),
                if got == want && want_total == got.values().sum::<usize>() {
                    "yes"
                } else {
                    "NO"
                }
            );
        }
    }
    let _ = std::fs::remove_dir_all(&base);
}
