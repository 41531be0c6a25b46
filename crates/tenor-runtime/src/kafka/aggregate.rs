//! The aggregator: sentence records in, per-speaker and per-source claim counts over tumbling event-time
//! windows out (`tenor.speaker_window/1` records on `tenor.speakers`; the record type, [`WindowRecord`], is
//! defined in `tenor-core` with the rest of the wire contract and re-exported here).
//!
//! - **What counts.** A sentence record with a stance whose claim stage did not run or found a claim
//!   (`claim` is null or `claim.is_claim`). It counts once for its speaker (`attribution.speaker.resolved`,
//!   else the speaker text) when it has an attribution, and once for its publisher (`article_source`) when it
//!   has one. Records without a stance count nowhere.
//! - **Event time** is the record's `published_at`, or the Kafka message timestamp when the article had none.
//!   Windows are `[k·width, (k+1)·width)` seconds since the Unix epoch.
//! - **Closing.** A window is emitted (`kind = "final"`) once the largest event time seen passes its end by
//!   `allowed_lateness_seconds`, or when no record has arrived for `idle_flush_ms`.
//! - **Late records** (their window was already emitted) are not dropped: they are counted in
//!   `tenor_late_records_total` and published as `kind = "late"` increments for their window, about once a
//!   second. A window's totals are its `final` record plus its `late` records.
//! - **Offsets.** A window holds the first offset it took from each partition (see
//!   [`OffsetTracker::hold`]), so nothing it contains is committed before its records are acknowledged.
//!   After a crash the records of open windows are replayed and those windows rebuilt; an emitted window
//!   whose records are replayed (because an older offset of the partition was still held) can be emitted a
//!   second time with the replayed part only. Duplicates are recognisable by (`dimension`, `name`,
//!   `window_start`, `kind`) but the aggregator does not merge them; run one aggregator instance per group.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
pub use tenor_core::{Dimension, WindowRecord, SPEAKER_WINDOW_SCHEMA};
use tenor_core::{InputError, SentenceRecord, StanceLabel};

use super::engine::{Emission, Incoming, Outgoing, StatefulStage};
use crate::config::WindowConfig;
use crate::delivery::{InputRef, OffsetTracker, TopicPartition};
use crate::metrics::{stage, Metrics};

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    positive: u64,
    neutral: u64,
    negative: u64,
    confidence_sum: f64,
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

    fn claims(&self) -> u64 {
        self.positive + self.neutral + self.negative
    }
}

#[derive(Debug, Default)]
struct Window {
    counts: BTreeMap<(Dimension, String), Counts>,
    /// The first input of each partition that contributed, held until the window's records are acknowledged.
    holds: BTreeMap<TopicPartition, InputRef>,
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
}

