use super::*;

const EVENT: &str = r#"{"id":"evt-1","call_id":"call-1","provider_call_id":"mc-1","status":"completed","direction":"outbound","from":"+15550001111","to":"+15550002222","occurred_at_ms":1700000000123}"#;

fn signed(url: &str, body: &str, token: &str) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    let sig = webhook_signature(token, url, body.as_bytes()).expect("signs");
    headers.insert(
        SIGNATURE_HEADER,
        sig.parse().expect("hex is a header value"),
    );
    headers
}

fn verify(
    url: &str,
    headers: &http::HeaderMap,
    body: &str,
) -> Result<Vec<ProviderEvent>, WebhookError> {
    let a = adapter();
    let raw = RawWebhook {
        method: &http::Method::POST,
        url,
        headers,
        body: body.as_bytes(),
    };
    let verified = a.verify_webhook(&raw, 0)?;
    a.parse_webhook(&verified)
}

#[test]
fn the_signature_is_hex_hmac_sha256_of_url_newline_body() {
    // Computed independently: hmac.new(b"mock-token", b"<url>\n<body>", sha256).hexdigest()
    assert_eq!(
        webhook_signature(TOKEN, HOOK_URL, br#"{"id":"evt-1"}"#),
        Ok("2419090738d1896adb815de7b5ebf286d5006a0a4af6d3536d24d451690aa52f".to_owned())
    );
}

#[test]
fn a_signed_webhook_verifies_and_becomes_one_event() {
    let events = verify(HOOK_URL, &signed(HOOK_URL, EVENT, TOKEN), EVENT).expect("valid");
    assert_eq!(
        events,
        vec![ProviderEvent {
            dedupe_key: "mock:evt-1".to_owned(),
            call_id: Some("call-1".to_owned()),
            provider_call_id: Some("mc-1".to_owned()),
            request_id: None,
            direction: Some(Direction::Outbound),
            from: Some("+15550001111".to_owned()),
            to: Some("+15550002222".to_owned()),
            occurred_at: Some(1_700_000_000_123),
            kind: EventKind::Ended {
                reason: CallState::Completed
            },
        }]
    );
}

#[test]
fn an_uppercase_hex_signature_is_the_same_signature() {
    let sig = webhook_signature(TOKEN, HOOK_URL, EVENT.as_bytes()).expect("signs");
    let mut headers = http::HeaderMap::new();
    headers.insert(
        SIGNATURE_HEADER,
        sig.to_uppercase().parse().expect("header"),
    );
    assert!(verify(HOOK_URL, &headers, EVENT).is_ok());
}

#[test]
fn a_webhook_signed_with_another_token_is_refused() {
    let headers = signed(HOOK_URL, EVENT, "other-token");
    assert_eq!(
        verify(HOOK_URL, &headers, EVENT),
        Err(WebhookError::BadSignature)
    );
}

#[test]
fn an_altered_body_or_url_is_refused() {
    let headers = signed(HOOK_URL, EVENT, TOKEN);
    let altered = EVENT.replace("completed", "busy");
    assert_eq!(
        verify(HOOK_URL, &headers, &altered),
        Err(WebhookError::BadSignature)
    );
    let elsewhere = "https://gw.example/hooks/mock?x=1";
    assert_eq!(
        verify(elsewhere, &headers, EVENT),
        Err(WebhookError::BadSignature)
    );
}

#[test]
fn a_missing_signature_names_the_header() {
    assert_eq!(
        verify(HOOK_URL, &http::HeaderMap::new(), EVENT),
        Err(WebhookError::MissingHeader {
            name: SIGNATURE_HEADER
        })
    );
}

#[test]
fn a_truncated_or_non_hex_signature_is_refused() {
    let sig = webhook_signature(TOKEN, HOOK_URL, EVENT.as_bytes()).expect("signs");
    for bad in [&sig[..63], &sig[..62], "zz", ""] {
        let mut headers = http::HeaderMap::new();
        headers.insert(SIGNATURE_HEADER, bad.parse().expect("header"));
        assert_eq!(
            verify(HOOK_URL, &headers, EVENT),
            Err(WebhookError::BadSignature),
            "{bad}"
        );
    }
}

#[test]
fn an_oversized_body_is_refused_before_anything_else() {
    let body = "x".repeat(crate::webhook::MAX_WEBHOOK_BODY + 1);
    let got = verify(HOOK_URL, &http::HeaderMap::new(), &body);
    assert!(
        matches!(got, Err(WebhookError::BodyTooLarge { .. })),
        "{got:?}"
    );
}

#[test]
fn an_empty_token_verifies_nothing() {
    let a = MockAdapter::new(MockConfig {
        token: String::new(),
        ..adapter().config().clone()
    });
    let headers = signed(HOOK_URL, EVENT, "");
    let raw = RawWebhook {
        method: &http::Method::POST,
        url: HOOK_URL,
        headers: &headers,
        body: EVENT.as_bytes(),
    };
    assert!(matches!(
        a.verify_webhook(&raw, 0),
        Err(WebhookError::Config { .. })
    ));
}

#[test]
fn an_unknown_webhook_status_is_refused_not_ended() {
    let body = EVENT.replace("completed", "vanished");
    let got = verify(HOOK_URL, &signed(HOOK_URL, &body, TOKEN), &body);
    assert_eq!(
        got,
        Err(WebhookError::UnknownStatus {
            raw: "vanished".to_owned()
        })
    );
}

#[test]
fn live_webhook_statuses_become_progress_events() {
    for (word, kind) in [
        ("queued", EventKind::Initiated),
        ("ringing", EventKind::Ringing),
        ("in-progress", EventKind::Answered),
    ] {
        let body = EVENT.replace("completed", word);
        let events = verify(HOOK_URL, &signed(HOOK_URL, &body, TOKEN), &body).expect(word);
        assert_eq!(events.first().map(|e| &e.kind), Some(&kind), "{word}");
    }
}

#[test]
fn a_retried_delivery_keeps_its_dedupe_key_and_another_callback_gets_its_own() {
    let key = |body: &str| {
        verify(HOOK_URL, &signed(HOOK_URL, body, TOKEN), body).expect("valid")[0]
            .dedupe_key
            .clone()
    };
    assert_eq!(key(EVENT), key(EVENT));
    assert_ne!(key(EVENT), key(&EVENT.replace("evt-1", "evt-2")));
}

#[test]
fn an_inbound_callback_without_our_call_id_is_uncorrelated() {
    let body = EVENT
        .replace(r#""call_id":"call-1""#, r#""call_id":null"#)
        .replace("outbound", "inbound");
    let events = verify(HOOK_URL, &signed(HOOK_URL, &body, TOKEN), &body).expect("valid");
    assert_eq!(events[0].call_id, None);
    assert_eq!(events[0].direction, Some(Direction::Inbound));
}

#[test]
fn a_signed_but_unreadable_body_is_malformed() {
    for body in [
        "not json",
        r#"{"id":"e","provider_call_id":"m"}"#,
        r#"{"id":"","provider_call_id":"m","status":"queued"}"#,
        &EVENT.replace("outbound", "sideways"),
        &EVENT.replace("1700000000123", "-5"),
    ] {
        let got = verify(HOOK_URL, &signed(HOOK_URL, body, TOKEN), body);
        assert!(
            matches!(got, Err(WebhookError::Malformed { .. })),
            "{body}: {got:?}"
        );
    }
}

#[test]
fn a_transcript_on_a_live_call_is_the_callers_words_keyed_by_the_event() {
    let body = r#"{"id":"mc-1-9","call_id":"call-1","provider_call_id":"mc-1","status":"in-progress","transcript":{"text":"Four people","is_final":true}}"#;
    let events = verify(HOOK_URL, &signed(HOOK_URL, body, TOKEN), body).unwrap();
    assert_eq!(
        events[0].kind,
        EventKind::Speech {
            transcript: "Four people".to_owned(),
            is_final: true
        }
    );
    assert_eq!(events[0].dedupe_key, "mock:mc-1-9");
}

#[test]
fn a_transcript_never_hides_an_end() {
    let body = r#"{"id":"mc-1-10","provider_call_id":"mc-1","status":"completed","transcript":{"text":"bye","is_final":true}}"#;
    let events = verify(HOOK_URL, &signed(HOOK_URL, body, TOKEN), body).unwrap();
    assert!(matches!(events[0].kind, EventKind::Ended { .. }));
}
