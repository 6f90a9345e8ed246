//! The emulator's behaviour, pure: an API request in, a response out; time
//! passes, callees act, the provider's own limits end calls, callbacks queue
//! up with the provider's delivery faults. The same value can be served by a
//! turmoil host or, later, over real TCP.

use super::callees::CalleeScripts;
use super::dialect::{ApiCall, ApiResult, CallbackKind, Dialect, IdRef};
use super::log::CallLogs;
use super::truth::{Callee, Phase, TruthCall};
use callproof_core::record::Direction;
use callproof_core::state::{CallState, EndReason};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;

/// How callbacks misbehave, and how callees behave, for one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EmulatorProfile {
    /// Probability a callback is given up on by the provider (never delivered).
    pub loss: f64,
    /// Probability a callback is delivered twice.
    pub duplicate: f64,
    /// Each delivery is delayed uniformly up to this much (reordering).
    pub max_delay_ms: u64,
    /// Retries after a failed delivery (connection error, timeout, non-2xx).
    pub retries: u32,
    /// Wait before the first retry; each later retry waits twice as long
    /// (Telnyx allows up to 5 retries within 60 s, Plivo up to 5 within 55 s).
    pub retry_delay_ms: u64,
}

/// A callback on its way to the gateway.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Unique per emulator.
    pub id: u64,
    /// The signed request.
    pub request: http::Request<Vec<u8>>,
    /// When to send it.
    pub due_at: u64,
    /// Attempts made so far.
    pub attempts: u32,
    /// The call it is about.
    pub provider_call_id: String,
    /// What it reports.
    pub kind: CallbackKind,
    /// Its position among the call's callbacks (1-based).
    pub sequence: u32,
    /// A second copy of an already queued callback.
    pub duplicate: bool,
    /// Sent after the call had ended and a later callback was already out.
    pub late: bool,
}

/// One answered outbound call in this many gets a callback in a status
/// word no adapter knows ([`CallbackKind::Unrecognised`]).
const UNRECOGNISED_PER: u32 = 8;

/// One drawn callee in this many behaves as only the vocabulary needs
/// ([`Emulator::vocabulary_callee`]).
const VOCABULARY_PER: u32 = 6;

/// Counters of what the emulator actually did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmulatorStats {
    /// Callbacks queued.
    pub callbacks: u64,
    /// Duplicate deliveries queued.
    pub duplicates: u64,
    /// Callbacks given up on.
    pub lost: u64,
    /// Deliveries that arrived after a later callback of the same call.
    pub reordered: u64,
    /// API requests refused by an injected outage.
    pub api_errors: u64,
    /// Inbound calls the gateway refused.
    pub inbound_rejected: u64,
    /// Inbound calls the gateway answered.
    pub inbound_accepted: u64,
    /// Callbacks in a status word no adapter knows (a status added later).
    pub unrecognised_status: u64,
    /// Final speech results the gateway took delivery of (2xx), once each.
    pub speech_results: u64,
    /// Final speech results delivered to the gateway a second time.
    pub speech_twice: u64,
    /// Listening turns in which the callee keyed digits instead of speaking.
    pub dtmf_turns: u64,
    /// Listening turns in which the callee said nothing.
    pub silent_turns: u64,
    /// Callbacks signed with a shared key under HMAC-SHA256 (Twilio's
    /// Webhook Rules).
    pub sha256_signed: u64,
    /// Hangups, speaks and listens refused "already ended" (Twilio 404/20404,
    /// Plivo 404, Telnyx 422/90018) because the call they name is over.
    pub ops_on_ended: u64,
    /// Status asked by the id the create gave before the call had its own
    /// (Plivo's queued view, `GET /Call/{request_uuid}/?status=queued`).
    pub queued_view_asked: u64,
}

