//! `tenor eval replay`: the records of a replay against gold labels: stance and claim accuracy, macro-F1,
//! per-class P/R/F1, confusion matrix, ECE and Brier (tenor-eval's metrics), speaker attribution F1, a
//! reliability diagram and a confusion matrix per task (SVG), and a Markdown report.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use tenor_eval::charts::{confusion_svg, reliability_svg};
use tenor_eval::gold::evaluate_against_gold;
use tenor_eval::metrics::Report;

use super::diff::{read_gold, read_sentence_records};

#[derive(Debug, Args)]
pub struct EvalReplayArgs {
    /// Records of the run (`tenor replay` or `tenor run` output; `.gz` too).
    #[arg(long)]
    pub records: String,
    /// Gold labels: JSONL keyed by `article_id` + `sentence_index` or by `text` (docs/REPLAY.md).
    #[arg(long)]
    pub gold: PathBuf,
    /// Where report.md, report.json and the SVG charts are written.
    #[arg(long, default_value = "eval-replay")]
    pub out_dir: PathBuf,
}

fn task_section(md: &mut String, out_dir: &std::path::Path, task: &str, report: &Report) -> anyhow::Result<()> {
    let write = |name: String, svg: String| -> anyhow::Result<String> {
        let path = out_dir.join(&name);
        std::fs::write(&path, svg).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(name)
    };
    let reliability = write(format!("{task}_reliability.svg"), reliability_svg(report, task)?)?;
    let confusion = write(format!("{task}_confusion.svg"), confusion_svg(report, task)?)?;
    let _ = writeln!(
        md,
        "## {task}\n\naccuracy **{:.4}**, macro-F1 **{:.4}**, ECE(15) {:.4}, Brier {:.4}, n = {}\n",
        report.accuracy, report.macro_f1, report.ece, report.brier, report.n
    );
    md.push_str("| class | precision | recall | F1 | support |\n|---|---:|---:|---:|---:|\n");
    for c in &report.per_class {
        let _ =
            writeln!(md, "| {} | {:.4} | {:.4} | {:.4} | {} |", c.label, c.precision, c.recall, c.f1, c.support);
    }
    let _ = writeln!(
        md,
        "\nConfusion (rows gold, columns predicted):\n\n| gold \\ predicted | {} |",
        report.labels.join(" | ")
    );
    let _ = writeln!(md, "|---|{}", "---:|".repeat(report.labels.len()));
    for (label, row) in report.labels.iter().zip(&report.confusion) {
        let cells: Vec<String> = row.iter().map(usize::to_string).collect();
        let _ = writeln!(md, "| {label} | {} |", cells.join(" | "));
    }
    let _ = writeln!(md, "\n![{task} reliability]({reliability}) ![{task} confusion]({confusion})\n");
    println!("{}", report.table(task));
    Ok(())
}

pub fn run(args: EvalReplayArgs) -> anyhow::Result<ExitCode> {
    let records = read_sentence_records(&args.records)?;
    let gold = read_gold(&args.gold)?;
    let evaluation = evaluate_against_gold(&records, &gold);
    std::fs::create_dir_all(&args.out_dir).with_context(|| format!("cannot create {}", args.out_dir.display()))?;

    let mut run_ids: Vec<&str> = records.iter().filter_map(|r| r.run_id.as_deref()).collect();
    run_ids.dedup();
    let mut models: Vec<String> = records
        .iter()
        .flat_map(|r| {
            r.model
                .iter()
                .map(|(role, m)| format!("{role} {} ({})", m.version, &m.sha256[..m.sha256.len().min(12)]))
        })
        .collect();
    models.sort();
    models.dedup();
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Evaluation of `{}` against `{}`\n\n- run id: {}\n- models: {}\n- gold lines: {}, matched by a record: {}\n",
        args.records,
        args.gold.display(),
        if run_ids.is_empty() { "(none)".to_owned() } else { run_ids.join(", ") },
        if models.is_empty() { "(none)".to_owned() } else { models.join(", ") },
        evaluation.gold_lines,
        evaluation.matched
    );
    if let Some(report) = &evaluation.stance {
        task_section(&mut md, &args.out_dir, "stance", report)?;
    }
    if let Some(report) = &evaluation.claim {
        task_section(&mut md, &args.out_dir, "claim", report)?;
    }
    if let Some(a) = &evaluation.attribution {
        let _ = writeln!(
            md,
            "## attribution (speaker)\n\nprecision **{:.4}**, recall **{:.4}**, F1 **{:.4}** over {} gold sentences (TP {}, FP {}, FN {})\n",
            a.precision, a.recall, a.f1, a.sentences, a.true_positives, a.false_positives, a.false_negatives
        );
        println!(
            "attribution (speaker): precision {:.4} recall {:.4} F1 {:.4} (n = {})",
            a.precision, a.recall, a.f1, a.sentences
        );
    }
    if evaluation.stance.is_none() && evaluation.claim.is_none() && evaluation.attribution.is_none() {
        md.push_str("No gold line matched a record with a label to compare: nothing to score.\n");
        eprintln!("tenor: no gold line matched a record of {}", args.records);
    }
    let md_path = args.out_dir.join("report.md");
    std::fs::write(&md_path, md).with_context(|| format!("cannot write {}", md_path.display()))?;
    let json_path = args.out_dir.join("report.json");
    std::fs::write(&json_path, serde_json::to_vec_pretty(&evaluation)?)
        .with_context(|| format!("cannot write {}", json_path.display()))?;
    eprintln!("tenor: report in {}", md_path.display());
    Ok(ExitCode::SUCCESS)
}
