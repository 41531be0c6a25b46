use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::InputError;

/// One article as it arrives on the input topic or in an archive line.
///
/// Required: `id` (non-empty string) and `body` (non-blank string). Optional: `title`, `source`, `url`,
/// `published_at` (RFC 3339), `lang`, `run_id` (set by `tenor replay --to-topic --run-id`; copied into every
/// record). Unknown fields are ignored, so producers may add their own.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleMessage {
    pub id: String,
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The publisher or feed the article came from (e.g. "Reuters"), as given by the producer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<DateTime<FixedOffset>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// The replay this message belongs to; records made from it carry it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
}

/// Size limits applied while decoding, so one hostile message cannot make a service allocate without bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DecodeLimits {
    /// Largest whole message accepted, in bytes, checked before parsing.
    pub max_message_bytes: usize,
    /// Largest `body` accepted, in bytes of UTF-8.
    pub max_body_bytes: usize,
    /// Deepest nesting of JSON arrays and objects accepted (the message object itself is level 1), checked
    /// before parsing so that a hostile message cannot make the parser recurse deeply.
    pub max_json_depth: usize,
    /// Largest value of every other field (`id`, `title`, `source`, `url`, `published_at`, `lang`,
    /// `run_id`), in bytes of UTF-8. `id`, `source`, `published_at` and `run_id` are copied into every
    /// sentence record, so this bounds what one input adds to each record (`field_too_long` beyond it).
    pub max_field_bytes: usize,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits {
            max_message_bytes: 2 * 1024 * 1024,
            max_body_bytes: 1024 * 1024,
            max_json_depth: 32,
            max_field_bytes: 2048,
        }
    }
}

impl ArticleMessage {
    /// Decodes one message, checking every rule of the input contract. The error says exactly what is wrong.
    pub fn decode(bytes: &[u8], limits: &DecodeLimits) -> Result<ArticleMessage, InputError> {
        if bytes.len() > limits.max_message_bytes {
            return Err(InputError::Oversize {
                what: "message",
                size: bytes.len(),
                limit: limits.max_message_bytes,
            });
        }
        let text =
            std::str::from_utf8(bytes).map_err(|e| InputError::InvalidUtf8 { valid_up_to: e.valid_up_to() })?;
        check_json_depth(text.as_bytes(), limits.max_json_depth)?;
        let value: Value = serde_json::from_str(text).map_err(|e| InputError::InvalidJson(e.to_string()))?;
        let Value::Object(mut fields) = value else {
            return Err(InputError::NotAnObject { found: json_type(&value) });
        };

        let field_limit = limits.max_field_bytes;
        let id = take_string(&mut fields, "id", field_limit)?.ok_or(InputError::MissingField("id"))?;
        if id.trim().is_empty() {
            return Err(InputError::InvalidField { field: "id", detail: "must not be empty".into() });
        }
        let body = take_string(&mut fields, "body", usize::MAX)?.ok_or(InputError::MissingField("body"))?;
        if body.len() > limits.max_body_bytes {
            return Err(InputError::Oversize { what: "body", size: body.len(), limit: limits.max_body_bytes });
        }
        if body.trim().is_empty() {
            return Err(InputError::EmptyBody);
        }
        let published_at = match take_string(&mut fields, "published_at", field_limit)? {
            None => None,
            Some(raw) => Some(DateTime::parse_from_rfc3339(&raw).map_err(|e| InputError::InvalidField {
                field: "published_at",
                detail: format!("{raw:?} is not an RFC 3339 timestamp ({e})"),
            })?),
        };
        Ok(ArticleMessage {
            id,
            body,
            title: take_string(&mut fields, "title", field_limit)?,
            source: take_string(&mut fields, "source", field_limit)?,
            url: take_string(&mut fields, "url", field_limit)?,
            published_at,
            lang: take_string(&mut fields, "lang", field_limit)?,
            run_id: take_string(&mut fields, "run_id", field_limit)?,
        })
    }
}

