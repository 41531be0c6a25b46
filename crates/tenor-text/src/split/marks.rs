//! The decision rules for each punctuation mark: full stop, `!` and `?`, ellipsis, the comma of a Wikinews
//! dateline, the colon of a photo credit, and the non-ASCII marks (`…`, CJK stops, bullets).
//!
//! Each rule looks at the token before its mark and the word after it, never further than a few hundred bytes,
//! cuts through `Scanner::cut` only, and returns the offset where scanning resumes (always past the mark).
//! The rules are listed in `docs/SPLITTING.md`.

use crate::lexicon::{self, AbbreviationClass};

use super::lists::{enumerator_value, EnumStyle, Enumerator};
use super::scan::{Next, Scanner};
use super::web::{is_plain_token, is_plain_word};

impl Scanner<'_> {
    pub(super) fn on_period(&mut self, i: usize) -> usize {
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
            // `Hello world.Today is Tuesday.`, `bought 1,000.That is a lot.`: a sentence glued to the next.
            // A straight quote between them may open the next sentence as well as close this one: no cut.
            if let Some(next) = self.glued_word(after).filter(|_| !quoted) {
                let (token_start, token) = self.token_before(i);
                if (is_plain_token(token) || is_initialism(token))
                    && self.is_boundary_after_period(token_start, token, quoted, bracketed, &next)
                {
                    self.cut(after);
                }
            }
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

    pub(super) fn is_boundary_after_period(
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
        // `Q. What did you see? A. A dog.`: an interview marker opens its sentence.
        if matches!(token, "Q" | "A") && self.at_sentence_start(token_start) {
            return false;
        }
        // `it was closed. thanks for nothing`: after an ordinary word, a lower-case opener of web text.
        if next.is_lowercase() {
            return !quoted && is_plain_word(token) && lexicon::is_lowercase_opener(next.word);
        }
        // `right. :) It was`: the emoticon belongs to the sentence and ends it itself.
        if self.continues_sentence(next) || self.emoticon_at(next.at).is_some() {
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
    pub(super) fn continues_sentence(&self, next: &Next<'_>) -> bool {
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
    pub(super) fn on_comma(&mut self, i: usize) -> usize {
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
    pub(super) fn on_colon(&mut self, i: usize) -> usize {
        if self.emoticon_at(i).is_some() {
            return self.on_emoticon(i);
        }
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
    pub(super) fn is_reporting_clause(&self, next: &Next<'_>) -> bool {
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

    pub(super) fn on_ellipsis(&mut self, i: usize, end: usize, dots: usize, spaced: bool) -> usize {
        let before = self.char_before(i);
        let attached = before.is_some_and(|c| !c.is_whitespace() && c != '.');
        let (after, _quoted, bracketed) = self.skip_closers(end);
        // `[...]` marks an omission inside a quotation, never an end.
        if bracketed && before == Some('[') {
            return after;
        }
        if !self.space_or_end(after) {
            // `I don't know...Maybe tomorrow.`
            if self.glued_word(after).is_some_and(|next| !continues_after_ellipsis(&next)) && attached {
                self.cut(after);
            }
            return after;
        }
        let next = self.next_after(after);
        if next.first.is_none() || self.emoticon_at(next.at).is_some() {
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

    pub(super) fn on_bang(&mut self, i: usize) -> usize {
        let bytes = self.bytes;
        let mut end = i + 1;
        while matches!(bytes.get(end), Some(b'!' | b'?')) {
            end += 1;
        }
        let (after, quoted, _) = self.skip_closers(end);
        if !self.space_or_end(after) {
            // `Really?Yes, really.`
            let (_, token) = self.token_before(i);
            if !quoted && is_plain_token(token) && self.glued_word(after).is_some() {
                self.cut(after);
            }
            return after;
        }
        let next = self.next_after(after);
        if next.first.is_none() || self.emoticon_at(next.at).is_some() {
            return after;
        }
        // `any ideas? thanks`; but `Yahoo! in the ...` and `"Stop!" she said` continue.
        if next.is_lowercase() && (quoted || !lexicon::is_lowercase_opener(next.word)) {
            return after;
        }
        if self.continues_sentence(&next) || (quoted && self.is_reporting_clause(&next)) {
            return after;
        }
        self.cut(after);
        after
    }

    pub(super) fn on_multibyte(&mut self, i: usize) -> usize {
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
}

/// ` September 1, 2015` (leading space included): the length of a month-day-year date at the start of `s`.
pub(super) fn month_day_year(s: &str) -> Option<usize> {
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

pub(super) fn floor_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `U.S`, `a.m`, `Ph.D`, `J.R.R`: letters in groups of one or two, separated by dots.
pub(super) fn is_initialism(token: &str) -> bool {
    token.contains('.')
        && token
            .split('.')
            .all(|part| (1..=2).contains(&part.chars().count()) && part.chars().all(char::is_alphabetic))
}

pub(super) fn is_single_letter(token: &str) -> bool {
    let mut chars = token.chars();
    chars.next().is_some_and(char::is_alphabetic) && chars.next().is_none()
}

/// After an ellipsis, a capitalized word other than `I` starts a new sentence; anything else continues.
pub(super) fn continues_after_ellipsis(next: &Next<'_>) -> bool {
    if !next.is_uppercase() {
        return true;
    }
    let w = next.word;
    w == "I" || w.starts_with("I'") || w.starts_with("I\u{2019}")
}
