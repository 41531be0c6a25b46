use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{InputError, Origin, DEAD_LETTER_SCHEMA};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayloadEncoding {
    /// `payload` is the original message, verbatim.
    Utf8,
    /// The original message was not UTF-8; `payload` is its standard base64 encoding.
    Base64,
}

/// A message Tenor could not process (`tenor.dead_letter/1`): enough to understand why, find the original,
/// and replay it once fixed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub schema: String,
    /// Stable reason code, see [`InputError::reason`].
    pub reason: String,
    /// Human-readable explanation.
    pub error: String,
    pub payload: String,
    pub payload_encoding: PayloadEncoding,
    /// True when `payload` holds only the first bytes of the original (a sink's size limit applied); the
    /// original stays readable at `source`.
    pub payload_truncated: bool,
    pub source: Origin,
    /// The Tenor service (or command) that rejected it.
    pub service: String,
    pub time: DateTime<Utc>,
}

impl DeadLetter {
    /// Builds a dead letter for `payload`, keeping at most `max_payload_bytes` of it.
    pub fn new(
        error: &InputError,
        payload: &[u8],
        source: Origin,
        service: &str,
        max_payload_bytes: usize,
    ) -> DeadLetter {
        let truncated = payload.len() > max_payload_bytes;
        let kept = &payload[..payload.len().min(max_payload_bytes)];
        let (payload, payload_encoding) = match std::str::from_utf8(kept) {
            Ok(text) => (text.to_owned(), PayloadEncoding::Utf8),
            // A cut may split a character of an otherwise valid message: keep the valid prefix as text.
            Err(e) if truncated && std::str::from_utf8(payload).is_ok() => {
                (String::from_utf8_lossy(&kept[..e.valid_up_to()]).into_owned(), PayloadEncoding::Utf8)
            }
            Err(_) => (base64::engine::general_purpose::STANDARD.encode(kept), PayloadEncoding::Base64),
        };
        DeadLetter {
            schema: DEAD_LETTER_SCHEMA.to_owned(),
            reason: error.reason().to_owned(),
            error: error.to_string(),
            payload,
            payload_encoding,
            payload_truncated: truncated,
            source,
            service: service.to_owned(),
            time: Utc::now(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin::File { file: "in.jsonl".into(), line: 3 }
    }

    #[test]
    fn keeps_text_payloads_verbatim_and_binary_as_base64() {
        let dl = DeadLetter::new(&InputError::EmptyBody, br#"{"id":"a","body":""}"#, origin(), "t", 100);
        assert_eq!(dl.payload, r#"{"id":"a","body":""}"#);
        assert_eq!(dl.payload_encoding, PayloadEncoding::Utf8);
        assert!(!dl.payload_truncated);

        let dl = DeadLetter::new(&InputError::InvalidUtf8 { valid_up_to: 0 }, b"\xff\x00", origin(), "t", 100);
        assert_eq!(dl.payload, "/wA=");
        assert_eq!(dl.payload_encoding, PayloadEncoding::Base64);
        assert_eq!(dl.reason, "invalid_utf8");
    }

    #[test]
    fn truncation_never_splits_a_character_of_a_text_payload() {
        let payload = "ééé".as_bytes(); // 6 bytes
        let dl = DeadLetter::new(&InputError::EmptyBody, payload, origin(), "t", 3);
        assert_eq!(dl.payload, "é");
        assert!(dl.payload_truncated);
        assert_eq!(dl.payload_encoding, PayloadEncoding::Utf8);
    }
}
