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

pub mod hash;
pub mod lexicon;
pub mod tokens;

use std::ops::Range;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use hash::Fnv1a;
pub use lexicon::{LexEntry, Lexicons};
pub use tokens::{tokenize, Token};

/// Version of the feature extraction code. Bump on any change to tokenization, hashing or feature
/// definitions.
pub const FEATURE_VERSION: u32 = 1;

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

/// What features a model uses. Stored in the model file; the featurizer is rebuilt from it at load time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureConfig {
    /// [`FEATURE_VERSION`] of the code that trained the model.
    pub version: u32,
    /// Feature space size is `2^hash_bits`.
    pub hash_bits: u32,
    /// Word n-grams up to this length (1 or 2).
    pub word_ngrams: u8,
    /// Word-bounded character n-grams `[min, max]` (like scikit-learn's `char_wb`), or none.
    pub char_ngrams: Option<(u8, u8)>,
    /// Mark words in a negation scope (after a negator, up to clause punctuation or `negation_window` words).
    pub negation: bool,
    /// VADER and Pattern polarity/subjectivity sums, and hedge, reporting-verb and negator counts.
    pub lexicons: bool,
    /// Number and sentence-shape features (digits, percent, currency, first person, question).
    pub shape: bool,
    /// Target-relative features (words near the mention, by side and distance, lexicon scores in that window).
    pub target: bool,
    /// Words on each side of the mention that count as "near".
    pub target_window: u8,
    /// Check-worthiness cues (claims): years, magnitudes, comparisons and changes, named-entity-like
    /// capitalised words, modal and future words, and the reporting verb next to a number. Absent (false)
    /// in files written before it existed, and then not written, so those files and their features are
    /// unchanged.
    #[serde(default, skip_serializing_if = "is_false")]
    pub claim_cues: bool,
    /// Tenor's news-tone lexicon (`models/data/lexicons/news_tone_tenor.txt`: "productive", "breakthrough",
    /// "stalemate", "crackdown", ...): its valence fills the VADER and Pattern polarity sums for words those
    /// lexicons lack (negation flips it the same way), and it has positive and negative sums of its own.
    /// Absent (false) in files written before it existed, and then not written, so those files and their
    /// features are unchanged.
    #[serde(default, skip_serializing_if = "is_false")]
    pub news_tone: bool,
    /// Word-class n-grams: each word's Penn Treebank tag (its most frequent tag in GUM train, else a guess
    /// from its shape: number, capitalised, `-ing`, `-ed`, `-ly`, `-s`), and the sentence's tag unigrams,
    /// bigrams and trigrams ("CD NNS", "PRP MD VB"). Off in every preset: on ClaimBuster it did not improve
    /// the claim model's cross-validated F1 (docs/MODELS.md, "Claims"). Absent (false) in older files and
    /// then not written, like `claim_cues`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub word_classes: bool,
    /// Fixed expressions in negation scope ([`NEGATION_IDIOMS`]): a negator inside an expression that does
    /// not negate what follows ("no doubt", "no matter", "not only", "nothing but", "if not", "whether or
    /// not") opens no scope, counts as no negator, and the expression's words carry no lexicon valence;
    /// a multi-word negator ("no longer", "no one", "not yet") opens its scope after its last word. Every
    /// negator that does open a scope also gets a feature of its own (`NS_NEGATION_CUE`), so a model can
    /// weigh a real "no" apart from the idiomatic ones. Absent (false) in older files and then not written,
    /// like `claim_cues`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub negation_idioms: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl FeatureConfig {
    /// The plain baseline every evaluation reports beside Tenor: TF-IDF-like word 1–2 grams and char_wb 2–5
    /// grams, no lexicons, no negation, no target marker.
    pub fn baseline() -> FeatureConfig {
        FeatureConfig {
            version: FEATURE_VERSION,
            hash_bits: 14,
            word_ngrams: 2,
            char_ngrams: Some((2, 5)),
            negation: false,
            lexicons: false,
            shape: false,
            target: false,
            target_window: 0,
            claim_cues: false,
            news_tone: false,
            word_classes: false,
            negation_idioms: false,
        }
    }

    /// Tenor's stance features (with the news-tone lexicon since the models of 2026-11-27 10:00; the
    /// configuration without it is in the older model files and the pinned feature test).
    pub fn stance() -> FeatureConfig {
        FeatureConfig {
            version: FEATURE_VERSION,
            hash_bits: 14,
            word_ngrams: 2,
            char_ngrams: Some((3, 5)),
            negation: true,
            lexicons: true,
            shape: false,
            target: true,
            target_window: 4,
            claim_cues: false,
            news_tone: true,
            word_classes: false,
            negation_idioms: false,
        }
    }

    /// [`FeatureConfig::stance`] with `negation_idioms`: measured for both stance models on 2026-11-27 and
    /// not shipped (docs/MODELS.md, "Negation idioms"); `tenor train --features tenor-negation-idioms`.
    pub fn stance_with_negation_idioms() -> FeatureConfig {
        FeatureConfig { negation_idioms: true, ..FeatureConfig::stance() }
    }

    /// Tenor's claim features.
    pub fn claim() -> FeatureConfig {
        FeatureConfig {
            version: FEATURE_VERSION,
            hash_bits: 14,
            word_ngrams: 2,
            char_ngrams: Some((3, 5)),
            negation: true,
            lexicons: true,
            shape: true,
            target: false,
            target_window: 0,
            claim_cues: true,
            news_tone: false,
            word_classes: false,
            negation_idioms: false,
        }
    }

    pub fn validate(&self) -> Result<(), FeatureError> {
        if self.version != FEATURE_VERSION {
            return Err(FeatureError::InvalidConfig(format!(
                "feature version {} does not match this build's feature version {FEATURE_VERSION}; retrain the model",
                self.version
            )));
        }
        if !(8..=20).contains(&self.hash_bits) {
            return Err(FeatureError::InvalidConfig(format!("hash_bits {} is outside 8..=20", self.hash_bits)));
        }
        if !(1..=2).contains(&self.word_ngrams) {
            return Err(FeatureError::InvalidConfig(format!("word_ngrams {} is not 1 or 2", self.word_ngrams)));
        }
        if let Some((lo, hi)) = self.char_ngrams {
            if lo == 0 || lo > hi || hi > 8 {
                return Err(FeatureError::InvalidConfig(format!(
                    "char_ngrams ({lo}, {hi}) is not 1 <= min <= max <= 8"
                )));
            }
        }
        Ok(())
    }
}

/// One hashed feature, with the tokens `[from, to)` that produced it (`from == to`: the whole sentence).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Feature {
    pub index: u32,
    pub value: f32,
    pub from: u16,
    pub to: u16,
}

/// `digest` extended with every feature's bucket, value bits and token range, in order: what the checks that
/// features never change silently compare (the pinned unit test and `examples/feature_digest.rs`).
pub fn digest_features(mut digest: Fnv1a, features: &[Feature]) -> Fnv1a {
    for x in features {
        digest = digest
            .bytes(&x.index.to_le_bytes())
            .bytes(&x.value.to_bits().to_le_bytes())
            .bytes(&x.from.to_le_bytes())
            .bytes(&x.to.to_le_bytes());
    }
    digest
}

