//! The consume → process → produce → commit loop every Tenor service runs.
//!
//! - **At-least-once.** Each consumed message is pending in an [`OffsetTracker`] until every record it
//!   produced, or its dead letter, is acknowledged by the broker (the producer is idempotent, `acks=all`). Only
//!   then can its offset be committed, and commits never pass a pending offset. A crash replays from the last
//!   commit: records may be produced twice, never lost.
//! - **Ordering.** Stateless stages run on worker threads, but results are handed to the producer in
//!   consumption order (a `FuturesOrdered`), and the idempotent producer keeps per-partition order, so the
//!   records of one article (and of successive versions of an article in one input partition) stay in order.
//! - **Bounded work.** At most `delivery.max_in_flight` messages are pending and at most one batch per worker is
//!   being processed; past that the loop stops reading from the consumer (whose own prefetch is bounded by
//!   `queued.max.messages.kbytes`) until acknowledgements free room. A full producer queue also waits for
//!   acknowledgements instead of buffering.
//! - **Pause the partitions, not the poll loop.** When the in-flight bound has held for
//!   [`PAUSE_PARTITIONS_AFTER`] (acknowledgements are not coming: the output is down), the engine pauses its
//!   assigned partitions and goes back to polling the consumer, so that the group membership outlives
//!   `max.poll.interval.ms`, rebalances run, and statistics (the lag gauge) keep coming. A message that still
//!   arrives (fetched before the pause, or from a partition assigned since) is processed, and its partition
//!   paused too: the bound is then exceeded by at most the consumer's prefetch. The partitions are resumed as
//!   soon as there is room. Short waits (the common case under load) only stop polling, as pausing makes
//!   librdkafka drop its prefetched messages and fetch them again.
//! - **Bad input never blocks.** A stage error is an [`InputError`]: the message is dead-lettered and the
//!   partition moves on. A panic while processing one message is treated the same way (`model_error`).
//! - **World faults are retried.** Consumer errors are logged (at a backed-off rate) and the consumer is polled
//!   on while librdkafka reconnects by itself: the poll never stops for them, so rebalances stay timely. Records
//!   whose delivery fails after librdkafka's own retries are re-sent with exponential backoff (the input stays
//!   uncommitted meanwhile). The producing side (sending, acknowledgements, re-sends, completing inputs) is
//!   `produce.rs`, which also tells those apart from produce errors no retry can cure (the input is
//!   dead-lettered instead) and from the producer's fatal error (the loop stops, commits what is acknowledged
//!   and returns [`ServiceError::ProducerFatal`]).
//! - **Resume check.** The first message read from a partition after it is assigned should sit at the
//!   group's committed offset. When it lies past it, the records in between were never seen by this service:
//!   retention or compaction removed them, or the broker served the fetch from a later record batch (Tansu
//!   0.6's `memory://` storage does this when the committed offset falls inside a batch). The engine cannot
//!   get them back, but it never lets it pass silently: a warning names the range and
//!   `tenor_skipped_offsets_total` counts it.
//! - **Shutdown.** When the shutdown signal fires, the loop stops reading, finishes and acknowledges what is in
//!   flight (up to `delivery.shutdown_timeout_ms`), commits, and returns. It is seen in every state: no select
//!   arm sleeps for a fault of the world (the re-send backoff is a timer of the loop, and consumer errors do not
//!   stop it), and a send waiting on a full producer queue gives its emission up once shutdown is requested (its
//!   input stays pending, so it is never committed).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use futures::stream::FuturesOrdered;
use futures::StreamExt;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, Producer};
use tenor_core::{InputError, Origin, StanceLabel};
use tokio::sync::watch;

use super::produce::{Delivery, InputSource};
use super::{
    consumer_config, max_record_bytes, producer_config, to_list, ProducerContext, ServiceError,
    TenorConsumerContext,
};
use crate::config::{DeliveryConfig, KafkaConfig};
use crate::delivery::{InputRef, OffsetTracker, TopicPartition};
use crate::http::Health;
use crate::metrics::Metrics;

