//! The call model: fifteen states, nine of them terminal, and the one table that
//! says which moves between them are allowed.
//!
//! The state names are OpenClaw's own (`CallStateSchema` in its voice-call
//! extension), so a journal written here stays readable there. The provider
//! status lists they are mapped from are quoted beside each adapter.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a call is in its life. Non-terminal states are listed in the order a
/// call moves through them; `Speaking` and `Listening` may alternate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallState {
    /// Waiting for the provider to say the call exists (create sent or accepted).
    Initiated,
    /// Waiting for the callee to pick up.
    Ringing,
    /// Picked up; waiting for the media/conversation to start.
    Answered,
    /// Conversation running, nobody speaking yet.
    Active,
    /// The bot is talking.
    Speaking,
    /// Waiting for the caller's words.
    Listening,
    /// Ended normally.
    Completed,
    /// The remote party hung up.
    HangupUser,
    /// We hung up (command, notify-mode delay, or a rejected inbound call).
    HangupBot,
    /// We hung up because a deadline passed (max duration, stale ringing).
    Timeout,
    /// The provider reported an error that ended the call.
    Error,
    /// The call could not be placed.
    Failed,
    /// Nobody answered.
    NoAnswer,
    /// The line was busy.
    Busy,
    /// Answering machine.
    Voicemail,
}

/// Why a call ended: exactly the terminal states, as OpenClaw's `EndReason`.
pub type EndReason = CallState;

impl CallState {
    /// Every state, non-terminal first, in table order.
    pub const ALL: [CallState; 15] = [
        CallState::Initiated,
        CallState::Ringing,
        CallState::Answered,
        CallState::Active,
        CallState::Speaking,
        CallState::Listening,
        CallState::Completed,
        CallState::HangupUser,
        CallState::HangupBot,
        CallState::Timeout,
        CallState::Error,
        CallState::Failed,
        CallState::NoAnswer,
        CallState::Busy,
        CallState::Voicemail,
    ];

    /// A terminal state is absorbing: nothing moves a call out of it.
    pub fn is_terminal(self) -> bool {
        self.forward_rank().is_none()
    }

    /// Whether the callee has picked up (the max-duration clock is running).
    pub fn is_connected(self) -> bool {
        matches!(
            self,
            CallState::Answered | CallState::Active | CallState::Speaking | CallState::Listening
        )
    }

    /// Position in the forward order of live states; `None` for terminal ones.
    fn forward_rank(self) -> Option<u8> {
        Some(match self {
            CallState::Initiated => 0,
            CallState::Ringing => 1,
            CallState::Answered => 2,
            CallState::Active => 3,
            CallState::Speaking => 4,
            CallState::Listening => 4,
            _ => return None,
        })
    }

    /// The wire name (`"no-answer"`, `"hangup-bot"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            CallState::Initiated => "initiated",
            CallState::Ringing => "ringing",
            CallState::Answered => "answered",
            CallState::Active => "active",
            CallState::Speaking => "speaking",
            CallState::Listening => "listening",
            CallState::Completed => "completed",
            CallState::HangupUser => "hangup-user",
            CallState::HangupBot => "hangup-bot",
            CallState::Timeout => "timeout",
            CallState::Error => "error",
            CallState::Failed => "failed",
            CallState::NoAnswer => "no-answer",
            CallState::Busy => "busy",
            CallState::Voicemail => "voicemail",
        }
    }
}

impl fmt::Display for CallState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What applying "the provider (or we) say the call is now in `to`" does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Transition {
    /// The call moves to the new state.
    Move,
    /// Already there: a duplicate, a no-op (never an error).
    Same,
    /// The fact is older than what we know (late or reordered callback): ignored.
    Stale,
    /// The call already ended: terminal states absorb everything.
    Absorbed,
}

/// The transition table. Rules, in order:
/// 1. a terminal state absorbs every event (first terminal facts win);
/// 2. the same state again is a no-op;
/// 3. any live state may end (move to any terminal state);
/// 4. speaking and listening may alternate;
/// 5. otherwise states only move forward.
pub fn transition(from: CallState, to: CallState) -> Transition {
    let (Some(from_rank), to_rank) = (from.forward_rank(), to.forward_rank()) else {
        return Transition::Absorbed;
    };
    if from == to {
        return Transition::Same;
    }
    match to_rank {
        None => Transition::Move,
        Some(to_rank) if to_rank > from_rank => Transition::Move,
        Some(to_rank) if to_rank == from_rank => Transition::Move, // speaking <-> listening
        Some(_) => Transition::Stale,
    }
}

/// The full event x state matrix as text, one row per current state: what the
/// snapshot test pins and what a reviewer reads.
pub fn transition_matrix() -> String {
    let mut out = format!("{:<11}", "from \\ to");
    for to in CallState::ALL {
        out.push(' ');
        out.push_str(&format!("{:>11}", to.as_str()));
    }
    out.push('\n');
    for from in CallState::ALL {
        out.push_str(&format!("{:<11}", from.as_str()));
        for to in CallState::ALL {
            let cell = match transition(from, to) {
                Transition::Move => "move",
                Transition::Same => "same",
                Transition::Stale => "stale",
                Transition::Absorbed => "absorbed",
            };
            out.push_str(&format!(" {cell:>11}"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_transition_matrix_is_pinned() {
        insta::assert_snapshot!(transition_matrix());
    }

    #[test]
    fn six_states_are_live_and_nine_are_terminal() {
        let terminal = CallState::ALL.iter().filter(|s| s.is_terminal()).count();
        assert_eq!(terminal, 9);
        assert_eq!(CallState::ALL.len() - terminal, 6);
    }

    #[test]
    fn wire_names_round_trip_through_serde() {
        for state in CallState::ALL {
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{}\"", state.as_str()));
            assert_eq!(serde_json::from_str::<CallState>(&json).unwrap(), state);
        }
    }
}
