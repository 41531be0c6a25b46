//! The producing side of the engine's loop ([`super::engine`]): sends each emission's records in order,
//! collects the broker's acknowledgements, and completes the inputs an emission covers once *every* one of its
//! records is acknowledged, or once the input is dead-lettered in their place.
//!
//! Guarantees (the engine's at-least-once and bounded-work promises rest on them):
//! - an input is completed in the [`OffsetTracker`] only when all records of its emission (or its dead letter)
//!   are acknowledged, so its offset is never committed before;
//! - records of one emission are handed to the producer in order; when the producer queue is full, `send`
//!   waits for acknowledgements instead of buffering, and gives the emission up (its input stays pending,
//!   uncommitted, replayed on restart) once shutdown is requested, so a full queue never hides SIGTERM;
//! - every produce error is classified ([`classify`]):
//!   - **transient** (broker down, timeouts, leadership changes, anything unknown): the failed records are
//!     re-sent alone after an exponential backoff (`delivery.retry_backoff_ms` up to
//!     `delivery.retry_backoff_max_ms`), with their input still pending; `/readyz` says not ready until an
//!     emission is acknowledged again;
//!   - **permanent** (a record over the producer's `message.max.bytes`, an invalid record, an authorization
//!     or policy refusal): no retry can cure it, so the *input* is dead-lettered in place of its records
//!     (`output_too_large` or `produce_rejected`) and the partition moves on. Records of the emission already
//!     acknowledged stay (the dead letter says the article's output is incomplete). A record over the limit
//!     is caught before anything of its emission is sent;
//!   - **fatal** (the idempotent producer's fatal error: the client is unusable): the engine stops, commits
//!     what is acknowledged and returns an error, so the service restarts and replays the rest.
//! - a dead letter always fits the producer's limit (its payload is cut after escaping,
//!   [`DeadLetter::encode_within`]); one refused all the same, or a record refused for good that has no input
//!   to dead-letter (a window record), is logged, counted in `tenor_undeliverable_records_total` and skipped
//!   (its inputs completed), never retried forever.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::StreamExt;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{FutureProducer, FutureRecord};
use tenor_core::{DeadLetter, InputError, Origin};
use tokio::sync::watch;

use super::engine::{Emission, EngineSettings, Outgoing, RunSummary};
use super::ProducerContext;
use crate::delivery::{InputRef, OffsetTracker};
use crate::http::Health;
use crate::metrics::{stage, Metrics};

/// Bytes a record takes on the wire besides its key and value (record and batch headers); a record fits the
/// producer when `key + value + RECORD_OVERHEAD_BYTES <= message.max.bytes`. librdkafka's own check allows
/// a little more, so a record that passes this one is never refused at enqueue for its size.
pub const RECORD_OVERHEAD_BYTES: usize = 512;

/// The input an emission was made from, kept until the emission is acknowledged so that a permanent produce
/// failure can dead-letter the input in its place.
#[derive(Debug)]
pub struct InputSource {
    pub origin: Origin,
    pub key: Option<Vec<u8>>,
    pub payload: Vec<u8>,
}

/// What a produce error means for the record that met it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Retry later: the world may heal.
    Transient(String),
    /// The record can never be delivered: dead-letter its input.
    Permanent(InputError),
    /// The producer itself is unusable.
    Fatal(String),
}

/// Classifies a produce error (at enqueue or in a delivery report). Unknown errors are transient: retrying
/// something that could not succeed costs time, dead-lettering something that could have costs a record.
pub fn classify(error: &KafkaError, size: usize, limit: usize) -> Failure {
    let code = match error {
        KafkaError::MessageProduction(code) => *code,
        other => return Failure::Transient(other.to_string()),
    };
    use RDKafkaErrorCode as C;
    match code {
        C::MessageSizeTooLarge | C::MessageBatchTooLarge => {
            Failure::Permanent(InputError::OutputTooLarge { size, limit })
        }
        C::InvalidMessage
        | C::InvalidMessageSize
        | C::InvalidRecord
        | C::InvalidTimestamp
        | C::InvalidTopic
        | C::InvalidRequiredAcks
        | C::UnsupportedForMessageFormat
        | C::PolicyViolation
        | C::TopicAuthorizationFailed
        | C::ClusterAuthorizationFailed
        | C::InvalidArgument => Failure::Permanent(InputError::ProduceRejected(error.to_string())),
        C::Fatal => Failure::Fatal(error.to_string()),
        _ => Failure::Transient(error.to_string()),
    }
}

