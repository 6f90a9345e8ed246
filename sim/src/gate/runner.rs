//! Runs one scenario: starts the subject on a fresh store, carries out each
//! step against it and the emulator, waits for conditions (never a fixed
//! sleep as a judgement), settles, and records an [`Observation`]. The only
//! part of the gate that touches processes and the wall clock.

use super::emulator::{Emulator, EmulatorError};
use super::observe::{Answer, Ask, Caller, Command, Deadline, FaultWindow, Life, Observation};
use super::scenario::{Phase, Scenario, Step, WebhookAction, FROM_NUMBER};
use super::subject::{place_via, Readiness, Subject};
use super::truth::Call;
use std::collections::BTreeMap;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a subject may take to become ready (OpenClaw's compiled
/// builds take up to seven seconds to start on a loaded machine).
pub const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// How often the gate polls the emulator while it waits for a condition.
const POLL: Duration = Duration::from_millis(50);

/// The wall clock, ms since the epoch (the emulator's real clock reads the same).
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// What the gate knows about a tagged call before it has the provider's id.
#[derive(Debug, Clone)]
struct Pending {
    to: String,
    mode: &'static str,
    sent_ms: u64,
    call_id: Option<String>,
}

type InFlight = JoinHandle<(u64, Answer, u64)>;

/// One scenario in progress.
struct Run<'a> {
    scenario: &'a Scenario,
    emulator: &'a Emulator,
    provider: &'a str,
    subject: Subject,
    obs: Observation,
    pending: BTreeMap<String, Pending>,
    in_flight: BTreeMap<String, InFlight>,
}

/// Runs `scenario` against a subject that is not started yet (its store
/// fresh), with the emulator already reset. Returns the record and the
/// subject (for its log and store).
pub fn run(
    scenario: &Scenario,
    emulator: &Emulator,
    provider: &str,
    subject: Subject,
) -> (Observation, Subject) {
    let obs = Observation {
        settings: scenario.settings.clone(),
        tolerances: scenario.tolerances,
        started_ms: now_ms(),
        ..Observation::default()
    };
    let mut run = Run {
        scenario,
        emulator,
        provider,
        subject,
        obs,
        pending: BTreeMap::new(),
        in_flight: BTreeMap::new(),
    };
    if let Err(why) = run.boot() {
        run.obs.aborted = Some(why);
    } else {
        for (i, step) in scenario.steps.iter().enumerate() {
            if let Err(why) = run.step(step) {
                run.obs.aborted = Some(format!("step {} ({}): {why}", i + 1, brief(step)));
                break;
            }
        }
        // Settle even after an early stop, while the subject runs, so the
        // orphan check can still judge every call.
        if run.subject.is_running() {
            run.settle();
        }
        if let Some(s) = run.subject.calls(now_ms()) {
            run.obs.snapshots.push(s);
        }
    }
    for (tag, handle) in std::mem::take(&mut run.in_flight) {
        if let Ok((sent, answer, answered)) = handle.join() {
            run.record_place(&tag, sent, answer, answered, false);
        }
    }
    run.obs.finished_ms = now_ms();
    let _ = run.resolve_all();
    match emulator.truth() {
        Ok(truth) => run.obs.truth = truth,
        Err(e) => {
            run.obs
                .aborted
                .get_or_insert(format!("the emulator's truth could not be read: {e}"));
        }
    }
    let end = run.obs.finished_ms;
    for f in &mut run.obs.faults {
        if f.until_ms == u64::MAX {
            f.until_ms = end;
            f.excuse_until_ms = end + scenario.tolerances.converge_ms;
        }
    }
    run.subject.stop();
    (run.obs, run.subject)
}

/// A step in a few words, for an aborted scenario's reason.
fn brief(step: &Step) -> String {
    let text = format!("{step:?}");
    text.chars().take(80).collect()
}

