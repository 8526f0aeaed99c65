//! Replays the fuzz targets' saved inputs (`fuzz/saved/<target>`, the minimised corpus of
//! `fuzz/run.sh`) and every input that once crashed (`fuzz/regressions/<target>`) through
//! the same entry points (`routelint::fuzz`): none may panic. Not a timed run.

use std::path::Path;

fn replay(dir: &Path) -> usize {
    let mut n = 0;
    let Ok(targets) = std::fs::read_dir(dir) else {
        return 0;
    };
    for t in targets.flatten() {
        let target = t.file_name().to_string_lossy().to_string();
        let Ok(files) = std::fs::read_dir(t.path()) else {
            continue;
        };
        for f in files.flatten() {
            let data = std::fs::read(f.path()).unwrap();
            assert!(
                routelint::fuzz::run(&target, &data),
                "{}: no fuzz target `{target}`",
                f.path().display()
            );
            n += 1;
        }
    }
    n
}

#[test]
fn saved_fuzz_inputs_and_regressions_do_not_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let regressions = replay(&root.join("regressions"));
    assert!(regressions >= 3, "{regressions} regression inputs");
    replay(&root.join("saved"));
}
