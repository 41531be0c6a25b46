//! The scoring stage: stance and claim for every sentence, stance toward target mentions, and the article's
//! stance mix.

use std::collections::BTreeMap;

use tenor_core::{ArticleRecord, InputError, SentenceRecord, Span, StanceCounts, StanceLabel, TargetStance};
use tenor_features::{FeatureError, TargetRange};
use tenor_models::{ModelError, Scorer, Task};

/// The loaded stance and claim scorers. Build once; share by reference across threads.
#[derive(Debug)]
pub struct Models {
    pub stance: Scorer,
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
    /// Loads both models from their files' bytes, checking each is the right kind of model.
    pub fn from_bytes(stance: &[u8], claim: &[u8]) -> Result<Models, ModelError> {
        Ok(Models {
            stance: Scorer::from_bytes_for(stance, Task::Stance)?,
            claim: Scorer::from_bytes_for(claim, Task::Claim)?,
        })
    }

    /// The models built into the binary (`models/stance`, `models/claim`).
    pub fn shipped() -> Result<Models, ModelError> {
        Models::from_bytes(tenor_models::shipped::STANCE, tenor_models::shipped::CLAIM)
    }

    /// Fills `stance`, `claim`, `targets` and `model` of one sentence record. `targets` offsets count code
    /// points into the record's text; record spans are shifted to count into the article body.
    pub fn score_record(&self, record: &mut SentenceRecord, targets: &[TargetMention]) -> Result<(), InputError> {
        let text = &record.text;
        let base = record.span.start;
        let mut stance = self.stance.stance(text, None).map_err(|e| model_error(&self.stance, e))?;
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
        record.model.insert("stance".to_owned(), self.stance.model_ref().clone());
        record.model.insert("claim".to_owned(), self.claim.model_ref().clone());
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
        article.model.insert("stance".to_owned(), self.stance.model_ref().clone());
        article.model.insert("claim".to_owned(), self.claim.model_ref().clone());
    }
}

fn model_error(scorer: &Scorer, error: FeatureError) -> InputError {
    InputError::Model(format!("{} {}: {error}", scorer.model_ref().name, scorer.model_ref().version))
}
