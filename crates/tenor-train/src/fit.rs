//! The fit: featurize, pick hashed columns, choose L2 strength by grouped k-fold cross-validation with
//! linfa's multinomial logistic regression, calibrate on the held-out folds, fit on everything.
//!
//! Deterministic by construction: folds come from a fixed hash of each example's group, linfa's L-BFGS starts
//! from zeros, ndarray's matrix products are single-threaded, and the file is written in a fixed key order. The
//! same data and configuration therefore give the same model file, byte for byte.

use linfa::prelude::*;
use linfa_logistic::MultiLogisticRegression;
use ndarray::{Array1, Array2};
use tenor_features::{hash::Fnv1a, FeatureBuffer, FeatureConfig, FeatureError, Featurizer, TargetRange};
use thiserror::Error;

use tenor_models::{softmax, BucketWeights, Calibration, ModelFile, Task, TrainingInfo, MODEL_FORMAT};

/// One labelled training example.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub text: String,
    /// Code-point offsets `[from, to)` of the target mention in `text`.
    pub target: Option<(usize, usize)>,
    /// Class index in [`Task::labels`] order.
    pub label: usize,
    /// Examples of one group (e.g. the targets of one sentence) always land in the same fold.
    pub group: String,
}

/// Everything that decides the trained model.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    pub name: String,
    pub version: String,
    pub task: Task,
    pub features: FeatureConfig,
    /// L2 strengths tried by cross-validation (linfa's `alpha`, on the summed loss).
    pub alphas: Vec<f64>,
    pub folds: usize,
    pub max_iterations: u64,
    pub min_df: usize,
    pub max_columns: usize,
    /// Training data, as repository paths, for the record.
    pub data: String,
}

#[derive(Debug, Error)]
pub enum TrainError {
    #[error("training example {index} cannot be featurized: {source}")]
    Example { index: usize, source: FeatureError },
    #[error("training example {index} has label {label}, but the task has {classes} classes")]
    Label { index: usize, label: usize, classes: usize },
    #[error("need at least {needed} examples of every class and {folds} folds with data, got {detail}")]
    TooFew { needed: usize, folds: usize, detail: String },
    #[error("configuration: {0}")]
    Config(String),
    #[error("linfa: {0}")]
    Fit(String),
}

/// Progress of a training run, for a progress bar.
#[derive(Debug, Clone, PartialEq)]
pub enum TrainEvent {
    /// Model fits: `done` of `total`, the current one described by `what`.
    Fit { done: usize, total: usize, what: String },
}

/// Cross-validated predictions on the training data: calibrated probabilities where each fold's calibration
/// was fitted on the other folds only.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossValidation {
    pub gold: Vec<usize>,
    pub probs: Vec<Vec<f64>>,
    pub folds: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Trained {
    pub model: ModelFile,
    pub cv: CrossValidation,
}

/// A featurized data set restricted to the selected columns, with IDF applied.
struct Matrix {
    rows: Vec<Vec<(u32, f32)>>,
    columns: Vec<u32>,
    idf: Vec<f32>,
}

