//! The BERT encoder stack (embeddings, then self-attention layers), written against candle-core and candle-nn
//! directly rather than taken from candle-transformers: that crate compiles every model it ships (minutes of
//! build time for one model we use), and the training code needs the layers in its own hands.
//!
//! The maths follows Hugging Face's `modeling_bert.py` (post-layer-norm, exact GELU, additive attention mask),
//! the layout its safetensors files use (`embeddings.*`, `encoder.layer.N.*`, optionally under `bert.`).

use candle_core::{DType, Module, Result, Tensor};
use candle_nn::{embedding, layer_norm, linear, Embedding, LayerNorm, Linear, VarBuilder};
use serde::Deserialize;

use crate::quant::{Activation, QuantDense};

/// The fields of a Hugging Face `config.json` that a BERT forward pass needs.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BertConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    pub type_vocab_size: usize,
    pub layer_norm_eps: f64,
    #[serde(default = "gelu")]
    pub hidden_act: String,
    #[serde(default)]
    pub model_type: Option<String>,
}

fn gelu() -> String {
    "gelu".to_owned()
}

impl BertConfig {
    /// Refuses configurations this implementation would run wrongly rather than fail.
    pub fn check(&self) -> std::result::Result<(), String> {
        if self.hidden_act != "gelu" {
            return Err(format!("hidden_act {:?} (only exact \"gelu\" is implemented)", self.hidden_act));
        }
        if self.num_attention_heads == 0 || !self.hidden_size.is_multiple_of(self.num_attention_heads) {
            return Err(format!(
                "hidden_size {} is not a multiple of {} heads",
                self.hidden_size, self.num_attention_heads
            ));
        }
        if let Some(kind) = self.model_type.as_deref().filter(|k| *k != "bert") {
            return Err(format!("model_type {kind:?} is not \"bert\""));
        }
        Ok(())
    }
}

struct Embeddings {
    words: Embedding,
    positions: Embedding,
    types: Embedding,
    norm: LayerNorm,
}

/// One self-attention layer (attention, then the feed-forward block, each with a residual and a layer norm).
/// Public so that training can build the top layers from its own variables (`tenor-train`'s fine-tuning).
pub struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
    /// The dense layers in int8, when the encoder runs at [`crate::Precision::Int8`] ([`Layer::quantize`]).
    quant: Option<QuantLayer>,
}

/// A layer's dense weights in int8; query, key and value are one product of three times the width.
struct QuantLayer {
    qkv: QuantDense,
    attention_out: QuantDense,
    intermediate: QuantDense,
    output: QuantDense,
}

impl std::fmt::Debug for Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Layer").finish_non_exhaustive()
    }
}

/// A loaded BERT encoder.
pub struct Bert {
    embeddings: Embeddings,
    layers: Vec<Layer>,
    heads: usize,
}

/// How a layer computes its softmax and layer norms: candle's fused CPU kernels (inference), or the same maths
/// from differentiable primitives (training: the fused kernels have no backward pass). The two agree to float
/// rounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ops {
    Fused,
    Differentiable,
}

impl std::fmt::Debug for Bert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bert")
            .field("layers", &self.layers.len())
            .field("heads", &self.heads)
            .finish_non_exhaustive()
    }
}

impl Bert {
    pub fn load(vb: VarBuilder, config: &BertConfig) -> Result<Bert> {
        let vb = if vb.contains_tensor("bert.embeddings.word_embeddings.weight") { vb.pp("bert") } else { vb };
        let (h, eps) = (config.hidden_size, config.layer_norm_eps);
        let e = vb.pp("embeddings");
        let embeddings = Embeddings {
            words: embedding(config.vocab_size, h, e.pp("word_embeddings"))?,
            positions: embedding(config.max_position_embeddings, h, e.pp("position_embeddings"))?,
            types: embedding(config.type_vocab_size, h, e.pp("token_type_embeddings"))?,
            norm: layer_norm(h, eps, e.pp("LayerNorm"))?,
        };
        let layers = (0..config.num_hidden_layers)
            .map(|i| Layer::load(vb.pp(format!("encoder.layer.{i}")), config))
            .collect::<Result<Vec<_>>>()?;
        Ok(Bert { embeddings, layers, heads: config.num_attention_heads })
    }

