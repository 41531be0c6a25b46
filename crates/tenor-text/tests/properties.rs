//! Property tests of the splitter's promises on hostile Unicode text (see `tests/properties/hostile_text.rs`
//! at the repository root for what the generator produces). `PROPTEST_CASES` raises the number of cases.

#[path = "../../../tests/properties/hostile_text.rs"]
mod hostile_text;

use hostile_text::{degenerate_texts, hostile_text};
use proptest::prelude::*;
use tenor_text::{CharOffsets, Splitter};

/// Checks every promise of [`Splitter::split`] on `text`: spans non-empty, in order, non-overlapping, inside
/// the text, on char boundaries, trimmed, and together covering every non-whitespace character.
fn check_spans(text: &str) -> Result<(), TestCaseError> {
    let spans = Splitter::new().split(text);
    let mut previous_end = 0;
    for span in &spans {
        prop_assert!(span.start < span.end, "empty span {:?}", span);
        prop_assert!(span.end <= text.len(), "span {:?} past the end ({} bytes)", span, text.len());
        prop_assert!(span.start >= previous_end, "span {:?} overlaps or precedes the previous one", span);
        prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end), "{:?}", span);
        let piece = &text[span.start..span.end];
        prop_assert_eq!(piece, piece.trim(), "span {:?} is not trimmed", span);
        prop_assert!(text[previous_end..span.start].trim().is_empty(), "text before {:?} is dropped", span);
        previous_end = span.end;
    }
    prop_assert!(text[previous_end..].trim().is_empty(), "the tail after the last span is dropped");
    // Covering, counted the other way: every non-whitespace character lies in exactly one span.
    let covered: usize =
        spans.iter().map(|s| text[s.start..s.end].chars().filter(|c| !c.is_whitespace()).count()).sum();
    prop_assert_eq!(covered, text.chars().filter(|c| !c.is_whitespace()).count());
    // Cut points partition the text: increasing, on char boundaries, inside it.
    let cuts = Splitter::new().cut_points(text);
    prop_assert!(cuts.windows(2).all(|w| w[0] < w[1]), "cut points out of order: {:?}", cuts);
    prop_assert!(cuts.iter().all(|&c| c <= text.len() && text.is_char_boundary(c)), "bad cut point {:?}", cuts);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), ..ProptestConfig::default() })]

    #[test]
    fn spans_are_ordered_trimmed_on_char_boundaries_and_cover_the_text(text in hostile_text(80)) {
        check_spans(&text)?;
    }

    #[test]
    fn splitting_is_deterministic_and_spans_convert_to_code_points(text in hostile_text(40)) {
        let splitter = Splitter::new();
        let spans = splitter.split(&text);
        prop_assert_eq!(&spans, &splitter.split(&text));
        let chars: Vec<char> = text.chars().collect();
        let mut offsets = CharOffsets::new(&text);
        for span in &spans {
            let (from, to) = (offsets.char_offset(span.start), offsets.char_offset(span.end));
            prop_assert_eq!(chars[from..to].iter().collect::<String>(), &text[span.start..span.end]);
        }
    }
}

/// The number of cases: `PROPTEST_CASES` when set, else `default` (kept small enough for a debug `cargo test`).
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn degenerate_texts_keep_every_promise() {
    for text in degenerate_texts() {
        check_spans(&text).unwrap_or_else(|e| panic!("{e} on a text of {} bytes", text.len()));
    }
}
