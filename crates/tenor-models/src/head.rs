//! Encoder heads (`models/encoder_<role>/head.json`, format `tenor.head/1`): a linear layer over pooled
//! encoder vectors, with the standardisation, calibration and decision threshold fitted with it.
//!
//! A head does not run the encoder: it takes the pooled vector ([`HeadInput`] says which pooling) and gives
//! calibrated probabilities. The encoder it was trained on is named by its weights' sha256, and a head whose
//! encoder differs from the loaded one is refused ([`Head::check_encoder`]).

use serde::{Deserialize, Serialize};

use crate::artifact::{Calibration, ModelError, Task};
use crate::scorer::ClaimScore;

/// Format identifier written into every head file.
pub const HEAD_FORMAT: &str = "tenor.head/1";

/// What vector a head reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeadInput {
    /// The sentence's mean-pooled token vectors.
    Sentence,
    /// The sentence's mean pool, then the mean of the target mention's own tokens (twice the width).
    SentenceAndTarget,
}

impl HeadInput {
    /// The width of this input over an encoder of width `dim`.
    pub fn width(self, dim: usize) -> usize {
        match self {
            HeadInput::Sentence => dim,
            HeadInput::SentenceAndTarget => 2 * dim,
        }
    }
}

/// The encoder a head was trained on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncoderRef {
    pub name: String,
    pub weights_sha256: String,
    /// Width of the encoder's vectors.
    pub dim: usize,
}

/// How a head was trained, recorded so the run can be repeated and judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadTraining {
    pub data: String,
    pub examples: usize,
    pub alpha: f64,
    pub alpha_grid: Vec<f64>,
    pub folds: usize,
    pub max_iterations: u64,
    pub cv_scores: Vec<f64>,
}

/// A head file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadFile {
    pub format: String,
    pub name: String,
    pub version: String,
    pub task: Task,
    pub labels: Vec<String>,
    pub encoder: EncoderRef,
    pub input: HeadInput,
    pub calibration: Calibration,
    /// Claims: the calibrated probability at or above which a sentence is a claim, chosen by cross-validation
    /// for F1. `None` for stance (arg-max).
    pub threshold: Option<f64>,
    pub training: HeadTraining,
    /// Per-input-column centre and scale, applied before the weights: `(x - center) / scale`.
    pub center: Vec<f32>,
    pub scale: Vec<f32>,
    pub intercept: Vec<f32>,
    /// One row per class, one weight per input column.
    pub weights: Vec<Vec<f32>>,
}

/// A loaded, checked head.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    file: HeadFile,
}

impl HeadFile {
    /// The width of the vector this head reads.
    pub fn input_width(&self) -> usize {
        self.input.width(self.encoder.dim)
    }

    /// The file's bytes: compact JSON with one weight row per line, the same on every machine.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut header = serde_json::to_value(self).expect("head serialises");
        let object = header.as_object_mut().expect("object");
        for key in ["center", "scale", "weights"] {
            object.remove(key);
        }
        let header = serde_json::to_string(&header).expect("head serialises");
        let mut out = String::with_capacity(self.input_width() * 12 * (self.weights.len() + 2));
        out.push_str(&header[..header.len() - 1]);
        let line = |v: &[f32]| serde_json::to_string(v).expect("numbers serialise");
        out.push_str(&format!(
            ",\n\"center\":{},\n\"scale\":{},\n\"weights\":[\n",
            line(&self.center),
            line(&self.scale)
        ));
        let rows: Vec<String> = self.weights.iter().map(|w| line(w)).collect();
        out.push_str(&rows.join(",\n"));
        out.push_str("\n]}\n");
        out.into_bytes()
    }
}

impl Head {
    /// Parses and checks a head file.
    pub fn from_bytes(bytes: &[u8]) -> Result<Head, ModelError> {
        #[derive(Deserialize)]
        struct Header {
            format: Option<String>,
            name: Option<String>,
        }
        let header: Header = serde_json::from_slice(bytes).map_err(|e| ModelError::NotAModel(e.to_string()))?;
        let format = header.format.unwrap_or_default();
        if format != HEAD_FORMAT {
            return Err(ModelError::Format { found: format });
        }
        let name = header.name.unwrap_or_default();
        let file: HeadFile = serde_json::from_slice(bytes)
            .map_err(|e| ModelError::Corrupt { name: name.clone(), detail: e.to_string() })?;
        Head::new(file)
    }

