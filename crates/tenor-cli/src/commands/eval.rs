//! `tenor eval`: measures Tenor's models on labelled corpora, always beside the plain baseline featurizer
//! trained and evaluated on the same split.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;
use tenor_eval::metrics::{evaluate, Report};
use tenor_features::TargetRange;
use tenor_models::{Scorer, Task};

use super::train::{
    prepare, sentence_stance_examples, stance_examples, train_with_progress, Features, ModelKind, TrainingArgs,
    NEWSMTSC_DEV,
};

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(subcommand)]
    pub command: EvalCommand,
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Speaker and cue precision / recall / F1 on GUM's attribution units (train and dev documents).
    Attribution(super::eval_attribution::EvalAttributionArgs),
    /// Stance (NewsMTSC): on the dev file with the trained model, or by cross-validation of train.
    Stance(StanceEvalArgs),
    /// Claims (ClaimBuster): cross-validation of train.
    Claim(ClaimEvalArgs),
    /// The records of a replay against gold labels: metrics, reliability diagram, confusion matrix, report.
    Replay(super::eval_replay::EvalReplayArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Split {
    /// NewsMTSC devtest_mt.jsonl, scored by the model in --model (default: the built-in model); the baseline
    /// is trained on train with the same procedure.
    Dev,
    /// k-fold cross-validation of train, grouped by sentence: both feature sets retrained per fold.
    Cv,
}

#[derive(Debug, Args)]
pub struct StanceEvalArgs {
    #[arg(long, value_enum, default_value_t = Split::Dev)]
    pub split: Split,
    /// Labelled dev file (NewsMTSC JSONL).
    #[arg(long, default_value = NEWSMTSC_DEV)]
    pub dev: PathBuf,
    /// Model file to evaluate on dev (default: the built-in per-target stance model, or with --sentences the
    /// built-in sentence stance model).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Sentence-level stance: one row per dev sentence whose targets agree, scored without a mention; the
    /// baseline is trained on train's sentence rows (as `tenor train sentence-stance --features baseline`).
    #[arg(long)]
    pub sentences: bool,
    /// A baseline model file written by `tenor train ... --features baseline` with the same training
    /// arguments, instead of training the baseline inside this command (its cross-validation is then not
    /// printed).
    #[arg(long)]
    pub baseline_model: Option<PathBuf>,
    /// Also write the reports as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    #[command(flatten)]
    pub training: TrainingArgs,
}

#[derive(Debug, Args)]
pub struct ClaimEvalArgs {
    /// Also write the reports as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    #[command(flatten)]
    pub training: TrainingArgs,
}

pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let (task, split, reports, json_path) = match args.command {
        EvalCommand::Stance(a) => {
            let reports = match a.split {
                Split::Cv => cross_validate(ModelKind::Stance, &a.training)?,
                Split::Dev => stance_dev(&a)?,
            };
            (Task::Stance, a.split, reports, a.json)
        }
        EvalCommand::Claim(a) => (Task::Claim, Split::Cv, cross_validate(ModelKind::Claim, &a.training)?, a.json),
        EvalCommand::Attribution(a) => return super::eval_attribution::run(a),
        EvalCommand::Replay(a) => return super::eval_replay::run(a),
    };
    let (tenor, baseline, what) = reports;
    println!("{}", tenor.table(&format!("tenor   {what}")));
    println!("{}", baseline.table(&format!("baseline {what}")));
    let positive = |r: &Report| r.per_class.last().map_or(0.0, |c| c.f1);
    println!(
        "delta (tenor - baseline): macro-F1 {:+.2} points, positive-class F1 {:+.2} points, ECE {:+.4}",
        100.0 * (tenor.macro_f1 - baseline.macro_f1),
        100.0 * (positive(&tenor) - positive(&baseline)),
        tenor.ece - baseline.ece
    );
    if let Some(path) = json_path {
        let value = json!({
            "task": task,
            "split": format!("{split:?}").to_lowercase(),
            "data": what,
            "tenor": tenor,
            "baseline": baseline,
            "delta_macro_f1": tenor.macro_f1 - baseline.macro_f1,
            "delta_positive_f1": positive(&tenor) - positive(&baseline),
        });
        std::fs::write(&path, serde_json::to_vec_pretty(&value)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

type Reports = (Report, Report, String);

fn cross_validate(kind: ModelKind, training: &TrainingArgs) -> anyhow::Result<Reports> {
    let mut reports = Vec::new();
    let mut what = String::new();
    for features in [Features::Tenor, Features::Baseline] {
        let (config, examples) = prepare(kind, features, "cv", "cv", training)?;
        let trained = train_with_progress(&config, &examples)?;
        reports.push(evaluate(config.task.labels(), &trained.cv.gold, &trained.cv.probs));
        what = format!("{}-fold cross-validation of {} ({} examples)", config.folds, config.data, examples.len());
    }
    let baseline = reports.pop().expect("two reports");
    Ok((reports.pop().expect("two reports"), baseline, what))
}

fn stance_dev(args: &StanceEvalArgs) -> anyhow::Result<Reports> {
    let load = |path: &PathBuf| -> anyhow::Result<Scorer> {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        Scorer::from_bytes_for(&bytes, Task::Stance).with_context(|| format!("cannot load {}", path.display()))
    };
    let tenor = match &args.model {
        Some(path) => load(path)?,
        None if args.sentences => Scorer::from_bytes_for(tenor_models::shipped::SENTENCE_STANCE, Task::Stance)?,
        None => Scorer::from_bytes_for(tenor_models::shipped::STANCE, Task::Stance)?,
    };
    let kind = if args.sentences { ModelKind::SentenceStance } else { ModelKind::Stance };
    let (config, examples) = prepare(kind, Features::Baseline, "baseline", "dev", &args.training)?;
    let baseline = match &args.baseline_model {
        Some(path) => load(path)?,
        None => {
            let trained = train_with_progress(&config, &examples)?;
            // The baseline's own cross-validation comes for free with its training: show it too.
            let cv = evaluate(Task::Stance.labels(), &trained.cv.gold, &trained.cv.probs);
            println!(
                "{}",
                cv.table(&format!(
                    "baseline {}-fold cross-validation of {} (alpha {})",
                    config.folds, config.data, trained.model.training.alpha
                ))
            );
            Scorer::from_bytes(&trained.model.to_bytes())?
        }
    };
    let dev = if args.sentences { sentence_stance_examples(&args.dev)? } else { stance_examples(&args.dev)? };
    let gold: Vec<usize> = dev.iter().map(|e| e.label).collect();
    let score_all = |scorer: &Scorer| -> anyhow::Result<Vec<Vec<f64>>> {
        dev.iter()
            .map(|e| {
                let target =
                    e.target.map(|(from, to)| TargetRange::from_code_points(&e.text, from, to)).transpose()?;
                Ok(scorer.score(&e.text, target.as_ref())?.probs)
            })
            .collect()
    };
    let labels = Task::Stance.labels();
    let rows = if args.sentences { "sentences, no mention" } else { "targets" };
    Ok((
        evaluate(labels, &gold, &score_all(&tenor)?),
        evaluate(labels, &gold, &score_all(&baseline)?),
        format!(
            "{} ({} {rows}); tenor model {}; baseline {}",
            args.dev.display(),
            dev.len(),
            tenor.model_ref().name,
            match &args.baseline_model {
                Some(path) => path.display().to_string(),
                None => format!("trained on {}", config.data),
            }
        ),
    ))
}
