//! Pure arithmetic over live spans: how many of the subject's calls the
//! provider held at a time, and over a window. The phantom and capacity
//! checks are built on it; it knows nothing of HTTP or processes.

/// One call live at the provider from `from_ms` until `until_ms` (exclusive;
/// `None` while still live).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The provider's id.
    pub id: String,
    /// When it started to hold a slot.
    pub from_ms: u64,
    /// When it ended.
    pub until_ms: Option<u64>,
}

impl Span {
    /// Whether it is live at `t`.
    pub fn live_at(&self, t: u64) -> bool {
        self.from_ms <= t && self.until_ms.is_none_or(|u| t < u)
    }
}

/// The ids live at `t`, in input order.
pub fn live_at(spans: &[Span], t: u64) -> Vec<&str> {
    spans
        .iter()
        .filter(|s| s.live_at(t))
        .map(|s| s.id.as_str())
        .collect()
}

/// The most spans live at once anywhere in `[from, to]`.
pub fn peak(spans: &[Span], from: u64, to: u64) -> usize {
    let mut points = vec![from];
    points.extend(
        spans
            .iter()
            .map(|s| s.from_ms)
            .filter(|&t| from <= t && t <= to),
    );
    points
        .into_iter()
        .map(|t| live_at(spans, t).len())
        .max()
        .unwrap_or(0)
}

/// Since when the count has been below `max` without interruption, as of
/// `t`: `None` if it is not below at `t`.
pub fn below_since(spans: &[Span], max: usize, t: u64) -> Option<u64> {
    if live_at(spans, t).len() >= max {
        return None;
    }
    // Walk back over the moments the count changed.
    let mut changes: Vec<u64> = spans
        .iter()
        .flat_map(|s| [Some(s.from_ms), s.until_ms])
        .flatten()
        .filter(|&c| c <= t)
        .collect();
    changes.sort_unstable();
    changes.dedup();
    let mut since = 0;
    for &c in changes.iter().rev() {
        // Just before `c` the count was at `c - 1`.
        if c == 0 || live_at(spans, c - 1).len() >= max {
            since = c;
            break;
        }
    }
    Some(since)
}

/// A capacity refusal, as the operator saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    /// When the command was sent.
    pub sent_ms: u64,
    /// When the refusal came back.
    pub answered_ms: u64,
}

/// A refusal judged a phantom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phantom {
    /// Which refusal (index into the input).
    pub refusal: usize,
    /// How many of the subject's calls the provider held when it was sent.
    pub live: usize,
    /// Since when the provider had held fewer than `max`.
    pub below_since_ms: u64,
}

/// The refusals that are phantoms: the provider held fewer than `max` of
/// the subject's calls throughout `[sent - grace, answered]`, and no excused
/// window (a deliberate fault and the time to converge after it) overlaps it.
///
/// This is the simulator oracle's "no phantom" invariant, judged from the
/// provider's side with a grace so a refusal racing a call's end is not one.
pub fn phantoms(
    spans: &[Span],
    refusals: &[Refusal],
    excused: &[(u64, u64)],
    max: usize,
    grace_ms: u64,
) -> Vec<Phantom> {
    refusals
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let from = r.sent_ms.saturating_sub(grace_ms);
            let to = r.answered_ms.max(r.sent_ms);
            if peak(spans, from, to) >= max {
                return None;
            }
            if excused.iter().any(|&(a, b)| a <= to && from <= b) {
                return None;
            }
            Some(Phantom {
                refusal: i,
                live: live_at(spans, r.sent_ms).len(),
                below_since_ms: below_since(spans, max, r.sent_ms).unwrap_or(from),
            })
        })
        .collect()
}

