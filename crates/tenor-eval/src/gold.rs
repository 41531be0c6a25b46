//! Gold labels for records of a replay, and the scores of a run against them.
//!
//! Gold is JSONL, one sentence per line, keyed either by `article_id` + `sentence_index` (exact, when the gold
//! was made on Tenor's own split) or by `text` (the sentence text, compared with white space collapsed: works
//! across splitters as long as the sentence is the same). Every label is optional:
//!
//! ```json
//! {"article_id":"a1","sentence_index":3,"stance":"negative","claim":true,"speaker":"Jane Doe"}
//! {"text":"Officials said talks went well.","stance":"positive","speaker":"Officials"}
//! {"text":"It rained.","speaker":null}
//! ```
//!
//! `speaker: null` says "nobody is reported speaking here" (a predicted speaker is then a false positive); a
//! missing `speaker` key leaves attribution unscored for that sentence.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tenor_core::{SentenceRecord, StanceLabel};

use crate::metrics::{evaluate, Report};

/// Labels of the claim task, in probability-row order.
pub const CLAIM_LABELS: [&str; 2] = ["no_claim", "claim"];

/// One gold line.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GoldLine {
    pub article_id: Option<String>,
    pub sentence_index: Option<usize>,
    pub text: Option<String>,
    pub stance: Option<StanceLabel>,
    pub claim: Option<bool>,
    /// `Some(None)` is an explicit `null`: no speaker.
    #[serde(default, deserialize_with = "explicit_null")]
    pub speaker: Option<Option<String>>,
}

fn explicit_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Ok(Some(Option::<String>::deserialize(d)?))
}

/// A gold file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum GoldError {
    #[error("gold line {line}: {detail}")]
    Line { line: usize, detail: String },
}

/// Gold labels, indexed both ways.
#[derive(Debug, Clone, Default)]
pub struct Gold {
    lines: Vec<GoldLine>,
    by_position: HashMap<(String, usize), usize>,
    by_text: HashMap<String, usize>,
}

