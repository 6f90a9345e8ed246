//! Provider replies: what each outcome means for the call that asked.

use super::{CommandError, CommandOk, Manager, Millis, Output, Purpose, RequestId, TimerKind};
use crate::provider::{OpOutcome, ProviderCallStatus, ProviderError, ProviderOp};
use crate::state::CallState;

impl<R: super::InboundRule> Manager<R> {
    pub(super) fn on_reply(
        &mut self,
        id: RequestId,
        reply: Result<OpOutcome, ProviderError>,
        now: Millis,
    ) {
        let Some((call_id, purpose)) = self.requests.remove(&id) else {
            return;
        };
        if !self.calls.contains_key(&call_id) {
            // The call ended meanwhile. Only an owed rejection hangup still matters.
            if purpose == Purpose::Hangup && self.history.contains_key(&call_id) {
                let settled = matches!(reply, Ok(_) | Err(ProviderError::NotFound { .. }));
                self.on_rejection_hangup_reply(&call_id, settled, now);
            }
            return;
        }
        match purpose {
            Purpose::Create => self.on_create_reply(&call_id, reply, now),
            Purpose::Status => self.on_status_reply(&call_id, reply, now),
            Purpose::Hangup => self.on_hangup_reply(&call_id, reply, now),
            Purpose::Speak {
                cmd,
                initial,
                then_listen,
            } => match reply {
                Ok(_) if initial => self.on_initial_spoken(&call_id, now),
                Ok(_) if then_listen => self.start_listening(&call_id, now),
                Ok(_) => {
                    if let Some(cmd) = cmd {
                        self.done(cmd, Ok(CommandOk::Spoken));
                    }
                }
                Err(_) if initial => {
                    // The first words may not have been spoken: ask the
                    // provider about the call, and speak them again once it
                    // is confirmed live (a notify call then still hangs up
                    // promptly instead of at max duration).
                    self.schedule_recheck(&call_id, now);
                }
                Err(e) => {
                    if matches!(e, ProviderError::NotFound { .. }) {
                        // "Not found or already ended" about a call we count:
                        // ask the provider, whose answer proves the end, rather
                        // than hold the slot until a deadline.
                        self.send_status(&call_id);
                    }
                    let cmd = cmd.or_else(|| {
                        then_listen.then(|| {
                            self.calls
                                .get_mut(&call_id)
                                .and_then(|c| c.listen_cmd.take())
                        })?
                    });
                    if let Some(cmd) = cmd {
                        self.done(cmd, Err(CommandError::Provider(e)));
                    }
                }
            },
            Purpose::StartListening => {
                if let Err(e) = reply {
                    if matches!(e, ProviderError::NotFound { .. }) {
                        self.send_status(&call_id);
                    }
                    if let Some(cmd) = self
                        .calls
                        .get_mut(&call_id)
                        .and_then(|c| c.listen_cmd.take())
                    {
                        self.cancel_timer(&call_id, TimerKind::TranscriptTimeout);
                        self.done(cmd, Err(CommandError::Provider(e)));
                    }
                }
            }
            Purpose::StopListening => {}
        }
    }

    fn on_create_reply(
        &mut self,
        call_id: &str,
        reply: Result<OpOutcome, ProviderError>,
        now: Millis,
    ) {
        let cmd = self.calls.get_mut(call_id).and_then(|c| c.place_cmd.take());
        match reply {
            Ok(OpOutcome::Created {
                provider_call_id,
                request_id,
            }) => {
                if let Some(call) = self.calls.get_mut(call_id) {
                    if call.record.provider_call_id.is_none() {
                        call.record.provider_call_id = provider_call_id;
                    }
                    if call.record.callproof.request_id.is_none() {
                        call.record.callproof.request_id = request_id;
                    }
                    let record = call.record.clone();
                    self.index(&record);
                }
                self.persist(call_id);
                if let Some(cmd) = cmd {
                    self.done(
                        cmd,
                        Ok(CommandOk::Placed {
                            call_id: call_id.to_owned(),
                        }),
                    );
                }
                self.arm_call_timers(call_id, now);
                if self.calls.get(call_id).is_some_and(|c| c.hangup.is_some()) {
                    self.send_hangup(call_id, now);
                }
            }
            Ok(_) | Err(ProviderError::Malformed { .. }) | Err(ProviderError::Transient { .. }) => {
                // Outcome unknown: the phone may be ringing. Keep the slot;
                // callbacks carrying our call id will correlate it, and the
                // provider's own time limit bounds it (ProviderDeadline).
                if let Some(cmd) = cmd {
                    self.done(
                        cmd,
                        Err(CommandError::OutcomeUnknown {
                            call_id: call_id.to_owned(),
                        }),
                    );
                }
            }
            Err(e) => {
                // Rejected, unauthorized or not found: the provider did not
                // place the call.
                self.finish(call_id, CallState::Failed, now);
                if let Some(cmd) = cmd {
                    self.done(cmd, Err(CommandError::Provider(e)));
                }
            }
        }
    }

