//! Tiers: which models score a sentence. `linear` (the hashed-feature scorers, every sentence), `encoder` (the
//! transformer and its heads, every sentence), or `cascade` (linear everywhere, then the encoder on a share of
//! each article's sentences, claim-bearing and least certain first).
//!
//! Guarantees: every scored sentence says which tier scored it ([`ScoredBy`], the record's `tier`); the
//! encoder runs once per sentence, shared by the sentence and claim heads and by every target mention (each
//! target pools its own tokens); which sentences the cascade sends to the encoder depends only on the
//! article, so a replay picks the same ones.

use std::ops::Range;
use std::sync::Arc;

use tenor_core::{InputError, ModelRef, ScoredBy, StanceLabel, StanceProbs};
use tenor_encoder::{Encoded, Encoder};
use tenor_models::{shipped, ByteEvidence, Head, HeadInput, ModelError, ScoredStance, Task};

use crate::scoring::{ScoredTarget, SentenceScores};

/// Which tier scores sentences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    #[default]
    Linear,
    Encoder,
    Cascade,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Linear => "linear",
            Tier::Encoder => "encoder",
            Tier::Cascade => "cascade",
        }
    }
}

impl std::str::FromStr for Tier {
    type Err = String;
    fn from_str(s: &str) -> Result<Tier, String> {
        match s {
            "linear" => Ok(Tier::Linear),
            "encoder" => Ok(Tier::Encoder),
            "cascade" => Ok(Tier::Cascade),
            other => Err(format!("unknown tier {other:?} (linear, encoder or cascade)")),
        }
    }
}

/// The tier and, for the cascade, the share of each article's sentences the encoder re-scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TierConfig {
    pub tier: Tier,
    /// Cascade only: the share (0..=1) of each article's sentences sent to the encoder, rounded up.
    pub encoder_share: f64,
}

impl Default for TierConfig {
    fn default() -> Self {
        TierConfig { tier: Tier::Linear, encoder_share: DEFAULT_CASCADE_SHARE }
    }
}

/// The cascade's default encoder share (docs/MODELS.md, "Tiers", has the table behind it).
pub const DEFAULT_CASCADE_SHARE: f64 = 0.3;

/// The encoder and its three heads, checked to belong together. Cloning shares the encoder.
#[derive(Debug, Clone)]
pub struct EncoderModels {
    encoder: Arc<Encoder>,
    stance: Head,
    sentence_stance: Head,
    claim: Head,
    refs: [ModelRef; 3],
    encoder_ref: ModelRef,
}

impl EncoderModels {
    /// Builds the tier from a loaded encoder (whose weights have `weights_sha256`) and the heads' file bytes
    /// (per-target stance, sentence stance, claim).
    pub fn new(
        encoder: Arc<Encoder>,
        weights_sha256: &str,
        stance: &[u8],
        sentence_stance: &[u8],
        claim: &[u8],
    ) -> Result<EncoderModels, ModelError> {
        let load = |bytes: &[u8], task: Task, input: HeadInput| -> Result<(Head, ModelRef), ModelError> {
            let head = Head::from_bytes(bytes)?;
            let name = head.file().name.clone();
            if head.task() != task {
                return Err(ModelError::WrongTask { name, found: head.task(), expected: task });
            }
            if head.input() != input {
                return Err(ModelError::Corrupt {
                    name,
                    detail: format!("reads {:?}, expected {input:?}", head.input()),
                });
            }
            head.check_encoder(encoder.name(), weights_sha256, encoder.dim())?;
            let sha256 = tenor_models::sha256_hex(bytes);
            let r = ModelRef { name: head.file().name.clone(), version: head.file().version.clone(), sha256 };
            Ok((head, r))
        };
        let (stance, stance_ref) = load(stance, Task::Stance, HeadInput::SentenceAndTarget)?;
        let (sentence_stance, sentence_ref) = load(sentence_stance, Task::Stance, HeadInput::Sentence)?;
        let (claim, claim_ref) = load(claim, Task::Claim, HeadInput::Sentence)?;
        // The precision is part of the version records carry: `0.1.2` is the f32 encoder, `0.1.2+int8` the same
        // weights with int8 dense layers.
        let version = match encoder.config().precision {
            tenor_encoder::Precision::F32 => encoder.version().to_owned(),
            precision => format!("{}+{precision}", encoder.version()),
        };
        let encoder_ref = ModelRef { name: encoder.name().to_owned(), version, sha256: weights_sha256.to_owned() };
        Ok(EncoderModels {
            encoder,
            stance,
            sentence_stance,
            claim,
            refs: [sentence_ref, stance_ref, claim_ref],
            encoder_ref,
        })
    }

    /// The tier with the heads built into the binary (`models/encoder_*`).
    pub fn shipped(encoder: Arc<Encoder>, weights_sha256: &str) -> Result<EncoderModels, ModelError> {
        EncoderModels::new(
            encoder,
            weights_sha256,
            shipped::ENCODER_STANCE,
            shipped::ENCODER_SENTENCE_STANCE,
            shipped::ENCODER_CLAIM,
        )
    }