pub fn train(
    config: &TrainConfig,
    examples: &[Example],
    progress: &mut dyn FnMut(TrainEvent),
) -> Result<Trained, TrainError> {
    let k = config.task.labels().len();
    let gold: Vec<usize> = examples.iter().map(|e| e.label).collect();
    check_run(&config.alphas, config.folds, &gold, k)?;
    let featurizer = Featurizer::new(config.features.clone()).map_err(|e| TrainError::Config(e.to_string()))?;
    let matrix = featurize(&featurizer, examples, config)?;
    let folds = grouped_folds(examples.iter().map(|e| e.group.as_str()), &gold, k, config.folds)?;

    let total = config.alphas.len() * config.folds + 1;
    let mut done = 0;
    let mut best: Option<(f64, usize, Vec<Vec<f64>>)> = None;
    let mut cv_scores = Vec::new();
    for (a, &alpha) in config.alphas.iter().enumerate() {
        let mut oof = vec![Vec::new(); examples.len()];
        for fold in 0..config.folds {
            progress(TrainEvent::Fit {
                done,
                total,
                what: format!("alpha {alpha}, fold {}/{}", fold + 1, config.folds),
            });
            let train_rows: Vec<usize> = (0..examples.len()).filter(|&i| folds[i] != fold).collect();
            let (params, intercept) = fit(&matrix, &train_rows, &gold, k, alpha, config.max_iterations)?;
            for i in (0..examples.len()).filter(|&i| folds[i] == fold) {
                oof[i] = raw_scores(&matrix.rows[i], &params, &intercept);
            }
            done += 1;
        }
        let score = selection_score(config.task, &gold, &oof);
        cv_scores.push(score);
        if best.as_ref().is_none_or(|b| score > b.0) {
            best = Some((score, a, oof));
        }
    }
    let (_, best_index, oof) = best.expect("at least one alpha");
    let alpha = config.alphas[best_index];

    // Calibration: fitted on all out-of-fold scores for the model; cross-fitted (each fold calibrated on the
    // others) for the reported CV figures, so those are honest about calibration too.
    let calibration = fit_calibration(config.task, &oof, &gold);
    let mut cv_probs = vec![Vec::new(); examples.len()];
    for fold in 0..config.folds {
        let others: Vec<usize> = (0..examples.len()).filter(|&i| folds[i] != fold).collect();
        let cal = fit_calibration(
            config.task,
            &others.iter().map(|&i| oof[i].clone()).collect::<Vec<_>>(),
            &others.iter().map(|&i| gold[i]).collect::<Vec<_>>(),
        );
        for i in (0..examples.len()).filter(|&i| folds[i] == fold) {
            let mut p = oof[i].clone();
            cal.apply(&mut p);
            cv_probs[i] = p;
        }
    }

    progress(TrainEvent::Fit { done, total, what: format!("final fit, alpha {alpha}") });
    let all: Vec<usize> = (0..examples.len()).collect();
    let (params, intercept) = fit(&matrix, &all, &gold, k, alpha, config.max_iterations)?;
    progress(TrainEvent::Fit { done: total, total, what: "done".into() });

    let mut weights = Vec::new();
    for (j, &bucket) in matrix.columns.iter().enumerate() {
        let w: Vec<f32> = (0..k).map(|c| params[[j, c]] * matrix.idf[j]).collect();
        if w.iter().any(|&x| x != 0.0) {
            weights.push(BucketWeights(bucket, w));
        }
    }
    let model = ModelFile {
        format: MODEL_FORMAT.to_owned(),
        name: config.name.clone(),
        version: config.version.clone(),
        task: config.task,
        labels: config.task.labels().iter().map(|l| (*l).to_owned()).collect(),
        features: config.features.clone(),
        calibration,
        training: TrainingInfo {
            data: config.data.clone(),
            examples: examples.len(),
            alpha,
            alpha_grid: config.alphas.clone(),
            folds: config.folds,
            max_iterations: config.max_iterations,
            min_df: config.min_df,
            columns: matrix.columns.len(),
            cv_scores,
        },
        intercept: intercept.to_vec(),
        weights,
    };
    Ok(Trained { model, cv: CrossValidation { gold, probs: cv_probs, folds } })
}

/// Checks what every grouped-CV fit needs: an alpha to try, two folds, and labels within the task's classes.
pub(crate) fn check_run(alphas: &[f64], folds: usize, gold: &[usize], k: usize) -> Result<(), TrainError> {
    if alphas.is_empty() || folds < 2 {
        return Err(TrainError::Config("need at least one alpha and two folds".into()));
    }
    match gold.iter().position(|&label| label >= k) {
        Some(index) => Err(TrainError::Label { index, label: gold[index], classes: k }),
        None => Ok(()),
    }
}

/// Each example's fold, from a fixed hash of its group (rows of one group share a fold), checked so that every
/// class is present outside every fold. The linear models and the encoder heads split alike.
pub(crate) fn grouped_folds<'a>(
    groups: impl Iterator<Item = &'a str>,
    gold: &[usize],
    k: usize,
    folds: usize,
) -> Result<Vec<usize>, TrainError> {
    let assigned: Vec<usize> =
        groups.map(|g| (Fnv1a::new(0).bytes(g.as_bytes()).finish() % folds as u64) as usize).collect();
    for f in 0..folds {
        for c in 0..k {
            if !(0..gold.len()).any(|i| assigned[i] != f && gold[i] == c) {
                return Err(TrainError::TooFew {
                    needed: 1,
                    folds,
                    detail: format!("no class {c} outside fold {f}"),
                });
            }
        }
    }
    Ok(assigned)
}

