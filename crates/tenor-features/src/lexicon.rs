//! Word lists compiled into the binary: VADER and Pattern sentiment, Tenor's news-tone lexicon, hedges,
//! reporting verbs, negators.
//!
//! The files come from `models/data/lexicons` (licences beside them); the hedge, weasel and reporting-verb
//! lists are read through `tenor_lexicon::third_party`, the one home of the lists attribution shares. They
//! are merged when a [`Lexicons`] is built into one map from lower-cased word to [`LexEntry`], so featurizing
//! costs one lookup per token.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use tenor_lexicon::third_party;

use crate::hash::{FNV_OFFSET, FNV_PRIME};

const VADER: &str = include_str!("../../../models/data/lexicons/vader/vader_lexicon.txt");
const PATTERN: &str = include_str!("../../../models/data/lexicons/pattern_textblob/en-sentiment.xml");
/// Tenor's own news-tone lexicon (Apache-2.0, written by hand; the file's header says how), used by
/// `FeatureConfig::news_tone`.
const NEWS_TONE: &str = include_str!("../../../models/data/lexicons/news_tone_tenor.txt");
/// Words that open a negation scope. `n't` is split off by the tokenizer as its own token.
const NEGATORS: &[&str] = &[
    "not", "no", "never", "n't", "nor", "neither", "none", "nobody", "nothing", "nowhere", "without", "cannot",
    "hardly", "barely", "scarcely", "lack", "lacks", "lacked", "lacking", "fail", "fails", "failed",
];

// Claim-cue word classes (`LexEntry::cue` bits), used by `FeatureConfig::claim_cues`.
pub const CUE_MAGNITUDE: u8 = 1;
pub const CUE_COMPARE: u8 = 2;
pub const CUE_CHANGE: u8 = 4;
pub const CUE_MODAL: u8 = 8;
/// A unit that makes the number before it a checkable quantity ("3 percent", "10 million", "500 jobs").
pub const CUE_UNIT: u8 = 16;

const CUE_WORDS: &[(u8, &[&str])] = &[
    (
        CUE_MAGNITUDE,
        &[
            "million",
            "millions",
            "billion",
            "billions",
            "trillion",
            "thousand",
            "thousands",
            "hundred",
            "hundreds",
            "percent",
            "percentage",
            "half",
            "twice",
            "double",
            "triple",
        ],
    ),
    (
        CUE_COMPARE,
        &[
            "more", "less", "fewer", "most", "least", "higher", "lower", "highest", "lowest", "largest",
            "biggest", "smallest", "greater", "record", "than", "average", "rate", "ranked", "number", "per",
        ],
    ),
    (
        CUE_CHANGE,
        &[
            "increased",
            "increase",
            "increases",
            "decreased",
            "decrease",
            "rose",
            "risen",
            "fell",
            "fallen",
            "doubled",
            "tripled",
            "grew",
            "grown",
            "cut",
            "cuts",
            "raised",
            "lost",
            "gained",
            "created",
            "spent",
            "spend",
            "spending",
            "paid",
            "voted",
            "passed",
            "signed",
            "went",
            "dropped",
            "added",
            "reduced",
        ],
    ),
    (
        CUE_MODAL,
        &[
            "will", "would", "should", "could", "can", "must", "might", "may", "going", "want", "wants", "hope",
            "believe", "think", "feel", "need", "let", "let's",
        ],
    ),
    (CUE_UNIT, &["percent", "million", "billion", "jobs", "people", "years", "dollars", "americans", "times"]),
];

/// What the lexicons say about one lower-cased word.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LexEntry {
    /// VADER valence, -4..4 (0 when absent).
    pub vader: f32,
    /// Pattern polarity, -1..1 (mean over senses; 0 when absent).
    pub polarity: f32,
    /// Pattern subjectivity, 0..1 (mean over senses; 0 when absent).
    pub subjectivity: f32,
    pub hedge: bool,
    pub reporting: bool,
    pub negator: bool,
    /// Claim-cue classes of the word (`CUE_*` bits; 0 for none). A word in no sentiment lexicon that only
    /// has cue bits has zero polarity and no flags, so it adds no lexicon feature.
    pub cue: u8,
    /// Tenor news-tone valence, -4..4 on VADER's scale (0 when absent). Read only under
    /// `FeatureConfig::news_tone`; a word only in this lexicon adds no feature without that flag.
    pub tone: f32,
}

/// A 64-bit FNV-1a `Hasher` for the lexicon map: deterministic and fast on short keys.
#[derive(Debug, Clone, Copy)]
pub struct FnvHasher(u64);

impl Default for FnvHasher {
    fn default() -> Self {
        FnvHasher(FNV_OFFSET)
    }
}

impl Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(FNV_PRIME);
        }
    }
}

/// The merged lexicons.
#[derive(Debug, Clone)]
pub struct Lexicons {
    words: HashMap<String, LexEntry, BuildHasherDefault<FnvHasher>>,
}

