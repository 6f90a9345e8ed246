//! The evidence of a failure, from the record only: for every call a finding
//! names, the REST requests the subject sent about it and what it was
//! answered, what it asked at each restart (a status lookup that failed is
//! "sent, failed with X", one never made is "never sent"), the callbacks and
//! its answers; its own log lines around each crash; and its journal read
//! through `journal_check` when it keeps an OpenClaw-format `calls.jsonl`.

use super::check::{Outcome, Verdict};
use super::observe::Observation;
use super::truth::{Request, Truth};
use crate::journal_check::{CheckSettings, JournalCheck};
use std::path::Path;

/// Log lines quoted before a crash and after a boot.
const LOG_LINES: usize = 8;

fn at(obs: &Observation, ms: u64) -> String {
    let rel = ms.saturating_sub(obs.started_ms);
    format!("t={}.{:03}s", rel / 1000, rel % 1000)
}

/// The requests about `id`: those naming it, and the create whose answer
/// carried it.
fn requests_about<'a>(truth: &'a Truth, id: &'a str) -> Vec<&'a Request> {
    truth
        .requests
        .iter()
        .filter(|r| {
            r.provider_call_id.as_deref() == Some(id)
                || (r.operation == "create" && r.response_body.contains(id))
        })
        .collect()
}

/// Every line of evidence for the failed (or unknown) outcomes of `obs`.
pub fn gather(
    obs: &Observation,
    outcomes: &[Outcome],
    log: Option<&Path>,
    store: Option<&Path>,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut cited: Vec<String> = Vec::new();
    for o in outcomes.iter().filter(|o| o.verdict != Verdict::Pass) {
        for f in &o.findings {
            out.push(format!("[{}] {}", o.check.name(), f.summary));
            for id in &f.calls {
                if !cited.contains(id) {
                    cited.push(id.clone());
                }
            }
        }
    }
    if let Some(why) = &obs.aborted {
        out.push(format!("[gate] the scenario stopped early: {why}"));
    }
    for id in &cited {
        out.extend(call_evidence(obs, id));
    }
    out.extend(restart_evidence(obs, &cited));
    if let Some(log) = log {
        out.extend(log_evidence(log));
    }
    if let Some(store) = store {
        out.extend(journal_evidence(obs, store));
    }
    out
}

fn call_evidence(obs: &Observation, id: &str) -> Vec<String> {
    let truth = &obs.truth;
    let name = match obs.tag_of(id) {
        Some(tag) => format!("{id} ({tag})"),
        None => id.to_owned(),
    };
    let mut out = Vec::new();
    if let Some(c) = truth.call(id) {
        out.push(format!(
            "call {name} at the provider: {} {} -> {}, created {}, answered {}, ended {} ({} by {})",
            c.direction,
            c.from,
            c.to,
            at(obs, c.created_at_ms),
            c.answered_at_ms.map_or("never".into(), |t| at(obs, t)),
            c.ended_at_ms.map_or("never".into(), |t| at(obs, t)),
            c.end_reason.as_deref().unwrap_or("-"),
            c.ended_by.as_deref().unwrap_or("-"),
        ));
    }
    let requests = requests_about(truth, id);
    if requests.is_empty() {
        out.push(format!(
            "  REST requests the subject sent about {name}: none"
        ));
    } else {
        out.push(format!("  REST requests the subject sent about {name}:"));
        for r in requests {
            out.push(format!(
                "    {} #{} {} {} ({}): {}",
                at(obs, r.at_ms),
                r.seq,
                r.method,
                r.path,
                r.operation,
                r.outcome()
            ));
        }
    }
    let hooks: Vec<_> = truth.webhooks_for(id).collect();
    if hooks.is_empty() {
        out.push(format!("  callbacks to the subject about {name}: none"));
    } else {
        out.push(format!("  callbacks to the subject about {name}:"));
        for d in hooks {
            out.push(format!(
                "    {} {} attempt {}{}{}: {}{}{}",
                at(obs, d.at_ms),
                d.kind,
                d.attempt,
                if d.duplicate { " (duplicate)" } else { "" },
                if d.late { " (late)" } else { "" },
                d.outcome,
                d.status.map_or(String::new(), |s| format!(" {s}")),
                d.answer
                    .as_deref()
                    .map_or(String::new(), |a| format!(", answer {a}")),
            ));
        }
    }
    out
}

/// What the subject asked the provider about each cited call at each
/// restart, from its start until a few seconds after it was ready.
fn restart_evidence(obs: &Observation, cited: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (boot, started, ready) in obs.restarts() {
        let until = ready.unwrap_or(obs.finished_ms) + 5_000;
        for id in cited {
            let Some(call) = obs.truth.call(id) else {
                continue;
            };
            if call.created_at_ms > started {
                continue;
            }
            let lookups: Vec<&Request> = obs
                .truth
                .requests_for(id)
                .filter(|r| r.at_ms >= started && r.at_ms <= until)
                .collect();
            let window = format!("between {} and {}", at(obs, started), at(obs, until));
            if lookups.is_empty() {
                out.push(format!(
                    "restart (boot {boot}, ready {}): no request about {id} was ever sent {window}: no status lookup, no hangup (the emulator's request log holds none)",
                    ready.map_or("never".into(), |t| at(obs, t)),
                ));
            } else {
                for r in lookups {
                    out.push(format!(
                        "restart (boot {boot}): {} about {id} sent at {}, {}",
                        if r.operation == "status" {
                            "a status lookup".to_owned()
                        } else {
                            format!("a {} request", r.operation)
                        },
                        at(obs, r.at_ms),
                        if r.succeeded() {
                            r.outcome()
                        } else {
                            format!("sent, {}", r.outcome())
                        }
                    ));
                }
            }
        }
    }
    out
}

