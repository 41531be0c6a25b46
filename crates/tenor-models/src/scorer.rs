//! Serving: a sparse dot-product scorer built from a model file's weights.
//!
//! The scorer speaks in byte offsets into the text it scores ([`ByteEvidence`]); it neither converts them to
//! code points nor decides a record's claim kind: `tenor-pipeline` does both, once, where it builds records.

use std::cell::RefCell;
use std::ops::Range;

use tenor_core::{ModelRef, StanceLabel, StanceProbs};
use tenor_features::{FeatureBuffer, FeatureError, Featurizer, TargetRange};

use crate::artifact::{BucketWeights, Calibration, ModelError, ModelFile, Task};

thread_local! {
    // One feature buffer per thread, so scoring never allocates after warm-up and the scorer stays immutable.
    static BUFFER: RefCell<FeatureBuffer> = RefCell::new(FeatureBuffer::new());
}

/// Largest number of evidence spans a stance reports.
const MAX_EVIDENCE: usize = 3;

/// A loaded model, ready to score. Immutable: share one across threads (`Send + Sync`).
#[derive(Debug)]
pub struct Scorer {
    model_ref: ModelRef,
    task: Task,
    classes: usize,
    featurizer: Featurizer,
    /// One row per hash bucket, padded to 4 classes (zeros past `classes`): one aligned 16-byte load and
    /// one 4-wide multiply-add per feature, whatever the number of classes.
    weights: Vec<[f32; 4]>,
    intercept: Vec<f32>,
    calibration: Calibration,
}

/// Raw and calibrated scores of one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    pub raw: Vec<f64>,
    pub probs: Vec<f64>,
}

/// The stance of one scored text, as the scorer sees it: evidence in byte offsets into that text.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredStance {
    pub label: StanceLabel,
    /// Calibrated probability of `label`.
    pub confidence: f64,
    pub probs: StanceProbs,
    /// Strongest first, at most three.
    pub evidence: Vec<ByteEvidence>,
}

/// A run of tokens that pushed a stance toward its label: a byte range into the scored text, on character
/// boundaries, and its summed contribution (positive).
#[derive(Debug, Clone, PartialEq)]
pub struct ByteEvidence {
    pub range: Range<usize>,
    pub weight: f64,
}

/// The claim model's verdict on one text: a check-worthy factual claim when `score` (calibrated) is at least
/// 0.5. What kind of claim a sentence is (attributed, assertion) is decided by the pipeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClaimScore {
    pub is_claim: bool,
    pub score: f64,
}

impl Scorer {
    /// Loads a model file's bytes (as written by `tenor train`).
    pub fn from_bytes(bytes: &[u8]) -> Result<Scorer, ModelError> {
        let file = ModelFile::from_bytes(bytes)?;
        let sha256 = crate::artifact::sha256_hex(bytes);
        let featurizer = Featurizer::new(file.features.clone())
            .map_err(|e| ModelError::Corrupt { name: file.name.clone(), detail: e.to_string() })?;
        let classes = file.labels.len();
        if classes > 4 {
            return Err(ModelError::Corrupt { name: file.name, detail: format!("{classes} classes, at most 4") });
        }
        let mut weights = vec![[0f32; 4]; featurizer.dimension()];
        for BucketWeights(bucket, w) in &file.weights {
            weights[*bucket as usize][..classes].copy_from_slice(w);
        }
        Ok(Scorer {
            model_ref: ModelRef { name: file.name, version: file.version, sha256 },
            task: file.task,
            classes,
            featurizer,
            weights,
            intercept: file.intercept,
            calibration: file.calibration,
        })
    }

    /// Loads a model and checks that it does `task`.
    pub fn from_bytes_for(bytes: &[u8], task: Task) -> Result<Scorer, ModelError> {
        let scorer = Scorer::from_bytes(bytes)?;
        if scorer.task != task {
            return Err(ModelError::WrongTask { name: scorer.model_ref.name, found: scorer.task, expected: task });
        }
        Ok(scorer)
    }

