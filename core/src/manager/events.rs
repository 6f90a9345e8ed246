//! Provider callbacks: correlation, dedupe, transitions.

use super::{Ack, CommandOk, EventToken, Manager, Millis, Output, Purpose, TimerKind};
use crate::provider::{EventKind, ProviderEvent, ProviderOp};
use crate::record::CallMode;
use crate::state::{transition, CallState, Transition};

/// Which call an event is about.
enum Target {
    Live(String),
    Ended(String),
    Unknown,
}

/// The state an event asks for, if it asks for one.
fn target_state(kind: &EventKind) -> Option<CallState> {
    Some(match kind {
        EventKind::Initiated => CallState::Initiated,
        EventKind::Ringing => CallState::Ringing,
        EventKind::Answered => CallState::Answered,
        EventKind::Active => CallState::Active,
        EventKind::Speaking => CallState::Speaking,
        EventKind::Speech { .. } => CallState::Listening,
        EventKind::Ended { reason } => *reason,
        EventKind::Error {
            retryable: false, ..
        } => CallState::Error,
        EventKind::Error {
            retryable: true, ..
        } => return None,
    })
}

impl<R: super::InboundRule> Manager<R> {
    fn correlate(&self, event: &ProviderEvent) -> Target {
        let by_own_id = event.call_id.as_deref();
        let by_provider = [
            event.provider_call_id.as_deref(),
            event.request_id.as_deref(),
        ]
        .into_iter()
        .flatten()
        .find_map(|id| self.by_provider_id.get(id).map(String::as_str));
        for id in [by_own_id, by_provider].into_iter().flatten() {
            if self.calls.contains_key(id) {
                return Target::Live(id.to_owned());
            }
            if self.history.contains_key(id) {
                return Target::Ended(id.to_owned());
            }
        }
        Target::Unknown
    }

    pub(super) fn on_event(&mut self, token: EventToken, event: ProviderEvent, now: Millis) {
        let call_id = match self.correlate(&event) {
            Target::Ended(id) => {
                // Late or retried callbacks for ended calls change nothing
                // (B8): the table says a terminal state absorbs them.
                let state = self.history.get(&id).map(|r| r.state);
                let moves = state
                    .zip(target_state(&event.kind))
                    .map(|(from, to)| transition(from, to));
                if moves != Some(Transition::Move) {
                    return self.outputs.push_back(Output::Ack(token, Ack::Duplicate));
                }
                // Only reachable if the table lets a terminal state move.
                let Some(record) = self.history.remove(&id) else {
                    return;
                };
                self.admit(record, None);
                id
            }
            Target::Unknown => return self.on_unknown_call(token, event, now),
            Target::Live(id) => id,
        };
        let seen = self
            .calls
            .get(&call_id)
            .is_some_and(|c| c.record.processed_event_ids.contains(&event.dedupe_key));
        if seen {
            return self.outputs.push_back(Output::Ack(token, Ack::Duplicate));
        }
        let learned = self.learn_ids(&call_id, &event);
        let at = event.occurred_at.unwrap_or(now);
        let was_connected = self
            .calls
            .get(&call_id)
            .is_some_and(|c| c.record.state.is_connected());
        let mut changed = learned;
        let mut final_words = None;
        match &event.kind {
            EventKind::Initiated => changed |= self.move_state(&call_id, CallState::Initiated),
            EventKind::Ringing => changed |= self.move_state(&call_id, CallState::Ringing),
            EventKind::Answered => changed |= self.move_state(&call_id, CallState::Answered),
            EventKind::Active => changed |= self.move_state(&call_id, CallState::Active),
            EventKind::Speaking => changed |= self.move_state(&call_id, CallState::Speaking),
            EventKind::Speech {
                transcript,
                is_final,
            } => {
                if *is_final {
                    self.add_transcript(&call_id, "user", transcript, at);
                    final_words = Some(transcript.clone());
                    changed = true;
                }
                changed |= self.move_state(&call_id, CallState::Listening);
            }
            EventKind::Ended { reason } => {
                self.remember_key(&call_id, &event.dedupe_key);
                self.finish(&call_id, *reason, at);
                return self.outputs.push_back(Output::Ack(token, Ack::Accepted));
            }
            EventKind::Error {
                retryable: false, ..
            } => {
                self.remember_key(&call_id, &event.dedupe_key);
                self.finish(&call_id, CallState::Error, at);
                return self.outputs.push_back(Output::Ack(token, Ack::Accepted));
            }
            EventKind::Error {
                retryable: true, ..
            } => {}
        }
        let now_connected = self
            .calls
            .get(&call_id)
            .is_some_and(|c| c.record.state.is_connected());
        if now_connected && !was_connected {
            if let Some(call) = self.calls.get_mut(&call_id) {
                call.record.answered_at.get_or_insert(at);
            }
        } else if now_connected && matches!(event.kind, EventKind::Answered) {
            // A status said "answered" first, without a time: the answer
            // callback brings it, so max duration counts from the answer.
            if let Some(call) = self.calls.get_mut(&call_id) {
                if call.record.answered_at.is_none() {
                    call.record.answered_at = Some(at);
                    changed = true;
                }
            }
        }
        if !changed {
            // Stale (reordered) or no-op: acknowledged, nothing written.
            return self.outputs.push_back(Output::Ack(token, Ack::Duplicate));
        }
        self.remember_key(&call_id, &event.dedupe_key);
        if let Some(call) = self.calls.get_mut(&call_id) {
            call.doubt = None;
        }
        self.persist(&call_id);
        self.outputs.push_back(Output::Ack(token, Ack::Accepted));
        self.cancel_timer(&call_id, TimerKind::Recheck);
        self.arm_call_timers(&call_id, now);
        if now_connected && !was_connected {
            self.speak_initial_message(&call_id);
        }
        if let Some(words) = final_words {
            self.on_final_words(&call_id, words);
        }
        // An End that arrived before the provider id can go out now.
        if learned && self.calls.get(&call_id).is_some_and(|c| c.hangup.is_some()) {
            self.send_hangup(&call_id, now);
        }
    }

