//! The model file (`models/<name>/model.json`): format, validation, and the errors of a bad file.

use serde::{Deserialize, Serialize};
use tenor_features::{FeatureConfig, FEATURE_VERSION};
use thiserror::Error;

/// Format identifier written into every model file.
pub const MODEL_FORMAT: &str = "tenor.model/1";

/// What a model predicts; fixes its label set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// Three classes: negative, neutral, positive (optionally toward a target mention).
    Stance,
    /// Two classes: not_claim, claim (check-worthy factual claim).
    Claim,
}

impl Task {
    pub fn labels(self) -> &'static [&'static str] {
        match self {
            Task::Stance => &["negative", "neutral", "positive"],
            Task::Claim => &["not_claim", "claim"],
        }
    }
}

/// How raw scores become probabilities, fitted on held-out folds of the training data.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Calibration {
    /// `softmax(z / temperature)`.
    Temperature { temperature: f64 },
    /// Two classes: `p(claim) = sigmoid(a * (z1 - z0) + b)`.
    Platt { a: f64, b: f64 },
}

impl Calibration {
    /// Turns raw class scores into calibrated probabilities, in place.
    pub fn apply(&self, scores: &mut [f64]) {
        match *self {
            Calibration::Temperature { temperature } => {
                for s in scores.iter_mut() {
                    *s /= temperature;
                }
                softmax(scores);
            }
            Calibration::Platt { a, b } => {
                let p = 1.0 / (1.0 + (-(a * (scores[1] - scores[0]) + b)).exp());
                scores[0] = 1.0 - p;
                scores[1] = p;
            }
        }
    }
}

/// Turns scores into probabilities in place (max-shifted, so large scores do not overflow). Calibration
/// fitting (`tenor-train`) uses it to apply a candidate temperature exactly as [`Calibration::apply`] does.
pub fn softmax(scores: &mut [f64]) {
    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for s in scores.iter_mut() {
        *s = (*s - max).exp();
        sum += *s;
    }
    for s in scores.iter_mut() {
        *s /= sum;
    }
}

/// The lower-case hex sha256 of a file's bytes: how records and cards name a model file.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// How the model was trained, recorded so the run can be repeated and judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingInfo {
    /// Training file(s), as repository paths.
    pub data: String,
    pub examples: usize,
    /// L2 strength chosen by cross-validation, and the grid it was chosen from.
    pub alpha: f64,
    pub alpha_grid: Vec<f64>,
    pub folds: usize,
    pub max_iterations: u64,
    /// Buckets kept as training columns: document frequency at least `min_df`, at most `max_columns` of them.
    pub min_df: usize,
    pub columns: usize,
    /// Cross-validated score of each alpha (macro-F1 for stance, positive-class F1 for claims).
    pub cv_scores: Vec<f64>,
}

/// Weights of one hash bucket, one per class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BucketWeights(pub u32, pub Vec<f32>);

/// A model file. Weights are sparse (only buckets seen in training) and already include the IDF scaling, so
/// serving is a plain sparse dot product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    pub format: String,
    pub name: String,
    pub version: String,
    pub task: Task,
    pub labels: Vec<String>,
    pub features: FeatureConfig,
    pub calibration: Calibration,
    pub training: TrainingInfo,
    pub intercept: Vec<f32>,
    pub weights: Vec<BucketWeights>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ModelError {
    #[error("model file is not a Tenor model (not valid JSON of format {MODEL_FORMAT}): {0}")]
    NotAModel(String),
    #[error("model file has format {found:?}, this build reads {MODEL_FORMAT:?}")]
    Format { found: String },
    #[error("model {name:?} was trained with feature version {model}, this build computes feature version {code}; retrain it with `tenor train`")]
    FeatureVersion { name: String, model: u32, code: u32 },
    #[error("model {name:?} is corrupt: {detail}")]
    Corrupt { name: String, detail: String },
    #[error("model {name:?} is a {found:?} model, expected a {expected:?} model")]
    WrongTask { name: String, found: Task, expected: Task },
}

impl ModelFile {
    /// Parses and checks a model file.
    pub fn from_bytes(bytes: &[u8]) -> Result<ModelFile, ModelError> {
        // Peek at the format and feature version first, so an old or foreign file gets the precise error.
        #[derive(Deserialize)]
        struct Header {
            format: Option<String>,
            name: Option<String>,
            features: Option<serde_json::Value>,
        }
        let header: Header = serde_json::from_slice(bytes).map_err(|e| ModelError::NotAModel(e.to_string()))?;
        let format = header.format.unwrap_or_default();
        if format != MODEL_FORMAT {
            return Err(ModelError::Format { found: format });
        }
        let name = header.name.unwrap_or_default();
        if let Some(version) = header.features.as_ref().and_then(|f| f.get("version")).and_then(|v| v.as_u64()) {
            if version != u64::from(FEATURE_VERSION) {
                return Err(ModelError::FeatureVersion { name, model: version as u32, code: FEATURE_VERSION });
            }
        }
        let file: ModelFile = serde_json::from_slice(bytes)
            .map_err(|e| ModelError::Corrupt { name: name.clone(), detail: e.to_string() })?;
        file.validate()?;
        Ok(file)
    }

    fn validate(&self) -> Result<(), ModelError> {
        let corrupt = |detail: String| ModelError::Corrupt { name: self.name.clone(), detail };
        self.features.validate().map_err(|e| corrupt(e.to_string()))?;
        let labels = self.task.labels();
        if self.labels != labels {
            return Err(corrupt(format!("labels {:?} do not match task labels {labels:?}", self.labels)));
        }
        let k = labels.len();
        if self.intercept.len() != k || !self.intercept.iter().all(|w| w.is_finite()) {
            return Err(corrupt(format!("intercept must be {k} finite numbers")));
        }
        let dim = 1u64 << self.features.hash_bits;
        for BucketWeights(bucket, w) in &self.weights {
            if u64::from(*bucket) >= dim {
                return Err(corrupt(format!("bucket {bucket} is outside the feature space of {dim}")));
            }
            if w.len() != k || !w.iter().all(|x| x.is_finite()) {
                return Err(corrupt(format!("bucket {bucket} must have {k} finite weights")));
            }
        }
        match self.calibration {
            Calibration::Temperature { temperature } if !(temperature.is_finite() && temperature > 0.0) => {
                Err(corrupt(format!("temperature {temperature} is not a positive number")))
            }
            Calibration::Platt { a, b } if !(a.is_finite() && b.is_finite()) || k != 2 => {
                Err(corrupt("Platt scaling needs two classes and finite a, b".into()))
            }
            _ => Ok(()),
        }
    }

    /// The file's bytes as written by `tenor train`: compact JSON with one bucket per line, so diffs stay
    /// readable and the bytes are the same on every machine.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut header = serde_json::to_value(self).expect("model serialises");
        header.as_object_mut().expect("object").remove("weights");
        let header = serde_json::to_string(&header).expect("model serialises");
        let mut out = String::with_capacity(self.weights.len() * 40);
        out.push_str(&header[..header.len() - 1]);
        out.push_str(",\"weights\":[\n");
        for (i, w) in self.weights.iter().enumerate() {
            if i > 0 {
                out.push_str(",\n");
            }
            out.push_str(&serde_json::to_string(w).expect("weights serialise"));
        }
        out.push_str("\n]}\n");
        out.into_bytes()
    }
}
