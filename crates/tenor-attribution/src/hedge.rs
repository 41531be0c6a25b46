//! Hedging: cue words and phrases that weaken a sentence's commitment, and the certainty left after them.
//!
//! Certainty is the product of `1 - weight` over the cues, so each extra hedge lowers it further, it stays in
//! [0, 1], and an unhedged sentence has certainty 1. The weights are set by hand by kind of hedge (rumour and
//! hearsay 0.35-0.4, epistemic modals and conditions 0.3, evidentials 0.25, probability 0.2, belief 0.15,
//! approximators and softeners 0.1); they order sentences by commitment, they are not calibrated probabilities.

use std::ops::Range;

use crate::lexicon::Lexicon;
use crate::tokens::{TokenKind, Tokens};

/// Weight of an `if …` condition.
const CONDITION_WEIGHT: f64 = 0.3;
/// Longest `if …` clause reported as one cue, in tokens.
const MAX_CONDITION_TOKENS: usize = 30;

/// One hedge cue: byte range in the body and how much it lowers certainty.
#[derive(Debug, Clone, PartialEq)]
pub struct HedgeCueSpan {
    pub range: Range<usize>,
    pub weight: f64,
}

/// The hedging of one sentence, in byte offsets.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HedgeSpans {
    pub cues: Vec<HedgeCueSpan>,
    /// 1 = stated as certain, 0 = fully hedged.
    pub certainty: f64,
}

impl HedgeSpans {
    pub fn hedged(&self) -> bool {
        !self.cues.is_empty()
    }
}

fn is_number(tokens: &Tokens, i: usize) -> bool {
    tokens.lower(i).as_bytes().first().is_some_and(u8::is_ascii_digit)
        || matches!(
            tokens.lower(i),
            "one"
                | "two"
                | "three"
                | "four"
                | "five"
                | "six"
                | "seven"
                | "eight"
                | "nine"
                | "ten"
                | "a"
                | "half"
                | "a dozen"
                | "dozen"
                | "hundred"
                | "hundreds"
                | "thousand"
                | "thousands"
                | "million"
                | "billion"
        )
}

/// Words after which `if` introduces an indirect question, not a condition.
fn introduces_question(word: &str) -> bool {
    matches!(
        word,
        "ask"
            | "asked"
            | "asking"
            | "asks"
            | "wonder"
            | "wondered"
            | "wondering"
            | "wonders"
            | "know"
            | "knew"
            | "see"
            | "check"
            | "checked"
            | "checking"
            | "decide"
            | "decided"
            | "unclear"
            | "unsure"
            | "as"
            | "determine"
            | "clear"
            | "sure"
    )
}

pub(crate) fn hedges(lexicon: &Lexicon, tokens: &Tokens) -> HedgeSpans {
    let mut cues = Vec::new();
    let n = tokens.len();
    let mut i = 0;
    while i < n {
        if tokens.toks[i].kind != TokenKind::Word {
            i += 1;
            continue;
        }
        let word = tokens.lower(i);
        if word == "if" && (i == 0 || !introduces_question(tokens.lower(i - 1))) {
            // The condition runs to the next comma or clause end.
            let mut end = i + 1;
            while end < n && end - i < MAX_CONDITION_TOKENS && tokens.toks[end].kind == TokenKind::Word {
                end += 1;
            }
            let last = end.saturating_sub(1).max(i);
            cues.push(HedgeCueSpan {
                range: tokens.toks[i].start..tokens.toks[last].end,
                weight: CONDITION_WEIGHT,
            });
            i = end;
            continue;
        }
        let mut matched = 0;
        if let Some(phrases) = lexicon.hedges.get(word) {
            for phrase in phrases {
                let len = phrase.words.len();
                if i + len > n || !(1..len).all(|k| tokens.lower(i + k) == phrase.words[k]) {
                    continue;
                }
                if !applies(tokens, i, len, word) {
                    continue;
                }
                cues.push(HedgeCueSpan {
                    range: tokens.toks[i].start..tokens.toks[i + len - 1].end,
                    weight: phrase.weight,
                });
                matched = len;
                break;
            }
        }
        i += matched.max(1);
    }
    let certainty = cues.iter().fold(1.0, |c, cue| c * (1.0 - cue.weight));
    HedgeSpans { cues, certainty }
}

/// Context checks that keep common words from counting as hedges where they are not.
fn applies(tokens: &Tokens, i: usize, len: usize, word: &str) -> bool {
    match word {
        // The month, mid-sentence and capitalised.
        "may" => i == 0 || !tokens.toks[i].capitalized,
        // Approximators hedge a quantity only.
        "about" | "around" | "almost" | "roughly" | "approximately" | "nearly" => {
            len > 1 || (i + 1 < tokens.len() && is_number(tokens, i + 1))
        }
        _ => true,
    }
}