/// One emulated provider.
pub struct Emulator {
    dialect: Box<dyn Dialect>,
    /// Every call, by provider call id.
    pub calls: BTreeMap<String, TruthCall>,
    by_request: BTreeMap<String, String>,
    next_n: u64,
    rng: SmallRng,
    /// Draws for the vocabulary of issue 13 item 4 (status words no adapter
    /// knows), apart from `rng` so adding them left every other draw of a
    /// seed where it was.
    vocab_rng: SmallRng,
    profile: EmulatorProfile,
    /// Until when the API answers 429/503 (and which).
    outage: Option<(u64, bool)>,
    pub(crate) outbox: Vec<Delivery>,
    /// Where inbound calls' callbacks go.
    pub gateway_webhook: String,
    /// What happened.
    pub stats: EmulatorStats,
    /// Highest callback sequence delivered per call (to count reordering).
    delivered_seq: BTreeMap<String, u32>,
    /// Callbacks emitted recently, kept for a redelivery incident.
    recent: Vec<Delivery>,
    /// What each call went through, for the control API's timeline.
    pub log: CallLogs,
    /// Callees set by hand (per number, and a default); empty in the
    /// simulator, whose callees are drawn from the seed.
    pub callees: CalleeScripts,
    /// Added to the id counter when ids are made, so two seeds of the
    /// standalone server give different ids (0 in the simulator).
    pub(crate) id_salt: u64,
    /// The call the latest create made.
    last_created: Option<String>,
    /// Draws for what callees say when the gateway listens (issue 13 item
    /// 3), apart from `rng` so every earlier draw of a seed stays put.
    pub(super) speech_rng: SmallRng,
    /// Listening turns in progress, by provider call id.
    pub(super) turns: BTreeMap<String, super::speech::Turn>,
    /// The speech URL of the StartListening request being applied.
    pending_speech_url: Option<String>,
    /// End callbacks emitted, by the provider's word for the end (see
    /// `Dialect::end_vocabulary`).
    pub end_words: BTreeMap<&'static str, u64>,
}

/// How far back the provider keeps callbacks it may deliver again.
const RECENT_MS: u64 = 300_000;

/// How long outbound calls sit queued before ringing.
pub(crate) const QUEUE_MS: u64 = 200;
/// How long an unanswered inbound caller waits before giving up.
const INBOUND_PATIENCE_MS: u64 = 45_000;
/// A busy line answers busy this long after it starts ringing.
pub(crate) const BUSY_AFTER_MS: u64 = 1_000;
/// A failing carrier gives up this long after ringing starts.
pub(crate) const FAILURE_AFTER_MS: u64 = 500;

impl Emulator {
    /// An emulator for `dialect`, its randomness drawn from `seed`.
    pub fn new(
        dialect: Box<dyn Dialect>,
        seed: u64,
        profile: EmulatorProfile,
        gateway_webhook: String,
    ) -> Emulator {
        Emulator {
            dialect,
            calls: BTreeMap::new(),
            by_request: BTreeMap::new(),
            next_n: 0,
            rng: SmallRng::seed_from_u64(seed ^ 0x5eed_0fe1_u64),
            vocab_rng: SmallRng::seed_from_u64(seed ^ 0x0c4b_5747_u64),
            profile,
            outage: None,
            outbox: Vec::new(),
            gateway_webhook,
            stats: EmulatorStats::default(),
            delivered_seq: BTreeMap::new(),
            recent: Vec::new(),
            log: CallLogs::default(),
            callees: CalleeScripts::default(),
            id_salt: 0,
            last_created: None,
            speech_rng: SmallRng::seed_from_u64(seed ^ 0x5bee_c400_u64),
            turns: BTreeMap::new(),
            pending_speech_url: None,
            end_words: BTreeMap::new(),
        }
    }

    /// Mixes `salt` into every id made from now on, so servers started with
    /// different seeds hand out different ids (the simulator uses none).
    pub fn with_id_salt(mut self, salt: u64) -> Emulator {
        self.id_salt = salt;
        self
    }

    /// The provider id of the call the latest create made.
    pub fn last_created(&self) -> Option<&str> {
        self.last_created.as_deref()
    }

    /// The provider's wire format.
    pub fn dialect(&self) -> &dyn Dialect {
        self.dialect.as_ref()
    }

    /// Ends webhook faults: from now on every callback is delivered once, in
    /// order, promptly (the liveness phase).
    pub fn calm(&mut self) {
        self.profile.loss = 0.0;
        self.profile.duplicate = 0.0;
        self.profile.max_delay_ms = 0;
    }

    /// Makes the API answer 429 (`rate_limited`) or 503 until `until`.
    pub fn api_outage(&mut self, until: u64, rate_limited: bool) {
        self.outage = Some((until, rate_limited));
    }

