//! The fine-tuned target-stance model, end to end: NewsMTSC train rows in, a `tenor.finetuned/1` description
//! and its half-precision weights out ([`fine_tune_stance`]); and its scores on labelled rows
//! ([`score_fine_tuned`], for dev and the reference table).
//!
//! The held-out slice (about 10 % of train's sentences, [`crate::finetune::held_out`]) is never trained on;
//! the temperature is fitted there and the slice's figures go into the description. Dev is not touched here.

use std::path::Path;

use candle_core::DType;
use tenor_encoder::{Encoder, TopLayers, TopRow};
use tenor_eval::metrics::{evaluate, Report};
use tenor_models::{EncoderRef, FineTunedFile, FineTunedTraining, Head, HeadInput, Task, FINETUNED_FORMAT};

use crate::data::{prepare, FeatureSet, ModelKind, TrainingOptions};
use crate::finetune::{held_out, predict, FineTuneConfig, FineTuneData, FineTuning};
use crate::fit::{fit_calibration, Example, TrainError};
use crate::Error;

/// File name of the weights beside the description.
pub const WEIGHTS_FILE: &str = "top_layers.safetensors";
/// File name of the description.
pub const DESCRIPTION_FILE: &str = "finetuned.json";

/// Progress of a fine-tuning run.
#[derive(Debug, Clone, PartialEq)]
pub enum FineTuneEvent {
    /// Sentences through the bottom layers.
    Encoded {
        done: usize,
        total: usize,
    },
    Step {
        step: usize,
        steps: usize,
        loss: f32,
    },
}

/// A finished run: the description (already written with the weights) and the held-out report.
#[derive(Debug, Clone)]
pub struct FineTuneRun {
    pub file: FineTunedFile,
    pub held_out: Report,
    pub losses: Vec<f32>,
}

fn train_err(name: &str) -> impl Fn(TrainError) -> Error + '_ {
    move |source| Error::Train { name: name.to_owned(), source }
}

fn candle_err(name: &str) -> impl Fn(candle_core::Error) -> Error + '_ {
    move |e| Error::Train { name: name.to_owned(), source: TrainError::Fit(e.to_string()) }
}

/// Fine-tunes the encoder's top `config.layers` layers and a classifier started from the frozen head
/// `start_head` (bytes of a `tenor.head/1` target-stance file) on NewsMTSC train minus its held-out slice,
/// fits the temperature on the slice, and writes [`DESCRIPTION_FILE`] and [`WEIGHTS_FILE`] (f16) to `out`.
#[allow(clippy::too_many_arguments)]
pub fn fine_tune_stance(
    encoder: &Encoder,
    encoder_weights: &[u8],
    encoder_sha256: &str,
    start_head: &[u8],
    version: &str,
    options: &TrainingOptions,
    config: &FineTuneConfig,
    out: &Path,
    progress: &mut dyn FnMut(FineTuneEvent),
) -> Result<FineTuneRun, Error> {
    let name = "encoder_stance_ft";
    let head =
        Head::from_bytes(start_head).map_err(|source| Error::Model { what: "the start head".into(), source })?;
    if head.task() != Task::Stance || head.input() != HeadInput::SentenceAndTarget {
        return Err(Error::Invalid("the start head must be a target-stance head (sentence and target)".into()));
    }
    head.check_encoder(encoder.name(), encoder_sha256, encoder.dim())
        .map_err(|source| Error::Model { what: "the start head".into(), source })?;
    let layers = encoder.bert().layers();
    if config.layers == 0 || config.layers > layers {
        return Err(Error::Invalid(format!("--fine-tune-layers must be 1..={layers}")));
    }
    let from = layers - config.layers;
    let (linear, examples) = prepare(ModelKind::Stance, FeatureSet::Tenor, name, version, options)?;
    let data = FineTuneData::new(encoder, from, &examples, &mut |done, total| {
        progress(FineTuneEvent::Encoded { done, total })
    })
    .map_err(train_err(name))?;
    let (train, slice): (Vec<usize>, Vec<usize>) = (0..examples.len()).partition(|&i| !held_out(&data.groups[i]));
    let mut tuning =
        FineTuning::new(encoder_weights, encoder.bert_config(), from, head.file()).map_err(train_err(name))?;
    let losses = tuning
        .train(&data, &train, config, &mut |step, steps, loss| progress(FineTuneEvent::Step { step, steps, loss }))
        .map_err(train_err(name))?;

    // Temperature and held-out figures from the slice.
    let rows: Vec<TopRow> = slice.iter().map(|&i| data.rows[i].clone()).collect();
    let gold: Vec<usize> = slice.iter().map(|&i| data.gold[i]).collect();
    let logits = predict(&tuning.model, &data.bottom, &rows, 32).map_err(train_err(name))?;
    let calibration = fit_calibration(Task::Stance, &logits, &gold);
    let probs: Vec<Vec<f64>> = logits
        .iter()
        .map(|z| {
            let mut p = z.clone();
            calibration.apply(&mut p);
            p
        })
        .collect();
    let held_out_report = evaluate(Task::Stance.labels(), &gold, &probs);

    std::fs::create_dir_all(out).map_err(|source| Error::Read { path: out.display().to_string(), source })?;
    let weights_path = out.join(WEIGHTS_FILE);
    let half = tuning
        .tensors()
        .into_iter()
        .map(|(k, t)| Ok((k, t.to_dtype(DType::F16)?)))
        .collect::<candle_core::Result<std::collections::HashMap<_, _>>>()
        .map_err(candle_err(name))?;
    candle_core::safetensors::save(&half, &weights_path).map_err(candle_err(name))?;
    let weights = std::fs::read(&weights_path)
        .map_err(|source| Error::Read { path: weights_path.display().to_string(), source })?;
    let tail = &losses[losses.len().saturating_sub(20)..];
    let file = FineTunedFile {
        format: FINETUNED_FORMAT.to_owned(),
        name: name.to_owned(),
        version: version.to_owned(),
        task: Task::Stance,
        labels: Task::Stance.labels().iter().map(|l| (*l).to_owned()).collect(),
        encoder: EncoderRef {
            name: encoder.name().to_owned(),
            weights_sha256: encoder_sha256.to_owned(),
            dim: encoder.dim(),
        },
        input: HeadInput::SentenceAndTarget,
        from_layer: from,
        layers,
        weights_file: WEIGHTS_FILE.to_owned(),
        weights_sha256: tenor_models::sha256_hex(&weights),
        weights_bytes: weights.len() as u64,
        calibration,
        training: FineTunedTraining {
            data: linear.data,
            examples: train.len(),
            held_out: slice.len(),
            start_head: format!(
                "{} {} (sha256 {})",
                head.file().name,
                head.file().version,
                tenor_models::sha256_hex(start_head)
            ),
            lr: config.lr,
            head_lr: config.head_lr,
            weight_decay: config.weight_decay,
            batch: config.batch,
            epochs: config.epochs,
            steps: losses.len(),
            seed: config.seed,
            final_loss: tail.iter().map(|&l| f64::from(l)).sum::<f64>() / tail.len().max(1) as f64,
            held_out_macro_f1: held_out_report.macro_f1,
            held_out_ece: held_out_report.ece,
        },
    };
    let description = out.join(DESCRIPTION_FILE);
    std::fs::write(&description, file.to_bytes())
        .map_err(|source| Error::Read { path: description.display().to_string(), source })?;
    Ok(FineTuneRun { file, held_out: held_out_report, losses })
}

