//! What every provider's recorded webhooks parse to, reviewed and committed
//! as snapshots: a change in normalization shows up as a diff to review.

use callproof_conformance::checks::{recorded_events, snapshot_json};
use callproof_conformance::for_each_subject;

macro_rules! snapshot_suite {
    ($name:ident, $subject:ty) => {
        mod $name {
            use super::*;

            #[test]
            fn recorded_webhooks_normalize_to_the_reviewed_events() {
                let recorded = recorded_events::<$subject>().unwrap_or_else(|e| panic!("{e}"));
                insta::assert_json_snapshot!(
                    concat!(stringify!($name), "_recorded_webhooks"),
                    snapshot_json(&recorded)
                );
            }
        }
    };
}

for_each_subject!(snapshot_suite);
