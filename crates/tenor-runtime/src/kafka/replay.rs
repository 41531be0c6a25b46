//! Moving streams between Kafka and archives: [`archive`] reads a topic into `tenor.archive/1` lines
//! ([`crate::archive`]); [`publish`] sends archived (or plain article) lines back to a topic, as fast as
//! possible, at a fixed rate, or at the original pace sped up by a factor ([`Pacer`]).
//!
//! Both are plain synchronous clients (no consumer group, nothing committed): they never disturb the services'
//! offsets. See docs/REPLAY.md for how `archive` decides where "now" ends on a broker whose high watermark
//! cannot be trusted.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::client::ClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{DeliveryResult, Header, Headers, Message, OwnedHeaders, Timestamp};
use rdkafka::producer::{BaseRecord, Producer, ProducerContext};
use rdkafka::{Offset, TopicPartitionList};
use serde::Deserialize;

use super::{apply_pass_through, base_client_config, consumer_config};
use crate::archive::{is_archive_line, ArchivedMessage, HeaderBytes, RawMessage, TimestampType};
use crate::config::KafkaConfig;
use crate::file::{read_line_capped, MAX_LINE_BYTES};

/// Faults of the world while archiving or publishing; they stop the command.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("Kafka client error while {during}: {source}")]
    Kafka { during: &'static str, source: rdkafka::error::KafkaError },
    #[error("topic {0} does not exist (or has no partitions)")]
    NoSuchTopic(String),
    #[error("cannot write the archive")]
    Write(#[source] io::Error),
    #[error("cannot read the input")]
    Read(#[source] io::Error),
    #[error("{failed} of {sent} messages were not acknowledged by the broker")]
    Undelivered { failed: u64, sent: u64 },
}

fn kafka_error(during: &'static str) -> impl FnOnce(rdkafka::error::KafkaError) -> ReplayError {
    move |source| ReplayError::Kafka { during, source }
}

/// Where an archive starts in each partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartAt {
    Earliest,
    /// The same offset in every partition (partitions that start later begin at their first message).
    Offset(i64),
    /// The first message whose timestamp is at or after this time (ms since the epoch), and every message after
    /// it, as Kafka's ListOffsets defines it.
    Timestamp(i64),
}

/// What to archive and how to decide that a partition is finished.
#[derive(Debug, Clone)]
pub struct ArchiveSpec {
    pub topic: String,
    /// Only these partitions (all when empty).
    pub partitions: Vec<i32>,
    pub start: StartAt,
    /// Messages stamped at or after this time (ms) end their partition; `None` means the time the archive
    /// started ("to now").
    pub end_ms: Option<i64>,
    /// A partition that has reached the high watermark read at the start and received nothing for this long
    /// is finished.
    pub settle: Duration,
    /// A partition that received nothing for this long is finished even if the watermark says more should
    /// come (the watermark was wrong; a warning says so).
    pub max_idle: Duration,
}

/// Why a partition's archive ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartitionEnd {
    /// A message stamped at or after the end time arrived (it is not archived).
    EndTime,
    /// The partition reached the start-time high watermark and then stayed quiet for `settle`.
    CaughtUp,
    /// Nothing arrived for `max_idle`, short of the (unreliable) watermark.
    Idle,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PartitionSummary {
    pub partition: i32,
    pub messages: u64,
    pub first_offset: Option<i64>,
    pub last_offset: Option<i64>,
    /// The high watermark read when the archive started (`None` when the broker did not answer).
    pub start_high_watermark: Option<i64>,
    pub end: PartitionEnd,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ArchiveSummary {
    pub topic: String,
    pub messages: u64,
    pub end_ms: i64,
    pub partitions: Vec<PartitionSummary>,
}

struct PartitionState {
    partition: i32,
    /// The offset after the last message seen (archived or not); the start offset before any.
    next_offset: i64,
    high_watermark: Option<i64>,
    last_activity: Instant,
    /// For [`StartAt::Timestamp`]: still skipping messages stamped before the start time.
    waiting_for_start: bool,
    /// The start offset. Messages below it are skipped (`next_offset` starts here), because a fetch may return
    /// a whole batch, or a rewind may read the partition from its beginning.
    skip_below: i64,
    /// True until the first message from a start offset inside the partition: if that message is past the
    /// start, or nothing arrives, the partition is read again from its beginning (Tansu 0.6 answers a fetch
    /// that starts inside a record batch with nothing or with the next batch).
    rewind_pending: bool,
    seen_any: bool,
    end: Option<PartitionEnd>,
    messages: u64,
    first_offset: Option<i64>,
    last_offset: Option<i64>,
}

/// Reads `spec.topic` into `out`, one `tenor.archive/1` line per message, partitions interleaved as they
/// arrive and each partition in offset order. Calls `on_progress` with the number of messages written.
pub fn archive(
    kafka: &KafkaConfig,
    spec: &ArchiveSpec,
    out: &mut dyn Write,
    mut on_progress: impl FnMut(u64),
) -> Result<ArchiveSummary, ReplayError> {
    let started_ms = chrono::Utc::now().timestamp_millis();
    let end_ms = spec.end_ms.unwrap_or(started_ms);
    // The services' consumer settings (manual offsets, short fetch wait); the archiver joins no group and
    // commits nothing: it assigns partitions itself.
    let consumer: BaseConsumer = consumer_config(kafka).create().map_err(kafka_error("creating the consumer"))?;
    let metadata = consumer
        .fetch_metadata(Some(&spec.topic), Duration::from_secs(10))
        .map_err(kafka_error("reading topic metadata"))?;
    let mut partitions: Vec<i32> = metadata
        .topics()
        .iter()
        .filter(|t| t.name() == spec.topic && t.error().is_none())
        .flat_map(|t| t.partitions().iter().map(|p| p.id()))
        .filter(|p| spec.partitions.is_empty() || spec.partitions.contains(p))
        .collect();
    partitions.sort_unstable();
    if partitions.is_empty() {
        return Err(ReplayError::NoSuchTopic(spec.topic.clone()));
    }

    let resolved_times = match spec.start {
        StartAt::Timestamp(ms) => {
            let mut list = TopicPartitionList::new();
            for &p in &partitions {
                list.add_partition_offset(&spec.topic, p, Offset::Offset(ms)).expect("valid offset");
            }
            match consumer.offsets_for_times(list, Duration::from_secs(10)) {
                Ok(found) => Some(found),
                Err(error) => {
                    tracing::warn!(%error, "the broker cannot find offsets by time; reading from the start instead");
                    None
                }
            }
        }
        _ => None,
    };

    let now = Instant::now();
    let mut assignment = TopicPartitionList::new();
    let mut states: BTreeMap<i32, PartitionState> = BTreeMap::new();
    for &p in &partitions {
        let (low, high) = match consumer.fetch_watermarks(&spec.topic, p, Duration::from_secs(10)) {
            Ok((low, high)) => (Some(low), Some(high)),
            Err(error) => {
                tracing::warn!(partition = p, %error, "cannot read watermarks; the end is decided by idle time");
                (None, None)
            }
        };
        let low_or_zero = low.unwrap_or(0);
        let (offset, next_offset, waiting_for_start) = match spec.start {
            StartAt::Earliest => (Offset::Beginning, low_or_zero, false),
            StartAt::Offset(n) => (Offset::Offset(n.max(low_or_zero)), n.max(low_or_zero), false),
            StartAt::Timestamp(_) => {
                let found = resolved_times
                    .as_ref()
                    .and_then(|list| list.find_partition(&spec.topic, p))
                    .map(|e| e.offset());
                // Timestamps are checked here too: the broker's answer is only where to start looking
                // (Tansu 0.6 answers offset 0 for any time).
                match found {
                    Some(Offset::Offset(n)) => (Offset::Offset(n), n, true),
                    // No message at or after the time yet: start at the end; nothing older is wanted.
                    Some(Offset::End) => (Offset::End, high.unwrap_or(low_or_zero), true),
                    _ => (Offset::Beginning, low_or_zero, true),
                }
            }
        };
        assignment.add_partition_offset(&spec.topic, p, offset).expect("valid offset");
        tracing::info!(partition = p, ?offset, low_watermark = ?low, high_watermark = ?high, "archiving partition");
        states.insert(
            p,
            PartitionState {
                partition: p,
                next_offset,
                high_watermark: high,
                last_activity: now,
                waiting_for_start,
                skip_below: next_offset,
                rewind_pending: next_offset > low_or_zero && matches!(offset, Offset::Offset(_)),
                seen_any: false,
                end: None,
                messages: 0,
                first_offset: None,
                last_offset: None,
            },
        );
    }
    consumer.assign(&assignment).map_err(kafka_error("assigning partitions"))?;

    let mut written = 0u64;
    let mut line = Vec::with_capacity(4096);
    while states.values().any(|s| s.end.is_none()) {
        match consumer.poll(Duration::from_millis(50)) {
            Some(Ok(message)) => {
                let Some(state) = states.get_mut(&message.partition()) else { continue };
                if state.end.is_some() {
                    continue;
                }
                state.last_activity = Instant::now();
                state.seen_any = true;
                let offset = message.offset();
                if state.rewind_pending && offset > state.skip_below {
                    // Tansu 0.6 answers a fetch that starts inside a record batch with the *next* batch (and
                    // the skipped messages later, out of order): read from the beginning instead.
                    rewind(&consumer, &spec.topic, state, "the broker skipped ahead of the start offset")?;
                    continue;
                }
                state.rewind_pending = false;
                // Below the start, or already archived (a broker serving a position twice): not archived.
                if offset < state.next_offset {
                    continue;
                }
                state.next_offset = offset + 1;
                let (timestamp_ms, timestamp_type) = match message.timestamp() {
                    Timestamp::NotAvailable => (None, None),
                    Timestamp::CreateTime(ms) => (Some(ms), Some(TimestampType::CreateTime)),
                    Timestamp::LogAppendTime(ms) => (Some(ms), Some(TimestampType::LogAppendTime)),
                };
                if state.waiting_for_start {
                    match (spec.start, timestamp_ms) {
                        (StartAt::Timestamp(from), Some(ts)) if ts < from => continue,
                        _ => state.waiting_for_start = false,
                    }
                }
                if timestamp_ms.is_some_and(|ts| ts >= end_ms) {
                    state.end = Some(PartitionEnd::EndTime);
                    continue;
                }
                let headers: Vec<(&str, Option<&[u8]>)> = message
                    .headers()
                    .map(|h| h.iter().map(|header| (header.key, header.value)).collect())
                    .unwrap_or_default();
                let archived = ArchivedMessage::new(
                    RawMessage {
                        topic: message.topic(),
                        partition: message.partition(),
                        offset: message.offset(),
                        timestamp_ms,
                        timestamp_type,
                        key: message.key(),
                        payload: message.payload(),
                    },
                    &headers,
                );
                line.clear();
                archived.write_line(&mut line);
                out.write_all(&line).map_err(ReplayError::Write)?;
                state.messages += 1;
                state.first_offset.get_or_insert(message.offset());
                state.last_offset = Some(message.offset());
                written += 1;
                on_progress(written);
            }
            Some(Err(error)) => {
                // Partition EOF and transient fetch errors: librdkafka retries on its own.
                tracing::debug!(%error, "consumer error while archiving");
            }
            None => {}
        }
        for state in states.values_mut().filter(|s| s.end.is_none()) {
            let quiet = state.last_activity.elapsed();
            if state.rewind_pending && !state.seen_any && quiet >= spec.settle {
                rewind(&consumer, &spec.topic, state, "nothing arrived from the start offset")?;
            } else if quiet >= spec.max_idle {
                tracing::warn!(
                    partition = state.partition,
                    next_offset = state.next_offset,
                    high_watermark = ?state.high_watermark,
                    "nothing arrived for the idle limit short of the reported high watermark; ending the partition"
                );
                state.end = Some(PartitionEnd::Idle);
            } else if quiet >= spec.settle && state.high_watermark.is_some_and(|hw| state.next_offset >= hw) {
                state.end = Some(PartitionEnd::CaughtUp);
            }
        }
    }
    out.flush().map_err(ReplayError::Write)?;
    Ok(ArchiveSummary {
        topic: spec.topic.clone(),
        messages: written,
        end_ms,
        partitions: states
            .into_values()
            .map(|s| PartitionSummary {
                partition: s.partition,
                messages: s.messages,
                first_offset: s.first_offset,
                last_offset: s.last_offset,
                start_high_watermark: s.high_watermark,
                end: s.end.expect("every partition ended"),
            })
            .collect(),
    })
}

/// Reads a partition again from its beginning (offsets below the start are then skipped), once.
fn rewind(consumer: &BaseConsumer, topic: &str, state: &mut PartitionState, why: &str) -> Result<(), ReplayError> {
    tracing::info!(
        partition = state.partition,
        start = state.skip_below,
        why,
        "reading the partition from its beginning"
    );
    state.rewind_pending = false;
    state.seen_any = false;
    state.last_activity = Instant::now();
    consumer
        .seek(topic, state.partition, Offset::Beginning, Duration::from_secs(10))
        .map_err(kafka_error("rewinding a partition"))
}

/// How fast [`publish`] sends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    AsFastAsPossible,
    /// Messages per second.
    Rate(f64),
    /// The gaps between the messages' own times, divided by `speed` (2.0 = twice as fast as it happened).
    Original {
        speed: f64,
        clock: Clock,
    },
}

/// Which time of a message [`Pace::Original`] follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The article's `published_at`.
    PublishedAt,
    /// The archived Kafka timestamp.
    Timestamp,
}

