//! Hostile input never panics, and nothing unrecognised ever ends a call.

use super::{adapter, by_request, by_uuid, call, create_op, Recorded, TOKEN, WEBHOOK_URL};
use crate::adapters::plivo::time::parse_timestamp_ms;
use crate::adapters::Adapter;
use crate::provider::{EventKind, OpOutcome, ProviderCallStatus, ProviderName, ProviderOp};
use crate::webhook::{RawWebhook, VerifiedWebhook, WebhookError};
use proptest::prelude::*;

const TERMINAL: [&str; 6] = [
    "completed",
    "busy",
    "failed",
    "timeout",
    "no-answer",
    "cancel",
];

fn ops() -> Vec<ProviderOp> {
    vec![
        create_op(),
        ProviderOp::Hangup {
            call: by_uuid(),
            answered: true,
        },
        ProviderOp::Hangup {
            call: by_request(),
            answered: false,
        },
        ProviderOp::Status { call: by_uuid() },
        ProviderOp::Status { call: by_request() },
        ProviderOp::Speak {
            call: by_uuid(),
            text: "x".to_owned(),
        },
        ProviderOp::StartListening { call: by_uuid() },
    ]
}

fn status_word() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(TERMINAL.to_vec()).prop_map(str::to_owned),
        prop::sample::select(vec![
            "ringing",
            "in-progress",
            "queued",
            "Completed",
            "cancelled"
        ])
        .prop_map(str::to_owned),
        ".{0,12}",
    ]
}

proptest! {
    #[test]
    fn any_response_is_classified_without_panicking(
        code in 100u16..=999,
        body in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        for op in ops() {
            let response = http::Response::builder().status(code).body(body.clone()).unwrap();
            let _ = adapter().parse_response(&op, &response);
        }
    }

    #[test]
    fn a_status_answer_ends_a_call_only_for_a_terminal_word(word in status_word()) {
        let body = serde_json::json!({ "call_status": word }).to_string();
        let response = http::Response::builder().status(200).body(body.into_bytes()).unwrap();
        let outcome = adapter().parse_response(&ProviderOp::Status { call: by_uuid() }, &response);
        let ended = matches!(outcome, Ok(OpOutcome::Status(ProviderCallStatus::Ended { .. })));
        prop_assert_eq!(ended, TERMINAL.contains(&word.as_str()));
    }

    #[test]
    fn any_webhook_is_verified_or_refused_without_panicking(
        url in ".{0,80}",
        body in prop::collection::vec(any::<u8>(), 0..256),
        signature in "[A-Za-z0-9+/=, ]{0,60}",
        nonce in ".{0,20}",
    ) {
        let mut headers = http::HeaderMap::new();
        if let (Ok(s), Ok(n)) = (signature.parse(), nonce.parse()) {
            headers.insert("x-plivo-signature-v3", s);
            headers.insert("x-plivo-signature-v3-nonce", n);
        }
        let raw = RawWebhook { method: &http::Method::POST, url: &url, headers: &headers, body: &body };
        let _ = adapter().verify_webhook(&raw, 0);
    }

    #[test]
    fn any_verified_body_parses_or_is_refused_without_panicking(
        url in ".{0,80}",
        body in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        let headers = http::HeaderMap::new();
        for method in [http::Method::POST, http::Method::GET] {
            let raw = RawWebhook { method: &method, url: &url, headers: &headers, body: &body };
            let _ = adapter().parse_webhook(&VerifiedWebhook::new(ProviderName::Plivo, &raw));
        }
    }

    #[test]
    fn a_callback_ends_a_call_only_for_a_terminal_word(word in status_word()) {
        let recorded = Recorded::signed_post(
            TOKEN,
            &format!("{WEBHOOK_URL}?callId=c1"),
            &[("CallUUID", "u1"), ("CallStatus", &word), ("Event", "Hangup")],
            "9",
        );
        let verified = adapter().verify_webhook(&recorded.raw(), 0).unwrap();
        match adapter().parse_webhook(&verified) {
            Ok(events) => {
                let ended = events.iter().any(|e| matches!(e.kind, EventKind::Ended { .. }));
                prop_assert_eq!(ended, TERMINAL.contains(&word.as_str()));
            }
            Err(WebhookError::UnknownStatus { .. } | WebhookError::Malformed { .. }) => {
                prop_assert!(!TERMINAL.contains(&word.as_str()));
            }
            Err(other) => prop_assert!(false, "{other:?}"),
        }
    }

    #[test]
    fn any_timestamp_text_parses_or_is_absent_without_panicking(raw in ".{0,40}") {
        let _ = parse_timestamp_ms(&raw);
    }

    #[test]
    fn any_id_builds_a_slash_ended_path_or_a_build_error(id in ".{0,40}") {
        let op = ProviderOp::Hangup { call: call(Some(&id), None), answered: true };
        if let Ok(request) = adapter().build_request(&op, &id) {
            prop_assert!(request.uri().path().ends_with('/'));
            prop_assert!(!request.uri().path().contains(".."));
        }
    }
}
