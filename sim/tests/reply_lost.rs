//! Indeterminate operations in the simulator: the provider carries out a
//! request and its reply is reset or comes after the gateway gave up. Each
//! fault hits the next request of its operation, the gateway sees the
//! failure it would see on a real network, and the reference stays correct.

use callproof_core::provider::ProviderName;
use callproof_sim::run::run;
use callproof_sim::scenario::{Fault, FaultKind, LostOp, LostReply, Profile, Scenario};

fn only(seed: u64, provider: ProviderName, kind: FaultKind) -> Scenario {
    let mut s = Scenario::draw(seed, provider, &Profile::standard());
    s.faults = vec![Fault { at_ms: 5_000, kind }];
    s
}

#[test]
fn a_create_applied_with_its_reply_reset_is_counted_and_the_gateway_sees_a_broken_connection() {
    let kind = FaultKind::ReplyLost {
        op: LostOp::Create,
        reply: LostReply::Reset,
    };
    let outcome = run(&only(3, ProviderName::Twilio, kind));
    assert_eq!(outcome.faults.get("reset-after-create"), Some(&1));
    assert_eq!(
        outcome.situations.replies_lost.get(&LostOp::Create),
        Some(&1)
    );
    let applied = outcome
        .trace
        .iter()
        .position(|l| l.contains("harness provider applied create"))
        .expect("the provider applied a create under the fault");
    assert!(
        outcome.trace[applied..]
            .iter()
            .any(|l| l.contains("reply") && l.contains("connection broken")),
        "the gateway saw the connection break"
    );
    assert!(outcome.violations.is_empty(), "{:?}", outcome.violations);
}

#[test]
fn a_hangup_whose_reply_comes_too_late_times_out_at_the_gateway_and_the_run_stays_clean() {
    let kind = FaultKind::ReplyLost {
        op: LostOp::Hangup,
        reply: LostReply::Late { ms: 9_000 },
    };
    let outcome = run(&only(4, ProviderName::Plivo, kind));
    assert_eq!(outcome.faults.get("late-reply-hangup"), Some(&1));
    assert_eq!(
        outcome.situations.replies_lost.get(&LostOp::Hangup),
        Some(&1)
    );
    assert!(outcome
        .trace
        .iter()
        .any(|l| l.contains("harness provider applied hangup") && l.contains("latency:9000")));
    assert!(outcome
        .trace
        .iter()
        .any(|l| l.contains("reply") && l.contains("timed out")));
    assert!(outcome.violations.is_empty(), "{:?}", outcome.violations);
}

#[test]
fn one_lost_reply_fault_hits_one_request_only() {
    let kind = FaultKind::ReplyLost {
        op: LostOp::Status,
        reply: LostReply::Reset,
    };
    let mut s = only(5, ProviderName::Telnyx, kind);
    // A crash makes recovery ask about every live call.
    s.faults.push(Fault {
        at_ms: 60_000,
        kind: FaultKind::Crash { down_ms: 2_000 },
    });
    let outcome = run(&s);
    let hits = outcome
        .trace
        .iter()
        .filter(|l| l.contains("harness provider") && l.contains("(reply_lost)"))
        .count();
    assert_eq!(hits, 1, "requests hit by a one-request rule");
    assert!(outcome.violations.is_empty(), "{:?}", outcome.violations);
}
