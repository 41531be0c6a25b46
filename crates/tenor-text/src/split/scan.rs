//! The scanning loop: one forward pass over the bytes that hands each byte able to start a decision to its
//! rule (`marks.rs` for punctuation, `lists.rs` for line breaks and list items) and collects the cut points.
//!
//! Guarantees: every cut point is a char boundary inside the text, cut points strictly increase, and a cut is
//! only kept when the piece before it holds something other than white space. The helpers here only look at
//! the text around an offset (the token before a mark, the word after it); none of them cuts.

use std::sync::OnceLock;

use crate::lexicon;

use super::lists::Enumerator;
use super::web::parse_tag;

/// Bytes that may start a decision; all others are skipped by the scanner's inner loop.
static INTERESTING: [bool; 256] = {
    let mut table = [false; 256];
    table[b'.' as usize] = true;
    table[b'!' as usize] = true;
    table[b'?' as usize] = true;
    table[b')' as usize] = true;
    table[b',' as usize] = true;
    table[b':' as usize] = true;
    // Tags left in text (`</p>`, `<br>`) and the first byte of emoticons (`;)`, `=)`, `<3`).
    table[b'<' as usize] = true;
    table[b';' as usize] = true;
    table[b'=' as usize] = true;
    table[b'\n' as usize] = true;
    table[b'\r' as usize] = true;
    // Lead bytes of `…` `•` `⁃` `‣` and U+2028/U+2029 (0xE2), CJK full stops (0xE3), full-width marks (0xEF).
    table[0xE2] = true;
    table[0xE3] = true;
    table[0xEF] = true;
    table
};

/// [`INTERESTING`] and the first letters of the run-on openers (`They`, `We`, ...: `split/web.rs`), built once.
/// Only those capitals are looked at, so that the scan does not test every space (a branch on "is this a
/// space" mispredicts on every word and made splitting about 40 % slower).
fn interesting_bytes() -> &'static [bool; 256] {
    static TABLE: OnceLock<[bool; 256]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = INTERESTING;
        for word in tenor_lexicon::splitter::RUN_ON_OPENERS.entries() {
            if let Some(&first) = word.as_bytes().first().filter(|b| b.is_ascii_uppercase()) {
                table[first as usize] = true;
            }
        }
        table
    })
}

/// What follows a candidate boundary: the first word after white space and opening punctuation.
#[derive(Debug, Clone, Copy)]
pub(super) struct Next<'a> {
    /// Byte offset of the first non-whitespace character after the candidate (may be opening punctuation).
    pub(super) at: usize,
    /// The word (letters, digits, apostrophes) after any opening punctuation; empty if none.
    pub(super) word: &'a str,
    /// Byte offset just after `word`.
    pub(super) word_end: usize,
    pub(super) first: Option<char>,
}

impl Next<'_> {
    /// A lowercase word continues the sentence; `iPhone` and `wikiHow` are names, not lowercase words.
    pub(super) fn is_lowercase(&self) -> bool {
        self.first.is_some_and(char::is_lowercase) && !self.word.chars().any(char::is_uppercase)
    }
    pub(super) fn is_uppercase(&self) -> bool {
        self.first.is_some_and(char::is_uppercase)
    }
    pub(super) fn is_digit(&self) -> bool {
        self.first.is_some_and(|c| c.is_ascii_digit())
    }
    /// A capitalized word that usually opens a sentence (`The`, `He`, `However`), so it overrides an
    /// abbreviation or an initial before it.
    pub(super) fn is_sentence_starter(&self) -> bool {
        self.is_uppercase() && lexicon::is_sentence_starter(self.word)
    }
}

pub(super) struct Scanner<'a> {
    pub(super) text: &'a str,
    pub(super) bytes: &'a [u8],
    pub(super) cuts: Vec<usize>,
    /// Start of the current sentence (the last cut point, or 0).
    pub(super) sentence_start: usize,
    /// The last list item number seen in this paragraph.
    pub(super) last_enum: Option<Enumerator>,
}

impl<'a> Scanner<'a> {
    pub(super) fn new(text: &'a str) -> Scanner<'a> {
        Scanner { text, bytes: text.as_bytes(), cuts: Vec::new(), sentence_start: 0, last_enum: None }
    }

    pub(super) fn run(mut self) -> Vec<usize> {
        let bytes = self.bytes;
        let interesting = interesting_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if self.last_enum.is_none() {
                // The hot loop: skip to the next byte that may start a decision, in registers.
                match bytes[i..].iter().position(|&b| interesting[b as usize]) {
                    Some(k) => i += k,
                    None => break,
                }
            } else if !interesting[bytes[i] as usize] {
                // Inside a list, every token start may open the next item (`1. First 2. Second`).
                if bytes[i] == b' ' || bytes[i] == b'\t' {
                    self.check_inline_enumerator(i + 1);
                }
                i += 1;
                continue;
            }
            let b = bytes[i];
            i = match b {
                b'.' => self.on_period(i),
                b'!' | b'?' => self.on_bang(i),
                b')' => {
                    self.note_enumerator_paren(i);
                    i + 1
                }
                b'\n' | b'\r' => self.on_line_break(i),
                b',' => self.on_comma(i),
                b':' => self.on_colon(i),
                b'<' => self.on_angle_bracket(i),
                b';' | b'=' => self.on_emoticon(i),
                b'A'..=b'Z' => {
                    // `was great They were`: a capital after a space after a lower-case letter.
                    if i >= 2 && bytes[i - 1] == b' ' && bytes[i - 2].is_ascii_lowercase() {
                        self.check_run_on(i);
                    }
                    i + 1
                }
                _ => self.on_multibyte(i),
            };
        }
        self.cuts
    }

