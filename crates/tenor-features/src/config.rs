//! What features a model uses: [`FeatureConfig`], its presets and [`FEATURE_VERSION`].
//!
//! Guarantees: a `FeatureConfig` is stored in every model file and is the only input besides the text and the
//! target that decides the features, so a file's configuration rebuilds exactly the featurizer it was trained
//! with. A flag added after the first models is absent (false) in older files and not written when false, so
//! those files keep their exact bytes and features. Unknown fields are rejected; so are the removed
//! experimental flags `word_classes` and `negation_idioms` when set, with an error that says where their code
//! is (commit 9dcc71b).

use serde::{Deserialize, Serialize};

use crate::FeatureError;

/// Version of the feature extraction code. Bump on any change to tokenization, hashing or feature
/// definitions.
pub const FEATURE_VERSION: u32 = 1;

/// What features a model uses. Stored in the model file; the featurizer is rebuilt from it at load time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StoredFeatureConfig")]
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
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Feature flags that were measured, never shipped, and removed; their code is at commit 9dcc71b
/// (docs/MODELS.md says what each did and what it scored).
const REMOVED_FLAGS: [&str; 2] = ["word_classes", "negation_idioms"];

/// What a model file's `features` object may hold: [`FeatureConfig`] plus the removed flags, so a file that
/// sets one gets an error naming it instead of serde's "unknown field".
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredFeatureConfig {
    version: u32,
    hash_bits: u32,
    word_ngrams: u8,
    char_ngrams: Option<(u8, u8)>,
    negation: bool,
    lexicons: bool,
    shape: bool,
    target: bool,
    target_window: u8,
    #[serde(default)]
    claim_cues: bool,
    #[serde(default)]
    news_tone: bool,
    #[serde(default)]
    word_classes: bool,
    #[serde(default)]
    negation_idioms: bool,
}

impl TryFrom<StoredFeatureConfig> for FeatureConfig {
    type Error = String;

    fn try_from(s: StoredFeatureConfig) -> Result<FeatureConfig, String> {
        for (flag, set) in REMOVED_FLAGS.into_iter().zip([s.word_classes, s.negation_idioms]) {
            if set {
                return Err(format!(
                    "feature flag `{flag}` was an experiment and has been removed from Tenor; this build cannot \
                     compute its features (its code is at commit 9dcc71b: retrain without it, or use that commit)"
                ));
            }
        }
        Ok(FeatureConfig {
            version: s.version,
            hash_bits: s.hash_bits,
            word_ngrams: s.word_ngrams,
            char_ngrams: s.char_ngrams,
            negation: s.negation,
            lexicons: s.lexicons,
            shape: s.shape,
            target: s.target,
            target_window: s.target_window,
            claim_cues: s.claim_cues,
            news_tone: s.news_tone,
        })
    }
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
        }
    }

    /// Tenor's stance features (with the news-tone lexicon since the models of 2026-11-27 10:00; the
    /// configuration without it is in the older model files and the pinned feature test).
    pub fn stance() -> FeatureConfig {
        FeatureConfig { target: true, target_window: 4, news_tone: true, ..FeatureConfig::tenor_base() }
    }

    /// Tenor's claim features.
    pub fn claim() -> FeatureConfig {
        FeatureConfig { shape: true, claim_cues: true, ..FeatureConfig::tenor_base() }
    }

    /// What Tenor's stance and claim features share: the baseline's word n-grams, char_wb 3–5 grams, negation
    /// scopes and the lexicon sums.
    fn tenor_base() -> FeatureConfig {
        FeatureConfig { char_ngrams: Some((3, 5)), negation: true, lexicons: true, ..FeatureConfig::baseline() }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_round_trip_and_unset_flags_are_not_written() {
        for config in [FeatureConfig::baseline(), FeatureConfig::stance(), FeatureConfig::claim()] {
            let json = serde_json::to_string(&config).unwrap();
            assert_eq!(serde_json::from_str::<FeatureConfig>(&json).unwrap(), config);
            for flag in REMOVED_FLAGS {
                assert!(!json.contains(flag), "{json}");
            }
        }
        let baseline = serde_json::to_string(&FeatureConfig::baseline()).unwrap();
        assert!(!baseline.contains("claim_cues") && !baseline.contains("news_tone"), "{baseline}");
        // The exact bytes stored in the shipped stance models (a model file's header is written through a
        // `serde_json::Value`, keys sorted).
        assert_eq!(
            serde_json::to_value(FeatureConfig::stance()).unwrap().to_string(),
            r#"{"char_ngrams":[3,5],"hash_bits":14,"lexicons":true,"negation":true,"news_tone":true,"shape":false,"target":true,"target_window":4,"version":1,"word_ngrams":2}"#
        );
    }

    #[test]
    fn the_shipped_models_configurations_read_back_unchanged() {
        for (file, preset) in [
            (include_str!("../../../models/stance/model.json"), FeatureConfig::stance()),
            (include_str!("../../../models/sentence_stance/model.json"), FeatureConfig::stance()),
            (include_str!("../../../models/claim/model.json"), FeatureConfig::claim()),
        ] {
            // The header is the file's first line; the weights follow one bucket per line.
            let header = file.lines().next().unwrap().trim_end_matches(",\"weights\":[");
            let stored = &serde_json::from_str::<serde_json::Value>(&format!("{header}}}")).unwrap()["features"];
            let config: FeatureConfig = serde_json::from_value(stored.clone()).unwrap();
            assert_eq!(config, preset);
            assert_eq!(&serde_json::to_value(&config).unwrap(), stored, "written back byte for byte");
        }
    }

    #[test]
    fn removed_flags_are_refused_by_name_and_unknown_fields_rejected() {
        let stance = serde_json::to_value(FeatureConfig::stance()).unwrap();
        for flag in REMOVED_FLAGS {
            let mut file = stance.clone();
            file[flag] = false.into();
            assert_eq!(serde_json::from_value::<FeatureConfig>(file.clone()).unwrap(), FeatureConfig::stance());
            file[flag] = true.into();
            let err = serde_json::from_value::<FeatureConfig>(file).unwrap_err().to_string();
            assert!(err.contains(&format!("`{flag}`")) && err.contains("9dcc71b"), "{err}");
        }
        let mut file = stance;
        file["no_such_flag"] = true.into();
        let err = serde_json::from_value::<FeatureConfig>(file).unwrap_err().to_string();
        assert!(err.contains("unknown field `no_such_flag`"), "{err}");
    }
}
