//! The scoring stage: stance and claim for every sentence, stance toward target mentions, and the article's
//! stance mix.

use std::collections::BTreeMap;

use tenor_core::{ArticleRecord, InputError, SentenceRecord, Span, StanceCounts, StanceLabel, TargetStance};
use tenor_features::{FeatureError, TargetRange};
use tenor_models::{ModelError, Scorer, Task};

/// The loaded scorers. Build once; share by reference across threads.
#[derive(Debug)]
pub struct Models {
    /// Stance toward a marked target mention (`targets[].stance`).
    pub stance: Scorer,
    /// Stance of the whole sentence, trained on sentences without a marked mention (the record's `stance`).
    pub sentence_stance: Scorer,
    pub claim: Scorer,
}

/// A target mention given with a sentence: code-point offsets `[from, to)` into the sentence text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetMention {
    pub mention: String,
    pub from: usize,
    pub to: usize,
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

    /// Fills `stance`, `claim`, `targets` and `model` of one sentence record: the record's stance comes from
    /// the sentence model, each target's from the per-target model (mention marked). `targets` offsets count
    /// code points into the record's text; record spans are shifted to count into the article body. The
    /// `model` map names the models used: `stance` (sentence), `claim`, and `target_stance` when there are
    /// targets.
    pub fn score_record(&self, record: &mut SentenceRecord, targets: &[TargetMention]) -> Result<(), InputError> {
        let text = &record.text;
        let base = record.span.start;
        let mut stance =
            self.sentence_stance.stance(text, None).map_err(|e| model_error(&self.sentence_stance, e))?;
        for evidence in &mut stance.evidence {
            evidence.span = Span::new(evidence.span.start + base, evidence.span.end + base);
        }
        record.claim = Some(self.claim.claim(text).map_err(|e| model_error(&self.claim, e))?);
        record.stance = Some(stance);
        record.targets = targets
            .iter()
            .map(|t| {
                let range =
                    TargetRange::from_code_points(text, t.from, t.to).map_err(|e| model_error(&self.stance, e))?;
                let mut stance =
                    self.stance.stance(text, Some(&range)).map_err(|e| model_error(&self.stance, e))?;
                for evidence in &mut stance.evidence {
                    evidence.span = Span::new(evidence.span.start + base, evidence.span.end + base);
                }
                Ok(TargetStance {
                    mention: t.mention.clone(),
                    span: Span::new(base + t.from, base + t.to),
                    stance,
                })
            })
            .collect::<Result<_, InputError>>()?;
        record.model.insert("stance".to_owned(), self.sentence_stance.model_ref().clone());
        record.model.insert("claim".to_owned(), self.claim.model_ref().clone());
        if !targets.is_empty() {
            record.model.insert("target_stance".to_owned(), self.stance.model_ref().clone());
        }
        Ok(())
    }

    /// Adds the stance mix, claim counts and model identities to an article summary.
    pub fn summarise(&self, sentences: &[SentenceRecord], article: &mut ArticleRecord) {
        let mut counts = StanceCounts::default();
        let mut confidence = 0.0;
        let mut claims: BTreeMap<String, usize> = BTreeMap::new();
        for record in sentences {
            if let Some(stance) = &record.stance {
                match stance.label {
                    StanceLabel::Negative => counts.negative += 1,
                    StanceLabel::Neutral => counts.neutral += 1,
                    StanceLabel::Positive => counts.positive += 1,
                }
                confidence += stance.confidence;
            }
            if let Some(claim) = record.claim.as_ref().filter(|c| c.is_claim) {
                let kind = serde_json::to_value(claim.kind).ok().and_then(|v| v.as_str().map(str::to_owned));
                *claims.entry(kind.unwrap_or_default()).or_default() += 1;
            }
        }
        let scored = counts.negative + counts.neutral + counts.positive;
        counts.mean_confidence = if scored == 0 { 0.0 } else { confidence / scored as f64 };
        article.stance = Some(counts);
        article.claims = claims;
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
        let pipeline = Pipeline::new(PipelineConfig::default());
        let article =
            tenor_core::ArticleMessage::decode(br#"{"id":"a","body":"Prices rose."}"#, &Default::default())
                .unwrap();
        let mut records =
            pipeline.segment(&article, &Origin::File { file: "t".into(), line: 1 }, chrono::Utc::now()).unwrap();
        let target = TargetMention { mention: "x".into(), from: 3, to: 99 };
        let err = models.score_record(&mut records[0], &[target]).unwrap_err();
        assert_eq!(err.reason(), "model_error");
    }
}
