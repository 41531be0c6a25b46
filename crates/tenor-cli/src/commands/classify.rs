//! `tenor classify`: scores JSONL input — single sentences (with optional target mentions) or article
//! messages — into sentence records (and article summaries for articles).

use std::io::Write;
use std::process::ExitCode;

use chrono::Utc;
use clap::Args;
use tenor_pipeline::{Pipeline, PipelineConfig, SentenceLine};
use tenor_runtime::file::{for_each_line, open_input, open_output, RunStats};

use crate::flags::ModelArgs;

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// JSONL input (`-` is standard input, `.gz` is decompressed): sentences
    /// `{"id","text","targets":[{"mention","from","to"}]}` or article messages `{"id","body",...}`.
    #[arg(long, short, default_value = "-")]
    pub input: String,
    /// Records out, as JSON lines (`-` is standard output).
    #[arg(long, short, default_value = "-")]
    pub output: String,
    /// Where rejected lines go, as dead letters (`-` is standard error).
    #[arg(long, default_value = "-")]
    pub dead_letter: String,
    #[command(flatten)]
    pub models: ModelArgs,
}

pub fn run(args: ClassifyArgs) -> anyhow::Result<ExitCode> {
    let pipeline = Pipeline::with_models(PipelineConfig::default(), args.models.load()?);
    let models = pipeline.models().expect("built with models");
    let mut input = open_input(&args.input)?;
    let mut output = open_output(&args.output)?;
    let mut dead_letters: Box<dyn Write + Send> =
        if args.dead_letter == "-" { Box::new(std::io::stderr()) } else { open_output(&args.dead_letter)? };
    let mut stats = RunStats::default();
    for_each_line(
        &mut input,
        &args.input,
        &mut output,
        &mut dead_letters,
        "tenor-classify",
        &mut stats,
        |line, origin, stats| {
            let is_article =
                serde_json::from_slice::<serde_json::Value>(line).ok().is_some_and(|v| v.get("body").is_some());
            if is_article {
                pipeline.process_message(line, origin).map(|done| {
                    let mut records: Vec<serde_json::Value> = done
                        .sentences
                        .iter()
                        .map(|r| serde_json::to_value(r).expect("record serialises"))
                        .collect();
                    records.push(serde_json::to_value(&done.article).expect("record serialises"));
                    stats.articles += 1;
                    stats.sentence_records += done.sentences.len() as u64;
                    records
                })
            } else {
                SentenceLine::decode(line).and_then(|l| l.score(models, origin, Utc::now())).map(|r| {
                    stats.sentence_records += 1;
                    vec![serde_json::to_value(&r).expect("record serialises")]
                })
            }
        },
    )?;
    output.flush()?;
    super::run::report(&stats, None)
}
