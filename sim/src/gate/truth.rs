//! The emulator's ground truth as the gate reads it from `/_callproof/`
//! (`sim/CONTRACTS.md` section 1): calls, the REST requests the subject sent
//! with the answers it got, and every callback delivery attempt.
//!
//! Every field defaults, and unknown fields are ignored, so a newer emulator
//! never makes the gate misread an older one's answer as an error.

use serde::{Deserialize, Serialize};

/// One call the provider carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Call {
    /// `twilio`, `plivo` or `telnyx`.
    pub provider: String,
    /// The provider's id (Twilio `CA…`).
    pub provider_call_id: String,
    /// The gateway's own id, when the callback URL or client state carries it.
    pub call_id: Option<String>,
    /// `outbound` or `inbound`.
    pub direction: String,
    /// Caller.
    pub from: String,
    /// Callee.
    pub to: String,
    /// `queued`, `ringing`, `answered` or `ended`.
    pub state: String,
    /// Why it ended.
    pub end_reason: Option<String>,
    /// Who ended it: `gateway`, `callee`, `caller`, `provider`, `control`.
    pub ended_by: Option<String>,
    /// The gateway refused this inbound call.
    pub rejected: bool,
    /// When the provider created it.
    pub created_at_ms: u64,
    /// When it was answered.
    pub answered_at_ms: Option<u64>,
    /// When it ended.
    pub ended_at_ms: Option<u64>,
    /// What happened to it, in order.
    pub timeline: Vec<TimelineEvent>,
}

/// One entry of a call's timeline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TimelineEvent {
    /// When.
    pub at_ms: u64,
    /// `created`, `ringing`, `answered`, `ended`, `hangup`, `status`, ….
    pub event: String,
    /// Free text.
    pub detail: String,
}

impl Call {
    /// Whether the gateway placed it.
    pub fn is_outbound(&self) -> bool {
        self.direction == "outbound"
    }

    /// Whether a caller rang the gateway.
    pub fn is_inbound(&self) -> bool {
        self.direction == "inbound"
    }

    /// When the call started to hold a slot of the gateway's capacity:
    /// an outbound call from its creation, an inbound one once answered;
    /// `None` for an inbound call never answered.
    pub fn holds_slot_from(&self) -> Option<u64> {
        if self.is_outbound() {
            Some(self.created_at_ms)
        } else {
            self.answered_at_ms
        }
    }

    /// Whether it is still live at the provider.
    pub fn is_live(&self) -> bool {
        self.ended_at_ms.is_none() && self.state != "ended"
    }

    /// Whether `id` names this call (the provider's id or the gateway's).
    pub fn is_named(&self, id: &str) -> bool {
        self.provider_call_id == id || self.call_id.as_deref() == Some(id)
    }
}

/// One REST request the subject sent to the provider and what it was answered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Request {
    /// Order of arrival.
    pub seq: u64,
    /// When it arrived.
    pub at_ms: u64,
    /// The provider.
    pub provider: String,
    /// HTTP method.
    pub method: String,
    /// The path.
    pub path: String,
    /// `create`, `status`, `hangup`, `speak`, `list`, `invalid`, ….
    pub operation: String,
    /// The call it is about, when known.
    pub provider_call_id: Option<String>,
    /// The status answered (`None` when no answer was sent).
    pub status: Option<u16>,
    /// The fault rule applied to it, if any (`status:503`, `drop`, `reply_lost`, …).
    pub fault: Option<String>,
    /// Whether the provider applied it.
    pub applied: bool,
    /// What the subject sent.
    pub request_body: String,
    /// What it was answered.
    pub response_body: String,
}

impl Request {
    /// How the subject fared, in words: "answered 200", "failed with 503",
    /// "connection dropped before it was applied", ….
    pub fn outcome(&self) -> String {
        match (self.fault.as_deref(), self.status) {
            (Some("drop"), _) => "connection dropped before it was applied (fault)".into(),
            (Some("reply_lost"), _) => "applied, then the reply was lost (fault)".into(),
            (Some(f), Some(s)) if !(200..300).contains(&s) => format!("failed with {s} ({f})"),
            (_, Some(s)) if (200..300).contains(&s) => format!("answered {s}"),
            (_, Some(s)) => format!("failed with {s}"),
            (Some(f), None) => format!("no answer ({f})"),
            (None, None) => "no answer".into(),
        }
    }

    /// Whether the subject got a 2xx answer.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
            && !matches!(self.fault.as_deref(), Some("drop" | "reply_lost"))
    }
}