fn featurize(featurizer: &Featurizer, examples: &[Example], config: &TrainConfig) -> Result<Matrix, TrainError> {
    let dim = featurizer.dimension();
    let mut buf = FeatureBuffer::new();
    let mut sparse: Vec<Vec<(u32, f32)>> = Vec::with_capacity(examples.len());
    let mut df = vec![0usize; dim];
    for (index, e) in examples.iter().enumerate() {
        let target = e
            .target
            .map(|(from, to)| TargetRange::from_code_points(&e.text, from, to))
            .transpose()
            .map_err(|source| TrainError::Example { index, source })?;
        featurizer
            .featurize(&e.text, target.as_ref(), &mut buf)
            .map_err(|source| TrainError::Example { index, source })?;
        // Merge repeated indices so each row holds one value per bucket.
        let mut row: Vec<(u32, f32)> = buf.features.iter().map(|f| (f.index, f.value)).collect();
        row.sort_by_key(|&(i, _)| i);
        let mut merged: Vec<(u32, f32)> = Vec::with_capacity(row.len());
        for (i, v) in row {
            match merged.last_mut() {
                Some(last) if last.0 == i => last.1 += v,
                _ => merged.push((i, v)),
            }
        }
        for &(i, _) in &merged {
            df[i as usize] += 1;
        }
        sparse.push(merged);
    }
    // Columns: buckets seen in at least min_df examples; if too many, the most frequent (ties: lower bucket).
    let mut columns: Vec<u32> = (0..dim as u32).filter(|&b| df[b as usize] >= config.min_df.max(1)).collect();
    if columns.len() > config.max_columns {
        columns.sort_by(|&a, &b| df[b as usize].cmp(&df[a as usize]).then(a.cmp(&b)));
        columns.truncate(config.max_columns);
        columns.sort_unstable();
    }
    let mut column_of = vec![u32::MAX; dim];
    for (j, &b) in columns.iter().enumerate() {
        column_of[b as usize] = j as u32;
    }
    let n = examples.len() as f32;
    let idf: Vec<f32> = columns.iter().map(|&b| ((1.0 + n) / (1.0 + df[b as usize] as f32)).ln() + 1.0).collect();
    let rows = sparse
        .into_iter()
        .map(|row| {
            row.into_iter()
                .filter_map(|(b, v)| {
                    let j = column_of[b as usize];
                    (j != u32::MAX).then(|| (j, v * idf[j as usize]))
                })
                .collect()
        })
        .collect();
    Ok(Matrix { rows, columns, idf })
}

fn fit(
    matrix: &Matrix,
    rows: &[usize],
    gold: &[usize],
    k: usize,
    alpha: f64,
    max_iterations: u64,
) -> Result<(Array2<f32>, Array1<f32>), TrainError> {
    let d = matrix.columns.len();
    let mut x = Array2::<f32>::zeros((rows.len(), d));
    for (r, &i) in rows.iter().enumerate() {
        for &(j, v) in &matrix.rows[i] {
            x[[r, j as usize]] = v;
        }
    }
    let y = Array1::from_iter(rows.iter().map(|&i| gold[i]));
    let dataset = Dataset::new(x, y);
    let model = MultiLogisticRegression::<f32>::default()
        .alpha(alpha as f32)
        .max_iterations(max_iterations)
        .fit(&dataset)
        .map_err(|e| TrainError::Fit(e.to_string()))?;
    if model.classes() != (0..k).collect::<Vec<_>>() {
        return Err(TrainError::Fit(format!("training rows hold classes {:?}, expected 0..{k}", model.classes())));
    }
    Ok((model.params().clone(), model.intercept().clone()))
}

fn raw_scores(row: &[(u32, f32)], params: &Array2<f32>, intercept: &Array1<f32>) -> Vec<f64> {
    let k = intercept.len();
    let mut out: Vec<f64> = intercept.iter().map(|&b| f64::from(b)).collect();
    for &(j, v) in row {
        for (c, o) in out.iter_mut().enumerate().take(k) {
            *o += f64::from(v * params[[j as usize, c]]);
        }
    }
    out
}

