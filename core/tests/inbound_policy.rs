//! Who may call in (B9, B10): exact E.164, never a withheld caller, and a
//! rejected call hung up once, also across a restart.

mod common;

use callproof_core::manager::{is_e164, Ack, Config, InboundPolicy};
use callproof_core::provider::{EventKind, OpOutcome, ProviderEvent, ProviderName};
use callproof_core::record::Direction;
use common::{is_kind, Harness};

const T0: u64 = 1_700_000_000_000;

fn inbound(key: &str, pid: &str, from: &str) -> ProviderEvent {
    let mut e = common::event(key, None, Some(pid), EventKind::Ringing);
    e.direction = Some(Direction::Inbound);
    e.from = Some(from.to_owned());
    e.to = Some("+15550000000".to_owned());
    e
}

fn with_policy(policy: InboundPolicy) -> Config {
    let mut c = Config::openclaw_defaults(ProviderName::Twilio);
    c.inbound = policy;
    c
}

#[test]
fn withheld_and_anonymous_callers_are_never_allowed_even_when_open() {
    for from in [
        "",
        "anonymous",
        "Anonymous",
        "restricted",
        "+0000000000",
        "unknown",
    ] {
        assert!(
            !InboundPolicy::Open.allows(from),
            "{from:?} must be refused"
        );
        assert!(
            !InboundPolicy::Allowlist(vec![String::new()]).allows(from),
            "{from:?} must be refused"
        );
    }
}

#[test]
fn allowlist_matching_is_exact_and_never_by_suffix() {
    let policy = InboundPolicy::Allowlist(vec!["+15551110001".to_owned()]);
    assert!(policy.allows("+15551110001"));
    for from in [
        "+4915551110001",
        "5551110001",
        "+1555111000",
        "15551110001",
        "+1 555 111 0001",
    ] {
        assert!(
            !policy.allows(from),
            "{from:?} only shares digits with the entry"
        );
    }
}

#[test]
fn e164_means_a_plus_and_eight_to_fifteen_digits() {
    assert!(is_e164("+15551234567"));
    for n in [
        "15551234567",
        "+0155512345",
        "+1555",
        "+1555123456789012",
        "+1555a234567",
        "",
    ] {
        assert!(!is_e164(n), "{n:?}");
    }
}

#[test]
fn a_disabled_policy_rejects_and_hangs_up_without_counting_the_call() {
    let mut h = Harness::new(with_policy(InboundPolicy::Disabled), T0);
    assert_eq!(h.event(inbound("e1", "CA1", "+15551110001")), Ack::Rejected);
    assert_eq!(h.mgr.capacity_used(), 0);
    assert_eq!(h.outstanding("hangup"), 1);
}

#[test]
fn an_allowed_caller_is_answered_and_counted() {
    let mut h = Harness::new(
        with_policy(InboundPolicy::Allowlist(vec!["+15551110001".into()])),
        T0,
    );
    assert_eq!(h.event(inbound("e1", "CA1", "+15551110001")), Ack::Accepted);
    assert_eq!(h.mgr.capacity_used(), 1);
    assert!(h.requests.is_empty());
}

#[test]
fn an_allowed_caller_is_rejected_when_every_slot_is_taken() {
    let mut h = Harness::new(with_policy(InboundPolicy::Open), T0);
    assert_eq!(h.event(inbound("e1", "CA1", "+15551110001")), Ack::Accepted);
    assert_eq!(h.event(inbound("e2", "CA2", "+15551110002")), Ack::Rejected);
    assert_eq!(
        h.mgr.capacity_used(),
        1,
        "the limit of 1 holds for inbound calls too"
    );
}

#[test]
fn a_rejected_call_is_hung_up_once_even_when_its_callback_is_retried_after_a_restart() {
    let mut h = Harness::new(with_policy(InboundPolicy::Disabled), T0);
    h.event(inbound("e1", "CA1", "+15559990000"));
    h.reply_where(is_kind("hangup"), Ok(OpOutcome::Done));
    assert_eq!(
        h.event(inbound("e1", "CA1", "+15559990000")),
        Ack::Duplicate,
        "retry before restart"
    );
    let mut h = Harness::with_journal(h.config.clone(), h.journal.clone(), T0 + 5_000);
    assert!(
        h.requests.is_empty(),
        "the confirmed hangup is not repeated after a restart"
    );
    assert_eq!(
        h.event(inbound("e1", "CA1", "+15559990000")),
        Ack::Duplicate,
        "retry after restart"
    );
    assert!(h.requests.is_empty());
}

#[test]
fn a_rejection_whose_hangup_was_never_confirmed_is_hung_up_again_after_a_restart() {
    let mut h = Harness::new(with_policy(InboundPolicy::Disabled), T0);
    h.event(inbound("e1", "CA1", "+15559990000"));
    let h2 = Harness::with_journal(h.config.clone(), h.journal.clone(), T0 + 5_000);
    assert_eq!(h2.outstanding("hangup"), 1);
}