/// Reusable working memory for [`Featurizer::featurize`]; after a call it holds the features and the tokens.
#[derive(Debug, Default, Clone)]
pub struct FeatureBuffer {
    pub features: Vec<Feature>,
    pub tokens: Vec<Token>,
    norm: String,
    padded: Vec<u8>,
    bounds: Vec<usize>,
    negated: Vec<bool>,
    lex: Vec<Option<LexEntry>>,
    /// Under `negation_idioms`: at a negator that opens a scope, its length in tokens; else 0.
    negation_cue: Vec<u8>,
}

impl FeatureBuffer {
    pub fn new() -> FeatureBuffer {
        FeatureBuffer::default()
    }

    /// The normalised form of token `i`.
    pub fn norm(&self, i: usize) -> &str {
        let t = &self.tokens[i];
        &self.norm[t.norm_start as usize..t.norm_end as usize]
    }
}

/// A target mention as a byte range of the sentence, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRange(pub Range<usize>);

impl TargetRange {
    /// Converts NewsMTSC-style code-point offsets `[from, to)` into a byte range of `text`.
    ///
    /// Errors when the range is empty or reversed, ends past the text, or starts or ends inside a
    /// user-perceived character (before a combining mark, zero-width joiner, variation selector or emoji skin
    /// tone modifier, which belong to the character before them).
    pub fn from_code_points(text: &str, from: usize, to: usize) -> Result<TargetRange, FeatureError> {
        let invalid = |detail: String| FeatureError::InvalidTarget { from, to, detail };
        if from >= to {
            return Err(invalid("`from` must be smaller than `to`".into()));
        }
        let mut start = None;
        let mut end = None;
        let mut count = 0;
        for (i, (byte, c)) in text.char_indices().enumerate() {
            if i == from || i == to {
                if is_extending(c) {
                    return Err(invalid(format!(
                        "offset {i} splits a character (U+{:04X} extends the one before)",
                        c as u32
                    )));
                }
                if i == from {
                    start = Some(byte);
                } else {
                    end = Some(byte);
                    break;
                }
            }
            count = i + 1;
        }
        if to == count && end.is_none() {
            end = Some(text.len());
        }
        match (start, end) {
            (Some(start), Some(end)) => Ok(TargetRange(start..end)),
            _ => Err(invalid(format!("the text has only {} code points", text.chars().count()))),
        }
    }
}

fn is_extending(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F
        | 0xFE00..=0xFE0F | 0x200C..=0x200D | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F | 0xE0100..=0xE01EF)
}

// Namespace bytes: one per feature family, fixed forever (see FEATURE_VERSION).
const NS_WORD: u8 = 1;
const NS_WORD_NEG: u8 = 2;
const NS_BIGRAM: u8 = 3;
const NS_CHAR: u8 = 4;
const NS_DENSE: u8 = 5;
const NS_NEAR_LEFT: u8 = 6;
const NS_NEAR_RIGHT: u8 = 7;
const NS_NEAR_LEFT_NEG: u8 = 8;
const NS_NEAR_RIGHT_NEG: u8 = 9;
const NS_ADJACENT: u8 = 10;
const NS_MENTION: u8 = 11;
const NS_CLASS: u8 = 12;
const NS_NEGATION_CUE: u8 = 13;

// Claim cues (FeatureConfig::claim_cues), by slot.
const CUE_YEAR: usize = 0;
const CUE_MAGNITUDE: usize = 1;
const CUE_COMPARE: usize = 2;
const CUE_CHANGE: usize = 3;
const CUE_MODAL: usize = 4;
const CUE_NAME: usize = 5;
const CUE_NUMBER_RUN: usize = 6;
const CUE_QUANTITY: usize = 7;
const CUE_NAMES: [&[u8]; 8] =
    [b"year", b"magnitude", b"compare", b"change", b"modal", b"name", b"number_run", b"quantity"];

/// Words after a negator that stay in its scope when no clause punctuation comes first.
const NEGATION_WINDOW: usize = 4;

/// What a fixed expression with a negator in it does to the words after it (`FeatureConfig::negation_idioms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdiomKind {
    /// The expression does not negate what follows: "no doubt it helped" affirms, "no matter how hard"
    /// concedes, "not only X but Y" adds, "nothing but praise" restricts, "many, if not most" strengthens.
    /// No scope opens, it counts as no negator, and its own words carry no lexicon valence ("doubt" is not
    /// negative in "no doubt").
    NotNegating,
    /// A negator of more than one word: its scope opens after the last one, so "no longer safe" negates
    /// "safe" with the full window and "longer" is part of the negator, not a negated word.
    Negator,
}

/// Fixed expressions around a negator: (words, position of the negator among them, kind). A pattern word
/// "not" also matches the token "n't" ("isn't the only"). The first match wins, so an expression comes
/// before any shorter one it starts with ("no more than" before "no more"). Chosen from what the negators
/// of the NewsMTSC *train* sentences are followed by ("not only" 28, "not just" 15, "no longer" 12, "no one"
/// 11, "or not" 11, "no doubt" 10, "no matter" 9, "not yet" 9, "not the first/only" 13, "no more than" 4,
/// "nothing but" 3, "no secret" 2, ...) and standard English idioms of the same kinds.
pub const NEGATION_IDIOMS: &[(&[&str], usize, IdiomKind)] = {
    use IdiomKind::{Negator, NotNegating};
    &[
        (&["no", "less", "than"], 0, NotNegating),
        (&["no", "more", "than"], 0, NotNegating),
        (&["nothing", "less", "than"], 0, NotNegating),
        (&["nothing", "short", "of"], 0, NotNegating),
        (&["none", "other", "than"], 0, NotNegating),
        (&["not", "the", "only"], 0, NotNegating),
        (&["not", "the", "first"], 0, NotNegating),
        (&["not", "to", "mention"], 0, NotNegating),
        (&["not", "be", "more"], 0, NotNegating),
        (&["without", "a", "doubt"], 0, NotNegating),
        (&["no", "doubt"], 0, NotNegating),
        (&["no", "matter"], 0, NotNegating),
        (&["no", "wonder"], 0, NotNegating),
        (&["no", "secret"], 0, NotNegating),
        (&["no", "stranger"], 0, NotNegating),
        (&["no", "sooner"], 0, NotNegating),
        (&["no", "less"], 0, NotNegating),
        (&["not", "only"], 0, NotNegating),
        (&["not", "just"], 0, NotNegating),
        (&["not", "merely"], 0, NotNegating),
        (&["not", "simply"], 0, NotNegating),
        (&["not", "least"], 0, NotNegating),
        (&["never", "mind"], 0, NotNegating),
        (&["nothing", "but"], 0, NotNegating),
        (&["without", "doubt"], 0, NotNegating),
        (&["without", "question"], 0, NotNegating),
        (&["if", "not"], 1, NotNegating),
        (&["or", "not"], 1, NotNegating),
        (&["no", "longer"], 0, Negator),
        (&["no", "one"], 0, Negator),
        (&["no", "more"], 0, Negator),
        (&["not", "yet"], 0, Negator),
        (&["not", "even"], 0, Negator),
        (&["never", "again"], 0, Negator),
    ]
};

