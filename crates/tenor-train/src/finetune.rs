//! Fine-tuning the encoder's top `K` layers with a linear target-stance classifier, in candle (autograd,
//! AdamW), on the CPU.
//!
//! The bottom `layers - K` layers stay frozen: their outputs for every training sentence are computed once
//! ([`FineTuneData::new`], one pass per distinct sentence) and kept in memory; each step runs forward and
//! backward through the top `K` layers only. The classifier reads the sentence mean and the mean of the
//! target's own tokens (the frozen head's pooling) and starts from the frozen head (`models/encoder_stance`,
//! its standardisation folded into the weights), so step 0 scores like the frozen tier.
//!
//! Deterministic: rows are visited in an order drawn from a fixed seed (SplitMix64, Fisher–Yates), no dropout,
//! the learning rate decays linearly to zero; with the same thread count (`RAYON_NUM_THREADS=1` for the
//! documented run) the same data and configuration give the same weights, bit for bit.

use std::collections::HashMap;

use candle_core::{DType, Device, Tensor};
use candle_nn::{AdamW, Optimizer, ParamsAdamW, VarBuilder, VarMap};
use tenor_encoder::bert::Ops;
use tenor_encoder::top::is_classifier;
use tenor_encoder::{Encoded, Encoder, TopLayers, TopRow};
use tenor_features::TargetRange;
use tenor_models::HeadFile;

use crate::fit::{Example, TrainError};

/// Everything that decides a fine-tuning run (beside the data and the starting weights).
#[derive(Debug, Clone, PartialEq)]
pub struct FineTuneConfig {
    /// How many of the encoder's top layers are trained (the rest are shared with the frozen tier).
    pub layers: usize,
    /// Peak learning rate of the layers (AdamW), decayed linearly to 0 over the run.
    pub lr: f64,
    /// Peak learning rate of the classifier.
    pub head_lr: f64,
    pub weight_decay: f64,
    /// Target rows per step.
    pub batch: usize,
    pub epochs: usize,
    /// Seed of the row order.
    pub seed: u64,
    /// Stop after this many steps (tests and timing); `None`: every epoch in full.
    pub max_steps: Option<usize>,
}

impl Default for FineTuneConfig {
    fn default() -> Self {
        FineTuneConfig {
            layers: 2,
            lr: 5e-5,
            head_lr: 5e-5,
            weight_decay: 0.01,
            batch: 32,
            epochs: 1,
            seed: 15,
            max_steps: None,
        }
    }
}

/// Training rows with their sentences' bottom-layer outputs, each distinct sentence encoded once.
#[derive(Debug, Clone)]
pub struct FineTuneData {
    /// The first layer the fine-tuned model replaces (`bottom` holds the vectors entering it).
    pub from: usize,
    pub bottom: Vec<Encoded>,
    pub rows: Vec<TopRow>,
    pub gold: Vec<usize>,
    pub groups: Vec<String>,
}

/// Sentences per call to the encoder.
const CHUNK: usize = 512;

impl FineTuneData {
    /// Encodes the distinct sentences of `examples` through the encoder's first `from` layers.
    pub fn new(
        encoder: &Encoder,
        from: usize,
        examples: &[Example],
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<FineTuneData, TrainError> {
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut texts: Vec<&str> = Vec::new();
        for e in examples {
            index.entry(e.text.as_str()).or_insert_with(|| {
                texts.push(e.text.as_str());
                texts.len() - 1
            });
        }
        let mut bottom = Vec::with_capacity(texts.len());
        for chunk in texts.chunks(CHUNK) {
            bottom.extend(encoder.encode_through(chunk, from).map_err(|e| TrainError::Fit(e.to_string()))?);
            progress(bottom.len(), texts.len());
        }
        let rows = examples
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let target = e
                    .target
                    .map(|(a, b)| TargetRange::from_code_points(&e.text, a, b))
                    .transpose()
                    .map_err(|source| TrainError::Example { index: i, source })?;
                let s = index[e.text.as_str()];
                Ok(TopRow::new(s, &bottom[s], target.as_ref().map(|t| &t.0)))
            })
            .collect::<Result<Vec<_>, TrainError>>()?;
        Ok(FineTuneData {
            from,
            bottom,
            rows,
            gold: examples.iter().map(|e| e.label).collect(),
            groups: examples.iter().map(|e| e.group.clone()).collect(),
        })
    }
}

/// Whether a group (sentence) is in the held-out slice of train: about one in ten, by a fixed hash of its
/// name, so a sentence's targets stay together.
pub fn held_out(group: &str) -> bool {
    crate::card::sha256_hex(group.as_bytes()).as_str() < "1a"
}

/// A model being fine-tuned: its variables and the layers built on them.
pub struct FineTuning {
    pub vars: VarMap,
    pub model: TopLayers,
}

impl std::fmt::Debug for FineTuning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FineTuning").field("model", &self.model).finish_non_exhaustive()
    }
}

fn candle(e: candle_core::Error) -> TrainError {
    TrainError::Fit(e.to_string())
}