    /// Runs every layer's dense products in int8 from now on ([`crate::quant`]); training ops
    /// ([`Ops::Differentiable`]) still use the f32 weights, which are kept.
    pub fn quantize(&mut self) -> Result<()> {
        for layer in &mut self.layers {
            layer.quantize()?;
        }
        Ok(())
    }

    /// Number of self-attention layers.
    pub fn layers(&self) -> usize {
        self.layers.len()
    }

    /// Number of attention heads per layer.
    pub fn heads(&self) -> usize {
        self.heads
    }

    /// Token vectors of the last layer, `(batch, tokens, hidden)`, for `ids` and `mask` of `(batch, tokens)`
    /// (`u32`; mask 1 for a real token, 0 for padding).
    pub fn forward(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        self.forward_through(ids, mask, self.layers.len())
    }

    /// Token vectors after the first `layers` layers (0: the embeddings; all of them: [`Bert::forward`]).
    pub fn forward_through(&self, ids: &Tensor, mask: &Tensor, layers: usize) -> Result<Tensor> {
        let (_, tokens) = ids.dims2()?;
        let positions = Tensor::arange(0u32, tokens as u32, ids.device())?;
        let x = self
            .embeddings
            .words
            .forward(ids)?
            .broadcast_add(&self.embeddings.positions.forward(&positions)?)?
            .broadcast_add(&self.embeddings.types.forward(&ids.zeros_like()?)?)?;
        let mut x = self.embeddings.norm.forward(&x)?;
        let bias = attention_bias(mask)?;
        for layer in self.layers.iter().take(layers) {
            x = layer.forward(&x, &bias, self.heads, Ops::Fused)?;
        }
        Ok(x)
    }
}

impl Bert {
    /// Layers `from..` on `x`, the `(batch, tokens, hidden)` output of the first `from` layers (the rest of
    /// [`Bert::forward`], for vectors cached from [`Bert::forward_through`]).
    pub fn forward_from(&self, x: &Tensor, mask: &Tensor, from: usize) -> Result<Tensor> {
        let bias = attention_bias(mask)?;
        let mut x = x.clone();
        for layer in self.layers.iter().skip(from) {
            x = layer.forward(&x, &bias, self.heads, Ops::Fused)?;
        }
        Ok(x)
    }
}

/// The additive attention mask over keys for a `(batch, tokens)` mask (1 real, 0 padding): 0 where attended,
/// a large negative number on padding, shaped `(batch, 1, 1, tokens)`.
pub fn attention_bias(mask: &Tensor) -> Result<Tensor> {
    let mask = mask.to_dtype(DType::F32)?;
    ((mask.ones_like()? - mask)? * -1e9f64)?.unsqueeze(1)?.unsqueeze(1)
}

impl Layer {
    /// Builds a layer from `vb` at a layer's prefix (`encoder.layer.N`).
    pub fn load(l: VarBuilder, config: &BertConfig) -> Result<Layer> {
        let (h, eps) = (config.hidden_size, config.layer_norm_eps);
        let (a, s) = (l.pp("attention"), l.pp("attention.self"));
        Ok(Layer {
            query: linear(h, h, s.pp("query"))?,
            key: linear(h, h, s.pp("key"))?,
            value: linear(h, h, s.pp("value"))?,
            attention_out: linear(h, h, a.pp("output.dense"))?,
            attention_norm: layer_norm(h, eps, a.pp("output.LayerNorm"))?,
            intermediate: linear(h, config.intermediate_size, l.pp("intermediate.dense"))?,
            output: linear(config.intermediate_size, h, l.pp("output.dense"))?,
            output_norm: layer_norm(h, eps, l.pp("output.LayerNorm"))?,
            quant: None,
        })
    }

