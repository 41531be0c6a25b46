//! `tenor replay`: an archive (`tenor archive`'s format, or plain article JSONL; gzip or not) through the
//! pipeline in-process at full speed, or back onto a topic at a chosen pace. See docs/REPLAY.md.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, ValueEnum};
use tenor_pipeline::Pipeline;
use tenor_runtime::file::{run_stream, RunOptions};
use tenor_runtime::kafka::ensure_topics;
use tenor_runtime::kafka::replay::{publish, Clock, Pace, Partitioning, PublishSpec};

use super::archive::ClientArgs;
use crate::progress;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClockArg {
    /// The article's `published_at`.
    Published,
    /// The archived Kafka message timestamp.
    Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PartitioningArg {
    /// The partition each archived message came from (plain article lines: by key).
    Archived,
    /// The producer's partitioner on the message key (article id for plain article lines).
    Key,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Archive to replay: `tenor archive` output or plain article messages, one per line; `.gz` is
    /// decompressed, `-` reads standard input.
    #[arg(long, short)]
    pub input: String,
    /// In-process: where records go (see --format; `-` is standard output).
    #[arg(long, short, default_value = "-", conflicts_with = "to_topic")]
    pub output: String,
    /// In-process: where rejected messages go, as dead letters (`-` is standard error).
    #[arg(long, default_value = "-")]
    pub dead_letter: String,
    /// The `run_id` of every record. In-process: written into every record (default: `replay-` and the start
    /// time). Publishing: added to every article message (changing its bytes), so that the services' records
    /// carry it (default: messages published untouched).
    #[arg(long)]
    pub run_id: Option<String>,
    /// In-process: worker threads (default: one per core).
    #[arg(long, default_value_t = RunOptions::default().threads)]
    pub threads: usize,
    /// In-process: write a summary of the run as JSON to this file.
    #[arg(long)]
    pub stats: Option<PathBuf>,
    #[command(flatten)]
    pub models: crate::flags::ModelArgs,
    /// In-process: size limits (publishing sends every message as it is).
    #[command(flatten)]
    pub limits: crate::flags::LimitArgs,
    /// Publish to this topic instead of running the pipeline (the topic must exist).
    #[arg(long, value_name = "TOPIC")]
    pub to_topic: Option<String>,
    /// Publishing: this many messages per second (default: as fast as possible).
    #[arg(long, conflicts_with = "speed", requires = "to_topic")]
    pub rate: Option<f64>,
    /// Publishing: the original pace, sped up by this factor (1 = real time, 60 = an hour a minute).
    #[arg(long, requires = "to_topic")]
    pub speed: Option<f64>,
    /// Publishing with --speed: which time gives the original pace.
    #[arg(long, value_enum, default_value_t = ClockArg::Timestamp)]
    pub clock: ClockArg,
    /// Publishing: which partition each message goes to.
    #[arg(long, value_enum, default_value_t = PartitioningArg::Archived)]
    pub partitioning: PartitioningArg,
    /// Publishing: create the topic with this many partitions when it does not exist.
    #[arg(long, value_name = "N", requires = "to_topic")]
    pub create_partitions: Option<i32>,
    /// Publishing: keep the archived message timestamps (default: the producer stamps the current time).
    #[arg(long)]
    pub keep_timestamps: bool,
    #[command(flatten)]
    pub client: ClientArgs,
    /// In-process: the output format and colour (`--format`, `--color`); both: `--no-progress`.
    #[command(flatten)]
    pub present: crate::flags::PresentArgs,
    /// In-process only.
    #[command(flatten)]
    pub claims: crate::flags::ClaimsArgs,
}

pub fn run(args: ReplayArgs) -> anyhow::Result<ExitCode> {
    let (bar, mut input, _) = progress::open_input(Some(&args.input), args.present.progress())?;
    bar.enable_steady_tick(Duration::from_millis(200));
    if let Some(topic) = &args.to_topic {
        anyhow::ensure!(
            args.present.format == crate::flags::OutputFormat::Auto,
            "--format chooses the records output of an in-process replay; --to-topic publishes messages"
        );
        let pace = match (args.rate, args.speed) {
            (Some(rate), _) => Pace::Rate(rate),
            (None, Some(speed)) => Pace::Original {
                speed,
                clock: match args.clock {
                    ClockArg::Published => Clock::PublishedAt,
                    ClockArg::Timestamp => Clock::Timestamp,
                },
            },
            (None, None) => Pace::AsFastAsPossible,
        };
        let spec = PublishSpec {
            topic: topic.clone(),
            pace,
            partitioning: match args.partitioning {
                PartitioningArg::Archived => Partitioning::Archived,
                PartitioningArg::Key => Partitioning::ByKey,
            },
            keep_timestamps: args.keep_timestamps,
            run_id: args.run_id.clone(),
        };
        let mut kafka = args.client.kafka("tenor-replay");
        if let Some(partitions) = args.create_partitions {
            kafka.topic_partitions = partitions;
            super::service::block_on(ensure_topics(
                &kafka,
                &[topic.as_str()],
                Default::default(),
                Duration::from_secs(30),
            ))?
            .with_context(|| format!("cannot create {topic}"))?;
        }
        let stats = publish(&kafka, &spec, &mut input, |s| {
            bar.set_message(format!("{} messages sent ({:.0}/s)", s.sent, progress::per_second(s.sent, &bar)))
        })
        .with_context(|| format!("cannot replay {} to {topic}", args.input))?;
        bar.finish_and_clear();
        eprintln!(
            "tenor: published {} messages to {topic} in {:.1} s ({} input lines skipped)",
            stats.acknowledged,
            bar.elapsed().as_secs_f64(),
            stats.skipped_lines
        );
        return Ok(if stats.skipped_lines > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS });
    }

    let pipeline = Pipeline::with_models(args.limits.pipeline_config(), args.models.load()?);
    let run_id = args
        .run_id
        .clone()
        .unwrap_or_else(|| format!("replay-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ")));
    let digest = args.present.digest(&args.output);
    let stats = super::run::with_sinks(&args.output, &args.dead_letter, digest, &bar, |sinks| {
        run_stream(
            &pipeline,
            &mut input,
            &args.input,
            sinks,
            "tenor-replay",
            RunOptions {
                threads: args.threads,
                run_id: Some(run_id.as_str().into()),
                claims: args.claims.config(),
                ..RunOptions::default()
            },
            |s| bar.set_message(progress::run_message(s, &bar)),
        )
    })?;
    bar.finish_and_clear();
    tracing::info!(%run_id, "replay finished");
    super::run::report(&stats, args.stats.as_deref())
}