/// One consumed message, detached from the consumer.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub tp: TopicPartition,
    pub offset: i64,
    pub key: Option<Vec<u8>>,
    /// The payload; a null (tombstone) payload is empty.
    pub payload: Vec<u8>,
    /// The message timestamp (create or log-append time), in milliseconds since the epoch.
    pub timestamp_ms: Option<i64>,
}

impl Incoming {
    pub fn origin(&self) -> Origin {
        Origin::Kafka { topic: self.tp.topic.clone(), partition: self.tp.partition, offset: self.offset }
    }
}

/// One record to produce.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub topic: Arc<str>,
    pub key: Option<Vec<u8>>,
    /// The value; an empty payload is produced as a null value, a tombstone ([`Outgoing::tombstone`]: a
    /// compacted topic drops the key). No record Tenor writes is otherwise empty.
    pub payload: Vec<u8>,
    /// Set on dead letters: their reason, counted when acknowledged.
    pub dead_letter_reason: Option<&'static str>,
}

impl Outgoing {
    /// A tombstone for `key` on `topic`: a null value, which tells a compacted topic to drop the key.
    pub fn tombstone(topic: Arc<str>, key: Vec<u8>) -> Outgoing {
        Outgoing { topic, key: Some(key), payload: Vec::new(), dead_letter_reason: None }
    }
}

/// A group of records whose acknowledgement completes a set of inputs.
#[derive(Debug, Default)]
pub struct Emission {
    pub records: Vec<Outgoing>,
    /// Inputs (or holds on inputs) completed once every record is acknowledged.
    pub covers: Vec<InputRef>,
    /// Stances in `records`, counted in the metrics once acknowledged.
    pub stances: Vec<(StanceLabel, f64)>,
    /// Timestamp of the input message, for the end-to-end latency histogram.
    pub input_timestamp_ms: Option<i64>,
}

/// What a stateless stage made of one message.
#[derive(Debug, Default)]
pub struct Processed {
    pub records: Vec<Outgoing>,
    pub stances: Vec<(StanceLabel, f64)>,
    /// When the message being processed was derived from an earlier one (a segments message from an
    /// article), the timestamp of that earlier message: end-to-end latency is measured from it.
    pub origin_timestamp_ms: Option<i64>,
}

/// A stage that turns each message into records on its own (serve, segmenter, scorer). Runs on worker
/// threads, so it must be a pure function of the message.
pub trait StatelessStage: Send + Sync + 'static {
    fn process(&self, message: &Incoming, metrics: &Metrics) -> Result<Processed, InputError>;
}

/// A stage with state across messages (the aggregator). Runs on the loop's task, one message at a time.
pub trait StatefulStage: Send + 'static {
    /// Takes in one message. The stage may keep holds on `input` (via `tracker.hold`) for as long as it keeps
    /// state derived from it, and returns the emissions that became due.
    fn ingest(
        &mut self,
        message: &Incoming,
        input: &InputRef,
        tracker: &mut OffsetTracker,
        metrics: &Metrics,
    ) -> Result<Vec<Emission>, InputError>;

    /// Called about once a second; returns emissions that became due with time (idle flushes). `tracker` tells
    /// which of the stage's holds are still current (a revoked partition's are not).
    fn tick(&mut self, now: Instant, tracker: &OffsetTracker, metrics: &Metrics) -> Vec<Emission>;
}

/// The stage a service runs.
#[allow(missing_debug_implementations)]
pub enum Stage {
    Stateless(Arc<dyn StatelessStage>),
    Stateful(Box<dyn StatefulStage>),
}

/// How the loop runs.
#[derive(Debug, Clone)]
pub struct EngineSettings {
    /// Service name written into dead letters (`tenor-serve`, ...).
    pub service: String,
    pub input_topics: Vec<String>,
    pub dlq_topic: Arc<str>,
    pub delivery: DeliveryConfig,
    /// Messages processed concurrently on worker threads (stateless stages).
    pub workers: usize,
}

/// What a run did, for logs and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunSummary {
    pub consumed: u64,
    pub produced: u64,
    pub dead_letters: u64,
}

/// How long the in-flight bound must hold before the assigned partitions are paused and polling resumes.
pub const PAUSE_PARTITIONS_AFTER: Duration = Duration::from_secs(1);

