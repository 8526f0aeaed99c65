//! Generated estates (`benches/estate_gen.rs`): a hub and alike spokes with seeded faults of
//! each seed case give exactly the findings the generator expects, in both forms and at
//! several sizes (the class-based flow enumeration must not lose or invent a finding).

#[path = "../benches/estate_gen.rs"]
mod estate_gen;

mod common;
use common::*;
use std::collections::BTreeMap;

fn codes(out: &routelint::Outcome) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for d in out.diagnostics.iter().filter(|d| routelint::is_finding(d)) {
        *m.entry(d.code.clone()).or_default() += 1;
    }
    m
}

#[test]
fn generated_estates_give_exactly_the_expected_findings() {
    for (spokes, faults) in [(4, 1), (9, 2), (30, 3)] {
        for form in ["terraform", "arm"] {
            let dir = tempdir(&format!("estate-{form}-{spokes}"));
            let want: BTreeMap<String, usize> = estate_gen::generate(spokes, faults, form, &dir)
                .into_iter()
                .map(|(c, n)| (c.to_string(), n))
                .collect();
            let out = run(&dir);
            assert_eq!(
                codes(&out),
                want,
                "{form}, {spokes} spokes, {faults} of each fault"
            );
            // Every flow of the estate is decided (nothing is left not checked).
            assert_eq!(out.not_checked, 0, "{form} {spokes}");
        }
    }
}

/// A cause that breaks the flows of many spokes is one finding; its note names the first
/// ten flows and counts the rest, and `also` (JSON, SARIF) lists them all.
#[test]
fn a_cause_shared_by_many_flows_names_ten_and_counts_the_rest() {
    let dir = tempdir("estate-terraform-shared-cause");
    estate_gen::generate(30, 3, "terraform", &dir);
    let out = run(&dir);
    let d = out
        .diagnostics
        .iter()
        .filter(|d| d.code == "RL002")
        .max_by_key(|d| d.also.len())
        .expect("an RL002 finding");
    assert!(d.also.len() > 10, "{} flows share the cause", d.also.len());
    let note = d
        .notes
        .iter()
        .find(|n| n.starts_with("the same cause also breaks"))
        .expect("the note");
    assert!(
        note.starts_with(&format!(
            "the same cause also breaks {} more flow(s): {}, ",
            d.also.len(),
            d.also[0]
        )),
        "{note}"
    );
    assert!(
        note.ends_with(&format!("{} and {} more", d.also[9], d.also.len() - 10)),
        "{note}"
    );
}
