//! Webhooks that were tampered with, lost their signature, are stale or are
//! oversized are refused, whatever the provider's scheme. The forgeries are
//! derived from every valid vector and every recording.

use super::{CheckFamily, CheckResult, Tally};
use crate::recording::{load_provider, OwnedWebhook};
use crate::subject::{SignatureScheme, Subject};
use callproof_core::adapters::Adapter;
use callproof_core::webhook::{WebhookError, MAX_WEBHOOK_BODY};

/// What a forgery must be refused with.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    /// `BadSignature`.
    BadSignature,
    /// `BadSignature` or `Malformed` (a signature that cannot even be decoded).
    Undecodable,
    /// `MissingHeader` naming this header.
    Missing(&'static str),
    /// `StaleTimestamp`.
    Stale,
    /// `BodyTooLarge`.
    TooLarge,
}

impl Refusal {
    fn accepts(self, got: &WebhookError) -> bool {
        match (self, got) {
            (Refusal::BadSignature | Refusal::Undecodable, WebhookError::BadSignature) => true,
            (
                Refusal::Undecodable,
                WebhookError::Malformed { .. } | WebhookError::MissingHeader { .. },
            ) => true,
            (Refusal::Missing(want), WebhookError::MissingHeader { name }) => {
                want.eq_ignore_ascii_case(name)
            }
            (Refusal::Stale, WebhookError::StaleTimestamp { .. }) => true,
            (Refusal::TooLarge, WebhookError::BodyTooLarge { .. }) => true,
            _ => false,
        }
    }
}

struct Base<A> {
    label: String,
    adapter: A,
    webhook: OwnedWebhook,
    now: i64,
    resignable: bool,
}

/// Forges each negative case from each genuine webhook and checks it is
/// refused for the right reason.
pub async fn signature_negatives<S: Subject>() -> CheckResult {
    let mut tally = Tally::new::<S>(CheckFamily::SignatureNegatives);
    let scheme = S::signature_scheme();
    let mut bases: Vec<Base<S::Adapter>> = S::signature_vectors()
        .into_iter()
        .filter(|v| v.valid)
        .map(|v| Base {
            label: format!("vector {}", v.name),
            adapter: v.adapter,
            webhook: v.webhook,
            now: v.now_unix_secs,
            resignable: false,
        })
        .collect();
    match load_provider(S::fixtures_dir()) {
        Ok(recordings) => bases.extend(recordings.into_iter().map(|r| Base {
            label: format!("recording {}", r.name),
            adapter: S::recorded_adapter(),
            webhook: r.webhook,
            now: S::recorded_now_unix_secs(),
            resignable: true,
        })),
        Err(e) => tally.fail("recordings", e.to_string()),
    }
    let other = S::other_secret_adapter();
    for base in &bases {
        if let Err(e) = base.adapter.verify_webhook(&base.webhook.raw(), base.now) {
            tally.fail(format!("{}/genuine", base.label), format!("the genuine webhook does not verify, so no forgery from it proves anything: {e:?}"));
            continue;
        }
        let got = other.verify_webhook(&base.webhook.raw(), base.now);
        tally.case(
            format!("{}/other-secret", base.label),
            judge(Refusal::BadSignature, got.map(|_| ())),
        );
        for (name, forged, now, refusal) in forgeries::<S>(&scheme, base, &mut tally) {
            let got = base.adapter.verify_webhook(&forged.raw(), now);
            tally.case(
                format!("{}/{name}", base.label),
                judge(refusal, got.map(|_| ())),
            );
        }
    }
    tally.finish()
}

fn judge(refusal: Refusal, got: Result<(), WebhookError>) -> Result<(), String> {
    match got {
        Err(e) if refusal.accepts(&e) => Ok(()),
        Err(e) => Err(format!("refused, but as {e:?} (expected {refusal:?})")),
        Ok(()) => Err(format!(
            "a forged webhook was ACCEPTED (expected {refusal:?})"
        )),
    }
}

