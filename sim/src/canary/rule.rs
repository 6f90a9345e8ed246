//! B10: the allowlist rule that matched digit suffixes.

use callproof_core::manager::{InboundPolicy, InboundRule};

/// `normalized.endsWith(allowed) || allowed.endsWith(normalized)` on digits
/// only, as the historical allowlist did. Open and disabled policies behave
/// as the shipped rule does: only the allowlist matching is broken.
#[derive(Debug, Clone, Copy, Default)]
pub struct SuffixMatch;

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

impl InboundRule for SuffixMatch {
    fn allows(&self, policy: &InboundPolicy, from: &str) -> bool {
        match policy {
            InboundPolicy::Allowlist(list) => {
                let normalized = digits(from);
                list.iter().any(|entry| {
                    let allowed = digits(entry);
                    normalized.ends_with(&allowed) || allowed.ends_with(&normalized)
                })
            }
            other => other.allows(from),
        }
    }
}
