//! Tenor's rule-based sentence splitter for news and web text.
//!
//! One forward pass over the bytes finds *cut points* (byte offsets between two sentences); the spans are the
//! pieces between cut points, trimmed of white space. Because every cut point is a char boundary and every
//! piece is kept, the spans are in order, non-overlapping and together cover every non-whitespace character
//! of the input, whatever the input is.
//!
//! Only a handful of bytes can start a decision (`.`, `!`, `?`, `)`, line breaks, and the lead byte of a few
//! non-ASCII marks such as `…` and `•`); everything else is skipped with one table lookup, which is what makes
//! the splitter fast. The rules themselves are documented in `docs/SPLITTING.md`.

use tenor_core::SentenceKind;

use crate::lexicon::{self, AbbreviationClass};

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
        let cuts = Scanner::new(text).run();
        spans_from_cuts(text, &cuts)
    }

    /// The byte offsets where one sentence ends and the next begins (before trimming), in increasing order.
    pub fn cut_points(&self, text: &str) -> Vec<usize> {
        Scanner::new(text).run()
    }
}

/// Splits `text` with the default [`Splitter`].
pub fn split(text: &str) -> Vec<SentenceSpan> {
    Splitter::new().split(text)
}

/// Bytes that may start a decision; all others are skipped by the scanner's inner loop.
static INTERESTING: [bool; 256] = {
    let mut table = [false; 256];
    table[b'.' as usize] = true;
    table[b'!' as usize] = true;
    table[b'?' as usize] = true;
    table[b')' as usize] = true;
    table[b',' as usize] = true;
    table[b':' as usize] = true;
    table[b'\n' as usize] = true;
    table[b'\r' as usize] = true;
    // Lead bytes of `…` `•` `⁃` `‣` and U+2028/U+2029 (0xE2), CJK full stops (0xE3), full-width marks (0xEF).
    table[0xE2] = true;
    table[0xE3] = true;
    table[0xEF] = true;
    table
};

/// How a list item is numbered, so that only the next number of the same style opens a new item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EnumStyle {
    /// `1.` or `a.`
    Dot,
    /// `1.)`
    DotParen,
    /// `1)` or `a)`
    Paren,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Enumerator {
    style: EnumStyle,
    /// 1 for `1` and for `a`.
    value: u32,
    alphabetic: bool,
}

/// What follows a candidate boundary: the first word after white space and opening punctuation.
#[derive(Debug, Clone, Copy)]
struct Next<'a> {
    /// Byte offset of the first non-whitespace character after the candidate (may be opening punctuation).
    at: usize,
    /// The word (letters, digits, apostrophes) after any opening punctuation; empty if none.
    word: &'a str,
    /// Byte offset just after `word`.
    word_end: usize,
    first: Option<char>,
}

