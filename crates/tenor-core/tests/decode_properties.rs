//! Property tests of `ArticleMessage::decode`: it never panics, whatever the bytes; a body that survives JSON
//! encoding comes back unchanged; JSON string escapes that name lone UTF-16 surrogates are rejected as
//! invalid JSON (serde_json refuses them) rather than turned into text.

#[path = "../../../tests/properties/hostile_text.rs"]
mod hostile_text;

use hostile_text::{hostile_body, hostile_text};
use proptest::prelude::*;
use tenor_core::{ArticleMessage, DecodeLimits};

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The reasons a hostile message may be refused with; anything else would be a wrong diagnosis.
const DECODE_REASONS: &[&str] = &[
    "invalid_utf8",
    "invalid_json",
    "not_an_object",
    "missing_field",
    "wrong_type",
    "invalid_field",
    "empty_body",
    "oversize",
    "field_too_long",
];

/// JSON string escapes: lone high and low surrogates, reversed pairs, a valid pair, and other escapes.
fn escape() -> impl Strategy<Value = &'static str> {
    prop::sample::select(
        &[
            "\\ud800",
            "\\udbff",
            "\\udc00",
            "\\udfff",
            "\\udc00\\ud800",
            "\\ud800\\u0041",
            "\\ud83d\\ude00",
            "\\u0000",
            "\\u00e9",
            "\\n",
            "\\r\\n",
            "\\\"",
            "\\\\",
            "\\/",
            "\\u202e",
            "\\ufeff",
        ][..],
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), ..ProptestConfig::default() })]

    #[test]
    fn any_body_round_trips_through_json(body in hostile_body(60), id in "\\PC{1,20}") {
        prop_assume!(!id.trim().is_empty());
        let message = serde_json::json!({"id": id, "body": body}).to_string();
        let article = ArticleMessage::decode(message.as_bytes(), &DecodeLimits::default()).unwrap();
        prop_assert_eq!(article.body, body);
        prop_assert_eq!(article.id, id);
    }

    #[test]
    fn surrogate_escapes_are_refused_or_decoded_exactly(
        parts in prop::collection::vec((hostile_text(6), escape()), 1..8),
    ) {
        // Build the JSON text by hand so that the escapes reach the decoder as written.
        let mut json_body = String::new();
        let mut lone = false;
        for (text, escape) in &parts {
            let encoded = serde_json::to_string(text).unwrap();
            json_body.push_str(&encoded[1..encoded.len() - 1]);
            json_body.push_str(escape);
            // A separator, so that two generated escapes never pair up into one valid surrogate pair.
            json_body.push('|');
            lone |= !matches!(*escape, "\\ud83d\\ude00") && escape.contains("\\ud");
        }
        let message = format!(r#"{{"id":"a","body":"x{json_body}"}}"#);
        match ArticleMessage::decode(message.as_bytes(), &DecodeLimits::default()) {
            Ok(article) => {
                prop_assert!(!lone, "a lone surrogate was accepted: {:?}", article.body);
                let expected: String = serde_json::from_str(&format!("\"x{json_body}\"")).unwrap();
                prop_assert_eq!(article.body, expected);
            }
            Err(error) => {
                prop_assert!(lone, "refused without a lone surrogate: {error}");
                prop_assert_eq!(error.reason(), "invalid_json");
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_get_a_known_reason(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Err(error) = ArticleMessage::decode(&bytes, &DecodeLimits::default()) {
            prop_assert!(DECODE_REASONS.contains(&error.reason()), "{}", error.reason());
        }
    }

    #[test]
    fn mangled_messages_never_panic(body in hostile_body(20), cut in any::<prop::sample::Index>(), junk in hostile_text(4)) {
        // A valid message with hostile text spliced in at an arbitrary byte: usually invalid JSON or UTF-8.
        let message = serde_json::json!({"id": "a", "body": body, "published_at": "2024-05-01T10:00:00Z"}).to_string();
        let at = cut.index(message.len() + 1);
        let mut bytes = message.as_bytes()[..at].to_vec();
        bytes.extend_from_slice(junk.as_bytes());
        bytes.extend_from_slice(&message.as_bytes()[at..]);
        if let Err(error) = ArticleMessage::decode(&bytes, &DecodeLimits::default()) {
            prop_assert!(DECODE_REASONS.contains(&error.reason()), "{}", error.reason());
        }
    }
}
