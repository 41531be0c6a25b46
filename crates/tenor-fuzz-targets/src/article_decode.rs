//! The article message decoder: any bytes either decode to an article that keeps the input contract (non-blank
//! id and body, within the size and nesting limits) and survives re-encoding unchanged, or are refused with a
//! reason.

use tenor_core::{ArticleMessage, DecodeLimits, InputError};

/// Checks one input; panics when the reader breaks its contract.
pub fn check(data: &[u8]) {
    // A small depth limit, so that the fuzzer reaches it with short inputs.
    let limits = DecodeLimits {
        max_message_bytes: 64 * 1024,
        max_body_bytes: 32 * 1024,
        max_json_depth: 4,
        max_field_bytes: 1024,
    };
    match ArticleMessage::decode(data, &limits) {
        Ok(article) => {
            assert!(!article.id.trim().is_empty() && !article.body.trim().is_empty());
            assert!(article.body.len() <= limits.max_body_bytes);
            let again = serde_json::to_vec(&article).expect("a decoded article serialises");
            let decoded = ArticleMessage::decode(&again, &DecodeLimits::default()).expect("re-encoding decodes");
            assert_eq!(decoded, article);
        }
        Err(error) => assert!(InputError::REASONS.contains(&error.reason())),
    }
}