/// An emission on its way, with the input to dead-letter if it can never be delivered.
pub(super) struct Pending {
    pub(super) emission: Emission,
    pub(super) source: Option<Arc<InputSource>>,
}

pub(super) struct AckDone {
    pending: Pending,
    /// Records whose delivery failed, by index, with what the failure means.
    failed: Vec<(usize, Failure)>,
    sent_at: Instant,
}

pub(super) enum Work {
    Ack(AckDone),
    /// An emission waiting out its retry backoff.
    Retry(Pending),
}

/// Producing side of the loop: sends emissions, collects acknowledgements, completes inputs.
pub(super) struct Delivery {
    pub(super) producer: FutureProducer<ProducerContext>,
    pub(super) work: FuturesUnordered<BoxFuture<'static, Work>>,
    pub(super) resend: VecDeque<Pending>,
    /// Set by a fatal producer error: the engine stops.
    pub(super) fatal: Option<String>,
    tracker: Arc<Mutex<OffsetTracker>>,
    metrics: Arc<Metrics>,
    health: Arc<Health>,
    shutdown: watch::Receiver<bool>,
    backoff: Duration,
    settings: EngineSettings,
    /// The producer's `message.max.bytes`.
    max_record_bytes: usize,
    pub(super) summary: RunSummary,
}

