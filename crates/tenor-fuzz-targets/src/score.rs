//! The featurizer and the shipped scorers: any sentence (and any target offsets) is scored or refused with a
//! feature error, never a panic; probabilities sum to 1, confidence and claim score are in [0, 1], evidence
//! ranges are non-empty byte ranges of the text on char boundaries. Input: two bytes of target offsets, then
//! the sentence.

use std::sync::OnceLock;
use tenor_features::TargetRange;
use tenor_models::ScoredStance;
use tenor_pipeline::Models;

fn models() -> &'static Models {
    static MODELS: OnceLock<Models> = OnceLock::new();
    MODELS.get_or_init(|| Models::shipped().expect("shipped models load"))
}

fn check_stance(text: &str, stance: &ScoredStance) {
    let p = stance.probs;
    assert!((p.negative + p.neutral + p.positive - 1.0).abs() <= 1e-9, "{p:?}");
    assert!((0.0..=1.0).contains(&stance.confidence), "{stance:?}");
    for e in &stance.evidence {
        assert!(e.range.start < e.range.end && text.get(e.range.clone()).is_some(), "{e:?}");
    }
}

/// Checks one input; panics when the reader breaks its contract.
pub fn check(data: &[u8]) {
    let Some((&[from, to], rest)) = data.split_first_chunk::<2>() else { return };
    let text = String::from_utf8_lossy(rest);
    let models = models();
    match models.stance.stance(&text, None) {
        Ok(stance) => check_stance(&text, &stance),
        Err(_) => assert!(text.trim().is_empty() || text.len() > tenor_features::MAX_SENTENCE_BYTES),
    }
    if let Ok(claim) = models.claim.claim(&text) {
        assert!((0.0..=1.0).contains(&claim.score));
    }
    if let Ok(target) = TargetRange::from_code_points(&text, usize::from(from), usize::from(to)) {
        assert!(target.0.start < target.0.end && target.0.end <= text.len());
        if let Ok(stance) = models.stance.stance(&text, Some(&target)) {
            check_stance(&text, &stance);
        }
    }
}
