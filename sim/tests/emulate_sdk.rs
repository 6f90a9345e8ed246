//! The providers' official Python SDKs (`twilio`, `plivo`, `telnyx` from
//! PyPI, pinned) as real clients of `callproof emulate`: a virtualenv is
//! made in the test's scratch directory (reused while its pins are the
//! same), the emulator is started with a public→local URL map, and
//! `sdk/sdk_clients.py` creates, fetches and hangs up a call per provider,
//! reads the error of a second hangup, and validates a callback with each
//! SDK's own webhook validator.

#[path = "emulate/harness.rs"]
mod harness;

use harness::{
    Emulate, PLIVO_ID, PLIVO_TOKEN, TELNYX_CONNECTION, TELNYX_KEY, TWILIO_SID, TWILIO_TOKEN,
};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The SDKs, pinned. Changing a pin makes a new virtualenv.
const PINS: &[&str] = &[
    "twilio==9.13.0",
    "plivo==4.63.0",
    "telnyx[webhooks]==4.189.0",
];

/// Telnyx's webhook public key, as the emulator prints it.
const TELNYX_PUBLIC_KEY: &str = "jrMBoswHlhhVx2W2Www72WU/xn4UMpjreslD0m2u0qs=";

/// The public prefix the gateway would have configured.
const PUBLIC: &str = "https://gateway.example.com";

fn venv() -> PathBuf {
    let name = format!("sdk-venv-{:016x}", fnv(PINS.join(" ").as_bytes()));
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let python = dir.join("bin").join("python");
    let ready = dir.join("installed");
    if ready.exists() && python.exists() {
        return python;
    }
    let made = Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&dir)
        .status()
        .expect("python3 is needed for the SDK test");
    assert!(made.success(), "python3 -m venv failed");
    let installed = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(PINS)
        .status()
        .expect("run pip");
    assert!(installed.success(), "pip install {PINS:?} failed");
    std::fs::write(&ready, PINS.join("\n")).expect("mark the virtualenv ready");
    python
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

#[test]
fn the_official_sdks_create_fetch_and_hang_up_calls_and_validate_the_callbacks() {
    let python = venv();
    let hook_port = free_port();
    let map = format!("{PUBLIC}=http://127.0.0.1:{hook_port}");
    let emulate = Emulate::start(&["--map-url", &map]);
    // Callees who never pick up, so every call is still live when the SDK
    // fetches it.
    let (status, _) = emulate.post(
        "/_callproof/callees",
        serde_json::json!({"behaviour": {"kind": "no_answer"}}),
    );
    assert_eq!(status, 200);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/sdk_clients.py");
    let output = Command::new(&python)
        .arg(&script)
        .args([emulate.base(), hook_port.to_string(), PUBLIC.to_owned()])
        .env("TWILIO_ACCOUNT_SID", TWILIO_SID)
        .env("TWILIO_AUTH_TOKEN", TWILIO_TOKEN)
        .env("PLIVO_AUTH_ID", PLIVO_ID)
        .env("PLIVO_AUTH_TOKEN", PLIVO_TOKEN)
        .env("TELNYX_API_KEY", TELNYX_KEY)
        .env("TELNYX_PUBLIC_KEY", TELNYX_PUBLIC_KEY)
        .env("TELNYX_CONNECTION_ID", TELNYX_CONNECTION)
        .output()
        .expect("run the SDK script");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "SDK script failed:\n{stdout}\n{stderr}"
    );
    for provider in ["twilio", "plivo", "telnyx"] {
        assert!(
            stdout.contains(&format!("{provider} ok")),
            "{provider}: {stdout}"
        );
    }
    let calls = emulate.calls();
    assert_eq!(calls.len(), 3, "one call per SDK in the ground truth");
    assert!(calls
        .iter()
        .all(|c| c["state"] == "ended" && c["ended_by"] == "gateway"));
}
