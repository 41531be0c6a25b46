//! The archive format (`tenor.archive/1`): one Kafka message per JSON line, everything needed to publish it
//! again exactly as it was (topic, partition, offset, timestamp, key, headers, payload).
//!
//! Bytes are kept exactly: a key, header value or payload that is valid UTF-8 is stored as a JSON string
//! (readable, greppable), anything else as standard base64 with its `*_encoding` field set to `base64`. A null
//! key, header value or payload (a tombstone) is `null`. `schema` is always the first field, so that a reader
//! tells an archive line from a plain article message by its first bytes ([`is_archive_line`]) without parsing.
//! `tenor archive` (`tenor_runtime::kafka::replay::archive`) writes these lines with
//! [`ArchivedMessage::write_line`]; `tenor replay` and `tenor run` read them. See docs/REPLAY.md.

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::{InputError, Origin, PayloadEncoding};

/// Schema identifier of an archived message.
pub const ARCHIVE_SCHEMA: &str = "tenor.archive/1";

/// What every archive line starts with (serde writes fields in declaration order, `schema` first).
const LINE_PREFIX: &[u8] = b"{\"schema\":\"tenor.archive/1\"";

/// One archived Kafka message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedMessage {
    pub schema: String,
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    /// Message timestamp in milliseconds since the Unix epoch, when the broker gave one.
    pub timestamp_ms: Option<i64>,
    /// `create_time` (set by the producer) or `log_append_time` (set by the broker); null without timestamp.
    pub timestamp_type: Option<TimestampType>,
    pub key: Option<String>,
    pub key_encoding: PayloadEncoding,
    /// Headers in their original order (Kafka allows repeated names).
    pub headers: Vec<ArchivedHeader>,
    /// Null for a tombstone (a message without payload).
    pub payload: Option<String>,
    pub payload_encoding: PayloadEncoding,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimestampType {
    CreateTime,
    LogAppendTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedHeader {
    pub name: String,
    pub value: Option<String>,
    pub value_encoding: PayloadEncoding,
}

/// A header as bytes: name and value (`None` for a null value).
pub type HeaderBytes = (String, Option<Vec<u8>>);

/// Raw bytes of one message, as a Kafka client hands them over.
#[derive(Debug, Clone, Copy)]
pub struct RawMessage<'a> {
    pub topic: &'a str,
    pub partition: i32,
    pub offset: i64,
    pub timestamp_ms: Option<i64>,
    pub timestamp_type: Option<TimestampType>,
    pub key: Option<&'a [u8]>,
    pub payload: Option<&'a [u8]>,
}

/// True when `line` is an archived message rather than a plain article message.
pub fn is_archive_line(line: &[u8]) -> bool {
    line.starts_with(LINE_PREFIX)
}

fn encode(bytes: &[u8]) -> (String, PayloadEncoding) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), PayloadEncoding::Utf8),
        Err(_) => (base64::engine::general_purpose::STANDARD.encode(bytes), PayloadEncoding::Base64),
    }
}

fn encode_opt(bytes: Option<&[u8]>) -> (Option<String>, PayloadEncoding) {
    match bytes {
        None => (None, PayloadEncoding::Utf8),
        Some(bytes) => {
            let (text, encoding) = encode(bytes);
            (Some(text), encoding)
        }
    }
}

fn decode(
    text: &Option<String>,
    encoding: PayloadEncoding,
    field: &'static str,
) -> Result<Option<Vec<u8>>, InputError> {
    match (text, encoding) {
        (None, _) => Ok(None),
        (Some(text), PayloadEncoding::Utf8) => Ok(Some(text.as_bytes().to_vec())),
        (Some(text), PayloadEncoding::Base64) => base64::engine::general_purpose::STANDARD
            .decode(text)
            .map(Some)
            .map_err(|e| InputError::InvalidField { field, detail: format!("not base64: {e}") }),
    }
}

impl ArchivedMessage {
    /// Archives one message with its headers (`(name, value)` in order).
    pub fn new(raw: RawMessage<'_>, headers: &[(&str, Option<&[u8]>)]) -> ArchivedMessage {
        let (key, key_encoding) = encode_opt(raw.key);
        let (payload, payload_encoding) = encode_opt(raw.payload);
        ArchivedMessage {
            schema: ARCHIVE_SCHEMA.to_owned(),
            topic: raw.topic.to_owned(),
            partition: raw.partition,
            offset: raw.offset,
            timestamp_ms: raw.timestamp_ms,
            timestamp_type: raw.timestamp_type,
            key,
            key_encoding,
            headers: headers
                .iter()
                .map(|(name, value)| {
                    let (value, value_encoding) = encode_opt(*value);
                    ArchivedHeader { name: (*name).to_owned(), value, value_encoding }
                })
                .collect(),
            payload,
            payload_encoding,
        }
    }

