//! Tenor's Kafka services: the consume → process → produce → commit engine ([`engine`], with its producing
//! side in `produce.rs`), the stages it runs ([`stages`]: serve, segmenter, scorer; [`aggregate`]: the
//! windowed aggregator) and the client set-up shared by all of them (this module).
//!
//! Delivery is at-least-once: see [`engine`] for how offsets are committed, and docs/KAFKA.md for what it
//! guarantees and why there is no exactly-once mode.

pub mod aggregate;
pub mod claims;
pub mod engine;
#[cfg(test)]
mod fault_tests;
mod produce;
pub mod reload;
pub mod replay;
pub mod service;
pub mod stages;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::ClientContext;
use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::{KafkaError, KafkaResult, RDKafkaErrorCode};
use rdkafka::statistics::Statistics;
use rdkafka::{Offset, TopicPartitionList};

use crate::config::{ConfigError, KafkaConfig};
use crate::delivery::{OffsetTracker, TopicPartition};
use crate::http::{Health, HttpError};
use crate::metrics::Metrics;

/// Errors that stop a service. All are the world's fault (broker, network, configuration), never an input
/// message's: a bad message is dead-lettered instead (see [`tenor_core::InputError`]).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("Kafka client error while {during}: {source}")]
    Kafka { during: &'static str, source: KafkaError },
    #[error("cannot create topic {topic}: {detail}")]
    CreateTopic { topic: String, detail: String },
    #[error(transparent)]
    Http(#[from] HttpError),
    /// The idempotent producer hit a fatal error and cannot produce any more: acknowledged work was
    /// committed, the rest is replayed when the service restarts.
    /// A stateful service could not read its state back at start-up; it does not run on a partial state.
    #[error("cannot restore state: {0}")]
    Restore(String),
    #[error("the producer hit a fatal error ({0}); stopped so that a restart replays unacknowledged work")]
    ProducerFatal(String),
}

impl ServiceError {
    pub(crate) fn kafka(during: &'static str) -> impl FnOnce(KafkaError) -> ServiceError {
        move |source| ServiceError::Kafka { during, source }
    }
}

/// An input record's payload as text, refused (the input's fault) when it is over `limit` bytes or not UTF-8.
pub(crate) fn record_text<'a>(
    payload: &'a [u8],
    what: &'static str,
    limit: usize,
) -> Result<&'a str, tenor_core::InputError> {
    if payload.len() > limit {
        return Err(tenor_core::InputError::Oversize { what, size: payload.len(), limit });
    }
    std::str::from_utf8(payload).map_err(|e| tenor_core::InputError::InvalidUtf8 { valid_up_to: e.valid_up_to() })
}

/// Client settings common to the consumer, producer and admin client: Tenor's, then the pass-through map.
fn base_client_config(kafka: &KafkaConfig) -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", &kafka.bootstrap_servers);
    config.set_log_level(RDKafkaLogLevel::Warning);
    config
}

fn apply_pass_through(config: &mut ClientConfig, kafka: &KafkaConfig) {
    for (key, value) in &kafka.librdkafka {
        config.set(key, value);
    }
}

/// Consumer settings: manual commits of offsets Tenor tracks itself, a short broker fetch wait and a bounded
/// prefetch queue (so a paused service does not buffer without limit).
pub fn consumer_config(kafka: &KafkaConfig) -> ClientConfig {
    let mut config = base_client_config(kafka);
    config
        .set("group.id", &kafka.group_id)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("fetch.wait.max.ms", kafka.fetch_wait_max_ms.to_string())
        .set("queued.max.messages.kbytes", "8192")
        .set("statistics.interval.ms", kafka.statistics_interval_ms.to_string());
    apply_pass_through(&mut config, kafka);
    config
}

