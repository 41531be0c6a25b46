//! One configuration struct per service, made of the shared sections and the service's own topics.

use serde::{Deserialize, Serialize};
use tenor_pipeline::PipelineConfig;

use super::sections::*;

/// Topic names used by `tenor serve`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServeTopics {
    pub input: String,
    pub sentences: String,
    pub articles: String,
    pub review: String,
    /// `tenor.tension/1` records within each article (when `tension.enabled`).
    pub tensions: String,
    pub dlq: String,
}

impl Default for ServeTopics {
    fn default() -> Self {
        ServeTopics {
            input: "articles".into(),
            sentences: "tenor.sentences".into(),
            articles: "tenor.articles".into(),
            review: "tenor.review".into(),
            tensions: "tenor.tensions".into(),
            dlq: "tenor.dlq".into(),
        }
    }
}

/// Tension within each article (`tenor_claims::tension`): on by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TensionSection {
    /// Publish each article's tensions to `topics.tensions`.
    pub enabled: bool,
    /// How tensions are found (thresholds, bounds per article).
    pub rules: tenor_claims::tension::TensionConfig,
}

impl Default for TensionSection {
    fn default() -> Self {
        TensionSection { enabled: true, rules: tenor_claims::tension::TensionConfig::default() }
    }
}

/// What every service's config has besides its topics and its own settings: the Kafka client, the metrics
/// listener and the delivery limits.
pub trait ServiceSettings {
    fn kafka(&self) -> &KafkaConfig;
    fn metrics(&self) -> &MetricsConfig;
    fn delivery(&self) -> &DeliveryConfig;
}

macro_rules! service_settings {
    ($($config:ty),*) => {$(
        impl ServiceSettings for $config {
            fn kafka(&self) -> &KafkaConfig {
                &self.kafka
            }
            fn metrics(&self) -> &MetricsConfig {
                &self.metrics
            }
            fn delivery(&self) -> &DeliveryConfig {
                &self.delivery
            }
        }
    )*};
}

service_settings!(ServeConfig, SegmenterConfig, ScorerConfig, AggregatorConfig, ClaimsConfig);

/// `tenor serve`: articles in, sentence records and article summaries out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServeConfig {
    pub kafka: KafkaConfig,
    pub metrics: MetricsConfig,
    pub delivery: DeliveryConfig,
    pub models: ModelsConfig,
    pub topics: ServeTopics,
    pub review: ReviewConfig,
    pub tension: TensionSection,
    pub records: RecordsConfig,
    pub pipeline: PipelineConfig,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            kafka: KafkaConfig::with_group("tenor-serve"),
            metrics: MetricsConfig::default(),
            delivery: DeliveryConfig::default(),
            models: ModelsConfig::default(),
            topics: ServeTopics::default(),
            review: ReviewConfig::default(),
            tension: TensionSection::default(),
            records: RecordsConfig::default(),
            pipeline: PipelineConfig::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SegmenterTopics {
    pub input: String,
    pub segments: String,
    pub dlq: String,
}

impl Default for SegmenterTopics {
    fn default() -> Self {
        SegmenterTopics { input: "articles".into(), segments: "tenor.segments".into(), dlq: "tenor.dlq".into() }
    }
}

/// `tenor segmenter`: articles in, one segments message per article out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SegmenterConfig {
    pub kafka: KafkaConfig,
    pub metrics: MetricsConfig,
    pub delivery: DeliveryConfig,
    pub topics: SegmenterTopics,
    pub pipeline: PipelineConfig,
}