    fn resolve(&self, id: &IdRef) -> Option<String> {
        match id {
            IdRef::Call(pid) => self.calls.contains_key(pid).then(|| pid.clone()),
            IdRef::Request(rid) => self.by_request.get(rid).cloned(),
        }
    }

    /// Answers one REST request.
    pub fn handle_api(
        &mut self,
        request: &http::Request<Vec<u8>>,
        now: u64,
    ) -> http::Response<Vec<u8>> {
        let call = match self.dialect.parse(request) {
            Ok(call) => call,
            Err(response) => return response,
        };
        self.note_speech_url(&call, request);
        if let Some(response) = self.outage_answer(&call, now) {
            return response;
        }
        self.apply(&call, now)
    }

    /// Remembers where the speech of the listening `request` starts goes,
    /// for [`Emulator::apply`] (which sees only the understood call).
    pub(crate) fn note_speech_url(&mut self, call: &ApiCall, request: &http::Request<Vec<u8>>) {
        self.pending_speech_url = match call {
            ApiCall::StartListening(_) => self.dialect.speech_url(request),
            _ => None,
        };
    }

    /// The injected outage's refusal of `call`, while the outage lasts.
    pub(crate) fn outage_answer(
        &mut self,
        call: &ApiCall,
        now: u64,
    ) -> Option<http::Response<Vec<u8>>> {
        let (until, rate_limited) = self.outage?;
        if now >= until {
            self.outage = None;
            return None;
        }
        self.stats.api_errors += 1;
        let result = if rate_limited {
            ApiResult::RateLimited
        } else {
            ApiResult::ServerError
        };
        Some(self.dialect.respond(call, result))
    }

    /// The provider id `call` names, if that call exists.
    pub(crate) fn target_of(&self, call: &ApiCall) -> Option<String> {
        call.target().and_then(|id| self.resolve(id))
    }

    /// Carries out an understood request and renders the provider's answer.
    pub(crate) fn apply(&mut self, call: &ApiCall, now: u64) -> http::Response<Vec<u8>> {
        let target = self.target_of(call);
        let on_ended = matches!(
            call,
            ApiCall::Hangup(_)
                | ApiCall::Speak(_)
                | ApiCall::StartListening(_)
                | ApiCall::StopListening(_)
        ) && target
            .as_ref()
            .and_then(|pid| self.calls.get(pid))
            .is_some_and(|c| !c.is_live());
        if on_ended {
            self.stats.ops_on_ended += 1;
        }
        if matches!(call, ApiCall::Status(IdRef::Request(_))) {
            self.stats.queued_view_asked += 1;
        }
        match &call {
            ApiCall::Create(params) => {
                self.next_n += 1;
                let (pid, rid) = self.dialect.new_ids(self.next_n.wrapping_add(self.id_salt));
                let callee = match self.callees.lookup(&params.to) {
                    Some(scripted) => scripted,
                    None => {
                        let drawn = self.draw_callee();
                        self.vocabulary_callee(drawn)
                    }
                };
                let truth = TruthCall {
                    provider_call_id: pid.clone(),
                    request_id: rid.clone(),
                    call_id: params.call_id.clone(),
                    direction: Direction::Outbound,
                    from: params.from.clone(),
                    to: params.to.clone(),
                    phase: Phase::Queued,
                    created_at: now,
                    answered_at: None,
                    ended_at: None,
                    ring_timeout_ms: u64::from(params.ring_timeout_secs.unwrap_or(60)) * 1000,
                    time_limit_ms: params.time_limit_secs.map(|s| u64::from(s) * 1000),
                    callee,
                    webhook_url: params.webhook_url.clone(),
                    owned: true,
                    rejected: false,
                    callbacks: 0,
                    decided_at: None,
                    first_spoken_at: None,
                    end_accepted: false,
                    said: Vec::new(),
                };
                if let Some(rid) = rid {
                    self.by_request.insert(rid, pid.clone());
                }
                self.calls.insert(pid.clone(), truth);
                self.last_created = Some(pid.clone());
                self.emit(&pid, CallbackKind::Initiated, now);
                let created = &self.calls[&pid];
                self.dialect.respond(call, ApiResult::Created(created))
            }
            ApiCall::Status(_) => match target.and_then(|pid| self.calls.get(&pid)) {
                Some(truth) => self.dialect.respond(call, ApiResult::Status(truth)),
                None => self.dialect.respond(call, ApiResult::NotFound),
            },
            ApiCall::Hangup(_) => match target.filter(|pid| self.calls[pid].is_live()) {
                Some(pid) => {
                    self.log.record(&pid, now, "hangup", "by the gateway");
                    self.end(&pid, CallState::HangupBot, now);
                    self.dialect
                        .respond(call, ApiResult::Done(&self.calls[&pid]))
                }
                None => self.dialect.respond(call, ApiResult::NotFound),
            },
            ApiCall::Speak(_) | ApiCall::StartListening(_) | ApiCall::StopListening(_) => {
                match target.filter(|pid| self.calls[pid].phase == Phase::Answered) {
                    Some(pid) => {
                        if let (ApiCall::Speak(_), Some(c)) = (&call, self.calls.get_mut(&pid)) {
                            c.first_spoken_at.get_or_insert(now);
                        }
                        let event = match &call {
                            ApiCall::Speak(_) => "speak",
                            _ => "listen",
                        };
                        let detail = match &call {
                            ApiCall::StopListening(_) => "stop",
                            _ => "start",
                        };
                        self.log.record(&pid, now, event, detail);
                        match &call {
                            ApiCall::StartListening(_) => {
                                let url = self.pending_speech_url.take();
                                self.listen(&pid, url, now);
                            }
                            ApiCall::StopListening(_) => self.stop_listening(&pid),
                            _ => {}
                        }
                        self.dialect
                            .respond(call, ApiResult::Done(&self.calls[&pid]))
                    }
                    None => self.dialect.respond(call, ApiResult::NotFound),
                }
            }
            ApiCall::Answer(_) | ApiCall::Reject(_) => {
                let accept = matches!(call, ApiCall::Answer(_));
                match target.filter(|pid| self.awaits_decision(pid)) {
                    Some(pid) => {
                        self.inbound_decision(&pid, accept, now);
                        if !accept {
                            self.end(&pid, CallState::HangupBot, now);
                        }
                        self.dialect
                            .respond(call, ApiResult::Done(&self.calls[&pid]))
                    }
                    None => self.dialect.respond(call, ApiResult::NotFound),
                }
            }
        }
    }

