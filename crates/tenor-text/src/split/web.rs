//! Rules for web text and text with markup left in: sentences run together without a space
//! (`Hello world.Today is Tuesday.`), lower-case sentence openers after a terminal mark (`it was closed. thanks`),
//! emoticons that end a sentence (`Thanks :) See you`), capitalized openers run on without punctuation
//! (`the food was great They were friendly`), and HTML-like tags (`</p><p>`, `<br>`), which separate sentences
//! when they are block-level and are otherwise looked through; nothing is removed, tags stay inside the spans.
//!
//! Like every rule, these look only at the text around their mark (the token before, the word after, a tag of at
//! most [`MAX_TAG`] bytes), cut through `Scanner::cut` only and return where scanning resumes.

use crate::lexicon;

use super::scan::{Next, Scanner};

/// Run-on openers are shorter than this many bytes.
const MAX_RUN_ON_WORD: usize = 12;

/// The longest tag (with its attributes) the splitter recognises; a longer `<...>` is plain text.
pub(super) const MAX_TAG: usize = 256;

/// An HTML-like tag at the start of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Tag<'a> {
    /// Length in bytes, from `<` to `>` inclusive.
    pub(super) len: usize,
    pub(super) name: &'a str,
    pub(super) closing: bool,
}

impl Tag<'_> {
    /// A tag that ends what comes before it: a closing block tag (`</p>`, `</li>`) or a line break (`<br>`).
    pub(super) fn ends_block(&self) -> bool {
        (self.closing || self.name.eq_ignore_ascii_case("br") || self.name.eq_ignore_ascii_case("hr"))
            && lexicon::is_block_tag(self.name)
    }
    /// An opening block tag (`<p>`, `<li class="x">`) but not a line break: it starts what follows it.
    pub(super) fn starts_block(&self) -> bool {
        !self.ends_block() && !self.closing && lexicon::is_block_tag(self.name)
    }
}

/// `<p>`, `</p>`, `<br/>`, `<br />`, `<a href="x">` at the start of `s`: `<`, an optional `/`, a name (ASCII
/// letter, then letters and digits), then `>`, `/>`, or white space and attributes (holding a `=` or nothing but
/// white space and `/`) up to `>`, all on one line and within [`MAX_TAG`] bytes. `a < b`, `x<y and z>w` and
/// `<3` are not tags.
pub(super) fn parse_tag(s: &str) -> Option<Tag<'_>> {
    let b = s.as_bytes();
    if b.first() != Some(&b'<') {
        return None;
    }
    let closing = b.get(1) == Some(&b'/');
    let name_start = 1 + usize::from(closing);
    if !b.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let limit = b.len().min(MAX_TAG);
    let name_len = b[name_start..limit].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
    let name_end = name_start + name_len;
    let name = &s[name_start..name_end];
    let rest = &b[name_end..limit];
    let close = rest.iter().position(|&c| c == b'>' || c == b'<' || c == b'\n' || c == b'\r')?;
    if rest[close] != b'>' {
        return None;
    }
    let inside = &rest[..close];
    let plain = inside.iter().all(|c| c.is_ascii_whitespace() || *c == b'/');
    let attributes = inside.first().is_some_and(u8::is_ascii_whitespace) && inside.contains(&b'=');
    if !(plain || (attributes && !closing)) {
        return None;
    }
    Some(Tag { len: name_end + close + 1, name, closing })
}

/// `body` without the tags it ends with (`The storm hit.</p>` → `The storm hit.`), for the heading test.
pub(super) fn trim_trailing_tags(mut body: &str) -> &str {
    while body.ends_with('>') {
        match body.rfind('<').filter(|&k| parse_tag(&body[k..]).is_some_and(|t| k + t.len == body.len())) {
            Some(k) => body = body[..k].trim_end(),
            None => break,
        }
    }
    body
}

