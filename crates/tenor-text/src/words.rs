//! The word scanner that tenor-features' and tenor-attribution's tokenizers share: what a word is, in byte
//! offsets. A word runs over alphanumeric characters and over the joiners a caller allows between a joiner
//! and the character after it; each tokenizer layers its own policy on top of this core:
//!
//! - tenor-features (`tokens.rs`): only an apostrophe followed by a letter joins (`don't`, `Trump's`); a final
//!   `n't` is split off afterwards; non-word characters are skipped, clause punctuation marks a break;
//! - tenor-attribution (`tokens.rs`): apostrophes, hyphens, periods and `&` followed by a letter or digit join
//!   (`U.S`, `well-known`, `AT&T`); a word may also start at an apostrophe (a clitic such as `'s`); punctuation
//!   and quote marks become tokens of their own.
//!
//! The two policies differ on purpose (features' hashed n-grams and pinned digests depend on theirs, the
//! attribution rules on theirs), so only the scanning core is shared.
//!
//! Guarantees: offsets are on char boundaries of the text; ASCII is scanned without UTF-8 decoding; no
//! allocation.

/// The character at byte `i` of `text` (a char boundary) and its length in bytes; ASCII without decoding.
#[inline]
pub fn char_at(text: &str, i: usize) -> (char, usize) {
    let b = text.as_bytes()[i];
    if b.is_ascii() {
        (char::from(b), 1)
    } else {
        let c = text[i..].chars().next().expect("i is a char boundary inside text");
        (c, c.len_utf8())
    }
}

/// A character words are made of: a letter or a digit (any script).
#[inline]
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric()
    }
}

/// The byte end of a word whose text so far is `text[..end]` (`end` a char boundary): the word extends over
/// word characters, and over a joiner `j` when `joins(j, next)` holds for the character `next` after it.
#[inline]
pub fn word_end(text: &str, mut end: usize, joins: impl Fn(char, char) -> bool) -> usize {
    while end < text.len() {
        let (c, len) = char_at(text, end);
        if is_word_char(c) {
            end += len;
            continue;
        }
        match text[end + len..].chars().next() {
            Some(next) if joins(c, next) => end += len,
            _ => break,
        }
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apostrophe_before_letter(j: char, next: char) -> bool {
        matches!(j, '\'' | '\u{2019}') && next.is_alphabetic()
    }

    #[test]
    fn a_word_runs_over_alphanumerics_and_allowed_joiners() {
        let text = "Trump’s U.S. well-known 2019x didn' t";
        assert_eq!(&text[..word_end(text, 1, apostrophe_before_letter)], "Trump’s");
        let us = text.find("U.S").unwrap();
        assert_eq!(&text[us..word_end(text, us + 1, apostrophe_before_letter)], "U");
        let dots = |j: char, next: char| matches!(j, '.' | '-') && next.is_alphanumeric();
        assert_eq!(&text[us..word_end(text, us + 1, dots)], "U.S");
        let well = text.find("well").unwrap();
        assert_eq!(&text[well..word_end(text, well + 1, dots)], "well-known");
        let year = text.find("2019").unwrap();
        assert_eq!(&text[year..word_end(text, year + 1, dots)], "2019x");
        let didn = text.find("didn").unwrap();
        assert_eq!(&text[didn..word_end(text, didn + 1, apostrophe_before_letter)], "didn", "no letter after it");
        assert_eq!(word_end(text, text.len(), dots), text.len());
    }

    #[test]
    fn char_at_decodes_non_ascii() {
        assert_eq!(char_at("a’b", 1), ('’', 3));
        assert_eq!(char_at("a’b", 0), ('a', 1));
        assert!(is_word_char('ü') && is_word_char('7') && !is_word_char('’') && !is_word_char('-'));
    }
}
