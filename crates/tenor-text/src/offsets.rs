//! Byte offsets and code points: the one conversion between them in the workspace.
//!
//! Every analysis crate works in byte offsets (cheap to slice in Rust); records carry code-point offsets
//! (what Python's `str` indexes by). [`CharOffsets`] walks a text forward once and answers both ways
//! (byte → code point for building records, code point → byte for decoding inputs that arrive in code
//! points); [`OffsetTable`] converts a set of byte offsets collected up front, in any order, with one sorted
//! forward pass. Converting every offset from the start would be quadratic on long bodies.

/// Converts increasing offsets of one text between bytes and code points in a single forward pass.
///
/// It remembers where it is (a byte offset and the number of code points before it); asking for an offset
/// before the last one restarts from the beginning (still correct, just slower).
#[derive(Debug, Clone)]
pub struct CharOffsets<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharOffsets<'a> {
    pub fn new(text: &'a str) -> CharOffsets<'a> {
        CharOffsets { text, byte: 0, chars: 0 }
    }

    /// Code-point offset of `byte`, which must lie on a character boundary of the text.
    pub fn char_offset(&mut self, byte: usize) -> usize {
        assert!(self.text.is_char_boundary(byte), "byte offset {byte} is not on a character boundary");
        if byte < self.byte {
            self.restart();
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }

    /// Byte offset of code point `chars` (the text's length in bytes for its number of code points), or
    /// `None` when the text has fewer code points. Decoding: for inputs that arrive in code points.
    pub fn byte_offset(&mut self, chars: usize) -> Option<usize> {
        if chars < self.chars {
            self.restart();
        }
        let mut rest = self.text[self.byte..].chars();
        while self.chars < chars {
            self.byte += rest.next()?.len_utf8();
            self.chars += 1;
        }
        Some(self.byte)
    }

    fn restart(&mut self) {
        self.byte = 0;
        self.chars = 0;
    }
}

/// Code-point offsets of a set of byte offsets of one text, collected up front (an article's spans are not
/// in increasing order): sorted once and converted in one forward pass, then looked up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffsetTable {
    bytes: Vec<usize>,
    chars: Vec<usize>,
}

impl OffsetTable {
    /// Converts every offset of `bytes` (any order, duplicates allowed); each must lie on a character
    /// boundary of `text`.
    pub fn new(text: &str, mut bytes: Vec<usize>) -> OffsetTable {
        bytes.sort_unstable();
        bytes.dedup();
        let mut offsets = CharOffsets::new(text);
        let chars = bytes.iter().map(|&b| offsets.char_offset(b)).collect();
        OffsetTable { bytes, chars }
    }

    /// The code-point offset of `byte`, which must be one of the offsets the table was built with.
    pub fn char_offset(&self, byte: usize) -> usize {
        let at =
            self.bytes.binary_search(&byte).unwrap_or_else(|_| panic!("byte offset {byte} was not collected"));
        self.chars[at]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_code_points_not_bytes() {
        let text = "é😀a b";
        let mut offsets = CharOffsets::new(text);
        assert_eq!(offsets.char_offset(0), 0);
        assert_eq!(offsets.char_offset(2), 1);
        assert_eq!(offsets.char_offset(6), 2);
        assert_eq!(offsets.char_offset(text.len()), 5);
        assert_eq!(offsets.char_offset(2), 1, "going back restarts correctly");
    }

    #[test]
    fn code_points_decode_to_bytes_and_past_the_end_is_none() {
        let text = "é😀a b";
        let mut offsets = CharOffsets::new(text);
        assert_eq!(offsets.byte_offset(0), Some(0));
        assert_eq!(offsets.byte_offset(2), Some(6));
        assert_eq!(offsets.char_offset(7), 3, "both directions share one position");
        assert_eq!(offsets.byte_offset(5), Some(text.len()));
        assert_eq!(offsets.byte_offset(6), None);
        assert_eq!(offsets.byte_offset(1), Some(2), "going back restarts correctly");
        assert_eq!(CharOffsets::new("").byte_offset(0), Some(0));
        assert_eq!(CharOffsets::new("").byte_offset(1), None);
    }

    #[test]
    fn a_table_converts_offsets_given_in_any_order() {
        let text = "Zürich — “no”";
        let wanted = vec![text.len(), 0, 3, text.len(), 12];
        let table = OffsetTable::new(text, wanted.clone());
        let mut one_by_one = CharOffsets::new(text);
        for b in wanted {
            assert_eq!(table.char_offset(b), CharOffsets::new(text).char_offset(b));
            assert_eq!(table.char_offset(b), text[..b].chars().count());
            assert_eq!(one_by_one.byte_offset(table.char_offset(b)), Some(b));
        }
    }

    #[test]
    #[should_panic(expected = "was not collected")]
    fn a_table_refuses_an_offset_it_was_not_built_with() {
        OffsetTable::new("abc", vec![0, 3]).char_offset(1);
    }
}
