//! The scoring stage: stance and claim for every sentence, stance toward target mentions, and the article's
//! stance mix. Scores keep the scorer's byte offsets (relative to the sentence); `records` converts them.

use std::collections::BTreeMap;
use std::ops::Range;

use tenor_core::{ArticleRecord, InputError, ModelRef, SentenceRecord, StanceCounts, StanceLabel};
use tenor_features::{FeatureError, TargetRange};
use tenor_models::{ClaimScore, ModelError, ScoredStance, Scorer, Task};

/// The loaded scorers. Build once; share by reference across threads.
#[derive(Debug)]
pub struct Models {
    /// Stance toward a marked target mention (`targets[].stance`).
    pub stance: Scorer,
    /// Stance of the whole sentence, trained on sentences without a marked mention (the record's `stance`).
    pub sentence_stance: Scorer,
    pub claim: Scorer,
}

/// A target mention given with a sentence: code-point offsets `[from, to)` into the sentence text (as
/// `tenor classify` input gives them; decoded to bytes once, when scored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetMention {
    pub mention: String,
    pub from: usize,
    pub to: usize,
}

/// What the models say about one sentence. Every range is in bytes into the sentence text.
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceScores {
    /// The sentence model's stance (the record's `stance`).
    pub stance: ScoredStance,
    /// The claim model's verdict; the claim kind is decided later (`attribution::claim`).
    pub claim: ClaimScore,
    /// Stance toward each target mention, in the order given.
    pub targets: Vec<ScoredTarget>,
}

/// Stance toward one target mention: the per-target model with the mention marked.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredTarget {
    pub mention: String,
    /// The mention, in bytes into the sentence text.
    pub range: Range<usize>,
    pub stance: ScoredStance,
}

impl Models {
    /// Loads the models from their files' bytes (per-target stance, sentence stance, claim), checking each
    /// is the right kind of model.
    pub fn from_bytes(stance: &[u8], sentence_stance: &[u8], claim: &[u8]) -> Result<Models, ModelError> {
        Ok(Models {
            stance: Scorer::from_bytes_for(stance, Task::Stance)?,
            sentence_stance: Scorer::from_bytes_for(sentence_stance, Task::Stance)?,
            claim: Scorer::from_bytes_for(claim, Task::Claim)?,
        })
    }

    /// The models built into the binary (`models/stance`, `models/sentence_stance`, `models/claim`).
    pub fn shipped() -> Result<Models, ModelError> {
        use tenor_models::shipped;
        Models::from_bytes(shipped::STANCE, shipped::SENTENCE_STANCE, shipped::CLAIM)
    }