/// When each message is due, relative to the start of the replay. Pure, so it is tested without a clock.
#[derive(Debug, Clone)]
pub struct Pacer {
    pace: Pace,
    first_event_ms: Option<i64>,
    sent: u64,
}

impl Pacer {
    pub fn new(pace: Pace) -> Pacer {
        Pacer { pace, first_event_ms: None, sent: 0 }
    }

    /// The time after the start at which the next message (with event time `event_ms`) is due; `None` means
    /// at once. Messages whose time goes backwards, or that have none, are due at once.
    pub fn due(&mut self, event_ms: Option<i64>) -> Option<Duration> {
        let index = self.sent;
        self.sent += 1;
        match self.pace {
            Pace::AsFastAsPossible => None,
            Pace::Rate(rate) if rate > 0.0 => Some(Duration::from_secs_f64(index as f64 / rate)),
            Pace::Rate(_) => None,
            Pace::Original { speed, .. } => {
                let event = event_ms?;
                let first = *self.first_event_ms.get_or_insert(event);
                let gap_ms = (event - first).max(0) as f64;
                (speed > 0.0).then(|| Duration::from_secs_f64(gap_ms / 1000.0 / speed))
            }
        }
    }
}

/// Where published messages go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partitioning {
    /// The partition each archived message came from (when the target has it), so that per-partition order
    /// is exactly the archive's; plain article lines fall back to their key.
    Archived,
    /// The producer's partitioner on the key (article id for plain article lines).
    ByKey,
}