impl<'a> Scanner<'a> {
    /// `<`: a block-level tag separates sentences (a cut before `<p>`, after `</p>` and `<br>`); `<3` may be an
    /// emoticon.
    pub(super) fn on_angle_bracket(&mut self, i: usize) -> usize {
        let Some(tag) = parse_tag(&self.text[i..]) else { return self.on_emoticon(i) };
        let end = i + tag.len;
        if tag.starts_block() {
            self.cut(i);
        } else if tag.ends_block() {
            // `</p></div>`: cut after the last of a run of closing tags.
            let mut at = end;
            while let Some(next) = parse_tag(&self.text[at..]).filter(|t| t.closing || t.ends_block()) {
                at += next.len;
            }
            self.cut(at);
            return at;
        }
        end
    }

    /// An emoticon token (`:)`, `;-)`, `<3`) starting at `i` after white space: a sentence ends after it before a
    /// capitalized word or a lower-case opener. Returns where scanning resumes (past the emoticon, or `i + 1`).
    pub(super) fn on_emoticon(&mut self, i: usize) -> usize {
        let Some(end) = self.emoticon_at(i) else { return i + 1 };
        if self.space_or_end(end) {
            let next = self.next_after(end);
            if next.first.is_some() && self.emoticon_at(next.at).is_none() && self.opens_web_sentence(&next) {
                self.cut(end);
            }
        }
        end
    }

    /// The end of the emoticon token that starts at `i` (after white space or at the start of the text).
    pub(super) fn emoticon_at(&self, i: usize) -> Option<usize> {
        if !self.char_before(i).is_none_or(char::is_whitespace) {
            return None;
        }
        let rest = self.text.get(i..)?;
        // Emoticons are at most four bytes: look no further than five.
        let len = rest.bytes().take(5).take_while(|c| !c.is_ascii_whitespace()).count();
        let token = rest.get(..len)?;
        let ends = rest[len..].chars().next().is_none_or(char::is_whitespace);
        (ends && lexicon::is_emoticon(token)).then_some(i + len)
    }

    /// A capitalized word, or a lower-case word that opens sentences in web text (`i`, `thanks`).
    pub(super) fn opens_web_sentence(&self, next: &Next<'_>) -> bool {
        next.is_uppercase() || (next.is_lowercase() && lexicon::is_lowercase_opener(next.word))
    }

    /// A capitalized word glued to a terminal mark (`world.Today`, `1,000.That`, `Really?Yes`): the word at `at`
    /// when it is a capital and at least one lower-case letter, followed by white space, the end of the text,
    /// or punctuation that is not a dot inside a name (`Jane.Doe@example.com`, `www.Google.com` are not).
    pub(super) fn glued_word(&self, at: usize) -> Option<Next<'a>> {
        let text: &'a str = self.text;
        let rest = text.get(at..)?;
        let mut chars = rest.char_indices();
        let (_, first) = chars.next()?;
        if !first.is_uppercase() {
            return None;
        }
        let mut end = rest.len();
        let mut lower = 0;
        for (k, c) in chars {
            if c.is_lowercase() {
                lower += 1;
            } else if c.is_alphabetic() || c.is_ascii_digit() {
                return None; // `iPhone`-like or `ASP.NET`: a name, not a sentence start.
            } else {
                end = k;
                break;
            }
        }
        if lower == 0 {
            return None;
        }
        let after = &rest[end..];
        let ok_after = after.chars().next().is_none_or(|c| {
            c.is_whitespace() || matches!(c, ',' | ';' | ':' | '!' | '?' | '\'' | '\u{2019}' | '"' | '\u{201d}')
        }) || (after.starts_with('.') && after[1..].chars().next().is_none_or(char::is_whitespace));
        ok_after.then(|| Next { at, word: &rest[..end], word_end: at + end, first: Some(first) })
    }

    /// `the food was great They were friendly`: at a space before a capitalized run-on opener, a sentence ends
    /// when the word before is a lower-case word without punctuation, the word after is lower case, and the
    /// sentence so far has at least two words.
    pub(super) fn check_run_on(&mut self, word_start: usize) {
        // Cheap tests first: this runs at every capital after a lower-case word.
        let rest = &self.text.as_bytes()[word_start..];
        let word_len = rest.iter().take(MAX_RUN_ON_WORD).take_while(|c| c.is_ascii_alphabetic()).count();
        if !(2..MAX_RUN_ON_WORD).contains(&word_len)
            || rest.get(word_len) != Some(&b' ')
            || !rest.get(word_len + 1).is_some_and(u8::is_ascii_lowercase)
        {
            return;
        }
        if !lexicon::is_run_on_opener(&self.text[word_start..word_start + word_len]) {
            return;
        }
        let (token_start, before) = self.token_before(word_start - 1);
        let plain = before.len() >= 2 && before.bytes().all(|c| c.is_ascii_lowercase());
        if plain && !self.at_sentence_start(token_start) {
            self.cut(word_start);
        }
    }
}