/// The subject's own lines before each SIGKILL and after each boot.
fn log_evidence(log: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(log) else {
        return Vec::new();
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("=== callproof gate: SIGKILL") {
            out.push(format!(
                "subject log, the last lines before {}:",
                line.trim_matches('=').trim()
            ));
            let from = i.saturating_sub(LOG_LINES);
            out.extend(lines[from..i].iter().map(|l| format!("  | {l}")));
        }
        if line.starts_with("=== callproof gate: boot")
            && line.contains("starting")
            && !line.contains("boot 0 ")
        {
            out.push(format!(
                "subject log, the first lines after {}:",
                line.trim_matches('=').trim()
            ));
            let to = (i + 1 + LOG_LINES).min(lines.len());
            out.extend(lines[i + 1..to].iter().map(|l| format!("  | {l}")));
        }
    }
    out
}

/// The subject's `calls.jsonl`, if it keeps one, as `journal check` reads it.
fn journal_evidence(obs: &Observation, store: &Path) -> Vec<String> {
    let path = store.join("calls.jsonl");
    let Ok(bytes) = std::fs::read(&path) else {
        return Vec::new();
    };
    let check = JournalCheck::run(
        &bytes,
        CheckSettings {
            now_ms: obs.truth.now_ms.max(obs.finished_ms),
            max_duration_ms: obs.settings.max_duration_secs * 1000,
            max_concurrent_calls: obs.settings.max_concurrent_calls,
        },
    );
    let mut out = vec![format!(
        "its journal calls.jsonl ({} lines, {} calls), read by `callproof journal check`:",
        check.lines, check.calls
    )];
    if check.counted.is_empty() {
        out.push("  no call would count against capacity after a restart".into());
    }
    for c in &check.counted {
        out.push(format!(
            "  would count after a restart: {} (provider id {}, state {}, {} ms old){}",
            c.record.call_id,
            c.record.provider_call_id.as_deref().unwrap_or("none yet"),
            c.record.state.as_str(),
            c.age_ms,
            if c.stale { ", STALE" } else { "" }
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::check::{Check, Finding};
    use crate::gate::observe::Life;
    use crate::gate::truth::Call;

    fn obs_with(requests: Vec<Request>) -> Observation {
        Observation {
            started_ms: 0,
            finished_ms: 20_000,
            life: vec![
                Life::Started { at_ms: 0, boot: 0 },
                Life::Ready {
                    at_ms: 100,
                    boot: 0,
                },
                Life::Killed { at_ms: 3_000 },
                Life::Started {
                    at_ms: 5_000,
                    boot: 1,
                },
                Life::Ready {
                    at_ms: 6_000,
                    boot: 1,
                },
            ],
            truth: Truth {
                now_ms: 20_000,
                calls: vec![Call {
                    provider_call_id: "CA1".into(),
                    direction: "outbound".into(),
                    created_at_ms: 1_000,
                    ended_at_ms: Some(4_000),
                    ..Call::default()
                }],
                requests,
                webhooks: vec![],
            },
            ..Observation::default()
        }
    }

    fn failed_phantom() -> Vec<Outcome> {
        vec![Outcome {
            check: Check::Phantom,
            verdict: Verdict::Fail,
            findings: vec![Finding {
                summary: "refused".into(),
                calls: vec!["CA1".into()],
                at_ms: 9_000,
            }],
        }]
    }

    #[test]
    fn a_restart_that_asked_nothing_reads_never_sent() {
        let lines = gather(&obs_with(vec![]), &failed_phantom(), None, None);
        assert!(
            lines
                .iter()
                .any(|l| l.contains("no request about CA1 was ever sent")
                    && l.contains("no status lookup")),
            "{lines:#?}"
        );
    }

    #[test]
    fn a_status_lookup_that_failed_reads_sent_and_failed_not_never_sent() {
        let lookup = Request {
            seq: 4,
            at_ms: 5_500,
            operation: "status".into(),
            provider_call_id: Some("CA1".into()),
            status: Some(503),
            fault: Some("status:503".into()),
            ..Request::default()
        };
        let lines = gather(&obs_with(vec![lookup]), &failed_phantom(), None, None);
        assert!(
            lines
                .iter()
                .any(|l| l.contains("a status lookup about CA1")
                    && l.contains("sent, failed with 503")),
            "{lines:#?}"
        );
        assert!(
            !lines.iter().any(|l| l.contains("never sent")),
            "{lines:#?}"
        );
    }

    #[test]
    fn log_lines_around_a_crash_are_quoted() {
        let dir = std::env::temp_dir().join(format!("callproof-evidence-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let log = dir.join("subject.log");
        std::fs::write(
            &log,
            "=== callproof gate: boot 0 starting ===\nplaced call c-1\n=== callproof gate: SIGKILL ===\n=== callproof gate: boot 1 starting ===\nloaded 1 active call\n",
        )
        .expect("write");
        let lines = log_evidence(&log);
        assert!(
            lines.iter().any(|l| l == "  | placed call c-1"),
            "{lines:#?}"
        );
        assert!(
            lines.iter().any(|l| l == "  | loaded 1 active call"),
            "{lines:#?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