/// Pauses or resumes every partition assigned to `consumer`; a failure is logged (polling goes on either way).
fn set_partitions_paused(consumer: &StreamConsumer<TenorConsumerContext>, metrics: &Metrics, pause: bool) {
    let result = consumer.assignment().and_then(|assigned| {
        if pause { consumer.pause(&assigned) } else { consumer.resume(&assigned) }.map(|()| assigned.count())
    });
    match result {
        Ok(partitions) => {
            metrics.partitions_paused.set(if pause { partitions as i64 } else { 0 });
            tracing::info!(partitions, paused = pause, "partitions {}", if pause { "paused" } else { "resumed" });
        }
        Err(error) => tracing::warn!(%error, pause, "cannot pause or resume the assigned partitions"),
    }
}

/// A message taken from the consumer, being processed on a worker thread.
type InProcess = BoxFuture<'static, (Incoming, InputRef, Result<Processed, InputError>)>;

/// Runs `stage` until `shutdown` turns true, then drains and commits. Returns an error only for faults of
/// the world that cannot be retried (client creation, subscription).
pub async fn run(
    kafka: &KafkaConfig,
    settings: EngineSettings,
    mut stage: Stage,
    metrics: Arc<Metrics>,
    health: Arc<Health>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<RunSummary, ServiceError> {
    let tracker = Arc::new(Mutex::new(OffsetTracker::new()));
    let context =
        TenorConsumerContext { tracker: tracker.clone(), health: health.clone(), metrics: metrics.clone() };
    let consumer: Arc<StreamConsumer<TenorConsumerContext>> = Arc::new(
        consumer_config(kafka)
            .create_with_context(context)
            .map_err(ServiceError::kafka("creating the consumer"))?,
    );
    let producer: FutureProducer<ProducerContext> = producer_config(kafka)
        .create_with_context(ProducerContext)
        .map_err(ServiceError::kafka("creating the producer"))?;
    let topics: Vec<&str> = settings.input_topics.iter().map(String::as_str).collect();
    consumer.subscribe(&topics).map_err(ServiceError::kafka("subscribing"))?;
    for topic in &topics {
        // Exported as 0 from the start, so that alerts on it see a series.
        metrics.skipped_offsets.with_label_values(&[topic]);
    }
    tracing::info!(topics = ?topics, group = %kafka.group_id, service = %settings.service, "consuming");

    let max_in_flight = settings.delivery.max_in_flight.max(1);
    let workers = settings.workers.max(1);
    let shutdown_timeout = Duration::from_millis(settings.delivery.shutdown_timeout_ms);
    let mut delivery = Delivery::new(
        producer,
        tracker.clone(),
        metrics.clone(),
        health.clone(),
        shutdown.clone(),
        settings.clone(),
        max_record_bytes(kafka),
    );
    let mut fatal: Option<String> = None;
    let mut processing: FuturesOrdered<InProcess> = FuturesOrdered::new();
    let mut commit_tick = tokio::time::interval(Duration::from_millis(kafka.commit_interval_ms.max(10)));
    commit_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut stage_tick = tokio::time::interval(Duration::from_millis(250));
    stage_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut stopping_since: Option<Instant> = None;
    let mut paused = false;
    // Since when the in-flight bound has held, and whether the partitions are paused because of it.
    let mut full_since: Option<Instant> = None;
    let mut partitions_paused = false;
    metrics.in_flight_limit.set(max_in_flight as i64);
    let mut consumer_backoff = Duration::from_millis(settings.delivery.retry_backoff_ms);
    // After a consumer error is logged, further ones are logged at debug level until this time (which doubles
    // with each error logged, up to `retry_backoff_max_ms`), so that a flapping broker does not flood the log.
    // The consumer keeps being polled throughout: librdkafka paces its own reconnects and retries, and only a
    // poll serves rebalances and keeps the group membership, so a loop that stopped polling for a backoff
    // would hold up every rebalance of the group for as long.
    let mut errors_quiet_until: Option<Instant> = None;
    // Commits are synchronous (their outcome is known before the tracker records them) and run on a blocking
    // thread, one at a time, so that a slow or unreachable broker never stalls the loop.
    let mut commit_task: Option<tokio::task::JoinHandle<CommitOutcome>> = None;

    loop {
        while let Some(pending) = delivery.resend.pop_front() {
            delivery.send(pending.emission, pending.source).await;
        }
        if let Some(error) = delivery.fatal.take() {
            // The producer is unusable: nothing more can be acknowledged. Commit what is, and stop.
            fatal = Some(error);
            break;
        }
        let pending = tracker.lock().unwrap_or_else(|e| e.into_inner()).pending();
        metrics.in_flight.set(pending as i64);
        let stopping = stopping_since.is_some();
        let room = pending < max_in_flight && processing.len() < workers;
        let output_full = pending >= max_in_flight;
        if output_full {
            full_since.get_or_insert_with(Instant::now);
        } else {
            full_since = None;
            if partitions_paused {
                partitions_paused = false;
                set_partitions_paused(&consumer, &metrics, false);
            }
        }
        let pause_at =
            full_since.filter(|_| !partitions_paused && !stopping).map(|since| since + PAUSE_PARTITIONS_AFTER);
        // Read while there is room, and also while the partitions are paused (to keep polling).
        let read = !stopping && processing.len() < workers && (!output_full || partitions_paused);
        if !stopping && !room && !paused {
            paused = true;
            metrics.consumption_paused.inc();
            tracing::debug!(pending, processing = processing.len(), "in-flight bound reached, consumption paused");
        } else if room && paused {
            paused = false;
            tracing::debug!("consumption resumed");
        }
        if stopping && processing.is_empty() && delivery.idle() {
            break;
        }
        let shutdown_deadline = stopping_since.map(|since| since + shutdown_timeout);

        tokio::select! {
            biased;
            changed = shutdown.changed(), if !stopping => {
                if changed.is_err() || *shutdown.borrow() {
                    tracing::info!(pending, "shutting down: no more fetching, finishing in-flight work");
                    stopping_since = Some(Instant::now());
                    health.set_partitions_assigned(false);
                }
            }
            _ = sleep_until_opt(shutdown_deadline), if stopping => {
                tracing::warn!(
                    pending,
                    "shutdown timeout reached with work in flight; it stays uncommitted and is replayed on restart"
                );
                break;
            }
            Some(work) = delivery.work.next(), if !delivery.work.is_empty() => delivery.handle(work),
            Some((message, input, result)) = processing.next(), if !processing.is_empty() => {
                if let Some((emission, source)) = into_emission(&delivery, message, input.clone(), result) {
                    delivery.send(emission, source).await;
                } else {
                    tracker.lock().unwrap_or_else(|e| e.into_inner()).complete(&input);
                }
            }
            _ = sleep_until_opt(pause_at), if pause_at.is_some() => {
                tracing::warn!(pending, "in-flight bound held for a while (output slow or down): pausing partitions, polling on");
                partitions_paused = true;
                set_partitions_paused(&consumer, &metrics, true);
            }
            received = consumer.recv(), if read => match received {
                Ok(borrowed) => {
                    consumer_backoff = Duration::from_millis(settings.delivery.retry_backoff_ms);
                    errors_quiet_until = None;
                    let message = Incoming {
                        tp: TopicPartition::new(borrowed.topic(), borrowed.partition()),
                        offset: borrowed.offset(),
                        key: borrowed.key().map(<[u8]>::to_vec),
                        payload: borrowed.payload().map(<[u8]>::to_vec).unwrap_or_default(),
                        timestamp_ms: borrowed.timestamp().to_millis(),
                    };
                    drop(borrowed);
                    if partitions_paused {
                        // Fetched before the pause, or from a partition assigned since: process it, pause again.
                        set_partitions_paused(&consumer, &metrics, true);
                    }
                    metrics.messages_consumed.with_label_values(&[&message.tp.topic]).inc();
                    tracing::trace!(topic = %message.tp.topic, partition = message.tp.partition, offset = message.offset, "consumed");
                    let (input, first_since_assignment) = {
                        let mut tracker = tracker.lock().unwrap_or_else(|e| e.into_inner());
                        let first = tracker.committable(&message.tp).is_none();
                        (tracker.begin(&message.tp, message.offset), first)
                    };
                    if first_since_assignment {
                        check_resume_position(&consumer, &metrics, &message.tp, message.offset);
                    }
                    match &mut stage {
                        Stage::Stateless(stage) => {
                            let stage = stage.clone();
                            let metrics = metrics.clone();
                            let stage_timeout = settings.delivery.stage_timeout_ms;
                            processing.push_back(Box::pin(async move {
                                let result = process_guarded(stage, message.clone(), metrics, stage_timeout).await;
                                (message, input, result)
                            }));
                        }
                        Stage::Stateful(stage) => {
                            let result = {
                                let mut tracker = tracker.lock().unwrap_or_else(|e| e.into_inner());
                                stage.ingest(&message, &input, &mut tracker, &metrics)
                            };
                            match result {
                                Ok(emissions) => {
                                    // The message itself is done once ingested; windows hold what they need.
                                    tracker.lock().unwrap_or_else(|e| e.into_inner()).complete(&input);
                                    for emission in emissions {
                                        delivery.send(emission, None).await;
                                    }
                                }
                                Err(error) => {
                                    if let Some((emission, source)) = into_emission(&delivery, message, input.clone(), Err(error)) {
                                        delivery.send(emission, source).await;
                                    } else {
                                        tracker.lock().unwrap_or_else(|e| e.into_inner()).complete(&input);
                                    }
                                }
                            }
                        }
                    }
                }
                Err(error) => {
                    let now = Instant::now();
                    if errors_quiet_until.is_some_and(|until| now < until) {
                        tracing::debug!(%error, "consumer error, polling on");
                    } else {
                        tracing::warn!(%error, quiet_ms = consumer_backoff.as_millis() as u64, "consumer error, polling on (further errors at debug level for a while)");
                        errors_quiet_until = Some(now + consumer_backoff);
                        consumer_backoff = (consumer_backoff * 2).min(Duration::from_millis(settings.delivery.retry_backoff_max_ms));
                    }
                }
            },
            _ = commit_tick.tick(), if commit_task.is_none() => {
                let commits = tracker.lock().unwrap_or_else(|e| e.into_inner()).to_commit();
                if !commits.is_empty() {
                    let consumer = consumer.clone();
                    commit_task = Some(tokio::task::spawn_blocking(move || {
                        let result = consumer.commit(&to_list(&commits), CommitMode::Sync);
                        CommitOutcome { commits, result }
                    }));
                }
            }
            outcome = async { commit_task.as_mut().expect("guarded").await }, if commit_task.is_some() => {
                commit_task = None;
                match outcome {
                    Ok(outcome) => record_commit(&tracker, &metrics, outcome),
                    Err(error) => tracing::warn!(%error, "commit task failed; retrying at the next interval"),
                }
            }
            _ = stage_tick.tick(), if matches!(stage, Stage::Stateful(_)) && !stopping => {
                if let Stage::Stateful(stage) = &mut stage {
                    let emissions = {
                        let tracker = tracker.lock().unwrap_or_else(|e| e.into_inner());
                        stage.tick(Instant::now(), &tracker, &metrics)
                    };
                    for emission in emissions {
                        delivery.send(emission, None).await;
                    }
                }
            }
        }
    }

    if let Some(task) = commit_task.take() {
        if let Ok(outcome) = task.await {
            record_commit(&tracker, &metrics, outcome);
        }
    }
    let commits = tracker.lock().unwrap_or_else(|e| e.into_inner()).to_commit();
    if !commits.is_empty() {
        // Bounded, so that an unreachable broker cannot hold the exit past the shutdown budget.
        let final_commit = tokio::task::spawn_blocking({
            let consumer = consumer.clone();
            move || {
                let result = consumer.commit(&to_list(&commits), CommitMode::Sync);
                CommitOutcome { commits, result }
            }
        });
        match tokio::time::timeout(Duration::from_millis(1500), final_commit).await {
            Ok(Ok(outcome)) => record_commit(&tracker, &metrics, outcome),
            Ok(Err(error)) => tracing::warn!(%error, "final commit failed"),
            Err(_) => tracing::warn!("final commit timed out; uncommitted work is replayed on restart"),
        }
    }
    if let Err(error) = delivery.producer.flush(Duration::from_millis(500)) {
        tracing::warn!(%error, "producer flush at shutdown");
    }
    metrics.in_flight.set(tracker.lock().unwrap_or_else(|e| e.into_inner()).pending() as i64);
    health.set_partitions_assigned(false);
    if let Some(error) = fatal {
        return Err(ServiceError::ProducerFatal(error));
    }
    let mut summary = delivery.summary;
    summary.consumed =
        settings.input_topics.iter().map(|t| metrics.messages_consumed.with_label_values(&[t]).get()).sum();
    tracing::info!(
        consumed = summary.consumed,
        produced = summary.produced,
        dead_letters = summary.dead_letters,
        "stopped"
    );
    Ok(summary)
}

/// Runs a stateless stage on a worker thread. A panic becomes a `model_error`; a stage still running after
/// `timeout_ms` (0: no limit) is abandoned (its thread finishes on its own; the result is dropped) and becomes a
/// `timeout`, so that one pathological message cannot hold its partition.
async fn process_guarded(
    stage: Arc<dyn StatelessStage>,
    message: Incoming,
    metrics: Arc<Metrics>,
    timeout_ms: u64,
) -> Result<Processed, InputError> {
    let (topic, partition, offset) = (message.tp.topic.clone(), message.tp.partition, message.offset);
    let task = tokio::task::spawn_blocking(move || stage.process(&message, &metrics));
    let joined = if timeout_ms == 0 {
        task.await
    } else {
        match tokio::time::timeout(Duration::from_millis(timeout_ms), task).await {
            Ok(joined) => joined,
            Err(_) => {
                tracing::error!(
                    %topic,
                    partition,
                    offset,
                    timeout_ms,
                    "processing overran the stage timeout; abandoning it and dead-lettering the message"
                );
                return Err(InputError::Timeout { limit_ms: timeout_ms });
            }
        }
    };
    joined.unwrap_or_else(|join_error| Err(InputError::Model(format!("processing panicked: {join_error}"))))
}

/// Compares the first offset read from a newly assigned partition with the group's committed offset (on a
/// blocking thread: it is a broker round trip) and reports a gap. See "Resume check" in the module docs.
fn check_resume_position(
    consumer: &Arc<StreamConsumer<TenorConsumerContext>>,
    metrics: &Arc<Metrics>,
    tp: &TopicPartition,
    first_offset: i64,
) {
    let (consumer, metrics, tp) = (consumer.clone(), metrics.clone(), tp.clone());
    tokio::task::spawn_blocking(move || {
        let mut list = rdkafka::TopicPartitionList::new();
        list.add_partition(&tp.topic, tp.partition);
        let committed = match consumer.committed_offsets(list, Duration::from_secs(10)) {
            Ok(committed) => committed,
            Err(error) => {
                tracing::debug!(%error, topic = %tp.topic, partition = tp.partition, "resume check skipped");
                return;
            }
        };
        let committed = committed.find_partition(&tp.topic, tp.partition).map(|e| e.offset());
        if let Some(rdkafka::Offset::Offset(committed)) = committed {
            if first_offset > committed {
                let skipped = (first_offset - committed) as u64;
                metrics.skipped_offsets.with_label_values(&[&tp.topic]).inc_by(skipped);
                tracing::warn!(
                    topic = %tp.topic,
                    partition = tp.partition,
                    committed,
                    first_offset,
                    skipped,
                    "first message after assignment lies past the committed offset: the records in between \
                     were never read (retention, compaction, or a broker serving the fetch from a later batch)"
                );
            }
        }
    });
}

async fn sleep_until_opt(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
        None => futures::future::pending().await,
    }
}

