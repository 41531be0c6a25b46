//! One sentence record made ready for pairing: who is its source, its stance as a polarity, its salient words
//! and target mentions, its event time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tenor_core::{SentenceKind, SentenceRecord, Stance, StanceLabel, StanceProbs};
use tenor_lexicon::tension::TENSION_STOP_WORDS;

use super::TensionConfig;

/// Most target mentions of one sentence considered.
const MAX_TARGETS: usize = 8;

/// A stance as a signed strength: which pole, how far, how sure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Pole {
    pub label: StanceLabel,
    /// `p(positive) - p(negative)`.
    pub polarity: f64,
    /// Probability of the pole `polarity` points to.
    pub confidence: f64,
}

impl Pole {
    /// `None` when the probabilities are not finite numbers.
    pub fn of(stance: &Stance) -> Option<Pole> {
        let polarity = polarity(&stance.probs)?;
        let p = &stance.probs;
        let confidence = if polarity > 0.0 { p.positive } else { p.negative };
        Some(Pole { label: stance.label, polarity, confidence: confidence.clamp(0.0, 1.0) })
    }
}

/// `p(positive) - p(negative)`, clamped to -1..=1; `None` when not finite.
pub fn polarity(probs: &StanceProbs) -> Option<f64> {
    let value = probs.positive - probs.negative;
    value.is_finite().then(|| value.clamp(-1.0, 1.0))
}

/// Whether two stances oppose: polarities of opposite sign, each at least `min_polarity` from 0.
pub fn opposed(a: f64, b: f64, min_polarity: f64) -> bool {
    a * b < 0.0 && a.abs() >= min_polarity && b.abs() >= min_polarity
}

/// A target mention of the sentence: normalised key, as written, and the stance toward it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetPole {
    pub key: String,
    pub mention: String,
    pub pole: Pole,
}

/// A sentence ready for pairing. Serialisable for the tracker's snapshot (`super::snapshot`): the embedding
/// as its `f32` bytes in base64, so that a restored side compares exactly as the original.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Side {
    pub article_id: String,
    pub sentence_index: usize,
    pub text: String,
    pub outlet: Option<String>,
    /// As shown: the resolved name, else the speaker as written.
    pub speaker: Option<String>,
    /// Who speaks, normalised: `speaker:<name>`, or `outlet:<name>` for the text's own voice.
    pub source_key: String,
    pub pole: Option<Pole>,
    pub targets: Vec<TargetPole>,
    /// Distinct salient words (folded), in order of appearance, at most `max_terms`.
    pub terms: Vec<String>,
    /// Each term as first written (lower case), for the record's subject.
    pub surfaces: Vec<String>,
    /// Hedge certainty, 0..=1 (1 when not hedged or unknown).
    pub certainty: f64,
    pub time: DateTime<Utc>,
    #[serde(default, with = "super::snapshot::f32_base64")]
    pub embedding: Option<Vec<f32>>,
    pub cluster_id: Option<String>,
    pub run_id: Option<String>,
}

impl Side {
    /// The sentence as a side, or `None` when it cannot be one: a heading, no stance at all, or (with
    /// `require_claim`) a sentence the claim model says is not a claim.
    pub fn of(
        record: &SentenceRecord,
        embedding: Option<&[f32]>,
        cluster_id: Option<&str>,
        config: &TensionConfig,
    ) -> Option<Side> {
        if record.kind == SentenceKind::Heading {
            return None;
        }
        if config.require_claim && record.claim.as_ref().is_some_and(|c| !c.is_claim) {
            return None;
        }
        let pole = record.stance.as_ref().and_then(Pole::of);
        let mut targets: Vec<TargetPole> = Vec::new();
        for target in &record.targets {
            let key = normalise(&target.mention);
            if key.is_empty() || targets.iter().any(|t| t.key == key) {
                continue;
            }
            if let Some(pole) = Pole::of(&target.stance) {
                targets.push(TargetPole { key, mention: target.mention.clone(), pole });
            }
            if targets.len() == MAX_TARGETS {
                break;
            }
        }
        if pole.is_none() && targets.is_empty() {
            return None;
        }
        let speaker =
            record.attribution.as_ref().map(|a| a.speaker.resolved.clone().unwrap_or(a.speaker.text.clone()));
        let speaker_key = speaker.as_deref().map(speaker_key).filter(|k| !k.is_empty());
        let outlet = record.article_source.clone();
        let source_key = match &speaker_key {
            Some(key) => format!("speaker:{key}"),
            None => format!("outlet:{}", normalise(outlet.as_deref().unwrap_or(""))),
        };
        let certainty = record.hedge.as_ref().map_or(1.0, |h| {
            if h.certainty.is_finite() {
                h.certainty.clamp(0.0, 1.0)
            } else {
                1.0
            }
        });
        let (terms, surfaces) = salient_words(&record.text, config.max_terms).into_iter().unzip();
        let time = crate::event_time(record, config.max_future_seconds);
        Some(Side {
            article_id: record.article_id.clone(),
            sentence_index: record.sentence_index,
            text: record.text.clone(),
            outlet,
            speaker: speaker.filter(|_| speaker_key.is_some()),
            source_key,
            pole,
            targets,
            terms,
            surfaces,
            certainty,
            time,
            embedding: embedding.and_then(unit_vector),
            cluster_id: cluster_id.filter(|c| !c.is_empty()).map(str::to_owned),
            run_id: record.run_id.clone(),
        })
    }