    pub fn model_ref(&self) -> &ModelRef {
        &self.model_ref
    }

    pub fn task(&self) -> Task {
        self.task
    }

    /// Raw (uncalibrated) and calibrated class scores of `text`, toward `target` when given.
    pub fn score(&self, text: &str, target: Option<&TargetRange>) -> Result<Scores, FeatureError> {
        BUFFER.with(|buf| {
            let mut buf = buf.borrow_mut();
            self.featurizer.featurize(text, target, &mut buf)?;
            Ok(self.scores(&buf))
        })
    }

    fn scores(&self, buf: &FeatureBuffer) -> Scores {
        let k = self.classes;
        let mut raw = [0f32; 4];
        raw[..k].copy_from_slice(&self.intercept);
        for f in &buf.features {
            // Indices are below the featurizer's dimension (2^hash_bits), which is the table's length.
            let w = &self.weights[f.index as usize];
            for c in 0..4 {
                raw[c] += f.value * w[c];
            }
        }
        let raw: Vec<f64> = raw[..k].iter().map(|&x| f64::from(x)).collect();
        let mut probs = raw.clone();
        self.calibration.apply(&mut probs);
        Scores { raw, probs }
    }

    /// The stance of `text` (toward `target` when given), with the spans that pushed it. Evidence ranges are
    /// bytes into `text`.
    pub fn stance(&self, text: &str, target: Option<&TargetRange>) -> Result<ScoredStance, FeatureError> {
        debug_assert_eq!(self.task, Task::Stance);
        BUFFER.with(|buf| {
            let mut buf = buf.borrow_mut();
            self.featurizer.featurize(text, target, &mut buf)?;
            let scores = self.scores(&buf);
            let (label, confidence) = argmax(&scores.probs);
            let evidence = self.evidence(&buf, label);
            Ok(ScoredStance {
                label: StanceLabel::ALL[label],
                confidence,
                probs: StanceProbs {
                    negative: scores.probs[0],
                    neutral: scores.probs[1],
                    positive: scores.probs[2],
                },
                evidence,
            })
        })
    }

    /// Whether `text` is a check-worthy factual claim, and the calibrated probability that it is.
    pub fn claim(&self, text: &str) -> Result<ClaimScore, FeatureError> {
        debug_assert_eq!(self.task, Task::Claim);
        let scores = self.score(text, None)?;
        let score = scores.probs[1];
        Ok(ClaimScore { is_claim: score >= 0.5, score })
    }

    /// Spans of consecutive tokens that pushed toward `label`: each feature's margin for `label` over the
    /// mean of the other classes is shared among the tokens that produced it; runs of tokens with a clear
    /// positive share (at least a quarter of the strongest token) become spans, strongest first.
    fn evidence(&self, buf: &FeatureBuffer, label: usize) -> Vec<ByteEvidence> {
        let k = self.classes;
        let n = buf.tokens.len();
        if n == 0 {
            return Vec::new();
        }
        let mut per_token = vec![0f64; n];
        for f in &buf.features {
            if f.to <= f.from {
                continue;
            }
            let w = &self.weights[f.index as usize][..k];
            let others = (w.iter().sum::<f32>() - w[label]) / (k - 1) as f32;
            let margin = f64::from(f.value * (w[label] - others));
            let (from, to) = (f.from as usize, (f.to as usize).min(n));
            let share = margin / (to - from) as f64;
            for t in &mut per_token[from..to] {
                *t += share;
            }
        }
        let strongest = per_token.iter().copied().fold(0.0, f64::max);
        if strongest <= 0.0 {
            return Vec::new();
        }
        let threshold = strongest * 0.25;
        let mut spans: Vec<(usize, usize, f64)> = Vec::new();
        let mut i = 0;
        while i < n {
            if per_token[i] >= threshold {
                let start = i;
                let mut weight = 0.0;
                // Extend over strong tokens, and over one weak token between two strong ones ("no significant").
                while i < n
                    && (per_token[i] >= threshold
                        || (i + 1 < n && per_token[i + 1] >= threshold && per_token[i] > 0.0))
                {
                    weight += per_token[i];
                    i += 1;
                }
                spans.push((start, i, weight));
            } else {
                i += 1;
            }
        }
        spans.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        spans.truncate(MAX_EVIDENCE);
        spans
            .into_iter()
            .map(|(from, to, weight)| ByteEvidence {
                range: buf.tokens[from].start as usize..buf.tokens[to - 1].end as usize,
                weight,
            })
            .collect()
    }
}