/// The fixed expression of [`NEGATION_IDIOMS`] around the negator at token `i`: its token range and kind.
fn negation_idiom(buf: &FeatureBuffer, i: usize) -> Option<(Range<usize>, IdiomKind)> {
    let n = buf.tokens.len();
    NEGATION_IDIOMS.iter().find_map(|&(words, at, kind)| {
        let start = i.checked_sub(at)?;
        let end = start + words.len();
        let matches = end <= n
            && words.iter().enumerate().all(|(k, &pattern)| {
                let word = buf.norm(start + k);
                (word == pattern || (pattern == "not" && word == "n't"))
                    && (k == 0 || !buf.tokens[start + k].break_before)
            });
        matches.then_some((start..end, kind))
    })
}

/// Builds feature vectors for one [`FeatureConfig`]. Immutable: share it across threads.
#[derive(Debug, Clone)]
pub struct Featurizer {
    config: FeatureConfig,
    lexicons: Option<Lexicons>,
}

impl Featurizer {
    pub fn new(config: FeatureConfig) -> Result<Featurizer, FeatureError> {
        config.validate()?;
        let mut lexicons =
            (config.lexicons || config.negation || config.claim_cues || config.news_tone || config.word_classes)
                .then(Lexicons::builtin);
        if let Some(lex) = lexicons.as_mut().filter(|_| config.word_classes) {
            lex.add_word_classes();
        }
        Ok(Featurizer { config, lexicons })
    }

    pub fn config(&self) -> &FeatureConfig {
        &self.config
    }

    pub fn dimension(&self) -> usize {
        1 << self.config.hash_bits
    }

    /// Featurizes `text`, optionally toward the mention at byte range `target`, into `buf.features`.
    ///
    /// Feature values are grouped and each group is scaled by `1/sqrt(n)` (n = features in the group), a
    /// cheap stand-in for L2 normalisation that keeps long and short sentences comparable. Repeated indices
    /// are not merged: a dot product sums them, which is what counts are for.
    pub fn featurize(
        &self,
        text: &str,
        target: Option<&TargetRange>,
        buf: &mut FeatureBuffer,
    ) -> Result<(), FeatureError> {
        if text.len() > MAX_SENTENCE_BYTES {
            return Err(FeatureError::TooLong { size: text.len(), limit: MAX_SENTENCE_BYTES });
        }
        if text.trim().is_empty() {
            return Err(FeatureError::Empty);
        }
        if let Some(t) = target {
            if t.0.start >= t.0.end
                || t.0.end > text.len()
                || !text.is_char_boundary(t.0.start)
                || !text.is_char_boundary(t.0.end)
            {
                return Err(FeatureError::InvalidTarget {
                    from: t.0.start,
                    to: t.0.end,
                    detail: "not a byte range of the text".into(),
                });
            }
        }
        tokenize(text, &mut buf.tokens, &mut buf.norm);
        // Provenance is stored in u16; tokens past that still count but point at the last representable one.
        buf.features.clear();
        let bits = self.config.hash_bits;
        let n = buf.tokens.len();
        let tok = |i: usize| i.min(u16::MAX as usize - 1) as u16;

        // Negation scopes and lexicon lookups.
        buf.negated.clear();
        buf.negated.resize(n, false);
        buf.lex.clear();
        buf.negation_cue.clear();
        if self.config.negation_idioms {
            buf.negation_cue.resize(n, 0);
        }
        if let (Some(lex), true) = (&self.lexicons, self.config.negation_idioms) {
            self.negation_scopes_with_idioms(lex, buf);
        } else if let Some(lex) = &self.lexicons {
            let mut scope = 0usize;
            for i in 0..n {
                let t = buf.tokens[i];
                let entry = lex.get(&buf.norm[t.norm_start as usize..t.norm_end as usize]).copied();
                if t.break_before {
                    scope = 0;
                }
                if self.config.negation && scope > 0 {
                    buf.negated[i] = true;
                    scope -= 1;
                }
                if entry.is_some_and(|e| e.negator) {
                    scope = NEGATION_WINDOW;
                }
                buf.lex.push(entry);
            }
        }

        // Words and bigrams.
        let group = buf.features.len();
        for i in 0..n {
            let t = buf.tokens[i];
            let word = &buf.norm.as_bytes()[t.norm_start as usize..t.norm_end as usize];
            let ns = if buf.negated[i] { NS_WORD_NEG } else { NS_WORD };
            buf.features.push(Feature {
                index: Fnv1a::new(ns).bytes(word).bucket(bits),
                value: 1.0,
                from: tok(i),
                to: tok(i + 1),
            });
            // A negator that opens a scope (not one inside "no doubt"), as its own feature: the words of a
            // multi-word negator joined ("no longer").
            let cue_len = buf.negation_cue.get(i).map_or(0, |&l| l as usize);
            if cue_len > 0 {
                let mut h = Fnv1a::new(NS_NEGATION_CUE);
                for k in i..i + cue_len {
                    let c = buf.tokens[k];
                    h = h.bytes(&buf.norm.as_bytes()[c.norm_start as usize..c.norm_end as usize]).byte(0x1f);
                }
                buf.features.push(Feature {
                    index: h.bucket(bits),
                    value: 1.0,
                    from: tok(i),
                    to: tok(i + cue_len),
                });
            }
            if self.config.word_ngrams >= 2 && i > 0 {
                let p = buf.tokens[i - 1];
                let prev = &buf.norm.as_bytes()[p.norm_start as usize..p.norm_end as usize];
                let h = Fnv1a::new(NS_BIGRAM).bytes(prev).byte(0x1f).bytes(word);
                buf.features.push(Feature { index: h.bucket(bits), value: 1.0, from: tok(i - 1), to: tok(i + 1) });
            }
        }
        scale_group(&mut buf.features[group..]);

        // Word-bounded character n-grams.
        if let Some((lo, hi)) = self.config.char_ngrams {
            let (lo, hi) = (lo as usize, hi as usize);
            let group = buf.features.len();
            for i in 0..n {
                let t = buf.tokens[i];
                let word = &buf.norm.as_bytes()[t.norm_start as usize..t.norm_end as usize];
                if word.is_ascii() {
                    push_ascii_char_ngrams(
                        word,
                        lo,
                        hi,
                        bits,
                        tok(i),
                        tok(i + 1),
                        &mut buf.padded,
                        &mut buf.features,
                    );
                } else {
                    push_char_ngrams(
                        &buf.norm[t.norm_start as usize..t.norm_end as usize],
                        lo,
                        hi,
                        bits,
                        tok(i),
                        tok(i + 1),
                        &mut buf.bounds,
                        &mut buf.features,
                    );
                }
            }
            scale_group(&mut buf.features[group..]);
        }

        // Lexicon sums over the sentence, spread over the tokens that carry them so evidence can point at them.
        if self.config.lexicons && !buf.lex.is_empty() {
            self.lexicon_features(buf, 0..n, b"all", 1.0);
        }

        if self.config.shape {
            self.shape_features(text, buf);
        }
        if self.config.claim_cues {
            self.claim_cue_features(text, buf);
        }
        if self.config.word_classes {
            self.word_class_features(text, buf);
        }

        if self.config.target {
            match target {
                Some(target) => self.target_features(target, buf),
                // No mention: the stance of the sentence itself, so the whole sentence is the mention's
                // context and its lexicon sums count as "near". (Training rows always have a mention, so this
                // adds no feature a model was not trained on.)
                None if self.config.lexicons && !buf.lex.is_empty() => {
                    self.lexicon_features(buf, 0..n, b"near", 1.0)
                }
                None => {}
            }
        }
        Ok(())
    }