/// One callback delivery attempt and the gateway's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Delivery {
    /// Order.
    pub seq: u64,
    /// When it was attempted.
    pub at_ms: u64,
    /// The provider.
    pub provider: String,
    /// The call.
    pub provider_call_id: String,
    /// `initiated`, `ringing`, `answered`, `ended`, ….
    pub kind: String,
    /// The public URL it was signed over.
    pub url: String,
    /// Where it was really sent.
    pub sent_to: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// A duplicate the emulator sent on purpose.
    pub duplicate: bool,
    /// Delivered late on purpose (delay, reorder, redelivery).
    pub late: bool,
    /// `delivered`, `http_error`, `connect_error`, `timeout`, `dropped`.
    pub outcome: String,
    /// The gateway's status code.
    pub status: Option<u16>,
    /// What the gateway's answer meant: `accept`, `reject`, `hangup`.
    pub answer: Option<String>,
    /// The gateway's body.
    pub response_body: String,
}

impl Delivery {
    /// Whether the gateway took it (2xx).
    pub fn accepted(&self) -> bool {
        self.outcome == "delivered" && self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Everything the emulator knew at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truth {
    /// The emulator's clock when the calls were read.
    pub now_ms: u64,
    /// Every call.
    pub calls: Vec<Call>,
    /// Every REST request.
    pub requests: Vec<Request>,
    /// Every callback attempt.
    pub webhooks: Vec<Delivery>,
}

impl Truth {
    /// The call `id` names (provider id or gateway id).
    pub fn call(&self, id: &str) -> Option<&Call> {
        self.calls.iter().find(|c| c.is_named(id))
    }

    /// The REST requests about `provider_call_id`, in order.
    pub fn requests_for<'a>(
        &'a self,
        provider_call_id: &'a str,
    ) -> impl Iterator<Item = &'a Request> {
        self.requests
            .iter()
            .filter(move |r| r.provider_call_id.as_deref() == Some(provider_call_id))
    }

    /// The callbacks about `provider_call_id`, in order.
    pub fn webhooks_for<'a>(
        &'a self,
        provider_call_id: &'a str,
    ) -> impl Iterator<Item = &'a Delivery> {
        self.webhooks
            .iter()
            .filter(move |d| d.provider_call_id == provider_call_id)
    }
}

/// `GET /_callproof/calls`: the calls and the emulator's clock.
#[derive(Debug, Clone, Deserialize)]
pub struct CallsPage {
    /// The emulator's clock.
    #[serde(default)]
    pub now_ms: u64,
    /// Every call.
    #[serde(default)]
    pub calls: Vec<Call>,
}

#[derive(Deserialize)]
pub(crate) struct RequestsPage {
    #[serde(default)]
    pub requests: Vec<Request>,
}

#[derive(Deserialize)]
pub(crate) struct WebhooksPage {
    #[serde(default)]
    pub webhooks: Vec<Delivery>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_from_the_contract_parses_and_unknown_fields_are_ignored() {
        let json = r#"{"provider":"twilio","provider_call_id":"CA1","request_id":null,"call_id":"c-1",
            "direction":"outbound","from":"+15550000000","to":"+15550001001","state":"ended",
            "end_reason":"completed","ended_by":"callee","owned":true,"rejected":false,
            "created_at_ms":10,"answered_at_ms":20,"ended_at_ms":30,"future_field":[1,2],
            "timeline":[{"at_ms":10,"event":"created","detail":""}]}"#;
        let call: Call = serde_json::from_str(json).expect("parses");
        assert!(call.is_outbound() && !call.is_live());
        assert!(call.is_named("c-1") && call.is_named("CA1") && !call.is_named("CA2"));
        assert_eq!(call.holds_slot_from(), Some(10));
    }

    #[test]
    fn an_inbound_call_holds_a_slot_only_once_answered() {
        let mut call = Call {
            direction: "inbound".into(),
            created_at_ms: 5,
            state: "ringing".into(),
            ..Call::default()
        };
        assert_eq!(call.holds_slot_from(), None);
        call.answered_at_ms = Some(9);
        assert_eq!(call.holds_slot_from(), Some(9));
    }

    #[test]
    fn a_failed_status_lookup_reads_as_sent_and_failed() {
        let failed = Request {
            operation: "status".into(),
            status: Some(503),
            fault: Some("status:503".into()),
            ..Request::default()
        };
        assert_eq!(failed.outcome(), "failed with 503 (status:503)");
        assert!(!failed.succeeded());
        let lost = Request {
            status: Some(201),
            fault: Some("reply_lost".into()),
            applied: true,
            ..Request::default()
        };
        assert!(!lost.succeeded());
        assert_eq!(lost.outcome(), "applied, then the reply was lost (fault)");
        let ok = Request {
            status: Some(200),
            ..Request::default()
        };
        assert!(ok.succeeded());
        assert_eq!(ok.outcome(), "answered 200");
    }
}
