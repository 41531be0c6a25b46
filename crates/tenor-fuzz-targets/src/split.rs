//! The sentence splitter: spans are non-empty, in order, non-overlapping, trimmed, on char boundaries and
//! together cover every non-whitespace character, whatever the text.

use tenor_text::Splitter;

/// Checks one input; panics when the reader breaks its contract.
pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let spans = Splitter::new().split(&text);
    let mut previous_end = 0;
    for span in &spans {
        assert!(previous_end <= span.start && span.start < span.end && span.end <= text.len(), "{span:?}");
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end), "{span:?}");
        let piece = &text[span.start..span.end];
        assert_eq!(piece, piece.trim(), "{span:?} is not trimmed");
        assert!(text[previous_end..span.start].trim().is_empty(), "text before {span:?} is dropped");
        previous_end = span.end;
    }
    assert!(text[previous_end..].trim().is_empty(), "the tail is dropped");
}
