//! `tenor classify`'s sentence-line decoder, and scoring the decoded line with the shipped models: any bytes
//! are decoded or refused with a reason; a decoded line is scored or refused (bad target, empty or oversize
//! text) with a reason, never a panic.

use std::sync::OnceLock;
use tenor_core::{InputError, Origin};
use tenor_pipeline::{Models, SentenceLine};

fn models() -> &'static Models {
    static MODELS: OnceLock<Models> = OnceLock::new();
    MODELS.get_or_init(|| Models::shipped().expect("shipped models load"))
}

/// Checks one input; panics when the reader breaks its contract.
pub fn check(data: &[u8]) {
    let line = match SentenceLine::decode(data) {
        Ok(line) => line,
        Err(error) => {
            assert!(InputError::REASONS.contains(&error.reason()));
            return;
        }
    };
    assert!(!line.id.trim().is_empty());
    let text = line.text.clone();
    let origin = Origin::File { file: "fuzz".into(), line: 1 };
    match line.score(models(), origin, chrono::Utc::now()) {
        Ok(record) => {
            assert_eq!(record.text, text);
            assert_eq!(record.span.end, text.chars().count());
            let p = record.stance.expect("scored").probs;
            assert!((p.negative + p.neutral + p.positive - 1.0).abs() <= 1e-9);
        }
        Err(error) => assert_eq!(error.reason(), "model_error"),
    }
}