/// The forged variants of one genuine webhook; a base the scheme cannot be
/// applied to is a failure in `tally`.
fn forgeries<S: Subject>(
    scheme: &SignatureScheme,
    base: &Base<S::Adapter>,
    tally: &mut Tally,
) -> Vec<(String, OwnedWebhook, i64, Refusal)> {
    let genuine = &base.webhook;
    let now = base.now;
    let mut out = Vec::new();
    let mut variant = |name: &str, edit: &dyn Fn(&mut OwnedWebhook), now: i64, refusal: Refusal| {
        let mut w = genuine.clone();
        edit(&mut w);
        out.push((name.to_owned(), w, now, refusal));
    };

    variant(
        "body-appended",
        &|w| w.body.push(b'x'),
        now,
        Refusal::BadSignature,
    );
    if !genuine.body.is_empty() {
        variant(
            "body-byte-flipped",
            &|w| {
                let mid = w.body.len() / 2;
                if let Some(b) = w.body.get_mut(mid) {
                    *b ^= 0x01;
                }
            },
            now,
            Refusal::BadSignature,
        );
    }
    if scheme.covers_url {
        variant(
            "url-query-added",
            &|w| {
                let sep = if w.url.contains('?') { '&' } else { '?' };
                w.url = format!("{}{sep}callproof_tamper=1", w.url);
            },
            now,
            Refusal::BadSignature,
        );
        variant(
            "url-path-changed",
            &|w| {
                let cut = w.url.find('?').unwrap_or(w.url.len());
                w.url.insert(cut, 'x');
            },
            now,
            Refusal::BadSignature,
        );
    }
    let timestamp_header = scheme.timestamp.map(|t| t.header);
    for header in scheme
        .signature_headers
        .iter()
        .copied()
        .chain(timestamp_header)
    {
        if genuine.headers.contains_key(header) {
            variant(
                &format!("missing-{header}"),
                &|w| {
                    w.headers.remove(header);
                },
                now,
                Refusal::Missing(header),
            );
        }
    }
    if let Some(&header) = scheme.signature_headers.first() {
        let value = genuine
            .headers
            .get(header)
            .map(|v| v.as_bytes().to_vec())
            .unwrap_or_default();
        let half = value.get(..value.len() / 2).unwrap_or_default().to_vec();
        variant(
            "signature-truncated",
            &|w| set(w, header, &half),
            now,
            Refusal::Undecodable,
        );
        variant(
            "signature-empty",
            &|w| set(w, header, b""),
            now,
            Refusal::Undecodable,
        );
    }
    if let Some(rule) = scheme.timestamp {
        let signed = genuine
            .headers
            .get(rule.header)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok());
        match signed {
            Some(ts) => {
                variant(
                    "stale",
                    &|_| {},
                    ts + rule.tolerance_secs + 1,
                    Refusal::Stale,
                );
                variant(
                    "from-the-future",
                    &|_| {},
                    ts - rule.tolerance_secs - 1,
                    Refusal::Stale,
                );
                let moved = (ts + 1).to_string();
                variant(
                    "timestamp-altered",
                    &|w| set(w, rule.header, moved.as_bytes()),
                    now,
                    Refusal::BadSignature,
                );
            }
            None => tally.fail(
                format!("{}/timestamp", base.label),
                format!(
                    "header {} is missing or not Unix seconds, so staleness cannot be forged",
                    rule.header
                ),
            ),
        }
    }
    if base.resignable {
        let mut big = genuine.clone();
        big.body.resize(MAX_WEBHOOK_BODY + 1, b' ');
        match S::sign(&mut big, now) {
            Ok(()) => out.push(("body-too-large".to_owned(), big, now, Refusal::TooLarge)),
            Err(e) => tally.fail(
                format!("{}/body-too-large", base.label),
                format!("the subject could not sign: {e}"),
            ),
        }
    }
    out
}

fn set(w: &mut OwnedWebhook, header: &'static str, value: &[u8]) {
    match http::HeaderValue::from_bytes(value) {
        Ok(v) => {
            w.headers.insert(header, v);
        }
        Err(_) => {
            w.headers.remove(header);
        }
    }
}
