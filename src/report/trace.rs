//! `routelint trace`: a flow hop by hop in both directions, then its verdict.

use crate::analysis::{words, Analysis};
use crate::source::SourceMap;
use std::fmt::Write;

fn trace_lines(
    a: &Analysis,
    t: &crate::analysis::trace::Trace,
    sources: &SourceMap,
    o: &mut String,
) {
    let rows = words::rows(a, t, sources);
    let w = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    for (n, (a1, b, c)) in rows.into_iter().enumerate() {
        let line = format!("  {} {a1:w$}  {b}  {c}", n + 1);
        let _ = writeln!(o, "{}", line.trim_end());
    }
}

/// `routelint trace`: both directions hop by hop, then the verdict.
pub fn render(a: &Analysis, tw: &crate::analysis::trace::TwoWay, sources: &SourceMap) -> String {
    let mut o = String::new();
    let f = tw.forward();
    let _ = writeln!(o, "forward  {} -> {}", f.src, f.dst);
    trace_lines(a, f, sources, &mut o);
    if let Some(r) = tw.reply() {
        let _ = writeln!(o, "return   {} -> {}", r.src, r.dst);
        trace_lines(a, r, sources, &mut o);
    }
    let v = words::flow_verdict(a, tw);
    let _ = writeln!(o, "verdict  {v}");
    o
}
