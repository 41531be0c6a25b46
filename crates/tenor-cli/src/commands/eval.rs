//! `tenor eval`: measures Tenor on labelled data. `stance` and `claim` put the models beside the plain baseline
//! trained and evaluated on the same split (`tenor_train::evaluation`; only with the `train` feature, as they
//! train); `attribution`, `claims` and `replay` need no training.

#[cfg(feature = "train")]
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
#[cfg(feature = "train")]
use {
    super::train::train_with_progress,
    crate::flags::RetrainArgs,
    anyhow::Context,
    clap::ValueEnum,
    serde_json::json,
    tenor_eval::metrics::Report,
    tenor_train::data::NEWSMTSC_DEV,
    tenor_train::evaluation::{cross_validate, stance_dev, Comparison, StanceDev},
    tenor_train::ModelKind,
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
    #[cfg(feature = "train")]
    Stance(StanceEvalArgs),
    /// Claims (ClaimBuster): cross-validation of train.
    #[cfg(feature = "train")]
    Claim(ClaimEvalArgs),
    /// Tension's opposition rule on Perspectrum and IBM Claim Stance pairs, beside a majority baseline and a
    /// learned experiment (docs/CLAIMS.md, "Tension").
    #[cfg(feature = "train")]
    Tension(super::eval_tension::EvalTensionArgs),
    /// The fine-tuned target-stance model (encoder top layers) beside the frozen encoder head: NewsMTSC dev
    /// and the reference sentences (docs/MODELS.md, "Fine-tuned top layers").
    #[cfg(feature = "train")]
    FineTuned(super::eval_finetuned::EvalFineTunedArgs),
    /// Claim clusters: Perspectrum's perspective clusters (pairwise and B-cubed F1) and a reprint stream of
    /// re-edited example claims (recall), lexical only and with embeddings.
    Claims(super::eval_claims::EvalClaimsArgs),
    /// The records of a replay against gold labels: metrics, reliability diagram, confusion matrix, report.
    Replay(super::eval_replay::EvalReplayArgs),
}

#[cfg(feature = "train")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Split {
    /// NewsMTSC devtest_mt.jsonl, scored by the model in --model (default: the built-in model); the baseline
    /// is trained on train with the same procedure.
    Dev,
    /// k-fold cross-validation of train, grouped by sentence: both feature sets retrained per fold.
    Cv,
}

#[cfg(feature = "train")]
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
    /// Dev split: also score the encoder tier (the built-in head over the fetched encoder) and the cascade at
    /// encoder shares of 2, 10, 30 and 100 %, on the same rows.
    #[arg(long)]
    pub tiers: bool,
    /// The encoder's model directory (default: the cache scripts/fetch-encoder.sh fills).
    #[arg(long, value_name = "DIR")]
    pub encoder_dir: Option<PathBuf>,
    /// How the encoder's dense layers compute with --tiers: f32 or int8.
    #[arg(long, value_name = "PRECISION", default_value_t)]
    pub encoder_precision: tenor_encoder::Precision,
    #[command(flatten)]
    pub retrain: RetrainArgs,
}

#[cfg(feature = "train")]
#[derive(Debug, Args)]
pub struct ClaimEvalArgs {
    #[command(flatten)]
    pub retrain: RetrainArgs,
}

pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        #[cfg(feature = "train")]
        EvalCommand::Stance(a) => {
            let trainer = &mut train_with_progress;
            let comparison = match a.split {
                Split::Cv => cross_validate(ModelKind::Stance, &a.retrain.training, trainer)?,
                Split::Dev => stance_dev(
                    StanceDev {
                        dev: &a.dev,
                        model: a.model.as_deref(),
                        sentences: a.sentences,
                        baseline_model: a.baseline_model.as_deref(),
                    },
                    &a.retrain.training,
                    trainer,
                )?,
            };
            if a.tiers && a.split == Split::Dev {
                print_tiers(&a, &comparison)?;
            }
            print_comparison(ModelKind::Stance, a.split, comparison, a.retrain.json)
        }
        #[cfg(feature = "train")]
        EvalCommand::Claim(a) => {
            let comparison = cross_validate(ModelKind::Claim, &a.retrain.training, &mut train_with_progress)?;
            print_comparison(ModelKind::Claim, Split::Cv, comparison, a.retrain.json)
        }
        #[cfg(feature = "train")]
        EvalCommand::Tension(a) => super::eval_tension::run(a),
        #[cfg(feature = "train")]
        EvalCommand::FineTuned(a) => super::eval_finetuned::run(a),
        EvalCommand::Attribution(a) => super::eval_attribution::run(a),
        EvalCommand::Claims(a) => super::eval_claims::run(a),
        EvalCommand::Replay(a) => super::eval_replay::run(a),
    }
}

#[cfg(feature = "train")]
fn print_comparison(
    kind: ModelKind,
    split: Split,
    comparison: Comparison,
    json_path: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let Comparison { tenor, baseline, what, baseline_cv, .. } = comparison;
    if let Some((title, cv)) = baseline_cv {
        println!("{}", cv.table(&title));
    }
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
            "task": kind.task(),
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

/// The encoder tier and the cascade beside the linear model, on the dev rows of `comparison`.
#[cfg(feature = "train")]
fn print_tiers(args: &StanceEvalArgs, comparison: &Comparison) -> anyhow::Result<()> {
    let encoder = super::load_encoder(args.encoder_dir.as_deref(), args.encoder_precision)?;
    let (kind, bytes) = if args.sentences {
        (ModelKind::SentenceStance, tenor_models::shipped::ENCODER_SENTENCE_STANCE)
    } else {
        (ModelKind::Stance, tenor_models::shipped::ENCODER_STANCE)
    };
    let head = tenor_models::Head::from_bytes(bytes)?;
    let tiers = tenor_train::evaluation::tier_reports(
        kind,
        &args.dev,
        &encoder,
        &head,
        comparison,
        &[0.02, 0.1, 0.3, 1.0],
    )?;
    let what = format!("encoder tier ({}, {}) {}", head.file().name, args.encoder_precision, comparison.what);
    println!("{}", tiers.encoder.table(&what));
    println!("| tier | encoder share | macro-F1 | accuracy | ECE (15 bins) |\n|---|---|---|---|---|");
    let row = |tier: &str, share: f64, r: &Report| {
        println!("| {tier} | {:.0} % | {:.4} | {:.4} | {:.4} |", 100.0 * share, r.macro_f1, r.accuracy, r.ece)
    };
    row("linear", 0.0, &comparison.tenor);
    for (share, report) in &tiers.cascade {
        row("cascade", *share, report);
    }
    row("encoder", 1.0, &tiers.encoder);
    row("baseline", 0.0, &comparison.baseline);
    Ok(())
}