    /// Counts a callback that is about to go out: its signing, and for an
    /// end, the provider's word for it.
    fn count_callback(&mut self, pid: &str, kind: CallbackKind) {
        if self.dialect.sha256_signed() {
            self.stats.sha256_signed += 1;
        }
        if let (CallbackKind::Ended(reason), Some(call)) = (kind, self.calls.get(pid)) {
            let word = self.dialect.end_word(call, reason);
            *self.end_words.entry(word).or_default() += 1;
        }
    }

    /// Whether `pid` is an inbound call still ringing at the gateway,
    /// neither answered nor refused.
    fn awaits_decision(&self, pid: &str) -> bool {
        self.calls.get(pid).is_some_and(|c| {
            c.direction == Direction::Inbound
                && !c.owned
                && !c.rejected
                && c.phase == Phase::Ringing
        })
    }

    fn draw_callee(&mut self) -> Callee {
        match self.rng.random_range(0..100u32) {
            0..=64 => Callee::Answers {
                after_ms: self.rng.random_range(1_000..20_000),
                talk_ms: if self.rng.random_bool(0.8) {
                    Some(self.rng.random_range(5_000..60_000))
                } else {
                    None
                },
            },
            65..=77 => Callee::Busy,
            78..=91 => Callee::NoAnswer,
            _ => Callee::CarrierFailure,
        }
    }

    /// One drawn callee in [`VOCABULARY_PER`] is replaced by one of the
    /// behaviours the providers' vocabulary needs beyond the first draw's
    /// (a decline, the network giving up, a network error, an answering
    /// machine), drawn from `vocab_rng` so every other draw of the seed
    /// stays where it was.
    fn vocabulary_callee(&mut self, drawn: Callee) -> Callee {
        if self.vocab_rng.random_range(0..VOCABULARY_PER) != 0 {
            return drawn;
        }
        match self.vocab_rng.random_range(0..4u32) {
            0 => Callee::Declines {
                after_ms: self.vocab_rng.random_range(2_000..10_000),
            },
            1 => Callee::RingsOut {
                after_ms: self.vocab_rng.random_range(5_000..15_000),
            },
            2 => Callee::NetworkError,
            _ => Callee::Voicemail {
                after_ms: self.vocab_rng.random_range(3_000..12_000),
                message_ms: self.vocab_rng.random_range(5_000..30_000),
            },
        }
    }

