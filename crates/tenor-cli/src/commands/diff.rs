//! `tenor diff RUN_A RUN_B`: what changes between two runs over the same stream (two model versions): label
//! flips with examples, confidence shift, by source and by speaker, and metric deltas against gold.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use tenor_core::{SentenceRecord, SENTENCE_SCHEMA};
use tenor_eval::diff::diff;
use tenor_eval::gold::Gold;
use tenor_runtime::file::{open_input, read_line_capped, MAX_LINE_BYTES};

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Records of run A (the current model): `tenor replay` or `tenor run` output, `.gz` too.
    pub run_a: String,
    /// Records of run B (the candidate) over the same stream.
    pub run_b: String,
    /// Gold labels (JSONL keyed by `article_id` + `sentence_index` or by `text`; see docs/REPLAY.md).
    #[arg(long)]
    pub gold: Option<PathBuf>,
    /// Write the full report (every changed sentence) as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write the Markdown report here instead of standard output.
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    /// Changed sentences shown in the Markdown report.
    #[arg(long, default_value_t = 20)]
    pub examples: usize,
}

/// The sentence records of a records file (article summaries and other lines are skipped).
pub fn read_sentence_records(path: &str) -> anyhow::Result<Vec<SentenceRecord>> {
    let mut input = open_input(path)?;
    let mut records = Vec::new();
    let mut line = Vec::new();
    let mut number = 0;
    while read_line_capped(&mut input, &mut line, MAX_LINE_BYTES)
        .with_context(|| format!("cannot read {path}"))?
        .is_some()
    {
        number += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_slice(&line).with_context(|| format!("{path}:{number} is not JSON"))?;
        if value.get("schema").and_then(|s| s.as_str()) == Some(SENTENCE_SCHEMA) {
            records.push(
                serde_json::from_value(value)
                    .with_context(|| format!("{path}:{number} is not a {SENTENCE_SCHEMA} record"))?,
            );
        }
    }
    Ok(records)
}

pub fn read_gold(path: &std::path::Path) -> anyhow::Result<Gold> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Gold::parse(&text).with_context(|| format!("bad gold file {}", path.display()))
}

pub fn run(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let a = read_sentence_records(&args.run_a)?;
    let b = read_sentence_records(&args.run_b)?;
    let gold = args.gold.as_deref().map(read_gold).transpose()?;
    let report = diff(&a, &b, gold.as_ref());
    let markdown = report.markdown(&args.run_a, &args.run_b, args.examples);
    match &args.markdown {
        Some(path) => {
            std::fs::write(path, &markdown).with_context(|| format!("cannot write {}", path.display()))?
        }
        None => print!("{markdown}"),
    }
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    eprintln!(
        "tenor: {} sentences compared, {} stance flips, {} claim flips{}",
        report.compared,
        report.stance_flips,
        report.claim_flips,
        if report.is_empty() { " (no difference)" } else { "" }
    );
    Ok(ExitCode::SUCCESS)
}
