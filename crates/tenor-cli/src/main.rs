//! `tenor`: who claims what, and in which tone, sentence by sentence, in a stream of news articles.
//!
//! Each subcommand is a thin layer over a library crate: it parses flags, opens files, and reports. The
//! analysis itself lives in `tenor-pipeline`; sources and sinks in `tenor-runtime`.

mod commands;
mod flags;
mod logging;
mod progress;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Tenor reads news articles as they stream and says, sentence by sentence, who claims what, and in which tone.
#[derive(Debug, Parser)]
#[command(name = "tenor", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    logging: logging::LogArgs,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the pipeline over an archived stream of article messages (JSONL, .gz too).
    ///
    /// With no flags it runs on the bundled example stream (39 Wikinews articles) and prints to standard
    /// output: a readable digest when it is a terminal, the records as JSON lines when it is not (or with
    /// `--format jsonl`). Rejected messages go to the dead-letter output with their reason and origin; the
    /// exit code is 0 when every message was processed and 2 when any was rejected.
    Run(commands::run::RunArgs),
    /// Split text or article messages into sentence records, without scoring.
    Segment(commands::segment::SegmentArgs),
    /// Kafka service: articles in, sentence records and article summaries out (plus review and dead letters).
    ///
    /// Runs until SIGTERM or SIGINT, then finishes in-flight work, commits and exits. Delivery is
    /// at-least-once; see docs/KAFKA.md.
    Serve(commands::serve::ServeArgs),
    /// Kafka service, split mode: articles in, one segments message per article out (to `tenor scorer`).
    Segmenter(commands::segmenter::SegmenterArgs),
    /// Kafka service, split mode: segments in, the same records as `tenor serve` out.
    Scorer(commands::scorer::ScorerArgs),
    /// Kafka service: sentence records in, per-speaker and per-source counts over event-time windows out.
    Aggregator(commands::aggregator::AggregatorArgs),
    /// Kafka service: sentence records in, claim clusters out (the same claim across articles and outlets),
    /// its index kept in a changelog topic so that a restart changes no cluster id.
    Claims(commands::claims::ClaimsArgs),
    /// The live page: newest articles with their claims, speakers, claims spreading, tensions; from the output
    /// topics (`--brokers`) or a records file (`--records`). See README "The live page".
    Ui(commands::ui::UiArgs),
    /// Score JSONL sentences (with optional target mentions) or article messages into records.
    Classify(commands::classify::ClassifyArgs),
    /// Measure Tenor against labelled data: models beside the plain baseline, attribution on GUM.
    Eval(commands::eval::EvalArgs),
    /// Score the sentence splitter against gold sentence boundaries (GUM news/interview/speech, UD EWT).
    EvalSplit(commands::eval_split::EvalSplitArgs),
    /// Archive a Kafka topic (from the start, an offset or a time, to now or an end time) into a file.
    Archive(commands::archive::ArchiveArgs),
    /// Replay an archive through the pipeline in-process (records tagged with a run id), or onto a topic.
    Replay(commands::replay::ReplayArgs),
    /// Compare two runs over the same stream (two model versions): flips, confidence shift, by source and
    /// speaker, and metric deltas against gold.
    Diff(commands::diff::DiffArgs),
    /// Train the stance or claim model and write models/<name>/ (model.json, MODEL_CARD.md).
    ///
    /// Only in builds with the `train` feature (the default; the container image has no training).
    #[cfg(feature = "train")]
    Train(commands::train::TrainArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init(&cli.logging);
    let result = match cli.command {
        Command::Run(args) => commands::run::run(args),
        Command::Segment(args) => commands::segment::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Segmenter(args) => commands::segmenter::run(args),
        Command::Scorer(args) => commands::scorer::run(args),
        Command::Aggregator(args) => commands::aggregator::run(args),
        Command::Claims(args) => commands::claims::run(args),
        Command::Ui(args) => commands::ui::run(args),
        #[cfg(feature = "train")]
        Command::Train(args) => commands::train::run(args),
        Command::Classify(args) => commands::classify::run(args),
        Command::Eval(args) => commands::eval::run(args),
        Command::EvalSplit(args) => commands::eval_split::run(args),
        Command::Archive(args) => commands::archive::run(args),
        Command::Replay(args) => commands::replay::run(args),
        Command::Diff(args) => commands::diff::run(args),
    };
    match result {
        Ok(code) => code,
        // A closed pipe (`tenor run | head`) is the reader's choice, not a failure.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "tenor failed");
            eprintln!("tenor: error: {error:#}");
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
