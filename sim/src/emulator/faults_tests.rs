use super::*;

fn rule(action: FaultAction) -> Rule {
    Rule {
        provider: None,
        operation: Operation::Any,
        action,
        probability: 1.0,
        count: None,
        for_ms: None,
    }
}

#[test]
fn a_rule_for_n_requests_hits_n_then_is_gone() {
    let mut rules = FaultRules::new(1);
    let mut once = rule(FaultAction::Drop);
    once.count = Some(2);
    rules.add(once, 0).expect("a valid rule");
    assert_eq!(
        rules.decide("twilio", Operation::Create, 0),
        Some(FaultAction::Drop)
    );
    assert_eq!(
        rules.decide("twilio", Operation::Status, 0),
        Some(FaultAction::Drop)
    );
    assert_eq!(rules.decide("twilio", Operation::Status, 0), None);
    assert_eq!(
        rules.rules().count(),
        0,
        "a used-up rule is no longer listed"
    );
}

#[test]
fn a_rule_for_a_while_lapses_at_its_end() {
    let mut rules = FaultRules::new(1);
    let mut outage = rule(FaultAction::Status { code: 503 });
    outage.for_ms = Some(1_000);
    rules.add(outage, 5_000).expect("a valid rule");
    assert!(rules.decide("plivo", Operation::Hangup, 5_999).is_some());
    assert!(rules.decide("plivo", Operation::Hangup, 6_000).is_none());
}

#[test]
fn a_rule_applies_only_to_its_provider_and_operation_and_the_first_match_wins() {
    let mut rules = FaultRules::new(1);
    let mut hangups = rule(FaultAction::ReplyLost);
    hangups.provider = Some("telnyx".to_owned());
    hangups.operation = Operation::Hangup;
    rules.add(hangups, 0).expect("valid");
    rules
        .add(rule(FaultAction::Latency { ms: 5 }), 0)
        .expect("valid");
    assert_eq!(
        rules.decide("telnyx", Operation::Hangup, 0),
        Some(FaultAction::ReplyLost)
    );
    assert_eq!(
        rules.decide("twilio", Operation::Hangup, 0),
        Some(FaultAction::Latency { ms: 5 })
    );
    assert_eq!(
        rules.decide("telnyx", Operation::Create, 0),
        Some(FaultAction::Latency { ms: 5 })
    );
}

#[test]
fn only_429_and_5xx_statuses_and_probabilities_within_0_and_1_are_rules() {
    let mut rules = FaultRules::new(1);
    assert_eq!(
        rules.add(rule(FaultAction::Status { code: 404 }), 0),
        Err(RuleError::Status(404))
    );
    let mut odd = rule(FaultAction::Drop);
    odd.probability = 1.5;
    assert_eq!(rules.add(odd, 0), Err(RuleError::Probability));
    assert!(rules
        .add(rule(FaultAction::Status { code: 429 }), 0)
        .is_ok());
}

#[test]
fn a_probable_rule_draws_the_same_way_for_the_same_seed() {
    let draws = |seed| {
        let mut rules = FaultRules::new(seed);
        let mut half = rule(FaultAction::Drop);
        half.probability = 0.5;
        rules.add(half, 0).expect("valid");
        (0..64)
            .map(|_| rules.decide("twilio", Operation::Status, 0).is_some())
            .collect::<Vec<_>>()
    };
    assert_eq!(draws(3), draws(3));
    assert!(draws(3).contains(&true) && draws(3).contains(&false));
}

#[test]
fn webhook_rules_match_their_provider_and_are_removed_by_id() {
    let mut rules = FaultRules::new(1);
    let id = rules
        .add_webhook(
            WebhookRule {
                provider: Some("plivo".to_owned()),
                action: WebhookAction::Delay,
                delay_ms: 700,
                probability: 1.0,
                count: None,
            },
            0,
        )
        .expect("valid");
    assert_eq!(rules.decide_webhook("twilio"), None);
    assert_eq!(
        rules.decide_webhook("plivo"),
        Some((WebhookAction::Delay, 700))
    );
    assert!(rules.remove(id));
    assert_eq!(rules.decide_webhook("plivo"), None);
    assert!(!rules.remove(id));
}

#[test]
fn rules_read_the_control_apis_json() {
    let rule: Rule = serde_json::from_str(
        r#"{"provider":"twilio","operation":"create","action":{"kind":"status","code":503},"count":3}"#,
    )
    .expect("the contract's Rule");
    assert_eq!(rule.action, FaultAction::Status { code: 503 });
    assert_eq!((rule.probability, rule.count), (1.0, Some(3)));
    let hook: WebhookRule =
        serde_json::from_str(r#"{"action":"reorder"}"#).expect("the contract's WebhookRule");
    assert_eq!((hook.action, hook.delay_ms), (WebhookAction::Reorder, 0));
}

#[test]
fn a_cut_reply_is_journaled_with_its_silence() {
    assert_eq!(
        FaultAction::ReplyCut { ms: 7_000 }.journal_name(),
        "reply_cut:7000"
    );
    let parsed: Rule =
        serde_json::from_str(r#"{"action":{"kind":"reply_cut","ms":250}}"#).expect("valid JSON");
    assert_eq!(parsed.action, FaultAction::ReplyCut { ms: 250 });
}
