/// Converts increasing byte offsets of one text into code-point offsets in a single forward pass.
///
/// Records carry code-point offsets (what Python's `str` indexes by); splitting works in bytes. Converting
/// every offset from the start would be quadratic on long bodies, so this walks forward and remembers where
/// it is. Asking for an offset before the last one restarts from the beginning (still correct, just slower).
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
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
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
}
