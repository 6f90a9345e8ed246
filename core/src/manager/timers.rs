//! Deadlines: which timers a call has, and what happens when one fires.

use super::{Manager, Millis, Output, Purpose, TimerId, TimerKind};
use crate::provider::ProviderOp;
use crate::state::CallState;

impl<R: super::InboundRule> Manager<R> {
    pub(super) fn set_timer(&mut self, call_id: &str, kind: TimerKind, at: Millis) {
        let id = TimerId {
            call_id: call_id.to_owned(),
            kind,
        };
        if self.timers.get(&id) == Some(&at) {
            return;
        }
        self.timers.insert(id.clone(), at);
        self.outputs.push_back(Output::SetTimer(id, at));
    }

    pub(super) fn cancel_timer(&mut self, call_id: &str, kind: TimerKind) {
        let id = TimerId {
            call_id: call_id.to_owned(),
            kind,
        };
        if self.timers.remove(&id).is_some() {
            self.outputs.push_back(Output::CancelTimer(id));
        }
    }

    pub(super) fn cancel_all_timers(&mut self, call_id: &str) {
        let ids: Vec<TimerId> = self
            .timers
            .keys()
            .filter(|t| t.call_id == call_id)
            .cloned()
            .collect();
        for id in ids {
            self.cancel_timer(call_id, id.kind);
        }
    }

    /// Arms every deadline a live call's record implies. Idempotent: used
    /// after placing, after each change, and after recovery (which is why the
    /// deadlines come from the record, not from "now + full duration": a
    /// restored call gets only its *remaining* time, bug class B4).
    pub(super) fn arm_call_timers(&mut self, call_id: &str, _now: Millis) {
        let Some(call) = self.calls.get(call_id) else {
            return;
        };
        let record = &call.record;
        let cfg = &self.config;
        let max_duration = record
            .duration_base()
            .map(|base| base.saturating_add(cfg.max_duration_ms));
        let stale = (!record.state.is_connected())
            .then(|| record.started_at.saturating_add(cfg.stale_call_ms));
        let notify = record.callproof.notify_hangup_at;
        // Every outbound call carries the provider's own time limit, so the
        // provider has ended it by this deadline whatever we could or could not
        // learn: no provider id, only a request id whose lookups prove nothing,
        // or an API that kept failing our hangups.
        let provider_deadline =
            (record.direction == crate::record::Direction::Outbound).then(|| {
                record
                    .started_at
                    .saturating_add(u64::from(cfg.ring_timeout_secs) * 1000)
                    .saturating_add(cfg.max_duration_ms)
                    .saturating_add(cfg.provider_slack_ms)
            });
        for (kind, at) in [
            (TimerKind::MaxDuration, max_duration),
            (TimerKind::StaleRinging, stale),
            (TimerKind::NotifyHangup, notify),
            (TimerKind::ProviderDeadline, provider_deadline),
        ] {
            match at {
                Some(at) => self.set_timer(call_id, kind, at),
                None => self.cancel_timer(call_id, kind),
            }
        }
    }

    pub(super) fn on_timer(&mut self, id: TimerId, now: Millis) {
        // Only timers we armed and have not cancelled count.
        if self.timers.remove(&id).is_none() {
            return;
        }
        let call_id = id.call_id.as_str();
        if !self.calls.contains_key(call_id) {
            // A rejected inbound call still owed a hangup.
            if id.kind == TimerKind::Recheck {
                self.retry_rejection_hangup(call_id);
            }
            return;
        }
        match id.kind {
            TimerKind::MaxDuration => self.begin_hangup(call_id, CallState::Timeout, None, now),
            TimerKind::StaleRinging => {
                let Some(call) = self.calls.get(call_id) else {
                    return;
                };
                if call.record.state.is_connected() || call.hangup.is_some() {
                    return;
                }
                let has_id = call.record.provider_call_id.is_some()
                    || call.record.callproof.request_id.is_some();
                if has_id {
                    // Past the ring timeout a call we still think is ringing
                    // was answered or is over, its callback lost: ask first,
                    // so a live conversation is never reaped (the status
                    // reply hangs up a call that really is still ringing).
                    self.send_status(call_id);
                } else {
                    self.begin_hangup(call_id, CallState::Timeout, None, now);
                }
            }
            TimerKind::NotifyHangup => self.begin_hangup(call_id, CallState::HangupBot, None, now),
            TimerKind::TranscriptTimeout => {
                let cmd = self
                    .calls
                    .get_mut(call_id)
                    .and_then(|c| c.listen_cmd.take());
                if let Some(cmd) = cmd {
                    let call_id = call_id.to_owned();
                    self.done(cmd, Err(super::CommandError::TranscriptTimeout { call_id }));
                }
            }
            TimerKind::Recheck => self.recheck(call_id, now),
            TimerKind::ProviderDeadline => {
                // The provider's own time limit (sent with the create) has
                // ended the call by now.
                let reason = self
                    .calls
                    .get(call_id)
                    .and_then(|c| c.hangup.as_ref().map(|(reason, _)| *reason))
                    .unwrap_or(CallState::Timeout);
                self.finish(call_id, reason, now);
            }
        }
    }

    /// Retries whatever is unresolved on a call: an owed hangup first, else a
    /// status check for a call in doubt.
    fn recheck(&mut self, call_id: &str, now: Millis) {
        let Some(call) = self.calls.get(call_id) else {
            return;
        };
        if call.hangup.is_some() {
            self.send_hangup(call_id, now);
        } else if call.doubt.is_some() {
            self.send_status(call_id);
        }
    }

    pub(super) fn send_status(&mut self, call_id: &str) {
        let op = ProviderOp::Status {
            call: self.call_ref(call_id),
        };
        self.request(call_id, Purpose::Status, op);
    }

    /// Schedules the next retry with backoff, counting attempts in `doubt`.
    pub(super) fn schedule_recheck(&mut self, call_id: &str, now: Millis) {
        let Some(call) = self.calls.get_mut(call_id) else {
            return;
        };
        let attempt = call.doubt.unwrap_or(0);
        call.doubt = Some(attempt.saturating_add(1));
        let at = now.saturating_add(self.config.backoff.delay(attempt));
        self.set_timer(call_id, TimerKind::Recheck, at);
    }
}