/// The producer's `message.max.bytes` unless the pass-through map sets another: librdkafka's default, set
/// deliberately. It is below the broker's default limit (1 048 588 bytes), so a record the producer accepts is
/// not refused by a default broker; a record over it can never be sent and dead-letters its input
/// (`output_too_large`). Inputs may be larger (`pipeline.max_message_bytes`, 2 MiB by default): what must fit
/// is each *output* record (a sentence record, the summary, split mode's segments message which embeds the
/// article, a dead letter, whose payload is cut to fit).
pub const MESSAGE_MAX_BYTES: usize = 1_000_000;

/// The largest record the producer built from `kafka` accepts: its `message.max.bytes`.
pub fn max_record_bytes(kafka: &KafkaConfig) -> usize {
    kafka.librdkafka.get("message.max.bytes").and_then(|v| v.trim().parse().ok()).unwrap_or(MESSAGE_MAX_BYTES)
}

/// Producer settings: idempotent (no duplicates or reordering from the client's own retries; implies
/// `acks=all`), a short linger for latency, bounded buffers, and an explicit record size limit
/// ([`MESSAGE_MAX_BYTES`]).
pub fn producer_config(kafka: &KafkaConfig) -> ClientConfig {
    let mut config = base_client_config(kafka);
    config
        .set("message.max.bytes", MESSAGE_MAX_BYTES.to_string())
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", "2")
        .set("queue.buffering.max.messages", "100000")
        .set("queue.buffering.max.kbytes", "16384");
    apply_pass_through(&mut config, kafka);
    config
}

/// Routes librdkafka's own logs through `tracing`.
#[derive(Debug, Clone, Default)]
pub struct ProducerContext;

impl ClientContext for ProducerContext {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, message: &str) {
        log_librdkafka(level, fac, message);
    }

    /// Lag comes from the consumer's statistics; the producer's (if enabled by pass-through) are ignored.
    fn stats(&self, _statistics: Statistics) {}

    fn error(&self, error: KafkaError, reason: &str) {
        tracing::warn!(%error, reason, "Kafka client error (librdkafka retries on its own)");
    }
}

fn log_librdkafka(level: RDKafkaLogLevel, fac: &str, message: &str) {
    match level {
        RDKafkaLogLevel::Emerg | RDKafkaLogLevel::Alert | RDKafkaLogLevel::Critical | RDKafkaLogLevel::Error => {
            tracing::error!(target: "librdkafka", facility = fac, "{message}")
        }
        RDKafkaLogLevel::Warning => tracing::warn!(target: "librdkafka", facility = fac, "{message}"),
        RDKafkaLogLevel::Notice | RDKafkaLogLevel::Info => {
            tracing::info!(target: "librdkafka", facility = fac, "{message}")
        }
        RDKafkaLogLevel::Debug => tracing::debug!(target: "librdkafka", facility = fac, "{message}"),
    }
}

/// The consumer's view of the world: it commits what is committable before partitions are taken away,
/// keeps readiness and the lag metric up to date, and counts commit results.
#[derive(Debug)]
pub struct TenorConsumerContext {
    pub(crate) tracker: Arc<Mutex<OffsetTracker>>,
    pub(crate) health: Arc<Health>,
    pub(crate) metrics: Arc<Metrics>,
}

impl TenorConsumerContext {
    fn tracker(&self) -> std::sync::MutexGuard<'_, OffsetTracker> {
        self.tracker.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl ClientContext for TenorConsumerContext {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, message: &str) {
        log_librdkafka(level, fac, message);
    }

