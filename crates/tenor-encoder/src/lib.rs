//! Tenor's encoder tier, the model half: a BERT-family transformer (all-MiniLM-L6-v2 by default) run with
//! candle, in pure Rust on the CPU, with the `tokenizers` crate's tokenizer.
//!
//! - [`files`]: a model directory (`config.json`, `model.safetensors`, `tokenizer.json`) checked against a
//!   pinned [`Manifest`] of sha256 digests before anything is parsed, with an error per way it can be wrong
//!   ([`EncoderError`]);
//! - [`encode`]: [`Encoder`], batched inference (inputs sorted into length buckets, padded per batch) giving an
//!   [`Encoded`] per text: token vectors, each token's byte range in the text, and pooling over the whole text
//!   or over the tokens of one byte range (a target mention's own tokens);
//! - [`quant`]: the dense layers in int8 ([`Precision::Int8`]), with the rounding bounded and exact integer
//!   products, so outputs stay identical run to run and batch to batch;
//! - [`top`]: [`TopLayers`], fine-tuned copies of the top layers with a classifier, run on the shared output
//!   of the bottom layers ([`Encoder::encode_through`]).
//!
//! Architecture invariants: this crate is pure (no Kafka, no tokio, no network: weights come only from a
//! directory the caller names, never from a hub); it knows nothing of stance or claims (the heads live in
//! `tenor-models`); and its outputs are identical run to run for the same input and thread count, whatever the
//! batch a text shares (padding is masked and each text is pooled over its own tokens).

pub mod bert;
pub mod encode;
pub mod files;
pub mod quant;
pub mod top;

pub use encode::{Encoded, Encoder, EncoderConfig};
pub use files::{EncoderError, Manifest, ModelFiles, DEFAULT_MANIFEST};
pub use quant::Precision;
pub use top::{TopLayers, TopRow};
