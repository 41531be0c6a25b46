//! The aggregator: sentence records (and tension records) in, per-speaker and per-source claim (and
//! tension) counts over tumbling event-time windows out (`tenor.speaker_window/1` records on `tenor.speakers`; the record type, [`WindowRecord`], is
//! defined in `tenor-core` with the rest of the wire contract and re-exported here).
//!
//! - **What counts.** A sentence record with a stance whose claim stage did not run or found a claim
//!   (`claim` is null or `claim.is_claim`). It counts once for its speaker (`attribution.speaker.resolved`,
//!   else the speaker text) when it has an attribution, and once for its publisher (`article_source`) when it
//!   has one. Records without a stance count nowhere.
//! - **Tensions** (`tenor.tension/1`, from `topics.tensions`) count once for each side's speaker and outlet
//!   (each name once), in the window of the later side's time (clamped like any event time).
//! - **Event time** is the record's `published_at`, or the Kafka message timestamp when the article had none
//!   (see [`event_time`]). Windows are `[k·width, (k+1)·width)` seconds since the Unix epoch.
//! - **Bad clocks.** Each record has a *reference time*: its message timestamp, or the aggregator's clock when
//!   that is earlier or the message has none. An event time more than `window.max_future_seconds` after the
//!   reference time is clamped to the reference time (and, when `window.max_past_seconds` is set, one more than
//!   that before it), counted in `tenor_event_time_clamped_total{direction}`. So one record dated years ahead
//!   neither opens a window that never closes (holding its partition's commits) nor pushes the watermark ahead
//!   and makes every later record late. With `max_future_seconds <= allowed_lateness_seconds` no single record
//!   can make an on-time record late. The reference is the message timestamp, not the clock alone, so a replay
//!   of old records clamps exactly as the first run did.
//! - **Closing.** A window is emitted (`kind = "final"`) once the largest event time seen passes its end by
//!   `allowed_lateness_seconds`, or when no record has arrived for `idle_flush_ms`.
//! - **Late records** (their window was already emitted) are not dropped: they are counted in
//!   `tenor_late_records_total` and published as `kind = "late"` increments for their window, about once a
//!   second. A window's totals are its `final` record plus its `late` records.
//! - **Offsets.** A window keeps its counts per input partition, and each partition's part holds the first
//!   offset it took from that partition (see [`OffsetTracker::hold`]), so nothing it contains is committed
//!   before the window's records are acknowledged.
//! - **Rebalance.** When a partition is revoked, the parts of every open window (and pending late increment)
//!   that came from it are dropped before anything else is ingested or emitted (counted in
//!   `tenor_window_state_dropped_total`): their offsets were never committed, so the partition's next owner
//!   (this instance again, or another one) replays those records and counts them once, under holds taken in
//!   the new assignment. The watermark is kept.
//! - **Replays.** After a crash or a rebalance the records after the committed offset are replayed: open windows
//!   are rebuilt exactly. A window emitted (and acknowledged) before, some of whose records lay after an offset
//!   still held by an older open window, is emitted again with the replayed part only (as `final`, or as a
//!   `late` increment when the watermark has already passed it), and one whose records were in flight is
//!   emitted again in full. Output is at-least-once: a duplicate is recognisable by (`dimension`, `name`,
//!   `window_start`, `kind`); when each partition's records arrive in event-time order (as in the tests) the
//!   only duplicates are whole `final` records with equal counts.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
pub use tenor_core::{Dimension, WindowRecord, SPEAKER_WINDOW_SCHEMA};
use tenor_core::{InputError, SentenceRecord, StanceLabel, TensionRecord};

use super::engine::{Emission, Incoming, Outgoing, StatefulStage};
use crate::config::WindowConfig;
use crate::delivery::{InputRef, OffsetTracker, TopicPartition};
use crate::metrics::{stage, Metrics};

/// How a tension record starts (Tenor writes `schema` first): the aggregator's second input.
const TENSION_PREFIX: &str = "{\"schema\":\"tenor.tension/1\"";

#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Counts {
    positive: u64,
    neutral: u64,
    negative: u64,
    confidence_sum: f64,
    tensions: u64,
}

impl Counts {
    fn add(&mut self, label: StanceLabel, confidence: f64) {
        match label {
            StanceLabel::Positive => self.positive += 1,
            StanceLabel::Neutral => self.neutral += 1,
            StanceLabel::Negative => self.negative += 1,
        }
        self.confidence_sum += confidence;
    }