    fn on_status_reply(
        &mut self,
        call_id: &str,
        reply: Result<OpOutcome, ProviderError>,
        now: Millis,
    ) {
        match reply {
            Ok(OpOutcome::Status(ProviderCallStatus::Live { answered })) => {
                // Some providers only say "alive" (Telnyx). An outbound call
                // still alive past the ring timeout it was placed with has
                // been answered: the provider would have ended it otherwise.
                let rung_out = self.calls.get(call_id).is_some_and(|c| {
                    c.record.direction == crate::record::Direction::Outbound
                        && now
                            >= c.record
                                .started_at
                                .saturating_add(u64::from(self.config.ring_timeout_secs) * 1000)
                                .saturating_add(self.config.provider_slack_ms)
                });
                let answered = answered || rung_out;
                let mut changed = false;
                if answered {
                    changed = self.move_state(call_id, CallState::Answered);
                }
                let stale = self.calls.get(call_id).is_some_and(|c| {
                    !c.record.state.is_connected()
                        && now
                            >= c.record
                                .started_at
                                .saturating_add(self.config.stale_call_ms)
                });
                if stale {
                    // Still ringing past the stale-call window: reap it.
                    self.begin_hangup(call_id, CallState::Timeout, None, now);
                }
                if let Some(call) = self.calls.get_mut(call_id) {
                    call.doubt = None;
                }
                self.cancel_timer(call_id, TimerKind::Recheck);
                if changed {
                    self.persist(call_id);
                }
                self.arm_call_timers(call_id, now);
                let needs_message = self.calls.get(call_id).is_some_and(|c| {
                    c.record.state.is_connected() && c.record.callproof.notify_hangup_at.is_none()
                });
                if needs_message {
                    self.speak_initial_message(call_id);
                }
            }
            Ok(OpOutcome::Status(ProviderCallStatus::Ended { reason })) => {
                self.finish(call_id, reason, now)
            }
            Err(ProviderError::NotFound { .. }) => {
                let reason = self.end_reason_without_detail(call_id);
                self.finish(call_id, reason, now)
            }
            // Unknown status, unreachable, refused: no proof either way. Keep
            // counting and ask again later; max duration still ends it.
            _ => self.schedule_recheck(call_id, now),
        }
    }

    fn on_hangup_reply(
        &mut self,
        call_id: &str,
        reply: Result<OpOutcome, ProviderError>,
        now: Millis,
    ) {
        if let Some(call) = self.calls.get_mut(call_id) {
            call.hangup_in_flight = false;
        }
        let reason = self
            .calls
            .get(call_id)
            .and_then(|c| c.hangup.as_ref().map(|(r, _)| *r));
        match (reply, reason) {
            (Ok(_) | Err(ProviderError::NotFound { .. }), Some(reason)) => {
                self.finish(call_id, reason, now)
            }
            (Ok(_) | Err(ProviderError::NotFound { .. }), None) => {
                let reason = self.end_reason_without_detail(call_id);
                self.finish(call_id, reason, now)
            }
            (Err(e), _) => {
                // Not proven over: keep the slot, retry with backoff; tell a
                // waiting End command now rather than leave it hanging.
                let waiting: Vec<_> = self
                    .calls
                    .get_mut(call_id)
                    .and_then(|c| c.hangup.as_mut().map(|(_, w)| std::mem::take(w)))
                    .unwrap_or_default();
                for cmd in waiting {
                    self.outputs
                        .push_back(Output::Done(cmd, Err(CommandError::Provider(e.clone()))));
                }
                self.schedule_recheck(call_id, now);
            }
        }
    }

    /// The provider proved the call over without saying why.
    fn end_reason_without_detail(&self, call_id: &str) -> CallState {
        match self.calls.get(call_id) {
            Some(c) if c.record.state.is_connected() => CallState::Completed,
            _ => CallState::NoAnswer,
        }
    }

    fn start_listening(&mut self, call_id: &str, now: Millis) {
        self.move_state(call_id, CallState::Listening);
        self.persist(call_id);
        let at = now.saturating_add(self.config.transcript_timeout_ms);
        self.set_timer(call_id, TimerKind::TranscriptTimeout, at);
        let op = ProviderOp::StartListening {
            call: self.call_ref(call_id),
        };
        self.request(call_id, Purpose::StartListening, op);
    }
}