/// Turns a stage result into what is produced for the message: its records (with the message kept as the
/// input to dead-letter should they be refused for good), or its dead letter. `None` when the dead letter
/// cannot fit the producer's limit even without payload (logged and counted): the message is then skipped.
fn into_emission(
    delivery: &Delivery,
    message: Incoming,
    input: InputRef,
    result: Result<Processed, InputError>,
) -> Option<(Emission, Option<Arc<InputSource>>)> {
    match result {
        Ok(processed) => {
            let emission = Emission {
                records: processed.records,
                covers: vec![input],
                stances: processed.stances,
                input_timestamp_ms: processed.origin_timestamp_ms.or(message.timestamp_ms),
            };
            let source = InputSource { origin: message.origin(), key: message.key, payload: message.payload };
            Some((emission, Some(Arc::new(source))))
        }
        Err(error) => {
            tracing::warn!(
                reason = error.reason(),
                %error,
                topic = %message.tp.topic,
                partition = message.tp.partition,
                offset = message.offset,
                "message rejected, dead-lettering it"
            );
            let emission = delivery.dead_letter(
                &error,
                &message.payload,
                message.origin(),
                message.key.clone(),
                vec![input],
                message.timestamp_ms,
            )?;
            Some((emission, None))
        }
    }
}

struct CommitOutcome {
    commits: Vec<(TopicPartition, i64)>,
    result: rdkafka::error::KafkaResult<()>,
}

