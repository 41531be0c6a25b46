use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use indicatif::ProgressBar;
use tenor_digest::{Digest, DigestOptions};
use tenor_pipeline::Pipeline;
use tenor_runtime::digest::DigestWriter;
use tenor_runtime::file::{open_output, run_stream, FileError, RunOptions, RunSinks, RunStats};

use crate::flags::{ClaimsArgs, LimitArgs, ModelArgs, PresentArgs};
use crate::progress::{self, AroundProgress};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Article messages, one JSON object per line; `-` reads standard input, `.gz` is decompressed.
    /// Default: the bundled example stream.
    #[arg(long, short)]
    pub input: Option<String>,
    /// Where sentence records and article summaries go (see --format); `-` is standard output.
    #[arg(long, short, default_value = "-")]
    pub output: String,
    /// Where rejected messages go, as dead-letter JSON lines; `-` is standard error.
    #[arg(long, default_value = "-")]
    pub dead_letter: String,
    #[command(flatten)]
    pub present: PresentArgs,
    #[command(flatten)]
    pub claims: ClaimsArgs,
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
    let (bar, mut input, name) = progress::open_input(args.input.as_deref(), args.present.progress())?;
    bar.enable_steady_tick(Duration::from_millis(200));
    let digest = args.present.digest(&args.output);
    let stats = with_sinks(&args.output, &args.dead_letter, digest, &bar, |sinks| {
        run_stream(
            &pipeline,
            &mut input,
            &name,
            sinks,
            "tenor-run",
            RunOptions { threads: args.threads, claims: args.claims.config(), ..RunOptions::default() },
            |s| bar.set_message(progress::run_message(s, &bar)),
        )
    })?;
    bar.finish_and_clear();
    report(&stats, args.stats.as_deref())
}

/// Opens the records output and the dead-letter output (`-`: standard output and standard error) and hands
/// them to `run`. With `digest`, the records output gets the digest instead of JSON lines, and its summary
/// at the end. Writes to the terminal the progress `bar` is drawn on clear it first.
pub fn with_sinks(
    output: &str,
    dead_letter: &str,
    digest: Option<DigestOptions>,
    bar: &ProgressBar,
    run: impl FnOnce(RunSinks<'_>) -> Result<RunStats, FileError>,
) -> anyhow::Result<RunStats> {
    let around = |inner: Box<dyn Write + Send>| -> Box<dyn Write + Send> {
        Box::new(AroundProgress { bar: bar.clone(), inner })
    };
    let progress_shown = !bar.is_hidden();
    let mut output = if output == "-" && progress_shown && std::io::stdout().is_terminal() {
        around(Box::new(std::io::stdout()))
    } else {
        open_output(output)?
    };
    let mut dead_letters: Box<dyn Write + Send> = match dead_letter {
        "-" if progress_shown => around(Box::new(std::io::stderr())),
        "-" => Box::new(std::io::stderr()),
        path => open_output(path)?,
    };
    let Some(options) = digest else {
        return Ok(run(RunSinks { output: &mut output, dead_letters: &mut dead_letters })?);
    };
    let mut printer = DigestWriter::new(Digest::new(options), output);
    let stats = run(RunSinks { output: &mut printer, dead_letters: &mut dead_letters })?;
    printer.finish(stats.dead_letters).context("cannot write the digest")?;
    Ok(stats)
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
