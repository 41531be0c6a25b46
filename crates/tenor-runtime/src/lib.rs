//! Tenor's runtime: wires the pure [`tenor_pipeline::Pipeline`] to the world.
//!
//! - [`archive`]: the `tenor.archive/1` format of archived Kafka messages (`tenor archive`, `tenor replay`);
//! - [`file`]: archived streams (JSONL, gzip or not, or standard input) in, JSONL records out;
//! - [`digest`]: a records output that prints `tenor_digest`'s readable digest instead (a person at a terminal);
//! - [`kafka`]: the Kafka services (`serve`, `segmenter`, `scorer`, `aggregator`) on one engine that
//!   delivers at least once, dead-letters bad input and never blocks a partition;
//! - [`delivery`]: the offset bookkeeping behind at-least-once delivery;
//! - [`config`]: layered service configuration (defaults < TOML < `TENOR_*` < flags) with secret redaction;
//! - [`metrics`] and [`http`]: Prometheus metrics and the `/metrics`, `/healthz`, `/readyz` endpoints;
//! - [`ui`]: `tenor ui`, the live page (`tenor_view`'s model fed from a records file or the output topics).
//!
//! Errors here are either the input's fault (a message is dead-lettered, processing goes on) or the world's
//! (a file cannot be opened, a broker is unreachable: the command fails or retries with backoff).

pub mod archive;
pub mod config;
pub mod delivery;
pub mod digest;
pub mod file;
pub mod http;
pub mod kafka;
pub mod metrics;
pub mod ui;
