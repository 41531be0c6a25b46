//! Featurizer: a sentence (and optionally one target mention in it) to a hashed sparse feature vector.
//!
//! Pure and allocation-light: [`Featurizer::featurize`] fills a caller-owned [`FeatureBuffer`], so a scoring
//! thread reuses one buffer for every sentence. Every feature carries the token range that produced it, which
//! is how a scorer explains its decision with evidence spans.
//!
//! Stability: feature indices come from 64-bit FNV-1a ([`hash::Fnv1a`]) with fixed namespace bytes, so the same
//! text gives the same features on every machine and every build. Anything that changes which features a text
//! gets must bump [`FEATURE_VERSION`]; models store the version they were trained with and refuse to load
//! under another.
//!
//! Modules by role: `config` ([`FeatureConfig`], presets, [`FEATURE_VERSION`]), `target` ([`TargetRange`]),
//! `featurize` ([`Featurizer`], [`FeatureBuffer`], [`Feature`], words, negation, mention features), `dense`
//! (lexicon sums, shape, claim cues), `ngrams` (character n-grams), [`hash`], [`tokens`], [`lexicon`]. Every
//! public name is re-exported here.

mod config;
mod dense;
mod featurize;
pub mod hash;
pub mod lexicon;
mod ngrams;
mod target;
pub mod tokens;

use thiserror::Error;

pub use config::{FeatureConfig, FEATURE_VERSION};
pub use featurize::{digest_features, Feature, FeatureBuffer, Featurizer};
pub use lexicon::{LexEntry, Lexicons};
pub use target::TargetRange;
pub use tokens::{tokenize, Token};

/// The largest sentence featurized, in bytes; longer input is an error, never silently truncated.
pub const MAX_SENTENCE_BYTES: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FeatureError {
    #[error("sentence is empty or only white space")]
    Empty,
    #[error("sentence is {size} bytes, over the limit of {limit} bytes")]
    TooLong { size: usize, limit: usize },
    #[error("target {from}..{to} is invalid: {detail}")]
    InvalidTarget { from: usize, to: usize, detail: String },
    #[error("feature configuration is invalid: {0}")]
    InvalidConfig(String),
}