    /// A new inbound call from `from`; it rings at the gateway.
    pub fn start_inbound(&mut self, from: &str, to: &str, now: u64) -> String {
        self.next_n += 1;
        let (pid, _) = self.dialect.new_ids(self.next_n.wrapping_add(self.id_salt));
        let truth = TruthCall {
            provider_call_id: pid.clone(),
            request_id: None,
            call_id: None,
            direction: Direction::Inbound,
            from: from.to_owned(),
            to: to.to_owned(),
            phase: Phase::Ringing,
            created_at: now,
            answered_at: None,
            ended_at: None,
            ring_timeout_ms: INBOUND_PATIENCE_MS,
            time_limit_ms: None,
            callee: Callee::Answers {
                after_ms: 0,
                talk_ms: Some(self.rng.random_range(10_000..120_000)),
            },
            webhook_url: self.gateway_webhook.clone(),
            owned: false,
            rejected: false,
            callbacks: 0,
            decided_at: None,
            first_spoken_at: None,
            end_accepted: false,
            said: Vec::new(),
        };
        self.calls.insert(pid.clone(), truth);
        self.emit(&pid, CallbackKind::Initiated, now);
        pid
    }

    /// The gateway's answer to an inbound call's first callback.
    pub fn inbound_decision(&mut self, pid: &str, accepted: bool, now: u64) {
        let Some(call) = self.calls.get_mut(pid) else {
            return;
        };
        if call.direction != Direction::Inbound
            || call.owned
            || call.rejected
            || call.phase != Phase::Ringing
        {
            return;
        }
        call.decided_at = Some(now);
        let event = if accepted {
            "inbound_accepted"
        } else {
            "inbound_rejected"
        };
        self.log.record(pid, now, event, "by the gateway");
        if accepted {
            self.stats.inbound_accepted += 1;
            call.owned = true;
            call.phase = Phase::Answered;
            call.answered_at = Some(now);
            self.emit(pid, CallbackKind::Answered, now);
        } else {
            self.stats.inbound_rejected += 1;
            call.rejected = true;
        }
    }

    fn end(&mut self, pid: &str, reason: EndReason, now: u64) {
        let Some(call) = self.calls.get_mut(pid) else {
            return;
        };
        if !call.is_live() {
            return;
        }
        call.phase = Phase::Ended(reason);
        call.ended_at = Some(now);
        self.emit(pid, CallbackKind::Ended(reason), now);
    }

    /// Now and then (one answered outbound call in [`UNRECOGNISED_PER`]), a
    /// progress report in a word no adapter knows follows the answer, as
    /// when a provider adds a status: the call stays live whatever it says.
    /// It is delivered once, 200 ms after the answer, and is neither lost,
    /// duplicated nor redelivered: none of that draws from `rng`.
    fn maybe_unrecognised(&mut self, pid: &str, answered_at: u64) {
        if self.vocab_rng.random_range(0..UNRECOGNISED_PER) != 0 {
            return;
        }
        let Some(call) = self.calls.get_mut(pid) else {
            return;
        };
        let now = answered_at + 200;
        let kind = CallbackKind::Unrecognised;
        call.callbacks += 1;
        let sequence = call.callbacks;
        let request = self.dialect.callback(call, kind, sequence, now);
        self.log.record_callback(pid, kind, now);
        self.stats.callbacks += 1;
        self.stats.unrecognised_status += 1;
        self.count_callback(pid, kind);
        self.next_n += 1;
        self.outbox.push(Delivery {
            id: self.next_n,
            request,
            due_at: now,
            attempts: 0,
            provider_call_id: pid.to_owned(),
            kind,
            sequence,
            duplicate: false,
            late: false,
        });
    }