impl Default for SegmenterConfig {
    fn default() -> Self {
        SegmenterConfig {
            kafka: KafkaConfig::with_group("tenor-segmenter"),
            metrics: MetricsConfig { addr: "127.0.0.1:9465".into() },
            delivery: DeliveryConfig::default(),
            topics: SegmenterTopics::default(),
            pipeline: PipelineConfig::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScorerTopics {
    pub segments: String,
    pub sentences: String,
    pub articles: String,
    pub review: String,
    pub tensions: String,
    pub dlq: String,
}

impl Default for ScorerTopics {
    fn default() -> Self {
        let serve = ServeTopics::default();
        ScorerTopics {
            segments: "tenor.segments".into(),
            sentences: serve.sentences,
            articles: serve.articles,
            review: serve.review,
            tensions: serve.tensions,
            dlq: serve.dlq,
        }
    }
}

/// `tenor scorer`: segments in, the same sentence records and summaries as `tenor serve` out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScorerConfig {
    pub kafka: KafkaConfig,
    pub metrics: MetricsConfig,
    pub delivery: DeliveryConfig,
    pub models: ModelsConfig,
    pub topics: ScorerTopics,
    pub review: ReviewConfig,
    pub tension: TensionSection,
    pub records: RecordsConfig,
    pub pipeline: PipelineConfig,
}

impl Default for ScorerConfig {
    fn default() -> Self {
        ScorerConfig {
            kafka: KafkaConfig::with_group("tenor-scorer"),
            metrics: MetricsConfig { addr: "127.0.0.1:9466".into() },
            delivery: DeliveryConfig::default(),
            models: ModelsConfig::default(),
            topics: ScorerTopics::default(),
            review: ReviewConfig::default(),
            tension: TensionSection::default(),
            records: RecordsConfig::default(),
            pipeline: PipelineConfig::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AggregatorTopics {
    pub sentences: String,
    /// Tension records in (counted per side's speaker and outlet); the empty string reads none.
    pub tensions: String,
    pub speakers: String,
    pub dlq: String,
}

impl Default for AggregatorTopics {
    fn default() -> Self {
        AggregatorTopics {
            sentences: "tenor.sentences".into(),
            tensions: "tenor.tensions".into(),
            speakers: "tenor.speakers".into(),
            dlq: "tenor.dlq".into(),
        }
    }
}

/// Tumbling event-time windows of the aggregator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WindowConfig {
    /// Window width in seconds; windows are aligned to the Unix epoch.
    pub width_seconds: u64,
    /// How far event time may go backwards before a record counts as late: a window is emitted once the
    /// largest event time seen passes its end by this much.
    pub allowed_lateness_seconds: u64,
    /// When no record arrives for this long (milliseconds), every open window is emitted, so that the last
    /// windows of a quiet stream are not held back forever. 0 disables it.
    pub idle_flush_ms: u64,
    /// An event time more than this many seconds after the record's reference time (its message timestamp,
    /// or the aggregator's clock if that is earlier) is clamped to the reference time, so that one bad
    /// `published_at` can neither hold a window (and its partition's commits) open nor push the watermark
    /// ahead and make every later record late. Keep it at most `allowed_lateness_seconds`.
    pub max_future_seconds: u64,
    /// An event time more than this many seconds before the reference time is clamped to the reference time.
    /// 0 (the default) accepts any past time: a past time can neither hold commits nor move the watermark, and
    /// replayed archives legitimately carry old `published_at`s.
    pub max_past_seconds: u64,
}

impl Default for WindowConfig {
    fn default() -> Self {
        WindowConfig {
            width_seconds: 3600,
            allowed_lateness_seconds: 600,
            idle_flush_ms: 5000,
            max_future_seconds: 300,
            max_past_seconds: 0,
        }
    }
}

/// `tenor aggregator`: sentence records in, per-speaker and per-source window counts out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AggregatorConfig {
    pub kafka: KafkaConfig,
    pub metrics: MetricsConfig,
    pub delivery: DeliveryConfig,
    pub topics: AggregatorTopics,
    pub window: WindowConfig,
    /// Largest sentence record accepted, in bytes.
    pub max_record_bytes: usize,
}

impl Default for AggregatorConfig {
    fn default() -> Self {
        AggregatorConfig {
            kafka: KafkaConfig::with_group("tenor-aggregator"),
            metrics: MetricsConfig { addr: "127.0.0.1:9467".into() },
            delivery: DeliveryConfig::default(),
            topics: AggregatorTopics::default(),
            window: WindowConfig::default(),
            max_record_bytes: 4 * 1024 * 1024,
        }
    }
}

/// Topic names used by `tenor claims`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClaimsTopics {
    /// Sentence records in.
    pub sentences: String,
    /// `tenor.claim/1` records out, keyed by cluster id (the latest record of a key is the cluster's state).
    pub claims: String,
    /// The claim index's changelog (compacted; keyed by cluster id): what a restart rebuilds the index from.
    pub changelog: String,
    /// `tenor.tension/1` records across articles (within a claim cluster or a story window).
    pub tensions: String,
    pub dlq: String,
}

impl Default for ClaimsTopics {
    fn default() -> Self {
        ClaimsTopics {
            sentences: "tenor.sentences".into(),
            claims: "tenor.claims".into(),
            changelog: "tenor.claims.changelog".into(),
            tensions: "tenor.tensions".into(),
            dlq: "tenor.dlq".into(),
        }
    }
}

/// `tenor claims`: sentence records in, claim clusters out (see `kafka::claims`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClaimsConfig {
    pub kafka: KafkaConfig,
    pub metrics: MetricsConfig,
    pub delivery: DeliveryConfig,
    pub topics: ClaimsTopics,
    /// How claims are clustered: window, thresholds, bounds per cluster (`tenor_claims::cluster`).
    pub cluster: tenor_claims::cluster::ClusterConfig,
    /// Tension across articles (`tenor_claims::tension::TensionTracker`).
    pub tension: TensionSection,
    /// Largest sentence record accepted, in bytes.
    pub max_record_bytes: usize,
    /// How long start-up may take to read the changelog back, in milliseconds; past it the service stops
    /// rather than run on a partial index.
    pub restore_timeout_ms: u64,
}

impl Default for ClaimsConfig {
    fn default() -> Self {
        ClaimsConfig {
            kafka: KafkaConfig::with_group("tenor-claims"),
            metrics: MetricsConfig { addr: "127.0.0.1:9468".into() },
            delivery: DeliveryConfig::default(),
            topics: ClaimsTopics::default(),
            cluster: tenor_claims::cluster::ClusterConfig::default(),
            tension: TensionSection::default(),
            max_record_bytes: 4 * 1024 * 1024,
            restore_timeout_ms: 300_000,
        }
    }
}
