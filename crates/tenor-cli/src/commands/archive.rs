//! `tenor archive`: a topic (from the start, an offset or a time, to now or an end time) into a
//! `tenor.archive/1` file that `tenor replay` reads. Format and end rule: docs/REPLAY.md.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use chrono::DateTime;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use tenor_runtime::config::{self, KafkaConfig};
use tenor_runtime::file::open_output;
use tenor_runtime::kafka::replay::{archive, ArchiveSpec, StartAt};

/// How to reach the broker (archive and replay are plain clients: no consumer group, no commits).
#[derive(Debug, Clone, Args)]
pub struct ClientArgs {
    /// Kafka bootstrap servers.
    #[arg(
        long,
        value_name = "HOST:PORT,...",
        env = "TENOR_KAFKA__BOOTSTRAP_SERVERS",
        default_value = "127.0.0.1:9092"
    )]
    pub brokers: String,
    /// Any librdkafka property, e.g. `--kafka-set security.protocol=SSL` (repeatable).
    #[arg(long = "kafka-set", value_name = "KEY=VALUE", value_parser = config::parse_override)]
    pub librdkafka: Vec<(String, String)>,
    /// `fetch.wait.max.ms`. Kept low: some brokers (Tansu 0.6) hold every fetch for the whole wait.
    #[arg(long, default_value_t = 10)]
    pub fetch_wait_max_ms: u32,
}

impl ClientArgs {
    pub fn kafka(&self, group_id: &str) -> KafkaConfig {
        KafkaConfig {
            bootstrap_servers: self.brokers.clone(),
            group_id: group_id.to_owned(),
            fetch_wait_max_ms: self.fetch_wait_max_ms,
            librdkafka: self.librdkafka.iter().cloned().collect(),
            ..KafkaConfig::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct ArchiveArgs {
    #[command(flatten)]
    pub client: ClientArgs,
    /// Topic to archive.
    #[arg(long)]
    pub topic: String,
    /// Archive file; `.gz` is compressed (recommended), `-` is standard output.
    #[arg(long, short)]
    pub output: String,
    /// Start at this offset in every partition (default: the earliest message).
    #[arg(long, conflicts_with = "from_time")]
    pub from_offset: Option<i64>,
    /// Start at the first message stamped at or after this time (RFC 3339).
    #[arg(long, value_name = "RFC3339")]
    pub from_time: Option<String>,
    /// Stop before the first message stamped at or after this time (RFC 3339; default: when the archive starts).
    #[arg(long, value_name = "RFC3339")]
    pub until: Option<String>,
    /// Only these partitions (comma-separated; default: all).
    #[arg(long, value_delimiter = ',')]
    pub partitions: Vec<i32>,
    /// A partition past the start-time high watermark and quiet this long (ms) is finished.
    #[arg(long, default_value_t = 1000)]
    pub settle_ms: u64,
    /// A partition quiet this long (ms) is finished even short of the watermark (which may be wrong).
    #[arg(long, default_value_t = 10_000)]
    pub max_idle_ms: u64,
    /// Write what was archived (per partition: offsets, counts, why it ended) as JSON to this file.
    #[arg(long)]
    pub summary: Option<PathBuf>,
}

fn parse_time(raw: &str) -> anyhow::Result<i64> {
    Ok(DateTime::parse_from_rfc3339(raw)
        .with_context(|| format!("{raw:?} is not an RFC 3339 time"))?
        .timestamp_millis())
}

pub fn run(args: ArchiveArgs) -> anyhow::Result<ExitCode> {
    let start = match (&args.from_offset, &args.from_time) {
        (Some(offset), _) => StartAt::Offset(*offset),
        (None, Some(time)) => StartAt::Timestamp(parse_time(time)?),
        (None, None) => StartAt::Earliest,
    };
    let spec = ArchiveSpec {
        topic: args.topic.clone(),
        partitions: args.partitions.clone(),
        start,
        end_ms: args.until.as_deref().map(parse_time).transpose()?,
        settle: Duration::from_millis(args.settle_ms),
        max_idle: Duration::from_millis(args.max_idle_ms),
    };
    let mut output = open_output(&args.output)?;
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} archiving {msg}: {pos} messages ({per_sec}), {elapsed}")
            .expect("valid template"),
    );
    bar.set_message(args.topic.clone());
    bar.enable_steady_tick(Duration::from_millis(200));
    let summary = archive(&args.client.kafka("tenor-archive"), &spec, &mut output, |n| bar.set_position(n))
        .with_context(|| format!("cannot archive {}", args.topic))?;
    drop(output);
    bar.finish_and_clear();
    eprintln!(
        "tenor: archived {} messages of {} into {} ({})",
        summary.messages,
        summary.topic,
        args.output,
        summary
            .partitions
            .iter()
            .map(|p| format!("partition {}: {} ({:?})", p.partition, p.messages, p.end))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(path) = &args.summary {
        std::fs::write(path, serde_json::to_vec_pretty(&summary)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}