    /// Checks a head built in memory (training) the same way a file is checked.
    pub fn new(file: HeadFile) -> Result<Head, ModelError> {
        let corrupt = |detail: String| ModelError::Corrupt { name: file.name.clone(), detail };
        let labels = file.task.labels();
        if file.labels != labels {
            return Err(corrupt(format!("labels {:?} do not match task labels {labels:?}", file.labels)));
        }
        let (k, d) = (labels.len(), file.input_width());
        let finite = |v: &[f32]| v.iter().all(|x| x.is_finite());
        if file.center.len() != d || file.scale.len() != d || !finite(&file.center) || !finite(&file.scale) {
            return Err(corrupt(format!("center and scale must be {d} finite numbers")));
        }
        if file.scale.iter().any(|&s| s <= 0.0) {
            return Err(corrupt("every scale must be positive".into()));
        }
        if file.intercept.len() != k || !finite(&file.intercept) {
            return Err(corrupt(format!("intercept must be {k} finite numbers")));
        }
        if file.weights.len() != k || file.weights.iter().any(|w| w.len() != d || !finite(w)) {
            return Err(corrupt(format!("weights must be {k} rows of {d} finite numbers")));
        }
        match file.calibration {
            Calibration::Temperature { temperature } if !(temperature.is_finite() && temperature > 0.0) => {
                return Err(corrupt(format!("temperature {temperature} is not a positive number")));
            }
            Calibration::Platt { a, b } if !(a.is_finite() && b.is_finite()) || k != 2 => {
                return Err(corrupt("Platt scaling needs two classes and finite a, b".into()));
            }
            _ => {}
        }
        if let Some(t) = file.threshold {
            if !(0.0..=1.0).contains(&t) || file.task != Task::Claim {
                return Err(corrupt(format!("threshold {t} must be a probability, on a claim head")));
            }
        }
        Ok(Head { file })
    }

    pub fn file(&self) -> &HeadFile {
        &self.file
    }

    pub fn task(&self) -> Task {
        self.file.task
    }

    pub fn input(&self) -> HeadInput {
        self.file.input
    }

    /// Refuses a head trained on another encoder than the one loaded.
    pub fn check_encoder(&self, name: &str, weights_sha256: &str, dim: usize) -> Result<(), ModelError> {
        let e = &self.file.encoder;
        if e.weights_sha256 != weights_sha256 || e.dim != dim {
            return Err(ModelError::Corrupt {
                name: self.file.name.clone(),
                detail: format!(
                    "trained on encoder {} (weights sha256 {}, width {}), but the loaded encoder is {name} (sha256 {weights_sha256}, width {dim}); retrain the head",
                    e.name, e.weights_sha256, e.dim
                ),
            });
        }
        Ok(())
    }

    /// Raw class scores (before calibration) of an input vector of [`HeadFile::input_width`] values.
    pub fn raw(&self, x: &[f32]) -> Vec<f64> {
        let f = &self.file;
        debug_assert_eq!(x.len(), f.input_width());
        f.weights
            .iter()
            .zip(&f.intercept)
            .map(|(w, &b)| {
                let mut z = f64::from(b);
                for (((&xi, &wi), &c), &s) in x.iter().zip(w).zip(&f.center).zip(&f.scale) {
                    z += f64::from(wi) * f64::from((xi - c) / s);
                }
                z
            })
            .collect()
    }

    /// Calibrated class probabilities.
    pub fn probabilities(&self, x: &[f32]) -> Vec<f64> {
        let mut p = self.raw(x);
        self.file.calibration.apply(&mut p);
        p
    }

    /// A claim head's verdict: the calibrated probability against the head's threshold (0.5 without one).
    pub fn claim(&self, x: &[f32]) -> ClaimScore {
        let p = self.probabilities(x)[1];
        ClaimScore { is_claim: p >= self.file.threshold.unwrap_or(0.5), score: p }
    }
}