    pub(super) fn emit(&mut self, pid: &str, kind: CallbackKind, now: u64) {
        let Some(call) = self.calls.get_mut(pid) else {
            return;
        };
        call.callbacks += 1;
        let sequence = call.callbacks;
        let request = self.dialect.callback(call, kind, sequence, now);
        self.log.record_callback(pid, kind, now);
        self.stats.callbacks += 1;
        self.count_callback(pid, kind);
        self.recent.retain(|d| d.due_at + RECENT_MS >= now);
        self.recent.push(Delivery {
            id: 0,
            request: request.clone(),
            due_at: now,
            attempts: 0,
            provider_call_id: pid.to_owned(),
            kind,
            sequence,
            duplicate: true,
            late: false,
        });
        if self.rng.random_bool(self.profile.loss) {
            self.stats.lost += 1;
            return;
        }
        let copies = if self.rng.random_bool(self.profile.duplicate) {
            2
        } else {
            1
        };
        for copy in 0..copies {
            let delay = if self.profile.max_delay_ms == 0 {
                0
            } else {
                self.rng.random_range(0..=self.profile.max_delay_ms)
            };
            self.next_n += 1;
            self.outbox.push(Delivery {
                id: self.next_n,
                request: request.clone(),
                due_at: now + delay + copy * 1_500,
                attempts: 0,
                provider_call_id: pid.to_owned(),
                kind,
                sequence,
                duplicate: copy > 0,
                late: false,
            });
            if copy > 0 {
                self.stats.duplicates += 1;
            }
        }
    }

    /// The provider's own delivery incident: every callback emitted in the
    /// last `window_ms` is delivered again over the next few seconds
    /// (at-least-once delivery catching up), old timestamps and all.
    pub fn redeliver(&mut self, now: u64, window_ms: u64) {
        let again: Vec<Delivery> = self
            .recent
            .iter()
            .filter(|d| d.due_at + window_ms >= now)
            .cloned()
            .collect();
        for mut d in again {
            self.next_n += 1;
            d.id = self.next_n;
            d.due_at = now + self.rng.random_range(0..5_000);
            self.stats.duplicates += 1;
            self.outbox.push(d);
        }
    }

