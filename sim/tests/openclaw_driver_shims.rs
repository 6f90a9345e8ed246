//! The OpenClaw subject driver's own node tests (its fetch redirect, its DNS
//! answer and the stand-in SDK's helpers, on real loopback HTTP and
//! `node:dns`) run as part of the workspace's test command, so a change to
//! the driver cannot land without them.

use std::path::Path;
use std::process::Command;

#[test]
fn the_openclaw_driver_shims_pass_their_node_tests() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/gate/openclaw/tests");
    let output = Command::new("node")
        .arg("--test")
        .arg(&dir)
        .output()
        .expect("node must be on PATH to test the OpenClaw driver (install Node.js 20 or later)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "node --test {} failed:\n{stdout}\n{}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("# fail 0") && !stdout.contains("# pass 0"),
        "node ran no passing test:\n{stdout}"
    );
}
