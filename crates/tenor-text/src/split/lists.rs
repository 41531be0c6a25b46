//! Line breaks, list items and headings: a blank line always ends a sentence; a single line break ends one
//! before or after a list item, after a heading line, and between short lines broken on purpose (a list
//! without bullets or punctuation; prose wrapped greedily is never cut at its line breaks); item numbers (`1.`, `a)`, `2.)`) are remembered so
//! that the next number of the same style opens a new item, even on the same line.
//!
//! Like every rule, these cut through `Scanner::cut` only, look at most [`LIST_WINDOW`] bytes around a line
//! break, and return where scanning resumes.

use crate::lexicon;

use super::marks::floor_boundary;
use super::scan::Scanner;

/// How far around a line break the line-list rule looks, each way.
const LIST_WINDOW: usize = 240;
/// The most words a line may have to be a list item without punctuation.
const ITEM_WORDS: usize = 6;

/// A line that may be one list item: not empty, at most [`ITEM_WORDS`] words.
fn is_item_line(line: &str) -> bool {
    !line.is_empty() && line.split_whitespace().nth(ITEM_WORDS).is_none()
}

/// A line that goes on on the next one: it ends with a comma, a dash, an opening bracket or a function word.
fn ends_open(line: &str) -> bool {
    let last = line.chars().next_back().unwrap_or(' ');
    matches!(last, ',' | ';' | '-' | '\u{2013}' | '\u{2014}' | '(' | '&' | '/')
        || line.split_whitespace().next_back().is_some_and(lexicon::is_function_word)
}

/// How a list item is numbered, so that only the next number of the same style opens a new item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EnumStyle {
    /// `1.` or `a.`
    Dot,
    /// `1.)`
    DotParen,
    /// `1)` or `a)`
    Paren,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Enumerator {
    pub(super) style: EnumStyle,
    /// 1 for `1` and for `a`.
    pub(super) value: u32,
    pub(super) alphabetic: bool,
}

impl Scanner<'_> {
    /// `1)` `a)` opening a list item: remember its number so that the next one can open a new item.
    pub(super) fn note_enumerator_paren(&mut self, i: usize) {
        let (token_start, token) = self.token_before(i);
        if token.ends_with('.') {
            return; // `1.)` is handled at its period.
        }
        if self.space_or_end(i + 1) && self.at_sentence_start(token_start) {
            if let Some((value, alphabetic)) = enumerator_value(token) {
                self.last_enum = Some(Enumerator { style: EnumStyle::Paren, value, alphabetic });
            }
        }
    }

    pub(super) fn on_line_break(&mut self, i: usize) -> usize {
        // Measure the whole run of white space and count its line breaks.
        let mut j = i;
        let mut breaks = 0;
        while let Some(c) = self.char_at(j) {
            match c {
                '\n' => breaks += 1,
                '\r' => {
                    if self.bytes.get(j + 1) != Some(&b'\n') {
                        breaks += 1;
                    }
                }
                '\u{2028}' => breaks += 1,
                '\u{2029}' => breaks += 2,
                c if c.is_whitespace() => {}
                _ => break,
            }
            j += c.len_utf8();
        }
        if j >= self.bytes.len() {
            return j;
        }
        if breaks >= 2 {
            self.cut(i);
            self.last_enum = None;
            return j;
        }
        let line_start = self.text[..i]
            .rfind(['\n', '\r', '\u{2028}', '\u{2029}'])
            .map_or(0, |p| p + self.char_at(p).map_or(1, char::len_utf8));
        let line = self.text[line_start..i].trim();
        let next_line = &self.text[j..];
        if is_list_item(next_line)
            || is_list_item(line)
            || is_heading_line(line, next_line)
            || self.in_line_list(line, j)
        {
            self.cut(i);
        }
        j
    }

    /// `Ingredients:⏎flour⏎sugar⏎two eggs`: short lines without punctuation, one item a line. The break after
    /// `line` (the next line starts at `j`) ends a sentence when both lines have at most [`ITEM_WORDS`] words,
    /// `line` does not end open (a comma, a dash, a function word), and the lines of the paragraph around it
    /// (within [`LIST_WINDOW`] bytes, at least three) were broken on purpose: somewhere in them, a line plus the
    /// first word of the next is no longer than the longest line, which greedy wrapping of prose never leaves.
    fn in_line_list(&self, line: &str, j: usize) -> bool {
        let text = self.text;
        let next_end = text[j..].find(['\n', '\r', '\u{2028}', '\u{2029}']).map_or(text.len(), |k| j + k);
        let next_line = text[j..next_end].trim();
        if !is_item_line(line) || !is_item_line(next_line) || ends_open(line) {
            return false;
        }
        let from = floor_boundary(text, j.saturating_sub(LIST_WINDOW));
        let to = floor_boundary(text, next_end + LIST_WINDOW);
        // The paragraph's lines in the window: a blank line (or U+2029) closes a paragraph; a line cut by the
        // window's edge is dropped.
        let mut run: Vec<&str> = Vec::new();
        let mut found = false;
        let mut pieces = text[from..to].split(['\n', '\u{2028}', '\u{2029}']).peekable();
        let mut offset = from;
        let mut first = true;
        while let Some(piece) = pieces.next() {
            let piece_start = offset;
            offset += piece.len() + 1;
            let partial = (first && from > 0) || (pieces.peek().is_none() && to < text.len());
            first = false;
            let piece = piece.trim();
            if piece.is_empty() || partial {
                if found {
                    break;
                }
                run.clear();
                continue;
            }
            run.push(piece);
            if piece_start >= j && !found {
                found = true;
            }
        }
        if run.len() < 3 {
            return false;
        }
        let width = run.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        run.windows(2).any(|pair| {
            let next_word = pair[1].split_whitespace().next().unwrap_or("");
            pair[0].chars().count() + 1 + next_word.chars().count() <= width
        })
    }

    /// At the start of a token inside a list context, a following item number opens a new item.
    pub(super) fn check_inline_enumerator(&mut self, token_start: usize) {
        let Some(last) = self.last_enum else { return };
        let rest = &self.text[token_start..];
        let Some((value, alphabetic, style)) = parse_enumerator_prefix(rest) else { return };
        if self.at_sentence_start(token_start) {
            return; // `• 10. The second item`: the bullet already opened this item.
        }
        if style == last.style && alphabetic == last.alphabetic && value == last.value + 1 {
            self.cut(token_start);
            self.last_enum = Some(Enumerator { style, value, alphabetic });
        }
    }
}

