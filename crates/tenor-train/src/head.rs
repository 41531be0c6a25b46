//! Encoder heads: multinomial logistic regression (linfa) over pooled, frozen encoder vectors, with L2 strength
//! chosen by grouped k-fold cross-validation, temperature (stance) or Platt (claim) scaling fitted on the
//! out-of-fold scores, and, for claims, the decision threshold chosen by cross-validation for F1.
//!
//! Deterministic like [`crate::fit`]: folds from a fixed hash of each example's group, L-BFGS from zeros,
//! single-threaded ndarray products, fixed key order in the file. Given the same vectors, the same head file.

use linfa::prelude::*;
use linfa_logistic::MultiLogisticRegression;
use ndarray::{Array1, Array2};
use tenor_models::{EncoderRef, HeadFile, HeadInput, HeadTraining, Task, HEAD_FORMAT};

use crate::fit::{
    check_run, fit_calibration, grouped_folds, selection_score, CrossValidation, TrainError, TrainEvent,
};

/// One training example as the head sees it: the pooled vector, its class, and its group (fold key).
#[derive(Debug, Clone, PartialEq)]
pub struct VectorExample {
    pub x: Vec<f32>,
    pub label: usize,
    pub group: String,
}

/// Everything that decides a trained head.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadConfig {
    pub name: String,
    pub version: String,
    pub task: Task,
    pub input: HeadInput,
    pub encoder: EncoderRef,
    pub alphas: Vec<f64>,
    pub folds: usize,
    pub max_iterations: u64,
    pub data: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrainedHead {
    pub head: HeadFile,
    /// Cross-fitted calibrated probabilities (each fold calibrated, and for claims thresholded, on the others).
    pub cv: CrossValidation,
    /// Claims: each fold's decision threshold, chosen on the other folds ([`TrainedHead::cv_claims`]).
    pub cv_thresholds: Vec<f64>,
}

impl TrainedHead {
    /// Claims: the cross-fitted decisions (each row against its fold's threshold).
    pub fn cv_claims(&self) -> Vec<bool> {
        self.cv.probs.iter().zip(&self.cv.folds).map(|(p, &f)| p[1] >= self.cv_thresholds[f]).collect()
    }
}

