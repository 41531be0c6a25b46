//! Direct-speech quotes over a whole article, so that a quote may run over several sentences and paragraphs.
//!
//! Double-quote marks are paired in one pass. A straight `"` is an opening mark when it follows white space
//! (or an opening bracket or dash) and a closing mark when it is followed by white space or punctuation.
//! Wire style opens every paragraph of a multi-paragraph quote again without closing the previous paragraph;
//! a quote therefore ends at a paragraph break (or the end of the text) when it is still open there, and an
//! opening mark that meets another opening mark in the same paragraph is stray. Marks that do not pair (a stray
//! opening or closing mark, a curly mark closed by a straight one) are *bad*: sentences holding a bad mark get
//! no attribution, since their direct speech cannot be delimited.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Straight,
    Curly,
    Guillemet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Open,
    Close,
    Either,
}

/// One paired quotation: the marks and the quoted text between them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Quote {
    /// Byte offset of the opening mark.
    pub open: usize,
    /// Byte range of the quoted text, inside the marks (trimmed of white space).
    pub inner: Range<usize>,
    /// Byte offset just after the closing mark (or the paragraph end, for a continued quote).
    pub end: usize,
}

#[derive(Debug, Default)]
pub(crate) struct QuoteMap {
    /// In body order, non-overlapping.
    pub quotes: Vec<Quote>,
    /// Byte offsets of marks that did not pair, in body order.
    pub bad: Vec<usize>,
}

fn classify(c: char, before: Option<char>, after: Option<char>) -> (Style, Direction) {
    match c {
        '\u{201c}' | '\u{201e}' | '\u{201f}' => (Style::Curly, Direction::Open),
        '\u{201d}' => (Style::Curly, Direction::Close),
        '\u{00ab}' => (Style::Guillemet, Direction::Open),
        '\u{00bb}' => (Style::Guillemet, Direction::Close),
        _ => {
            let space_before =
                before.is_none_or(|b| b.is_whitespace() || matches!(b, '(' | '[' | '{' | '\u{2014}' | '\u{2013}'));
            let space_after = after.is_none_or(|a| {
                a.is_whitespace()
                    || matches!(a, ',' | '.' | ';' | ':' | '!' | '?' | ')' | ']' | '\u{2014}' | '\u{2013}')
            });
            let direction = match (space_before, space_after) {
                (true, false) => Direction::Open,
                (false, true) => Direction::Close,
                _ => Direction::Either,
            };
            (Style::Straight, direction)
        }
    }
}

/// The quoted text without surrounding white space and without the comma that wire style puts inside the
/// closing mark (`"We will win," he said`).
fn trimmed(body: &str, range: Range<usize>) -> Range<usize> {
    let piece = &body[range.clone()];
    let start = range.start + (piece.len() - piece.trim_start().len());
    let end = range.end - (piece.len() - piece.trim_end_matches([',', ' ', '\n', '\t', '\r']).len());
    start..end.max(start)
}

impl QuoteMap {
    pub fn build(body: &str) -> QuoteMap {
        let mut map = QuoteMap::default();
        // The pending opening mark: its byte offset, style and width.
        let mut pending: Option<(usize, Style, usize)> = None;
        let mut before: Option<char> = None;
        let mut iter = body.char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            let after = iter.peek().map(|&(_, a)| a);
            if c == '\n' {
                if let Some((open, _, open_width)) = pending.take() {
                    // A quote does not cross a paragraph break. Wire style leaves each paragraph of a long
                    // quote open and opens the next one again; sloppier copy forgets the closing mark. Either
                    // way this paragraph's part of the quote ends here.
                    map.quotes.push(Quote { open, inner: trimmed(body, open + open_width..i), end: i });
                }
            }
            if crate::tokens::is_double_quote(c) {
                let (style, mut direction) = classify(c, before, after);
                // A straight mark decides by state when its spacing does not ("said," quote), so a mark glued
                // to a comma after the cue still opens a quote.
                if direction == Direction::Either
                    || (style == Style::Straight
                        && direction == Direction::Close
                        && pending.is_none()
                        && after.is_some_and(|a| {
                            !a.is_whitespace()
                                || iter.clone().nth(1).is_some_and(|(_, b)| b.is_alphanumeric() || b == '[')
                        }))
                {
                    direction = if pending.is_some() { Direction::Close } else { Direction::Open };
                }
                let width = c.len_utf8();
                match direction {
                    Direction::Open => {
                        // Paragraph breaks were handled above, so a pending mark here is unclosed.
                        if let Some((open, _, _)) = pending.take() {
                            map.bad.push(open);
                        }
                        pending = Some((i, style, width));
                    }
                    _ => match pending.take() {
                        Some((open, open_style, open_width)) if open_style == style => {
                            map.quotes.push(Quote {
                                open,
                                inner: trimmed(body, open + open_width..i),
                                end: i + width,
                            });
                        }
                        Some((open, _, _)) => {
                            map.bad.push(open);
                            map.bad.push(i);
                        }
                        None => map.bad.push(i),
                    },
                }
            }
            before = Some(c);
        }
        if let Some((open, _, open_width)) = pending {
            // Never closed: the quote runs to the end of the text (so a cue after it counts as quoted).
            map.quotes.push(Quote { open, inner: trimmed(body, open + open_width..body.len()), end: body.len() });
        }
        map.bad.sort_unstable();
        map
    }

    /// Whether a bad mark lies in `range`.
    pub fn has_bad_mark(&self, range: Range<usize>) -> bool {
        let first = self.bad.partition_point(|&b| b < range.start);
        self.bad.get(first).is_some_and(|&b| b < range.end)
    }

    /// Indexes of the quotes that overlap `range`.
    pub fn overlapping(&self, range: Range<usize>) -> Range<usize> {
        let first = self.quotes.partition_point(|q| q.end <= range.start);
        let mut last = first;
        while last < self.quotes.len() && self.quotes[last].open < range.end {
            last += 1;
        }
        first..last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(body: &str) -> Vec<&str> {
        QuoteMap::build(body).quotes.iter().map(|q| &body[q.inner.clone()]).collect()
    }

    #[test]
    fn pairs_straight_curly_and_continued_quotes() {
        assert_eq!(quoted(r#""We won," he said. "Again.""#), ["We won", "Again."]);
        assert_eq!(quoted("“One. Two,” she said."), ["One. Two"]);
        assert_eq!(quoted("Wilkins said,\" He liked it\"."), ["He liked it"]);
        let body = "He said: \"First paragraph.\n\n\"Second paragraph.\"";
        assert_eq!(quoted(body), ["First paragraph.", "Second paragraph."]);
        // A quote left open ends with its paragraph; it does not swallow the next paragraphs.
        let map = QuoteMap::build("A \"open mark.\n\nI think \"so\" too.");
        assert!(map.bad.is_empty());
        assert_eq!(quoted("A \"open mark.\n\nI think \"so\" too."), ["open mark.", "so"]);
    }

    #[test]
    fn unpaired_and_mixed_marks_are_bad() {
        let map = QuoteMap::build("“Mixed styles\" here. And \"a \"stray open.");
        assert_eq!(map.bad.len(), 3);
        assert_eq!(quoted("“Mixed styles\" here. And \"a \"stray open."), ["stray open."]);
        assert!(map.has_bad_mark(0..5));
        assert!(QuoteMap::build("stray” close").has_bad_mark(0..12));
    }
}