/// Takes an optional string field of at most `limit` bytes; `null` counts as absent, any other non-string
/// type is an error.
fn take_string(
    fields: &mut Map<String, Value>,
    field: &'static str,
    limit: usize,
) -> Result<Option<String>, InputError> {
    match fields.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.len() > limit => Err(InputError::FieldTooLong { field, size: s.len(), limit }),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(InputError::WrongType { field, expected: "a string", found: json_type(&other) }),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Fails when `json` nests arrays and objects deeper than `limit`: one linear pass over the bytes, counting
/// brackets outside strings. Malformed JSON passes through (the parser reports it).
pub fn check_json_depth(json: &[u8], limit: usize) -> Result<(), InputError> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &byte in json {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return Err(InputError::TooDeep { depth, limit });
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(s: &str) -> Result<ArticleMessage, InputError> {
        ArticleMessage::decode(s.as_bytes(), &DecodeLimits::default())
    }

    #[test]
    fn accepts_minimal_and_full_messages_and_ignores_unknown_fields() {
        let a = decode(r#"{"id":"a1","body":"Hello."}"#).unwrap();
        assert_eq!((a.id.as_str(), a.body.as_str(), a.title.as_deref()), ("a1", "Hello.", None));
        let b = decode(
            r#"{"id":"b","body":"x","title":"T","source":"Wire","url":"u","published_at":"2024-05-01T10:00:00+02:00","lang":"en","extra":[1]}"#,
        )
        .unwrap();
        assert_eq!(b.source.as_deref(), Some("Wire"));
        assert_eq!(b.published_at.unwrap().to_rfc3339(), "2024-05-01T10:00:00+02:00");
    }

    #[test]
    fn each_bad_input_has_its_own_reason() {
        let cases = [
            (&b"\xff\xfe"[..], "invalid_utf8"),
            (b"{not json", "invalid_json"),
            (b"[1,2]", "not_an_object"),
            (br#"{"body":"x"}"#, "missing_field"),
            (br#"{"id":"a"}"#, "missing_field"),
            (br#"{"id":7,"body":"x"}"#, "wrong_type"),
            (br#"{"id":"a","body":["x"]}"#, "wrong_type"),
            (br#"{"id":"a","body":"x","title":5}"#, "wrong_type"),
            (br#"{"id":"","body":"x"}"#, "invalid_field"),
            (br#"{"id":"a","body":"x","published_at":"yesterday"}"#, "invalid_field"),
            (br#"{"id":"a","body":"  \n\t "}"#, "empty_body"),
        ];
        for (input, reason) in cases {
            let err = ArticleMessage::decode(input, &DecodeLimits::default()).unwrap_err();
            assert_eq!(err.reason(), reason, "{:?} gave {err}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn size_limits_apply_to_message_and_body() {
        let limits = DecodeLimits { max_message_bytes: 100, max_body_bytes: 10, ..DecodeLimits::default() };
        let long_message = format!(r#"{{"id":"a","body":"{}"}}"#, "x".repeat(200));
        let err = ArticleMessage::decode(long_message.as_bytes(), &limits).unwrap_err();
        assert_eq!(err, InputError::Oversize { what: "message", size: long_message.len(), limit: 100 });
        let long_body = r#"{"id":"a","body":"this body is long"}"#;
        let err = ArticleMessage::decode(long_body.as_bytes(), &limits).unwrap_err();
        assert_eq!(err.reason(), "oversize");
        assert!(err.to_string().contains("body is 17 bytes"), "{err}");
    }

    #[test]
    fn every_field_but_the_body_is_bounded() {
        let limits = DecodeLimits { max_field_bytes: 8, ..DecodeLimits::default() };
        for field in ["id", "title", "source", "url", "published_at", "lang", "run_id"] {
            let mut message = serde_json::json!({"id": "a", "body": "Short body."});
            message[field] = serde_json::Value::String("x".repeat(9));
            let err = ArticleMessage::decode(message.to_string().as_bytes(), &limits).unwrap_err();
            assert_eq!(err, InputError::FieldTooLong { field, size: 9, limit: 8 }, "{field}");
            assert_eq!(err.reason(), "field_too_long");
            message[field] = serde_json::Value::String("x".repeat(8));
            let within = ArticleMessage::decode(message.to_string().as_bytes(), &limits);
            // At the limit the size check passes (published_at then fails as a timestamp, id "xxxxxxxx" is fine).
            assert_ne!(within.map(|_| ()).map_err(|e| e.reason()), Err("field_too_long"), "{field}");
        }
        // The body has its own, larger limit.
        let long_body = serde_json::json!({"id": "a", "body": "y".repeat(100)}).to_string();
        assert!(ArticleMessage::decode(long_body.as_bytes(), &limits).is_ok());
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_refused_before_parsing() {
        let limits = DecodeLimits { max_json_depth: 3, ..DecodeLimits::default() };
        let ok = br#"{"id":"a","body":"x","extra":{"b":[1]}}"#;
        assert!(ArticleMessage::decode(ok, &limits).is_ok());
        let deep = br#"{"id":"a","body":"x","extra":{"b":[[1]]}}"#;
        assert_eq!(ArticleMessage::decode(deep, &limits).unwrap_err(), InputError::TooDeep { depth: 4, limit: 3 });
        // Brackets inside strings, escaped quotes included, do not count.
        let quoted = br#"{"id":"a","body":"x \" [[[[ {{{{","t":"]]]"}"#;
        assert!(ArticleMessage::decode(quoted, &limits).is_ok());
        // 100 000 nested arrays: a clear error, not a parser stack overflow or serde's recursion message.
        let hostile = format!(r#"{{"id":"a","body":"x","e":{}{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
        let err = ArticleMessage::decode(hostile.as_bytes(), &DecodeLimits::default()).unwrap_err();
        assert_eq!(err.reason(), "too_deep");
    }

    #[test]
    fn errors_name_the_field() {
        let err = decode(r#"{"id":"a","body":"x","url":{"a":1}}"#).unwrap_err();
        assert_eq!(err.to_string(), "field `url` must be a string, found an object");
    }
}