#[derive(Debug, Clone)]
pub struct PublishSpec {
    pub topic: String,
    pub pace: Pace,
    pub partitioning: Partitioning,
    /// Keep archived timestamps instead of letting the producer stamp the current time. Off by default:
    /// a broker may delete messages whose timestamps are older than its retention at once.
    pub keep_timestamps: bool,
    /// Written as `run_id` into every article message (a JSON object payload), so that the services' records
    /// carry it. Changes the payload bytes; `None` publishes them untouched.
    pub run_id: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PublishStats {
    /// Messages handed to the producer.
    pub sent: u64,
    /// Messages acknowledged by the broker.
    pub acknowledged: u64,
    /// Input lines that are neither an archived message nor a JSON object (not published).
    pub skipped_lines: u64,
}

#[derive(Debug, Default)]
struct DeliveryCounter {
    acknowledged: AtomicU64,
    failed: AtomicU64,
}

#[derive(Debug, Clone, Default)]
struct CountingContext(Arc<DeliveryCounter>);

impl ClientContext for CountingContext {}

impl ProducerContext for CountingContext {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        match result {
            Ok(_) => self.0.acknowledged.fetch_add(1, Ordering::Relaxed),
            Err((error, _)) => {
                tracing::warn!(%error, "message not delivered");
                self.0.failed.fetch_add(1, Ordering::Relaxed)
            }
        };
    }
}