impl Lexicons {
    /// Parses the compiled-in lexicon files.
    pub fn builtin() -> Lexicons {
        let mut words: HashMap<String, LexEntry, BuildHasherDefault<FnvHasher>> = HashMap::default();
        for line in VADER.lines() {
            let mut fields = line.split('\t');
            let (Some(word), Some(score)) = (fields.next(), fields.next()) else { continue };
            if let Ok(score) = score.trim().parse::<f32>() {
                words.entry(word.to_lowercase()).or_default().vader = score;
            }
        }
        let mut senses: HashMap<String, (f32, f32, u32)> = HashMap::new();
        for line in PATTERN.lines().filter(|l| l.trim_start().starts_with("<word ")) {
            let (Some(form), Some(pol), Some(subj)) =
                (xml_attr(line, "form"), xml_attr(line, "polarity"), xml_attr(line, "subjectivity"))
            else {
                continue;
            };
            let (Ok(pol), Ok(subj)) = (pol.parse::<f32>(), subj.parse::<f32>()) else { continue };
            let entry = senses.entry(form.to_lowercase()).or_insert((0.0, 0.0, 0));
            entry.0 += pol;
            entry.1 += subj;
            entry.2 += 1;
        }
        for (form, (pol, subj, n)) in senses {
            let entry = words.entry(form).or_default();
            entry.polarity = pol / n as f32;
            entry.subjectivity = subj / n as f32;
        }
        // Only one-word hedges and weasel words: multi-word entries ("and so forth") would need phrase matching
        // and are rare in news sentences.
        // The hedge, weasel and quote-verb lists come from `tenor_lexicon::third_party`, as published.
        for word in
            third_party::HEDGES.entries().chain(third_party::WEASELS.entries()).filter(|w| !w.contains(' '))
        {
            words.entry(word.to_lowercase()).or_default().hedge = true;
        }
        for word in third_party::QUOTE_VERBS.entries().filter(|w| !w.contains(' ')) {
            words.entry(word.to_lowercase()).or_default().reporting = true;
        }
        for word in NEGATORS {
            words.entry((*word).to_owned()).or_default().negator = true;
        }
        for (word, tone) in news_tone_entries() {
            words.entry(word.to_owned()).or_default().tone = tone;
        }
        for (bit, list) in CUE_WORDS {
            for word in *list {
                words.entry((*word).to_owned()).or_default().cue |= bit;
            }
        }
        Lexicons { words }
    }

    #[inline]
    pub fn get(&self, word: &str) -> Option<&LexEntry> {
        self.words.get(word)
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// The `word<TAB>valence` lines of the news-tone lexicon (comments and blank lines skipped).
fn news_tone_entries() -> impl Iterator<Item = (&'static str, f32)> {
    NEWS_TONE.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).filter_map(|line| {
        let (word, valence) = line.split_once('\t')?;
        Some((word.trim(), valence.trim().parse::<f32>().ok()?))
    })
}

fn xml_attr<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = line.find(&key)? + key.len();
    let len = line[start..].find('"')?;
    Some(&line[start..start + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_every_lexicon() {
        let lex = Lexicons::builtin();
        assert!(lex.len() > 8000, "{}", lex.len());
        let good = lex.get("good").unwrap();
        assert!(good.vader > 1.0 && good.polarity > 0.5, "{good:?}");
        assert!(lex.get("horrible").unwrap().vader < -2.0);
        assert!(lex.get("said").unwrap().reporting);
        assert!(lex.get("perhaps").unwrap().hedge);
        assert!(lex.get("n't").unwrap().negator);
        assert!(lex.get("qwertyuiop").is_none());
    }

    #[test]
    fn news_tone_lexicon_parses_whole_and_keeps_the_other_lexicons() {
        let data_lines = NEWS_TONE.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).count();
        let entries: Vec<_> = news_tone_entries().collect();
        assert_eq!(entries.len(), data_lines, "every data line is `word<TAB>valence`");
        assert!(entries.len() >= 500, "{}", entries.len());
        for (word, valence) in &entries {
            assert!((-4.0..=4.0).contains(valence) && *valence != 0.0, "{word} {valence}");
            assert_eq!(*word, word.to_lowercase(), "lower case");
            assert!(word.chars().all(char::is_alphabetic), "one word the tokenizer keeps whole: {word:?}");
        }
        let lex = Lexicons::builtin();
        assert!(lex.get("productive").unwrap().tone > 1.0);
        assert!(lex.get("breakthrough").unwrap().tone > 1.0);
        assert!(lex.get("stalemate").unwrap().tone < -1.0);
        // A word also in VADER keeps its VADER valence beside the tone.
        let hailed = lex.get("hailed").unwrap();
        assert!(hailed.vader > 0.0 && hailed.tone > hailed.vader, "{hailed:?}");
        assert_eq!(lex.get("good").unwrap().tone, 0.0);
    }
}
