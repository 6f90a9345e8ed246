//! The shipped gateway contains no canary behaviour. The type system does
//! most of the work (`canary` is a private module; `Canary::factory` and
//! `run::run_with` are crate-private, so no other crate can build or run a
//! canary); this test pins the rest: inside this crate only the self-test
//! builds canaries, and the pure core does not know they exist.

use std::path::{Path, PathBuf};

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("source directory is readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn the_pure_core_never_mentions_a_canary() {
    for path in sources(&root().join("core/src")) {
        let text = std::fs::read_to_string(&path).expect("readable");
        assert!(
            !text.to_lowercase().contains("canar"),
            "{} mentions canaries: the shipped manager must not know them",
            path.display()
        );
    }
}

#[test]
fn only_the_self_test_builds_or_runs_a_canary() {
    let src = root().join("sim/src");
    for path in sources(&src) {
        let rel = path
            .strip_prefix(&src)
            .expect("under sim/src")
            .to_string_lossy()
            .replace('\\', "/");
        // lib.rs re-exports the canaries' names (the `Canary` enum), which
        // cannot build anything.
        if rel.starts_with("canary/") || rel == "selftest.rs" || rel == "lib.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        for needle in [
            ".factory()",
            "canary::",
            "CanaryFactory",
            "wrap_adapter",
            // The gate's self-test example (sim/examples/) is the only caller.
            "gate_selftest_core",
        ] {
            assert!(
                !text.contains(needle),
                "{rel} uses `{needle}`: only selftest.rs may build canaries"
            );
        }
        let runs_with = text.matches("run_with(").count();
        let allowed = if rel == "run.rs" { 2 } else { 0 };
        assert_eq!(
            runs_with, allowed,
            "{rel} calls run_with: only `run` (with the reference) and the self-test may"
        );
    }
}

#[test]
fn the_simulation_campaign_runs_the_reference_gateway() {
    let run_rs = std::fs::read_to_string(root().join("sim/src/run.rs")).expect("readable");
    assert!(
        run_rs.contains("run_with(scenario, Rc::new(Reference))"),
        "`run::run` (what `callproof sim` and the campaign use) builds the reference core"
    );
}