    /// Negation scopes and lexicon entries under `negation_idioms`: like the plain loop in `featurize`, but a
    /// negator inside a fixed expression of [`NEGATION_IDIOMS`] opens no scope (`NotNegating`, whose words
    /// also lose their lexicon entry) or opens it after the expression (`Negator`); every negator that opens
    /// a scope is recorded in `negation_cue` (the expression's length in tokens, at its first token).
    fn negation_scopes_with_idioms(&self, lex: &Lexicons, buf: &mut FeatureBuffer) {
        let n = buf.tokens.len();
        let mut scope = 0usize;
        // Tokens before this index belong to the fixed expression last matched: never negated themselves.
        let mut idiom_end = 0usize;
        let mut idiom_kind = IdiomKind::Negator;
        for i in 0..n {
            let t = buf.tokens[i];
            let mut entry = lex.get(&buf.norm[t.norm_start as usize..t.norm_end as usize]).copied();
            if t.break_before {
                scope = 0;
            }
            if i < idiom_end {
                if idiom_kind == IdiomKind::NotNegating {
                    entry = None;
                }
                buf.lex.push(entry);
                continue;
            }
            if self.config.negation && scope > 0 {
                buf.negated[i] = true;
                scope -= 1;
            }
            if entry.is_some_and(|e| e.negator) {
                buf.lex.push(entry);
                match negation_idiom(buf, i) {
                    Some((range, IdiomKind::NotNegating)) => {
                        for j in range.start..=i {
                            buf.lex[j] = None;
                        }
                        idiom_end = range.end;
                        idiom_kind = IdiomKind::NotNegating;
                    }
                    Some((range, IdiomKind::Negator)) => {
                        scope = NEGATION_WINDOW;
                        buf.negation_cue[i] = (range.end - i) as u8;
                        idiom_end = range.end;
                        idiom_kind = IdiomKind::Negator;
                    }
                    None => {
                        scope = NEGATION_WINDOW;
                        buf.negation_cue[i] = 1;
                    }
                }
                continue;
            }
            buf.lex.push(entry);
        }
    }

    fn dense(&self, name: &[u8]) -> u32 {
        Fnv1a::new(NS_DENSE).bytes(name).bucket(self.config.hash_bits)
    }

    /// The (VADER, Pattern, news-tone) valences of a word. Under `news_tone`, the news-tone valence stands in
    /// for VADER's and Pattern's (scaled to Pattern's -1..1) where those give the word none, so news words
    /// like "productive" or "stalemate" weigh in the polarity sums a model already relies on.
    #[inline]
    fn valences(&self, e: &LexEntry) -> [f32; 3] {
        if !self.config.news_tone {
            return [e.vader, e.polarity, 0.0];
        }
        let vader = if e.vader == 0.0 { e.tone } else { e.vader };
        let pattern = if e.polarity == 0.0 { e.tone / 4.0 } else { e.polarity };
        [vader, pattern, e.tone]
    }

    /// Polarity (VADER, Pattern, and under `news_tone` the news-tone lexicon; negated words flip),
    /// subjectivity, hedge, reporting-verb and negator features over tokens `range`, named with `prefix`.
    fn lexicon_features(&self, buf: &mut FeatureBuffer, range: Range<usize>, prefix: &[u8], weight: f32) {
        let mut sums = [0f32; 6]; // vader+, vader-, pattern+, pattern-, tone+, tone-
        let mut counts = [0u32; 4]; // subjective, hedge, reporting, negator
        for i in range.clone() {
            let Some(e) = buf.lex[i] else { continue };
            let flip = if buf.negated[i] { -0.74 } else { 1.0 };
            for (lexicon, valence) in self.valences(&e).into_iter().enumerate() {
                let signed = valence * flip;
                if signed > 0.0 {
                    sums[2 * lexicon] += signed
                } else {
                    sums[2 * lexicon + 1] -= signed
                }
            }
            counts[0] += u32::from(e.subjectivity >= 0.5);
            counts[1] += u32::from(e.hedge);
            counts[2] += u32::from(e.reporting);
            counts[3] += u32::from(e.negator);
        }
        // Squash sums to 0..1 so one long sentence cannot dominate: x / (x + k).
        let squash = |x: f32, k: f32| x / (x + k);
        let names: [&[u8]; 6] =
            [b"vader_pos", b"vader_neg", b"pattern_pos", b"pattern_neg", b"tone_pos", b"tone_neg"];
        let scales = [2.0, 2.0, 0.5, 0.5, 2.0, 2.0];
        for (slot, name) in names.iter().enumerate() {
            // The tone sums stay 0 without `news_tone`, so the features of older models are unchanged.
            if sums[slot] <= 0.0 {
                continue;
            }
            let total = sums[slot];
            let value = squash(total, scales[slot]) * weight;
            let index = self.dense_named(prefix, name);
            for i in range.clone() {
                let Some(e) = buf.lex[i] else { continue };
                let flip = if buf.negated[i] { -0.74 } else { 1.0 };
                let raw = self.valences(&e)[slot / 2] * flip;
                let share = if slot % 2 == 0 { raw.max(0.0) } else { (-raw).max(0.0) };
                if share > 0.0 {
                    buf.features.push(Feature {
                        index,
                        value: value * share / total,
                        from: i as u16,
                        to: i as u16 + 1,
                    });
                }
            }
        }
        let count_names: [&[u8]; 4] = [b"subjective", b"hedge", b"reporting", b"negator"];
        for (slot, name) in count_names.iter().enumerate() {
            if counts[slot] > 0 {
                let value = (counts[slot].min(3) as f32 / 3.0) * weight;
                let index = self.dense_named(prefix, name);
                buf.features.push(Feature {
                    index,
                    value,
                    from: range.start as u16,
                    to: range.end.min(u16::MAX as usize) as u16,
                });
            }
        }
    }

    fn dense_named(&self, prefix: &[u8], name: &[u8]) -> u32 {
        Fnv1a::new(NS_DENSE).bytes(prefix).byte(b':').bytes(name).bucket(self.config.hash_bits)
    }