/// Macro-F1 for stance, positive-class F1 for claims, of the arg-max of `scores`.
pub fn selection_score(task: Task, gold: &[usize], scores: &[Vec<f64>]) -> f64 {
    let k = task.labels().len();
    let mut tp = vec![0usize; k];
    let mut predicted = vec![0usize; k];
    let mut support = vec![0usize; k];
    for (&g, s) in gold.iter().zip(scores) {
        let p = (0..k).fold(0, |b, c| if s[c] > s[b] { c } else { b });
        predicted[p] += 1;
        support[g] += 1;
        tp[g] += usize::from(p == g);
    }
    let f1 = |c: usize| {
        let (p, r) = (tp[c] as f64 / predicted[c].max(1) as f64, tp[c] as f64 / support[c].max(1) as f64);
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    };
    match task {
        Task::Stance => (0..k).map(f1).sum::<f64>() / k as f64,
        Task::Claim => f1(1),
    }
}

/// Temperature (stance) or Platt (claim) scaling that minimises the log loss of `scores` against `gold`.
pub fn fit_calibration(task: Task, scores: &[Vec<f64>], gold: &[usize]) -> Calibration {
    match task {
        Task::Stance => {
            let nll = |t: f64| {
                scores
                    .iter()
                    .zip(gold)
                    .map(|(s, &g)| {
                        let mut p: Vec<f64> = s.iter().map(|x| x / t).collect();
                        softmax(&mut p);
                        -p[g].max(1e-12).ln()
                    })
                    .sum::<f64>()
            };
            // Golden-section search on log(temperature) in [log 0.05, log 20].
            let (mut lo, mut hi) = (0.05f64.ln(), 20f64.ln());
            let ratio = (5f64.sqrt() - 1.0) / 2.0;
            for _ in 0..80 {
                let a = hi - ratio * (hi - lo);
                let b = lo + ratio * (hi - lo);
                if nll(a.exp()) < nll(b.exp()) {
                    hi = b;
                } else {
                    lo = a;
                }
            }
            Calibration::Temperature { temperature: ((lo + hi) / 2.0).exp() }
        }
        Task::Claim => {
            // Newton's method on (a, b) for p = sigmoid(a z + b), z = s1 - s0, with a tiny ridge for stability.
            let (mut a, mut b) = (1.0f64, 0.0f64);
            for _ in 0..50 {
                let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (1e-6 * a, 1e-6 * b, 1e-6, 0.0, 1e-6);
                for (s, &g) in scores.iter().zip(gold) {
                    let z = s[1] - s[0];
                    let p = 1.0 / (1.0 + (-(a * z + b)).exp());
                    let e = p - g as f64;
                    let w = p * (1.0 - p);
                    ga += e * z;
                    gb += e;
                    haa += w * z * z;
                    hab += w * z;
                    hbb += w;
                }
                let det = haa * hbb - hab * hab;
                if det.abs() < 1e-12 {
                    break;
                }
                let (da, db) = ((hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det);
                a -= da;
                b -= db;
                if da.abs() + db.abs() < 1e-10 {
                    break;
                }
            }
            Calibration::Platt { a, b }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenor_core::StanceLabel;
    use tenor_models::Scorer;

    #[test]
    fn training_is_deterministic_and_the_scorer_matches_it() {
        let texts = [
            ("wonderful great success praised", 2),
            ("terrible awful failure condemned", 0),
            ("the meeting is on tuesday", 1),
        ];
        let examples: Vec<Example> = (0..60)
            .map(|i| {
                let (text, label) = texts[i % 3];
                Example { text: format!("{text} {i}"), target: None, label, group: i.to_string() }
            })
            .collect();
        let mut features = FeatureConfig::stance();
        features.hash_bits = 10;
        let config = TrainConfig {
            name: "t".into(),
            version: "0".into(),
            task: Task::Stance,
            features,
            alphas: vec![0.1, 1.0],
            folds: 3,
            max_iterations: 30,
            min_df: 1,
            max_columns: 1024,
            data: "synthetic".into(),
        };
        let a = train(&config, &examples, &mut |_| {}).unwrap();
        let b = train(&config, &examples, &mut |_| {}).unwrap();
        assert_eq!(a.model.to_bytes(), b.model.to_bytes());
        let scorer = Scorer::from_bytes(&a.model.to_bytes()).unwrap();
        let s = scorer.stance("a wonderful success", None).unwrap();
        assert_eq!(s.label, StanceLabel::Positive);
        assert!(a.cv.probs.iter().all(|p| (p.iter().sum::<f64>() - 1.0).abs() < 1e-9));
    }
}
