//! Plivo's call status words, shared by the REST status query
//! (`call_status`) and the callbacks (`CallStatus`).
//!
//! Plivo's list (plivo.com/docs/voice/xml/request, call status):
//! progress `ringing` (ring URL), `in-progress` (answer URL); final
//! `completed`, and for outbound calls also `busy`, `failed`, `timeout`,
//! `no-answer`, `cancel`. The queued-call view reports `queued`.
//!
//! | Plivo         | here                      | why                                        |
//! |---------------|---------------------------|--------------------------------------------|
//! | `queued`      | live, not answered        | waiting for a dial slot                    |
//! | `ringing`     | live, not answered        |                                            |
//! | `in-progress` | live, answered            |                                            |
//! | `completed`   | ended `completed`         |                                            |
//! | `busy`        | ended `busy`              |                                            |
//! | `failed`      | ended `failed`            |                                            |
//! | `no-answer`   | ended `no-answer`         |                                            |
//! | `timeout`     | ended `no-answer`         | the ring timeout ran out: nobody picked up |
//! | `cancel`      | ended `hangup-bot`        | stopped before answer by a hangup request  |
//! | anything else | unknown (never ended)     |                                            |

use crate::state::{CallState, EndReason};

/// A recognised Plivo status word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlivoStatus {
    /// Waiting in Plivo's outbound queue.
    Queued,
    /// The callee's phone is ringing.
    Ringing,
    /// Answered and running.
    InProgress,
    /// Over, for this reason.
    Ended(EndReason),
}

impl PlivoStatus {
    /// Reads a status word; `None` for any word not in the table above.
    /// Matching is exact: Plivo sends these in lower case.
    pub(crate) fn parse(raw: &str) -> Option<PlivoStatus> {
        Some(match raw {
            "queued" => PlivoStatus::Queued,
            "ringing" => PlivoStatus::Ringing,
            "in-progress" => PlivoStatus::InProgress,
            "completed" => PlivoStatus::Ended(CallState::Completed),
            "busy" => PlivoStatus::Ended(CallState::Busy),
            "failed" => PlivoStatus::Ended(CallState::Failed),
            "no-answer" => PlivoStatus::Ended(CallState::NoAnswer),
            "timeout" => PlivoStatus::Ended(CallState::NoAnswer),
            "cancel" => PlivoStatus::Ended(CallState::HangupBot),
            _ => return None,
        })
    }
}
