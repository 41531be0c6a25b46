//! Attribution of one sentence from token patterns: find cue candidates, then the speaker each one needs,
//! then the content and quote. The first candidate outside quoted text that yields a speaker wins.
//!
//! This module holds the sentence being analysed ([`Sentence`]), its token helpers and the loop over cue
//! candidates ([`Sentence::attribute_all`]); the work is split by role:
//! - `cue`: is a word a cue here, and the attribution each kind of cue yields;
//! - `speaker`: the noun phrase a cue is attributed to;
//! - `content`: the complement a cue demands and the span of what it reports;
//! - `quote`: direct speech attached to an attribution;
//! - `words`: the word classes the rules test, over `tenor_lexicon::attribution`'s lists.

mod content;
mod cue;
mod quote;
mod speaker;
mod words;

use std::ops::Range;

use crate::lexicon::{CueClass, Lexicon};
use crate::quotes::QuoteMap;
use crate::tokens::{TokenKind, Tokens};
use words::*;

/// Cue candidates tried per sentence; bounds the work on pathological sentences.
const MAX_CANDIDATES: usize = 12;
/// Longest speaker, in tokens.
const MAX_SPEAKER_TOKENS: usize = 20;
/// Longest speaker after its cue (`"…," said the minister of finance`), in tokens.
const MAX_INVERTED_SPEAKER_TOKENS: usize = 10;

/// What kind of cue introduced an attribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CueKind {
    /// A reporting verb (said, told, claimed, denied).
    Speech,
    /// A verb of belief or knowledge, or a predicative adjective (thinks, knows, is convinced).
    Cognition,
    /// `according to X`, `in the words of X`.
    Source,
    /// A noun: `X's claim that`, `the assertion by X that`.
    Nominal,
}

impl CueKind {
    /// The kind of a verb or adjective cue: verbs of speech and report say something; the rest (belief,
    /// evidence, predicative adjectives) report a thought.
    fn of_verb(class: CueClass) -> CueKind {
        if matches!(class, CueClass::Speech | CueClass::Report) {
            CueKind::Speech
        } else {
            CueKind::Cognition
        }
    }
}

/// One sentence's attribution, in byte offsets into the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributionSpans {
    pub speaker: Range<usize>,
    /// The cue as recorded: the cue word(s), widened to the auxiliary when negated ("did not say").
    pub cue: Range<usize>,
    /// The lexical cue alone ("say", "according to"): GUM's indicative word.
    pub cue_word: Range<usize>,
    pub content: Option<Range<usize>>,
    /// The quoted span for direct speech (from the first quoted word to the last, across a split quote).
    pub quote: Option<Range<usize>>,
    /// "did not say", "never claimed": the speaker is reported as *not* saying it.
    pub negated: bool,
    pub kind: CueKind,
    /// Copied from the sentence holding the cue, because this sentence is part of the same quote.
    pub inherited: bool,
    /// The cue lies inside quoted text: someone quoted reports someone else (or their own thought).
    pub in_quote: bool,
}

impl AttributionSpans {
    /// An attribution found by a cue of this sentence, before any quote is attached: not inherited, not inside
    /// quoted text.
    fn unquoted(
        speaker: Range<usize>,
        cue: Range<usize>,
        cue_word: Range<usize>,
        content: Option<Range<usize>>,
        negated: bool,
        kind: CueKind,
    ) -> AttributionSpans {
        AttributionSpans {
            speaker,
            cue,
            cue_word,
            content,
            quote: None,
            negated,
            kind,
            inherited: false,
            in_quote: false,
        }
    }

    /// [`AttributionSpans::unquoted`] for a cue that is not negated: the cue as recorded is the cue word.
    fn of_cue(
        speaker: Range<usize>,
        cue: Range<usize>,
        content: Option<Range<usize>>,
        kind: CueKind,
    ) -> AttributionSpans {
        AttributionSpans::unquoted(speaker, cue.clone(), cue, content, false, kind)
    }
}

/// A sentence being analysed.
pub(crate) struct Sentence<'a> {
    pub body: &'a str,
    pub tokens: &'a Tokens,
    pub quotes: &'a QuoteMap,
    pub quote_ids: Range<usize>,
    pub lexicon: &'a Lexicon,
    /// Byte span of the speaker of the last attribution found in this sentence.
    pub previous_speaker: std::cell::Cell<Option<(usize, usize)>>,
}

