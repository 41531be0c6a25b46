//! A sentence embedding as a sentence record carries it (`tenor.sentence/1`'s optional `embedding`): the
//! encoder tier's sentence vector, quantised to one signed byte a value with one scale, in base64, and the
//! encoder that made it. `tenor serve` / `tenor scorer` put it on claim sentences the encoder scored, so
//! that the Kafka claims service can cluster paraphrases as `tenor run` does in-process (docs/RECORDS.md).
//!
//! 384 values take 512 characters of base64: about a sixth of the floats as JSON numbers. Quantisation
//! moves each value by at most half a step (`scale / 2`, with `scale = max |value| / 127`); on unit
//! vectors of 384 values that changes a cosine by well under 0.01 (tested below).

use base64::Engine;
use serde::{Deserialize, Serialize};

/// Hex digits of the encoder's weights sha256 kept in [`SentenceEmbedding::encoder`].
pub const ENCODER_ID_HEX: usize = 16;

/// Most values an embedding may carry (a reader refuses more: a record is not a place for a matrix).
pub const MAX_EMBEDDING_DIM: usize = 4096;

/// A quantised sentence embedding: `value[i] ≈ i8[i] · scale`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentenceEmbedding {
    /// The encoder that made it: the first 16 hex digits of its weights' sha256 (the record's
    /// `model.encoder.sha256`). Vectors of two encoders are not comparable.
    pub encoder: String,
    /// Number of values.
    pub dim: usize,
    /// Size of one quantisation step.
    pub scale: f32,
    /// The values as signed bytes (−127..=127), standard base64 with padding.
    pub i8: String,
}

/// Why an embedding cannot be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("embedding: {0}")]
pub struct EmbeddingError(pub String);

/// The short form of an encoder's weights sha256 that embeddings carry.
pub fn encoder_id(weights_sha256: &str) -> String {
    weights_sha256.chars().take(ENCODER_ID_HEX).collect::<String>().to_ascii_lowercase()
}

impl SentenceEmbedding {
    /// Quantises `values` (any length up to [`MAX_EMBEDDING_DIM`], finite); `None` when empty, too long, not
    /// finite or all zero. `weights_sha256` names the encoder (shortened with [`encoder_id`]).
    pub fn quantise(values: &[f32], weights_sha256: &str) -> Option<SentenceEmbedding> {
        if values.is_empty() || values.len() > MAX_EMBEDDING_DIM || !values.iter().all(|v| v.is_finite()) {
            return None;
        }
        let max = values.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        if max <= 0.0 {
            return None;
        }
        let scale = max / 127.0;
        let bytes: Vec<u8> = values.iter().map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8 as u8).collect();
        Some(SentenceEmbedding {
            encoder: encoder_id(weights_sha256),
            dim: values.len(),
            scale,
            i8: base64::engine::general_purpose::STANDARD.encode(bytes),
        })
    }

    /// The values back (`i8 · scale`). Fails when the base64 is invalid, its length is not `dim`, `dim` is
    /// over [`MAX_EMBEDDING_DIM`] or `scale` is not a finite positive number.
    pub fn values(&self) -> Result<Vec<f32>, EmbeddingError> {
        if self.dim == 0 || self.dim > MAX_EMBEDDING_DIM {
            return Err(EmbeddingError(format!("dim {} is not in 1..={MAX_EMBEDDING_DIM}", self.dim)));
        }
        if !(self.scale.is_finite() && self.scale > 0.0) {
            return Err(EmbeddingError(format!("scale {} is not a finite positive number", self.scale)));
        }
        // Four base64 characters a three bytes: refuse a long string before decoding it.
        if self.i8.len() > self.dim.div_ceil(3) * 4 {
            return Err(EmbeddingError(format!("i8 is longer than {} values", self.dim)));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&self.i8)
            .map_err(|e| EmbeddingError(format!("i8 is not base64: {e}")))?;
        if bytes.len() != self.dim {
            return Err(EmbeddingError(format!("i8 holds {} values, dim says {}", bytes.len(), self.dim)));
        }
        Ok(bytes.into_iter().map(|b| f32::from(b as i8) * self.scale).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(seed: u64, dim: usize) -> Vec<f32> {
        // A fixed pseudo-random vector (xorshift), made unit length.
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let v: Vec<f32> = (0..dim)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % 2001) as f32 / 1000.0 - 1.0
            })
            .collect();
        let n = v.iter().map(|a| a * a).sum::<f32>().sqrt();
        v.iter().map(|a| a / n).collect()
    }

    fn cosine(a: &[f32], b: &[f32]) -> f64 {
        let dot: f64 = a.iter().zip(b).map(|(x, y)| f64::from(*x) * f64::from(*y)).sum();
        let na: f64 = a.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
        let nb: f64 = b.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
        dot / (na * nb)
    }

    #[test]
    fn a_quantised_embedding_round_trips_through_json_and_keeps_cosines() {
        let sha = "ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789";
        let mut worst: f64 = 0.0;
        for seed in 1..40 {
            let (a, b) = (unit(seed, 384), unit(seed + 1000, 384));
            // A pair at a cosine near the clustering thresholds: b pulled toward a.
            let b: Vec<f32> = a.iter().zip(&b).map(|(x, y)| 0.8 * x + 0.35 * y).collect();
            let qa = SentenceEmbedding::quantise(&a, sha).unwrap();
            let qb = SentenceEmbedding::quantise(&b, sha).unwrap();
            let json = serde_json::to_string(&qa).unwrap();
            let back: SentenceEmbedding = serde_json::from_str(&json).unwrap();
            assert_eq!(back, qa);
            assert_eq!(qa.encoder, "abcdef0123456789");
            assert_eq!(qa.dim, 384);
            assert_eq!(qa.i8.len(), 512);
            let (da, db) = (back.values().unwrap(), qb.values().unwrap());
            worst = worst.max((cosine(&da, &db) - cosine(&a, &b)).abs());
            assert!(cosine(&da, &a) > 0.999);
        }
        assert!(worst < 0.01, "largest change of a cosine: {worst}");
        assert!(worst > 0.0, "quantisation changes something");
    }

    #[test]
    fn bad_embeddings_are_refused_not_panicked_on() {
        assert!(SentenceEmbedding::quantise(&[], "ab").is_none());
        assert!(SentenceEmbedding::quantise(&[0.0; 4], "ab").is_none());
        assert!(SentenceEmbedding::quantise(&[1.0, f32::NAN], "ab").is_none());
        let good = SentenceEmbedding::quantise(&[0.5, -1.0, 0.25], "ab").unwrap();
        assert_eq!(good.values().unwrap(), vec![0.503_937, -1.0, 0.251_968_5]);
        let bad = |f: fn(&mut SentenceEmbedding)| {
            let mut e = good.clone();
            f(&mut e);
            e.values().unwrap_err()
        };
        bad(|e| e.dim = 4);
        bad(|e| e.dim = 0);
        bad(|e| e.dim = MAX_EMBEDDING_DIM + 1);
        bad(|e| e.scale = f32::NAN);
        bad(|e| e.scale = -1.0);
        bad(|e| e.i8 = "%%%%".into());
        bad(|e| e.i8 = "A".repeat(10_000));
    }
}