impl Next<'_> {
    /// A lowercase word continues the sentence; `iPhone` and `wikiHow` are names, not lowercase words.
    fn is_lowercase(&self) -> bool {
        self.first.is_some_and(char::is_lowercase) && !self.word.chars().any(char::is_uppercase)
    }
    fn is_uppercase(&self) -> bool {
        self.first.is_some_and(char::is_uppercase)
    }
    fn is_digit(&self) -> bool {
        self.first.is_some_and(|c| c.is_ascii_digit())
    }
    /// A capitalized word that usually opens a sentence (`The`, `He`, `However`), so it overrides an
    /// abbreviation or an initial before it.
    fn is_sentence_starter(&self) -> bool {
        self.is_uppercase() && lexicon::is_sentence_starter(self.word)
    }
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    cuts: Vec<usize>,
    /// Start of the current sentence (the last cut point, or 0).
    sentence_start: usize,
    /// The last list item number seen in this paragraph.
    last_enum: Option<Enumerator>,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Scanner<'a> {
        Scanner { text, bytes: text.as_bytes(), cuts: Vec::new(), sentence_start: 0, last_enum: None }
    }

    fn run(mut self) -> Vec<usize> {
        let bytes = self.bytes;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if !INTERESTING[b as usize] {
                // Inside a list, every token start may open the next item (`1. First 2. Second`).
                if self.last_enum.is_some() && (b == b' ' || b == b'\t') {
                    self.check_inline_enumerator(i + 1);
                }
                i += 1;
                continue;
            }
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
                _ => self.on_multibyte(i),
            };
        }
        self.cuts
    }

    fn cut(&mut self, at: usize) {
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

    fn char_at(&self, i: usize) -> Option<char> {
        self.text.get(i..).and_then(|s| s.chars().next())
    }

    fn char_before(&self, i: usize) -> Option<char> {
        self.text.get(..i).and_then(|s| s.chars().next_back())
    }

    /// Skips closing quotes and brackets from `i`: (offset after them, any quote among them, any bracket).
    fn skip_closers(&self, mut i: usize) -> (usize, bool, bool) {
        let mut quote = false;
        let mut bracket = false;
        while let Some(c) = self.char_at(i) {
            if lexicon::is_closing_quote(c) {
                quote = true;
            } else if matches!(c, ')' | ']' | '}') {
                bracket = true;
            } else {
                break;
            }
            i += c.len_utf8();
        }
        (i, quote, bracket)
    }

    /// The word after white space at `i` (which must be white space or the end of text).
    fn next_after(&self, i: usize) -> Next<'a> {
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
    fn space_or_end(&self, i: usize) -> bool {
        self.char_at(i).is_none_or(char::is_whitespace)
    }

    /// The token that ends at `end` (exclusive), starting after white space, without leading opening
    /// punctuation or bullets. Returns its start too.
    fn token_before(&self, end: usize) -> (usize, &'a str) {
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
    fn at_sentence_start(&self, at: usize) -> bool {
        self.sentence_part(at)
            .chars()
            .all(|c| c.is_whitespace() || lexicon::is_bullet(c) || lexicon::is_opening_punct(c))
    }

    /// The current sentence up to `at` (empty when `at` lies before it: a token may straddle a cut).
    fn sentence_part(&self, at: usize) -> &'a str {
        self.text.get(self.sentence_start..at).unwrap_or("")
    }

    /// Words in the current sentence before `at`.
    fn words_so_far(&self, at: usize) -> usize {
        self.sentence_part(at).split_whitespace().count()
    }

    fn on_period(&mut self, i: usize) -> usize {
        let bytes = self.bytes;
        // A run of dots, possibly spaced (`. . .`), is one ellipsis.
        let mut end = i + 1;
        let mut dots = 1;
        let spaced = bytes.get(i + 1) == Some(&b' ') && bytes.get(i + 2) == Some(&b'.');
        loop {
            if bytes.get(end) == Some(&b'.') {
                end += 1;
                dots += 1;
            } else if spaced && bytes.get(end) == Some(&b' ') && bytes.get(end + 1) == Some(&b'.') {
                end += 2;
                dots += 1;
            } else {
                break;
            }
        }
        if dots >= 2 {
            return self.on_ellipsis(i, end, dots, spaced);
        }
        let (after, quoted, bracketed) = self.skip_closers(end);
        if !self.space_or_end(after) {
            return after.max(i + 1);
        }
        let next = self.next_after(after);
        if next.first.is_none() {
            return after;
        }
        let (token_start, token) = self.token_before(i);
        if self.is_boundary_after_period(token_start, token, quoted, bracketed, &next) {
            self.cut(after);
        }
        after
    }

    fn is_boundary_after_period(
        &mut self,
        token_start: usize,
        token: &str,
        quoted: bool,
        bracketed: bool,
        next: &Next<'_>,
    ) -> bool {
        // `1.` `a.` `1.)` opening a list item.
        if self.at_sentence_start(token_start) {
            if let Some(value) = enumerator_value(token) {
                let style = if bracketed { EnumStyle::DotParen } else { EnumStyle::Dot };
                self.last_enum = Some(Enumerator { style, value: value.0, alphabetic: value.1 });
                return false;
            }
        }
        if next.is_lowercase() || self.continues_sentence(next) {
            return false;
        }
        if quoted && self.is_reporting_clause(next) {
            return false;
        }
        if token.is_empty() {
            return true;
        }
        match lexicon::classify_abbreviation(token) {
            Some(AbbreviationClass::Prepositive) => false,
            Some(AbbreviationClass::Ordinary) => next.is_sentence_starter(),
            Some(AbbreviationClass::Time) => {
                // `He left at 6 P.M. Mr. Smith then ...` ends a sentence; the fronted phrase
                // `At 5 a.m. Mr. Smith went ...` does not.
                (next.is_uppercase() || next.is_digit()) && self.words_so_far(token_start) >= 4
            }
            None => {
                if is_initialism(token) || is_single_letter(token) {
                    next.is_sentence_starter()
                } else {
                    true
                }
            }
        }
    }

    /// What follows a full stop but still belongs to its sentence: an attribution after a dash
    /// (`... laughs about it. — Rick Santorum`) or a parenthetical closed by its own full stop
    /// (`... Commons. (http://example.org).`, `... the bar. (2012).`).
    fn continues_sentence(&self, next: &Next<'_>) -> bool {
        let rest = &self.text[next.at..];
        if rest.starts_with(['\u{2014}', '\u{2013}']) || rest.starts_with("- ") || rest.starts_with("-- ") {
            return true;
        }
        if rest.starts_with('(') {
            let window = &rest[..floor_boundary(rest, 300)];
            if let Some(close) = window.find([')', '\n']) {
                if window.as_bytes()[close] == b')' {
                    let after = &window[close + 1..];
                    let after = after.trim_start_matches(|c: char| lexicon::is_closing_quote(c) || c == ')');
                    return after.starts_with('.') && !after.starts_with("..");
                }
            }
        }
        false
    }

    /// `Tuesday, September 1, 2015` as a dateline of its own (Wikinews puts one under every title): a
    /// sentence ends before it when it follows a title, and after it when a capitalized word follows.
    fn on_comma(&mut self, i: usize) -> usize {
        // Every weekday name ends in `day`: most commas are dismissed by this one comparison.
        if i < 6 || &self.bytes[i - 3..i] != b"day" {
            return i + 1;
        }
        let (weekday_start, weekday) = self.token_before(i);
        if !lexicon::is_weekday(weekday) {
            return i + 1;
        }
        let Some(date_len) = month_day_year(&self.text[i + 1..]) else { return i + 1 };
        let date_end = i + 1 + date_len;
        let before = self.sentence_part(weekday_start).trim_end();
        let last_word = before.split_whitespace().next_back().unwrap_or("");
        let follows_title = !before.is_empty()
            && !before.ends_with(|c: char| lexicon::is_terminal(c) || matches!(c, ',' | ';' | ':' | '-' | '('))
            && !lexicon::is_function_word(last_word)
            && !lexicon::is_date_preposition(last_word);
        let next = self.next_after(date_end);
        let heads_text = next.first.is_none()
            || next.is_uppercase()
            || self.text[date_end..].trim_start_matches([' ', '\t']).starts_with(['\n', '\r']);
        if heads_text && (before.is_empty() || follows_title) {
            if follows_title {
                self.cut(weekday_start);
            }
            if next.first.is_some() && next.is_uppercase() {
                self.cut(date_end);
            }
        }
        date_end
    }

    /// `... at the bar Image: Nick Moreau.`: a photo credit after a caption starts a sentence of its own.
    fn on_colon(&mut self, i: usize) -> usize {
        let (token_start, token) = self.token_before(i);
        if lexicon::is_credit_label(token) && self.space_or_end(i + 1) && !self.at_sentence_start(token_start) {
            let before = self.text[..token_start].trim_end();
            if !before.ends_with([',', ';', ':', '(']) {
                self.cut(token_start);
            }
        }
        i + 1
    }

    /// `"We will win." Smith said.` — a capitalized name or pronoun and a reporting verb that ends the clause,
    /// after a closing quote, continue the sentence.
    fn is_reporting_clause(&self, next: &Next<'_>) -> bool {
        if !next.is_uppercase() {
            return false;
        }
        let rest = self.text.get(next.word_end..).unwrap_or("");
        let following = rest.split_whitespace().next().unwrap_or("");
        // Only a clause that ends at the verb (`Smith said.`): `He added: "..."` and `Smith said the
        // team would appeal.` are new sentences.
        let verb = following.trim_end_matches(['.', '!', '?']);
        verb.len() < following.len() && lexicon::is_reporting_verb(verb)
    }

    fn on_ellipsis(&mut self, i: usize, end: usize, dots: usize, spaced: bool) -> usize {
        let before = self.char_before(i);
        let attached = before.is_some_and(|c| !c.is_whitespace() && c != '.');
        let (after, _quoted, bracketed) = self.skip_closers(end);
        // `[...]` marks an omission inside a quotation, never an end.
        if bracketed && before == Some('[') {
            return after;
        }
        if !self.space_or_end(after) {
            return after;
        }
        let next = self.next_after(after);
        if next.first.is_none() {
            return after;
        }
        if !continues_after_ellipsis(&next) {
            // `compounds. . . . The practice` is a full stop followed by an ellipsis that opens the next
            // sentence (the four-dot convention).
            if spaced && attached && dots >= 4 {
                self.cut(i + 1);
            } else {
                self.cut(after);
            }
        }
        after
    }

    fn on_bang(&mut self, i: usize) -> usize {
        let bytes = self.bytes;
        let mut end = i + 1;
        while matches!(bytes.get(end), Some(b'!' | b'?')) {
            end += 1;
        }
        let (after, quoted, _) = self.skip_closers(end);
        if !self.space_or_end(after) {
            return after;
        }
        let next = self.next_after(after);
        if next.first.is_none() {
            return after;
        }
        if next.is_lowercase() || self.continues_sentence(&next) || (quoted && self.is_reporting_clause(&next)) {
            return after;
        }
        self.cut(after);
        after
    }

    fn on_multibyte(&mut self, i: usize) -> usize {
        let Some(c) = self.char_at(i) else { return i + 1 };
        let end = i + c.len_utf8();
        match c {
            '\u{2026}' => {
                let mut run_end = end;
                while self.text[run_end..].starts_with('\u{2026}') || self.bytes.get(run_end) == Some(&b'.') {
                    run_end += self.char_at(run_end).map_or(1, char::len_utf8);
                }
                self.on_ellipsis(i, run_end, 3, false)
            }
            '\u{3002}' | '\u{ff01}' | '\u{ff1f}' => {
                let (after, _, _) = self.skip_closers(end);
                self.cut(after);
                after
            }
            '\u{2028}' | '\u{2029}' => self.on_line_break(i),
            c if lexicon::is_bullet(c) => {
                // `• 9. The first item • 10. The second item`: a bullet after white space opens an item.
                if self.char_before(i).is_some_and(char::is_whitespace) {
                    self.cut(i);
                }
                end
            }
            _ => end,
        }
    }

    /// `1)` `a)` opening a list item: remember its number so that the next one can open a new item.
    fn note_enumerator_paren(&mut self, i: usize) {
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

    fn on_line_break(&mut self, i: usize) -> usize {
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
        if is_list_item(next_line) || is_list_item(line) || is_heading_line(line, next_line) {
            self.cut(i);
        }
        j
    }

    /// At the start of a token inside a list context, a following item number opens a new item.
    fn check_inline_enumerator(&mut self, token_start: usize) {
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
fn enumerator_value(token: &str) -> Option<(u32, bool)> {
    let b = token.as_bytes();
    match b {
        [d @ b'0'..=b'9'] => Some((u32::from(d - b'0'), false)),
        [d1 @ b'0'..=b'9', d2 @ b'0'..=b'9'] => Some((u32::from(d1 - b'0') * 10 + u32::from(d2 - b'0'), false)),
        [l @ b'a'..=b'z'] => Some((u32::from(l - b'a') + 1, true)),
        _ => None,
    }
}

/// `12. ` `b) ` `3.) ` at the start of `s`, followed by white space.
fn parse_enumerator_prefix(s: &str) -> Option<(u32, bool, EnumStyle)> {
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

/// ` September 1, 2015` (leading space included): the length of a month-day-year date at the start of `s`.
fn month_day_year(s: &str) -> Option<usize> {
    let trimmed = s.strip_prefix(' ')?;
    let month_len = trimmed.find(' ')?;
    if !lexicon::is_month(&trimmed[..month_len]) {
        return None;
    }
    let rest = &trimmed[month_len + 1..];
    let day_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&day_len) {
        return None;
    }
    let rest = rest[day_len..].strip_prefix(", ")?;
    let year_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    if year_len != 4 {
        return None;
    }
    Some(1 + month_len + 1 + day_len + 2 + year_len)
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `U.S`, `a.m`, `Ph.D`, `J.R.R`: letters in groups of one or two, separated by dots.
fn is_initialism(token: &str) -> bool {
    token.contains('.')
        && token
            .split('.')
            .all(|part| (1..=2).contains(&part.chars().count()) && part.chars().all(char::is_alphabetic))
}

fn is_single_letter(token: &str) -> bool {
    let mut chars = token.chars();
    chars.next().is_some_and(char::is_alphabetic) && chars.next().is_none()
}

/// After an ellipsis, a capitalized word other than `I` starts a new sentence; anything else continues.
fn continues_after_ellipsis(next: &Next<'_>) -> bool {
    if !next.is_uppercase() {
        return true;
    }
    let w = next.word;
    w == "I" || w.starts_with("I'") || w.starts_with("I\u{2019}")
}

/// A line that starts with a bullet or an item number (`- `, `* `, `• `, `1. `, `a) `).
fn is_list_item(line: &str) -> bool {
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
fn is_heading_line(line: &str, next_line: &str) -> bool {
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

fn spans_from_cuts(text: &str, cuts: &[usize]) -> Vec<SentenceSpan> {
    let mut spans = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for &cut in cuts.iter().chain(std::iter::once(&text.len())) {
        push_trimmed(text, start, cut, &mut spans);
        start = cut;
    }
    spans
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<SentenceSpan>) {
    let piece = &text[start..end];
    let trimmed_start = start + (piece.len() - piece.trim_start().len());
    let trimmed_end = end - (piece.len() - piece.trim_end().len());
    if trimmed_start < trimmed_end {
        let kind = sentence_kind(text, trimmed_start, trimmed_end);
        out.push(SentenceSpan { start: trimmed_start, end: trimmed_end, kind });
    }
}

/// A heading is a whole line (or the whole text) of at most 20 words without final punctuation.
fn sentence_kind(text: &str, start: usize, end: usize) -> SentenceKind {
    let body = &text[start..end];
    let last = body.trim_end_matches(|c: char| lexicon::is_closing_quote(c) || matches!(c, ')' | ']' | '}'));
    let ends_punctuated =
        last.chars().next_back().is_none_or(|c| lexicon::is_terminal(c) || matches!(c, ':' | ';' | ','));
    let is_line_break = |c: char| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}');
    let starts_line =
        text[..start].chars().rev().find(|c| !c.is_whitespace() || is_line_break(*c)).is_none_or(is_line_break);
    let ends_line =
        text[end..].chars().find(|c| !c.is_whitespace() || is_line_break(*c)).is_none_or(is_line_break);
    if !ends_punctuated
        && starts_line
        && ends_line
        && !body.contains(is_line_break)
        && body.split_whitespace().count() <= 20
    {
        SentenceKind::Heading
    } else {
        SentenceKind::Sentence
    }
}

/// The rules, one case each; read as documentation of what the splitter promises.
#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<&str> {
        split(text).iter().map(|s| &text[s.start..s.end]).collect()
    }

    fn kinds(text: &str) -> Vec<SentenceKind> {
        split(text).iter().map(|s| s.kind).collect()
    }

    #[test]
    fn abbreviations_and_titles_do_not_end_sentences() {
        assert_eq!(
            sentences(
                "U.S. officials met Dr. Smith and Gov. Brown at 5 p.m. on Jan. 5 in Washington, D.C., on Friday."
            ),
            ["U.S. officials met Dr. Smith and Gov. Brown at 5 p.m. on Jan. 5 in Washington, D.C., on Friday."]
        );
        assert_eq!(sentences("Acme Inc. said profits rose."), ["Acme Inc. said profits rose."]);
    }

    #[test]
    fn an_abbreviation_ends_a_sentence_before_a_typical_sentence_opener() {
        assert_eq!(
            sentences("The firm moved to the U.S. The move cut costs."),
            ["The firm moved to the U.S.", "The move cut costs."]
        );
        assert_eq!(
            sentences("They sell toys, games, etc. However, sales fell."),
            ["They sell toys, games, etc.", "However, sales fell."]
        );
    }

    #[test]
    fn initials_stay_with_the_name() {
        assert_eq!(
            sentences("J. R. R. Tolkien wrote it. John F. Kennedy read it."),
            ["J. R. R. Tolkien wrote it.", "John F. Kennedy read it."]
        );
    }

    #[test]
    fn numbers_and_decimals() {
        assert_eq!(
            sentences("Shares rose 3.5 percent to $12.75. Analysts expected 1,200.50 points. It closed at 12."),
            ["Shares rose 3.5 percent to $12.75.", "Analysts expected 1,200.50 points.", "It closed at 12."]
        );
    }

    #[test]
    fn ellipses_end_a_sentence_only_before_a_capitalized_word() {
        assert_eq!(sentences("He paused... Then he left."), ["He paused...", "Then he left."]);
        assert_eq!(sentences("Well… maybe not."), ["Well… maybe not."]);
        assert_eq!(sentences("I thought . . . I was wrong."), ["I thought . . . I was wrong."]);
    }

    #[test]
    fn a_quotation_with_a_reporting_clause_is_one_sentence() {
        assert_eq!(
            sentences("The talks were \u{201c}productive and constructive,\u{201d} officials said."),
            ["The talks were \u{201c}productive and constructive,\u{201d} officials said."]
        );
        assert_eq!(sentences("\"We won!\" she said."), ["\"We won!\" she said."]);
        assert_eq!(sentences("\"We will win.\" Smith said."), ["\"We will win.\" Smith said."]);
        // ... but a capitalized clause that goes on after the verb is a new sentence.
        assert_eq!(
            sentences("She called it \"unusual.\" He added: \"We expect rain.\""),
            ["She called it \"unusual.\"", "He added: \"We expect rain.\""]
        );
        assert_eq!(
            sentences("\"It is over.\" Smith said the team would appeal."),
            ["\"It is over.\"", "Smith said the team would appeal."]
        );
    }

    #[test]
    fn a_quotation_that_ends_a_sentence_ends_it_after_the_closing_quote() {
        assert_eq!(sentences("He said \"Stop.\" Then he left."), ["He said \"Stop.\"", "Then he left."]);
        assert_eq!(
            sentences("She said it was \u{2018}over.\u{2019} Nobody agreed."),
            ["She said it was \u{2018}over.\u{2019}", "Nobody agreed."]
        );
    }

    #[test]
    fn nested_quotations() {
        assert_eq!(
            sentences("\"I heard him say 'never again.'\" she recalled."),
            ["\"I heard him say 'never again.'\" she recalled."]
        );
        assert_eq!(
            sentences("He said: \"They called it 'a farce.'\" The judge disagreed."),
            ["He said: \"They called it 'a farce.'\"", "The judge disagreed."]
        );
    }

    #[test]
    fn parentheses() {
        assert_eq!(
            sentences("He teaches (He worked as an engineer.) at the school."),
            ["He teaches (He worked as an engineer.) at the school."]
        );
        assert_eq!(
            sentences("The index fell (see chart). Traders were nervous."),
            ["The index fell (see chart).", "Traders were nervous."]
        );
        assert_eq!(
            sentences("He left. (He came back later.) Then he slept."),
            ["He left.", "(He came back later.)", "Then he slept."]
        );
        // A citation closed by its own full stop belongs to the sentence before it.
        assert_eq!(
            sentences("It ranks 135th in the US. (quantcast.com). Growth is slow."),
            ["It ranks 135th in the US. (quantcast.com).", "Growth is slow."]
        );
    }

    #[test]
    fn list_items_on_their_own_lines() {
        assert_eq!(
            sentences("Steps:\n1. Mix the flour\n2. Bake it\n- Serve warm\n\u{2022} Eat"),
            ["Steps:", "1. Mix the flour", "2. Bake it", "- Serve warm", "\u{2022} Eat"]
        );
    }

    #[test]
    fn list_items_run_together_on_one_line() {
        assert_eq!(sentences("1) First item 2) Second item"), ["1) First item", "2) Second item"]);
        assert_eq!(sentences("a. Apples b. Pears"), ["a. Apples", "b. Pears"]);
        // A number that does not continue a list is just a number.
        assert_eq!(sentences("He won 2. Then he lost 3 games."), ["He won 2.", "Then he lost 3 games."]);
    }

    #[test]
    fn headings_and_page_furniture_are_headings() {
        let text = "Storm hits coast\n\nThe storm hit the coast on Monday.\n\nRelated stories\nShare this article";
        assert_eq!(
            sentences(text),
            ["Storm hits coast", "The storm hit the coast on Monday.", "Related stories", "Share this article"]
        );
        assert_eq!(
            kinds(text),
            [SentenceKind::Heading, SentenceKind::Sentence, SentenceKind::Heading, SentenceKind::Heading]
        );
    }

    #[test]
    fn a_heading_line_ends_at_a_single_line_break() {
        assert_eq!(
            sentences("Markets rally on rate hopes\nStocks rose on Monday."),
            ["Markets rally on rate hopes", "Stocks rose on Monday."]
        );
    }

    #[test]
    fn a_wrapped_sentence_is_not_broken_at_its_line_breaks() {
        assert_eq!(
            sentences("The committee met on\nTuesday to discuss the budget."),
            ["The committee met on\nTuesday to discuss the budget."]
        );
    }

    #[test]
    fn a_blank_line_always_ends_a_sentence() {
        assert_eq!(
            sentences("no final punctuation here\n\nand lowercase after"),
            ["no final punctuation here", "and lowercase after"]
        );
        assert_eq!(sentences("Title\r\n\r\nBody text.\r\n"), ["Title", "Body text."]);
    }

    #[test]
    fn a_dateline_under_a_title_stands_alone() {
        assert_eq!(
            sentences("Biologist tells Wikinews about ants Tuesday, September 1, 2015 Ants heal themselves."),
            ["Biologist tells Wikinews about ants", "Tuesday, September 1, 2015", "Ants heal themselves."]
        );
        assert_eq!(
            sentences("They met on Tuesday, September 1, 2015 in Paris."),
            ["They met on Tuesday, September 1, 2015 in Paris."]
        );
    }

    #[test]
    fn a_photo_credit_after_a_caption_stands_alone() {
        assert_eq!(
            sentences("The robot at the fair Image: United States Navy."),
            ["The robot at the fair", "Image: United States Navy."]
        );
    }

    #[test]
    fn an_attribution_after_a_dash_stays_with_the_quote() {
        assert_eq!(
            sentences("\"We have brains.\" \u{2014} Peres, on oil."),
            ["\"We have brains.\" \u{2014} Peres, on oil."]
        );
    }

    #[test]
    fn web_text_and_names() {
        assert_eq!(
            sentences("Email jane.doe@example.com. She replies fast!"),
            ["Email jane.doe@example.com.", "She replies fast!"]
        );
        assert_eq!(
            sentences("I bought it at Yahoo! in May. Then eBay. iPhone sales rose."),
            ["I bought it at Yahoo! in May.", "Then eBay.", "iPhone sales rose."]
        );
    }

    #[test]
    fn offsets_are_bytes_into_the_input() {
        let text = "  Caf\u{e9} ouvert. Gr\u{fc}\u{df}e!  ";
        let spans = split(text);
        assert_eq!(spans.len(), 2);
        assert_eq!(&text[spans[0].start..spans[0].end], "Caf\u{e9} ouvert.");
        assert_eq!((spans[1].start, spans[1].end), (16, 24));
    }

    /// A small fixed-seed generator (xorshift), so that the property test below is reproducible.
    struct Rng(u64);
    impl Rng {
        fn next_u64(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next_u64() % n as u64) as usize
        }
    }

    const FRAGMENTS: &[&str] = &[
        ".",
        "..",
        "...",
        ". . .",
        "!",
        "?",
        "?!",
        "\u{2026}",
        "U.S.",
        "Mr.",
        "p.m.",
        "a.m",
        "J.",
        "e.g.",
        "1.",
        "12.",
        "a)",
        "2.)",
        "\"",
        "'",
        "\u{201c}",
        "\u{201d}",
        "\u{2019}",
        "(",
        ")",
        "[",
        "]",
        "[...]",
        " ",
        "  ",
        "\t",
        "\n",
        "\r\n",
        "\n\n",
        "\r",
        "\u{2028}",
        "\u{2029}",
        "\u{a0}",
        "\u{3000}",
        "The",
        "word",
        "said",
        "I",
        "it",
        "\u{e9}",
        "e\u{301}",
        "\u{1f600}",
        "\u{1f468}\u{200d}\u{1f469}",
        "\0",
        "\u{2022}",
        "\u{2043}",
        "-",
        "\u{2014}",
        ":",
        ",",
        ";",
        "Image:",
        "Tuesday, September 1, 2015",
        "Tuesday,",
        "\u{3002}",
        "\u{ff1f}",
        "x",
        "3.14",
        "$100.00",
        "http://a.b/c.html",
        "\u{feff}",
        "\u{200b}",
        "\u{5d0}\u{5d1}",
        "\u{645}",
    ];

    /// Checks every promise of [`Splitter::split`] on `text`.
    fn assert_invariants(text: &str) {
        let spans = split(text);
        let mut previous_end = 0;
        for span in &spans {
            assert!(span.start < span.end && span.end <= text.len(), "{span:?} in {text:?}");
            assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end), "{span:?} in {text:?}");
            assert!(span.start >= previous_end, "overlap or disorder at {span:?} in {text:?}");
            let piece = &text[span.start..span.end];
            assert_eq!(piece, piece.trim(), "untrimmed {span:?} in {text:?}");
            // Every non-whitespace character between two spans would be lost.
            assert!(
                text[previous_end..span.start].trim().is_empty(),
                "uncovered text before {span:?} in {text:?}"
            );
            previous_end = span.end;
        }
        assert!(text[previous_end..].trim().is_empty(), "uncovered tail in {text:?}");
    }

    #[test]
    fn spans_are_ordered_trimmed_and_cover_all_text_on_random_nasty_inputs() {
        let mut rng = Rng(0x5eed_1234_abcd_ef01);
        for _ in 0..20_000 {
            let len = rng.below(40);
            let text: String = (0..len).map(|_| FRAGMENTS[rng.below(FRAGMENTS.len())]).collect();
            assert_invariants(&text);
        }
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        let cases = [
            String::new(),
            " \n\t ".to_owned(),
            ".".repeat(100_000),
            ". ".repeat(50_000),
            "a. ".repeat(30_000),
            "1. ".repeat(30_000),
            "\"".repeat(10_000),
            "(".repeat(10_000) + &")".repeat(10_000),
            "x".repeat(100_000),
            "\u{1f600}.".repeat(10_000),
            "\r\n".repeat(10_000),
            "\0".repeat(1_000),
            "Tuesday,".repeat(1_000),
            "Image:".repeat(1_000),
            "e\u{301}\u{301}\u{301}. ".repeat(1_000),
        ];
        for text in &cases {
            assert_invariants(text);
        }
        assert_eq!(split("Hello.").len(), 1);
    }
}
