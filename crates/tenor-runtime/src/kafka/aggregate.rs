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
mod tests;
