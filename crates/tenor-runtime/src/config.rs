//! Service configuration, layered: defaults < TOML file (`--config`) < `TENOR_*` environment < flags.
//!
//! Each service has one serde struct ([`ServeConfig`], [`SegmenterConfig`], [`ScorerConfig`],
//! [`AggregatorConfig`]) made of shared sections ([`KafkaConfig`], [`MetricsConfig`], [`DeliveryConfig`]) and
//! its own topics. Layering works on the TOML tree of the struct's defaults, so every key that exists in a file
//! can also be set from the environment and from `--set`:
//!
//! - file: the same tree, e.g. `[kafka] bootstrap_servers = "broker:9092"`;
//! - environment: `TENOR_` + the key path joined by `__`, upper case: `TENOR_KAFKA__BOOTSTRAP_SERVERS`,
//!   `TENOR_REVIEW__THRESHOLD`. librdkafka pass-through keys use `.` → `_`:
//!   `TENOR_KAFKA__LIBRDKAFKA__SECURITY_PROTOCOL=SASL_SSL` sets `kafka.librdkafka."security.protocol"`;
//! - flags: `--set kafka.group_id=g` (and the named shortcuts each command offers).
//!
//! Secrets (any key whose name contains `password`, `secret`, `jaas`, `token`, `credential` or is a private
//! key) are replaced by `***` in [`redacted`], the only form in which a configuration is ever logged.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tenor_pipeline::{PipelineConfig, Tier, TierConfig};
use toml::Value;

/// A configuration that cannot be loaded. This is the operator's fault: the service does not start.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}")]
    Read { path: String, source: std::io::Error },
    /// The position and the parser's message only: TOML's own report quotes the offending line, which may
    /// hold a secret.
    #[error("config file {path} is not valid TOML: line {line}, column {column}: {message}")]
    Parse { path: String, line: usize, column: usize, message: String },
    #[error("invalid value for `{key}` (from {origin}): {detail}")]
    Value { key: String, origin: String, detail: String },
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

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
    fn with_group(group_id: &str) -> KafkaConfig {
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
            ..Default::default()
        };
        (dir, config)
    }
}

/// Topic names used by `tenor serve`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServeTopics {
    pub input: String,
    pub sentences: String,
    pub articles: String,
    pub review: String,
    pub dlq: String,
}