    fn shape_features(&self, text: &str, buf: &mut FeatureBuffer) {
        let n = buf.tokens.len();
        let numbers = (0..n).filter(|&i| buf.norm(i).starts_with('0')).count();
        let push = |buf: &mut FeatureBuffer, name: &[u8], value: f32| {
            let index = self.dense(name);
            buf.features.push(Feature { index, value, from: 0, to: 0 });
        };
        if numbers > 0 {
            push(buf, b"has_number", 1.0);
            push(buf, b"numbers", numbers.min(4) as f32 / 4.0);
        }
        if text.contains('%') || text.contains("percent") {
            push(buf, b"percent", 1.0);
        }
        if text.contains('$') || text.contains('€') || text.contains('£') {
            push(buf, b"currency", 1.0);
        }
        if text.trim_end().ends_with('?') {
            push(buf, b"question", 1.0);
        }
        let first_person =
            (0..n).filter(|&i| matches!(buf.norm(i), "i" | "we" | "me" | "my" | "our" | "us")).count();
        if first_person > 0 {
            push(buf, b"first_person", first_person.min(3) as f32 / 3.0);
        }
        let length_bucket: &[u8] = match n {
            0..=5 => b"len_0_5",
            6..=12 => b"len_6_12",
            13..=25 => b"len_13_25",
            _ => b"len_26_",
        };
        push(buf, length_bucket, 1.0);
    }

    /// What makes a sentence a check-worthy factual claim beyond its words: concrete, checkable quantities
    /// (years, magnitudes, amounts with a comparison or a change), named things (capitalised words inside the
    /// sentence), and the absence of opinion markers (modals, future, first person + cognition verbs). Each
    /// cue is one feature per sentence, with the token that carries it as evidence.
    fn claim_cue_features(&self, text: &str, buf: &mut FeatureBuffer) {
        let n = buf.tokens.len();
        let mut counts = [0u32; CUE_NAMES.len()];
        let mut first_token = [u16::MAX; CUE_NAMES.len()];
        let mut mark = |cue: usize, i: usize, counts: &mut [u32; CUE_NAMES.len()]| {
            counts[cue] += 1;
            if first_token[cue] == u16::MAX {
                first_token[cue] = i.min(u16::MAX as usize - 1) as u16;
            }
        };
        let mut previous_number = false;
        for i in 0..n {
            let t = buf.tokens[i];
            let raw = &text[t.start as usize..t.end as usize];
            let word = buf.norm(i);
            let is_number = word.starts_with('0');
            let cue = buf.lex[i].map_or(0, |e| e.cue);
            if is_number && raw.len() == 4 && (raw.starts_with("19") || raw.starts_with("20")) {
                mark(CUE_YEAR, i, &mut counts);
            }
            for (bit, slot) in [
                (lexicon::CUE_MAGNITUDE, CUE_MAGNITUDE),
                (lexicon::CUE_COMPARE, CUE_COMPARE),
                (lexicon::CUE_CHANGE, CUE_CHANGE),
                (lexicon::CUE_MODAL, CUE_MODAL),
            ] {
                if cue & bit != 0 {
                    mark(slot, i, &mut counts);
                }
            }
            let capitalised = raw.chars().next().is_some_and(char::is_uppercase);
            if capitalised && i > 0 && !t.break_before && word != "i" {
                mark(CUE_NAME, i, &mut counts);
            }
            if is_number && previous_number {
                mark(CUE_NUMBER_RUN, i, &mut counts);
            }
            if is_number && i + 1 < n && buf.lex[i + 1].is_some_and(|e| e.cue & lexicon::CUE_UNIT != 0) {
                mark(CUE_QUANTITY, i, &mut counts);
            }
            previous_number = is_number;
        }
        if text.contains('$') && counts[CUE_MAGNITUDE] > 0 {
            counts[CUE_QUANTITY] += 1;
        }
        for (cue, name) in CUE_NAMES.iter().enumerate() {
            let value = match counts[cue] {
                0 => continue,
                c => (c.min(3) as f32 / 3.0).sqrt(),
            };
            let index = self.dense_named(b"cue", name);
            let at = if first_token[cue] == u16::MAX { 0 } else { first_token[cue] };
            let to = if first_token[cue] == u16::MAX { 0 } else { at + 1 };
            buf.features.push(Feature { index, value, from: at, to });
        }
        if counts[CUE_MODAL] == 0 && (counts[CUE_YEAR] + counts[CUE_MAGNITUDE] + counts[CUE_QUANTITY]) > 0 {
            let index = self.dense_named(b"cue", b"quantity_without_modal");
            buf.features.push(Feature { index, value: 1.0, from: 0, to: 0 });
        }
    }

    /// Word-class unigrams, bigrams and trigrams: the sentence's grammatical shape ("CD NNS" for "500 jobs",
    /// "VBD" for a past event, "PRP MD VB" for "we will do") that word n-grams spread over thousands of
    /// different words. One group, scaled like the word n-grams.
    fn word_class_features(&self, text: &str, buf: &mut FeatureBuffer) {
        let n = buf.tokens.len();
        let bits = self.config.hash_bits;
        let group = buf.features.len();
        let (mut previous, mut before) = (0u8, 0u8);
        for i in 0..n {
            let class = self.word_class(text, buf, i);
            let at = i.min(u16::MAX as usize - 1) as u16;
            buf.features.push(Feature {
                index: Fnv1a::new(NS_CLASS).byte(class).bucket(bits),
                value: 1.0,
                from: at,
                to: at + 1,
            });
            if i >= 1 {
                let h = Fnv1a::new(NS_CLASS).byte(previous).byte(class);
                buf.features.push(Feature { index: h.bucket(bits), value: 1.0, from: at - 1, to: at + 1 });
            }
            if i >= 2 {
                let h = Fnv1a::new(NS_CLASS).byte(before).byte(previous).byte(class);
                buf.features.push(Feature { index: h.bucket(bits), value: 1.0, from: at - 2, to: at + 1 });
            }
            (before, previous) = (previous, class);
        }
        scale_group(&mut buf.features[group..]);
    }

    /// The word class (`lexicon::WORD_CLASSES` index + 1) of token `i`: from the GUM lexicon, else from the
    /// word's shape. "Trump's" takes the class of "trump" when GUM has it.
    fn word_class(&self, text: &str, buf: &FeatureBuffer, i: usize) -> u8 {
        use lexicon::word_class_id as id;
        let known = buf.lex[i].map_or(0, |e| e.word_class);
        if known != 0 {
            return known;
        }
        let word = buf.norm(i);
        if let (Some(stem), Some(lex)) = (word.strip_suffix("'s"), &self.lexicons) {
            if let Some(class) = lex.get(stem).map(|e| e.word_class).filter(|&c| c != 0) {
                return class;
            }
        }
        let t = buf.tokens[i];
        let raw = &text[t.start as usize..t.end as usize];
        if word.starts_with('0') {
            id("CD")
        } else if raw.chars().next().is_some_and(char::is_uppercase) {
            id("NNP")
        } else if word.ends_with("ing") {
            id("VBG")
        } else if word.ends_with("ed") {
            id("VBD")
        } else if word.ends_with("ly") {
            id("RB")
        } else if word.ends_with('s') {
            id("NNS")
        } else {
            id("NN")
        }
    }

