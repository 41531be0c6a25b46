//! The sections every service shares (Kafka client, metrics listener, delivery limits) and the models section.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tenor_pipeline::{Tier, TierConfig};

/// Kafka connection and consumer-group settings, shared by every service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KafkaConfig {
    /// `bootstrap.servers`: comma-separated `host:port` list.
    pub bootstrap_servers: String,
    /// Consumer group id; each service has its own default.
    pub group_id: String,
    /// `fetch.wait.max.ms`: how long the broker may hold a fetch; low values cut latency.
    pub fetch_wait_max_ms: u32,
    /// How often committable offsets are committed, in milliseconds (and once more at shutdown).
    pub commit_interval_ms: u64,
    /// `statistics.interval.ms`: how often consumer lag is refreshed (0 disables the lag metric).
    pub statistics_interval_ms: u64,
    /// Create the service's topics at start-up when they do not exist.
    pub create_topics: bool,
    /// Partitions of topics created at start-up.
    pub topic_partitions: i32,
    /// Replication factor of topics created at start-up.
    pub topic_replication: i32,
    /// Any librdkafka property, passed through as is (`security.protocol`, `sasl.*`, `ssl.*`,
    /// `session.timeout.ms`, ...). Applied to the consumer, producer and admin client, after Tenor's own
    /// settings, so it can override them.
    pub librdkafka: BTreeMap<String, String>,
}

impl Default for KafkaConfig {
    fn default() -> Self {
        KafkaConfig::with_group("tenor")
    }
}

impl KafkaConfig {
    pub(super) fn with_group(group_id: &str) -> KafkaConfig {
        KafkaConfig {
            bootstrap_servers: "127.0.0.1:9092".into(),
            group_id: group_id.into(),
            fetch_wait_max_ms: 20,
            commit_interval_ms: 1000,
            statistics_interval_ms: 5000,
            create_topics: true,
            topic_partitions: 3,
            topic_replication: 1,
            librdkafka: BTreeMap::new(),
        }
    }
}

/// Where `/metrics`, `/healthz` and `/readyz` are served.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// Listen address; loopback by default so metrics are not exposed by accident. Port 0 picks a free port.
    pub addr: String,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig { addr: "127.0.0.1:9464".into() }
    }
}

/// Bounds on work in progress and on what a dead letter may carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeliveryConfig {
    /// Input messages being processed or waiting for their records to be acknowledged. When reached,
    /// consumption pauses until acknowledgements free room.
    pub max_in_flight: usize,
    /// Largest original payload copied into a dead letter, in bytes (the rest is cut and
    /// `payload_truncated` is set), so that dead letters fit in a Kafka message.
    pub max_dead_letter_payload_bytes: usize,
    /// Time allowed to finish in-flight work at shutdown before exiting, in milliseconds.
    pub shutdown_timeout_ms: u64,
    /// First and largest backoff between attempts to re-send records whose delivery failed, in milliseconds.
    pub retry_backoff_ms: u64,
    pub retry_backoff_max_ms: u64,
    /// Backstop of the pipeline's own watchdog (`pipeline.max_processing_ms`, checked between sentences): a
    /// stage still running after this many milliseconds is abandoned on its worker thread and its message
    /// dead-lettered (`timeout`), so that the partition moves on even if processing hangs. 0 disables it.
    pub stage_timeout_ms: u64,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            max_in_flight: 256,
            max_dead_letter_payload_bytes: 256 * 1024,
            shutdown_timeout_ms: 7000,
            retry_backoff_ms: 100,
            retry_backoff_max_ms: 10_000,
            stage_timeout_ms: 30_000,
        }
    }
}

/// When a sentence record also goes to the review topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewConfig {
    /// Records whose stance confidence is below this also go to the review topic. Records without a stance
    /// (the stance model did not run) never do.
    pub threshold: f64,
}

impl Default for ReviewConfig {
    fn default() -> Self {
        ReviewConfig { threshold: 0.5 }
    }
}

/// What the scoring services put on sentence records besides the analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecordsConfig {
    /// Put the encoder's sentence embedding, quantised (about 600 bytes), on each claim sentence the encoder
    /// scored (`embedding`, docs/RECORDS.md), so that `tenor claims` can join paraphrases. Records of the
    /// linear tier never carry one. `--no-embeddings` sets it to false.
    pub embeddings: bool,
}

impl Default for RecordsConfig {
    fn default() -> Self {
        RecordsConfig { embeddings: true }
    }
}

/// Where the scoring services load their models from, and how they notice new ones (hot reload, see
/// `kafka::reload`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelsConfig {
    /// Directory holding `stance/model.json` and `claim/model.json`; empty means the built-in models (which
    /// cannot be reloaded).
    pub dir: String,
    /// How often the model files are checked for a change, in milliseconds (0: only SIGHUP reloads).
    pub watch_interval_ms: u64,
    /// Which tier scores: `linear`, `encoder` or `cascade` (docs/MODELS.md, "Tiers").
    pub tier: Tier,
    /// Cascade: the share of each article's sentences the encoder re-scores (0..=1).
    pub encoder_share: f64,
    /// The encoder's model directory; empty means the cache `scripts/fetch-encoder.sh` fills.
    pub encoder_dir: String,
    /// Threads for the encoder's matrix products; 0 means one per core.
    pub encoder_threads: usize,
    /// Sentences per encoder forward pass.
    pub encoder_batch: usize,
    /// How the encoder's dense layers compute: `f32` or `int8` (docs/MODELS.md, "Int8").
    pub encoder_precision: tenor_encoder::Precision,
}

impl Default for ModelsConfig {
    fn default() -> Self {
        ModelsConfig {
            dir: String::new(),
            watch_interval_ms: 2000,
            tier: Tier::default(),
            encoder_share: tenor_pipeline::DEFAULT_CASCADE_SHARE,
            encoder_dir: String::new(),
            encoder_threads: 0,
            encoder_batch: tenor_encoder::EncoderConfig::default().batch_size,
            encoder_precision: tenor_encoder::EncoderConfig::default().precision,
        }
    }
}

impl ModelsConfig {
    /// The tier's configuration for the pipeline.
    pub fn tier_config(&self) -> TierConfig {
        TierConfig { tier: self.tier, encoder_share: self.encoder_share }
    }

    /// The encoder's directory and configuration.
    pub fn encoder(
        &self,
        manifest: &tenor_encoder::Manifest,
    ) -> (std::path::PathBuf, tenor_encoder::EncoderConfig) {
        let dir = if self.encoder_dir.is_empty() {
            manifest.default_dir()
        } else {
            std::path::PathBuf::from(&self.encoder_dir)
        };
        let config = tenor_encoder::EncoderConfig {
            batch_size: self.encoder_batch.max(1),
            threads: (self.encoder_threads > 0).then_some(self.encoder_threads),
            precision: self.encoder_precision,
            ..Default::default()
        };
        (dir, config)
    }
}