/// The fields of an article message that publishing needs, read without decoding the whole article.
#[derive(Deserialize)]
struct ArticlePeek {
    id: Option<serde_json::Value>,
    published_at: Option<String>,
}

fn peek(payload: &[u8]) -> Option<ArticlePeek> {
    serde_json::from_slice(payload).ok()
}

fn published_ms(article: Option<&ArticlePeek>) -> Option<i64> {
    let raw = article?.published_at.as_deref()?;
    chrono::DateTime::parse_from_rfc3339(raw).ok().map(|t| t.timestamp_millis())
}

/// `payload` with `"run_id": run_id` set, when it is a JSON object and a run id is given; otherwise untouched
/// (a message that is not an article is published as it was, and dead-lettered by the service as it would be).
fn tag_run_id(payload: Vec<u8>, run_id: Option<&str>) -> Vec<u8> {
    let Some(run_id) = run_id else { return payload };
    match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&payload) {
        Ok(mut object) => {
            object.insert("run_id".to_owned(), run_id.into());
            serde_json::to_vec(&object).expect("a JSON object always serialises")
        }
        Err(_) => payload,
    }
}

/// One message ready to send.
struct Outbound {
    partition: Option<i32>,
    key: Option<Vec<u8>>,
    payload: Option<Vec<u8>>,
    headers: Vec<HeaderBytes>,
    timestamp_ms: Option<i64>,
    event_ms: Option<i64>,
}