    fn target_features(&self, target: &TargetRange, buf: &mut FeatureBuffer) {
        let n = buf.tokens.len();
        let bits = self.config.hash_bits;
        let (start, end) = (target.0.start as u32, target.0.end as u32);
        let first = buf.tokens.iter().position(|t| t.end > start && t.start < end);
        let Some(first) = first else {
            // A mention with no word in it (punctuation only): only say so.
            let index = self.dense(b"mention_no_word");
            buf.features.push(Feature { index, value: 1.0, from: 0, to: 0 });
            return;
        };
        let last = buf.tokens.iter().rposition(|t| t.end > start && t.start < end).unwrap_or(first) + 1;
        let window = self.config.target_window as usize;
        let group = buf.features.len();
        for i in first..last {
            let index = Fnv1a::new(NS_MENTION).bytes(buf.norm(i).as_bytes()).bucket(bits);
            buf.features.push(Feature { index, value: 1.0, from: i as u16, to: i as u16 + 1 });
        }
        let left = first.saturating_sub(window)..first;
        let right = last..(last + window).min(n);
        for (range, ns, ns_neg, side) in [
            (left.clone(), NS_NEAR_LEFT, NS_NEAR_LEFT_NEG, b'L'),
            (right.clone(), NS_NEAR_RIGHT, NS_NEAR_RIGHT_NEG, b'R'),
        ] {
            for i in range {
                let word = buf.norm(i).as_bytes();
                let ns = if buf.negated[i] { ns_neg } else { ns };
                let index = Fnv1a::new(ns).bytes(word).bucket(bits);
                let distance = if side == b'L' { first - i } else { i - last + 1 };
                let adjacent = (distance <= 2)
                    .then(|| Fnv1a::new(NS_ADJACENT).byte(side).byte(distance as u8).bytes(word).bucket(bits));
                buf.features.push(Feature { index, value: 1.0, from: i as u16, to: i as u16 + 1 });
                if let Some(index) = adjacent {
                    buf.features.push(Feature { index, value: 1.0, from: i as u16, to: i as u16 + 1 });
                }
            }
        }
        scale_group(&mut buf.features[group..]);
        let position: &[u8] = if first == 0 {
            b"mention_first"
        } else if last == n {
            b"mention_last"
        } else if first * 3 < n {
            b"mention_early"
        } else {
            b"mention_late"
        };
        let index = self.dense(position);
        buf.features.push(Feature { index, value: 1.0, from: first as u16, to: last as u16 });
        if self.config.lexicons && !buf.lex.is_empty() {
            let near = left.start..right.end;
            self.lexicon_features(buf, near, b"near", 1.0);
        }
    }
}

/// Character n-grams of lengths `lo..=hi` of `" " + word + " "` (scikit-learn's `char_wb`), for an ASCII word:
/// one byte is one character, so every n-gram starting at a position is one more byte hashed onto the
/// previous, shorter one. Gives exactly the features of [`push_char_ngrams`], in the same order, without
/// finding character boundaries (the hot loop of featurizing).
#[allow(clippy::too_many_arguments)]
#[inline]
fn push_ascii_char_ngrams(
    word: &[u8],
    lo: usize,
    hi: usize,
    bits: u32,
    from: u16,
    to: u16,
    padded: &mut Vec<u8>,
    out: &mut Vec<Feature>,
) {
    padded.clear();
    padded.push(b' ');
    padded.extend_from_slice(word);
    padded.push(b' ');
    let chars = padded.len();
    if chars < lo {
        return;
    }
    out.reserve((chars - lo + 1) * (hi - lo + 1));
    let start = Fnv1a::new(NS_CHAR);
    for s in 0..=chars - lo {
        let h = start.bytes(&padded[s..s + lo - 1]);
        let end = (s + hi).min(chars);
        let mut h = h;
        for &b in &padded[s + lo - 1..end] {
            h = h.byte(b);
            out.push(Feature { index: h.bucket(bits), value: 1.0, from, to });
        }
    }
}

/// Character n-grams of lengths `lo..=hi` of `" " + word + " "`, counted in characters (any word).
#[allow(clippy::too_many_arguments)]
fn push_char_ngrams(
    word: &str,
    lo: usize,
    hi: usize,
    bits: u32,
    from: u16,
    to: u16,
    bounds: &mut Vec<usize>,
    out: &mut Vec<Feature>,
) {
    // Character boundaries of the padded word, as byte offsets into `word` shifted by the leading space.
    bounds.clear();
    bounds.push(0);
    bounds.extend(word.char_indices().map(|(b, _)| b + 1));
    bounds.push(word.len() + 1);
    bounds.push(word.len() + 2);
    let chars = bounds.len() - 1;
    let byte_at = |b: usize| if b == 0 || b == word.len() + 1 { b' ' } else { word.as_bytes()[b - 1] };
    for s in 0..chars {
        let mut h = Fnv1a::new(NS_CHAR);
        for len in 1..=hi {
            if s + len > chars {
                break;
            }
            for b in bounds[s + len - 1]..bounds[s + len] {
                h = h.byte(byte_at(b));
            }
            if len >= lo {
                out.push(Feature { index: h.bucket(bits), value: 1.0, from, to });
            }
        }
    }
}