/// The first moment more than `max` spans are live at once, with their ids.
pub fn first_breach(spans: &[Span], max: usize) -> Option<(u64, Vec<String>)> {
    let mut starts: Vec<u64> = spans.iter().map(|s| s.from_ms).collect();
    starts.sort_unstable();
    starts.into_iter().find_map(|t| {
        let live = live_at(spans, t);
        (live.len() > max).then(|| (t, live.into_iter().map(str::to_owned).collect()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(id: &str, from: u64, until: Option<u64>) -> Span {
        Span {
            id: id.into(),
            from_ms: from,
            until_ms: until,
        }
    }

    #[test]
    fn a_refusal_long_after_the_last_call_ended_is_a_phantom() {
        let spans = [span("A", 1_000, Some(5_000))];
        let refusals = [Refusal {
            sent_ms: 9_000,
            answered_ms: 9_010,
        }];
        let found = phantoms(&spans, &refusals, &[], 1, 2_000);
        assert_eq!(
            found,
            vec![Phantom {
                refusal: 0,
                live: 0,
                below_since_ms: 5_000
            }]
        );
    }

    #[test]
    fn a_refusal_racing_the_end_of_a_call_is_within_grace() {
        let spans = [span("A", 1_000, Some(5_000))];
        let refusals = [Refusal {
            sent_ms: 6_000,
            answered_ms: 6_010,
        }];
        assert!(phantoms(&spans, &refusals, &[], 1, 2_000).is_empty());
    }

    #[test]
    fn a_refusal_while_the_provider_holds_the_limit_is_no_phantom() {
        let spans = [span("A", 1_000, None)];
        let refusals = [Refusal {
            sent_ms: 9_000,
            answered_ms: 9_010,
        }];
        assert!(phantoms(&spans, &refusals, &[], 1, 2_000).is_empty());
    }

    #[test]
    fn a_refusal_inside_an_excused_fault_window_is_no_phantom() {
        let spans = [span("A", 1_000, Some(2_000))];
        let refusals = [Refusal {
            sent_ms: 9_000,
            answered_ms: 9_010,
        }];
        assert!(phantoms(&spans, &refusals, &[(8_000, 9_500)], 1, 2_000).is_empty());
        assert_eq!(
            phantoms(&spans, &refusals, &[(3_000, 4_000)], 1, 2_000).len(),
            1
        );
    }

    #[test]
    fn with_two_slots_one_live_call_leaves_room() {
        let spans = [span("A", 0, None), span("B", 0, Some(3_000))];
        let refusals = [Refusal {
            sent_ms: 8_000,
            answered_ms: 8_001,
        }];
        let found = phantoms(&spans, &refusals, &[], 2, 2_000);
        assert_eq!(
            found,
            vec![Phantom {
                refusal: 0,
                live: 1,
                below_since_ms: 3_000
            }]
        );
    }

    #[test]
    fn a_call_that_started_inside_the_window_counts() {
        let spans = [span("A", 0, Some(100)), span("B", 7_500, Some(8_500))];
        let refusals = [Refusal {
            sent_ms: 9_000,
            answered_ms: 9_001,
        }];
        assert!(phantoms(&spans, &refusals, &[], 1, 2_000).is_empty());
    }

    #[test]
    fn overlapping_spans_past_the_limit_are_a_breach() {
        let spans = [span("A", 0, Some(5_000)), span("B", 4_000, None)];
        assert_eq!(
            first_breach(&spans, 1),
            Some((4_000, vec!["A".into(), "B".into()]))
        );
        assert_eq!(first_breach(&spans, 2), None);
        let back_to_back = [span("A", 0, Some(4_000)), span("B", 4_000, None)];
        assert_eq!(first_breach(&back_to_back, 1), None);
    }

    #[test]
    fn below_since_finds_the_last_moment_the_limit_was_held() {
        let spans = [span("A", 1_000, Some(3_000)), span("B", 4_000, Some(6_000))];
        assert_eq!(below_since(&spans, 1, 7_000), Some(6_000));
        assert_eq!(below_since(&spans, 1, 3_500), Some(3_000));
        assert_eq!(below_since(&spans, 1, 5_000), None);
        assert_eq!(below_since(&spans, 1, 500), Some(0));
    }
}