    fn stats(&self, statistics: Statistics) {
        for (topic, stats) in &statistics.topics {
            for (partition, p) in &stats.partitions {
                if *partition >= 0 && p.consumer_lag >= 0 {
                    self.metrics
                        .consumer_lag
                        .with_label_values(&[topic.as_str(), &partition.to_string()])
                        .set(p.consumer_lag);
                }
            }
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        tracing::warn!(%error, reason, "Kafka client error (librdkafka retries on its own)");
    }
}

impl ConsumerContext for TenorConsumerContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(list) = rebalance {
            let revoked: Vec<TopicPartition> =
                list.elements().iter().map(|e| TopicPartition::new(e.topic(), e.partition())).collect();
            let commits: Vec<(TopicPartition, i64)> =
                self.tracker().to_commit().into_iter().filter(|(tp, _)| revoked.contains(tp)).collect();
            if !commits.is_empty() {
                match consumer.commit(&to_list(&commits), CommitMode::Sync) {
                    Ok(()) => {
                        self.metrics.commits.with_label_values(&["ok"]).inc();
                        tracing::info!(partitions = commits.len(), "committed offsets of revoked partitions")
                    }
                    Err(error) => {
                        self.metrics.commits.with_label_values(&["error"]).inc();
                        tracing::warn!(%error, "cannot commit offsets of revoked partitions")
                    }
                }
            }
            let mut tracker = self.tracker();
            for tp in &revoked {
                tracing::info!(topic = %tp.topic, partition = tp.partition, "partition revoked");
                self.metrics.rebalances.with_label_values(&["revoked"]).inc();
                tracker.revoke(tp);
                self.metrics.consumer_lag.remove_label_values(&[&tp.topic, &tp.partition.to_string()]).ok();
            }
            self.health.set_partitions_assigned(false);
        }
    }

    fn post_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(list) => {
                let mut tracker = self.tracker();
                for e in list.elements() {
                    tracing::info!(topic = e.topic(), partition = e.partition(), "partition assigned");
                    self.metrics.rebalances.with_label_values(&["assigned"]).inc();
                    tracker.assign(TopicPartition::new(e.topic(), e.partition()));
                }
                // librdkafka keeps a partition's pause across a revoke and a new assignment. The engine pauses
                // its partitions while its output is full and resumes them when it drains; a revoke in between
                // (a session lost while the broker was down) left the partitions assigned again paused with
                // the engine thinking them resumed: a wedge. A newly assigned partition starts resumed; the
                // engine pauses it again on its first message if its output is still full.
                if list.count() > 0 {
                    if let Err(error) = consumer.resume(list) {
                        tracing::warn!(%error, "cannot resume newly assigned partitions");
                    }
                }
                self.health.set_partitions_assigned(list.count() > 0);
            }
            Rebalance::Revoke(_) => {}
            Rebalance::Error(error) => tracing::warn!(%error, "rebalance error"),
        }
    }

    /// Commits are synchronous and counted by the engine; this only reports failures of commits made
    /// elsewhere (librdkafka's own, at close).
    fn commit_callback(&self, result: KafkaResult<()>, offsets: &TopicPartitionList) {
        if let Err(error) = result {
            tracing::debug!(%error, partitions = offsets.count(), "commit callback reported an error");
        }
    }
}

pub(crate) fn to_list(commits: &[(TopicPartition, i64)]) -> TopicPartitionList {
    let mut list = TopicPartitionList::new();
    for (tp, offset) in commits {
        list.add_partition_offset(&tp.topic, tp.partition, Offset::Offset(*offset))
            .expect("a plain offset is always valid");
    }
    list
}

/// `min.insync.replicas` for a topic Tenor creates with `replication` replicas: a majority of the replicas when
/// there are three or more (with `acks=all`, an acknowledged record is then on a majority, and losing a minority
/// of brokers neither loses it nor stops producing), else 1 (with two replicas, requiring both would stop every
/// produce while either broker is down; with one there is no choice). docs/RELIABILITY.md says what this means.
pub fn min_insync_replicas(replication: i32) -> i32 {
    if replication >= 3 {
        replication / 2 + 1
    } else {
        1
    }
}

/// How some topics are created differently from the rest.
#[derive(Debug, Clone, Copy, Default)]
pub struct TopicShapes<'a> {
    /// Keyed state (the latest record of a key is all that matters): `cleanup.policy=compact`.
    pub compacted: &'a [&'a str],
    /// One partition, whatever `kafka.topic_partitions` says: a log whose entries must stay in one order (a
    /// changelog whose restore trusts "everything before an acknowledged entry is there").
    pub single_partition: &'a [&'a str],
}