impl Sentence<'_> {
    fn n(&self) -> usize {
        self.tokens.len()
    }

    fn w(&self, i: usize) -> &str {
        self.tokens.lower(i)
    }

    fn is_word(&self, i: usize) -> bool {
        i < self.n() && self.tokens.is_word(i)
    }

    fn is_comma(&self, i: usize) -> bool {
        i < self.n() && self.tokens.is_punct(i, self.body, ',')
    }

    fn is_quote(&self, i: usize) -> bool {
        i < self.n() && self.tokens.toks[i].kind == TokenKind::Quote
    }

    /// Punctuation that closes a phrase: anything but a hyphen-like joiner, apostrophe or bracket-free period.
    fn is_phrase_end(&self, i: usize) -> bool {
        i >= self.n() || !self.tokens.is_word(i)
    }

    /// A period inside an abbreviation ("U.S. officials"): attached to the word before, a word after.
    fn is_abbreviation_period(&self, k: usize) -> bool {
        k > 0
            && k + 1 < self.n()
            && self.tokens.is_punct(k, self.body, '.')
            && self.tokens.toks[k].start == self.tokens.toks[k - 1].end
            && self.is_word(k - 1)
            && self.is_word(k + 1)
    }

    fn cue_class(&self, i: usize) -> Option<CueClass> {
        self.lexicon.cues.get(self.w(i)).copied()
    }

    fn inside_quote(&self, i: usize) -> bool {
        let start = self.tokens.toks[i].start;
        self.quote_ids.clone().any(|q| self.quotes.quotes[q].inner.contains(&start))
    }

    fn span(&self, first: usize, last: usize) -> Range<usize> {
        self.tokens.toks[first].start..self.tokens.toks[last].end
    }

    /// Byte span of tokens `first..=last` with trailing punctuation, quotes and leading `that`/`,`/`:` removed.
    fn clean_span(&self, mut first: usize, mut last: usize) -> Option<Range<usize>> {
        while first <= last && (!self.is_word(first) || self.w(first) == "that") {
            first += 1;
        }
        while last >= first && !self.is_word(last) && !self.tokens.is_punct(last, self.body, ')') {
            if last == 0 {
                return None;
            }
            last -= 1;
        }
        (first <= last && last < self.n()).then(|| self.span(first, last))
    }

    /// Every attribution of the sentence, in order of their cues; cues inside quoted text are included
    /// (marked `in_quote`), since a quoted speaker may report others ("I think …", "they told me …").
    pub fn attribute_all(&self) -> Vec<AttributionSpans> {
        let mut found_all = Vec::new();
        let mut tried = 0;
        let mut i = 0;
        while i < self.n() && tried < MAX_CANDIDATES {
            if !self.is_word(i) {
                i += 1;
                continue;
            }
            let found = match self.w(i) {
                // "She continued: \"…\"", `"…," he continued.`: `continue` reports speech only next to a quote.
                "continued" | "continues" | "continue" if self.beside_quote(i) => {
                    tried += 1;
                    self.verbal(i, i, CueClass::Report)
                }
                // "I have no doubt that …": the noun frames a belief of the one who has it.
                "doubt"
                    if i >= 2
                        && self.w(i - 1) == "no"
                        && matches!(self.w(i - 2), "have" | "has" | "had")
                        && self.clause_follows(i + 1) =>
                {
                    tried += 1;
                    self.no_doubt(i)
                }
                // "a quote attributed to Einstein": the source follows, as after `according to`.
                "attributed" if self.is_word(i + 1) && self.w(i + 1) == "to" => {
                    tried += 1;
                    self.source_phrase(i, i + 1)
                }
                "according" if self.is_word(i + 1) && self.w(i + 1) == "to" => {
                    tried += 1;
                    self.source_phrase(i, i + 1)
                }
                "in" if self.n() > i + 3
                    && self.w(i + 1) == "the"
                    && self.w(i + 2) == "words"
                    && self.w(i + 3) == "of" =>
                {
                    tried += 1;
                    self.source_phrase(i, i + 3)
                }
                w if is_claim_noun(w) && self.is_word(i + 1) && matches!(self.w(i + 1), "that" | "by") => {
                    tried += 1;
                    // "Smith's claim that" is nominal; "Paris claims that" is a verb.
                    self.nominal(i).or_else(|| match self.cue_class(i) {
                        Some(class) if i > 0 && !is_determiner(self.w(i - 1)) => self.verbal(i, i, class),
                        _ => None,
                    })
                }
                "like"
                    if i >= 2
                    && is_be(self.w(i - 1))
                    // "what it should be like": quotative `like` needs a finite be ("was like", "'m like").
                    && !matches!(self.w(i - 1), "be" | "been" | "being")
                    && self.is_phrase_end(i + 1)
                    && self.is_word(i - 2) =>
                {
                    tried += 1;
                    self.verbal(i - 1, i, CueClass::Speech)
                }
                _ => match self.cue_class(i) {
                    Some(class) if self.plausible_verb(i, class) => {
                        tried += 1;
                        self.verbal(i, i, class)
                    }
                    _ => None,
                },
            };
            let found = found.filter(|a| !self.is_discourse_use(i, a));
            match found {
                Some(mut attribution) => {
                    attribution.in_quote = self.inside_quote(i);
                    if !attribution.in_quote {
                        self.attach_quote(&mut attribution);
                    }
                    let cue_end = attribution.cue_word.end;
                    self.previous_speaker.set(Some((attribution.speaker.start, attribution.speaker.end)));
                    found_all.push(attribution);
                    while i < self.n() && self.tokens.toks[i].start < cue_end {
                        i += 1;
                    }
                }
                None => i += 1,
            }
        }
        found_all
    }
}
