//! Model-based test of the manager (proptest-state-machine).
//!
//! The independent model is the fake provider's ground truth (which calls
//! really exist, who owns them, which are live) plus the durable journal
//! bytes; the reference state machine holds the settings each case runs
//! under. Random sequences of commands, provider events (delivered in any
//! order, duplicated, late), replies (success, error, timeout, lost) and
//! restarts (with the last write torn and everything after it lost) run
//! against the real manager. After every step:
//!
//! - capacity: the manager never counts more than `maxConcurrentCalls`;
//! - no orphan: every call live at the provider that the gateway placed or
//!   accepted is tracked as live by the manager;
//! - terminal absorbing: a call whose terminal record was ever durable stays
//!   terminal, in the journal and in memory;
//! - replay reproduces state: rebuilding from the journal gives exactly the
//!   records the manager holds, and nothing live it does not hold.
//!
//! Run more cases with `PROPTEST_CASES=5000 cargo test -p callproof-core --test model`.
//! A failure prints the minimal sequence; the seed is saved under
//! `proptest-regressions/` and replayed first next time.

mod provider;
mod world;

use callproof_core::journal;
use callproof_core::manager::{Config, InboundPolicy};
use callproof_core::provider::ProviderName;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};
use world::{ArmedCrash, World};

#[derive(Debug, Clone)]
pub struct Settings {
    max_calls: usize,
    policy: u8,
}

#[derive(Debug, Clone)]
pub enum Step {
    Place {
        notify: bool,
    },
    Speak(Index),
    End(Index),
    Reply {
        which: Index,
        executed: bool,
        replied: bool,
    },
    Reject(Index),
    Deliver(Index),
    Redeliver(Index),
    ProviderAnswers(Index),
    ProviderHangsUp(Index),
    Inbound {
        caller: u8,
    },
    Tick {
        ms: u64,
        executed: bool,
    },
    Restart {
        inflight_executed: bool,
    },
    CrashDuringNextInput {
        at: Index,
        cut: Index,
    },
}

struct Reference;

impl ReferenceStateMachine for Reference {
    type State = Settings;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<Settings> {
        (1usize..=3, 0u8..3)
            .prop_map(|(max_calls, policy)| Settings { max_calls, policy })
            .boxed()
    }

    fn transitions(_: &Settings) -> BoxedStrategy<Step> {
        prop_oneof![
            3 => any::<bool>().prop_map(|notify| Step::Place { notify }),
            1 => any::<Index>().prop_map(Step::Speak),
            1 => any::<Index>().prop_map(Step::End),
            6 => (any::<Index>(), prop::bool::weighted(0.85), prop::bool::weighted(0.8))
                .prop_map(|(which, executed, replied)| Step::Reply { which, executed, replied }),
            1 => any::<Index>().prop_map(Step::Reject),
            6 => any::<Index>().prop_map(Step::Deliver),
            2 => any::<Index>().prop_map(Step::Redeliver),
            2 => any::<Index>().prop_map(Step::ProviderAnswers),
            1 => any::<Index>().prop_map(Step::ProviderHangsUp),
            1 => (0u8..3).prop_map(|caller| Step::Inbound { caller }),
            3 => (prop::sample::select(vec![500u64, 3_000, 15_000, 70_000, 200_000]), any::<bool>())
                .prop_map(|(ms, executed)| Step::Tick { ms, executed }),
            1 => any::<bool>().prop_map(|inflight_executed| Step::Restart { inflight_executed }),
            1 => (any::<Index>(), any::<Index>()).prop_map(|(at, cut)| Step::CrashDuringNextInput { at, cut }),
        ]
        .boxed()
    }

    fn apply(state: Settings, _: &Step) -> Settings {
        state
    }
}

const ALLOWED: &str = "+15551110001";

fn config(settings: &Settings) -> Config {
    let mut config = Config::openclaw_defaults(ProviderName::Mock);
    config.max_concurrent_calls = settings.max_calls;
    config.inbound = match settings.policy {
        0 => InboundPolicy::Disabled,
        1 => InboundPolicy::Allowlist(vec![ALLOWED.to_owned()]),
        _ => InboundPolicy::Open,
    };
    config.history_limit = 8;
    config
}

struct ManagerTest;

impl StateMachineTest for ManagerTest {
    type SystemUnderTest = World;
    type Reference = Reference;

    fn init_test(settings: &Settings) -> World {
        World::new(config(settings))
    }

    fn apply(mut world: World, _: &Settings, step: Step) -> World {
        match step {
            Step::Place { notify } => world.place(notify),
            Step::Speak(which) => world.command_on(which, false),
            Step::End(which) => world.command_on(which, true),
            Step::Reply {
                which,
                executed,
                replied,
            } => world.reply(which, executed, replied),
            Step::Reject(which) => world.reject_request(which),
            Step::Deliver(which) => world.deliver(which),
            Step::Redeliver(which) => world.redeliver(which),
            Step::ProviderAnswers(which) => world.provider_acts(which, true),
            Step::ProviderHangsUp(which) => world.provider_acts(which, false),
            Step::Inbound { caller } => {
                let from = ["+15551110001", "+15559990000", "anonymous"][caller as usize];
                world.provider.inbound(from, world.now);
            }
            Step::Tick { ms, executed } => world.tick(ms, executed),
            Step::Restart { inflight_executed } => world.restart(inflight_executed),
            Step::CrashDuringNextInput { at, cut } => world.armed = Some(ArmedCrash { at, cut }),
        }
        world
    }

    fn check_invariants(world: &World, settings: &Settings) {
        let mgr = &world.mgr;
        assert!(
            mgr.capacity_used() <= settings.max_calls,
            "capacity: {} calls counted, limit {}",
            mgr.capacity_used(),
            settings.max_calls
        );
        for (pid, call) in &world.provider.calls {
            if !call.owned || !world.provider.is_live(pid) {
                continue;
            }
            let tracked = match &call.call_id {
                Some(id) => mgr.record(id).is_some_and(|r| !r.state.is_terminal()),
                None => mgr
                    .live_records()
                    .any(|r| r.provider_call_id.as_deref() == Some(pid)),
            };
            assert!(
                tracked,
                "orphan: provider call {pid} ({call:?}) is live and ours but not tracked"
            );
        }
        let replay = journal::replay(&world.journal);
        for id in &world.ever_terminal {
            let durable = replay.records.get(id).map(|r| r.state);
            assert!(
                durable.is_some_and(|s| s.is_terminal()),
                "revived in the journal: {id} is now {durable:?}"
            );
            if let Some(record) = mgr.record(id) {
                assert!(
                    record.state.is_terminal(),
                    "revived in memory: {id} is now {}",
                    record.state
                );
            }
        }
        for (id, record) in mgr.records() {
            assert_eq!(
                replay.records.get(id),
                Some(record),
                "replaying the journal disagrees on {id}"
            );
        }
        for record in replay.live() {
            assert!(
                mgr.record(&record.call_id)
                    .is_some_and(|r| !r.state.is_terminal()),
                "journal says {} is live but the manager does not count it",
                record.call_id
            );
        }
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig { cases: 256, max_shrink_iters: 4096, ..ProptestConfig::default() })]

    #[test]
    fn the_manager_keeps_its_accounting_true_under_any_sequence(sequential 1..50 => ManagerTest);
}