/// A fine-tuned model loaded from its directory, checked against the encoder.
#[derive(Debug)]
pub struct FineTunedModel {
    pub file: FineTunedFile,
    pub top: TopLayers,
}

impl FineTunedModel {
    pub fn load(dir: &Path, encoder: &Encoder, encoder_sha256: &str) -> Result<FineTunedModel, Error> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|source| Error::Read { path: path.display().to_string(), source })
        };
        let model = |source| Error::Model { what: dir.display().to_string(), source };
        let file = FineTunedFile::from_bytes(&read(DESCRIPTION_FILE)?).map_err(model)?;
        let weights = read(&file.weights_file)?;
        file.check_weights(&weights).map_err(model)?;
        if file.encoder.weights_sha256 != encoder_sha256 || file.layers != encoder.bert().layers() {
            return Err(Error::Invalid(format!(
                "{} was fine-tuned from encoder weights {}, the loaded encoder's are {encoder_sha256}",
                file.name, file.encoder.weights_sha256
            )));
        }
        let top = TopLayers::from_safetensors(
            &weights,
            encoder.bert_config(),
            file.from_layer,
            file.labels.len(),
            file.input == HeadInput::SentenceAndTarget,
        )
        .map_err(candle_err(&file.name))?;
        Ok(FineTunedModel { file, top })
    }

    /// Calibrated probabilities of each example (its target pooled when it has one; the sentence mean
    /// stands in for a missing target).
    pub fn probabilities(&self, encoder: &Encoder, examples: &[Example]) -> Result<Vec<Vec<f64>>, Error> {
        let name = self.file.name.as_str();
        let data =
            FineTuneData::new(encoder, self.file.from_layer, examples, &mut |_, _| {}).map_err(train_err(name))?;
        let logits = predict(&self.top, &data.bottom, &data.rows, 32).map_err(train_err(name))?;
        Ok(logits.iter().map(|z| self.file.probabilities(z)).collect())
    }
}

/// The fine-tuned model's report on labelled examples (e.g. NewsMTSC dev's target rows).
pub fn score_fine_tuned(model: &FineTunedModel, encoder: &Encoder, examples: &[Example]) -> Result<Report, Error> {
    let probs = model.probabilities(encoder, examples)?;
    let gold: Vec<usize> = examples.iter().map(|e| e.label).collect();
    Ok(evaluate(Task::Stance.labels(), &gold, &probs))
}
