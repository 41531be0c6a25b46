//! Training examples to encoder vectors: one forward pass per distinct sentence, shared by every target
//! mention of that sentence (each target pools its own tokens, [`tenor_encoder::Encoded::pooled`], the same
//! function the serving path calls).

use std::collections::HashMap;

use tenor_encoder::Encoder;
use tenor_features::TargetRange;

use crate::fit::{Example, TrainError};
use crate::head::VectorExample;

/// Sentences per call to the encoder (each call sorts its sentences into length buckets).
const CHUNK: usize = 512;

/// Encodes every distinct text once and pools each example's vector (sentence mean, and the target's own tokens
/// when it has a target). `progress(done, total)` is called after each chunk of texts.
pub fn vector_examples(
    encoder: &Encoder,
    examples: &[Example],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<VectorExample>, TrainError> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut texts: Vec<&str> = Vec::new();
    for e in examples {
        index.entry(e.text.as_str()).or_insert_with(|| {
            texts.push(e.text.as_str());
            texts.len() - 1
        });
    }
    let mut encoded = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(CHUNK) {
        encoded.extend(encoder.encode(chunk).map_err(|e| TrainError::Fit(e.to_string()))?);
        progress(encoded.len(), texts.len());
    }
    examples
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let target = e
                .target
                .map(|(from, to)| TargetRange::from_code_points(&e.text, from, to))
                .transpose()
                .map_err(|source| TrainError::Example { index: i, source })?;
            let x = encoded[index[e.text.as_str()]].pooled(target.as_ref().map(|t| &t.0));
            Ok(VectorExample { x, label: e.label, group: e.group.clone() })
        })
        .collect()
}

/// An encoder head's training run: the model kind's examples (the same rows, in the same order, as the linear
/// model's, by [`crate::prepare`]), encoded once, and the head fitted on them.
#[derive(Debug)]
pub struct HeadRun {
    pub config: crate::head::HeadConfig,
    pub examples: Vec<crate::fit::Example>,
    pub trained: crate::head::TrainedHead,
}

/// Progress of a head's training run.
#[derive(Debug, Clone, PartialEq)]
pub enum HeadEvent {
    Encoded { done: usize, total: usize },
    Fit(crate::fit::TrainEvent),
}

/// Trains the encoder head of `kind` on its default data (or `options.data`), with `options`' alphas, folds
/// and iterations. The head is named `encoder_<kind>`.
pub fn train_encoder_head(
    kind: crate::data::ModelKind,
    version: &str,
    options: &crate::data::TrainingOptions,
    encoder: &Encoder,
    weights_sha256: &str,
    progress: &mut dyn FnMut(HeadEvent),
) -> Result<HeadRun, crate::Error> {
    use crate::data::{prepare, FeatureSet, ModelKind};
    let name = format!("encoder_{}", kind.dir_name());
    let (linear, examples) = prepare(kind, FeatureSet::Tenor, &name, version, options)?;
    let vectors =
        vector_examples(encoder, &examples, &mut |done, total| progress(HeadEvent::Encoded { done, total }))
            .map_err(|source| crate::Error::Train { name: name.clone(), source })?;
    let config = crate::head::HeadConfig {
        name: name.clone(),
        version: version.to_owned(),
        task: kind.task(),
        input: match kind {
            ModelKind::Stance => tenor_models::HeadInput::SentenceAndTarget,
            ModelKind::SentenceStance | ModelKind::Claim => tenor_models::HeadInput::Sentence,
        },
        encoder: tenor_models::EncoderRef {
            name: encoder.name().to_owned(),
            weights_sha256: weights_sha256.to_owned(),
            dim: encoder.dim(),
        },
        alphas: linear.alphas,
        folds: linear.folds,
        max_iterations: linear.max_iterations,
        data: linear.data,
    };
    let trained = crate::head::train_head(&config, &vectors, &mut |e| progress(HeadEvent::Fit(e)))
        .map_err(|source| crate::Error::Train { name, source })?;
    Ok(HeadRun { config, examples, trained })
}
