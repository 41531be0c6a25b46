//! Batched inference: texts in, token vectors with byte offsets out.
//!
//! Guarantees:
//! - every [`Encoded`] covers its own text only: padding is masked in attention and never pooled, so a text's
//!   vectors do not depend on which other texts share its batch, beyond float rounding that the tests bound
//!   (at [`Precision::Int8`] not even that: the attention skips padding and sums in a fixed order);
//! - the same inputs and the same thread count give identical outputs, run to run;
//! - each token's range is in bytes into the text given (special tokens have none), so a target mention's
//!   tokens are found exactly by its byte range;
//! - a text longer than [`EncoderConfig::max_tokens`] is truncated (its [`Encoded::truncated`] says so); nothing
//!   here panics on any `&str`.

use std::ops::Range;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use tokenizers::{Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy};

use crate::bert::{Bert, BertConfig};
use crate::files::{EncoderError, Manifest, ModelFiles};
use crate::quant::Precision;

/// How the encoder runs. One struct, the encoder's whole configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncoderConfig {
    /// Texts per forward pass (after sorting by length, so a batch pads little).
    pub batch_size: usize,
    /// Tokens per text, special tokens included; longer texts are truncated (the model's limit is 512,
    /// all-MiniLM-L6-v2 was trained to 256).
    pub max_tokens: usize,
    /// Worker threads for the matrix products. `None`: candle's default (`RAYON_NUM_THREADS`, else the
    /// physical cores). A value runs inference inside a pool of that many threads; candle splits each product
    /// into `RAYON_NUM_THREADS` pieces, so binaries set that variable to the same value at start-up.
    pub threads: Option<usize>,
    /// How the dense layers compute: f32, or int8 (1.7 times the speed on one AVX2 core; docs/MODELS.md has
    /// the accuracy and speed each gives).
    pub precision: Precision,
}

impl Default for EncoderConfig {
    fn default() -> Self {
        EncoderConfig { batch_size: 32, max_tokens: 256, threads: None, precision: Precision::F32 }
    }
}

/// A loaded encoder. Build once; `encode` takes `&self` and may be called from several threads.
pub struct Encoder {
    name: String,
    version: String,
    model: Bert,
    bert: BertConfig,
    tokenizer: Tokenizer,
    hidden: usize,
    config: EncoderConfig,
    pool: Option<rayon::ThreadPool>,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder").field("name", &self.name).field("hidden", &self.hidden).finish_non_exhaustive()
    }
}

/// One text's encoding.
#[derive(Debug, Clone, PartialEq)]
pub struct Encoded {
    /// Width of each token vector.
    pub dim: usize,
    /// One row of `dim` values per token (`[CLS]` and `[SEP]` included), row-major.
    pub vectors: Vec<f32>,
    /// Each token's byte range in the text; `None` for the special tokens.
    pub offsets: Vec<Option<Range<usize>>>,
    /// Whether the text had more tokens than `max_tokens` and was cut.
    pub truncated: bool,
}

impl Encoded {
    pub fn tokens(&self) -> usize {
        self.offsets.len()
    }

    pub fn vector(&self, token: usize) -> &[f32] {
        &self.vectors[token * self.dim..(token + 1) * self.dim]
    }

    /// The mean of every token vector, special tokens included: sentence-transformers' mean pooling (before
    /// its normalisation).
    pub fn mean(&self) -> Vec<f32> {
        self.mean_of(0..self.tokens()).expect("an encoding has at least its special tokens")
    }

    /// The unit-length sentence embedding (mean pooling, then L2 normalisation, as all-MiniLM-L6-v2's
    /// sentence-transformers pipeline does): compare two with a dot product.
    pub fn embedding(&self) -> Vec<f32> {
        let mut v = self.mean();
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
        v.iter_mut().for_each(|x| *x /= norm);
        v
    }

    /// The tokens that overlap a byte range of the text (e.g. a target mention).
    pub fn tokens_in(&self, range: &Range<usize>) -> Vec<usize> {
        self.offsets
            .iter()
            .enumerate()
            .filter_map(|(i, o)| o.as_ref().filter(|o| o.start < range.end && range.start < o.end).map(|_| i))
            .collect()
    }

    /// The mean of the vectors of the tokens overlapping a byte range; `None` when no token does (an empty
    /// range, one past a truncation, or one of white space only).
    pub fn span_mean(&self, range: &Range<usize>) -> Option<Vec<f32>> {
        self.mean_of(self.tokens_in(range))
    }

    /// A head's input: the sentence mean, then, when a target's byte range is given, the mean of the target's
    /// own tokens (the sentence mean again if no token overlaps it). Training and serving both pool here.
    pub fn pooled(&self, target: Option<&Range<usize>>) -> Vec<f32> {
        let mut v = self.mean();
        if let Some(range) = target {
            let span = self.span_mean(range).unwrap_or_else(|| v.clone());
            v.extend(span);
        }
        v
    }

