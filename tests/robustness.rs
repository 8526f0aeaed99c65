//! Never crash on anyone's files: every fixture file cut short at many points, or with bytes
//! flipped, still gives a result (diagnostics, exit code 2 for unparsable input), no panic.

mod common;
use common::{files_under, root, tempdir};

#[test]
fn truncated_and_corrupted_inputs_do_not_panic() {
    let fixtures = root().join("fixtures");
    let scenarios = [
        "onprem-return-propagation-on",
        "modules-foreach-tfvars",
        "public-lb-behind-firewall-route",
    ];
    let mut runs = 0;
    for s in scenarios {
        for form in ["terraform", "arm"] {
            let src = fixtures.join(s).join(form);
            let all = files_under(&src);
            for victim in &all {
                let text = std::fs::read(victim).unwrap();
                for k in 1..=6 {
                    let tmp = tempdir(&format!("robust-{runs}"));
                    for f in &all {
                        let rel = f.strip_prefix(&src).unwrap();
                        let to = tmp.join(rel);
                        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                        if f == victim {
                            let mut t = text[..text.len() * k / 7].to_vec();
                            if k % 2 == 0 && !t.is_empty() {
                                let i = t.len() / 2;
                                t[i] = b"{}[]\"'=$("[k % 9];
                            }
                            std::fs::write(&to, t).unwrap();
                        } else {
                            std::fs::copy(f, &to).unwrap();
                        }
                    }
                    let out = routelint::check(
                        std::slice::from_ref(&tmp),
                        &routelint::Options::default(),
                    );
                    // Every diagnostic has a position in a file that was read (or none).
                    for d in &out.diagnostics {
                        if let Some(o) = d.primary_origin() {
                            let f = out.sources.get(o.file);
                            assert!(
                                o.start <= f.text.len(),
                                "{}: label beyond the end of {}",
                                d.code,
                                f.display
                            );
                        }
                    }
                    let _ = routelint::report::human::render(
                        &out.diagnostics,
                        &out.sources,
                        false,
                        100,
                    );
                    let _ = routelint::report::sarif::render(&out.diagnostics, &out.sources);
                    let _ = std::fs::remove_dir_all(&tmp);
                    runs += 1;
                }
            }
        }
    }
    assert!(runs > 100, "{runs}");
}