    fn merge(&mut self, other: &Counts) {
        self.positive += other.positive;
        self.neutral += other.neutral;
        self.negative += other.negative;
        self.confidence_sum += other.confidence_sum;
        self.tensions += other.tensions;
    }

    fn claims(&self) -> u64 {
        self.positive + self.neutral + self.negative
    }
}

/// What one input partition contributed to a window.
#[derive(Debug)]
struct Part {
    counts: BTreeMap<(Dimension, String), Counts>,
    /// Input records counted here.
    records: u64,
    /// The first input of the partition that contributed, held until the window's records are acknowledged.
    hold: InputRef,
}

#[derive(Debug, Default)]
struct Window {
    parts: BTreeMap<TopicPartition, Part>,
}

impl Window {
    /// Counts summed over the partitions, in key order.
    fn totals(&self) -> BTreeMap<&(Dimension, String), Counts> {
        let mut totals: BTreeMap<&(Dimension, String), Counts> = BTreeMap::new();
        for part in self.parts.values() {
            for (key, counts) in &part.counts {
                totals.entry(key).or_default().merge(counts);
            }
        }
        totals
    }
}

/// Which way an event time was clamped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clamped {
    Future,
    Past,
}

impl Clamped {
    pub fn as_str(self) -> &'static str {
        match self {
            Clamped::Future => "future",
            Clamped::Past => "past",
        }
    }
}

/// A record's event time in seconds since the epoch, by the rule in the module documentation: `published`
/// (seconds), else the message timestamp (`message_ms`), clamped to the reference time (the message timestamp,
/// or `now_secs` when that is earlier or there is none) when it lies more than `max_future_seconds` after it or
/// (with `max_past_seconds > 0`) more than `max_past_seconds` before it. `None` when the record has no time.
pub fn event_time(
    published: Option<i64>,
    message_ms: Option<i64>,
    now_secs: i64,
    config: &WindowConfig,
) -> Option<(i64, Option<Clamped>)> {
    let message = message_ms.map(|ms| ms.div_euclid(1000));
    let time = published.or(message)?;
    let reference = message.map_or(now_secs, |m| m.min(now_secs));
    let limit = |seconds: u64| i64::try_from(seconds).unwrap_or(i64::MAX);
    if time > reference.saturating_add(limit(config.max_future_seconds)) {
        return Some((reference, Some(Clamped::Future)));
    }
    if config.max_past_seconds > 0 && time < reference.saturating_sub(limit(config.max_past_seconds)) {
        return Some((reference, Some(Clamped::Past)));
    }
    Some((time, None))
}

/// The aggregator's state and logic; the engine runs it as a [`StatefulStage`].
#[derive(Debug)]
pub struct Aggregator {
    config: WindowConfig,
    output: Arc<str>,
    max_record_bytes: usize,
    /// Open windows by start (seconds since the epoch).
    open: BTreeMap<i64, Window>,
    /// Increments for windows already emitted.
    late: BTreeMap<i64, Window>,
    /// Every window ending at or before this (seconds) has been emitted.
    closed_before: i64,
    max_event_time: Option<i64>,
    last_input: Option<Instant>,
    /// The tracker generation the windows' holds were last checked against (see [`Aggregator::drop_revoked`]).
    checked_generation: Option<u64>,
}

/// What one sentence record contributes.
struct Contribution {
    event_time: i64,
    clamped: Option<Clamped>,
    /// A claim with its stance and confidence, or (`None`) a tension.
    stance: Option<(StanceLabel, f64)>,
    keys: Vec<(Dimension, String)>,
}

impl Aggregator {
    pub fn new(config: WindowConfig, output: Arc<str>, max_record_bytes: usize) -> Aggregator {
        Aggregator {
            config,
            output,
            max_record_bytes,
            open: BTreeMap::new(),
            late: BTreeMap::new(),
            closed_before: i64::MIN,
            max_event_time: None,
            last_input: None,
            checked_generation: None,
        }
    }

    fn width(&self) -> i64 {
        self.config.width_seconds.max(1) as i64
    }