impl FineTuning {
    /// The pretrained top layers `from..` (from the encoder's safetensors `weights`) and a classifier started
    /// from the frozen target-stance head `head` (its standardisation folded into weights and intercept).
    pub fn new(
        weights: &[u8],
        config: &tenor_encoder::bert::BertConfig,
        from: usize,
        head: &HeadFile,
    ) -> Result<FineTuning, TrainError> {
        let (k, d) = (head.weights.len(), head.input_width());
        if d != 2 * config.hidden_size {
            return Err(TrainError::Config(format!(
                "the head reads {d} values, a target head over this encoder {}",
                2 * config.hidden_size
            )));
        }
        let mut w = Vec::with_capacity(k * d);
        let mut b = Vec::with_capacity(k);
        for (row, &intercept) in head.weights.iter().zip(&head.intercept) {
            let mut shift = f64::from(intercept);
            for ((&weight, &scale), &center) in row.iter().zip(&head.scale).zip(&head.center) {
                let wj = weight / scale;
                w.push(wj);
                shift -= f64::from(wj) * f64::from(center);
            }
            b.push(shift as f32);
        }
        let w = Tensor::from_vec(w, (k, d), &Device::Cpu).map_err(candle)?;
        let b = Tensor::from_vec(b, k, &Device::Cpu).map_err(candle)?;
        let vars = TopLayers::init_vars(weights, config, from, &w, &b).map_err(candle)?;
        let model =
            TopLayers::load(VarBuilder::from_varmap(&vars, DType::F32, &Device::Cpu), config, from, k, true)
                .map_err(candle)?;
        Ok(FineTuning { vars, model })
    }

    /// Trains on `train` (indices into `data.rows`) and returns each step's loss. `progress(step, steps,
    /// loss)` after each step.
    pub fn train(
        &mut self,
        data: &FineTuneData,
        train: &[usize],
        config: &FineTuneConfig,
        progress: &mut dyn FnMut(usize, usize, f32),
    ) -> Result<Vec<f32>, TrainError> {
        if config.batch == 0 || train.is_empty() {
            return Err(TrainError::Config("fine-tuning needs a batch size and training rows".into()));
        }
        let (mut layer_vars, mut head_vars) = (Vec::new(), Vec::new());
        {
            let map = self.vars.data().lock().expect("not poisoned");
            let mut names: Vec<&String> = map.keys().collect();
            names.sort();
            for name in names {
                if is_classifier(name) { &mut head_vars } else { &mut layer_vars }.push(map[name].clone());
            }
        }
        let params = |lr| ParamsAdamW { lr, weight_decay: config.weight_decay, ..ParamsAdamW::default() };
        let mut layer_opt = AdamW::new(layer_vars, params(config.lr)).map_err(candle)?;
        let mut head_opt = AdamW::new(head_vars, params(config.head_lr)).map_err(candle)?;
        let per_epoch = train.len().div_ceil(config.batch);
        let steps = config.max_steps.unwrap_or(usize::MAX).min(per_epoch * config.epochs);
        let mut rng = SplitMix64(config.seed);
        let mut losses = Vec::with_capacity(steps);
        'epochs: for _ in 0..config.epochs {
            let mut order = train.to_vec();
            for i in (1..order.len()).rev() {
                order.swap(i, (rng.next() % (i as u64 + 1)) as usize);
            }
            for batch in order.chunks(config.batch) {
                let step = losses.len();
                if step >= steps {
                    break 'epochs;
                }
                let decay = 1.0 - step as f64 / steps as f64;
                layer_opt.set_learning_rate(config.lr * decay);
                head_opt.set_learning_rate(config.head_lr * decay);
                let rows: Vec<TopRow> = batch.iter().map(|&i| data.rows[i].clone()).collect();
                let gold: Vec<u32> = batch.iter().map(|&i| data.gold[i] as u32).collect();
                let logits = self.model.logits(&data.bottom, &rows, Ops::Differentiable).map_err(candle)?;
                let gold = Tensor::from_vec(gold, batch.len(), &Device::Cpu).map_err(candle)?;
                let loss = candle_nn::loss::cross_entropy(&logits, &gold).map_err(candle)?;
                let grads = loss.backward().map_err(candle)?;
                layer_opt.step(&grads).map_err(candle)?;
                head_opt.step(&grads).map_err(candle)?;
                let value = loss.to_scalar::<f32>().map_err(candle)?;
                losses.push(value);
                progress(step + 1, steps, value);
            }
        }
        Ok(losses)
    }

    /// Every weight, by name (layers `encoder.layer.N.*`, classifier `classifier.*`), in f32.
    pub fn tensors(&self) -> HashMap<String, Tensor> {
        let map = self.vars.data().lock().expect("not poisoned");
        map.iter().map(|(k, v)| (k.clone(), v.as_tensor().clone())).collect()
    }
}

/// Raw logits (before calibration) of `rows` over `bottom`, `batch` rows at a time (inference kernels).
pub fn predict(
    model: &TopLayers,
    bottom: &[Encoded],
    rows: &[TopRow],
    batch: usize,
) -> Result<Vec<Vec<f64>>, TrainError> {
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(batch.max(1)) {
        let logits = model.logits(bottom, chunk, Ops::Fused).map_err(candle)?;
        for row in logits.to_vec2::<f32>().map_err(candle)? {
            out.push(row.into_iter().map(f64::from).collect());
        }
    }
    Ok(out)
}

/// SplitMix64: a fixed, portable sequence for the row order.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}
