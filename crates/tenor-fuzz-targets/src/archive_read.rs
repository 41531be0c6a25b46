//! The archive reader (`tenor replay`, `tenor run` over an archive): file bytes, gzip-compressed or not, are
//! read line by line as `tenor replay` reads them, and each archive line is parsed and its key, payload and
//! headers decoded. A line either parses, and then its bytes survive archiving again unchanged, or is refused
//! with a known dead-letter reason; a broken gzip stream is an I/O error, never a panic.

use std::io::{BufRead, Cursor};

use tenor_core::InputError;
use tenor_runtime::archive::{is_archive_line, ArchivedMessage, RawMessage};
use tenor_runtime::file::{decode_input, read_line_capped};

/// Small, so that the fuzzer also reaches the "line longer than the cap" path.
const LINE_CAP: usize = 4096;

fn check_line(line: &[u8]) {
    if !is_archive_line(line) {
        return;
    }
    let message = match ArchivedMessage::parse(line) {
        Ok(message) => message,
        Err(error) => {
            assert!(InputError::REASONS.contains(&error.reason()), "unknown reason {}", error.reason());
            return;
        }
    };
    let decoded = (message.key_bytes(), message.payload_bytes(), message.header_bytes());
    let (key, payload, headers) = match decoded {
        (Ok(key), Ok(payload), Ok(headers)) => (key, payload, headers),
        (key, payload, headers) => {
            for error in [key.err(), payload.err(), headers.err()].into_iter().flatten() {
                assert_eq!(error.reason(), "invalid_field", "{error}");
            }
            return;
        }
    };
    // Archiving the decoded bytes again gives a line that parses to the same bytes (and the same message
    // when the original was written the canonical way, which it need not be: base64 of valid UTF-8 is
    // allowed on input).
    let header_refs: Vec<(&str, Option<&[u8]>)> =
        headers.iter().map(|(name, value)| (name.as_str(), value.as_deref())).collect();
    let raw = RawMessage {
        topic: &message.topic,
        partition: message.partition,
        offset: message.offset,
        timestamp_ms: message.timestamp_ms,
        timestamp_type: message.timestamp_type,
        key: key.as_deref(),
        payload: payload.as_deref(),
    };
    let again =
        serde_json::to_vec(&ArchivedMessage::new(raw, &header_refs)).expect("an archived message serialises");
    assert!(is_archive_line(&again));
    let back = ArchivedMessage::parse(&again).expect("a re-archived line parses");
    assert_eq!(back.key_bytes().unwrap(), key);
    assert_eq!(back.payload_bytes().unwrap(), payload);
    assert_eq!(back.header_bytes().unwrap(), headers);
    assert_eq!(back.origin(), message.origin());
}

/// Checks one input; panics when the reader breaks its contract.
pub fn check(data: &[u8]) {
    // gzip magic: read through the decompressor as `replay` does for an `.gz` archive.
    let name = if data.starts_with(&[0x1f, 0x8b]) { "fuzz.jsonl.gz" } else { "fuzz.jsonl" };
    let mut reader: Box<dyn BufRead + Send> = decode_input(name, Box::new(Cursor::new(data.to_vec())));
    let mut line = Vec::new();
    loop {
        match read_line_capped(&mut *reader, &mut line, LINE_CAP) {
            Ok(Some(full_length)) => {
                assert!(line.len() <= LINE_CAP && line.len() <= full_length);
                if line.len() == full_length {
                    check_line(&line);
                }
            }
            Ok(None) => break,
            Err(_) => break, // a corrupt gzip stream: the reader reports it; not a panic
        }
    }
}