    fn contribution(&self, message: &Incoming) -> Result<Option<Contribution>, InputError> {
        let text = super::record_text(&message.payload, "sentence record", self.max_record_bytes)?;
        if text.starts_with(TENSION_PREFIX) {
            return self.tension(text, message);
        }
        let record: SentenceRecord = serde_json::from_str(text)
            .map_err(|e| InputError::InvalidJson(format!("not a sentence record: {e}")))?;
        let Some(stance) = record.stance else { return Ok(None) };
        if record.claim.as_ref().is_some_and(|c| !c.is_claim) {
            return Ok(None);
        }
        let published = record.published_at.map(|p| p.timestamp());
        let Some((event_time, clamped)) =
            event_time(published, message.timestamp_ms, Utc::now().timestamp(), &self.config)
        else {
            return Ok(None);
        };
        let mut keys = Vec::new();
        if let Some(attribution) = &record.attribution {
            let speaker = attribution.speaker.resolved.clone().unwrap_or_else(|| attribution.speaker.text.clone());
            keys.push((Dimension::Speaker, speaker));
        }
        if let Some(source) = record.article_source {
            keys.push((Dimension::Source, source));
        }
        if keys.is_empty() {
            return Ok(None);
        }
        Ok(Some(Contribution { event_time, clamped, stance: Some((stance.label, stance.confidence)), keys }))
    }

