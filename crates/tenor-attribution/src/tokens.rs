//! Part-of-speech-free tokens: words, punctuation and double-quote marks, with byte offsets into the body.
//! What a word is comes from the word scanner shared with tenor-features (`tenor_text::words`); this layer
//! adds attribution's policy: hyphens, periods and `&` join too, a clitic (`'s`) is a word, punctuation and
//! quote marks are tokens.
//!
//! Each word also gets a lower-cased copy (in one buffer shared by the sentence, so no allocation per token)
//! for lexicon look-ups.

use std::ops::Range;

use tenor_text::words::word_end;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Word,
    /// A double-quote mark (straight, curly or guillemet).
    Quote,
    Punct,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    /// Byte range in the article body.
    pub start: usize,
    pub end: usize,
    pub kind: TokenKind,
    /// First character is upper case.
    pub capitalized: bool,
    /// Byte range of the lower-cased form in [`Tokens::lower`].
    lower: Range<usize>,
}

/// The tokens of one sentence. Reused from sentence to sentence to keep allocations out of the hot loop.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    pub toks: Vec<Token>,
    lower: String,
}

pub(crate) fn is_double_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{00ab}' | '\u{00bb}')
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}')
}

/// Clitics GUM (and some wire text) writes as separate tokens: `report 's`, `do n't`, `I 'm`.
fn is_clitic(lower: &str) -> bool {
    matches!(
        lower,
        "'s" | "'re"
            | "'ve"
            | "'ll"
            | "'m"
            | "'d"
            | "\u{2019}s"
            | "\u{2019}re"
            | "\u{2019}ve"
            | "\u{2019}ll"
            | "\u{2019}m"
            | "\u{2019}d"
    )
}

impl Tokens {
    /// Tokenizes `body[range]`; token offsets are absolute in `body`.
    pub fn tokenize(&mut self, body: &str, range: Range<usize>) {
        self.toks.clear();
        self.lower.clear();
        let text = &body[range.clone()];
        let base = range.start;
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c.is_whitespace() {
                continue;
            }
            if is_double_quote(c) {
                self.push_symbol(base + i, base + i + c.len_utf8(), TokenKind::Quote);
                continue;
            }
            let starts_clitic = is_apostrophe(c) && chars.peek().is_some_and(|&(_, n)| n.is_alphabetic());
            if c.is_alphanumeric() || starts_clitic {
                // The shared word scanner, with attribution's joiners: they stay inside a word only before a
                // letter or digit (U.S, don't, Smith's, well-known, AT&T).
                let end = word_end(text, i + c.len_utf8(), |j, next| {
                    matches!(j, '\'' | '\u{2019}' | '-' | '.' | '&') && next.is_alphanumeric()
                });
                while chars.peek().is_some_and(|&(j, _)| j < end) {
                    chars.next();
                }
                let word = &text[i..end];
                if starts_clitic {
                    let lower_start = self.lower.len();
                    self.lower.extend(word.chars().flat_map(char::to_lowercase));
                    let is_word = is_clitic(&self.lower[lower_start..]);
                    self.lower.truncate(lower_start);
                    if !is_word {
                        // An opening single quote, not a clitic: the quote mark is punctuation, the word follows.
                        self.push_symbol(base + i, base + i + c.len_utf8(), TokenKind::Punct);
                        self.push_word(&text[i + c.len_utf8()..end], base + i + c.len_utf8());
                        continue;
                    }
                }
                self.push_word(word, base + i);
                continue;
            }
            self.push_symbol(base + i, base + i + c.len_utf8(), TokenKind::Punct);
        }
    }

    fn push_word(&mut self, word: &str, start: usize) {
        let lower_start = self.lower.len();
        if word.is_ascii() {
            self.lower.extend(word.bytes().map(|b| b.to_ascii_lowercase() as char));
        } else {
            self.lower.extend(word.chars().flat_map(char::to_lowercase));
        }
        let capitalized = word.chars().next().is_some_and(char::is_uppercase);
        self.toks.push(Token {
            start,
            end: start + word.len(),
            kind: TokenKind::Word,
            capitalized,
            lower: lower_start..self.lower.len(),
        });
    }

    fn push_symbol(&mut self, start: usize, end: usize, kind: TokenKind) {
        let lower_start = self.lower.len();
        self.toks.push(Token { start, end, kind, capitalized: false, lower: lower_start..lower_start });
    }

    pub fn len(&self) -> usize {
        self.toks.len()
    }

    /// Lower-cased form of a word (empty for punctuation and quote marks).
    pub fn lower(&self, i: usize) -> &str {
        &self.lower[self.toks[i].lower.clone()]
    }

    pub fn is_word(&self, i: usize) -> bool {
        self.toks[i].kind == TokenKind::Word
    }

    pub fn is_punct(&self, i: usize, body: &str, symbol: char) -> bool {
        let t = &self.toks[i];
        t.kind == TokenKind::Punct && body[t.start..].starts_with(symbol)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut t = Tokens::default();
        t.tokenize(text, 0..text.len());
        t.toks.iter().map(|k| text[k.start..k.end].to_owned()).collect()
    }

    #[test]
    fn keeps_abbreviations_clitics_and_quotes_apart() {
        assert_eq!(
            words("The U.S. envoy's view, “no.”"),
            ["The", "U.S", ".", "envoy's", "view", ",", "“", "no", ".", "”"]
        );
        assert_eq!(words("report 's authors do n't"), ["report", "'s", "authors", "do", "n't"]);
        assert_eq!(words("'hello' ‘x’"), ["'", "hello", "'", "‘", "x", "’"]);
    }
}
