//! Fine-tuned top layers: the last `K` layers of the encoder, with weights of their own, and a linear
//! classifier over the pooled output (the sentence mean, then the mean of a target mention's own tokens).
//!
//! The bottom `layers - K` layers stay the encoder's own: [`crate::Encoder::encode_through`] runs them once per
//! sentence, and the result feeds both the stock top layers (every other head) and a [`TopLayers`] (the head
//! that was fine-tuned). Training builds a [`TopLayers`] on a `VarMap` (`tenor-train`); serving loads one
//! from its safetensors file.
//!
//! Guarantees: the same inputs give the same logits run to run (fixed thread count); a row's logits depend
//! only on its own sentence (padding is masked and never pooled).

use std::collections::HashMap;
use std::ops::Range;

use candle_core::{DType, Device, Module, Result, Tensor, Var};
use candle_nn::{linear, Linear, VarBuilder, VarMap};

use crate::bert::{attention_bias, BertConfig, Layer, Ops};
use crate::Encoded;

/// Name prefix of the classifier's weights in a top-layers file (`classifier.weight`, `classifier.bias`).
pub const CLASSIFIER: &str = "classifier";

/// One row to classify: a sentence (index into the bottom-layer encodings given with it) and, optionally,
/// the tokens of a target mention in it (empty or `None`: the sentence mean stands in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopRow {
    pub sentence: usize,
    pub target: Option<Vec<usize>>,
}

impl TopRow {
    /// The row for a target mention given as a byte range of the sentence `encoded`.
    pub fn new(sentence: usize, encoded: &Encoded, range: Option<&Range<usize>>) -> TopRow {
        TopRow { sentence, target: range.map(|r| encoded.tokens_in(r)) }
    }
}

/// The fine-tuned top layers and their classifier.
pub struct TopLayers {
    /// Index of the first layer these replace (the encoder's layers before it are shared).
    pub from: usize,
    layers: Vec<Layer>,
    classifier: Linear,
    heads: usize,
    hidden: usize,
    classes: usize,
    targeted: bool,
}

impl std::fmt::Debug for TopLayers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TopLayers")
            .field("from", &self.from)
            .field("layers", &self.layers.len())
            .field("classes", &self.classes)
            .finish_non_exhaustive()
    }
}

/// Whether a variable of [`TopLayers::init_vars`] belongs to the classifier (else to a layer).
pub fn is_classifier(name: &str) -> bool {
    name.starts_with(CLASSIFIER)
}

/// The layer names of layer `i` in a top-layers file (`encoder.layer.{i}`, no `bert.` prefix).
pub fn layer_prefix(i: usize) -> String {
    format!("encoder.layer.{i}")
}

impl TopLayers {
    /// Builds the top layers `from..config.num_hidden_layers` from `vb` (names `encoder.layer.N.*` and
    /// `classifier.*`), with a classifier of `classes` outputs over the sentence mean, and the target's mean
    /// too when `targeted`.
    pub fn load(vb: VarBuilder, config: &BertConfig, from: usize, classes: usize, targeted: bool) -> Result<Self> {
        let layers = (from..config.num_hidden_layers)
            .map(|i| Layer::load(vb.pp(layer_prefix(i)), config))
            .collect::<Result<Vec<_>>>()?;
        let width = config.hidden_size * if targeted { 2 } else { 1 };
        let classifier = linear(width, classes, vb.pp(CLASSIFIER))?;
        Ok(TopLayers {
            from,
            layers,
            classifier,
            heads: config.num_attention_heads,
            hidden: config.hidden_size,
            classes,
            targeted,
        })
    }

    /// Loads a top-layers file (any float dtype; computed in f32).
    pub fn from_safetensors(
        bytes: &[u8],
        config: &BertConfig,
        from: usize,
        classes: usize,
        targeted: bool,
    ) -> Result<Self> {
        let tensors = candle_core::safetensors::load_buffer(bytes, &Device::Cpu)?;
        let tensors = tensors
            .into_iter()
            .map(|(k, t)| Ok((k, t.to_dtype(DType::F32)?)))
            .collect::<Result<HashMap<_, _>>>()?;
        TopLayers::load(
            VarBuilder::from_tensors(tensors, DType::F32, &Device::Cpu),
            config,
            from,
            classes,
            targeted,
        )
    }

