//! The [`Featurizer`]: one sentence (and optionally one target mention in it) to hashed sparse features in a
//! caller-owned [`FeatureBuffer`]; the word, bigram and mention families and the negation scopes live here,
//! the dense named features in `dense.rs` and the character n-grams in `ngrams.rs`.
//!
//! Guarantees: a feature's index depends only on the text, the target and the [`FeatureConfig`] (fixed
//! namespace bytes per family, 64-bit FNV-1a); every feature carries the token range that produced it; input
//! that cannot be featurized (empty, over [`MAX_SENTENCE_BYTES`], a target outside the text) is an error,
//! never a panic and never silently truncated.

use crate::hash::Fnv1a;
use crate::lexicon::{LexEntry, Lexicons};
use crate::ngrams::CharNgrams;
use crate::{tokenize, FeatureConfig, FeatureError, TargetRange, Token, MAX_SENTENCE_BYTES};

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
    /// Whether token `i` is in a negation scope.
    pub(crate) negated: Vec<bool>,
    /// The lexicon entry of token `i` (empty when the configuration needs no lexicon).
    pub(crate) lex: Vec<Option<LexEntry>>,
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

// Namespace bytes: one per feature family, fixed forever (see FEATURE_VERSION). 12 and 13 belonged to the
// removed experimental families (word classes, negation cues; commit 9dcc71b): do not reuse them.
const NS_WORD: u8 = 1;
const NS_WORD_NEG: u8 = 2;
const NS_BIGRAM: u8 = 3;
pub(crate) const NS_CHAR: u8 = 4;
pub(crate) const NS_DENSE: u8 = 5;
const NS_NEAR_LEFT: u8 = 6;
const NS_NEAR_RIGHT: u8 = 7;
const NS_NEAR_LEFT_NEG: u8 = 8;
const NS_NEAR_RIGHT_NEG: u8 = 9;
const NS_ADJACENT: u8 = 10;
const NS_MENTION: u8 = 11;

/// Words after a negator that stay in its scope when no clause punctuation comes first.
const NEGATION_WINDOW: usize = 4;

/// Builds feature vectors for one [`FeatureConfig`]. Immutable: share it across threads.
#[derive(Debug, Clone)]
pub struct Featurizer {
    pub(crate) config: FeatureConfig,
    lexicons: Option<Lexicons>,
}

impl Featurizer {
    pub fn new(config: FeatureConfig) -> Result<Featurizer, FeatureError> {
        config.validate()?;
        let lexicons =
            (config.lexicons || config.negation || config.claim_cues || config.news_tone).then(Lexicons::builtin);
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
        if let Some(lex) = &self.lexicons {
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
                let grams = CharNgrams { lo, hi, bits, from: tok(i), to: tok(i + 1) };
                if word.is_ascii() {
                    grams.push_ascii(word, &mut buf.padded, &mut buf.features);
                } else {
                    grams.push(
                        &buf.norm[t.norm_start as usize..t.norm_end as usize],
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

    /// A digest of every feature (index, value bits, token range) of a fixed set of sentences under every
    /// shipped configuration. Pinned: if it changes, the features changed, and FEATURE_VERSION must be bumped
    /// and the shipped models retrained. (Speed work must leave it unchanged.)
    #[test]
    fn features_of_a_fixed_sample_are_pinned() {
        let mut digest = Fnv1a::new(0);
        let mut buf = FeatureBuffer::new();
        let claim_v1 = FeatureConfig { claim_cues: false, ..FeatureConfig::claim() };
        // The stance configuration of the models trained before the news-tone lexicon.
        let stance_v1 = FeatureConfig { news_tone: false, ..FeatureConfig::stance() };
        let configs = [FeatureConfig::baseline(), stance_v1, claim_v1, FeatureConfig::claim()];
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
        // The news-tone stance configuration (the stance models since the news-tone lexicon), on its own.
        let digest = sample_digest(Fnv1a::new(0), FeatureConfig::stance(), &mut buf);
        assert_eq!(
            digest.finish(),
            10037581247705398977,
            "news-tone features changed: bump FEATURE_VERSION and retrain"
        );
    }

    /// The negated tokens of `text` under Tenor's stance features.
    fn negated(text: &str) -> Vec<String> {
        let f = Featurizer::new(FeatureConfig::stance()).unwrap();
        let mut buf = FeatureBuffer::new();
        f.featurize(text, None, &mut buf).unwrap();
        (0..buf.tokens.len()).filter(|&i| buf.negated[i]).map(|i| buf.norm(i).to_owned()).collect()
    }

    #[test]
    fn a_negation_scope_is_the_next_four_words_before_clause_punctuation() {
        assert_eq!(negated("There is no doubt the deal was a success"), ["doubt", "the", "deal", "was"]);
        assert_eq!(negated("The town is no longer a safe and happy place"), ["longer", "a", "safe", "and"]);
        assert_eq!(negated("The bridge didn't look safe"), ["look", "safe"]);
        assert_eq!(negated("No, doubt remains"), Vec::<String>::new());
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