fn outbound(line: &[u8], spec: &PublishSpec) -> Option<Outbound> {
    let needs_published = matches!(spec.pace, Pace::Original { clock: Clock::PublishedAt, .. });
    if is_archive_line(line) {
        let message = match ArchivedMessage::parse(line) {
            Ok(m) => m,
            Err(error) => {
                tracing::warn!(%error, "skipping a bad archive line");
                return None;
            }
        };
        let decoded = (message.key_bytes(), message.payload_bytes(), message.header_bytes());
        let (Ok(key), Ok(payload), Ok(headers)) = decoded else {
            tracing::warn!(offset = message.offset, "skipping an archive line with bad base64");
            return None;
        };
        let event_ms = match spec.pace {
            Pace::Original { clock: Clock::Timestamp, .. } => message.timestamp_ms,
            _ if needs_published => published_ms(payload.as_deref().and_then(peek).as_ref()),
            _ => None,
        };
        Some(Outbound {
            partition: (spec.partitioning == Partitioning::Archived).then_some(message.partition),
            key,
            payload: payload.map(|p| tag_run_id(p, spec.run_id.as_deref())),
            headers,
            timestamp_ms: message.timestamp_ms,
            event_ms,
        })
    } else {
        let article = peek(line)?;
        let key = match &article.id {
            Some(serde_json::Value::String(id)) => Some(id.as_bytes().to_vec()),
            _ => None,
        };
        let event_ms = if needs_published { published_ms(Some(&article)) } else { None };
        Some(Outbound {
            partition: None,
            key,
            payload: Some(tag_run_id(line.to_vec(), spec.run_id.as_deref())),
            headers: Vec::new(),
            timestamp_ms: None,
            event_ms,
        })
    }
}

