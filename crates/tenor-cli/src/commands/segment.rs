use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use clap::{Args, ValueEnum};
use tenor_core::{ArticleMessage, Origin};
use tenor_pipeline::{Pipeline, PipelineConfig};
use tenor_runtime::file::{for_each_line, open_input, open_output, write_json_line, RunStats};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// Guess: article JSONL when the input starts with `{`, plain text otherwise.
    Auto,
    /// The whole input is one text; its records use the file name as `article_id`.
    Text,
    /// One article message per line.
    Articles,
}

#[derive(Debug, Args)]
pub struct SegmentArgs {
    /// Input file (`-` is standard input, `.gz` is decompressed).
    #[arg(long, short, default_value = "-")]
    pub input: String,
    /// Output file for sentence records (`-` is standard output).
    #[arg(long, short, default_value = "-")]
    pub output: String,
    /// What the input holds.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub format: InputFormat,
    /// Where rejected article messages go (`-` is standard error).
    #[arg(long, default_value = "-")]
    pub dead_letter: String,
}

pub fn run(args: SegmentArgs) -> anyhow::Result<ExitCode> {
    let pipeline = Pipeline::new(PipelineConfig::default());
    let mut input = open_input(&args.input)?;
    let mut output = open_output(&args.output)?;
    let format = match args.format {
        InputFormat::Auto => {
            let head = input.fill_buf().context("cannot read input")?;
            match head.iter().find(|b| !b.is_ascii_whitespace()) {
                Some(b'{') => InputFormat::Articles,
                _ => InputFormat::Text,
            }
        }
        other => other,
    };
    let mut stats = RunStats::default();
    if format == InputFormat::Text {
        let mut body = String::new();
        input.read_to_string(&mut body).context("input is not UTF-8 text")?;
        let article = ArticleMessage {
            id: args.input.clone(),
            body,
            title: None,
            source: None,
            url: None,
            published_at: None,
            lang: None,
            run_id: None,
        };
        let origin = Origin::File { file: args.input.clone(), line: 1 };
        for record in pipeline.segment(&article, &origin, Utc::now())? {
            write_json_line(&mut output, &record)?;
            stats.sentence_records += 1;
        }
        stats.messages = 1;
        stats.articles = 1;
    } else {
        let mut dead_letters: Box<dyn Write + Send> =
            if args.dead_letter == "-" { Box::new(std::io::stderr()) } else { open_output(&args.dead_letter)? };
        let (file, service) = (args.input.clone(), "tenor-segment");
        for_each_line(
            &mut input,
            &file,
            &mut output,
            &mut dead_letters,
            service,
            &mut stats,
            |line, origin, stats| {
                let records = ArticleMessage::decode(line, &pipeline.config().limits)
                    .and_then(|article| pipeline.segment(&article, &origin, Utc::now()))?;
                stats.articles += 1;
                stats.sentence_records += records.len() as u64;
                Ok(records)
            },
        )?;
    }
    output.flush()?;
    super::run::report(&stats, None)
}