    pub(super) fn cut(&mut self, at: usize) {
        debug_assert!(self.text.is_char_boundary(at));
        if at > self.sentence_start && self.cuts.last().is_none_or(|&last| at > last) && at < self.bytes.len() {
            // Only a cut that separates two non-empty pieces is kept; trimming drops empty ones anyway.
            if self.text[self.sentence_start..at].trim().is_empty() {
                return;
            }
            self.cuts.push(at);
            self.sentence_start = at;
        }
    }

    pub(super) fn char_at(&self, i: usize) -> Option<char> {
        self.text.get(i..).and_then(|s| s.chars().next())
    }

    pub(super) fn char_before(&self, i: usize) -> Option<char> {
        self.text.get(..i).and_then(|s| s.chars().next_back())
    }

    /// Skips closing quotes, brackets and closing tags (`</b>`) from `i`: (offset after them, any quote among
    /// them, any bracket).
    pub(super) fn skip_closers(&self, mut i: usize) -> (usize, bool, bool) {
        let mut quote = false;
        let mut bracket = false;
        while let Some(c) = self.char_at(i) {
            if lexicon::is_closing_quote(c) {
                quote = true;
            } else if matches!(c, ')' | ']' | '}') {
                bracket = true;
            } else if c == '<' {
                match parse_tag(&self.text[i..]) {
                    Some(tag) if tag.closing => {
                        i += tag.len;
                        continue;
                    }
                    _ => break,
                }
            } else {
                break;
            }
            i += c.len_utf8();
        }
        (i, quote, bracket)
    }

    /// The word after white space at `i` (which must be white space or the end of text).
    pub(super) fn next_after(&self, i: usize) -> Next<'a> {
        let text = self.text;
        let mut at = i;
        while let Some(c) = self.char_at(at) {
            if !c.is_whitespace() {
                break;
            }
            at += c.len_utf8();
        }
        let mut word_start = at;
        while let Some(c) = self.char_at(word_start) {
            if lexicon::is_opening_punct(c) || lexicon::is_bullet(c) {
                word_start += c.len_utf8();
            } else if let Some(tag) = (c == '<').then(|| parse_tag(&text[word_start..])).flatten() {
                word_start += tag.len; // `<b>Then`: an opening tag before the word.
            } else {
                break;
            }
        }
        let mut word_end = word_start;
        while let Some(c) = self.char_at(word_end) {
            if c.is_alphanumeric() || c == '\'' || c == '\u{2019}' || c == '-' {
                word_end += c.len_utf8();
            } else {
                break;
            }
        }
        let first = if at < text.len() { self.char_at(word_start).or(self.char_at(at)) } else { None };
        Next { at, word: &text[word_start..word_end], word_end, first }
    }

    /// Whether `i` is followed by white space or the end of the text.
    pub(super) fn space_or_end(&self, i: usize) -> bool {
        self.char_at(i).is_none_or(char::is_whitespace)
    }

    /// The token that ends at `end` (exclusive), starting after white space, without leading opening
    /// punctuation or bullets. Returns its start too.
    pub(super) fn token_before(&self, end: usize) -> (usize, &'a str) {
        let text = self.text;
        let mut start = end;
        while let Some(c) = self.char_before(start) {
            if c.is_whitespace() {
                break;
            }
            start -= c.len_utf8();
            if end - start > 64 {
                break;
            }
        }
        let mut token_start = start;
        while let Some(c) = self.char_at(token_start) {
            if token_start < end && (lexicon::is_opening_punct(c) || lexicon::is_bullet(c)) {
                token_start += c.len_utf8();
            } else {
                break;
            }
        }
        (token_start, &text[token_start..end])
    }

    /// Whether only white space, bullets and opening punctuation lie between the sentence start and `at`.
    pub(super) fn at_sentence_start(&self, at: usize) -> bool {
        self.sentence_part(at)
            .chars()
            .all(|c| c.is_whitespace() || lexicon::is_bullet(c) || lexicon::is_opening_punct(c))
    }

    /// The current sentence up to `at` (empty when `at` lies before it: a token may straddle a cut).
    pub(super) fn sentence_part(&self, at: usize) -> &'a str {
        self.text.get(self.sentence_start..at).unwrap_or("")
    }

    /// Words in the current sentence before `at`.
    pub(super) fn words_so_far(&self, at: usize) -> usize {
        self.sentence_part(at).split_whitespace().count()
    }
}