    /// Quantizes the layer's dense weights for [`Ops::Fused`] inference (see [`crate::quant`]).
    pub fn quantize(&mut self) -> Result<()> {
        let parts = |linears: &[&Linear]| -> Result<QuantDense> {
            let (mut weight, mut bias) = (Vec::new(), Vec::new());
            let mut inputs = 0;
            for l in linears {
                inputs = l.weight().dim(1)?;
                weight.extend(l.weight().flatten_all()?.to_vec1::<f32>()?);
                bias.extend(l.bias().expect("BERT dense layers have a bias").to_vec1::<f32>()?);
            }
            Ok(QuantDense::new(&weight, &bias, inputs))
        };
        self.quant = Some(QuantLayer {
            qkv: parts(&[&self.query, &self.key, &self.value])?,
            attention_out: parts(&[&self.attention_out])?,
            intermediate: parts(&[&self.intermediate])?,
            output: parts(&[&self.output])?,
        });
        Ok(())
    }

    /// [`Layer::forward`] with the int8 dense products: the same maths, in plain buffers between them. The
    /// attention runs over each text's own tokens only (never over padding), in a fixed order, so that a
    /// text's numbers are the same in any batch: an f32 difference of one rounding step, as batched products
    /// give, could otherwise move a value across a quantization step and grow from layer to layer.
    fn forward_int8(&self, quant: &QuantLayer, x: &Tensor, bias: &Tensor, heads: usize) -> Result<Tensor> {
        let (b, t, h) = x.dims3()?;
        let d = h / heads;
        let device = x.device();
        let xs = x.flatten_all()?.to_vec1::<f32>()?;
        let qkv = quant.qkv.forward(&xs, Activation::None, None);
        // Each text's own tokens, from the additive mask (0 on a real token, a large negative number on padding).
        let lengths: Vec<usize> = bias
            .flatten_all()?
            .to_vec1::<f32>()?
            .chunks_exact(t)
            .map(|row| row.iter().filter(|&&m| m == 0.0).count())
            .collect();
        let context = crate::quant::attention(&qkv, &lengths, heads, t, d);
        let attended = quant.attention_out.forward(&context, Activation::None, Some(&xs));
        let x = self.attention_norm.forward(&Tensor::from_vec(attended, (b, t, h), device)?)?;
        let xs = x.flatten_all()?.to_vec1::<f32>()?;
        let inner = quant.intermediate.forward(&xs, Activation::Gelu, None);
        let out = quant.output.forward(&inner, Activation::None, Some(&xs));
        self.output_norm.forward(&Tensor::from_vec(out, (b, t, h), device)?)
    }

    /// The layer on `x` of `(batch, tokens, hidden)`, with `bias` from [`attention_bias`].
    pub fn forward(&self, x: &Tensor, bias: &Tensor, heads: usize, ops: Ops) -> Result<Tensor> {
        if let (Ops::Fused, Some(quant)) = (ops, &self.quant) {
            return self.forward_int8(quant, x, bias, heads);
        }
        let norm = |norm: &LayerNorm, y: &Tensor| match ops {
            Ops::Fused => norm.forward(y),
            Ops::Differentiable => candle_nn::ops::layer_norm_slow(
                y,
                norm.weight(),
                norm.bias().expect("BERT layer norms have a bias"),
                norm.eps() as f32,
            ),
        };
        let (b, t, h) = x.dims3()?;
        let d = h / heads;
        let split = |y: Tensor| y.reshape((b, t, heads, d))?.transpose(1, 2)?.contiguous();
        let q = split(self.query.forward(x)?)?;
        let k = split(self.key.forward(x)?)?;
        let v = split(self.value.forward(x)?)?;
        let scores = (q.matmul(&k.t()?)? / (d as f64).sqrt())?.broadcast_add(bias)?;
        let probs = match ops {
            Ops::Fused => candle_nn::ops::softmax_last_dim(&scores)?,
            Ops::Differentiable => candle_nn::ops::softmax(&scores, candle_core::D::Minus1)?,
        };
        let context = probs.matmul(&v)?.transpose(1, 2)?.contiguous()?.reshape((b, t, h))?;
        let x = norm(&self.attention_norm, &(self.attention_out.forward(&context)? + x)?)?;
        let inner = self.intermediate.forward(&x)?.gelu_erf()?;
        norm(&self.output_norm, &(self.output.forward(&inner)? + x)?)
    }
}