/// The topics to create: `kafka.topic_partitions` partitions (one for `shapes.single_partition`),
/// `kafka.topic_replication` replicas and `min.insync.replicas` set to `min_insync` (see
/// [`min_insync_replicas`]), each name once; `shapes.compacted` with `cleanup.policy=compact`.
fn new_topics<'a>(
    kafka: &KafkaConfig,
    topics: &[&'a str],
    shapes: TopicShapes<'_>,
    min_insync: &'a str,
) -> Vec<NewTopic<'a>> {
    let mut unique: Vec<&str> = topics.to_vec();
    unique.sort_unstable();
    unique.dedup();
    unique
        .into_iter()
        .map(|t| {
            let partitions = if shapes.single_partition.contains(&t) { 1 } else { kafka.topic_partitions };
            let topic = NewTopic::new(t, partitions, TopicReplication::Fixed(kafka.topic_replication))
                .set("min.insync.replicas", min_insync);
            if shapes.compacted.contains(&t) {
                topic.set("cleanup.policy", "compact")
            } else {
                topic
            }
        })
        .collect()
}

/// Creates `topics` when missing (an existing topic is fine, and keeps its settings). Retries while the broker
/// is unreachable, up to `deadline`, because services are often started together with their broker.
pub async fn ensure_topics(
    kafka: &KafkaConfig,
    topics: &[&str],
    shapes: TopicShapes<'_>,
    deadline: Duration,
) -> Result<(), ServiceError> {
    let mut config = base_client_config(kafka);
    apply_pass_through(&mut config, kafka);
    let admin: AdminClient<ProducerContext> =
        config.create_with_context(ProducerContext).map_err(ServiceError::kafka("creating the admin client"))?;
    let min_insync = min_insync_replicas(kafka.topic_replication).to_string();
    let new_topics = new_topics(kafka, topics, shapes, &min_insync);
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    let started = std::time::Instant::now();
    let mut backoff = Duration::from_millis(200);
    loop {
        match admin.create_topics(&new_topics, &options).await {
            Ok(results) => {
                let mut retry = false;
                for result in results {
                    match result {
                        Ok(topic) => tracing::info!(
                            partitions = new_topics
                                .iter()
                                .find(|t| t.name == topic)
                                .map_or(kafka.topic_partitions, |t| t.num_partitions),
                            %topic,
                            replication = kafka.topic_replication,
                            min_insync_replicas = %min_insync,
                            "topic created"
                        ),
                        Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                        Err((topic, code)) if started.elapsed() < deadline => {
                            tracing::warn!(%topic, %code, "cannot create topic yet, retrying");
                            retry = true;
                        }
                        Err((topic, code)) => {
                            return Err(ServiceError::CreateTopic { topic, detail: code.to_string() })
                        }
                    }
                }
                if !retry {
                    return Ok(());
                }
            }
            Err(error) if started.elapsed() < deadline => {
                tracing::warn!(%error, "cannot reach the broker to create topics, retrying");
            }
            Err(source) => return Err(ServiceError::Kafka { during: "creating topics", source }),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_topics_require_a_majority_of_three_or_more_replicas_in_sync() {
        let by_replication: Vec<i32> = (1..=5).map(min_insync_replicas).collect();
        assert_eq!(by_replication, [1, 1, 2, 3, 3]);
        let kafka = KafkaConfig { topic_partitions: 6, topic_replication: 3, ..KafkaConfig::default() };
        let min_insync = min_insync_replicas(kafka.topic_replication).to_string();
        let shapes = TopicShapes { compacted: &["b"], single_partition: &["c"] };
        let topics = new_topics(&kafka, &["b", "a", "b", "c"], shapes, &min_insync);
        assert_eq!(topics.iter().map(|t| t.name).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(topics.iter().map(|t| t.num_partitions).collect::<Vec<_>>(), [6, 6, 1]);
        for topic in &topics {
            assert!(matches!(topic.replication, TopicReplication::Fixed(3)));
        }
        assert_eq!(topics[0].config, [("min.insync.replicas", "2")]);
        assert_eq!(topics[1].config, [("min.insync.replicas", "2"), ("cleanup.policy", "compact")]);
    }
}
