//! Proptest strategies for hostile article text, shared by the property tests of several crates.
//!
//! Each crate's property suite includes this file with `#[path = "../../../tests/properties/hostile_text.rs"]`
//! so that every crate is tested against the same inputs without a test-only crate in the workspace.
//!
//! The text is built from pieces chosen to hit the splitter's, tokenizer's and attribution rules' edge cases:
//! combining marks (also at the very start), emoji with skin tones and ZWJ sequences, flags, zero-width and
//! bidi control characters, every line-break convention (CRLF, lone CR, NEL, U+2028/9), NUL, curly and
//! straight quotes left unbalanced and mixed, abbreviations, list markers, very long tokens and long runs of
//! dots, plus arbitrary code points.
#![allow(dead_code)] // Each including crate uses a subset.

use proptest::prelude::*;

/// Pieces with a meaning to some rule of the splitter, tokenizer or attribution.
pub const PIECES: &[&str] = &[
    // Words and cues.
    "The",
    "minister",
    "said",
    "told",
    "reporters",
    "according to",
    "he",
    "She",
    "may",
    "reportedly",
    "not",
    "n't",
    "'s",
    "\u{2019}s",
    "Z\u{fc}rich",
    "I",
    "It",
    // Sentence ends and abbreviations.
    ".",
    "..",
    "...",
    ". . .",
    "!",
    "?",
    "?!",
    "\u{2026}",
    "\u{3002}",
    "\u{ff01}",
    "\u{ff1f}",
    "U.S.",
    "Mr.",
    "e.g.",
    "p.m.",
    "J.",
    "1.",
    "12.",
    "3.14",
    "a)",
    "2.)",
    "(",
    ")",
    "[...]",
    ",",
    ":",
    ";",
    "-",
    "\u{2014}",
    "\u{2022}",
    "Image:",
    "Tuesday,",
    "http://a.b/c.html",
    // Quotes, straight and curly, every style, deliberately unpaired.
    "\"",
    "'",
    "\u{201c}",
    "\u{201d}",
    "\u{2018}",
    "\u{2019}",
    "\u{ab}",
    "\u{bb}",
    "\u{201e}",
    "\u{2039}",
    "\u{203a}",
    "\u{300c}",
    "\u{300d}",
    // White space and line breaks.
    " ",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    "\r\n\r\n",
    "\r",
    "\u{85}",
    "\u{2028}",
    "\u{2029}",
    "\u{a0}",
    "\u{3000}",
    "\u{b}",
    "\u{c}",
    // Control characters, zero-width and bidi characters.
    "\0",
    "\u{1}",
    "\u{7f}",
    "\u{200b}",
    "\u{200c}",
    "\u{200d}",
    "\u{2060}",
    "\u{feff}",
    "\u{200e}",
    "\u{200f}",
    "\u{202a}",
    "\u{202b}",
    "\u{202c}",
    "\u{202d}",
    "\u{202e}",
    "\u{2066}",
    "\u{2067}",
    "\u{2068}",
    "\u{2069}",
    // Combining marks, alone (possibly at the start of the text or after a space) and on letters.
    "\u{301}",
    "\u{308}\u{323}",
    "e\u{301}",
    "a\u{20dd}",
    "\u{fe0f}",
    // Emoji: plain, skin tone, ZWJ sequences, flags, keycaps.
    "\u{1f600}",
    "\u{1f44d}\u{1f3fd}",
    "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}",
    "\u{1f3f3}\u{fe0f}\u{200d}\u{1f308}",
    "\u{1f1fa}\u{1f1f8}",
    "1\u{fe0f}\u{20e3}",
    // Other scripts, right-to-left and CJK.
    "\u{5e9}\u{5dc}\u{5d5}\u{5dd}",
    "\u{645}\u{631}\u{62d}\u{628}\u{627}",
    "\u{6f22}\u{5b57}",
    "\u{10348}",
    "\u{fffd}",
];

/// One piece of hostile text.
pub fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        20 => prop::sample::select(PIECES).prop_map(str::to_owned),
        4 => any::<char>().prop_map(String::from),
        1 => long_token(),
        1 => (1usize..3_000).prop_map(|n| ".".repeat(n)),
    ]
}

/// A very long token: one repeated letter, emoji, combining sequence or a word without spaces.
pub fn long_token() -> impl Strategy<Value = String> {
    (prop::sample::select(&["x", "\u{e9}", "e\u{301}", "\u{1f600}", "ab.", "\u{200b}"][..]), 500usize..6_000)
        .prop_map(|(unit, n)| unit.repeat(n))
}

/// Hostile text of up to `max_pieces` pieces (may be empty or all white space).
pub fn hostile_text(max_pieces: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..max_pieces).prop_map(|pieces| pieces.concat())
}

/// Hostile text with at least one non-whitespace character, as an article body must have.
pub fn hostile_body(max_pieces: usize) -> impl Strategy<Value = String> {
    (hostile_text(max_pieces), "[A-Za-z]{1,12}", any::<prop::sample::Index>()).prop_map(|(text, word, at)| {
        // Insert a word at a char boundary so that the body is never blank.
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        let cut = boundaries[at.index(boundaries.len())];
        format!("{}{word}{}", &text[..cut], &text[cut..])
    })
}

/// Texts that are known to be hard on the splitter's and attribution's loops, checked on every run.
pub fn degenerate_texts() -> Vec<String> {
    vec![
        String::new(),
        ".".repeat(100_000),
        ". ".repeat(50_000),
        "\u{2026}".repeat(20_000),
        "\"".repeat(20_000),
        "\u{201c}".repeat(10_000) + &"\u{201d}".repeat(5_000),
        "said ".repeat(20_000),
        "x".repeat(100_000),
        "e\u{301}".repeat(30_000),
        "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}".repeat(10_000),
        "\r\n".repeat(30_000),
        "\0".repeat(10_000),
        "\u{202e}\u{200b}".repeat(20_000),
        "U.S. ".repeat(20_000),
        "a) ".repeat(20_000),
    ]
}