fn argmax(probs: &[f64]) -> (usize, f64) {
    probs.iter().enumerate().fold((0, f64::NEG_INFINITY), |best, (i, &p)| if p > best.1 { (i, p) } else { best })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::ModelError;
    use crate::shipped;

    fn stance() -> Scorer {
        Scorer::from_bytes_for(shipped::STANCE, Task::Stance).unwrap()
    }

    #[test]
    fn scorers_are_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Scorer>();
        let scorer = stance();
        let text = "The deal is a disaster for workers.";
        let here = scorer.score(text, None).unwrap();
        std::thread::scope(|s| {
            let there = s.spawn(|| scorer.score(text, None).unwrap()).join().unwrap();
            assert_eq!(here, there);
        });
    }

    fn sentence_stance() -> Scorer {
        Scorer::from_bytes_for(shipped::SENTENCE_STANCE, Task::Stance).unwrap()
    }

    /// Sentences whose tone a reader agrees on, scored without a target (sentence-level stance). The same
    /// table, with each model's scores, is in docs/MODELS.md ("Reference sentences").
    const CASES: &[(&str, StanceLabel)] = &[
        ("Envoys described the talks as productive and constructive", StanceLabel::Positive),
        ("no significant breakthrough has emerged", StanceLabel::Negative),
        ("After hours of talks, no significant breakthrough has emerged", StanceLabel::Negative),
        ("The senator praised the agreement as a historic success.", StanceLabel::Positive),
        ("Critics condemned the plan as a cruel and reckless failure.", StanceLabel::Negative),
        ("The president was accused of lying to investigators.", StanceLabel::Negative),
        ("The meeting is scheduled for Tuesday at the White House.", StanceLabel::Neutral),
        ("The deal is a disaster for workers.", StanceLabel::Negative),
        ("Officials hailed the ceasefire as a major step toward lasting peace.", StanceLabel::Positive),
        ("The minister was forced to resign amid a corruption scandal.", StanceLabel::Negative),
        ("The company reported quarterly results on Thursday.", StanceLabel::Neutral),
        ("Residents thanked the rescue teams for their courage.", StanceLabel::Positive),
        ("The talks collapsed without any agreement.", StanceLabel::Negative),
        ("The report was published in March.", StanceLabel::Neutral),
    ];

    /// How many of [`CASES`] a model labels right, and the misses.
    fn case_misses(scorer: &Scorer) -> Vec<String> {
        let mut misses = Vec::new();
        for &(text, label) in CASES {
            let s = scorer.stance(text, None).unwrap();
            if s.label != label {
                misses.push(format!("{text:?}: {:?} {:.3} (want {label:?})", s.label, s.confidence));
            }
        }
        misses
    }

    /// Regression floor, not the issue's goal: the shipped models label most of the table right (measured
    /// 2026-11-27: sentence model 1.2.0 12 of 14 (1.1.0: 10), per-target model without a mention 14 of 14;
    /// see docs/MODELS.md).
    #[test]
    fn shipped_stance_models_get_most_clear_cases() {
        let misses = case_misses(&sentence_stance());
        assert!(misses.len() <= 2, "sentence model: {misses:#?}");
        let misses = case_misses(&stance());
        assert!(misses.is_empty(), "per-target model without a mention: {misses:#?}");
    }

    /// The issue's two reference sentences. What the shipped sentence model achieves: "Envoys ..." is
    /// positive with confidence above 0.7 (the issue's goal; 0.78 for model 1.2.0) and leans clearly away
    /// from negative; "no significant breakthrough ..." leans clearly away from positive and is close to
    /// negative. NOT met (see docs/MODELS.md): the negative label with confidence above 0.7 for the second
    /// (model 1.2.0, trained with VADER's clearly rated NYT sentences, says neutral 0.484, negative 0.475;
    /// model 1.1.0, NewsMTSC only, said neutral 0.62, negative 0.34).
    #[test]
    fn reference_sentences_lean_the_right_way() {
        let scorer = sentence_stance();
        let envoys = scorer.stance("Envoys described the talks as productive and constructive", None).unwrap();
        assert_eq!(envoys.label, StanceLabel::Positive, "{:?}", envoys.probs);
        assert!(envoys.confidence > 0.7, "{:?}", envoys.probs);
        assert!(envoys.probs.positive > 3.0 * envoys.probs.negative, "{:?}", envoys.probs);
        let breakthrough = scorer.stance("no significant breakthrough has emerged", None).unwrap();
        assert!(breakthrough.probs.negative > 5.0 * breakthrough.probs.positive, "{:?}", breakthrough.probs);
        assert!(breakthrough.probs.negative > 0.4, "{:?}", breakthrough.probs);
    }

    #[test]
    fn evidence_points_at_the_words_that_decided() {
        let text = "After hours of talks, no significant breakthrough has emerged";
        let s = stance().stance(text, None).unwrap();
        assert_eq!(s.label, StanceLabel::Negative);
        let first = &text[s.evidence[0].range.clone()];
        assert!(first.contains("breakthrough") || first.contains("no"), "{:?}", s.evidence);
        for e in &s.evidence {
            let piece = text.get(e.range.clone()).expect("evidence is a byte range on char boundaries");
            assert!(!piece.is_empty() && piece == piece.trim(), "{piece:?}");
            assert!(e.weight > 0.0);
        }
        let accented = stance().stance("Zürich’s talks — a “cruel” failure", None).unwrap();
        for e in &accented.evidence {
            assert!(
                e.range.start < e.range.end && "Zürich’s talks — a “cruel” failure".get(e.range.clone()).is_some()
            );
        }
    }

    #[test]
    fn shipped_claim_model_separates_facts_from_chatter() {
        let claim = Scorer::from_bytes_for(shipped::CLAIM, Task::Claim).unwrap();
        let fact =
            claim.claim("Unemployment fell to 3.5 percent last year, the lowest rate in 50 years.").unwrap();
        let chatter = claim.claim("Thank you all very much, it is great to be here tonight.").unwrap();
        assert!(fact.is_claim && fact.score >= 0.5, "{fact:?}");
        assert!(!chatter.is_claim && chatter.score < 0.5, "{chatter:?}");
        assert!(fact.score > chatter.score);
    }

    #[test]
    fn bad_model_files_say_what_is_wrong() {
        assert!(matches!(Scorer::from_bytes(b"\x00\x01"), Err(ModelError::NotAModel(_))));
        assert!(matches!(Scorer::from_bytes(br#"{"format":"x"}"#), Err(ModelError::Format { .. })));
        let text = std::str::from_utf8(shipped::STANCE).unwrap();
        let old = text.replacen("\"version\":1", "\"version\":0", 1);
        assert!(matches!(Scorer::from_bytes(old.as_bytes()), Err(ModelError::FeatureVersion { model: 0, .. })));
        let truncated = &shipped::STANCE[..shipped::STANCE.len() / 2];
        assert!(matches!(Scorer::from_bytes(truncated), Err(ModelError::NotAModel(_))));
        let mut file = ModelFile::from_bytes(shipped::STANCE).unwrap();
        file.weights[0].1.pop();
        let err = Scorer::from_bytes(&file.to_bytes()).unwrap_err();
        assert!(err.to_string().contains("finite weights"), "{err}");
        assert!(matches!(Scorer::from_bytes_for(shipped::CLAIM, Task::Stance), Err(ModelError::WrongTask { .. })));
    }
}