/// A token that may end a sentence glued to the next one: a word (`world`, `it's`) or a number (`1,000`); not a
/// mix of both (`v2`), a URL, a path, an e-mail address or a file name (`example.com/a`, `a@b`).
pub(super) fn is_plain_token(token: &str) -> bool {
    let word = token.chars().all(|c| c.is_alphabetic() || matches!(c, '\'' | '\u{2019}' | '-'));
    let number = token.chars().all(|c| c.is_ascii_digit() || c == ',');
    token.chars().next_back().is_some_and(char::is_alphanumeric) && (word || number)
}

/// An ordinary word of two letters or more (`closed`, `it's`), the only token after which a full stop ends a
/// sentence before a lower-case opener: never an abbreviation, an initial or a number.
pub(super) fn is_plain_word(token: &str) -> bool {
    token.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && token.chars().all(|c| c.is_alphabetic() || matches!(c, '\'' | '\u{2019}' | '-'))
        && token.chars().next_back().is_some_and(char::is_alphabetic)
        && lexicon::classify_abbreviation(token).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_recognised_strictly() {
        assert_eq!(parse_tag("<p>Hi"), Some(Tag { len: 3, name: "p", closing: false }));
        assert_eq!(parse_tag("</P> x"), Some(Tag { len: 4, name: "P", closing: true }));
        assert_eq!(parse_tag("<br/>"), Some(Tag { len: 5, name: "br", closing: false }));
        assert_eq!(parse_tag("<br />"), Some(Tag { len: 6, name: "br", closing: false }));
        assert_eq!(parse_tag("<a href=\"x.html\">x</a>").map(|t| t.len), Some(17));
        for not_a_tag in ["< p>", "<3", "<y and z>w", "<p\n>", "</p class=\"x\">", "<", "<p", "<>"] {
            assert_eq!(parse_tag(not_a_tag), None, "{not_a_tag:?}");
        }
        assert_eq!(parse_tag(&format!("<a href=\"{}\">", "x".repeat(300))), None);
        assert_eq!(parse_tag(&format!("<{}>", "x".repeat(300))), None);
    }

    #[test]
    fn block_tags_start_or_end_blocks() {
        let tag = |s| parse_tag(s).unwrap();
        assert!(tag("</p>").ends_block() && tag("<br>").ends_block() && tag("</LI>").ends_block());
        assert!(tag("<p>").starts_block() && tag("<li class=\"a\">").starts_block());
        assert!(!tag("<b>").starts_block() && !tag("</b>").ends_block() && !tag("<br>").starts_block());
    }

    #[test]
    fn run_on_openers_fit_the_cheap_prefilter() {
        for word in tenor_lexicon::splitter::RUN_ON_OPENERS.entries() {
            assert!(word.len() < MAX_RUN_ON_WORD && word.bytes().all(|c| c.is_ascii_alphabetic()), "{word:?}");
        }
    }

    #[test]
    fn plain_tokens_and_words() {
        assert!(is_plain_token("world") && is_plain_token("1,000") && is_plain_token("it's"));
        assert!(!is_plain_token("example.com") && !is_plain_token("a@b") && !is_plain_token("x/y"));
        assert!(!is_plain_token("v2") && !is_plain_token("") && !is_plain_token("1,"));
        assert!(is_plain_word("closed") && is_plain_word("it's"));
        assert!(!is_plain_word("x") && !is_plain_word("etc") && !is_plain_word("12") && !is_plain_word("U.S"));
    }
}
