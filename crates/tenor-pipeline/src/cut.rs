//! Cutting run-on sentences: a "sentence" longer than the models take (a transcript without full stops, a table
//! dump) is cut into pieces that each get scored, rather than costing the whole article.
//!
//! Guarantees:
//! - **One limit, two units, in agreement.** A piece holds at most `max_chars` code points (the splitter's
//!   unit, `pipeline.max_sentence_chars`) *and* at most [`MAX_PIECE_BYTES`] bytes (the models' unit,
//!   `tenor_features::MAX_SENTENCE_BYTES`), so every piece the pipeline hands to the models can be scored.
//! - **At white space where there is some.** Each cut falls after the last white space that keeps the piece
//!   within the limit; only a run without any white space is cut at the limit itself, on a character boundary.
//! - **Nothing dropped, nothing overlapping.** Pieces are in order, trimmed of white space, non-empty, and
//!   together cover every non-whitespace character of the sentence (the splitter's own invariant), so spans
//!   still cover the body.
//! - **Linear.** Each byte is looked at a bounded number of times.

use std::ops::Range;

/// The hard maximum of one scored piece, in bytes: what the models accept.
pub const MAX_PIECE_BYTES: usize = tenor_features::MAX_SENTENCE_BYTES;

/// Whether the sentence at `range` of `text` must be cut: over `max_chars` code points or over
/// [`MAX_PIECE_BYTES`] bytes.
pub(crate) fn needs_cut(text: &str, range: &Range<usize>, max_chars: usize) -> bool {
    let len = range.end - range.start;
    // A code point is at least one byte: within max_chars bytes means within max_chars code points.
    len > MAX_PIECE_BYTES || (len > max_chars && text[range.clone()].chars().count() > max_chars)
}

/// Cuts the (trimmed) sentence at `range` of `text` into pieces of at most `max_chars` code points and
/// [`MAX_PIECE_BYTES`] bytes, at white space where possible. A sentence within both limits comes back whole.
pub(crate) fn cut(text: &str, range: Range<usize>, max_chars: usize) -> Vec<Range<usize>> {
    let max_chars = max_chars.max(1);
    let mut pieces = Vec::new();
    let mut start = range.start;
    while start < range.end {
        // The furthest end that keeps the piece within both limits, on a character boundary.
        let mut limit = start;
        for (chars, (offset, c)) in text[start..range.end].char_indices().enumerate() {
            let next = start + offset + c.len_utf8();
            if chars >= max_chars || next - start > MAX_PIECE_BYTES {
                break;
            }
            limit = next;
        }
        if limit >= range.end {
            pieces.push(start..range.end);
            break;
        }
        // The last white space inside the window; the piece ends before it (trimmed), the next starts after
        // the white space run. Without white space (or only at the very start), cut at the limit.
        let window = &text[start..limit];
        let at_space = text[limit..].starts_with(char::is_whitespace);
        let end = match window.char_indices().rev().find(|(_, c)| c.is_whitespace()) {
            _ if at_space => start + window.trim_end().len(),
            Some((offset, _)) if !window[..offset].trim_end().is_empty() => {
                start + window[..offset].trim_end().len()
            }
            _ => limit,
        };
        pieces.push(start..end);
        start = end + text[end..range.end].len() - text[end..range.end].trim_start().len();
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str, max_chars: usize) -> Vec<&str> {
        cut(text, 0..text.len(), max_chars).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn a_sentence_within_the_limit_comes_back_whole() {
        assert_eq!(pieces("One short sentence.", 100), ["One short sentence."]);
        assert!(!needs_cut("One short sentence.", &(0..19), 100));
        assert!(needs_cut("One short sentence.", &(0..19), 10));
    }

    #[test]
    fn cuts_fall_at_white_space_and_pieces_are_trimmed() {
        assert_eq!(pieces("aaa bbb  ccc ddd", 8), ["aaa bbb", "ccc ddd"]);
        assert_eq!(pieces("aaa bbb ccc", 3), ["aaa", "bbb", "ccc"]);
        assert_eq!(pieces("aaa bbb ccc", 7), ["aaa bbb", "ccc"]);
    }

    #[test]
    fn a_run_without_white_space_is_cut_at_the_limit_on_a_character_boundary() {
        assert_eq!(pieces("ééééé", 2), ["éé", "éé", "é"]);
        assert_eq!(pieces("abcdefg hi", 3), ["abc", "def", "g", "hi"]);
    }

    #[test]
    fn the_byte_limit_holds_for_text_that_is_short_in_code_points() {
        // 16 000 two-byte letters in words of 7: under 20 000 code points, over 20 000 bytes.
        let text = "абвгдеж ".repeat(2_000);
        let text = text.trim_end();
        assert!(text.chars().count() < 20_000 && text.len() > MAX_PIECE_BYTES);
        assert!(needs_cut(text, &(0..text.len()), 20_000));
        let cut = pieces(text, 20_000);
        assert_eq!(cut.len(), 2);
        for piece in &cut {
            assert!(piece.len() <= MAX_PIECE_BYTES && piece.ends_with('ж') && piece.starts_with('а'));
        }
        // Nothing is lost: the pieces hold every word.
        let words: usize = cut.iter().map(|p| p.split_whitespace().count()).sum();
        assert_eq!(words, 2_000);
    }
}