    /// The mean of the given tokens' vectors; `None` for no tokens.
    fn mean_of(&self, tokens: impl IntoIterator<Item = usize>) -> Option<Vec<f32>> {
        let mut mean = vec![0.0f32; self.dim];
        let mut n = 0usize;
        for t in tokens {
            mean.iter_mut().zip(self.vector(t)).for_each(|(m, v)| *m += v);
            n += 1;
        }
        if n == 0 {
            return None;
        }
        mean.iter_mut().for_each(|m| *m /= n as f32);
        Some(mean)
    }
}

impl Encoder {
    /// Loads the model in `dir`, its files checked against `manifest`.
    pub fn load(
        dir: &std::path::Path,
        manifest: &Manifest,
        config: EncoderConfig,
    ) -> Result<Encoder, EncoderError> {
        Encoder::from_files(manifest, ModelFiles::open(dir, manifest)?, config)
    }

    /// Builds the encoder from files already read and checked.
    pub fn from_files(
        manifest: &Manifest,
        files: ModelFiles,
        config: EncoderConfig,
    ) -> Result<Encoder, EncoderError> {
        let dir = files.dir.clone();
        let bert: BertConfig = serde_json::from_slice(&files.config)
            .map_err(|e| e.to_string())
            .and_then(|c: BertConfig| c.check().map(|()| c))
            .map_err(|detail| EncoderError::Invalid {
                path: dir.join("config.json"),
                what: "BERT configuration",
                detail,
            })?;
        let mut tokenizer = Tokenizer::from_bytes(&files.tokenizer).map_err(|e| EncoderError::Invalid {
            path: dir.join("tokenizer.json"),
            what: "tokenizer",
            detail: e.to_string(),
        })?;
        let max_tokens = config.max_tokens.clamp(8, bert.max_position_embeddings);
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_tokens,
                strategy: TruncationStrategy::LongestFirst,
                stride: 0,
                direction: TruncationDirection::Right,
            }))
            .map_err(|e| EncoderError::Invalid {
                path: dir.join("tokenizer.json"),
                what: "tokenizer",
                detail: e.to_string(),
            })?;
        if tokenizer.get_vocab_size(true) > bert.vocab_size {
            return Err(EncoderError::Mismatch {
                dir,
                detail: format!(
                    "the tokenizer has {} tokens, the model's embedding table {}",
                    tokenizer.get_vocab_size(true),
                    bert.vocab_size
                ),
            });
        }
        let vb = VarBuilder::from_buffered_safetensors(files.weights, DType::F32, &Device::Cpu).map_err(|e| {
            EncoderError::Invalid {
                path: dir.join("model.safetensors"),
                what: "safetensors file",
                detail: e.to_string(),
            }
        })?;
        let mut model = Bert::load(vb, &bert).map_err(|e| EncoderError::Mismatch {
            dir: dir.clone(),
            detail: format!("weights against config.json: {e}"),
        })?;
        if config.precision == Precision::Int8 {
            model.quantize().map_err(|e| EncoderError::Inference(format!("cannot quantize the weights: {e}")))?;
        }
        let pool = match config.threads {
            Some(n) => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n.max(1))
                    .thread_name(|i| format!("tenor-encoder-{i}"))
                    .build()
                    .map_err(|e| EncoderError::Inference(format!("cannot start {n} encoder threads: {e}")))?,
            ),
            None => None,
        };
        let config = EncoderConfig { max_tokens, batch_size: config.batch_size.max(1), ..config };
        Ok(Encoder {
            name: manifest.name.clone(),
            version: manifest.version.clone(),
            model,
            hidden: bert.hidden_size,
            bert,
            tokenizer,
            config,
            pool,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    /// Width of the token vectors and embeddings.
    pub fn dim(&self) -> usize {
        self.hidden
    }

    pub fn config(&self) -> &EncoderConfig {
        &self.config
    }

    /// The transformer's configuration (`config.json`).
    pub fn bert_config(&self) -> &BertConfig {
        &self.bert
    }

    /// The transformer itself (its layers can be run one by one, e.g. fine-tuned top layers on cached outputs
    /// of the bottom ones).
    pub fn bert(&self) -> &Bert {
        &self.model
    }

    /// Runs `f` inside the encoder's thread pool (if [`EncoderConfig::threads`] set one), as
    /// [`Encoder::encode`] does.
    pub fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        match &self.pool {
            Some(pool) => pool.install(f),
            None => f(),
        }
    }

    /// Like [`Encoder::encode`], but each text's vectors are those after the first `layers` layers (the
    /// input of layer `layers`; all layers: the same as `encode`). A model with fine-tuned top layers shares
    /// these bottom-layer vectors between its stock and its fine-tuned tops.
    pub fn encode_through(&self, texts: &[&str], layers: usize) -> Result<Vec<Encoded>, EncoderError> {
        let layers = layers.min(self.model.layers());
        self.install(|| self.encode_here(texts, layers))
    }

    /// Encodes texts, one [`Encoded`] per text in the order given. Texts are sorted by token count and run
    /// `batch_size` at a time, each batch padded to its longest text.
    pub fn encode(&self, texts: &[&str]) -> Result<Vec<Encoded>, EncoderError> {
        self.install(|| self.encode_here(texts, self.model.layers()))
    }

    /// The rest of the encoder on encodings from [`Encoder::encode_through`]`(texts, from)`: layers `from..`,
    /// giving (to float rounding) what [`Encoder::encode`] gives for the same texts. With it, one bottom pass
    /// per sentence feeds both the stock top layers and a fine-tuned copy of them ([`crate::TopLayers`]).
    pub fn encode_rest(&self, bottom: &[Encoded], from: usize) -> Result<Vec<Encoded>, EncoderError> {
        self.install(|| {
            let mut order: Vec<usize> = (0..bottom.len()).collect();
            order.sort_by_key(|&i| (bottom[i].tokens(), i));
            let mut out: Vec<Option<Encoded>> = vec![None; bottom.len()];
            let h = self.hidden;
            for batch in order.chunks(self.config.batch_size) {
                let width = batch.iter().map(|&i| bottom[i].tokens()).max().unwrap_or(0);
                let mut x = vec![0f32; batch.len() * width * h];
                let mut mask = vec![0u32; batch.len() * width];
                for (row, &i) in batch.iter().enumerate() {
                    let e = &bottom[i];
                    x[row * width * h..row * width * h + e.vectors.len()].copy_from_slice(&e.vectors);
                    mask[row * width..row * width + e.tokens()].iter_mut().for_each(|m| *m = 1);
                }
                let run = || -> candle_core::Result<Vec<f32>> {
                    let x = Tensor::from_vec(x, (batch.len(), width, h), &Device::Cpu)?;
                    let mask = Tensor::from_vec(mask, (batch.len(), width), &Device::Cpu)?;
                    self.model.forward_from(&x, &mask, from)?.flatten_all()?.to_vec1::<f32>()
                };
                let hidden = run().map_err(|e| EncoderError::Inference(e.to_string()))?;
                for (row, &i) in batch.iter().enumerate() {
                    let e = &bottom[i];
                    let start = row * width * h;
                    out[i] =
                        Some(Encoded { vectors: hidden[start..start + e.vectors.len()].to_vec(), ..e.clone() });
                }
            }
            Ok(out.into_iter().map(|e| e.expect("every encoding is in one batch")).collect())
        })
    }

    fn encode_here(&self, texts: &[&str], layers: usize) -> Result<Vec<Encoded>, EncoderError> {
        let mut encodings = Vec::with_capacity(texts.len());
        for text in texts {
            let encoding = self
                .tokenizer
                .encode(*text, true)
                .map_err(|e| EncoderError::Inference(format!("tokenizer: {e}")))?;
            encodings.push(encoding);
        }
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| (encodings[i].len(), i));
        let mut out: Vec<Option<Encoded>> = vec![None; texts.len()];
        for batch in order.chunks(self.config.batch_size) {
            let width = batch.iter().map(|&i| encodings[i].len()).max().unwrap_or(0);
            let mut ids = Vec::with_capacity(batch.len() * width);
            let mut mask = Vec::with_capacity(batch.len() * width);
            for &i in batch {
                let e = &encodings[i];
                ids.extend_from_slice(e.get_ids());
                ids.extend(std::iter::repeat_n(0u32, width - e.len()));
                mask.extend(std::iter::repeat_n(1u32, e.len()));
                mask.extend(std::iter::repeat_n(0u32, width - e.len()));
            }
            let hidden = self.forward(&ids, &mask, batch.len(), width, layers)?;
            for (row, &i) in batch.iter().enumerate() {
                let e = &encodings[i];
                let n = e.len();
                let start = row * width * self.hidden;
                let offsets = e
                    .get_offsets()
                    .iter()
                    .zip(e.get_special_tokens_mask())
                    .map(|(&(a, b), &special)| (special == 0 && a < b).then_some(a..b))
                    .collect();
                out[i] = Some(Encoded {
                    dim: self.hidden,
                    vectors: hidden[start..start + n * self.hidden].to_vec(),
                    offsets,
                    truncated: !e.get_overflowing().is_empty(),
                });
            }
        }
        Ok(out.into_iter().map(|e| e.expect("every text is in one batch")).collect())
    }

    fn forward(
        &self,
        ids: &[u32],
        mask: &[u32],
        rows: usize,
        width: usize,
        layers: usize,
    ) -> Result<Vec<f32>, EncoderError> {
        let run = || -> candle_core::Result<Vec<f32>> {
            let device = Device::Cpu;
            let ids = Tensor::from_slice(ids, (rows, width), &device)?;
            let mask = Tensor::from_slice(mask, (rows, width), &device)?;
            let hidden = self.model.forward_through(&ids, &mask, layers)?;
            hidden.flatten_all()?.to_vec1::<f32>()
        };
        run().map_err(|e| EncoderError::Inference(e.to_string()))
    }
}
