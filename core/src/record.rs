//! Call records as OpenClaw writes them in `calls.jsonl`: one full record per
//! line, camelCase fields. Unknown fields are kept (never lost data) and our
//! own additions live in two extra keys, `seq` and `callproof`, which OpenClaw's
//! schema ignores.

use crate::state::{CallState, EndReason};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Who started the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Someone called us.
    Inbound,
    /// We placed the call.
    Outbound,
}

/// How an outbound call behaves once answered (OpenClaw's `CallMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallMode {
    /// Speak one message, then hang up after the notify delay.
    Notify,
    /// Speak and listen in turns until someone hangs up.
    Conversation,
}

/// One line of what was said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptEntry {
    /// Milliseconds since the Unix epoch.
    pub timestamp: u64,
    /// `"bot"` or `"user"`.
    pub speaker: String,
    /// The words.
    pub text: String,
    /// Whether the recognizer is done with this utterance.
    #[serde(default = "yes")]
    pub is_final: bool,
}

fn yes() -> bool {
    true
}

/// State the manager needs across a restart that OpenClaw's record has no
/// field for. Everything here is optional so OpenClaw lines parse unchanged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Extension {
    /// Plivo's `request_uuid`: known before the call's own uuid is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// When the notify-mode hangup is due (ms since epoch): journaled so a
    /// restart still hangs up (bug class B12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_hangup_at: Option<u64>,
    /// An inbound call our policy refused (bug class B9).
    #[serde(default, skip_serializing_if = "is_false")]
    pub rejected: bool,
    /// A hangup we owe the provider and have not seen confirmed.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hangup_pending: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Extension {
    fn is_empty(&self) -> bool {
        self == &Extension::default()
    }
}

/// One call, as persisted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallRecord {
    /// The manager's own id; carried in callbacks so calls can be correlated
    /// before the provider's id is known.
    pub call_id: String,
    /// The provider's id (Twilio CallSid, Plivo CallUUID, Telnyx call_control_id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_call_id: Option<String>,
    /// `"twilio"`, `"plivo"`, `"telnyx"` or `"mock"`.
    pub provider: String,
    /// Who started it.
    pub direction: Direction,
    /// Where it is now.
    pub state: CallState,
    /// Caller number (E.164).
    pub from: String,
    /// Callee number (E.164).
    pub to: String,
    /// The agent session this call belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_key: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub started_at: u64,
    /// When the callee picked up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<u64>,
    /// When the call ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<u64>,
    /// Why it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<EndReason>,
    /// What was said.
    #[serde(default)]
    pub transcript: Vec<TranscriptEntry>,
    /// Dedupe keys of the provider events applied to this call (bounded).
    #[serde(default)]
    pub processed_event_ids: Vec<String>,
    /// OpenClaw keeps `mode` and `initialMessage` here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, Value>>,
    /// Journal sequence number of this line (written by callproof only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// callproof's own durable state for this call.
    #[serde(default, skip_serializing_if = "Extension::is_empty")]
    pub callproof: Extension,
    /// Fields neither schema knows, kept as they were.
    #[serde(flatten)]
    pub unknown: BTreeMap<String, Value>,
}

impl CallRecord {
    /// The call mode from `metadata.mode` (conversation when absent, as OpenClaw).
    pub fn mode(&self) -> CallMode {
        match self.metadata_str("mode") {
            Some("notify") => CallMode::Notify,
            _ => CallMode::Conversation,
        }
    }

    /// The message still to be spoken once answered, if any.
    pub fn initial_message(&self) -> Option<&str> {
        self.metadata_str("initialMessage")
            .filter(|m| !m.trim().is_empty())
    }

    fn metadata_str(&self, key: &str) -> Option<&str> {
        self.metadata.as_ref()?.get(key)?.as_str()
    }

    /// Whether this call still counts against `maxConcurrentCalls`.
    pub fn counts_against_capacity(&self) -> bool {
        !self.state.is_terminal()
    }

    /// When the max-duration clock started: `answeredAt`, or `startedAt` for
    /// calls that reached a connected state without one (bug class B4).
    pub fn duration_base(&self) -> Option<u64> {
        match self.answered_at {
            Some(at) => Some(at),
            None if self.state.is_connected() => Some(self.started_at),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPENCLAW_LINE: &str = r#"{"callId":"49a7d28f-1b2c-4d5e-8f90-0123456789ab","provider":"twilio","direction":"outbound","state":"initiated","from":"+15550000000","to":"+15551234567","startedAt":1769990000000,"transcript":[],"processedEventIds":[],"metadata":{"mode":"conversation","initialMessage":"hi"},"futureField":{"x":1}}"#;

    #[test]
    fn an_openclaw_line_parses_and_keeps_its_unknown_fields() {
        let record: CallRecord = serde_json::from_str(OPENCLAW_LINE).unwrap();
        assert_eq!(record.state, CallState::Initiated);
        assert_eq!(record.initial_message(), Some("hi"));
        assert_eq!(record.mode(), CallMode::Conversation);
        assert_eq!(record.seq, None);
        let back = serde_json::to_value(&record).unwrap();
        assert_eq!(back["futureField"]["x"], 1);
        assert!(
            back.get("callproof").is_none(),
            "empty extension is not written"
        );
    }

    #[test]
    fn a_connected_call_without_answered_at_counts_duration_from_its_start() {
        let mut record: CallRecord = serde_json::from_str(OPENCLAW_LINE).unwrap();
        assert_eq!(record.duration_base(), None);
        record.state = CallState::Speaking;
        assert_eq!(record.duration_base(), Some(record.started_at));
        record.answered_at = Some(5);
        assert_eq!(record.duration_base(), Some(5));
    }
}
