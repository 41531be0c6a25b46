//! Fine-tuned encoder heads (`models/encoder_<role>_ft/finetuned.json`, format `tenor.finetuned/1`): the
//! description of a head whose encoder's top layers were fine-tuned with it. The weights (the top layers and
//! the linear classifier, half precision) are a safetensors file beside it, named and sha256-pinned here; the
//! layers run in `tenor-encoder` (`TopLayers`) on the output of the stock bottom layers.
//!
//! This crate only parses and checks the description (and applies its calibration): it does not run the
//! encoder.

use serde::{Deserialize, Serialize};

use crate::artifact::{Calibration, ModelError, Task};
use crate::head::{EncoderRef, HeadInput};

/// Format identifier written into every fine-tuned head description.
pub const FINETUNED_FORMAT: &str = "tenor.finetuned/1";

/// How a fine-tuned head was trained, recorded so the run can be repeated and judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FineTunedTraining {
    pub data: String,
    /// Training rows (train minus the held-out slice).
    pub examples: usize,
    /// Rows of the held-out slice of train (temperature fitted there).
    pub held_out: usize,
    /// The frozen head the classifier started from (name, version, sha256 of its file).
    pub start_head: String,
    pub lr: f64,
    pub head_lr: f64,
    pub weight_decay: f64,
    pub batch: usize,
    pub epochs: usize,
    pub steps: usize,
    pub seed: u64,
    /// Mean cross-entropy of the last 20 steps.
    pub final_loss: f64,
    /// Calibrated figures on the held-out slice of train.
    pub held_out_macro_f1: f64,
    pub held_out_ece: f64,
}

/// A fine-tuned head's description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FineTunedFile {
    pub format: String,
    pub name: String,
    pub version: String,
    pub task: Task,
    pub labels: Vec<String>,
    /// The base encoder (its bottom layers are used as they are).
    pub encoder: EncoderRef,
    pub input: HeadInput,
    /// The first fine-tuned layer (0-based); layers `from_layer..` are in the weights file.
    pub from_layer: usize,
    /// The encoder's layer count (so `from_layer..layers` is the fine-tuned range).
    pub layers: usize,
    /// File name of the weights, beside this description.
    pub weights_file: String,
    pub weights_sha256: String,
    pub weights_bytes: u64,
    pub calibration: Calibration,
    pub training: FineTunedTraining,
}

impl FineTunedFile {
    /// Parses and checks a description.
    pub fn from_bytes(bytes: &[u8]) -> Result<FineTunedFile, ModelError> {
        let file: FineTunedFile =
            serde_json::from_slice(bytes).map_err(|e| ModelError::NotAModel(e.to_string()))?;
        if file.format != FINETUNED_FORMAT {
            return Err(ModelError::Format { found: file.format });
        }
        let corrupt = |detail: String| ModelError::Corrupt { name: file.name.clone(), detail };
        if file.labels != file.task.labels() {
            return Err(corrupt(format!("labels {:?} do not match the task's", file.labels)));
        }
        if file.from_layer >= file.layers {
            return Err(corrupt(format!("from_layer {} of {} layers", file.from_layer, file.layers)));
        }
        match file.calibration {
            Calibration::Temperature { temperature } if temperature.is_finite() && temperature > 0.0 => {}
            other => return Err(corrupt(format!("calibration {other:?} is not a positive temperature"))),
        }
        Ok(file)
    }

    /// The description's bytes: pretty JSON, the same on every machine.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("a description serialises");
        out.push(b'\n');
        out
    }

    /// Checks the weights file's bytes against the pinned sha256.
    pub fn check_weights(&self, bytes: &[u8]) -> Result<(), ModelError> {
        let found = crate::artifact::sha256_hex(bytes);
        if found != self.weights_sha256 {
            return Err(ModelError::Corrupt {
                name: self.name.clone(),
                detail: format!("{} has sha256 {found}, expected {}", self.weights_file, self.weights_sha256),
            });
        }
        Ok(())
    }

    /// Calibrated probabilities of raw logits.
    pub fn probabilities(&self, logits: &[f64]) -> Vec<f64> {
        let mut p = logits.to_vec();
        self.calibration.apply(&mut p);
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> FineTunedFile {
        FineTunedFile {
            format: FINETUNED_FORMAT.into(),
            name: "encoder_stance_ft".into(),
            version: "1.0.0".into(),
            task: Task::Stance,
            labels: Task::Stance.labels().iter().map(|l| (*l).to_owned()).collect(),
            encoder: EncoderRef { name: "e".into(), weights_sha256: "00".into(), dim: 4 },
            input: HeadInput::SentenceAndTarget,
            from_layer: 4,
            layers: 6,
            weights_file: "top_layers.safetensors".into(),
            weights_sha256: crate::artifact::sha256_hex(b"weights"),
            weights_bytes: 7,
            calibration: Calibration::Temperature { temperature: 1.5 },
            training: FineTunedTraining {
                data: "d".into(),
                examples: 1,
                held_out: 1,
                start_head: "h".into(),
                lr: 5e-5,
                head_lr: 5e-5,
                weight_decay: 0.01,
                batch: 32,
                epochs: 1,
                steps: 1,
                seed: 15,
                final_loss: 0.5,
                held_out_macro_f1: 0.7,
                held_out_ece: 0.02,
            },
        }
    }

    #[test]
    fn a_description_round_trips_and_pins_its_weights() {
        let f = file();
        let back = FineTunedFile::from_bytes(&f.to_bytes()).unwrap();
        assert_eq!(back, f);
        assert!(back.check_weights(b"weights").is_ok());
        assert!(back.check_weights(b"weightz").is_err());
        let p = back.probabilities(&[0.0, 0.0, 3.0]);
        // softmax([0, 0, 3] / 1.5) = [1, 1, e^2] / (2 + e^2).
        let e2 = 2f64.exp();
        assert!((p[2] - e2 / (2.0 + e2)).abs() < 1e-9 && (p[0] - 1.0 / (2.0 + e2)).abs() < 1e-9, "{p:?}");
    }

    #[test]
    fn a_bad_description_is_refused() {
        let mut f = file();
        f.from_layer = 6;
        assert!(FineTunedFile::from_bytes(&f.to_bytes()).is_err());
        let mut f = file();
        f.calibration = Calibration::Temperature { temperature: 0.0 };
        assert!(FineTunedFile::from_bytes(&f.to_bytes()).is_err());
        let mut f = file();
        f.format = "tenor.head/1".into();
        assert!(matches!(FineTunedFile::from_bytes(&f.to_bytes()), Err(ModelError::Format { .. })));
    }
}