    /// Records provider ids the call did not have yet; true if any.
    pub(super) fn learn_ids(&mut self, call_id: &str, event: &ProviderEvent) -> bool {
        let Some(call) = self.calls.get_mut(call_id) else {
            return false;
        };
        let mut learned = false;
        if let Some(pid) = &event.provider_call_id {
            if call.record.provider_call_id.as_ref() != Some(pid) {
                call.record.provider_call_id = Some(pid.clone());
                learned = true;
            }
        }
        if let Some(rid) = &event.request_id {
            if call.record.callproof.request_id.is_none()
                && call.record.provider_call_id.as_ref() != Some(rid)
            {
                call.record.callproof.request_id = Some(rid.clone());
                learned = true;
            }
        }
        if learned {
            let record = call.record.clone();
            self.index(&record);
        }
        learned
    }

    /// Remembers a dedupe key with the change it guards (bounded per call).
    fn remember_key(&mut self, call_id: &str, key: &str) {
        let limit = self.config.dedupe_per_call.max(1);
        let record = match self.calls.get_mut(call_id) {
            Some(call) => &mut call.record,
            None => return,
        };
        record.processed_event_ids.push(key.to_owned());
        let excess = record.processed_event_ids.len().saturating_sub(limit);
        record.processed_event_ids.drain(..excess);
    }

    /// Once answered: speak the initial message (inbound greeting or outbound
    /// conversation/notify message). It stays in the record until spoken, so
    /// a restart in between speaks it again rather than never (B12).
    pub(super) fn speak_initial_message(&mut self, call_id: &str) {
        let Some(call) = self.calls.get(call_id) else {
            return;
        };
        let Some(text) = call.record.initial_message().map(str::to_owned) else {
            return;
        };
        if call.record.provider_call_id.is_none() {
            return;
        }
        let op = ProviderOp::Speak {
            call: self.call_ref(call_id),
            text,
        };
        self.request(
            call_id,
            Purpose::Speak {
                cmd: None,
                initial: true,
                then_listen: false,
            },
            op,
        );
    }

    /// The initial message was spoken: clear it, and in notify mode journal
    /// when to hang up so a restart still does (B12).
    pub(super) fn on_initial_spoken(&mut self, call_id: &str, now: Millis) {
        let delay = self.config.notify_hangup_delay_ms;
        let Some(call) = self.calls.get_mut(call_id) else {
            return;
        };
        if let Some(meta) = call.record.metadata.as_mut() {
            meta.remove("initialMessage");
        }
        if call.record.mode() == CallMode::Notify {
            call.record.callproof.notify_hangup_at = Some(now.saturating_add(delay));
        }
        self.persist(call_id);
        self.arm_call_timers(call_id, now);
    }

    fn on_final_words(&mut self, call_id: &str, words: String) {
        let Some(cmd) = self
            .calls
            .get_mut(call_id)
            .and_then(|c| c.listen_cmd.take())
        else {
            return;
        };
        self.cancel_timer(call_id, TimerKind::TranscriptTimeout);
        self.outputs
            .push_back(Output::Done(cmd, Ok(CommandOk::Transcript(words))));
        let op = ProviderOp::StopListening {
            call: self.call_ref(call_id),
        };
        self.request(call_id, Purpose::StopListening, op);
    }
}