/// Publishes every line of `input` (archived messages or plain article messages) to `spec.topic`, in input
/// order, paced by `spec.pace`, and waits until the broker acknowledged them all. The producer is idempotent
/// (no duplicates or reordering from its own retries).
pub fn publish(
    kafka: &KafkaConfig,
    spec: &PublishSpec,
    input: &mut dyn BufRead,
    mut on_progress: impl FnMut(&PublishStats),
) -> Result<PublishStats, ReplayError> {
    let counter = Arc::new(DeliveryCounter::default());
    let mut config = base_client_config(kafka);
    config
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", "5")
        .set("queue.buffering.max.messages", "100000");
    apply_pass_through(&mut config, kafka);
    let producer: rdkafka::producer::BaseProducer<CountingContext> = config
        .create_with_context(CountingContext(counter.clone()))
        .map_err(kafka_error("creating the producer"))?;
    let metadata = producer
        .client()
        .fetch_metadata(Some(&spec.topic), Duration::from_secs(10))
        .map_err(kafka_error("reading topic metadata"))?;
    let partition_count = metadata
        .topics()
        .iter()
        .find(|t| t.name() == spec.topic && t.error().is_none())
        .map_or(0, |t| t.partitions().len() as i32);
    if partition_count == 0 {
        return Err(ReplayError::NoSuchTopic(spec.topic.clone()));
    }

    let mut pacer = Pacer::new(spec.pace);
    let started = Instant::now();
    let mut stats = PublishStats::default();
    let mut line = Vec::new();
    while read_line_capped(input, &mut line, MAX_LINE_BYTES).map_err(ReplayError::Read)?.is_some() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let Some(message) = outbound(&line, spec) else {
            stats.skipped_lines += 1;
            continue;
        };
        if let Some(due) = pacer.due(message.event_ms) {
            let at = started + due;
            while Instant::now() < at {
                producer.poll(at.saturating_duration_since(Instant::now()).min(Duration::from_millis(50)));
            }
        }
        let mut headers = OwnedHeaders::new_with_capacity(message.headers.len());
        for (name, value) in &message.headers {
            headers = headers.insert(Header { key: name, value: value.as_deref() });
        }
        let mut record = BaseRecord::<[u8], [u8]>::to(&spec.topic).headers(headers);
        if let Some(key) = &message.key {
            record = record.key(key);
        }
        if let Some(payload) = &message.payload {
            record = record.payload(payload);
        }
        if let Some(p) = message.partition.filter(|p| *p < partition_count) {
            record = record.partition(p);
        }
        if let Some(ts) = message.timestamp_ms.filter(|_| spec.keep_timestamps) {
            record = record.timestamp(ts);
        }
        loop {
            match producer.send(record) {
                Ok(()) => break,
                Err((
                    rdkafka::error::KafkaError::MessageProduction(rdkafka::types::RDKafkaErrorCode::QueueFull),
                    back,
                )) => {
                    record = back;
                    producer.poll(Duration::from_millis(20));
                }
                Err((error, _)) => return Err(ReplayError::Kafka { during: "producing", source: error }),
            }
        }
        producer.poll(Duration::ZERO);
        stats.sent += 1;
        stats.acknowledged = counter.acknowledged.load(Ordering::Relaxed);
        on_progress(&stats);
    }
    producer.flush(Duration::from_secs(120)).map_err(kafka_error("waiting for acknowledgements"))?;
    stats.acknowledged = counter.acknowledged.load(Ordering::Relaxed);
    on_progress(&stats);
    let failed = counter.failed.load(Ordering::Relaxed);
    if failed > 0 || stats.acknowledged != stats.sent {
        return Err(ReplayError::Undelivered { failed: stats.sent - stats.acknowledged, sent: stats.sent });
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pacing_follows_rate_or_original_gaps() {
        let mut fast = Pacer::new(Pace::AsFastAsPossible);
        assert_eq!(fast.due(Some(5)), None);

        let mut rate = Pacer::new(Pace::Rate(4.0));
        let due: Vec<_> = (0..3).map(|_| rate.due(None)).collect();
        assert_eq!(
            due,
            [Some(Duration::ZERO), Some(Duration::from_millis(250)), Some(Duration::from_millis(500))]
        );

        let mut original = Pacer::new(Pace::Original { speed: 10.0, clock: Clock::Timestamp });
        let events = [Some(10_000), Some(12_000), None, Some(11_000), Some(40_000)];
        let due: Vec<_> = events.iter().map(|e| original.due(*e)).collect();
        assert_eq!(
            due,
            [
                Some(Duration::ZERO),
                Some(Duration::from_millis(200)),
                None,
                Some(Duration::from_millis(100)),
                Some(Duration::from_millis(3000))
            ]
        );
    }

    #[test]
    fn plain_and_archived_lines_become_messages() {
        let spec = PublishSpec {
            topic: "t".into(),
            pace: Pace::Original { speed: 1.0, clock: Clock::PublishedAt },
            partitioning: Partitioning::Archived,
            keep_timestamps: false,
            run_id: None,
        };
        let plain = br#"{"id":"a1","body":"x","published_at":"2024-05-01T10:00:00Z"}"#;
        let message = outbound(plain, &spec).unwrap();
        assert_eq!(message.key.as_deref(), Some(&b"a1"[..]));
        assert_eq!(message.payload.as_deref(), Some(&plain[..]));
        assert_eq!(message.event_ms, Some(1_714_557_600_000));
        assert_eq!(message.partition, None);

        let archived = ArchivedMessage::new(
            RawMessage {
                topic: "articles",
                partition: 1,
                offset: 3,
                timestamp_ms: Some(9),
                timestamp_type: Some(TimestampType::CreateTime),
                key: Some(b"k"),
                payload: Some(plain),
            },
            &[("h", Some(b"v"))],
        );
        let line = serde_json::to_vec(&archived).unwrap();
        let message = outbound(&line, &spec).unwrap();
        assert_eq!(
            (message.partition, message.timestamp_ms, message.event_ms),
            (Some(1), Some(9), Some(1_714_557_600_000))
        );
        assert_eq!(message.headers, vec![("h".to_owned(), Some(b"v".to_vec()))]);
        assert!(outbound(b"not json", &spec).is_none());

        let tagged = PublishSpec { run_id: Some("shadow".into()), ..spec };
        let message = outbound(plain, &tagged).unwrap();
        let payload: serde_json::Value = serde_json::from_slice(&message.payload.unwrap()).unwrap();
        assert_eq!((payload["run_id"].as_str(), payload["id"].as_str()), (Some("shadow"), Some("a1")));
        assert_eq!(tag_run_id(b"[1]".to_vec(), Some("x")), b"[1]");
    }
}