    /// Appends this message as one archive line (JSON and a line feed) to `line`: what `tenor archive` writes.
    pub fn write_line(&self, line: &mut Vec<u8>) {
        serde_json::to_writer(&mut *line, self).expect("an archived message always serialises");
        line.push(b'\n');
    }

    /// Parses one archive line. A line that is not a valid archived message is the input's fault.
    pub fn parse(line: &[u8]) -> Result<ArchivedMessage, InputError> {
        let message: ArchivedMessage = serde_json::from_slice(line)
            .map_err(|e| InputError::InvalidJson(format!("not a {ARCHIVE_SCHEMA} line: {e}")))?;
        if message.schema != ARCHIVE_SCHEMA {
            return Err(InputError::InvalidField {
                field: "schema",
                detail: format!("expected {ARCHIVE_SCHEMA:?}, found {:?}", message.schema),
            });
        }
        Ok(message)
    }

    pub fn key_bytes(&self) -> Result<Option<Vec<u8>>, InputError> {
        decode(&self.key, self.key_encoding, "key")
    }

    pub fn payload_bytes(&self) -> Result<Option<Vec<u8>>, InputError> {
        decode(&self.payload, self.payload_encoding, "payload")
    }

    /// Headers as `(name, value bytes)`, in order.
    pub fn header_bytes(&self) -> Result<Vec<HeaderBytes>, InputError> {
        self.headers
            .iter()
            .map(|h| Ok((h.name.clone(), decode(&h.value, h.value_encoding, "headers.value")?)))
            .collect()
    }

    /// Where the message was read from: records made from it point there, as live records would.
    pub fn origin(&self) -> Origin {
        Origin::Kafka { topic: self.topic.clone(), partition: self.partition, offset: self.offset }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_survive_the_round_trip_and_lines_are_recognised() {
        let raw = RawMessage {
            topic: "articles",
            partition: 2,
            offset: 41,
            timestamp_ms: Some(1_700_000_000_000),
            timestamp_type: Some(TimestampType::CreateTime),
            key: Some(&[0xff, 0x00, b'k']),
            payload: Some(br#"{"id":"a","body":"Caf\u00e9 \"x\"\n"}"#),
        };
        let headers: [(&str, Option<&[u8]>); 3] =
            [("trace", Some(b"abc")), ("bin", Some(&[0xc3, 0x28])), ("trace", None)];
        let archived = ArchivedMessage::new(raw, &headers);
        let mut line = Vec::new();
        archived.write_line(&mut line);
        assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1, "one line, ended by a line feed");
        assert!(line.ends_with(b"\n"));
        assert!(is_archive_line(&line), "{}", String::from_utf8_lossy(&line));
        assert!(!is_archive_line(br#"{"id":"a","body":"x"}"#));
        let back = ArchivedMessage::parse(&line).unwrap();
        assert_eq!(back, archived);
        assert_eq!(back.key_encoding, PayloadEncoding::Base64);
        assert_eq!(back.key_bytes().unwrap().unwrap(), vec![0xff, 0x00, b'k']);
        assert_eq!(back.payload_encoding, PayloadEncoding::Utf8);
        assert_eq!(back.payload_bytes().unwrap().unwrap(), raw.payload.unwrap());
        let headers: Vec<_> = back.header_bytes().unwrap();
        assert_eq!(headers[1], ("bin".to_owned(), Some(vec![0xc3, 0x28])));
        assert_eq!(headers[2], ("trace".to_owned(), None));
        assert_eq!(back.origin(), Origin::Kafka { topic: "articles".into(), partition: 2, offset: 41 });
    }

    #[test]
    fn tombstones_and_bad_lines() {
        let raw = RawMessage {
            topic: "t",
            partition: 0,
            offset: 0,
            timestamp_ms: None,
            timestamp_type: None,
            key: None,
            payload: None,
        };
        let archived = ArchivedMessage::new(raw, &[]);
        let back = ArchivedMessage::parse(&serde_json::to_vec(&archived).unwrap()).unwrap();
        assert_eq!((back.key_bytes().unwrap(), back.payload_bytes().unwrap()), (None, None));
        let err = ArchivedMessage::parse(b"{\"schema\":\"tenor.archive/1\",\"topic\":").unwrap_err();
        assert_eq!(err.reason(), "invalid_json");
        let mut bad = archived;
        bad.payload = Some("***".into());
        bad.payload_encoding = PayloadEncoding::Base64;
        assert_eq!(bad.payload_bytes().unwrap_err().reason(), "invalid_field");
    }
}