    /// A tension counts once for each side's speaker and outlet (each name once), in the window of the later
    /// side's time.
    fn tension(&self, text: &str, message: &Incoming) -> Result<Option<Contribution>, InputError> {
        let record: TensionRecord = serde_json::from_str(text)
            .map_err(|e| InputError::InvalidJson(format!("not a tension record: {e}")))?;
        let later = record.sides.iter().map(|s| s.time.timestamp()).max();
        let Some((event_time, clamped)) =
            event_time(later, message.timestamp_ms, Utc::now().timestamp(), &self.config)
        else {
            return Ok(None);
        };
        let mut keys = Vec::new();
        for side in &record.sides {
            for key in [
                side.speaker.clone().map(|s| (Dimension::Speaker, s)),
                side.outlet.clone().map(|o| (Dimension::Source, o)),
            ]
            .into_iter()
            .flatten()
            {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
        Ok((!keys.is_empty()).then_some(Contribution { event_time, clamped, stance: None, keys }))
    }

    /// Drops the parts of open windows and pending late increments whose partition was revoked since the last
    /// check (their holds are no longer current). Their records were never committed, so whoever owns the
    /// partition now replays and counts them; keeping them here would count them twice, and their stale holds
    /// would no longer keep replayed records from being committed.
    fn drop_revoked(&mut self, tracker: &OffsetTracker, metrics: &Metrics) {
        if self.checked_generation == Some(tracker.generation()) {
            return;
        }
        self.checked_generation = Some(tracker.generation());
        let mut dropped: BTreeMap<TopicPartition, u64> = BTreeMap::new();
        for windows in [&mut self.open, &mut self.late] {
            for window in windows.values_mut() {
                window.parts.retain(|tp, part| {
                    let current = tracker.is_current(&part.hold);
                    if !current {
                        *dropped.entry(tp.clone()).or_default() += part.records;
                    }
                    current
                });
            }
            windows.retain(|_, window| !window.parts.is_empty());
        }
        for (tp, records) in dropped {
            metrics.window_state_dropped.inc_by(records);
            tracing::info!(
                topic = %tp.topic,
                partition = tp.partition,
                records,
                "partition revoked: dropped its records from open windows; they are replayed by its next owner"
            );
        }
    }

    fn emit(&self, start: i64, window: Window, kind: &str, metrics: &Metrics) -> Emission {
        let now = Utc::now();
        let to_time = |secs: i64| Utc.timestamp_opt(secs, 0).single().unwrap_or(DateTime::<Utc>::MIN_UTC);
        let totals = window.totals();
        let mut records = Vec::with_capacity(totals.len());
        for ((dimension, name), counts) in totals {
            let record = WindowRecord {
                schema: SPEAKER_WINDOW_SCHEMA.to_owned(),
                dimension: *dimension,
                name: name.clone(),
                window_start: to_time(start),
                window_end: to_time(start.saturating_add(self.width())),
                kind: kind.to_owned(),
                claims: counts.claims(),
                positive: counts.positive,
                neutral: counts.neutral,
                negative: counts.negative,
                mean_confidence: if counts.claims() == 0 {
                    0.0
                } else {
                    counts.confidence_sum / counts.claims() as f64
                },
                tensions: counts.tensions,
                emitted_at: now,
            };
            records.push(Outgoing {
                topic: self.output.clone(),
                key: Some(format!("{}:{name}", dimension.as_str()).into_bytes()),
                payload: serde_json::to_vec(&record).expect("window records always serialise"),
                dead_letter_reason: None,
            });
        }
        metrics.windows_emitted.with_label_values(&[kind]).inc_by(records.len() as u64);
        tracing::info!(window_start = start, kind, records = records.len(), "window emitted");
        Emission {
            records,
            covers: window.parts.into_values().map(|part| part.hold).collect(),
            stances: Vec::new(),
            input_timestamp_ms: None,
        }
    }

    /// Emits every open window that the watermark has passed.
    fn close_due(&mut self, metrics: &Metrics) -> Vec<Emission> {
        let Some(max) = self.max_event_time else { return Vec::new() };
        let watermark = max.saturating_sub(self.config.allowed_lateness_seconds as i64);
        let width = self.width();
        let due: Vec<i64> = self.open.keys().copied().take_while(|start| start + width <= watermark).collect();
        let mut out = Vec::new();
        for start in due {
            let window = self.open.remove(&start).expect("listed above");
            self.closed_before = self.closed_before.max(start + width);
            out.push(self.emit(start, window, "final", metrics));
        }
        // Windows that never opened below the watermark are closed too: a record for them is late.
        let floor = watermark.div_euclid(width) * width;
        self.closed_before = self.closed_before.max(floor);
        out
    }
}

impl StatefulStage for Aggregator {
    fn ingest(
        &mut self,
        message: &Incoming,
        input: &InputRef,
        tracker: &mut OffsetTracker,
        metrics: &Metrics,
    ) -> Result<Vec<Emission>, InputError> {
        let started = Instant::now();
        self.last_input = Some(started);
        self.drop_revoked(tracker, metrics);
        let Some(contribution) = self.contribution(message)? else { return Ok(Vec::new()) };
        if let Some(direction) = contribution.clamped {
            metrics.event_time_clamped.with_label_values(&[direction.as_str()]).inc();
            tracing::debug!(
                direction = direction.as_str(),
                event_time = contribution.event_time,
                offset = message.offset,
                "event time out of range, clamped to the record's reference time"
            );
        }
        let width = self.width();
        let start = contribution.event_time.div_euclid(width) * width;
        let is_late = start + width <= self.closed_before;
        let window = if is_late {
            metrics.late_records.inc();
            tracing::debug!(
                window_start = start,
                offset = message.offset,
                "late record, published as a late increment"
            );
            self.late.entry(start).or_default()
        } else {
            self.open.entry(start).or_default()
        };
        // A part of this partition is current (stale ones were dropped above), so its hold still counts.
        let part = window.parts.entry(input.tp.clone()).or_insert_with(|| Part {
            counts: BTreeMap::new(),
            records: 0,
            hold: tracker.hold(input),
        });
        part.records += 1;
        for key in contribution.keys {
            let counts = part.counts.entry(key).or_default();
            match contribution.stance {
                Some((label, confidence)) => counts.add(label, confidence),
                None => counts.tensions += 1,
            }
        }
        self.max_event_time =
            Some(self.max_event_time.map_or(contribution.event_time, |m| m.max(contribution.event_time)));
        let out = self.close_due(metrics);
        metrics.stage_seconds.with_label_values(&[stage::AGGREGATE]).observe(started.elapsed().as_secs_f64());
        Ok(out)
    }

    fn tick(&mut self, now: Instant, tracker: &OffsetTracker, metrics: &Metrics) -> Vec<Emission> {
        self.drop_revoked(tracker, metrics);
        let mut out = Vec::new();
        for (start, window) in std::mem::take(&mut self.late) {
            out.push(self.emit(start, window, "late", metrics));
        }
        let idle = self.config.idle_flush_ms > 0
            && self
                .last_input
                .is_some_and(|t| now.duration_since(t) >= Duration::from_millis(self.config.idle_flush_ms));
        if idle && !self.open.is_empty() {
            tracing::info!(windows = self.open.len(), "input idle, emitting open windows");
            let width = self.width();
            for (start, window) in std::mem::take(&mut self.open) {
                self.closed_before = self.closed_before.max(start + width);
                out.push(self.emit(start, window, "final", metrics));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap as Map;
    use tenor_core::{Attribution, Origin, SentenceKind, Span, Speaker, Stance, StanceProbs, TextSpan};

    fn record(
        source: &str,
        speaker: Option<&str>,
        label: StanceLabel,
        confidence: f64,
        published: &str,
    ) -> Vec<u8> {
        let record = SentenceRecord {
            schema: "tenor.sentence/1".into(),
            article_id: "a".into(),
            sentence_index: 0,
            text: "x".into(),
            span: Span::new(0, 1),
            kind: SentenceKind::Sentence,
            source: Origin::Kafka { topic: "articles".into(), partition: 0, offset: 0 },
            processed_at: Utc::now(),
            published_at: Some(DateTime::parse_from_rfc3339(published).unwrap()),
            article_source: Some(source.into()),
            claim: None,
            attribution: speaker.map(|s| Attribution {
                speaker: Speaker { text: s.into(), span: Span::new(0, 1), resolved: None },
                cue: TextSpan { text: "said".into(), span: Span::new(0, 1) },
                content: None,
                quote: None,
            }),
            stance: Some(Stance {
                label,
                confidence,
                probs: StanceProbs { negative: 0.0, neutral: 0.0, positive: 0.0 },
                evidence: Vec::new(),
            }),
            targets: Vec::new(),
            hedge: None,
            model: Map::new(),
            tier: None,
            run_id: None,
            claim_cluster: None,
        };
        serde_json::to_vec(&record).unwrap()
    }

    fn feed(agg: &mut Aggregator, tracker: &mut OffsetTracker, offset: i64, payload: Vec<u8>) -> Vec<Emission> {
        feed_from(agg, tracker, &TopicPartition::new("s", 0), offset, payload, &Metrics::new("test"))
    }

    /// Ingests one record of `tp` as the engine does: begin, ingest, complete the message itself.
    fn feed_from(
        agg: &mut Aggregator,
        tracker: &mut OffsetTracker,
        tp: &TopicPartition,
        offset: i64,
        payload: Vec<u8>,
        metrics: &Metrics,
    ) -> Vec<Emission> {
        let input = tracker.begin(tp, offset);
        let message = Incoming { tp: tp.clone(), offset, key: None, payload, timestamp_ms: None };
        let out = agg.ingest(&message, &input, tracker, metrics).unwrap();
        tracker.complete(&input);
        out
    }

    /// (dimension, name) → claims, over every record of `emissions`.
    fn claims(emissions: &[Emission]) -> Map<(Dimension, String), u64> {
        let mut claims = Map::new();
        for record in emissions.iter().flat_map(decode) {
            *claims.entry((record.dimension, record.name)).or_default() += record.claims;
        }
        claims
    }

    fn acknowledge(tracker: &mut OffsetTracker, emissions: &[Emission]) {
        for input in emissions.iter().flat_map(|e| &e.covers) {
            tracker.complete(input);
        }
    }

    fn decode(emission: &Emission) -> Vec<WindowRecord> {
        emission.records.iter().map(|r| serde_json::from_slice(&r.payload).unwrap()).collect()
    }

    #[test]
    fn tensions_count_for_each_sides_speaker_and_outlet_in_the_later_sides_window() {
        use tenor_core::{LinkKind, TensionRecord, TensionScope, TensionSide, TensionSubject, TENSION_SCHEMA};
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let side = |speaker: &str, outlet: &str, time: &str| TensionSide {
            article_id: format!("{outlet}-1"),
            sentence_index: 0,
            text: "x".into(),
            outlet: Some(outlet.into()),
            speaker: Some(speaker.into()),
            stance: StanceLabel::Positive,
            polarity: 0.5,
            confidence: 0.7,
            time: at(time),
        };
        let tension = TensionRecord {
            schema: TENSION_SCHEMA.into(),
            tension_id: "t-1".into(),
            scope: TensionScope::Cluster,
            subject: TensionSubject {
                text: "talks".into(),
                link: LinkKind::Cluster,
                strength: 1.0,
                cluster_id: None,
            },
            sides: [side("Ann", "Wire", "2024-01-01T00:00:50Z"), side("Bob", "Wire", "2024-01-01T00:01:10Z")],
            score: 0.5,
            run_id: None,
        };
        let payload = serde_json::to_vec(&tension).unwrap();
        assert!(payload.starts_with(TENSION_PREFIX.as_bytes()), "Tenor writes the schema first");
        let config = WindowConfig { width_seconds: 60, idle_flush_ms: 1, ..WindowConfig::default() };
        let mut agg = Aggregator::new(config, "out".into(), 1 << 20);
        let mut tracker = OffsetTracker::new();
        assert!(feed(&mut agg, &mut tracker, 0, payload).is_empty());
        assert!(feed(
            &mut agg,
            &mut tracker,
            1,
            record("Wire", Some("Ann"), StanceLabel::Neutral, 0.5, "2024-01-01T00:01:20Z")
        )
        .is_empty());
        std::thread::sleep(Duration::from_millis(5));
        let out = agg.tick(Instant::now(), &tracker, &Metrics::new("test"));
        let records: Vec<WindowRecord> = out.iter().flat_map(decode).collect();
        let get = |d: Dimension, n: &str| records.iter().find(|r| r.dimension == d && r.name == n).unwrap();
        // The later side is at 00:01:10: the tension counts in the second window, once for the shared outlet.
        assert_eq!(records.iter().map(|r| r.window_start).collect::<std::collections::BTreeSet<_>>().len(), 1);
        assert_eq!((get(Dimension::Speaker, "Ann").tensions, get(Dimension::Speaker, "Ann").claims), (1, 1));
        assert_eq!((get(Dimension::Speaker, "Bob").tensions, get(Dimension::Speaker, "Bob").claims), (1, 0));
        assert_eq!((get(Dimension::Source, "Wire").tensions, get(Dimension::Source, "Wire").claims), (1, 1));
    }

    #[test]
    fn windows_close_on_event_time_and_late_records_become_increments() {
        let config = WindowConfig {
            width_seconds: 60,
            allowed_lateness_seconds: 30,
            idle_flush_ms: 0,
            ..WindowConfig::default()
        };
        let mut agg = Aggregator::new(config, "out".into(), 1 << 20);
        let mut tracker = OffsetTracker::new();
        let tp = TopicPartition::new("s", 0);
        use StanceLabel::*;
        assert!(feed(
            &mut agg,
            &mut tracker,
            0,
            record("Wire", Some("Ann"), Positive, 0.9, "2024-01-01T00:00:10Z")
        )
        .is_empty());
        assert!(feed(&mut agg, &mut tracker, 1, record("Wire", None, Negative, 0.7, "2024-01-01T00:00:50Z"))
            .is_empty());
        assert_eq!(tracker.committable(&tp), Some(0), "the open window holds offset 0");
        // 00:01:20 is not yet 30 s past the first window's end.
        assert!(feed(
            &mut agg,
            &mut tracker,
            2,
            record("Wire", Some("Ann"), Neutral, 0.5, "2024-01-01T00:01:20Z")
        )
        .is_empty());
        let out =
            feed(&mut agg, &mut tracker, 3, record("Post", Some("Bob"), Positive, 0.8, "2024-01-01T00:01:31Z"));
        assert_eq!(out.len(), 1);
        let records = decode(&out[0]);
        let wire = records.iter().find(|r| r.dimension == Dimension::Source && r.name == "Wire").unwrap();
        assert_eq!((wire.claims, wire.positive, wire.negative, wire.kind.as_str()), (2, 1, 1, "final"));
        assert!((wire.mean_confidence - 0.8).abs() < 1e-9);
        let ann = records.iter().find(|r| r.dimension == Dimension::Speaker).unwrap();
        assert_eq!((ann.name.as_str(), ann.claims), ("Ann", 1));
        assert_eq!(out[0].covers.len(), 1);
        // Acknowledging the window releases its hold; offset 2 is held by the open window.
        tracker.complete(&out[0].covers[0]);
        assert_eq!(tracker.committable(&tp), Some(2));

        // A record for the closed first window is late: it waits for the next tick as an increment.
        assert!(feed(&mut agg, &mut tracker, 4, record("Wire", None, Negative, 0.6, "2024-01-01T00:00:05Z"))
            .is_empty());
        let ticked = agg.tick(Instant::now(), &tracker, &Metrics::new("test"));
        assert_eq!(ticked.len(), 1);
        let late = decode(&ticked[0]);
        assert_eq!((late[0].kind.as_str(), late[0].claims, late[0].negative), ("late", 1, 1));
        assert_eq!(late[0].window_start.to_rfc3339(), "2024-01-01T00:00:00+00:00");
    }

    #[test]
    fn idle_flush_emits_open_windows_and_bad_records_are_input_errors() {
        let config = WindowConfig {
            width_seconds: 3600,
            allowed_lateness_seconds: 0,
            idle_flush_ms: 1,
            ..WindowConfig::default()
        };
        let mut agg = Aggregator::new(config, "out".into(), 1 << 20);
        let mut tracker = OffsetTracker::new();
        feed(&mut agg, &mut tracker, 0, record("Wire", None, StanceLabel::Positive, 0.9, "2024-01-01T00:00:10Z"));
        std::thread::sleep(Duration::from_millis(5));
        let out = agg.tick(Instant::now(), &tracker, &Metrics::new("test"));
        assert_eq!(out.len(), 1);
        assert_eq!(decode(&out[0])[0].claims, 1);

        let metrics = Metrics::new("test");
        let tp = TopicPartition::new("s", 0);
        let input = tracker.begin(&tp, 1);
        let message = Incoming { tp, offset: 1, key: None, payload: b"{}".to_vec(), timestamp_ms: None };
        assert_eq!(agg.ingest(&message, &input, &mut tracker, &metrics).unwrap_err().reason(), "invalid_json");
    }

    #[test]
    fn a_revoked_partition_is_dropped_and_its_replay_counted_once_under_new_holds() {
        let config = WindowConfig {
            width_seconds: 60,
            allowed_lateness_seconds: 0,
            idle_flush_ms: 0,
            ..WindowConfig::default()
        };
        let mut agg = Aggregator::new(config, "out".into(), 1 << 20);
        let mut tracker = OffsetTracker::new();
        let metrics = Metrics::new("test");
        let (p0, p1) = (TopicPartition::new("s", 0), TopicPartition::new("s", 1));
        tracker.assign(p0.clone());
        tracker.assign(p1.clone());
        let at = |second: u32| format!("2024-01-01T00:00:{second:02}Z");
        let ann = |second| record("Wire", Some("Ann"), StanceLabel::Positive, 0.5, &at(second));
        for offset in 0..3 {
            assert!(feed_from(&mut agg, &mut tracker, &p0, offset, ann(offset as u32), &metrics).is_empty());
            assert!(feed_from(&mut agg, &mut tracker, &p1, offset, ann(10), &metrics).is_empty());
        }
        assert_eq!((tracker.committable(&p0), tracker.committable(&p1)), (Some(0), Some(0)));

        // A rebalance: p0 comes back to this instance (a new epoch), p1 goes to another one. Nothing was
        // committed past offset 0, so the consumer replays p0 from 0.
        tracker.revoke(&p0);
        tracker.revoke(&p1);
        tracker.assign(p0.clone());
        for offset in 0..4 {
            assert!(feed_from(&mut agg, &mut tracker, &p0, offset, ann(offset as u32), &metrics).is_empty());
        }
        assert_eq!(metrics.window_state_dropped.get(), 6, "three records of each partition dropped");
        // The replayed records are held under the new assignment: nothing of the open window is committable.
        assert_eq!(tracker.committable(&p0), Some(0));

        let out = feed_from(
            &mut agg,
            &mut tracker,
            &p0,
            4,
            record("Wire", Some("Ann"), StanceLabel::Positive, 0.5, "2024-01-01T00:01:00Z"),
            &metrics,
        );
        assert_eq!(out.len(), 1);
        let counts = claims(&out);
        // Four records of p0, each once; p1's three are its new owner's to count.
        assert_eq!(counts[&(Dimension::Speaker, "Ann".to_owned())], 4, "{counts:?}");
        assert_eq!(out[0].covers.len(), 1, "only the current assignment's hold");
        assert!(out[0].covers.iter().all(|c| tracker.is_current(c)));
        assert_eq!(tracker.committable(&p0), Some(0), "held until the window is acknowledged");
        acknowledge(&mut tracker, &out);
        assert_eq!(tracker.committable(&p0), Some(4), "then up to the next open window's hold");
    }

    #[test]
    fn a_partition_revoked_between_records_is_left_out_of_idle_flushes_and_late_increments() {
        let config = WindowConfig {
            width_seconds: 60,
            allowed_lateness_seconds: 0,
            idle_flush_ms: 1,
            ..WindowConfig::default()
        };
        let mut agg = Aggregator::new(config, "out".into(), 1 << 20);
        let mut tracker = OffsetTracker::new();
        let metrics = Metrics::new("test");
        let (p0, p1) = (TopicPartition::new("s", 0), TopicPartition::new("s", 1));
        let rec = |source: &str, time: &str| record(source, None, StanceLabel::Negative, 0.5, time);
        feed_from(&mut agg, &mut tracker, &p0, 0, rec("Wire", "2024-01-01T00:00:10Z"), &metrics);
        feed_from(&mut agg, &mut tracker, &p1, 0, rec("Post", "2024-01-01T00:00:20Z"), &metrics);
        let closed = feed_from(&mut agg, &mut tracker, &p0, 1, rec("Wire", "2024-01-01T00:01:10Z"), &metrics);
        acknowledge(&mut tracker, &closed);
        // Late increments for the closed window from both partitions, then p1 is revoked before the tick.
        feed_from(&mut agg, &mut tracker, &p0, 2, rec("Wire", "2024-01-01T00:00:30Z"), &metrics);
        feed_from(&mut agg, &mut tracker, &p1, 1, rec("Post", "2024-01-01T00:00:40Z"), &metrics);
        feed_from(&mut agg, &mut tracker, &p1, 2, rec("Post", "2024-01-01T00:01:40Z"), &metrics);
        tracker.revoke(&p1);
        std::thread::sleep(Duration::from_millis(5));
        let out = agg.tick(Instant::now(), &tracker, &metrics);
        let counts = claims(&out);
        assert_eq!(counts.get(&(Dimension::Source, "Post".to_owned())), None, "{counts:?}");
        assert_eq!(counts[&(Dimension::Source, "Wire".to_owned())], 2, "the late one and the open window's");
        assert_eq!(metrics.window_state_dropped.get(), 2);
        assert!(out.iter().flat_map(|e| &e.covers).all(|c| c.tp == p0));
    }

    #[test]
    fn event_times_far_from_the_reference_time_are_clamped_to_it() {
        let config = WindowConfig { max_future_seconds: 300, max_past_seconds: 0, ..WindowConfig::default() };
        let now = 1_700_000_000;
        let ms = |secs: i64| Some(secs * 1000);
        // In range: published_at as it is, ahead or behind.
        assert_eq!(event_time(Some(now + 300), ms(now), now, &config), Some((now + 300, None)));
        assert_eq!(event_time(Some(0), ms(now), now, &config), Some((0, None)), "no past limit by default");
        // Too far ahead of the message timestamp: the message timestamp.
        assert_eq!(
            event_time(Some(now + 301), ms(now - 50), now, &config),
            Some((now - 50, Some(Clamped::Future)))
        );
        // A message timestamp ahead of the clock is no reference: the clock is.
        assert_eq!(event_time(None, ms(now + 86_400), now, &config), Some((now, Some(Clamped::Future))));
        assert_eq!(event_time(Some(now + 3600), None, now, &config), Some((now, Some(Clamped::Future))));
        assert_eq!(event_time(None, None, now, &config), None);
        let strict = WindowConfig { max_past_seconds: 86_400, ..config };
        assert_eq!(event_time(Some(now - 86_401), ms(now), now, &strict), Some((now, Some(Clamped::Past))));
        assert_eq!(event_time(Some(now - 86_400), ms(now), now, &strict), Some((now - 86_400, None)));
        // Replaying an old record later clamps it the same way: the reference is its own timestamp.
        let old = now - 10 * 86_400;
        assert_eq!(event_time(Some(old + 3600), ms(old), now, &config), Some((old, Some(Clamped::Future))));
    }

    #[test]
    fn one_record_dated_far_ahead_neither_holds_commits_nor_makes_later_records_late() {
        let config = WindowConfig {
            width_seconds: 60,
            allowed_lateness_seconds: 0,
            idle_flush_ms: 0,
            ..WindowConfig::default()
        };
        let mut agg = Aggregator::new(config, "out".into(), 1 << 20);
        let mut tracker = OffsetTracker::new();
        let metrics = Metrics::new("test");
        let tp = TopicPartition::new("s", 0);
        let now = Utc::now().timestamp();
        let minute = |m: i64| (now.div_euclid(60) - 10 + m) * 60;
        let at = |secs: i64| Utc.timestamp_opt(secs, 0).unwrap().to_rfc3339();
        let ingest = |agg: &mut Aggregator, tracker: &mut OffsetTracker, offset: i64, published: i64| {
            let payload = record("Wire", None, StanceLabel::Neutral, 0.5, &at(published));
            let input = tracker.begin(&tp, offset);
            // The message timestamp: the record was produced at minute `offset` + 5 seconds.
            let message = Incoming {
                tp: tp.clone(),
                offset,
                key: None,
                payload,
                timestamp_ms: Some((minute(offset) + 5) * 1000),
            };
            let out = agg.ingest(&message, &input, tracker, &metrics).unwrap();
            tracker.complete(&input);
            acknowledge(tracker, &out);
            out
        };
        ingest(&mut agg, &mut tracker, 0, minute(0) + 1);
        // A publisher's clock (or a typo) says the year 2999.
        let bad = Utc.with_ymd_and_hms(2999, 1, 1, 0, 0, 0).unwrap().timestamp();
        ingest(&mut agg, &mut tracker, 1, bad);
        assert_eq!(metrics.event_time_clamped.with_label_values(&["future"]).get(), 1);
        let mut emitted = Vec::new();
        for offset in 2..6 {
            emitted.extend(ingest(&mut agg, &mut tracker, offset, minute(offset) + 1));
        }
        assert_eq!(metrics.late_records.get(), 0, "on-time records after the bad one are not late");
        let counts = claims(&emitted);
        assert_eq!(counts[&(Dimension::Source, "Wire".to_owned())], 4, "minutes 1 (with the bad one) to 4");
        // The commit moves on to the only open window (minute 5); the bad record holds nothing.
        assert_eq!(tracker.committable(&tp), Some(5));
    }
}