impl Run<'_> {
    fn boot(&mut self) -> Result<(), String> {
        let boot = self.subject.start().map_err(|e| e.to_string())?;
        self.obs.life.push(Life::Started {
            at_ms: now_ms(),
            boot,
        });
        match self.subject.wait_ready(READY_TIMEOUT) {
            Readiness::Ready => {
                self.obs.life.push(Life::Ready {
                    at_ms: now_ms(),
                    boot,
                });
                self.subject.mark(&format!("boot {boot} ready"));
                Ok(())
            }
            Readiness::TimedOut => {
                self.obs.life.push(Life::NeverReady {
                    at_ms: now_ms(),
                    boot,
                });
                self.subject.mark(&format!("boot {boot} never ready"));
                Err(format!(
                    "the subject never became ready (boot {boot}, GET /health for {} s)",
                    READY_TIMEOUT.as_secs()
                ))
            }
            Readiness::Exited(status) => {
                self.obs.life.push(Life::Exited {
                    at_ms: now_ms(),
                    status: status.clone(),
                });
                Err(format!(
                    "the subject exited while booting (boot {boot}): {status}"
                ))
            }
        }
    }

    fn step(&mut self, step: &Step) -> Result<(), String> {
        let e = |e: EmulatorError| e.to_string();
        match step {
            Step::Callee { number, behaviour } => self
                .emulator
                .callee(Some(number), &behaviour.to_json())
                .map_err(e),
            Step::Place {
                tag,
                to,
                notify,
                expect_accepted,
            } => {
                let (mode, message) = mode(*notify);
                let sent = now_ms();
                let answer = self.subject.place(to, mode, message);
                let answered = now_ms();
                self.pending.insert(
                    tag.clone(),
                    Pending {
                        to: to.clone(),
                        mode,
                        sent_ms: sent,
                        call_id: None,
                    },
                );
                let accepted =
                    self.record_place(tag, sent, answer.clone(), answered, *expect_accepted);
                if *expect_accepted && !accepted {
                    return Err(format!("call {tag} was not placed: {answer:?}"));
                }
                Ok(())
            }
            Step::PlaceInFlight { tag, to } => {
                let url = self.subject.control_url();
                let to_owned = to.clone();
                let sent = now_ms();
                self.pending.insert(
                    tag.clone(),
                    Pending {
                        to: to.clone(),
                        mode: "conversation",
                        sent_ms: sent,
                        call_id: None,
                    },
                );
                let handle = std::thread::spawn(move || {
                    let sent = now_ms();
                    let answer = place_via(&url, &to_owned, "conversation", None);
                    (sent, answer, now_ms())
                });
                self.in_flight.insert(tag.clone(), handle);
                Ok(())
            }
            Step::Collect { tag } => {
                if let Some(handle) = self.in_flight.remove(tag) {
                    let (sent, answer, answered) = handle
                        .join()
                        .map_err(|_| "the in-flight place panicked".to_owned())?;
                    self.record_place(tag, sent, answer, answered, false);
                }
                Ok(())
            }
            Step::Await {
                tag,
                phase,
                timeout_ms,
                must,
            } => {
                let reached = self.wait_for(*timeout_ms, |run| {
                    let call = run.find(tag)?;
                    Some(match phase {
                        Phase::Created => true,
                        Phase::Answered => call.answered_at_ms.is_some(),
                        Phase::Ended => call.ended_at_ms.is_some(),
                    })
                    .filter(|ok| *ok)
                });
                if reached.is_none() && *must {
                    return Err(format!(
                        "call {tag} did not reach {phase:?} at the provider within {timeout_ms} ms"
                    ));
                }
                Ok(())
            }
            Step::QuietSince { tag, ms } => {
                let excused = self
                    .obs
                    .faults
                    .iter()
                    .map(|f| f.excuse_until_ms)
                    .filter(|&x| x != u64::MAX)
                    .max()
                    .unwrap_or(0);
                let timeout = ms + 60_000;
                let id = self.provider_id(tag)?;
                self.wait_for(timeout, |run| {
                    let page = run.emulator.calls().ok()?;
                    let ended = page
                        .calls
                        .iter()
                        .find(|c| c.provider_call_id == id)?
                        .ended_at_ms?;
                    (page.now_ms >= ended.max(excused).saturating_add(*ms)).then_some(())
                })
                .ok_or_else(|| format!("call {tag} had not ended {ms} ms ago within {timeout} ms"))
            }
            Step::CallbacksSettle {
                tag,
                late,
                quiet_ms,
            } => {
                let id = self.provider_id(tag)?;
                let timeout = 60_000;
                // Telnyx retries for up to 30 s (2, 4, 8, 16 s apart).
                let quiet = if self.provider == "telnyx" {
                    (*quiet_ms).max(17_000)
                } else {
                    *quiet_ms
                };
                self.wait_for(timeout, |run| {
                    let truth = run.emulator.truth().ok()?;
                    let attempts: Vec<_> = truth.webhooks_for(&id).collect();
                    let seen = attempts
                        .iter()
                        .any(|d| if *late { d.late } else { d.kind == "ended" });
                    let last = attempts.iter().map(|d| d.at_ms).max()?;
                    (seen && truth.now_ms >= last + quiet).then_some(())
                })
                .ok_or_else(|| {
                    format!("the provider kept retrying call {tag}'s callbacks for {timeout} ms")
                })
            }
            Step::Delivered {
                tag,
                kind,
                timeout_ms,
            } => {
                let id = self.provider_id(tag)?;
                self.wait_for(*timeout_ms, |run| {
                    let truth = run.emulator.truth().ok()?;
                    let took = truth.webhooks_for(&id).any(|d| d.kind == *kind && d.accepted());
                    took.then_some(())
                })
                .ok_or_else(|| format!("the subject never took call {tag}'s {kind} callback within {timeout_ms} ms"))
            }
            Step::End { tag } => {
                let call_id = self
                    .pending
                    .get(tag)
                    .and_then(|p| p.call_id.clone())
                    .ok_or_else(|| format!("call {tag} has no id from the subject"))?;
                let sent = now_ms();
                let answer = self.subject.end(&call_id);
                let fault_active = self.obs.faults.iter().any(|f| f.until_ms > sent);
                self.obs.commands.push(Command {
                    sent_ms: sent,
                    answered_ms: now_ms(),
                    ask: Ask::End {
                        tag: tag.clone(),
                        call_id,
                    },
                    answer,
                    expect_accepted: !fault_active,
                });
                Ok(())
            }
            Step::FarEnd { tag } => {
                let id = self.provider_id(tag)?;
                match self.emulator.end(&id) {
                    Ok(()) => Ok(()),
                    // The subject hung it up first: nothing left to end.
                    Err(_) if self.find(tag).is_some_and(|c| !c.is_live()) => Ok(()),
                    Err(err) => Err(e(err)),
                }
            }
            Step::Kill => {
                self.subject.kill();
                self.obs.life.push(Life::Killed { at_ms: now_ms() });
                Ok(())
            }
            Step::Restart => self.boot(),
            Step::Fault(fault) => {
                self.emulator
                    .fault(&fault.to_json(self.provider))
                    .map_err(e)?;
                let from = now_ms();
                let until = fault.for_ms.map_or(u64::MAX, |ms| from + ms);
                self.obs.faults.push(FaultWindow {
                    what: fault.describe(),
                    from_ms: from,
                    until_ms: until,
                    excuse_until_ms: until.saturating_add(self.scenario.tolerances.converge_ms),
                });
                Ok(())
            }
            Step::ClearFaults => {
                self.emulator.clear_faults().map_err(e)?;
                self.close_windows(|w| !w.what.starts_with("callbacks"));
                Ok(())
            }
            Step::WebhookFault { action, count } => {
                let (name, delay) = match action {
                    WebhookAction::Drop => ("drop", 0),
                    WebhookAction::Duplicate => ("duplicate", 0),
                    WebhookAction::Delay(ms) => ("delay", *ms),
                };
                let rule = serde_json::json!({
                    "provider": self.provider, "action": name, "delay_ms": delay,
                    "probability": 1.0, "count": count,
                });
                self.emulator.webhook_fault(&rule).map_err(e)?;
                // A lost callback hides an end until the subject asks or its
                // max-duration timer fires: that is excused. A duplicate or a
                // late one hides nothing.
                if matches!(action, WebhookAction::Drop) {
                    self.obs.faults.push(FaultWindow {
                        what: format!("callbacks: drop the next {count}"),
                        from_ms: now_ms(),
                        until_ms: u64::MAX,
                        excuse_until_ms: u64::MAX,
                    });
                }
                Ok(())
            }
            Step::ClearWebhookFaults => {
                self.emulator.clear_webhook_faults().map_err(e)?;
                let after = self.scenario.settings.max_duration_secs * 1000
                    + self.scenario.tolerances.orphan_slack_ms;
                let now = now_ms();
                for w in self
                    .obs
                    .faults
                    .iter_mut()
                    .filter(|w| w.what.starts_with("callbacks"))
                {
                    if w.until_ms > now {
                        w.until_ms = now;
                        w.excuse_until_ms = now + after;
                    }
                }
                Ok(())
            }
            Step::Inbound { tag, from } => {
                let at = now_ms();
                let id = self
                    .emulator
                    .inbound(self.provider, from, FROM_NUMBER)
                    .map_err(e)?;
                self.obs.callers.push(Caller {
                    tag: tag.clone(),
                    provider_call_id: id.clone(),
                    from: from.clone(),
                    allowed: self.scenario.allows(from),
                    at_ms: at,
                });
                self.obs.tags.push((tag.clone(), id));
                Ok(())
            }
            Step::Redeliver { window_ms } => self
                .emulator
                .redeliver(self.provider, *window_ms)
                .map_err(e),
            Step::Pause { ms } => {
                std::thread::sleep(Duration::from_millis(*ms));
                Ok(())
            }
            Step::Snapshot => {
                if let Some(s) = self.subject.calls(now_ms()) {
                    self.obs.snapshots.push(s);
                }
                Ok(())
            }
            Step::DeadlineAfterReady { tag, ms, why } => {
                let ready = self
                    .obs
                    .life
                    .iter()
                    .rev()
                    .find_map(|l| match l {
                        Life::Ready { at_ms, .. } => Some(*at_ms),
                        _ => None,
                    })
                    .unwrap_or_else(now_ms);
                let id = self.provider_id(tag)?;
                self.obs.deadlines.push(Deadline {
                    provider_call_id: id,
                    by_ms: ready + ms,
                    why: why.clone(),
                });
                Ok(())
            }
        }
    }

    /// Records a place command; true when accepted.
    fn record_place(
        &mut self,
        tag: &str,
        sent: u64,
        answer: Answer,
        answered: u64,
        expect: bool,
    ) -> bool {
        let (to, mode) = self
            .pending
            .get(tag)
            .map(|p| (p.to.clone(), p.mode))
            .unwrap_or_default();
        let accepted = matches!(answer, Answer::Accepted { .. });
        if let (Answer::Accepted { call_id }, Some(p)) = (&answer, self.pending.get_mut(tag)) {
            p.call_id = call_id.clone();
        }
        self.obs.commands.push(Command {
            sent_ms: sent,
            answered_ms: answered,
            ask: Ask::Place {
                tag: tag.to_owned(),
                to,
                mode: mode.into(),
            },
            answer,
            expect_accepted: expect,
        });
        accepted
    }

    fn close_windows(&mut self, which: impl Fn(&FaultWindow) -> bool) {
        let now = now_ms();
        let converge = self.scenario.tolerances.converge_ms;
        for w in self.obs.faults.iter_mut().filter(|w| which(w)) {
            if w.until_ms > now {
                w.until_ms = now;
                w.excuse_until_ms = now + converge;
            }
        }
    }

    /// Polls `probe` until it answers `Some`, at most `timeout_ms`.
    fn wait_for<T>(
        &mut self,
        timeout_ms: u64,
        mut probe: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<T> {
        let deadline = Instant::now() + Duration::from_millis(timeout_ms);
        loop {
            if let Some(v) = probe(self) {
                return Some(v);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(POLL);
        }
    }

    /// The provider's call a tag names, resolving it if needed.
    fn find(&mut self, tag: &str) -> Option<Call> {
        let calls = self.emulator.calls().ok()?.calls;
        if let Some(id) = self.obs.provider_id(tag) {
            return calls.into_iter().find(|c| c.provider_call_id == id);
        }
        let pending = self.pending.get(tag)?.clone();
        let taken: Vec<String> = self.obs.tags.iter().map(|(_, id)| id.clone()).collect();
        let call = calls
            .iter()
            .find(|c| {
                pending
                    .call_id
                    .as_deref()
                    .is_some_and(|id| c.call_id.as_deref() == Some(id))
            })
            .or_else(|| {
                calls.iter().find(|c| {
                    c.is_outbound()
                        && c.to == pending.to
                        && c.created_at_ms + 1_000 >= pending.sent_ms
                        && !taken.contains(&c.provider_call_id)
                })
            })?
            .clone();
        self.obs
            .tags
            .push((tag.to_owned(), call.provider_call_id.clone()));
        Some(call)
    }

    fn provider_id(&mut self, tag: &str) -> Result<String, String> {
        if let Some(id) = self.obs.provider_id(tag) {
            return Ok(id.to_owned());
        }
        self.wait_for(5_000, |run| run.find(tag))
            .map(|c| c.provider_call_id)
            .ok_or_else(|| format!("call {tag} is not at the provider"))
    }

    fn resolve_all(&mut self) -> Option<()> {
        let tags: Vec<String> = self.pending.keys().cloned().collect();
        for tag in tags {
            if self.obs.provider_id(&tag).is_none() {
                self.find(&tag);
            }
        }
        Some(())
    }

    /// Waits until every call of the subject's has ended at the provider or
    /// passed its deadline, so the orphan check can judge every one.
    fn settle(&mut self) {
        let max_ms = self.scenario.settings.max_duration_secs * 1000;
        let slack = self.scenario.tolerances.orphan_slack_ms;
        let deadlines = self.obs.deadlines.clone();
        self.wait_for(max_ms + slack + 60_000, |run| {
            let page = run.emulator.calls().ok()?;
            page.calls
                .iter()
                .filter(|c| c.holds_slot_from().is_some() && !c.rejected && c.is_live())
                .all(|c| {
                    let start = c.answered_at_ms.unwrap_or(c.created_at_ms);
                    let by = deadlines
                        .iter()
                        .find(|d| d.provider_call_id == c.provider_call_id)
                        .map_or(start + max_ms + slack, |d| d.by_ms);
                    page.now_ms > by + 500
                })
                .then_some(())
        });
    }
}

fn mode(notify: bool) -> (&'static str, Option<&'static str>) {
    if notify {
        ("notify", Some("This is callproof's gate: a notify call."))
    } else {
        ("conversation", None)
    }
}