/// `1` → (1, false), `a` → (1, true); item numbers are at most two digits or one lowercase letter.
pub(super) fn enumerator_value(token: &str) -> Option<(u32, bool)> {
    let b = token.as_bytes();
    match b {
        [d @ b'0'..=b'9'] => Some((u32::from(d - b'0'), false)),
        [d1 @ b'0'..=b'9', d2 @ b'0'..=b'9'] => Some((u32::from(d1 - b'0') * 10 + u32::from(d2 - b'0'), false)),
        [l @ b'a'..=b'z'] => Some((u32::from(l - b'a') + 1, true)),
        _ => None,
    }
}

/// `12. ` `b) ` `3.) ` at the start of `s`, followed by white space.
pub(super) fn parse_enumerator_prefix(s: &str) -> Option<(u32, bool, EnumStyle)> {
    let b = s.as_bytes();
    let mut n = 0;
    while n < b.len() && n < 2 && b[n].is_ascii_digit() {
        n += 1;
    }
    if n == 0 && b.first().is_some_and(u8::is_ascii_lowercase) {
        n = 1;
    }
    if n == 0 {
        return None;
    }
    let (value, alphabetic) = enumerator_value(&s[..n])?;
    let (style, len) = match &b[n..] {
        [b'.', b')', ..] => (EnumStyle::DotParen, 2),
        [b'.', ..] => (EnumStyle::Dot, 1),
        [b')', ..] => (EnumStyle::Paren, 1),
        _ => return None,
    };
    if !s[n + len..].starts_with(char::is_whitespace) {
        return None;
    }
    Some((value, alphabetic, style))
}

/// A line that starts with a bullet or an item number (`- `, `* `, `• `, `1. `, `a) `).
pub(super) fn is_list_item(line: &str) -> bool {
    let line = line.trim_start();
    let mut chars = line.chars();
    match chars.next() {
        Some('-' | '*' | '+') => chars.next().is_some_and(char::is_whitespace),
        Some(c) if lexicon::is_bullet(c) => true,
        Some(_) => parse_enumerator_prefix(line).is_some_and(|(_, alphabetic, _)| !alphabetic),
        None => false,
    }
}

/// A short, capitalized line without final punctuation, followed by a capitalized line: a title, a
/// dateline, a byline or another piece of page furniture.
pub(super) fn is_heading_line(line: &str, next_line: &str) -> bool {
    let Some(first) = line.chars().next() else { return false };
    if !(first.is_uppercase() || first.is_ascii_digit() || lexicon::is_opening_punct(first)) {
        return false;
    }
    let last = line.chars().next_back().unwrap_or(' ');
    if matches!(last, ',' | ';' | '-' | '\u{2013}' | '\u{2014}' | '(' | '&' | '/') || lexicon::is_terminal(last) {
        return false;
    }
    let words = line.split_whitespace().count();
    if words > 10 {
        return false;
    }
    if let Some(last_word) = line.split_whitespace().next_back() {
        if lexicon::is_function_word(last_word) {
            return false;
        }
    }
    let next_first = next_line.trim_start().chars().find(|c| !lexicon::is_opening_punct(*c));
    next_first.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || lexicon::is_bullet(c))
}