/// What one sentence record contributes.
struct Contribution {
    event_time: i64,
    label: StanceLabel,
    confidence: f64,
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
        }
    }

    fn width(&self) -> i64 {
        self.config.width_seconds.max(1) as i64
    }

    fn contribution(&self, message: &Incoming) -> Result<Option<Contribution>, InputError> {
        if message.payload.len() > self.max_record_bytes {
            return Err(InputError::Oversize {
                what: "sentence record",
                size: message.payload.len(),
                limit: self.max_record_bytes,
            });
        }
        let text = std::str::from_utf8(&message.payload)
            .map_err(|e| InputError::InvalidUtf8 { valid_up_to: e.valid_up_to() })?;
        let record: SentenceRecord = serde_json::from_str(text)
            .map_err(|e| InputError::InvalidJson(format!("not a sentence record: {e}")))?;
        let Some(stance) = record.stance else { return Ok(None) };
        if record.claim.as_ref().is_some_and(|c| !c.is_claim) {
            return Ok(None);
        }
        let event_time = match (record.published_at, message.timestamp_ms) {
            (Some(published), _) => published.timestamp(),
            (None, Some(ms)) => ms.div_euclid(1000),
            (None, None) => return Ok(None),
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
        Ok(Some(Contribution { event_time, label: stance.label, confidence: stance.confidence, keys }))
    }

    fn emit(&self, start: i64, window: Window, kind: &str, metrics: &Metrics) -> Emission {
        let now = Utc::now();
        let to_time = |secs: i64| Utc.timestamp_opt(secs, 0).single().unwrap_or(DateTime::<Utc>::MIN_UTC);
        let mut records = Vec::with_capacity(window.counts.len());
        for ((dimension, name), counts) in &window.counts {
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
            covers: window.holds.into_values().collect(),
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
        let Some(contribution) = self.contribution(message)? else { return Ok(Vec::new()) };
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
        for key in contribution.keys {
            window.counts.entry(key).or_default().add(contribution.label, contribution.confidence);
        }
        if !window.holds.contains_key(&input.tp) {
            window.holds.insert(input.tp.clone(), tracker.hold(input));
        }
        self.max_event_time =
            Some(self.max_event_time.map_or(contribution.event_time, |m| m.max(contribution.event_time)));
        let out = self.close_due(metrics);
        metrics.stage_seconds.with_label_values(&[stage::AGGREGATE]).observe(started.elapsed().as_secs_f64());
        Ok(out)
    }

    fn tick(&mut self, now: Instant, metrics: &Metrics) -> Vec<Emission> {
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
        };
        serde_json::to_vec(&record).unwrap()
    }

    fn feed(agg: &mut Aggregator, tracker: &mut OffsetTracker, offset: i64, payload: Vec<u8>) -> Vec<Emission> {
        let metrics = Metrics::new("test");
        let tp = TopicPartition::new("s", 0);
        let input = tracker.begin(&tp, offset);
        let message = Incoming { tp, offset, key: None, payload, timestamp_ms: None };
        let out = agg.ingest(&message, &input, tracker, &metrics).unwrap();
        tracker.complete(&input);
        out
    }

    fn decode(emission: &Emission) -> Vec<WindowRecord> {
        emission.records.iter().map(|r| serde_json::from_slice(&r.payload).unwrap()).collect()
    }

    #[test]
    fn windows_close_on_event_time_and_late_records_become_increments() {
        let config = WindowConfig { width_seconds: 60, allowed_lateness_seconds: 30, idle_flush_ms: 0 };
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
        let ticked = agg.tick(Instant::now(), &Metrics::new("test"));
        assert_eq!(ticked.len(), 1);
        let late = decode(&ticked[0]);
        assert_eq!((late[0].kind.as_str(), late[0].claims, late[0].negative), ("late", 1, 1));
        assert_eq!(late[0].window_start.to_rfc3339(), "2024-01-01T00:00:00+00:00");
    }

    #[test]
    fn idle_flush_emits_open_windows_and_bad_records_are_input_errors() {
        let config = WindowConfig { width_seconds: 3600, allowed_lateness_seconds: 0, idle_flush_ms: 1 };
        let mut agg = Aggregator::new(config, "out".into(), 1 << 20);
        let mut tracker = OffsetTracker::new();
        feed(&mut agg, &mut tracker, 0, record("Wire", None, StanceLabel::Positive, 0.9, "2024-01-01T00:00:10Z"));
        std::thread::sleep(Duration::from_millis(5));
        let out = agg.tick(Instant::now(), &Metrics::new("test"));
        assert_eq!(out.len(), 1);
        assert_eq!(decode(&out[0])[0].claims, 1);

        let metrics = Metrics::new("test");
        let tp = TopicPartition::new("s", 0);
        let input = tracker.begin(&tp, 1);
        let message = Incoming { tp, offset: 1, key: None, payload: b"{}".to_vec(), timestamp_ms: None };
        assert_eq!(agg.ingest(&message, &input, &mut tracker, &metrics).unwrap_err().reason(), "invalid_json");
    }
}
