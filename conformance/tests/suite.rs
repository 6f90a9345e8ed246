//! The whole gate, one test per check family per provider: `mock::…`,
//! `twilio::…` and so on, each body written once in `checks`.

use callproof_conformance::checks::{run_family, CheckFamily};
use callproof_conformance::for_each_subject;

macro_rules! conformance_suite {
    ($name:ident, $subject:ty) => {
        mod $name {
            use super::{run_family, CheckFamily};

            #[tokio::test]
            async fn every_operation_reaches_the_provider_in_its_documented_shape() {
                run_family::<$subject>(CheckFamily::RequestShapes)
                    .await
                    .assert_passed();
            }

            #[tokio::test]
            async fn every_answer_is_classified_by_who_is_at_fault() {
                run_family::<$subject>(CheckFamily::ResponseClasses)
                    .await
                    .assert_passed();
            }

            #[tokio::test]
            async fn a_lost_exchange_leaves_the_outcome_unknown() {
                run_family::<$subject>(CheckFamily::DroppedConnection)
                    .await
                    .assert_passed();
            }

            #[tokio::test]
            async fn every_status_maps_and_no_unknown_status_ends_a_call() {
                run_family::<$subject>(CheckFamily::StatusTable)
                    .await
                    .assert_passed();
            }

            #[tokio::test]
            async fn published_signature_vectors_verify_as_published() {
                run_family::<$subject>(CheckFamily::SignatureVectors)
                    .await
                    .assert_passed();
            }

            #[tokio::test]
            async fn forged_stale_and_unsigned_webhooks_are_refused() {
                run_family::<$subject>(CheckFamily::SignatureNegatives)
                    .await
                    .assert_passed();
            }

            #[tokio::test]
            async fn every_recorded_webhook_verifies_and_parses() {
                run_family::<$subject>(CheckFamily::RecordedWebhooks)
                    .await
                    .assert_passed();
            }

            #[tokio::test]
            async fn no_parser_panics_on_arbitrary_input() {
                run_family::<$subject>(CheckFamily::FuzzParsers)
                    .await
                    .assert_passed();
            }

            #[tokio::test]
            async fn built_requests_match_the_published_schemas() {
                run_family::<$subject>(CheckFamily::RequestSchemas)
                    .await
                    .assert_passed();
            }
        }
    };
}

for_each_subject!(conformance_suite);

#[test]
fn the_managers_inbound_rule_answers_only_exact_listed_numbers_and_never_withheld_callers() {
    let result = callproof_conformance::checks::inbound_rule_cases(
        "core",
        &callproof_core::manager::ExactE164,
    );
    assert!(result.passed >= 10, "the check ran its cases");
    result.assert_passed();
}
