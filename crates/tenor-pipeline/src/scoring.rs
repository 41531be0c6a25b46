//! The scoring stage: stance and claim for every sentence, stance toward target mentions, and the article's
//! stance mix. Scores keep the scorer's byte offsets (relative to the sentence); `records` converts them.

use std::collections::BTreeMap;
use std::ops::Range;

use tenor_core::{ArticleRecord, InputError, ModelRef, ScoredBy, SentenceRecord, StanceCounts, StanceLabel};
use tenor_features::{FeatureError, TargetRange};
use tenor_models::{ClaimScore, ModelError, ScoredStance, Scorer, Task};

use crate::tier::{cascade_pick, EncoderModels, Tier, TierConfig};

/// The loaded scorers: the linear models always, the encoder tier when loaded, and which tier scores.
/// Build once; share by reference across threads.
#[derive(Debug)]
pub struct Models {
    /// Stance toward a marked target mention (`targets[].stance`).
    pub stance: Scorer,
    /// Stance of the whole sentence, trained on sentences without a marked mention (the record's `stance`).
    pub sentence_stance: Scorer,
    pub claim: Scorer,
    encoder: Option<EncoderModels>,
    tier: TierConfig,
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
    /// Which tier's models gave these scores.
    pub scored_by: ScoredBy,
    /// The encoder's unit-length sentence embedding, when the encoder scored the sentence (claim clustering
    /// and tension compare sentences with it); `None` from the linear tier.
    pub embedding: Option<Vec<f32>>,
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
            encoder: None,
            tier: TierConfig::default(),
        })
    }

    /// Adds the encoder tier and chooses the tier that scores (`encoder` and `cascade` need the encoder).
    pub fn with_encoder(mut self, encoder: EncoderModels, tier: TierConfig) -> Models {
        self.encoder = Some(encoder);
        self.tier = tier;
        self
    }

    /// The tier that scores sentences: `linear` unless the encoder tier was added.
    pub fn tier(&self) -> TierConfig {
        self.tier
    }

    pub fn encoder(&self) -> Option<&EncoderModels> {
        self.encoder.as_ref()
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
        Ok(self.score_sentences(&[text], &[targets])?.remove(0))
    }

    /// Scores an article's sentences with the configured tier: `targets[i]` are sentence `i`'s mentions (may
    /// be shorter than `texts`). The linear tier scores each sentence alone; the encoder runs once over all
    /// of them (length-bucketed batches); the cascade scores all linearly, then re-scores its pick
    /// ([`cascade_pick`]) with the encoder.
    pub fn score_sentences(
        &self,
        texts: &[&str],
        targets: &[&[TargetMention]],
    ) -> Result<Vec<SentenceScores>, InputError> {
        let targets_of = |i: usize| targets.get(i).copied().unwrap_or(&[]);
        let encoder = match (&self.encoder, self.tier.tier) {
            (Some(encoder), Tier::Encoder | Tier::Cascade) => encoder,
            _ => return texts.iter().enumerate().map(|(i, t)| self.score_linear(t, targets_of(i))).collect(),
        };
        let mut byte_targets = Vec::with_capacity(texts.len());
        for (i, text) in texts.iter().enumerate() {
            byte_targets.push(
                targets_of(i)
                    .iter()
                    .map(|t| {
                        let range = TargetRange::from_code_points(text, t.from, t.to)
                            .map_err(|e| model_error(&self.stance, e))?;
                        Ok((t.mention.clone(), range.0))
                    })
                    .collect::<Result<Vec<_>, InputError>>()?,
            );
        }
        if self.tier.tier == Tier::Encoder {
            return encoder.score(texts, &byte_targets);
        }
        let mut scores = texts
            .iter()
            .enumerate()
            .map(|(i, t)| self.score_linear(t, targets_of(i)))
            .collect::<Result<Vec<_>, _>>()?;
        let picked = cascade_pick(&scores, self.tier.encoder_share);
        let picked_texts: Vec<&str> = picked.iter().map(|&i| texts[i]).collect();
        let picked_targets: Vec<_> = picked.iter().map(|&i| byte_targets[i].clone()).collect();
        for (i, s) in picked.into_iter().zip(encoder.score(&picked_texts, &picked_targets)?) {
            scores[i] = s;
        }
        Ok(scores)
    }

    fn score_linear(&self, text: &str, targets: &[TargetMention]) -> Result<SentenceScores, InputError> {
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
        Ok(SentenceScores { stance, claim, targets, scored_by: ScoredBy::Linear, embedding: None })
    }

    /// A scored record's `model` map: `stance` (sentence), `claim`, and `target_stance` when there are targets,
    /// of the tier that scored it (the encoder tier adds `encoder`, the transformer the heads read).
    pub fn record_models(&self, with_targets: bool, scored_by: ScoredBy) -> BTreeMap<String, ModelRef> {
        let mut models = BTreeMap::new();
        let [sentence, target, claim] = match (scored_by, &self.encoder) {
            (ScoredBy::Encoder, Some(encoder)) => {
                models.insert("encoder".to_owned(), encoder.encoder_ref().clone());
                encoder.refs().clone()
            }
            _ => [
                self.sentence_stance.model_ref().clone(),
                self.stance.model_ref().clone(),
                self.claim.model_ref().clone(),
            ],
        };
        models.insert("stance".to_owned(), sentence);
        models.insert("claim".to_owned(), claim);
        if with_targets {
            models.insert("target_stance".to_owned(), target);
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
        let linear = [self.sentence_stance.model_ref(), self.claim.model_ref()];
        match (&self.encoder, self.tier.tier) {
            (Some(encoder), Tier::Encoder) => {
                article.model.insert("stance".to_owned(), encoder.refs()[0].clone());
                article.model.insert("claim".to_owned(), encoder.refs()[2].clone());
                article.model.insert("encoder".to_owned(), encoder.encoder_ref().clone());
            }
            (Some(encoder), Tier::Cascade) => {
                article.model.insert("stance".to_owned(), linear[0].clone());
                article.model.insert("claim".to_owned(), linear[1].clone());
                article.model.insert("encoder".to_owned(), encoder.encoder_ref().clone());
                article.model.insert("encoder_stance".to_owned(), encoder.refs()[0].clone());
                article.model.insert("encoder_claim".to_owned(), encoder.refs()[2].clone());
            }
            _ => {
                article.model.insert("stance".to_owned(), linear[0].clone());
                article.model.insert("claim".to_owned(), linear[1].clone());
            }
        }
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