    /// Lets time pass to `now`: queued calls ring, callees act, limits bite.
    pub fn advance(&mut self, now: u64) {
        let pids: Vec<String> = self.calls.keys().cloned().collect();
        for pid in pids {
            let call = &self.calls[&pid];
            let (phase, created, answered) = (call.phase, call.created_at, call.answered_at);
            match phase {
                Phase::Queued if now >= created + QUEUE_MS => {
                    if let Some(c) = self.calls.get_mut(&pid) {
                        c.phase = Phase::Ringing;
                    }
                    self.emit(&pid, CallbackKind::Ringing, created + QUEUE_MS);
                }
                Phase::Ringing => self.ringing(&pid, now),
                Phase::Answered => {
                    let call = &self.calls[&pid];
                    let base = answered.unwrap_or(created);
                    let (talk, hangs_up_as) = match call.callee {
                        Callee::Answers {
                            talk_ms: Some(t), ..
                        } => (Some(base + t), CallState::HangupUser),
                        Callee::Voicemail { message_ms, .. } => {
                            (Some(base + message_ms), CallState::Voicemail)
                        }
                        _ => (None, CallState::HangupUser),
                    };
                    let limit = call.time_limit_ms.map(|l| base + l);
                    match (talk, limit) {
                        (Some(t), l) if now >= t && l.is_none_or(|l| t <= l) => {
                            self.end(&pid, hangs_up_as, t)
                        }
                        (_, Some(l)) if now >= l => self.end(&pid, CallState::Completed, l),
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        self.speak_due(now);
    }

    fn ringing(&mut self, pid: &str, now: u64) {
        let call = &self.calls[pid];
        let start = call.created_at
            + if call.direction == Direction::Outbound {
                QUEUE_MS
            } else {
                0
            };
        let give_up = start + call.ring_timeout_ms;
        if call.direction == Direction::Inbound {
            if now >= give_up {
                self.end(pid, CallState::HangupUser, give_up);
            }
            return;
        }
        match call.callee {
            Callee::Answers { after_ms, .. }
                if start + after_ms < give_up && now >= start + after_ms =>
            {
                if let Some(c) = self.calls.get_mut(pid) {
                    c.phase = Phase::Answered;
                    c.answered_at = Some(start + after_ms);
                }
                self.emit(pid, CallbackKind::Answered, start + after_ms);
                self.maybe_unrecognised(pid, start + after_ms);
            }
            Callee::Answers { after_ms, .. } if start + after_ms < give_up => {}
            Callee::Voicemail { after_ms, .. }
                if start + after_ms < give_up && now >= start + after_ms =>
            {
                if let Some(c) = self.calls.get_mut(pid) {
                    c.phase = Phase::Answered;
                    c.answered_at = Some(start + after_ms);
                }
                self.log
                    .record(pid, start + after_ms, "status", "answered by a machine");
                self.emit(pid, CallbackKind::Answered, start + after_ms);
            }
            Callee::Voicemail { after_ms, .. } if start + after_ms < give_up => {}
            Callee::Busy if now >= start + BUSY_AFTER_MS => {
                self.end(pid, CallState::Busy, start + BUSY_AFTER_MS)
            }
            Callee::CarrierFailure if now >= start + FAILURE_AFTER_MS => {
                self.end(pid, CallState::Failed, start + FAILURE_AFTER_MS)
            }
            Callee::NetworkError if now >= start + FAILURE_AFTER_MS => {
                self.end(pid, CallState::Error, start + FAILURE_AFTER_MS)
            }
            Callee::Declines { after_ms }
                if start + after_ms < give_up && now >= start + after_ms =>
            {
                self.log
                    .record(pid, start + after_ms, "status", "declined by the callee");
                self.end(pid, CallState::HangupUser, start + after_ms)
            }
            Callee::RingsOut { after_ms }
                if start + after_ms < give_up && now >= start + after_ms =>
            {
                self.log.record(
                    pid,
                    start + after_ms,
                    "status",
                    "the callee's network stopped ringing",
                );
                self.end(pid, CallState::NoAnswer, start + after_ms)
            }
            Callee::Declines { after_ms } | Callee::RingsOut { after_ms }
                if start + after_ms < give_up => {}
            _ if now >= give_up => self.end(pid, CallState::NoAnswer, give_up),
            _ => {}
        }
    }

    /// Deliveries due by `now`, removed from the outbox.
    pub fn take_due(&mut self, now: u64) -> Vec<Delivery> {
        let (due, rest): (Vec<Delivery>, Vec<Delivery>) = std::mem::take(&mut self.outbox)
            .into_iter()
            .partition(|d| d.due_at <= now);
        self.outbox = rest;
        let mut due = due;
        due.sort_by_key(|d| (d.due_at, d.id));
        for d in &mut due {
            let highest = self
                .delivered_seq
                .entry(d.provider_call_id.clone())
                .or_insert(0);
            let this = d.sequence;
            if this < *highest {
                d.late = true;
                self.stats.reordered += 1;
            }
            *highest = (*highest).max(this);
        }
        due
    }

    /// The far end of a live call hangs up now (the control API's end).
    /// False when there is no such live call.
    pub fn far_end_hangs_up(&mut self, pid: &str, now: u64) -> bool {
        if !self.calls.get(pid).is_some_and(TruthCall::is_live) {
            return false;
        }
        self.log.ended_by_control(pid);
        self.log
            .record(pid, now, "hangup", "the far end hung up (control)");
        self.end(pid, CallState::HangupUser, now);
        true
    }

    /// Puts a delivery back in the outbox, due at `due_at` (a delayed or
    /// held-back callback).
    pub fn requeue(&mut self, mut delivery: Delivery, due_at: u64) {
        delivery.due_at = due_at;
        self.outbox.push(delivery);
    }

    /// Reports a delivery the provider does not retry: it is lost.
    pub fn delivery_given_up(&mut self, _delivery: Delivery) {
        self.stats.lost += 1;
    }

    /// Sets the delivery retries and first backoff (the standalone server
    /// uses each provider's documented policy).
    pub fn set_retries(&mut self, retries: u32, retry_delay_ms: u64) {
        self.profile.retries = retries;
        self.profile.retry_delay_ms = retry_delay_ms;
    }

    /// Reports a delivery's fate: a failure is retried per the profile.
    pub fn delivery_failed(&mut self, mut delivery: Delivery, now: u64) {
        if delivery.attempts < self.profile.retries {
            let backoff = self.profile.retry_delay_ms << delivery.attempts.min(16);
            delivery.attempts += 1;
            delivery.due_at = now + backoff;
            self.outbox.push(delivery);
        } else {
            self.stats.lost += 1;
        }
    }

    /// The earliest time something will happen without outside input.
    pub fn next_wakeup(&self) -> Option<u64> {
        self.outbox.iter().map(|d| d.due_at).min()
    }
}
