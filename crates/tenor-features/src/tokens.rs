//! The featurizer's tokenizer: words with byte spans, normalised for hashing. What a word is comes from the
//! word scanner shared with tenor-attribution (`tenor_text::words`); this layer adds features' policy: only
//! an apostrophe before a letter joins, a final `n't` is split off, clause punctuation marks a break.

use tenor_text::words::{char_at, is_word_char, word_end};

/// One word of a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte span in the sentence.
    pub start: u32,
    pub end: u32,
    /// Byte range of the normalised form in the scratch buffer's `norm` string.
    pub norm_start: u32,
    pub norm_end: u32,
    /// Clause punctuation (`, . ; : ! ? ( ) "`) stands between the previous token and this one; it ends a
    /// negation scope.
    pub break_before: bool,
}

/// Splits `text` into word tokens: runs of letters and digits, keeping an inner apostrophe (`don't`,
/// `Trump's`) and splitting a final `n't` into its own token (`did` `n't`) so it can open a negation scope.
/// Normal form: lower case, `’` as `'`, every digit as `0`.
pub fn tokenize(text: &str, tokens: &mut Vec<Token>, norm: &mut String) {
    tokens.clear();
    norm.clear();
    let bytes = text.as_bytes();
    let mut pending_break = false;
    let mut i = 0;
    while i < bytes.len() {
        let (c, len) = char_at(text, i);
        if !is_word_char(c) {
            if matches!(c, ',' | '.' | ';' | ':' | '!' | '?' | '(' | ')' | '"' | '“' | '”' | '—' | '–') {
                pending_break = true;
            }
            i += len;
            continue;
        }
        let start = i;
        // The shared word scanner, with features' joiner: an apostrophe before a letter (`don't`, `Trump's`).
        let end = word_end(text, i + len, |j, next| (j == '\'' || j == '’') && next.is_alphabetic());
        i = end;
        let norm_start = norm.len();
        for c in text[start..end].chars() {
            // Inside a word, the only characters that are not word characters are those apostrophes.
            if is_word_char(c) {
                push_norm(norm, c);
            } else {
                norm.push('\'');
            }
        }
        let word = &norm[norm_start..];
        if word.len() > 3 && word.ends_with("n't") {
            // "didn't" -> "did" + "n't"; the split point in the text is 3 code points before the end ("n't").
            let split_text = text[..end].char_indices().rev().nth(2).map_or(start, |(i, _)| i);
            let split_norm = norm.len() - 3;
            tokens.push(Token {
                start: start as u32,
                end: split_text as u32,
                norm_start: norm_start as u32,
                norm_end: split_norm as u32,
                break_before: pending_break,
            });
            tokens.push(Token {
                start: split_text as u32,
                end: end as u32,
                norm_start: split_norm as u32,
                norm_end: norm.len() as u32,
                break_before: false,
            });
        } else {
            tokens.push(Token {
                start: start as u32,
                end: end as u32,
                norm_start: norm_start as u32,
                norm_end: norm.len() as u32,
                break_before: pending_break,
            });
        }
        pending_break = false;
    }
}

#[inline]
fn push_norm(norm: &mut String, c: char) {
    if c.is_ascii() {
        let b = c.to_ascii_lowercase();
        norm.push(if b.is_ascii_digit() { '0' } else { b });
    } else if c.is_numeric() {
        norm.push('0');
    } else {
        norm.extend(c.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(String, String, bool)> {
        let (mut tokens, mut norm) = (Vec::new(), String::new());
        tokenize(text, &mut tokens, &mut norm);
        tokens
            .iter()
            .map(|t| {
                (
                    text[t.start as usize..t.end as usize].to_owned(),
                    norm[t.norm_start as usize..t.norm_end as usize].to_owned(),
                    t.break_before,
                )
            })
            .collect()
    }

    #[test]
    fn splits_words_keeps_spans_and_normalises() {
        let w = words("Trump’s aides didn't say, 2019 Zürich.");
        let norms: Vec<&str> = w.iter().map(|x| x.1.as_str()).collect();
        assert_eq!(norms, ["trump's", "aides", "did", "n't", "say", "0000", "zürich"]);
        assert_eq!(w[0].0, "Trump’s");
        assert_eq!(w[2].0, "did");
        assert_eq!(w[3].0, "n't");
        assert!(w[5].2, "the comma breaks the clause");
        assert!(!w[4].2);
    }
}
