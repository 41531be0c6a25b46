//! The producing side of the engine's loop ([`super::engine`]): sends each emission's records in order,
//! collects the broker's acknowledgements, and completes the inputs an emission covers once *every* one of its
//! records is acknowledged.
//!
//! Guarantees (the engine's at-least-once and bounded-work promises rest on them):
//! - an input is completed in the [`OffsetTracker`] only when all records of its emission are acknowledged, so
//!   its offset is never committed before;
//! - records of one emission are handed to the producer in order; when the producer queue is full, `send`
//!   waits for acknowledgements instead of buffering;
//! - a record whose delivery fails after librdkafka's own retries is re-sent alone, after an exponential
//!   backoff (`delivery.retry_backoff_ms` up to `delivery.retry_backoff_max_ms`), with its input still pending;
//!   records are never dropped, and the delivered ones of the emission are counted once.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::StreamExt;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{FutureProducer, FutureRecord};

use super::engine::{Emission, EngineSettings, Outgoing, RunSummary};
use super::ProducerContext;
use crate::delivery::OffsetTracker;
use crate::metrics::{stage, Metrics};

pub(super) struct AckDone {
    emission: Emission,
    /// Indexes of records whose delivery failed.
    failed: Vec<usize>,
    sent_at: Instant,
}

pub(super) enum Work {
    Ack(AckDone),
    /// An emission waiting out its retry backoff.
    Retry(Emission),
}

/// Producing side of the loop: sends emissions, collects acknowledgements, completes inputs.
pub(super) struct Delivery {
    pub(super) producer: FutureProducer<ProducerContext>,
    pub(super) work: FuturesUnordered<BoxFuture<'static, Work>>,
    pub(super) resend: VecDeque<Emission>,
    tracker: Arc<Mutex<OffsetTracker>>,
    metrics: Arc<Metrics>,
    backoff: Duration,
    settings: EngineSettings,
    pub(super) summary: RunSummary,
}

impl Delivery {
    pub(super) fn new(
        producer: FutureProducer<ProducerContext>,
        tracker: Arc<Mutex<OffsetTracker>>,
        metrics: Arc<Metrics>,
        settings: EngineSettings,
    ) -> Delivery {
        Delivery {
            producer,
            work: FuturesUnordered::new(),
            resend: VecDeque::new(),
            tracker,
            metrics,
            backoff: Duration::from_millis(settings.delivery.retry_backoff_ms),
            settings,
            summary: RunSummary::default(),
        }
    }

    fn tracker(&self) -> std::sync::MutexGuard<'_, OffsetTracker> {
        self.tracker.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Hands every record of `emission` to the producer, in order, waiting for acknowledgements when its
    /// queue is full, and registers the acknowledgement future.
    pub(super) async fn send(&mut self, emission: Emission) {
        if emission.records.is_empty() {
            self.finish(AckDone { emission, failed: Vec::new(), sent_at: Instant::now() });
            return;
        }
        let mut deliveries = Vec::with_capacity(emission.records.len());
        for record in &emission.records {
            loop {
                let mut future_record = FutureRecord::<[u8], [u8]>::to(&record.topic).payload(&record.payload);
                if let Some(key) = &record.key {
                    future_record = future_record.key(key);
                }
                match self.producer.send_result(future_record) {
                    Ok(delivery) => {
                        deliveries.push(delivery);
                        break;
                    }
                    Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                        // The producer is saturated: wait for an acknowledgement (or a moment) to free room.
                        tracing::debug!("producer queue full, waiting for acknowledgements");
                        let next = tokio::time::timeout(Duration::from_millis(50), self.work.next()).await;
                        if let Ok(Some(work)) = next {
                            self.handle(work);
                        }
                    }
                    Err((error, _)) => {
                        self.metrics.produce_retries.inc();
                        tracing::warn!(%error, topic = %record.topic, "cannot enqueue record, retrying");
                        tokio::time::sleep(self.next_backoff()).await;
                    }
                }
            }
        }
        let sent_at = Instant::now();
        self.work.push(Box::pin(async move {
            let mut failed = Vec::new();
            for (index, delivery) in deliveries.into_iter().enumerate() {
                match delivery.await {
                    Ok(Ok(_)) => {}
                    Ok(Err((error, _))) => {
                        tracing::warn!(%error, "record delivery failed");
                        failed.push(index);
                    }
                    Err(_canceled) => failed.push(index),
                }
            }
            Work::Ack(AckDone { emission, failed, sent_at })
        }));
    }

    fn next_backoff(&mut self) -> Duration {
        let current = self.backoff;
        self.backoff = (self.backoff * 2).min(Duration::from_millis(self.settings.delivery.retry_backoff_max_ms));
        current
    }

    pub(super) fn handle(&mut self, work: Work) {
        match work {
            Work::Retry(emission) => self.resend.push_back(emission),
            Work::Ack(done) if done.failed.is_empty() => {
                self.backoff = Duration::from_millis(self.settings.delivery.retry_backoff_ms);
                self.finish(done);
            }
            Work::Ack(AckDone { mut emission, failed, sent_at }) => {
                // Re-send only the failed records; the delivered ones are counted now.
                let total = emission.records.len();
                let mut kept = Vec::with_capacity(failed.len());
                for (index, record) in std::mem::take(&mut emission.records).into_iter().enumerate() {
                    if failed.contains(&index) {
                        kept.push(record);
                    } else {
                        self.count_produced(&record);
                    }
                }
                emission.records = kept;
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
                    Work::Retry(emission)
                }));
            }
        }
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
        let AckDone { emission, sent_at, .. } = done;
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