fn scale_group(features: &mut [Feature]) {
    if features.is_empty() {
        return;
    }
    let scale = 1.0 / (features.len() as f32).sqrt();
    for f in features {
        f.value *= scale;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indices(f: &Featurizer, text: &str, target: Option<(usize, usize)>) -> Vec<(u32, u32)> {
        let mut buf = FeatureBuffer::new();
        let target = target.map(|(a, b)| TargetRange::from_code_points(text, a, b).unwrap());
        f.featurize(text, target.as_ref(), &mut buf).unwrap();
        buf.features.iter().map(|x| (x.index, x.value.to_bits())).collect()
    }

    #[test]
    fn the_same_text_always_gives_the_same_features() {
        let f = Featurizer::new(FeatureConfig::stance()).unwrap();
        let a = indices(&f, "Talks were productive, officials said.", Some((0, 5)));
        assert_eq!(a, indices(&f, "Talks were productive, officials said.", Some((0, 5))));
        // Pinned: the hash is part of the model format. If this changes, bump FEATURE_VERSION.
        assert_eq!(Fnv1a::new(NS_WORD).bytes(b"talks").bucket(14), 4192);
    }

    /// A digest of every feature (index, value bits, token range) of a fixed set of sentences under every
    /// shipped configuration. Pinned: if it changes, the features changed, and FEATURE_VERSION must be bumped
    /// and the shipped models retrained. (Speed work must leave it unchanged.)
    /// Sentences whose features the pinned digests cover.
    const SAMPLE: &[(&str, Option<(usize, usize)>)] = &[
        ("Envoys described the talks as productive and constructive", None),
        ("no significant breakthrough has emerged", None),
        ("Smith praised the deal, but Jones didn't call it a disaster.", Some((28, 33))),
        ("Unemployment fell to 3.5 percent in 2019, the lowest rate in 50 years.", None),
        ("Zürich’s café owners — naïvely — said “nothing” about the €40 fee!", Some((0, 8))),
        ("Supercalifragilisticexpialidocious words and a x.", Some((44, 45))),
    ];

    /// `digest` extended with every feature (index, value bits, token range) of `SAMPLE` under `config`.
    fn sample_digest(mut digest: Fnv1a, config: FeatureConfig, buf: &mut FeatureBuffer) -> Fnv1a {
        let f = Featurizer::new(config).unwrap();
        for &(text, target) in SAMPLE {
            let target = target.map(|(a, b)| TargetRange::from_code_points(text, a, b).unwrap());
            f.featurize(text, target.as_ref(), buf).unwrap();
            digest = digest_features(digest, &buf.features);
        }
        digest
    }

    #[test]
    fn features_of_a_fixed_sample_are_pinned() {
        let mut digest = Fnv1a::new(0);
        let mut buf = FeatureBuffer::new();
        let claim_v1 = FeatureConfig { claim_cues: false, ..FeatureConfig::claim() };
        // The stance configuration of the models trained before the news-tone lexicon.
        let stance_v1 = FeatureConfig { news_tone: false, ..FeatureConfig::stance() };
        let word_classes = FeatureConfig { word_classes: true, ..FeatureConfig::claim() };
        let configs = [FeatureConfig::baseline(), stance_v1, claim_v1, FeatureConfig::claim(), word_classes];
        for (c, config) in configs.into_iter().enumerate() {
            digest = sample_digest(digest, config, &mut buf);
            // The configurations of feature version 1's shipped models come first.
            if c == 2 {
                assert_eq!(
                    digest.finish(),
                    16671226669132652247,
                    "features changed: bump FEATURE_VERSION and retrain"
                );
            }
            if c == 3 {
                assert_eq!(
                    digest.finish(),
                    10771083041304236159,
                    "claim cue features changed: bump FEATURE_VERSION and retrain"
                );
            }
        }
        assert_eq!(
            digest.finish(),
            16102946813481589413,
            "word-class features changed: bump FEATURE_VERSION and retrain"
        );
        // The news-tone stance configuration (the stance models since the news-tone lexicon), on its own.
        let digest = sample_digest(Fnv1a::new(0), FeatureConfig::stance(), &mut buf);
        assert_eq!(
            digest.finish(),
            10037581247705398977,
            "news-tone features changed: bump FEATURE_VERSION and retrain"
        );
        // The stance configuration with negation idioms (measured, not shipped).
        let digest = sample_digest(Fnv1a::new(0), FeatureConfig::stance_with_negation_idioms(), &mut buf);
        assert_eq!(
            digest.finish(),
            9125513252575718713,
            "negation-idiom features changed: bump FEATURE_VERSION and retrain"
        );
    }

    /// The negated tokens, the tokens with a lexicon entry, and the negation cues of `text` under `config`.
    fn scopes(config: FeatureConfig, text: &str) -> (Vec<String>, Vec<String>, Vec<String>) {
        let f = Featurizer::new(config).unwrap();
        let mut buf = FeatureBuffer::new();
        f.featurize(text, None, &mut buf).unwrap();
        let n = buf.tokens.len();
        let negated = (0..n).filter(|&i| buf.negated[i]).map(|i| buf.norm(i).to_owned()).collect();
        let lexical = (0..n).filter(|&i| buf.lex[i].is_some()).map(|i| buf.norm(i).to_owned()).collect();
        let cues = (0..n)
            .filter(|&i| buf.negation_cue.get(i).is_some_and(|&l| l > 0))
            .map(|i| (i..i + buf.negation_cue[i] as usize).map(|k| buf.norm(k)).collect::<Vec<_>>().join(" "))
            .collect();
        (negated, lexical, cues)
    }

    #[test]
    fn fixed_expressions_do_not_negate_what_follows() {
        let idioms = FeatureConfig::stance_with_negation_idioms();
        let plain = FeatureConfig::stance();
        let text = "There is no doubt the deal was a success";
        let (negated, lexical, cues) = scopes(plain.clone(), text);
        assert_eq!(negated, ["doubt", "the", "deal", "was"], "without the flag, the old scope");
        assert!(lexical.contains(&"doubt".to_owned()) && cues.is_empty());
        let (negated, lexical, cues) = scopes(idioms.clone(), text);
        assert!(negated.is_empty(), "{negated:?}");
        assert!(!lexical.iter().any(|w| w == "no" || w == "doubt"), "the idiom's words carry no valence");
        assert!(lexical.contains(&"success".to_owned()));
        assert!(cues.is_empty(), "{cues:?}");
        for text in [
            "It was not only fair but generous",
            "No matter how good the offer is",
            "He got nothing but praise",
            "Many, if not most, welcomed it",
            "Whether or not it helps the poor",
            "It isn't the only good idea",
            "They could not be more happy",
        ] {
            let (negated, _, cues) = scopes(idioms.clone(), text);
            assert!(negated.is_empty() && cues.is_empty(), "{text}: {negated:?} {cues:?}");
        }
        // Real negation keeps its scope, with its own cue feature.
        let (negated, _, cues) = scopes(idioms.clone(), "no significant breakthrough has emerged");
        assert_eq!(negated, ["significant", "breakthrough", "has", "emerged"]);
        assert_eq!(cues, ["no"]);
        let (negated, _, cues) = scopes(idioms.clone(), "The bridge didn't look safe");
        assert_eq!((negated, cues), (vec!["look".to_owned(), "safe".to_owned()], vec!["n't".to_owned()]));
        // A multi-word negator opens its scope after its last word, with the whole window.
        let (negated, _, cues) = scopes(idioms.clone(), "The town is no longer a safe and happy place");
        assert_eq!(negated, ["a", "safe", "and", "happy"]);
        assert_eq!(cues, ["no longer"]);
        let (negated, _, _) = scopes(plain, "The town is no longer a safe and happy place");
        assert_eq!(negated, ["longer", "a", "safe", "and"]);
        // "no more than" is an idiom, "no more" alone a negator.
        assert_eq!(scopes(idioms.clone(), "It cost no more than ten dollars").2, Vec::<String>::new());
        assert_eq!(scopes(idioms.clone(), "There will be no more war").2, ["no more"]);
        // Clause punctuation inside breaks the expression: "no, doubt" is a plain "no".
        assert_eq!(scopes(idioms, "No, doubt remains").2, ["no"]);
    }

    #[test]
    fn negation_cues_are_features_and_idioms_change_the_lexicon_sums() {
        let f = Featurizer::new(FeatureConfig::stance_with_negation_idioms()).unwrap();
        let plain = Featurizer::new(FeatureConfig::stance()).unwrap();
        let cue = Fnv1a::new(NS_NEGATION_CUE).bytes(b"no").byte(0x1f).bucket(14);
        let mut buf = FeatureBuffer::new();
        f.featurize("no significant breakthrough has emerged", None, &mut buf).unwrap();
        assert!(buf.features.iter().any(|x| x.index == cue && x.from == 0 && x.to == 1));
        f.featurize("no doubt it was a good deal", None, &mut buf).unwrap();
        assert!(!buf.features.iter().any(|x| x.index == cue), "the idiom's \"no\" is no cue");
        // "no doubt ... good": without the idiom, "good" is negated and counts as negative.
        let vader_neg = f.dense_named(b"all", b"vader_neg");
        let neg_sum = |f: &Featurizer, buf: &mut FeatureBuffer| -> f32 {
            f.featurize("no doubt it was a good deal", None, buf).unwrap();
            buf.features.iter().filter(|x| x.index == vader_neg).map(|x| x.value).sum()
        };
        assert!(neg_sum(&plain, &mut buf) > 0.3);
        assert_eq!(neg_sum(&f, &mut buf), 0.0);
    }

    #[test]
    fn news_tone_turns_news_words_into_polarity_and_negation_flips_it() {
        let tone = Featurizer::new(FeatureConfig::stance()).unwrap();
        let plain = Featurizer::new(FeatureConfig { news_tone: false, ..FeatureConfig::stance() }).unwrap();
        let dense = |name: &[u8]| tone.dense_named(b"all", name);
        let sum = |f: &Featurizer, text: &str, name: &[u8]| -> f32 {
            let mut buf = FeatureBuffer::new();
            f.featurize(text, None, &mut buf).unwrap();
            buf.features.iter().filter(|x| x.index == dense(name)).map(|x| x.value).sum()
        };
        let envoys = "Envoys described the talks as productive and constructive";
        assert_eq!(sum(&plain, envoys, b"vader_pos"), 0.0, "neither word is in VADER");
        assert!(sum(&tone, envoys, b"vader_pos") > 0.5, "{}", sum(&tone, envoys, b"vader_pos"));
        assert!(sum(&tone, envoys, b"tone_pos") > 0.5);
        assert_eq!(sum(&tone, envoys, b"tone_neg"), 0.0);
        let no_breakthrough = "no significant breakthrough has emerged";
        assert!(sum(&tone, no_breakthrough, b"vader_neg") > 0.3, "negated, the positive word counts as negative");
        assert!(sum(&tone, no_breakthrough, b"tone_neg") > 0.3);
        assert_eq!(sum(&tone, no_breakthrough, b"tone_pos"), 0.0);
        assert!(sum(&tone, "Talks ended in a stalemate", b"tone_neg") > 0.3);
        // The evidence of a sum points at the word that carries it.
        let mut buf = FeatureBuffer::new();
        tone.featurize(envoys, None, &mut buf).unwrap();
        let carriers: Vec<&str> = buf
            .features
            .iter()
            .filter(|x| x.index == dense(b"tone_pos"))
            .map(|x| buf.norm(x.from as usize))
            .collect();
        assert_eq!(carriers, ["productive", "constructive"]);
        // A word VADER has keeps VADER's valence in the VADER sum.
        assert_eq!(
            sum(&tone, "The crowd was happy", b"vader_pos"),
            sum(&plain, "The crowd was happy", b"vader_pos")
        );
    }

    #[test]
    fn word_classes_come_from_gum_or_the_word_shape() {
        let f = Featurizer::new(FeatureConfig { word_classes: true, ..FeatureConfig::claim() }).unwrap();
        let mut buf = FeatureBuffer::new();
        let text = "Unemployment fell to 3.5 percent, Zorblatt's office reported quickly.";
        f.featurize(text, None, &mut buf).unwrap();
        let classes: Vec<&str> = (0..buf.tokens.len())
            .map(|i| lexicon::WORD_CLASSES[f.word_class(text, &buf, i) as usize - 1])
            .collect();
        // "Unemployment" and "percent" are in GUM train; "0", "zorblatt's", "quickly" are guessed from shape.
        assert_eq!(classes, ["NN", "VBD", "TO", "CD", "CD", "NN", "NNP", "NN", "VBD", "RB"]);
        let without = Featurizer::new(FeatureConfig::claim()).unwrap();
        let mut plain = FeatureBuffer::new();
        without.featurize(text, None, &mut plain).unwrap();
        assert!(buf.features.len() > plain.features.len());
    }

    #[test]
    fn negation_changes_the_words_in_scope_only() {
        let f = Featurizer::new(FeatureConfig::stance()).unwrap();
        let mut buf = FeatureBuffer::new();
        f.featurize("There was no significant breakthrough, but talks go on", None, &mut buf).unwrap();
        let word = |w: &str, ns: u8| Fnv1a::new(ns).bytes(w.as_bytes()).bucket(14);
        let has = |i: u32| buf.features.iter().any(|x| x.index == i);
        assert!(has(word("breakthrough", NS_WORD_NEG)));
        assert!(!has(word("breakthrough", NS_WORD)));
        assert!(has(word("talks", NS_WORD)), "the comma ends the scope");
        let plain = Featurizer::new(FeatureConfig::baseline()).unwrap();
        plain.featurize("There was no significant breakthrough", None, &mut buf).unwrap();
        assert!(buf.features.iter().any(|x| x.index == word("breakthrough", NS_WORD)));
    }

    #[test]
    fn target_features_depend_on_the_mention() {
        let f = Featurizer::new(FeatureConfig::stance()).unwrap();
        let text = "Smith praised the deal while Jones attacked it.";
        assert_ne!(indices(&f, text, Some((0, 5))), indices(&f, text, Some((29, 34))));
        assert_ne!(indices(&f, text, Some((0, 5))), indices(&f, text, None));
    }

    #[test]
    fn target_offsets_are_checked() {
        let text = "Café e\u{301} 👍🏽 ok";
        assert_eq!(TargetRange::from_code_points(text, 0, 4).unwrap().0, 0..5);
        assert_eq!(TargetRange::from_code_points(text, 11, 13).unwrap().0, text.len() - 2..text.len());
        assert!(TargetRange::from_code_points(text, 3, 3).is_err());
        assert!(TargetRange::from_code_points(text, 12, 15).is_err(), "past the end");
        assert!(TargetRange::from_code_points(text, 5, 6).is_err(), "splits e + combining accent");
        assert!(TargetRange::from_code_points(text, 8, 9).is_err(), "splits the emoji from its skin tone");
    }

    #[test]
    fn bad_input_is_an_error() {
        let f = Featurizer::new(FeatureConfig::baseline()).unwrap();
        let mut buf = FeatureBuffer::new();
        assert_eq!(f.featurize("  ", None, &mut buf), Err(FeatureError::Empty));
        let huge = "word ".repeat(MAX_SENTENCE_BYTES);
        assert!(matches!(f.featurize(&huge, None, &mut buf), Err(FeatureError::TooLong { .. })));
        let mut old = FeatureConfig::stance();
        old.version = 0;
        assert!(Featurizer::new(old).is_err());
    }
}
