//! Model evaluation that needs training: Tenor's features beside the plain baseline, both trained by the same
//! procedure (`tenor eval stance` and `tenor eval claim`).
//!
//! Guarantees: the baseline is always trained on the same rows and options as the model it is compared with;
//! dev rows are never trained on. Training itself is handed in as a [`Trainer`], so the caller decides how
//! progress is shown.

use std::path::Path;

use tenor_eval::metrics::{evaluate, Report};
use tenor_features::TargetRange;
use tenor_models::{Scorer, Task};

use crate::data::{prepare, sentence_stance_examples, stance_examples, FeatureSet, ModelKind, TrainingOptions};
use crate::fit::{Example, TrainConfig, Trained};
use crate::Error;

/// Trains one configuration (e.g. [`crate::train`] behind a progress bar).
pub type Trainer<'a> = &'a mut dyn FnMut(&TrainConfig, &[Example]) -> Result<Trained, Error>;

/// Tenor's figures beside the baseline's, on the data `what` describes.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub tenor: Report,
    pub baseline: Report,
    pub what: String,
    /// The baseline's own cross-validation when it was trained for a dev comparison: title and report.
    pub baseline_cv: Option<(String, Report)>,
    /// Dev comparisons: the gold labels and the linear model's probabilities, row by row (for the tiers).
    pub rows: Option<(Vec<usize>, Vec<Vec<f64>>)>,
}

/// The encoder tier and the cascade on the same dev rows as a [`Comparison`].
#[derive(Debug, Clone, PartialEq)]
pub struct TierReports {
    pub encoder: Report,
    /// The cascade at each share: the linear model's probabilities, with the least certain `share` of the
    /// rows re-scored by the encoder head.
    pub cascade: Vec<(f64, Report)>,
}

/// Scores the dev rows of `kind` with an encoder head, and the cascade at each of `shares`, beside the linear
/// probabilities of `comparison` (same rows, same order).
pub fn tier_reports(
    kind: ModelKind,
    dev: &Path,
    encoder: &tenor_encoder::Encoder,
    head: &tenor_models::Head,
    comparison: &Comparison,
    shares: &[f64],
) -> Result<TierReports, Error> {
    let rows = match kind {
        ModelKind::SentenceStance => sentence_stance_examples(dev)?,
        _ => stance_examples(dev)?,
    };
    let (gold, linear) = comparison
        .rows
        .as_ref()
        .ok_or_else(|| Error::Invalid("the comparison has no dev rows to put the tiers beside".into()))?;
    let vectors = crate::encoded::vector_examples(encoder, &rows, &mut |_, _| {})
        .map_err(|source| Error::Train { name: head.file().name.clone(), source })?;
    let probs: Vec<Vec<f64>> = vectors.iter().map(|v| head.probabilities(&v.x)).collect();
    let labels = Task::Stance.labels();
    let confidence = |p: &[f64]| p.iter().copied().fold(0.0, f64::max);
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| confidence(&linear[a]).total_cmp(&confidence(&linear[b])).then(a.cmp(&b)));
    let cascade = shares
        .iter()
        .map(|&share| {
            let take = (share * rows.len() as f64).ceil() as usize;
            let mut mixed = linear.clone();
            for &i in order.iter().take(take) {
                mixed[i] = probs[i].clone();
            }
            (share, evaluate(labels, gold, &mixed))
        })
        .collect();
    Ok(TierReports { encoder: evaluate(labels, gold, &probs), cascade })
}

/// k-fold cross-validation of train (grouped by sentence), both feature sets retrained per fold.
pub fn cross_validate(kind: ModelKind, options: &TrainingOptions, trainer: Trainer) -> Result<Comparison, Error> {
    let mut reports = Vec::new();
    let mut what = String::new();
    for features in [FeatureSet::Tenor, FeatureSet::Baseline] {
        let (config, examples) = prepare(kind, features, "cv", "cv", options)?;
        let trained = trainer(&config, &examples)?;
        reports.push(evaluate(config.task.labels(), &trained.cv.gold, &trained.cv.probs));
        what = format!("{}-fold cross-validation of {} ({} examples)", config.folds, config.data, examples.len());
    }
    let baseline = reports.pop().expect("two reports");
    Ok(Comparison { tenor: reports.pop().expect("two reports"), baseline, what, baseline_cv: None, rows: None })
}

/// What `tenor eval stance --split dev` scores.
#[derive(Debug, Clone, Copy)]
pub struct StanceDev<'a> {
    /// Labelled dev file (NewsMTSC JSONL).
    pub dev: &'a Path,
    /// Model file to evaluate (default: the built-in model of the row kind).
    pub model: Option<&'a Path>,
    /// Sentence rows (no mention) instead of target rows.
    pub sentences: bool,
    /// A baseline model file instead of training the baseline here.
    pub baseline_model: Option<&'a Path>,
}

fn load_stance(path: &Path) -> Result<Scorer, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.display().to_string(), source })?;
    Scorer::from_bytes_for(&bytes, Task::Stance)
        .map_err(|source| Error::Model { what: path.display().to_string(), source })
}

/// The dev file scored by Tenor's stance model and by the baseline trained on train.
pub fn stance_dev(args: StanceDev, options: &TrainingOptions, trainer: Trainer) -> Result<Comparison, Error> {
    let built_in = |bytes: &[u8]| {
        Scorer::from_bytes_for(bytes, Task::Stance)
            .map_err(|source| Error::Model { what: "the built-in model".into(), source })
    };
    let tenor = match args.model {
        Some(path) => load_stance(path)?,
        None if args.sentences => built_in(tenor_models::shipped::SENTENCE_STANCE)?,
        None => built_in(tenor_models::shipped::STANCE)?,
    };
    let kind = if args.sentences { ModelKind::SentenceStance } else { ModelKind::Stance };
    let (config, examples) = prepare(kind, FeatureSet::Baseline, "baseline", "dev", options)?;
    let mut baseline_cv = None;
    let baseline = match args.baseline_model {
        Some(path) => load_stance(path)?,
        None => {
            let trained = trainer(&config, &examples)?;
            // The baseline's own cross-validation comes for free with its training: report it too.
            let cv = evaluate(Task::Stance.labels(), &trained.cv.gold, &trained.cv.probs);
            let title = format!(
                "baseline {}-fold cross-validation of {} (alpha {})",
                config.folds, config.data, trained.model.training.alpha
            );
            baseline_cv = Some((title, cv));
            Scorer::from_bytes(&trained.model.to_bytes())
                .map_err(|source| Error::Model { what: "the trained baseline".into(), source })?
        }
    };
    let dev = if args.sentences { sentence_stance_examples(args.dev)? } else { stance_examples(args.dev)? };
    let gold: Vec<usize> = dev.iter().map(|e| e.label).collect();
    let score_all = |scorer: &Scorer| -> Result<Vec<Vec<f64>>, Error> {
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
    let tenor_probs = score_all(&tenor)?;
    Ok(Comparison {
        tenor: evaluate(labels, &gold, &tenor_probs),
        baseline: evaluate(labels, &gold, &score_all(&baseline)?),
        what: format!(
            "{} ({} {rows}); tenor model {}; baseline {}",
            args.dev.display(),
            dev.len(),
            tenor.model_ref().name,
            match args.baseline_model {
                Some(path) => path.display().to_string(),
                None => format!("trained on {}", config.data),
            }
        ),
        baseline_cv,
        rows: Some((gold, tenor_probs)),
    })
}