impl Delivery {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        producer: FutureProducer<ProducerContext>,
        tracker: Arc<Mutex<OffsetTracker>>,
        metrics: Arc<Metrics>,
        health: Arc<Health>,
        shutdown: watch::Receiver<bool>,
        settings: EngineSettings,
        max_record_bytes: usize,
    ) -> Delivery {
        Delivery {
            producer,
            work: FuturesUnordered::new(),
            resend: VecDeque::new(),
            fatal: None,
            tracker,
            metrics,
            health,
            shutdown,
            backoff: Duration::from_millis(settings.delivery.retry_backoff_ms),
            settings,
            max_record_bytes,
            summary: RunSummary::default(),
        }
    }

    fn tracker(&self) -> std::sync::MutexGuard<'_, OffsetTracker> {
        self.tracker.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn record_size(record: &Outgoing) -> usize {
        record.payload.len() + record.key.as_ref().map_or(0, Vec::len) + RECORD_OVERHEAD_BYTES
    }

    /// The dead letter of an input, as an emission covering `covers`; `None` (logged and counted) when even
    /// an empty dead letter does not fit the producer's limit.
    pub(super) fn dead_letter(
        &self,
        error: &InputError,
        payload: &[u8],
        origin: Origin,
        key: Option<Vec<u8>>,
        covers: Vec<InputRef>,
        input_timestamp_ms: Option<i64>,
    ) -> Option<Emission> {
        let room = self.max_record_bytes.saturating_sub(key.as_ref().map_or(0, Vec::len) + RECORD_OVERHEAD_BYTES);
        let encoded = DeadLetter::encode_within(
            error,
            payload,
            origin.clone(),
            &self.settings.service,
            self.settings.delivery.max_dead_letter_payload_bytes,
            room,
        );
        match encoded {
            Ok(payload) => Some(Emission {
                records: vec![Outgoing {
                    topic: self.settings.dlq_topic.clone(),
                    key,
                    payload,
                    dead_letter_reason: Some(error.reason()),
                }],
                covers,
                stances: Vec::new(),
                input_timestamp_ms,
            }),
            Err(too_large) => {
                self.metrics.undeliverable_records.with_label_values(&["output_too_large"]).inc();
                tracing::error!(?origin, reason = error.reason(), %too_large, "dead letter cannot fit the producer's limit; skipping the message");
                None
            }
        }
    }

    /// Hands every record of `emission` to the producer, in order, waiting for acknowledgements when its
    /// queue is full, and registers the acknowledgement future. `source` is the input to dead-letter if a
    /// record can never be delivered.
    pub(super) async fn send(&mut self, emission: Emission, source: Option<Arc<InputSource>>) {
        let pending = Pending { emission, source };
        if pending.emission.records.is_empty() {
            self.finish(AckDone { pending, failed: Vec::new(), sent_at: Instant::now() });
            return;
        }
        let sent_at = Instant::now();
        // A record over the producer's limit is refused before anything of its emission is sent.
        if let Some((index, size)) = pending
            .emission
            .records
            .iter()
            .map(Self::record_size)
            .enumerate()
            .find(|(_, size)| *size > self.max_record_bytes)
        {
            let failure = Failure::Permanent(InputError::OutputTooLarge { size, limit: self.max_record_bytes });
            self.handle(Work::Ack(AckDone { failed: all_from(0, &pending, index, failure), pending, sent_at }));
            return;
        }
        let mut deliveries = Vec::with_capacity(pending.emission.records.len());
        let mut failed = Vec::new();
        for (index, record) in pending.emission.records.iter().enumerate() {
            loop {
                let mut future_record = FutureRecord::<[u8], [u8]>::to(&record.topic);
                // An empty payload is a tombstone: sent as a null value (`Outgoing::payload`).
                if !record.payload.is_empty() {
                    future_record = future_record.payload(&record.payload);
                }
                if let Some(key) = &record.key {
                    future_record = future_record.key(key);
                }
                match self.producer.send_result(future_record) {
                    Ok(delivery) => {
                        deliveries.push(delivery);
                        break;
                    }
                    Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                        if *self.shutdown.borrow() {
                            // The queue drains only as fast as the broker acknowledges: do not let it hold the
                            // shutdown. The emission is not sent; its input stays pending and is replayed.
                            tracing::warn!(
                                records = pending.emission.records.len() - index,
                                "shutting down with the producer queue full: emission given up, its input is replayed on restart"
                            );
                            self.push_ack(pending, deliveries, Vec::new(), sent_at, true);
                            return;
                        }
                        // The producer is saturated: wait for an acknowledgement (or a moment) to free room.
                        tracing::debug!("producer queue full, waiting for acknowledgements");
                        let next = tokio::time::timeout(Duration::from_millis(50), self.work.next()).await;
                        if let Ok(Some(work)) = next {
                            self.handle(work);
                        }
                    }
                    Err((error, _)) => {
                        // Refused at enqueue: this record and the rest of the emission are not sent; the
                        // acknowledgement path decides (re-send the rest later, or dead-letter the input).
                        let failure = classify(&error, Self::record_size(record), self.max_record_bytes);
                        tracing::warn!(%error, topic = %record.topic, ?failure, "record refused at enqueue");
                        failed = all_from(deliveries.len(), &pending, index, failure);
                        break;
                    }
                }
            }
            if !failed.is_empty() {
                break;
            }
        }
        self.push_ack(pending, deliveries, failed, sent_at, false);
    }

    /// Registers the future that waits for `deliveries` (the emission's first records, in order) and reports
    /// them with the failures already known. A given-up emission is waited for and then dropped.
    fn push_ack(
        &mut self,
        pending: Pending,
        deliveries: Vec<rdkafka::producer::DeliveryFuture>,
        mut failed: Vec<(usize, Failure)>,
        sent_at: Instant,
        given_up: bool,
    ) {
        let sizes: Vec<usize> = pending.emission.records.iter().map(Self::record_size).collect();
        let limit = self.max_record_bytes;
        if given_up {
            // Only the acknowledgements of what was sent matter now (for the queue); nothing completes.
            self.work.push(Box::pin(async move {
                for delivery in deliveries {
                    let _ = delivery.await;
                }
                Work::Ack(AckDone {
                    failed: vec![(0, Failure::Transient("given up at shutdown".into()))],
                    pending: Pending { emission: Emission::default(), source: None },
                    sent_at,
                })
            }));
            drop(pending);
            return;
        }
        self.work.push(Box::pin(async move {
            for (index, delivery) in deliveries.into_iter().enumerate() {
                match delivery.await {
                    Ok(Ok(_)) => {}
                    Ok(Err((error, _))) => {
                        let failure = classify(&error, sizes[index], limit);
                        tracing::warn!(%error, ?failure, "record delivery failed");
                        failed.push((index, failure));
                    }
                    Err(_canceled) => failed.push((index, Failure::Transient("delivery canceled".into()))),
                }
            }
            failed.sort_by_key(|(index, _)| *index);
            Work::Ack(AckDone { pending, failed, sent_at })
        }));
    }

    fn next_backoff(&mut self) -> Duration {
        let current = self.backoff;
        self.backoff = (self.backoff * 2).min(Duration::from_millis(self.settings.delivery.retry_backoff_max_ms));
        current
    }

    pub(super) fn handle(&mut self, work: Work) {
        match work {
            Work::Retry(pending) => self.resend.push_back(pending),
            Work::Ack(done) if done.failed.is_empty() => {
                self.backoff = Duration::from_millis(self.settings.delivery.retry_backoff_ms);
                self.health.set_produce_failing(false);
                self.finish(done);
            }
            // An emission given up at shutdown: nothing to complete, nothing to re-send.
            Work::Ack(done) if done.pending.emission.records.is_empty() => {}
            Work::Ack(done) => self.handle_failures(done),
        }
    }

    fn handle_failures(&mut self, done: AckDone) {
        let AckDone { pending, failed, sent_at } = done;
        let Pending { mut emission, source } = pending;
        let total = emission.records.len();
        let fatal =
            failed.iter().find_map(|(_, f)| if let Failure::Fatal(e) = f { Some(e.clone()) } else { None });
        let permanent =
            failed.iter().find_map(|(_, f)| if let Failure::Permanent(e) = f { Some(e.clone()) } else { None });
        for (_, failure) in &failed {
            let class = match failure {
                Failure::Transient(_) => "transient",
                Failure::Permanent(_) => "permanent",
                Failure::Fatal(_) => "fatal",
            };
            self.metrics.produce_errors.with_label_values(&[class]).inc();
        }
        // The delivered records are counted now, whatever happens to the rest.
        let mut kept = Vec::with_capacity(failed.len());
        for (index, record) in std::mem::take(&mut emission.records).into_iter().enumerate() {
            if failed.iter().any(|(i, _)| *i == index) {
                kept.push(record);
            } else {
                self.count_produced(&record);
            }
        }
        emission.records = kept;

        if let Some(error) = fatal {
            tracing::error!(%error, "fatal producer error: stopping; unacknowledged work is replayed on restart");
            self.fatal.get_or_insert(error);
            return;
        }
        if let Some(error) = permanent {
            let is_dead_letter = emission.records.iter().any(|r| r.dead_letter_reason.is_some());
            let letter = match (&source, is_dead_letter) {
                (Some(input), false) => {
                    tracing::warn!(
                        origin = ?input.origin,
                        reason = error.reason(),
                        %error,
                        "a record of this message can never be delivered; dead-lettering the message"
                    );
                    self.dead_letter(
                        &error,
                        &input.payload,
                        input.origin.clone(),
                        input.key.clone(),
                        std::mem::take(&mut emission.covers),
                        emission.input_timestamp_ms,
                    )
                }
                _ => {
                    let reason = error.reason();
                    self.metrics
                        .undeliverable_records
                        .with_label_values(&[reason])
                        .inc_by(emission.records.len() as u64);
                    tracing::error!(
                        reason,
                        %error,
                        records = emission.records.len(),
                        topics = ?emission.records.iter().map(|r| r.topic.to_string()).collect::<Vec<_>>(),
                        "records refused for good with no input to dead-letter; skipping them"
                    );
                    None
                }
            };
            match letter {
                Some(letter) => self.resend.push_back(Pending { emission: letter, source: None }),
                None => {
                    // Nothing more can be delivered for these inputs: complete them so the partition moves on.
                    let mut tracker = self.tracker();
                    for input in &emission.covers {
                        tracker.complete(input);
                    }
                }
            }
            return;
        }
        // Transient: re-send only the failed records, after a backoff.
        self.health.set_produce_failing(true);
        self.metrics.produce_retries.inc_by(failed.len() as u64);
        let backoff = self.next_backoff();
        tracing::warn!(
            failed = failed.len(),
            total,
            backoff_ms = backoff.as_millis() as u64,
            waited_ms = sent_at.elapsed().as_millis() as u64,
            "records not acknowledged; re-sending after backoff (input stays uncommitted)"
        );
        self.work.push(Box::pin(async move {
            tokio::time::sleep(backoff).await;
            Work::Retry(Pending { emission, source })
        }));
    }

    fn count_produced(&mut self, record: &Outgoing) {
        self.summary.produced += 1;
        self.metrics.records_produced.with_label_values(&[&record.topic]).inc();
        if let Some(reason) = record.dead_letter_reason {
            self.summary.dead_letters += 1;
            self.metrics.dead_letters.with_label_values(&[reason]).inc();
            tracing::info!(reason, topic = %record.topic, "dead letter acknowledged");
        }
    }

    /// Every record of the emission is acknowledged: count it and complete its inputs.
    fn finish(&mut self, done: AckDone) {
        let AckDone { pending: Pending { emission, .. }, sent_at, .. } = done;
        for record in &emission.records {
            self.count_produced(record);
        }
        for (label, confidence) in &emission.stances {
            self.metrics.stance_labels.with_label_values(&[label.as_str()]).inc();
            self.metrics.confidence.observe(*confidence);
        }
        self.metrics.stage_seconds.with_label_values(&[stage::PRODUCE]).observe(sent_at.elapsed().as_secs_f64());
        if let Some(ts) = emission.input_timestamp_ms {
            let now_ms = chrono::Utc::now().timestamp_millis();
            self.metrics.end_to_end_seconds.observe((now_ms - ts).max(0) as f64 / 1000.0);
        }
        tracing::debug!(records = emission.records.len(), inputs = emission.covers.len(), "acknowledged");
        let mut tracker = self.tracker();
        for input in &emission.covers {
            tracker.complete(input);
        }
    }

    pub(super) fn idle(&self) -> bool {
        self.work.is_empty() && self.resend.is_empty()
    }
}

