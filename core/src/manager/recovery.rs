//! Restart: rebuild the manager from the journal alone, then reconcile every
//! call that was not known to be over with the provider.

use super::{Config, ExactE164, InboundRule, Manager, Millis};
use crate::journal::Replay;
use crate::state::CallState;

impl Manager {
    /// [`Manager::recover_with_rule`] with the exact E.164 rule.
    pub fn recover(config: Config, replay: &Replay, now: Millis) -> Manager {
        Manager::recover_with_rule(config, ExactE164, replay, now)
    }
}

impl<R: InboundRule> Manager<R> {
    /// Rebuilds the manager from a replayed journal at `now`, then queues what
    /// recovery must do (drain [`Manager::poll_output`]):
    ///
    /// - every non-terminal call keeps counting against capacity until the
    ///   provider proves it over;
    /// - a call older than max duration is hung up and written `timeout`;
    /// - a call with a provider id (or request id) gets a status request:
    ///   live keeps it with its deadlines re-armed on the *remaining* time,
    ///   ended or not-found writes the terminal record, unknown or
    ///   unreachable re-checks with bounded backoff (max duration still ends it);
    /// - a call with no provider id yet (crash between the provider accepting
    ///   the create and the id being written, B5-W2) waits for a callback
    ///   carrying our call id, bounded by the provider's own time limit;
    /// - a rejected inbound call whose hangup was never confirmed is hung up
    ///   again;
    /// - the notify-mode hangup deadline is re-armed from the journal.
    pub fn recover_with_rule(config: Config, rule: R, replay: &Replay, now: Millis) -> Manager<R> {
        let mut manager = Manager::with_rule(config, rule);
        manager.next_seq = replay.next_seq.max(1);
        // Request ids are unique across restarts of one journal.
        manager.next_request = manager.next_seq.saturating_mul(1 << 20);
        // Only the ended calls the history keeps are copied: the oldest
        // beyond `history_limit` are chosen first, as `evict_history` would
        // choose them after remembering all (a long journal holds thousands).
        let evicted = oldest_beyond_limit(replay, manager.config.history_limit);
        for record in replay.records.values() {
            if !record.state.is_terminal() {
                manager.admit(record.clone(), None);
            } else if !evicted.contains(record.call_id.as_str()) {
                manager.remember(record.clone());
            }
        }
        for record in evicted.iter().filter_map(|id| replay.records.get(*id)) {
            for id in [&record.provider_call_id, &record.callproof.request_id]
                .into_iter()
                .flatten()
            {
                manager.by_provider_id.remove(id);
            }
        }
        manager.evict_history();
        let owed: Vec<String> = manager
            .history
            .values()
            .filter(|r| r.callproof.hangup_pending)
            .map(|r| r.call_id.clone())
            .collect();
        for call_id in owed {
            manager.send_rejection_hangup(&call_id);
        }
        let live: Vec<String> = manager.calls.keys().cloned().collect();
        for call_id in live {
            manager.reconcile(&call_id, now);
        }
        manager
    }

    fn reconcile(&mut self, call_id: &str, now: Millis) {
        let Some(call) = self.calls.get(call_id) else {
            return;
        };
        let record = &call.record;
        let base = record.duration_base().unwrap_or(record.started_at);
        let expired = now >= base.saturating_add(self.config.max_duration_ms);
        let has_id = record.provider_call_id.is_some() || record.callproof.request_id.is_some();
        self.arm_call_timers(call_id, now);
        if expired {
            self.begin_hangup(call_id, CallState::Timeout, None, now);
        } else if has_id {
            self.send_status(call_id);
        }
    }
}

/// The ended calls `evict_history` would forget after remembering every
/// ended call of `replay`: the oldest by `seq` (ties by call id) beyond
/// `limit`, never one that still owes the provider a hangup.
fn oldest_beyond_limit(replay: &Replay, limit: usize) -> std::collections::BTreeSet<&str> {
    let ended = replay.records.values().filter(|r| r.state.is_terminal());
    let excess = ended.clone().count().saturating_sub(limit);
    let mut candidates: Vec<(Option<u64>, &str)> = ended
        .filter(|r| !r.callproof.hangup_pending)
        .map(|r| (r.seq, r.call_id.as_str()))
        .collect();
    candidates.sort_unstable();
    candidates
        .into_iter()
        .take(excess)
        .map(|(_, id)| id)
        .collect()
}
