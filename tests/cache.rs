//! The language server keeps syntax trees between lints (`routelint::cache`): a lint with
//! the cache gives exactly what the same lint without it gives, an edited buffer is parsed
//! again, and a file that does not parse is reported on every lint.

mod common;

use common::*;
use routelint::cache::Cache;
use routelint::{check, is_finding, Options, Outcome};
use std::path::PathBuf;
use std::sync::Arc;

fn found(out: &Outcome) -> Vec<String> {
    out.diagnostics
        .iter()
        .filter(|d| is_finding(d) || d.code == "parse-error")
        .map(|d| {
            let at = d
                .primary_origin()
                .map(|o| {
                    let f = out.sources.get(o.file);
                    format!("{}:{}", f.display, f.line_col(o.start).line)
                })
                .unwrap_or_default();
            format!("{} {at}", d.code)
        })
        .collect()
}

#[test]
fn a_cached_lint_is_the_lint_and_sees_every_edit() {
    let spokes: PathBuf = root()
        .join(fixture("onprem-return-propagation-on"))
        .join("terraform/spokes.tf");
    let text = std::fs::read_to_string(&spokes).expect("fixture");
    let cache = Arc::new(Cache::new());
    let lint = |buffer: &str, cached: bool| {
        found(&check(
            std::slice::from_ref(&spokes),
            &Options {
                overlay: vec![(spokes.clone(), buffer.to_string())],
                cache: cached.then(|| cache.clone()),
                ..Default::default()
            },
        ))
    };
    let plain = lint(&text, false);
    assert_eq!(plain.len(), 1, "{plain:?}");
    assert!(plain[0].starts_with("RL001 ") && plain[0].ends_with("spokes.tf:35"));
    // Opening fills the cache (every file of the module); linting again reuses it.
    assert_eq!(lint(&text, true), plain);
    let kept = cache.len();
    assert!(kept >= 4, "{kept} syntax trees kept");
    assert_eq!(lint(&text, true), plain);
    // The fix, typed into the buffer: the finding goes away.
    let fixed = text.replacen(
        "  resource_group_name           = azurerm_resource_group.spokes.name\n\n  route {",
        "  resource_group_name           = azurerm_resource_group.spokes.name\n  bgp_route_propagation_enabled = false\n\n  route {",
        1,
    );
    assert_ne!(fixed, text, "the edit applies");
    assert_eq!(lint(&fixed, true), lint(&fixed, false));
    assert!(lint(&fixed, true).is_empty());
    // Undone: back again.
    assert_eq!(lint(&text, true), plain);
    // A buffer that does not parse is reported on every lint, never taken from the cache.
    let broken = format!("{text}\nresource \"x\" {{\n");
    let once = lint(&broken, true);
    assert!(
        once.iter().any(|f| f.starts_with("parse-error ")),
        "{once:?}"
    );
    assert_eq!(lint(&broken, true), once);
    assert_eq!(cache.len(), kept, "one tree per file, replaced on change");
}