/// `failure` for record `index` and a transient "not sent" for every record after it (from `first`, the
/// first record not handed to the producer).
fn all_from(first: usize, pending: &Pending, index: usize, failure: Failure) -> Vec<(usize, Failure)> {
    let mut failed = Vec::new();
    for i in first.min(index)..pending.emission.records.len() {
        if i == index {
            failed.push((i, failure.clone()));
        } else {
            failed.push((i, Failure::Transient("not sent".into())));
        }
    }
    failed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn produce_errors_are_classified_by_whether_a_retry_can_help() {
        let class = |code| classify(&KafkaError::MessageProduction(code), 10, 5);
        assert_eq!(
            class(RDKafkaErrorCode::MessageSizeTooLarge),
            Failure::Permanent(InputError::OutputTooLarge { size: 10, limit: 5 })
        );
        for code in [
            RDKafkaErrorCode::InvalidRecord,
            RDKafkaErrorCode::TopicAuthorizationFailed,
            RDKafkaErrorCode::PolicyViolation,
        ] {
            assert!(matches!(class(code), Failure::Permanent(InputError::ProduceRejected(_))), "{code:?}");
        }
        assert!(matches!(class(RDKafkaErrorCode::Fatal), Failure::Fatal(_)));
        for code in [
            RDKafkaErrorCode::MessageTimedOut,
            RDKafkaErrorCode::AllBrokersDown,
            RDKafkaErrorCode::NotEnoughReplicas,
            RDKafkaErrorCode::NotLeaderForPartition,
            RDKafkaErrorCode::RequestTimedOut,
        ] {
            assert!(matches!(class(code), Failure::Transient(_)), "{code:?}");
        }
        assert!(matches!(classify(&KafkaError::Canceled, 1, 1), Failure::Transient(_)));
    }
}