/// Records the outcome of a commit: the tracker learns what is committed; a failure is retried next time.
fn record_commit(tracker: &Mutex<OffsetTracker>, metrics: &Metrics, outcome: CommitOutcome) {
    match outcome.result {
        Ok(()) => {
            metrics.commits.with_label_values(&["ok"]).inc();
            tracing::debug!(commits = ?outcome.commits, "offsets committed");
            tracker.lock().unwrap_or_else(|e| e.into_inner()).mark_committed(&outcome.commits);
        }
        Err(error) => {
            metrics.commits.with_label_values(&["error"]).inc();
            tracing::warn!(%error, "offset commit failed; retrying at the next interval");
        }
    }
}

#[cfg(test)]
mod tests {
    //! Fast client-behaviour tests on librdkafka's in-process mock cluster. The real-broker tests are the
    //! end-to-end ones in tests/integration/kafka_*.rs (Tansu).

    use super::*;
    use crate::config::ServeConfig;
    use crate::kafka::stages::{OutputTopics, ServeStage};
    use rdkafka::config::ClientConfig;
    use rdkafka::consumer::BaseConsumer;
    use rdkafka::mocking::MockCluster;
    use rdkafka::producer::{FutureProducer as TestProducer, FutureRecord};
    use tenor_pipeline::{Pipeline, PipelineConfig};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn good_and_bad_messages_are_delivered_and_their_offsets_committed() {
        let cluster = MockCluster::new(1).unwrap();
        for topic in ["in", "s", "a", "r", "dlq"] {
            cluster.create_topic(topic, 1, 1).unwrap();
        }
        let bootstrap = cluster.bootstrap_servers();
        let producer: TestProducer = ClientConfig::new().set("bootstrap.servers", &bootstrap).create().unwrap();
        let payloads: [&[u8]; 3] =
            [br#"{"id":"a1","body":"One. Two."}"#, b"{broken", br#"{"id":"a2","body":"Three."}"#];
        for payload in payloads {
            let record = FutureRecord::<[u8], [u8]>::to("in").payload(payload);
            producer.send(record, Duration::from_secs(5)).await.unwrap();
        }

        let mut kafka = ServeConfig::default().kafka;
        kafka.bootstrap_servers = bootstrap.clone();
        kafka.group_id = "engine-test".into();
        kafka.commit_interval_ms = 50;
        let settings = EngineSettings {
            service: "tenor-test".into(),
            input_topics: vec!["in".into()],
            dlq_topic: "dlq".into(),
            delivery: DeliveryConfig::default(),
            workers: 2,
        };
        let pipeline = Arc::new(Arc::new(Pipeline::new(PipelineConfig::default())).into());
        let topics = OutputTopics {
            sentences: "s".into(),
            articles: "a".into(),
            review: "r".into(),
            review_threshold: 0.5,
            tensions: None,
            embeddings: false,
        };
        let stage = Stage::Stateless(Arc::new(ServeStage { pipeline, topics }));
        let metrics = Arc::new(Metrics::new("test"));
        let health = Arc::new(Health::default());
        let (stop, shutdown) = watch::channel(false);
        let task = tokio::spawn({
            let (metrics, health) = (metrics.clone(), health.clone());
            async move { run(&kafka, settings, stage, metrics, health, shutdown).await }
        });

        let produced = |topic: &str| metrics.records_produced.with_label_values(&[topic]).get();
        let deadline = Instant::now() + Duration::from_secs(30);
        while (produced("s"), produced("a"), produced("dlq")) != (3, 2, 1) {
            assert!(Instant::now() < deadline, "records not delivered: {}", metrics.render());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        stop.send(true).unwrap();
        let summary = task.await.unwrap().unwrap();
        assert_eq!(summary, RunSummary { consumed: 3, produced: 6, dead_letters: 1 });
        assert_eq!(metrics.dead_letters.with_label_values(&["invalid_json"]).get(), 1);
        assert_eq!(metrics.in_flight.get(), 0);

        // Everything was acknowledged, so the group's committed offset is past the last message.
        let checker: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &bootstrap)
            .set("group.id", "engine-test")
            .create()
            .unwrap();
        let mut list = rdkafka::TopicPartitionList::new();
        list.add_partition("in", 0);
        let committed = checker.committed_offsets(list, Duration::from_secs(5)).unwrap();
        assert_eq!(committed.find_partition("in", 0).unwrap().offset(), rdkafka::Offset::Offset(3));
    }

    /// Echoes each message to `out`, except that a message `hang` blocks until the test releases it.
    struct HangsUntilReleased(Arc<(Mutex<bool>, std::sync::Condvar)>);

    impl StatelessStage for HangsUntilReleased {
        fn process(&self, message: &Incoming, _metrics: &Metrics) -> Result<Processed, InputError> {
            if message.payload == b"hang" {
                let (released, signal) = &*self.0;
                let guard = released.lock().unwrap();
                drop(signal.wait_timeout_while(guard, Duration::from_secs(60), |released| !*released).unwrap());
            }
            let record = Outgoing {
                topic: "out".into(),
                key: None,
                payload: message.payload.clone(),
                dead_letter_reason: None,
            };
            Ok(Processed { records: vec![record], ..Processed::default() })
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_hanging_message_is_dead_lettered_by_the_stage_timeout_and_the_partition_moves_on() {
        let cluster = MockCluster::new(1).unwrap();
        for topic in ["in", "out", "dlq"] {
            cluster.create_topic(topic, 1, 1).unwrap();
        }
        let bootstrap = cluster.bootstrap_servers();
        let producer: TestProducer = ClientConfig::new().set("bootstrap.servers", &bootstrap).create().unwrap();
        for payload in [&b"one"[..], b"hang", b"two"] {
            producer
                .send(FutureRecord::<[u8], [u8]>::to("in").payload(payload), Duration::from_secs(5))
                .await
                .unwrap();
        }
        let mut kafka = ServeConfig::default().kafka;
        kafka.bootstrap_servers = bootstrap;
        kafka.group_id = "timeout-test".into();
        let settings = EngineSettings {
            service: "tenor-test".into(),
            input_topics: vec!["in".into()],
            dlq_topic: "dlq".into(),
            delivery: DeliveryConfig { stage_timeout_ms: 200, ..DeliveryConfig::default() },
            workers: 2,
        };
        let metrics = Arc::new(Metrics::new("test"));
        let release = Arc::new((Mutex::new(false), std::sync::Condvar::new()));
        let (stop, shutdown) = watch::channel(false);
        let task = tokio::spawn({
            let metrics = metrics.clone();
            let stage = Stage::Stateless(Arc::new(HangsUntilReleased(release.clone())));
            async move { run(&kafka, settings, stage, metrics, Arc::new(Health::default()), shutdown).await }
        });
        let started = Instant::now();
        let produced = |topic: &str| metrics.records_produced.with_label_values(&[topic]).get();
        while (produced("out"), produced("dlq")) != (2, 1) {
            assert!(started.elapsed() < Duration::from_secs(20), "not delivered: {}", metrics.render());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // "two" comes after "hang" in the partition, so it was delivered only because the hanging stage was
        // abandoned: the stage is still blocked.
        assert_eq!(metrics.dead_letters.with_label_values(&["timeout"]).get(), 1);
        stop.send(true).unwrap();
        task.await.unwrap().unwrap();
        *release.0.lock().unwrap() = true;
        release.1.notify_all();
    }
}