    pub fn encoder(&self) -> &Encoder {
        &self.encoder
    }

    /// The transformer's identity (its manifest's name and version, its weights' sha256).
    pub fn encoder_ref(&self) -> &ModelRef {
        &self.encoder_ref
    }

    /// The heads' identities: sentence stance, target stance, claim.
    pub fn refs(&self) -> &[ModelRef; 3] {
        &self.refs
    }

    /// Scores sentences with one encoder pass each; `targets[i]` are sentence `i`'s target mentions as
    /// (mention, byte range into the sentence).
    pub fn score(
        &self,
        texts: &[&str],
        targets: &[Vec<(String, Range<usize>)>],
    ) -> Result<Vec<SentenceScores>, InputError> {
        let encoded = self.encoder.encode(texts).map_err(|e| InputError::Model(format!("encoder: {e}")))?;
        Ok(encoded
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let sentence = e.pooled(None);
                let stance = stance_of(&self.sentence_stance, &sentence, e);
                let claim = self.claim.claim(&sentence);
                let targets = targets
                    .get(i)
                    .map(|ts| {
                        ts.iter()
                            .map(|(mention, range)| ScoredTarget {
                                mention: mention.clone(),
                                range: range.clone(),
                                stance: stance_of(&self.stance, &e.pooled(Some(range)), e),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                SentenceScores {
                    stance,
                    claim,
                    targets,
                    scored_by: ScoredBy::Encoder,
                    embedding: Some(e.embedding()),
                }
            })
            .collect())
    }
}

/// Evidence words per scored stance.
const EVIDENCE_WORDS: usize = 3;

/// A head's stance, with evidence: the words whose tokens add most to the chosen label over the others. The
/// sentence half of a head's input is the mean of the token vectors, so the head's score splits exactly into
/// one term per token (the token's vector through the head's weights); a word's weight is its tokens' sum.
fn stance_of(head: &Head, x: &[f32], encoded: &Encoded) -> ScoredStance {
    let probs = head.probabilities(x);
    let best = (0..probs.len()).fold(0, |b, c| if probs[c] > probs[b] { c } else { b });
    let label = [StanceLabel::Negative, StanceLabel::Neutral, StanceLabel::Positive][best];
    let file = head.file();
    let dim = encoded.dim;
    let n = encoded.tokens() as f64;
    let k = file.weights.len() as f64;
    // Weight of column j toward the chosen label against the mean of the others.
    let direction: Vec<f64> = (0..dim)
        .map(|j| {
            let w_best = f64::from(file.weights[best][j]);
            let w_rest = file
                .weights
                .iter()
                .enumerate()
                .filter(|(c, _)| *c != best)
                .map(|(_, w)| f64::from(w[j]))
                .sum::<f64>()
                / (k - 1.0);
            (w_best - w_rest) / f64::from(file.scale[j])
        })
        .collect();
    let mut words: Vec<(Range<usize>, f64)> = Vec::new();
    for (t, offset) in encoded.offsets.iter().enumerate() {
        let Some(range) = offset else { continue };
        let v = encoded.vector(t);
        let contribution = v.iter().zip(&direction).map(|(&x, &d)| f64::from(x) * d).sum::<f64>() / n;
        match words.last_mut() {
            Some((last, weight)) if last.end == range.start => {
                last.end = range.end;
                *weight += contribution;
            }
            _ => words.push((range.clone(), contribution)),
        }
    }
    words.retain(|(_, w)| *w > 0.0);
    words.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.start.cmp(&b.0.start)));
    words.truncate(EVIDENCE_WORDS);
    words.sort_by_key(|(r, _)| r.start);
    ScoredStance {
        label,
        confidence: probs[best],
        probs: StanceProbs { negative: probs[0], neutral: probs[1], positive: probs[2] },
        evidence: words.into_iter().map(|(range, weight)| ByteEvidence { range, weight }).collect(),
    }
}

/// The cascade's choice: which of an article's linearly scored sentences go to the encoder. Claim-bearing
/// sentences first, then the least certain sentence stance; `ceil(share * n)` of them, in sentence order.
pub fn cascade_pick(linear: &[SentenceScores], share: f64) -> Vec<usize> {
    let n = linear.len();
    let take = ((share.clamp(0.0, 1.0) * n as f64).ceil() as usize).min(n);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        let (sa, sb) = (&linear[a], &linear[b]);
        sb.claim
            .is_claim
            .cmp(&sa.claim.is_claim)
            .then(sa.stance.confidence.total_cmp(&sb.stance.confidence))
            .then(a.cmp(&b))
    });
    let mut picked: Vec<usize> = order.into_iter().take(take).collect();
    picked.sort_unstable();
    picked
}
