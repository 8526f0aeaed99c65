//! `cargo bench --bench estate [-- N…]`: in-process timings on generated estates
//! (`benches/estate_gen.rs`: a hub, N spokes of 4 subnets, 3 seeded faults of each seed
//! case), in both forms: parsing alone (hcl-edit / the ARM JSON parser over every file),
//! loading (parse + evaluate + link: `routelint::load`), and the whole `check`, best of 3,
//! with whether the findings are exactly the generator's. The whole-process table (wall
//! time, peak RSS, checkov beside it) is `benches/scale.sh`.

#[path = "estate_gen.rs"]
mod estate_gen;

use std::path::Path;
use std::time::Instant;

fn best_of<T>(n: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut last = None;
    for _ in 0..n {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
        last = Some(v);
    }
    (best, last.expect("n > 0"))
}

/// Parses every file of the estate, nothing more.
fn parse_only(dir: &Path, form: &str) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).expect("estate dir").flatten() {
        let text = std::fs::read_to_string(e.path()).expect("readable");
        if form == "terraform" {
            n += hcl_edit::parser::parse_body(&text)
                .map(|b| b.len())
                .unwrap_or(0);
        } else {
            n += routelint::frontend::arm::json::parse(&text).is_ok() as usize;
        }
    }
    n
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
        "{:>9} {:>6} {:>10} {:>10} {:>10} {:>10} {:>9} {:>9}",
        "form", "spokes", "parse ms", "load ms", "load/parse", "check ms", "findings", "right?"
    );
    for form in ["terraform", "arm"] {
        for &n in &sizes {
            let dir = base.join(format!("{form}-{n}"));
            let want = estate_gen::generate(n, 3.min(n / 4), form, &dir);
            let want_total: usize = want.values().sum();
            let opts = routelint::Options::default();
            let (parse, _) = best_of(3, || parse_only(&dir, form));
            let (load, _) = best_of(3, || routelint::load(std::slice::from_ref(&dir), &opts));
            let (check, out) = best_of(3, || routelint::check(std::slice::from_ref(&dir), &opts));
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
                "{form:>9} {n:>6} {parse:>10.1} {load:>10.1} {:>10.2} {check:>10.1} {:>9} {:>9}",
                load / parse.max(0.001),
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