/// White space collapsed to single spaces and trimmed: the form texts are matched in.
pub fn normalise_text(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Gold {
    /// Parses gold JSONL (blank lines ignored). Each line needs `article_id` + `sentence_index` or `text`.
    pub fn parse(jsonl: &str) -> Result<Gold, GoldError> {
        let mut gold = Gold::default();
        for (i, raw) in jsonl.lines().enumerate() {
            if raw.trim().is_empty() {
                continue;
            }
            let line: GoldLine =
                serde_json::from_str(raw).map_err(|e| GoldError::Line { line: i + 1, detail: e.to_string() })?;
            let index = gold.lines.len();
            match (&line.article_id, line.sentence_index, &line.text) {
                (Some(id), Some(n), _) => {
                    gold.by_position.insert((id.clone(), n), index);
                }
                (_, _, Some(text)) => {
                    gold.by_text.insert(normalise_text(text), index);
                }
                _ => {
                    return Err(GoldError::Line {
                        line: i + 1,
                        detail: "needs `article_id` and `sentence_index`, or `text`".into(),
                    })
                }
            }
            gold.lines.push(line);
        }
        Ok(gold)
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The gold line of a record: by position first, then by text.
    pub fn find(&self, record: &SentenceRecord) -> Option<(usize, &GoldLine)> {
        let index = self
            .by_position
            .get(&(record.article_id.clone(), record.sentence_index))
            .or_else(|| self.by_text.get(&normalise_text(&record.text)))?;
        Some((*index, &self.lines[*index]))
    }
}

/// Speaker precision, recall and F1 over the sentences whose gold says who speaks (or that nobody does).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct AttributionScores {
    /// Gold sentences with a `speaker` key (a name or null).
    pub sentences: usize,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// A run scored against gold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoldEvaluation {
    /// Gold lines in the file.
    pub gold_lines: usize,
    /// Gold lines matched by a record of the run.
    pub matched: usize,
    /// Stance over matched records with a gold stance and a predicted stance.
    pub stance: Option<Report>,
    /// Claim over matched records with a gold claim and a predicted claim. Scored on the claim model's
    /// calibrated probability (`claim.score`: claim when above 0.5), so that ECE and Brier mean something;
    /// a record's `is_claim` can also be set by attribution ("someone said it"), which this does not score.
    pub claim: Option<Report>,
    pub attribution: Option<AttributionScores>,
}

/// The speaker a record names: the resolved name when a pronoun or description was resolved, else the text.
pub fn predicted_speaker(record: &SentenceRecord) -> Option<&str> {
    let speaker = &record.attribution.as_ref()?.speaker;
    Some(speaker.resolved.as_deref().unwrap_or(&speaker.text))
}

fn same_speaker(predicted: &SentenceRecord, gold: &str) -> bool {
    let gold = normalise_text(gold).to_lowercase();
    let Some(attribution) = &predicted.attribution else { return false };
    let s = &attribution.speaker;
    std::iter::once(s.text.as_str()).chain(s.resolved.as_deref()).any(|p| normalise_text(p).to_lowercase() == gold)
}

/// Scores `records` against `gold` with [`evaluate`] (accuracy, per-class P/R/F1, confusion, ECE, Brier).
pub fn evaluate_against_gold<'a>(
    records: impl IntoIterator<Item = &'a SentenceRecord>,
    gold: &Gold,
) -> GoldEvaluation {
    let stance_labels: Vec<&str> = StanceLabel::ALL.iter().map(|l| l.as_str()).collect();
    let (mut stance_gold, mut stance_probs) = (Vec::new(), Vec::new());
    let (mut claim_gold, mut claim_probs) = (Vec::new(), Vec::new());
    let mut attribution = AttributionScores::default();
    let mut matched = vec![false; gold.len()];
    for record in records {
        let Some((index, line)) = gold.find(record) else { continue };
        matched[index] = true;
        if let (Some(label), Some(stance)) = (line.stance, &record.stance) {
            stance_gold.push(StanceLabel::ALL.iter().position(|l| *l == label).expect("a known label"));
            stance_probs.push(vec![stance.probs.negative, stance.probs.neutral, stance.probs.positive]);
        }
        if let (Some(is_claim), Some(claim)) = (line.claim, &record.claim) {
            claim_gold.push(usize::from(is_claim));
            claim_probs.push(vec![1.0 - claim.score, claim.score]);
        }
        if let Some(speaker) = &line.speaker {
            attribution.sentences += 1;
            match (speaker, record.attribution.is_some()) {
                (Some(name), true) if same_speaker(record, name) => attribution.true_positives += 1,
                (Some(_), true) => {
                    attribution.false_positives += 1;
                    attribution.false_negatives += 1;
                }
                (Some(_), false) => attribution.false_negatives += 1,
                (None, true) => attribution.false_positives += 1,
                (None, false) => {}
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let a = &mut attribution;
    a.precision = ratio(a.true_positives, a.true_positives + a.false_positives);
    a.recall = ratio(a.true_positives, a.true_positives + a.false_negatives);
    a.f1 =
        if a.precision + a.recall == 0.0 { 0.0 } else { 2.0 * a.precision * a.recall / (a.precision + a.recall) };
    GoldEvaluation {
        gold_lines: gold.len(),
        matched: matched.iter().filter(|m| **m).count(),
        stance: (!stance_gold.is_empty()).then(|| evaluate(&stance_labels, &stance_gold, &stance_probs)),
        claim: (!claim_gold.is_empty()).then(|| evaluate(&CLAIM_LABELS, &claim_gold, &claim_probs)),
        attribution: (attribution.sentences > 0).then_some(attribution),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::Utc;
    use tenor_core::{
        Attribution, Claim, ClaimKind, Origin, SentenceKind, Span, Speaker, Stance, StanceProbs, TextSpan,
    };

    pub(crate) fn record(
        id: &str,
        index: usize,
        text: &str,
        probs: [f64; 3],
        claim: f64,
        speaker: Option<&str>,
    ) -> SentenceRecord {
        let label = StanceLabel::ALL[(0..3).fold(0, |best, i| if probs[i] > probs[best] { i } else { best })];
        let mut r = SentenceRecord::unanalysed(
            id.into(),
            index,
            text.into(),
            Span::new(0, text.chars().count()),
            SentenceKind::Sentence,
            Origin::File { file: "t".into(), line: 1 },
            Utc::now(),
        );
        r.stance = Some(Stance {
            label,
            confidence: probs.iter().copied().fold(0.0, f64::max),
            probs: StanceProbs { negative: probs[0], neutral: probs[1], positive: probs[2] },
            evidence: Vec::new(),
        });
        r.claim = Some(Claim { is_claim: claim >= 0.5, score: claim, kind: ClaimKind::None });
        r.attribution = speaker.map(|s| Attribution {
            speaker: Speaker { text: s.into(), span: Span::new(0, 1), resolved: None },
            cue: TextSpan { text: "said".into(), span: Span::new(0, 1) },
            content: None,
            quote: None,
        });
        r
    }

    #[test]
    fn gold_matches_by_position_or_text_and_scores_every_task() {
        let gold = Gold::parse(concat!(
            r#"{"article_id":"a","sentence_index":0,"stance":"positive","claim":true,"speaker":"Ann"}"#,
            "\n\n",
            r#"{"text":"  Second   sentence. ","stance":"negative","claim":false,"speaker":null}"#,
            "\n",
            r#"{"text":"Never seen.","stance":"neutral"}"#,
        ))
        .unwrap();
        let records = [
            record("a", 0, "First.", [0.1, 0.2, 0.7], 0.9, Some("ann")),
            record("a", 1, "Second sentence.", [0.2, 0.5, 0.3], 0.2, Some("Bob")),
            record("a", 2, "Unlabelled.", [0.2, 0.5, 0.3], 0.2, None),
        ];
        let eval = evaluate_against_gold(&records, &gold);
        assert_eq!((eval.gold_lines, eval.matched), (3, 2));
        let stance = eval.stance.unwrap();
        assert_eq!(stance.n, 2);
        assert!((stance.accuracy - 0.5).abs() < 1e-12);
        assert_eq!(stance.confusion[0][1], 1, "gold negative predicted neutral");
        let claim = eval.claim.unwrap();
        assert!((claim.accuracy - 1.0).abs() < 1e-12);
        let attribution = eval.attribution.unwrap();
        assert_eq!(
            (attribution.true_positives, attribution.false_positives, attribution.false_negatives),
            (1, 1, 0)
        );
        assert!((attribution.precision - 0.5).abs() < 1e-12 && (attribution.recall - 1.0).abs() < 1e-12);
        assert!(Gold::parse(r#"{"stance":"positive"}"#).is_err());
        assert!(Gold::parse(r#"{"text":"x","stance":"happy"}"#).is_err());
    }
}
