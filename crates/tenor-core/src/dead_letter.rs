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

/// Longest `error` text a dead letter carries, in bytes: error texts may quote the input (a bad timestamp,
/// a parser message), and a dead letter must stay small whatever the input was.
pub const MAX_ERROR_BYTES: usize = 1024;

/// A dead letter that cannot be made to fit in the size asked for, even with no payload at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a dead letter without payload is still {size} bytes, over the limit of {limit} bytes")]
pub struct DeadLetterTooLarge {
    pub size: usize,
    pub limit: usize,
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
            error: cap_text(error.to_string(), MAX_ERROR_BYTES),
            payload,
            payload_encoding,
            payload_truncated: truncated,
            source,
            service: service.to_owned(),
            time: Utc::now(),
        }
    }

    /// Builds and serialises a dead letter for `payload` whose JSON is at most `max_bytes` long: the payload
    /// is cut to `max_payload_bytes` first, then further while the *escaped* form is still too long (JSON
    /// escapes can make a payload up to six times longer, base64 4/3). `payload_truncated` says when it was cut.
    /// Fails only when even an empty payload does not fit.
    pub fn encode_within(
        error: &InputError,
        payload: &[u8],
        source: Origin,
        service: &str,
        max_payload_bytes: usize,
        max_bytes: usize,
    ) -> Result<Vec<u8>, DeadLetterTooLarge> {
        let encode = |keep: usize| {
            let letter = DeadLetter::new(error, payload, source.clone(), service, keep);
            serde_json::to_vec(&letter).expect("a dead letter always serialises")
        };
        let mut keep = max_payload_bytes.min(payload.len());
        let mut json = encode(keep);
        if json.len() <= max_bytes {
            return Ok(json);
        }
        let skeleton = encode(0).len();
        if skeleton > max_bytes {
            return Err(DeadLetterTooLarge { size: skeleton, limit: max_bytes });
        }
        let budget = max_bytes - skeleton;
        while json.len() > max_bytes {
            // Shrink in proportion to how much the kept bytes grew when escaped (at least one byte a round).
            let escaped = json.len().saturating_sub(skeleton).max(1);
            keep = (keep * budget / escaped).min(keep - 1);
            json = encode(keep);
        }
        Ok(json)
    }
}

/// `text` cut to at most `max` bytes on a character boundary, marked with `…` when cut.
fn cap_text(mut text: String, max: usize) -> String {
    if text.len() <= max {
        return text;
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push('…');
    text
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
    fn a_dead_letter_fits_its_limit_after_escaping() {
        // 10 000 control bytes: each escapes to six bytes of JSON (`\u0001`).
        let payload = vec![1u8; 10_000];
        let json =
            DeadLetter::encode_within(&InputError::EmptyBody, &payload, origin(), "t", 256 * 1024, 4096).unwrap();
        assert!(json.len() <= 4096, "{}", json.len());
        let letter: DeadLetter = serde_json::from_slice(&json).unwrap();
        assert!(letter.payload_truncated);
        assert!(!letter.payload.is_empty() && payload.starts_with(letter.payload.as_bytes()));
        // Binary payloads are cut the same way, in base64.
        let binary = vec![0xffu8; 10_000];
        let json =
            DeadLetter::encode_within(&InputError::EmptyBody, &binary, origin(), "t", 256 * 1024, 4096).unwrap();
        assert!(json.len() <= 4096, "{}", json.len());
        // A small payload is kept whole.
        let json = DeadLetter::encode_within(&InputError::EmptyBody, b"{}", origin(), "t", 100, 4096).unwrap();
        assert!(!serde_json::from_slice::<DeadLetter>(&json).unwrap().payload_truncated);
        // Nothing fits in 50 bytes: an error, never a loop.
        let err = DeadLetter::encode_within(&InputError::EmptyBody, b"{}", origin(), "t", 100, 50).unwrap_err();
        assert_eq!(err.limit, 50);
    }

    #[test]
    fn the_error_text_is_capped() {
        let error = InputError::InvalidJson("é".repeat(5_000));
        let letter = DeadLetter::new(&error, b"x", origin(), "t", 100);
        assert!(letter.error.len() <= MAX_ERROR_BYTES, "{}", letter.error.len());
        assert!(letter.error.ends_with('…'));
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
