use tenor_core::SentenceKind;

/// One sentence (or heading) found in a text: byte offsets, trimmed of surrounding white space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentenceSpan {
    pub start: usize,
    pub end: usize,
    pub kind: SentenceKind,
}

/// The sentence splitter. Cheap to build; reuse one per thread.
#[derive(Debug, Clone, Default)]
pub struct Splitter {}

impl Splitter {
    pub fn new() -> Splitter {
        Splitter {}
    }

    /// Splits `text` into sentences, in order, non-overlapping, each trimmed of white space.
    pub fn split(&self, text: &str) -> Vec<SentenceSpan> {
        // Placeholder rules (paragraphs, then terminal punctuation before white space); the news-grade
        // splitter replaces this.
        let mut out = Vec::new();
        let bytes = text.as_bytes();
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let para_break = b == b'\n' && bytes.get(i + 1) == Some(&b'\n');
            let terminal =
                matches!(b, b'.' | b'!' | b'?') && bytes.get(i + 1).is_some_and(|c| c.is_ascii_whitespace());
            if para_break || terminal {
                let end = if terminal { i + 1 } else { i };
                push_trimmed(text, start, end, &mut out);
                start = end;
            }
            i += 1;
        }
        push_trimmed(text, start, text.len(), &mut out);
        out
    }
}

/// Splits `text` with the default [`Splitter`].
pub fn split(text: &str) -> Vec<SentenceSpan> {
    Splitter::new().split(text)
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<SentenceSpan>) {
    let piece = &text[start..end];
    let trimmed_start = start + (piece.len() - piece.trim_start().len());
    let trimmed_end = end - (piece.len() - piece.trim_end().len());
    if trimmed_start < trimmed_end {
        let last = text[..trimmed_end].chars().next_back();
        let kind = match last {
            Some('.' | '!' | '?' | '"' | '\u{201d}' | ')' | ':' | ';' | '\'') => SentenceKind::Sentence,
            _ => SentenceKind::Heading,
        };
        out.push(SentenceSpan { start: trimmed_start, end: trimmed_end, kind });
    }
}
