use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use tenor_pipeline::Pipeline;
use tenor_runtime::file::{open_input, open_output, run_stream, FileError, RunOptions, RunSinks, RunStats};

use super::{EXAMPLE_STREAM, EXAMPLE_STREAM_NAME};
use crate::flags::{LimitArgs, ModelArgs};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Article messages, one JSON object per line; `-` reads standard input, `.gz` is decompressed.
    /// Default: the bundled example stream.
    #[arg(long, short)]
    pub input: Option<String>,
    /// Where sentence records and article summaries go, as JSON lines; `-` is standard output.
    #[arg(long, short, default_value = "-")]
    pub output: String,
    /// Where rejected messages go, as dead-letter JSON lines; `-` is standard error.
    #[arg(long, default_value = "-")]
    pub dead_letter: String,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Worker threads (default: one per core). Output order never depends on it.
    #[arg(long, default_value_t = RunOptions::default().threads)]
    pub threads: usize,
    /// Write a summary of the run as JSON to this file.
    #[arg(long)]
    pub stats: Option<PathBuf>,
    #[command(flatten)]
    pub models: ModelArgs,
}

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let pipeline = Pipeline::with_models(args.limits.pipeline_config(), args.models.load()?);

    let (mut input, name): (Box<dyn BufRead + Send>, String) = match &args.input {
        None => (Box::new(EXAMPLE_STREAM), EXAMPLE_STREAM_NAME.to_owned()),
        Some(path) => (open_input(path)?, path.clone()),
    };
    let stats = with_sinks(&args.output, &args.dead_letter, |sinks| {
        run_stream(
            &pipeline,
            &mut input,
            &name,
            sinks,
            "tenor-run",
            RunOptions { threads: args.threads, ..RunOptions::default() },
            |_| {},
        )
    })?;
    report(&stats, args.stats.as_deref())
}

/// Opens the records output and the dead-letter output (`-`: standard output and standard error) and hands
/// them to `run`.
pub fn with_sinks<T>(
    output: &str,
    dead_letter: &str,
    run: impl FnOnce(RunSinks<'_>) -> Result<T, FileError>,
) -> anyhow::Result<T> {
    let mut output = open_output(output)?;
    let mut dead_letters: Box<dyn Write + Send> =
        if dead_letter == "-" { Box::new(std::io::stderr()) } else { open_output(dead_letter)? };
    Ok(run(RunSinks { output: &mut output, dead_letters: &mut dead_letters })?)
}

/// Logs the run's totals, writes them to `stats_file` if asked, and turns them into the exit code.
pub fn report(stats: &RunStats, stats_file: Option<&std::path::Path>) -> anyhow::Result<ExitCode> {
    tracing::info!(
        messages = stats.messages,
        articles = stats.articles,
        sentence_records = stats.sentence_records,
        dead_letters = stats.dead_letters,
        "run finished"
    );
    if let Some(path) = stats_file {
        std::fs::write(path, serde_json::to_vec_pretty(stats)?)
            .with_context(|| format!("cannot write stats to {}", path.display()))?;
    }
    if stats.dead_letters > 0 {
        eprintln!(
            "tenor: {} of {} messages rejected (see the dead-letter output)",
            stats.dead_letters, stats.messages
        );
        Ok(ExitCode::from(2))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}
