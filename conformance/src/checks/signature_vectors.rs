//! The provider's published signature vectors verify exactly as published.

use super::{CheckFamily, CheckResult, Tally};
use crate::subject::Subject;
use callproof_core::adapters::Adapter;

/// Verifies each vector with an adapter holding the vector's secret at the
/// vector's `now`: valid ones must verify, invalid ones must be refused.
pub async fn signature_vectors<S: Subject>() -> CheckResult {
    let mut tally = Tally::new::<S>(CheckFamily::SignatureVectors);
    let vectors = S::signature_vectors();
    if !vectors.iter().any(|v| v.valid) {
        tally.fail(
            "coverage",
            "no valid signature vector: nothing shows the adapter accepts a genuine webhook",
        );
    }
    for v in &vectors {
        let got = v.adapter.verify_webhook(&v.webhook.raw(), v.now_unix_secs);
        let outcome = match (v.valid, &got) {
            (true, Ok(_)) | (false, Err(_)) => Ok(()),
            (true, Err(e)) => Err(format!("published as valid ({}), refused: {e:?}", v.source)),
            (false, Ok(_)) => Err(format!("published as invalid ({}), accepted", v.source)),
        };
        tally.case(v.name, outcome);
    }
    tally.finish()
}