pub fn train_head(
    config: &HeadConfig,
    examples: &[VectorExample],
    progress: &mut dyn FnMut(TrainEvent),
) -> Result<TrainedHead, TrainError> {
    let k = config.task.labels().len();
    let d = config.input.width(config.encoder.dim);
    let gold: Vec<usize> = examples.iter().map(|e| e.label).collect();
    check_run(&config.alphas, config.folds, &gold, k)?;
    if let Some(index) = examples.iter().position(|e| e.x.len() != d) {
        return Err(TrainError::Config(format!(
            "example {index} has {} values, the head reads {d}",
            examples[index].x.len()
        )));
    }
    let folds = grouped_folds(examples.iter().map(|e| e.group.as_str()), &gold, k, config.folds)?;
    // Standardisation from every row's vector (no labels), so the L2 penalty treats columns alike.
    let (center, scale) = standardisation(examples, d);
    let x = Array2::from_shape_fn((examples.len(), d), |(i, j)| (examples[i].x[j] - center[j]) / scale[j]);

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
            let rows: Vec<usize> = (0..examples.len()).filter(|&i| folds[i] != fold).collect();
            let (w, b) = fit(&x, &rows, &gold, k, alpha, config.max_iterations)?;
            for i in (0..examples.len()).filter(|&i| folds[i] == fold) {
                oof[i] = raw(&x, i, &w, &b);
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

    // Calibration (and the claim threshold) for the file: fitted on every out-of-fold score. For the reported
    // figures: cross-fitted, each fold calibrated and thresholded on the others only.
    let calibration = fit_calibration(config.task, &oof, &gold);
    let calibrated = |cal: &tenor_models::Calibration, rows: &[usize]| -> Vec<Vec<f64>> {
        rows.iter()
            .map(|&i| {
                let mut p = oof[i].clone();
                cal.apply(&mut p);
                p
            })
            .collect()
    };
    let all: Vec<usize> = (0..examples.len()).collect();
    let threshold = (config.task == Task::Claim).then(|| best_threshold(&calibrated(&calibration, &all), &gold));
    let mut cv_probs = vec![Vec::new(); examples.len()];
    let mut cv_thresholds = Vec::new();
    for fold in 0..config.folds {
        let others: Vec<usize> = all.iter().copied().filter(|&i| folds[i] != fold).collect();
        let other_gold: Vec<usize> = others.iter().map(|&i| gold[i]).collect();
        let cal =
            fit_calibration(config.task, &others.iter().map(|&i| oof[i].clone()).collect::<Vec<_>>(), &other_gold);
        let held: Vec<usize> = all.iter().copied().filter(|&i| folds[i] == fold).collect();
        let probs = calibrated(&cal, &held);
        if config.task == Task::Claim {
            // The decision threshold for this fold's rows, chosen on the other folds only.
            cv_thresholds.push(best_threshold(&calibrated(&cal, &others), &other_gold));
        }
        for (i, p) in held.iter().zip(probs) {
            cv_probs[*i] = p;
        }
    }

    progress(TrainEvent::Fit { done, total, what: format!("final fit, alpha {alpha}") });
    let (w, b) = fit(&x, &all, &gold, k, alpha, config.max_iterations)?;
    progress(TrainEvent::Fit { done: total, total, what: "done".into() });
    let head = HeadFile {
        format: HEAD_FORMAT.to_owned(),
        name: config.name.clone(),
        version: config.version.clone(),
        task: config.task,
        labels: config.task.labels().iter().map(|l| (*l).to_owned()).collect(),
        encoder: config.encoder.clone(),
        input: config.input,
        calibration,
        threshold,
        training: HeadTraining {
            data: config.data.clone(),
            examples: examples.len(),
            alpha,
            alpha_grid: config.alphas.clone(),
            folds: config.folds,
            max_iterations: config.max_iterations,
            cv_scores,
        },
        center,
        scale,
        intercept: b.to_vec(),
        weights: (0..k).map(|c| (0..d).map(|j| w[[j, c]]).collect()).collect(),
    };
    Ok(TrainedHead { head, cv: CrossValidation { gold, probs: cv_probs, folds }, cv_thresholds })
}

fn standardisation(examples: &[VectorExample], d: usize) -> (Vec<f32>, Vec<f32>) {
    let n = examples.len().max(1) as f64;
    let mut mean = vec![0f64; d];
    for e in examples {
        mean.iter_mut().zip(&e.x).for_each(|(m, &v)| *m += f64::from(v));
    }
    mean.iter_mut().for_each(|m| *m /= n);
    let mut var = vec![0f64; d];
    for e in examples {
        var.iter_mut().zip(&e.x).zip(&mean).for_each(|((s, &v), m)| *s += (f64::from(v) - m).powi(2));
    }
    let scale = var.iter().map(|s| ((s / n).sqrt() as f32).max(1e-6)).collect();
    (mean.into_iter().map(|m| m as f32).collect(), scale)
}

fn fit(
    x: &Array2<f32>,
    rows: &[usize],
    gold: &[usize],
    k: usize,
    alpha: f64,
    max_iterations: u64,
) -> Result<(Array2<f32>, Array1<f32>), TrainError> {
    let sub = x.select(ndarray::Axis(0), rows);
    let y = Array1::from_iter(rows.iter().map(|&i| gold[i]));
    let model = MultiLogisticRegression::<f32>::default()
        .alpha(alpha as f32)
        .max_iterations(max_iterations)
        .fit(&Dataset::new(sub, y))
        .map_err(|e| TrainError::Fit(e.to_string()))?;
    if model.classes() != (0..k).collect::<Vec<_>>() {
        return Err(TrainError::Fit(format!("training rows hold classes {:?}, expected 0..{k}", model.classes())));
    }
    Ok((model.params().clone(), model.intercept().clone()))
}

fn raw(x: &Array2<f32>, i: usize, w: &Array2<f32>, b: &Array1<f32>) -> Vec<f64> {
    let row = x.row(i);
    (0..b.len())
        .map(|c| f64::from(b[c]) + row.iter().zip(w.column(c)).map(|(&a, &b)| f64::from(a * b)).sum::<f64>())
        .collect()
}

/// The probability threshold with the best F1 of the positive class (ties: the lower threshold), over the
/// distinct predicted probabilities.
pub fn best_threshold(probs: &[Vec<f64>], gold: &[usize]) -> f64 {
    let mut order: Vec<usize> = (0..probs.len()).collect();
    order.sort_by(|&a, &b| probs[b][1].total_cmp(&probs[a][1]).then(a.cmp(&b)));
    let positives = gold.iter().filter(|&&g| g == 1).count() as f64;
    let (mut tp, mut best, mut best_t) = (0f64, -1f64, 0.5);
    for (n, &i) in order.iter().enumerate() {
        tp += f64::from(u8::from(gold[i] == 1));
        let last_of_tie = order.get(n + 1).is_none_or(|&j| probs[j][1] < probs[i][1]);
        if !last_of_tie {
            continue;
        }
        let f1 = 2.0 * tp / ((n + 1) as f64 + positives);
        if f1 > best {
            best = f1;
            best_t = probs[i][1];
        }
    }
    best_t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(task: Task, dim: usize) -> HeadConfig {
        HeadConfig {
            name: "t".into(),
            version: "0".into(),
            task,
            input: HeadInput::Sentence,
            encoder: EncoderRef { name: "e".into(), weights_sha256: "00".into(), dim },
            alphas: vec![0.1, 1.0],
            folds: 3,
            max_iterations: 50,
            data: "synthetic".into(),
        }
    }

    fn examples(k: usize) -> Vec<VectorExample> {
        (0..90)
            .map(|i| {
                let label = i % k;
                let mut x = vec![((i * 7) % 5) as f32 * 0.1; 4];
                x[label] += 1.0;
                VectorExample { x, label, group: i.to_string() }
            })
            .collect()
    }

    #[test]
    fn a_head_is_deterministic_and_scores_as_it_was_trained() {
        let a = train_head(&config(Task::Stance, 4), &examples(3), &mut |_| {}).unwrap();
        let b = train_head(&config(Task::Stance, 4), &examples(3), &mut |_| {}).unwrap();
        assert_eq!(a.head.to_bytes(), b.head.to_bytes());
        let head = tenor_models::Head::from_bytes(&a.head.to_bytes()).unwrap();
        let p = head.probabilities(&[0.0, 0.0, 1.2, 0.0]);
        assert!(p[2] > p[0] && p[2] > p[1], "{p:?}");
        assert!(selection_score(Task::Stance, &a.cv.gold, &a.cv.probs) > 0.9);
    }

    #[test]
    fn a_claim_head_carries_a_threshold_chosen_for_f1() {
        let trained = train_head(&config(Task::Claim, 4), &examples(2), &mut |_| {}).unwrap();
        let t = trained.head.threshold.unwrap();
        assert!((0.0..=1.0).contains(&t));
        assert_eq!(trained.cv_thresholds.len(), 3);
        let head = tenor_models::Head::new(trained.head).unwrap();
        assert!(head.claim(&[0.0, 1.3, 0.0, 0.0]).is_claim);
        assert!(!head.claim(&[1.3, 0.0, 0.0, 0.0]).is_claim);
    }

    #[test]
    fn the_threshold_maximises_f1() {
        let probs: Vec<Vec<f64>> = [0.9, 0.8, 0.7, 0.4, 0.3, 0.2].iter().map(|&p| vec![1.0 - p, p]).collect();
        let gold = [1, 1, 0, 1, 0, 0];
        // F1 at 0.8: 2*2/(2+3)=0.8; at 0.4: 2*3/(4+3)=0.857 -> 0.4.
        assert_eq!(best_threshold(&probs, &gold), 0.4);
    }
}