    /// Whether [`Side::of`] would give a side for `record` (the same tests, without building one).
    pub fn is_side(record: &SentenceRecord, config: &TensionConfig) -> bool {
        if record.kind == SentenceKind::Heading {
            return false;
        }
        if config.require_claim && record.claim.as_ref().is_some_and(|c| !c.is_claim) {
            return false;
        }
        record.stance.as_ref().and_then(Pole::of).is_some()
            || record.targets.iter().any(|t| Pole::of(&t.stance).is_some() && words(&t.mention).next().is_some())
    }

    /// Whether the side of `record` could oppose any other: its sentence stance or a target stance at least
    /// `min_polarity` from 0 ([`opposed`] needs that of both sides, for a target link and for every other
    /// link). A side that cannot is in no tension, so [`super::tensions_in_article`] need not build it.
    pub fn may_oppose(record: &SentenceRecord, config: &TensionConfig) -> bool {
        let strong = |stance: &Stance| Pole::of(stance).is_some_and(|p| p.polarity.abs() >= config.min_polarity);
        record.stance.as_ref().is_some_and(strong) || record.targets.iter().any(|t| strong(&t.stance))
    }

    pub fn key(&self) -> (&str, usize) {
        (&self.article_id, self.sentence_index)
    }
}

/// Lower case, words of letters and digits joined by one space.
pub fn normalise(text: &str) -> String {
    words(text).collect::<Vec<_>>().join(" ")
}

/// A speaker's name normalised, without a leading article ("the envoys" and "Envoys" are one speaker).
fn speaker_key(name: &str) -> String {
    let mut words: Vec<String> = words(name).collect();
    if words.len() > 1 && matches!(words[0].as_str(), "the" | "a" | "an") {
        words.remove(0);
    }
    words.join(" ")
}

/// The lower-cased words of `text`: runs of letters and digits.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase)
}

/// Salient words: lower-cased words of at least three characters, not all digits, plural `s` folded
/// ("talks" → "talk", "parties" → "party"), not stop words (`TENSION_STOP_WORDS`, checked before and after
/// folding); distinct, in order of appearance, at most `max`.
pub fn salient_terms(text: &str, max: usize) -> Vec<String> {
    salient_words(text, max).into_iter().map(|(term, _)| term).collect()
}

/// [`salient_terms`] with each term's first surface form.
fn salient_words(text: &str, max: usize) -> Vec<(String, String)> {
    let mut terms: Vec<(String, String)> = Vec::new();
    for word in words(text) {
        if terms.len() >= max {
            break;
        }
        if word.chars().count() < 3
            || word.chars().all(|c| c.is_ascii_digit())
            || TENSION_STOP_WORDS.contains(&word)
        {
            continue;
        }
        let folded = fold_plural(&word);
        if TENSION_STOP_WORDS.contains(&folded) || terms.iter().any(|(t, _)| *t == folded) {
            continue;
        }
        terms.push((folded, word));
    }
    terms
}

fn fold_plural(word: &str) -> String {
    if word.len() > 4 && word.ends_with("ies") {
        format!("{}y", &word[..word.len() - 3])
    } else if word.len() > 3 && word.ends_with('s') && !["ss", "us", "is", "as"].iter().any(|e| word.ends_with(e))
    {
        word[..word.len() - 1].to_owned()
    } else {
        word.to_owned()
    }
}

/// The vector scaled to unit length; `None` when empty, not finite or zero.
fn unit_vector(v: &[f32]) -> Option<Vec<f32>> {
    let norm = v.iter().map(|x| f64::from(*x) * f64::from(*x)).sum::<f64>().sqrt();
    (!v.is_empty() && norm.is_finite() && norm > 0.0)
        .then(|| v.iter().map(|x| (f64::from(*x) / norm) as f32).collect())
}

/// Cosine of two unit vectors; `None` when their lengths differ.
pub fn cosine(a: &[f32], b: &[f32]) -> Option<f64> {
    (a.len() == b.len())
        .then(|| a.iter().zip(b).map(|(x, y)| f64::from(*x) * f64::from(*y)).sum::<f64>().clamp(-1.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salient_terms_skip_stop_words_and_fold_plurals() {
        let terms = salient_terms("Analysts said the core disputes over territory remain unresolved in 2026.", 16);
        assert_eq!(terms, ["analyst", "core", "dispute", "territory", "remain", "unresolved"]);
        assert_eq!(salient_terms("The talks, the talk and the parties", 16), ["talk", "party"]);
        assert_eq!(salient_terms("one two three four five six seven", 2).len(), 2);
    }

    #[test]
    fn speakers_are_one_whatever_their_article_and_case() {
        assert_eq!(speaker_key("The Envoys"), speaker_key("envoys"));
        assert_eq!(speaker_key("U.S. officials"), "u s officials");
        assert_eq!(speaker_key("the"), "the");
    }

    #[test]
    fn opposition_needs_opposite_signs_and_strength_on_both_sides() {
        assert!(opposed(0.5, -0.3, 0.25));
        assert!(!opposed(0.5, 0.3, 0.25));
        assert!(!opposed(0.5, -0.2, 0.25));
        assert!(!opposed(0.0, -0.9, 0.0));
        assert!(!opposed(f64::NAN, -0.9, 0.1));
    }
}
