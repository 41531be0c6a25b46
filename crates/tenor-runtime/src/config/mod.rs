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
//!
//! Code map: `sections.rs` (the shared sections and the models section), `services.rs` (each service's
//! struct, its topics, [`ServiceSettings`]), `layers.rs` (the layering itself, environment names, `--set`
//! overrides, redaction).
//!
//! Why our own layering rather than figment: every layer works on one TOML tree of the struct's *defaults*,
//! so an environment variable or `--set` naming a key that does not exist is refused with the key's name,
//! librdkafka pass-through keys (`kafka.librdkafka."security.protocol"`) keep their dots, and secrets are
//! scrubbed from every error message; with figment each of those would be a custom provider of about the
//! same size.

mod layers;
mod sections;
mod services;
#[cfg(test)]
mod tests;

pub use layers::{is_secret_key, load, load_text, parse_override, redacted, Layers};
pub use sections::*;
pub use services::*;

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