impl Default for ServeTopics {
    fn default() -> Self {
        ServeTopics {
            input: "articles".into(),
            sentences: "tenor.sentences".into(),
            articles: "tenor.articles".into(),
            review: "tenor.review".into(),
            dlq: "tenor.dlq".into(),
        }
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

service_settings!(ServeConfig, SegmenterConfig, ScorerConfig, AggregatorConfig);

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
            pipeline: PipelineConfig::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AggregatorTopics {
    pub sentences: String,
    pub speakers: String,
    pub dlq: String,
}

impl Default for AggregatorTopics {
    fn default() -> Self {
        AggregatorTopics {
            sentences: "tenor.sentences".into(),
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

/// Where the layers of a configuration come from.
#[derive(Debug, Clone, Default)]
pub struct Layers {
    /// TOML file given with `--config`.
    pub file: Option<String>,
    /// Environment variables (normally `std::env::vars()`); only `TENOR_*` ones are read.
    pub env: Vec<(String, String)>,
    /// `key.path=value` overrides from flags, applied last, in order.
    pub overrides: Vec<(String, String)>,
}

impl Layers {
    /// The file, the process environment and the given flag overrides.
    pub fn from_process(file: Option<String>, overrides: Vec<(String, String)>) -> Layers {
        Layers { file, env: std::env::vars().collect(), overrides }
    }
}

/// Loads a configuration: defaults, then the file, then `TENOR_*` variables, then flag overrides.
pub fn load<T: Serialize + DeserializeOwned + Default>(layers: &Layers) -> Result<T, ConfigError> {
    let file = match &layers.file {
        None => None,
        Some(path) => Some((
            path.as_str(),
            std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.clone(), source })?,
        )),
    };
    load_text(file.as_ref().map(|(path, text)| (*path, text.as_str())), &layers.env, &layers.overrides)
}

/// [`load`] with the file already read: `file` is `(path, TOML text)`, the path only names it in errors.
/// Separate from [`load`] so that the parsing of configuration text can be tested and fuzzed without files.
pub fn load_text<T: Serialize + DeserializeOwned + Default>(
    file: Option<(&str, &str)>,
    env: &[(String, String)],
    overrides: &[(String, String)],
) -> Result<T, ConfigError> {
    let mut tree = Value::try_from(T::default()).map_err(|e| ConfigError::Invalid(e.to_string()))?;
    if let Some((path, text)) = file {
        let file: Value = toml::from_str(text).map_err(|error| {
            let at = error.span().map_or(0, |span| span.start).min(text.len());
            let before = &text[..at];
            ConfigError::Parse {
                path: path.to_owned(),
                line: before.matches('\n').count() + 1,
                column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
                message: error.message().to_owned(),
            }
        })?;
        merge(&mut tree, file);
    }
    apply_env(&mut tree, env)?;
    for (key, raw) in overrides {
        set_path(&mut tree, key, raw, "a flag")?;
    }
    let secrets = secret_values(&tree);
    T::deserialize(tree).map_err(|e| ConfigError::Invalid(scrub(&e.to_string(), &secrets)))
}

/// Every value stored under a secret key, to be scrubbed from error messages that might quote it.
fn secret_values(tree: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(value: &Value, under_secret: bool, out: &mut Vec<String>) {
        match value {
            Value::Table(table) => table.iter().for_each(|(k, v)| walk(v, under_secret || is_secret_key(k), out)),
            Value::Array(items) => items.iter().for_each(|v| walk(v, under_secret, out)),
            other if under_secret => {
                let text = match other {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                if !text.is_empty() {
                    out.push(text);
                }
            }
            _ => {}
        }
    }
    walk(tree, false, &mut out);
    out
}

fn scrub(message: &str, secrets: &[String]) -> String {
    secrets.iter().fold(message.to_owned(), |m, secret| m.replace(secret.as_str(), "***"))
}

/// Parses `key.path=value` (the form of `--set`).
pub fn parse_override(text: &str) -> Result<(String, String), String> {
    // Errors never quote the value: it may be a secret.
    let (key, value) = text.split_once('=').ok_or_else(|| "expected KEY=VALUE, found no `=`".to_owned())?;
    if key.trim().is_empty() {
        return Err("expected KEY=VALUE, found an empty key".to_owned());
    }
    Ok((key.trim().to_owned(), value.to_owned()))
}

/// The configuration as TOML with every secret value replaced by `***`: the only form that may be logged.
pub fn redacted<T: Serialize>(config: &T) -> String {
    let mut tree = Value::try_from(config).unwrap_or(Value::Table(Default::default()));
    redact(&mut tree);
    toml::to_string(&tree).unwrap_or_default()
}

/// True for keys whose values must never be logged.
pub fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["password", "secret", "jaas", "token", "credential", "ssl.key.pem", "private"].iter().any(|s| key.contains(s))
}

fn redact(value: &mut Value) {
    match value {
        Value::Table(table) => {
            for (key, v) in table.iter_mut() {
                if is_secret_key(key) && !v.is_table() {
                    *v = Value::String("***".into());
                } else {
                    redact(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Table(base), Value::Table(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(existing) if existing.is_table() && value.is_table() => merge(existing, value),
                    _ => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, over) => *base = over,
    }
}

const ENV_PREFIX: &str = "TENOR_";
/// Maps with free-form keys, whose entries come from `TENOR_<PATH>__<KEY>` with `_` standing for `.`.
const PASS_THROUGH_MAPS: &[&str] = &["kafka.librdkafka"];

fn apply_env(tree: &mut Value, env: &[(String, String)]) -> Result<(), ConfigError> {
    let mut leaves = Vec::new();
    collect_leaves(tree, &mut Vec::new(), &mut leaves);
    for path in leaves {
        let name = env_name(&path);
        if let Some((_, raw)) = env.iter().find(|(k, _)| *k == name) {
            set_path(tree, &path, raw, &format!("${name}"))?;
        }
    }
    for map in PASS_THROUGH_MAPS {
        let prefix = format!("{}__", env_name(map));
        for (name, raw) in env {
            if let Some(rest) = name.strip_prefix(&prefix) {
                let key = rest.to_ascii_lowercase().replace('_', ".");
                set_path(tree, &format!("{map}.\"{key}\""), raw, &format!("${name}"))?;
            }
        }
    }
    Ok(())
}

fn env_name(path: &str) -> String {
    format!("{ENV_PREFIX}{}", path.replace('.', "__").to_ascii_uppercase())
}

/// Dotted paths of every non-table value (pass-through maps excluded: their keys are free-form).
fn collect_leaves(value: &Value, prefix: &mut Vec<String>, out: &mut Vec<String>) {
    if let Value::Table(table) = value {
        for (key, v) in table {
            prefix.push(key.clone());
            let path = prefix.join(".");
            if v.is_table() {
                if !PASS_THROUGH_MAPS.contains(&path.as_str()) {
                    collect_leaves(v, prefix, out);
                }
            } else {
                out.push(path);
            }
            prefix.pop();
        }
    }
}

/// Splits `a.b."c.d"` into `["a", "b", "c.d"]`.
fn split_path(path: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"').unwrap_or(quoted.len());
            parts.push(quoted[..end].to_owned());
            rest = quoted.get(end + 1..).unwrap_or("").trim_start_matches('.');
        } else {
            let end = rest.find('.').unwrap_or(rest.len());
            parts.push(rest[..end].to_owned());
            rest = rest.get(end + 1..).unwrap_or("");
        }
    }
    parts
}

/// Sets `path` to `raw`, parsed according to the type of the value already there. Inside a pass-through
/// map, the rest of the path is one key (`kafka.librdkafka.security.protocol` works unquoted).
fn set_path(tree: &mut Value, path: &str, raw: &str, origin: &str) -> Result<(), ConfigError> {
    let mut parts = split_path(path);
    for map in PASS_THROUGH_MAPS {
        let depth = map.split('.').count();
        if parts.len() > depth + 1 && parts[..depth].join(".") == *map {
            let key = parts[depth..].join(".");
            parts.truncate(depth);
            parts.push(key);
        }
    }
    let err = |detail: String| ConfigError::Value { key: path.to_owned(), origin: origin.to_owned(), detail };
    // The value as errors may show it: never a secret's.
    let shown = if is_secret_key(path) { "the value".to_owned() } else { format!("{raw:?}") };
    let (last, parents) = parts.split_last().ok_or_else(|| err("empty key".into()))?;
    let mut node = tree;
    for (i, part) in parents.iter().enumerate() {
        let table =
            node.as_table_mut().ok_or_else(|| err(format!("`{}` is not a section", parents[..i].join("."))))?;
        node = table.get_mut(part).ok_or_else(|| err(format!("unknown key `{}`", parents[..=i].join("."))))?;
    }
    let parent_path = parents.join(".");
    let table = node.as_table_mut().ok_or_else(|| err(format!("`{parent_path}` is not a section")))?;
    let value = match table.get(last) {
        Some(Value::String(_)) => Value::String(raw.to_owned()),
        Some(Value::Integer(_)) => {
            Value::Integer(raw.trim().parse().map_err(|e| err(format!("{shown} is not an integer ({e})")))?)
        }
        Some(Value::Float(_)) => {
            Value::Float(raw.trim().parse().map_err(|e| err(format!("{shown} is not a number ({e})")))?)
        }
        Some(Value::Boolean(_)) => {
            Value::Boolean(raw.trim().parse().map_err(|e| err(format!("{shown} is not true or false ({e})")))?)
        }
        Some(Value::Table(_)) => return Err(err("is a section, not a value".into())),
        Some(_) => {
            let wrapped: toml::Table = toml::from_str(&format!("v = {raw}"))
                .map_err(|e| err(format!("{shown} is not a TOML value ({})", e.message())))?;
            wrapped["v"].clone()
        }
        None if PASS_THROUGH_MAPS.contains(&parent_path.as_str()) => Value::String(raw.to_owned()),
        None => return Err(err(format!("unknown key `{path}`"))),
    };
    table.insert(last.clone(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn layers_apply_in_order_file_env_flags() {
        let dir = std::env::temp_dir().join(format!("tenor-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("serve.toml");
        std::fs::write(
            &file,
            "[kafka]\nbootstrap_servers = \"file:1\"\ngroup_id = \"from-file\"\n[kafka.librdkafka]\n\"security.protocol\" = \"SSL\"\n[review]\nthreshold = 0.7\n",
        )
        .unwrap();
        let layers = Layers {
            file: Some(file.display().to_string()),
            env: env(&[
                ("TENOR_KAFKA__GROUP_ID", "from-env"),
                ("TENOR_DELIVERY__MAX_IN_FLIGHT", "7"),
                ("TENOR_KAFKA__LIBRDKAFKA__SASL_MECHANISMS", "PLAIN"),
                ("TENOR_LOG", "debug"),
                ("OTHER", "x"),
            ]),
            overrides: vec![
                ("topics.input".into(), "news".into()),
                ("kafka.librdkafka.linger.ms".into(), "2".into()),
            ],
        };
        let config: ServeConfig = load(&layers).unwrap();
        assert_eq!(config.kafka.bootstrap_servers, "file:1");
        assert_eq!(config.kafka.group_id, "from-env");
        assert_eq!(config.delivery.max_in_flight, 7);
        assert_eq!(config.review.threshold, 0.7);
        assert_eq!(config.topics.input, "news");
        assert_eq!(config.topics.sentences, "tenor.sentences");
        assert_eq!(config.kafka.librdkafka["security.protocol"], "SSL");
        assert_eq!(config.kafka.librdkafka["sasl.mechanisms"], "PLAIN");
        assert_eq!(config.kafka.librdkafka["linger.ms"], "2");
        assert_eq!(config.pipeline, PipelineConfig::default());
    }

    #[test]
    fn bad_values_and_unknown_keys_are_named() {
        let layers = Layers { env: env(&[("TENOR_DELIVERY__MAX_IN_FLIGHT", "many")]), ..Layers::default() };
        let err = load::<ServeConfig>(&layers).unwrap_err().to_string();
        assert!(err.contains("delivery.max_in_flight") && err.contains("TENOR_DELIVERY__MAX_IN_FLIGHT"), "{err}");
        let layers = Layers { overrides: vec![("kafka.nope".into(), "1".into())], ..Layers::default() };
        assert!(load::<ServeConfig>(&layers).unwrap_err().to_string().contains("unknown key"));
    }

    #[test]
    fn unknown_keys_in_files_are_rejected() {
        let dir = std::env::temp_dir().join(format!("tenor-config-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("bad.toml");
        std::fs::write(&file, "[kafka]\nbootstrap_server = \"typo:1\"\n").unwrap();
        let layers = Layers { file: Some(file.display().to_string()), ..Layers::default() };
        let err = load::<ServeConfig>(&layers).unwrap_err().to_string();
        assert!(err.contains("bootstrap_server"), "{err}");
    }

    #[test]
    fn secrets_are_redacted() {
        let mut config = ServeConfig::default();
        config.kafka.librdkafka.insert("sasl.password".into(), "hunter2".into());
        config.kafka.librdkafka.insert("sasl.jaas.config".into(), "user pass".into());
        config.kafka.librdkafka.insert("ssl.key.pem".into(), "-----BEGIN".into());
        config.kafka.librdkafka.insert("sasl.username".into(), "alice".into());
        let text = redacted(&config);
        assert!(!text.contains("hunter2") && !text.contains("user pass") && !text.contains("BEGIN"), "{text}");
        assert!(text.contains("alice"), "{text}");
    }

    #[test]
    fn configuration_errors_never_quote_a_secret() {
        const SECRET: &str = "hunter2-in-an-error";
        let dir = tempfile::tempdir().unwrap();
        let load_file = |text: &str| {
            let path = dir.path().join("tenor.toml");
            std::fs::write(&path, text).unwrap();
            let layers = Layers { file: Some(path.display().to_string()), env: Vec::new(), overrides: Vec::new() };
            load::<ServeConfig>(&layers).unwrap_err().to_string()
        };
        // A TOML syntax error on the secret's own line: the position is reported, the line is not quoted.
        let unterminated = load_file(&format!("[kafka.librdkafka]\n\"sasl.password\" = \"{SECRET}\n"));
        assert!(unterminated.contains("line 2"), "{unterminated}");
        // A secret of the wrong type in a typed map.
        let wrong_type = load_file(&format!("[kafka.librdkafka]\n\"sasl.password\" = [\"{SECRET}\"]\n"));
        let flag = parse_override(&format!("={SECRET}")).unwrap_err();
        // A secret given to a key that does not exist (a typo of the pass-through map).
        let env = Layers {
            file: None,
            env: vec![("TENOR_KAFKA__SASL_PASSWORD".into(), SECRET.into())],
            overrides: vec![("kafka.sasl.password".into(), SECRET.into())],
        };
        let layered = load::<ServeConfig>(&env).unwrap_err().to_string();
        for message in [&unterminated, &wrong_type, &flag, &layered] {
            assert!(!message.contains(SECRET), "{message}");
        }
    }

    #[test]
    fn metrics_listen_on_loopback_unless_configured() {
        let addrs = [
            ServeConfig::default().metrics.addr,
            SegmenterConfig::default().metrics.addr,
            ScorerConfig::default().metrics.addr,
            AggregatorConfig::default().metrics.addr,
        ];
        for addr in addrs {
            let parsed: std::net::SocketAddr = addr.parse().unwrap();
            assert!(parsed.ip().is_loopback(), "{addr}");
        }
    }

    #[test]
    fn every_component_config_round_trips_through_toml() {
        fn check<T: Serialize + DeserializeOwned + Default + PartialEq + std::fmt::Debug>() {
            let text = toml::to_string(&T::default()).unwrap();
            assert_eq!(toml::from_str::<T>(&text).unwrap(), T::default(), "{text}");
        }
        check::<ServeConfig>();
        check::<SegmenterConfig>();
        check::<ScorerConfig>();
        check::<AggregatorConfig>();
    }
}