    /// Every loaded model, by the role it has in a record's `model` map.
    pub fn roles(&self) -> [(&'static str, &Scorer); 3] {
        [("stance", &self.sentence_stance), ("target_stance", &self.stance), ("claim", &self.claim)]
    }

    /// Scores one sentence: its stance with the sentence model, its claim verdict, and its stance toward each
    /// target mention with the per-target model (mention marked). A target's code-point offsets are decoded to
    /// bytes here, once, by `TargetRange::from_code_points` (which also refuses offsets outside the text or
    /// inside a character); a text or target the models cannot take is an `InputError::Model`.
    pub fn score(&self, text: &str, targets: &[TargetMention]) -> Result<SentenceScores, InputError> {
        let stance = self.sentence_stance.stance(text, None).map_err(|e| model_error(&self.sentence_stance, e))?;
        let claim = self.claim.claim(text).map_err(|e| model_error(&self.claim, e))?;
        let targets = targets
            .iter()
            .map(|t| {
                let range =
                    TargetRange::from_code_points(text, t.from, t.to).map_err(|e| model_error(&self.stance, e))?;
                let stance = self.stance.stance(text, Some(&range)).map_err(|e| model_error(&self.stance, e))?;
                Ok(ScoredTarget { mention: t.mention.clone(), range: range.0, stance })
            })
            .collect::<Result<_, InputError>>()?;
        Ok(SentenceScores { stance, claim, targets })
    }

    /// A scored record's `model` map: `stance` (sentence), `claim`, and `target_stance` when there are targets.
    pub fn record_models(&self, with_targets: bool) -> BTreeMap<String, ModelRef> {
        let mut models = BTreeMap::new();
        models.insert("stance".to_owned(), self.sentence_stance.model_ref().clone());
        models.insert("claim".to_owned(), self.claim.model_ref().clone());
        if with_targets {
            models.insert("target_stance".to_owned(), self.stance.model_ref().clone());
        }
        models
    }

    /// Adds the stance mix and the model identities to an article summary (its `claims` are counted with the
    /// final claim kinds, by the pipeline).
    pub fn summarise(&self, sentences: &[SentenceRecord], article: &mut ArticleRecord) {
        let mut counts = StanceCounts::default();
        let mut confidence = 0.0;
        for stance in sentences.iter().filter_map(|record| record.stance.as_ref()) {
            match stance.label {
                StanceLabel::Negative => counts.negative += 1,
                StanceLabel::Neutral => counts.neutral += 1,
                StanceLabel::Positive => counts.positive += 1,
            }
            confidence += stance.confidence;
        }
        let scored = counts.negative + counts.neutral + counts.positive;
        counts.mean_confidence = if scored == 0 { 0.0 } else { confidence / scored as f64 };
        article.stance = Some(counts);
        article.model.insert("stance".to_owned(), self.sentence_stance.model_ref().clone());
        article.model.insert("claim".to_owned(), self.claim.model_ref().clone());
    }
}

fn model_error(scorer: &Scorer, error: FeatureError) -> InputError {
    InputError::Model(format!("{} {}: {error}", scorer.model_ref().name, scorer.model_ref().version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Pipeline, PipelineConfig};
    use tenor_core::Origin;

    #[test]
    fn scored_records_carry_body_spans_and_a_stance_mix() {
        let pipeline = Pipeline::with_models(PipelineConfig::default(), Models::shipped().unwrap());
        let body = "Zürich — talks began. Critics condemned the plan as a cruel and reckless failure.";
        let payload = serde_json::json!({"id": "a", "body": body}).to_string();
        let out =
            pipeline.process_message(payload.as_bytes(), Origin::File { file: "t".into(), line: 1 }).unwrap();
        let chars: Vec<char> = body.chars().collect();
        for record in &out.sentences {
            let stance = record.stance.as_ref().unwrap();
            for e in &stance.evidence {
                assert_eq!(chars[e.span.start..e.span.end].iter().collect::<String>(), e.text, "{e:?}");
            }
            assert_eq!(record.model.len(), 2);
        }
        let last = out.sentences.last().unwrap();
        assert_eq!(last.stance.as_ref().unwrap().label, StanceLabel::Negative);
        let mix = out.article.stance.unwrap();
        assert_eq!(mix.negative + mix.neutral + mix.positive, out.sentences.len());
        assert!(mix.mean_confidence > 0.3);
    }

    #[test]
    fn a_target_outside_the_sentence_is_an_input_error() {
        let models = Models::shipped().unwrap();
        let target = TargetMention { mention: "x".into(), from: 3, to: 99 };
        let err = models.score("Prices rose.", &[target]).unwrap_err();
        assert_eq!(err.reason(), "model_error");
    }

    #[test]
    fn scores_keep_byte_ranges_into_the_sentence() {
        let models = Models::shipped().unwrap();
        let text = "Zürich’s “cruel” plan was a reckless failure.";
        let target = TargetMention { mention: "plan".into(), from: 17, to: 21 };
        let scores = models.score(text, &[target]).unwrap();
        assert_eq!(&text[scores.targets[0].range.clone()], "plan");
        assert_eq!(scores.claim.is_claim, scores.claim.score >= 0.5);
        assert!(!scores.stance.evidence.is_empty());
        for e in scores.stance.evidence.iter().chain(&scores.targets[0].stance.evidence) {
            assert!(text.get(e.range.clone()).is_some_and(|piece| !piece.is_empty()), "{e:?}");
        }
    }
}