    /// A `VarMap` for training: the pretrained layers `from..` copied out of the encoder's safetensors
    /// `weights` (with or without the `bert.` prefix), and the classifier's `weight` (`classes × width`) and
    /// `bias` given (build the model with `VarBuilder::from_varmap` on it; [`is_classifier`] tells the
    /// classifier's variables from the layers').
    pub fn init_vars(
        weights: &[u8],
        config: &BertConfig,
        from: usize,
        classifier_weight: &Tensor,
        classifier_bias: &Tensor,
    ) -> Result<VarMap> {
        let tensors = candle_core::safetensors::load_buffer(weights, &Device::Cpu)?;
        let vars = VarMap::new();
        {
            let mut data = vars.data().lock().expect("a new VarMap is not poisoned");
            for i in from..config.num_hidden_layers {
                let prefix = format!("{}.", layer_prefix(i));
                for (name, t) in &tensors {
                    let name = name.strip_prefix("bert.").unwrap_or(name);
                    if name.starts_with(&prefix) {
                        data.insert(name.to_owned(), Var::from_tensor(&t.to_dtype(DType::F32)?)?);
                    }
                }
            }
            data.insert(format!("{CLASSIFIER}.weight"), Var::from_tensor(classifier_weight)?);
            data.insert(format!("{CLASSIFIER}.bias"), Var::from_tensor(classifier_bias)?);
        }
        Ok(vars)
    }

    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Logits `(rows, classes)` for `rows`, whose sentences are indices into `bottom` (encodings through the
    /// first [`TopLayers::from`] layers). The distinct sentences of `rows` run as one padded batch.
    pub fn logits(&self, bottom: &[Encoded], rows: &[TopRow], ops: Ops) -> Result<Tensor> {
        let device = Device::Cpu;
        let mut sentences: Vec<usize> = Vec::new();
        let mut slot: HashMap<usize, usize> = HashMap::new();
        for r in rows {
            slot.entry(r.sentence).or_insert_with(|| {
                sentences.push(r.sentence);
                sentences.len() - 1
            });
        }
        let h = self.hidden;
        let width = sentences.iter().map(|&s| bottom[s].tokens()).max().unwrap_or(1).max(1);
        let b = sentences.len();
        let mut x = vec![0f32; b * width * h];
        let mut mask = vec![0u32; b * width];
        for (i, &s) in sentences.iter().enumerate() {
            let e = &bottom[s];
            x[i * width * h..i * width * h + e.vectors.len()].copy_from_slice(&e.vectors);
            mask[i * width..i * width + e.tokens()].iter_mut().for_each(|m| *m = 1);
        }
        let mut x = Tensor::from_vec(x, (b, width, h), &device)?;
        let mask = Tensor::from_vec(mask, (b, width), &device)?;
        let bias = attention_bias(&mask)?;
        for layer in &self.layers {
            x = layer.forward(&x, &bias, self.heads, ops)?;
        }
        // Pooling as one product: a row of weights over the batch's tokens per pooled vector.
        let per_row = if self.targeted { 2 } else { 1 };
        let mut pool = vec![0f32; rows.len() * per_row * b * width];
        for (n, r) in rows.iter().enumerate() {
            let i = slot[&r.sentence];
            let tokens = bottom[r.sentence].tokens();
            let mut put = |k: usize, which: &mut dyn Iterator<Item = usize>, count: usize| {
                let base = (n * per_row + k) * b * width + i * width;
                for t in which {
                    pool[base + t] = 1.0 / count as f32;
                }
            };
            put(0, &mut (0..tokens), tokens);
            if self.targeted {
                match r.target.as_deref().filter(|t| !t.is_empty()) {
                    Some(t) => put(1, &mut t.iter().copied(), t.len()),
                    None => put(1, &mut (0..tokens), tokens),
                }
            }
        }
        let pool = Tensor::from_vec(pool, (rows.len() * per_row, b * width), &device)?;
        let pooled = pool.matmul(&x.reshape((b * width, h))?)?.reshape((rows.len(), per_row * h))?;
        self.classifier.forward(&pooled)
    }
}
