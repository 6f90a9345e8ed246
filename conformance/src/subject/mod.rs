//! What the generic checks need to know about one provider.
//!
//! A subject states its provider's facts (request shapes, canned answers,
//! status words, signature vectors) and nothing else: every rule the facts are
//! held to lives in `checks`, the same for every provider, so a subject cannot
//! weaken the gate. A subject is a type, not a value, so checks are plain
//! generic functions (`request_shapes::<TwilioSubject>()`).

mod ops;
mod types;

pub use ops::*;
pub use types::*;

use crate::recording::OwnedWebhook;
use callproof_core::adapters::Adapter;
use callproof_core::provider::{OpOutcome, ProviderName};

/// One provider under test. See `subjects::mock` for a complete example.
pub trait Subject: 'static {
    /// The adapter under test.
    type Adapter: Adapter + 'static;

    /// Which provider this is; names every row and failure.
    fn provider() -> ProviderName;

    /// The directory under `fixtures/webhooks/` holding its recordings.
    fn fixtures_dir() -> &'static str;

    /// The adapter pointed at `api_base` (`http://127.0.0.1:<port>`, no
    /// trailing slash), with the credentials the expectations below assume.
    fn adapter(api_base: &str) -> Self::Adapter;

    /// Provider ids for the sample call, in the provider's formats.
    fn sample_ids() -> SampleIds;

    /// The request `case` must become (method, path, query, auth and content
    /// type headers, body fields), or why it cannot be built.
    fn expected_request(case: OpCase) -> Expected;

    /// What the provider answers to `case` in `class`.
    fn canned_response(case: OpCase, class: ResponseClass) -> Canned;

    /// The outcome the success answer to `case` must parse to.
    fn success_outcome(case: OpCase) -> OpOutcome;

    /// Every status the provider reports to a status request, with its meaning.
    fn status_table() -> Vec<StatusRow>;

    /// A status reply carrying an arbitrary status word, so the suite can
    /// probe words the table does not know; `None` if the provider's status
    /// reply has no free-text status.
    fn status_response(raw: &str) -> Option<CannedResponse>;

    /// Every status or event word its webhooks carry, with its event kind.
    /// `raw` is the subject's own key: where the end reason lives in a second
    /// field (a hangup cause), encode both, e.g. `call.hangup:busy`.
    fn webhook_status_table() -> Vec<WebhookStatusRow>;

    /// A webhook reporting `raw` (a table key, or an arbitrary word the suite
    /// probes with), signed so that [`Subject::recorded_adapter`] accepts it
    /// at [`Subject::recorded_now_unix_secs`].
    fn webhook_with_status(raw: &str) -> OwnedWebhook;

    /// Published signature vectors, valid and invalid.
    fn signature_vectors() -> Vec<SignatureVector<Self::Adapter>>;

    /// How the provider signs.
    fn signature_scheme() -> SignatureScheme;

    /// The adapter configured with the secret the recordings were signed with.
    fn recorded_adapter() -> Self::Adapter;

    /// The clock at which the recordings are fresh, Unix seconds: every
    /// recording's signed timestamp (if the scheme has one) must lie within
    /// the tolerance of it.
    fn recorded_now_unix_secs() -> i64;

    /// An adapter configured with a different secret (or public key).
    fn other_secret_adapter() -> Self::Adapter;

    /// Re-signs `webhook` in place with the recordings' secret at `now`, so the
    /// fuzzer can reach the body parser with arbitrary bodies.
    fn sign(webhook: &mut OwnedWebhook, now_unix_secs: i64) -> Result<(), String>;

    /// Published request schemas (OpenAPI) to validate built requests
    /// against. Empty by default: the hook the real providers fill in.
    fn schema_checks() -> Vec<SchemaCheck> {
        Vec::new()
    }

    /// Why there are no schema checks, when there are none.
    fn no_schema_reason() -> &'static str {
        "no published request schema is wired in for this provider yet"
    }
}
