//! Attribution (speaker, cue, content, quote) and hedging, from token patterns.
//!
//! [`Attributor::analyze_article`] takes an article body and its sentences (byte ranges) and says, for each
//! sentence, who is reported as saying what ([`AttributionSpans`]) and how hedged it is ([`HedgeSpans`]);
//! it then links pronoun and description speakers ("he", "the envoy") to the most recent compatible named
//! speaker and counts claims per speaker. Everything works in byte offsets into the body, and so does the
//! analysis it returns: `tenor-pipeline` builds the record types (with code-point spans) from it.
//!
//! The rules use no part-of-speech tagger: word lists (compiled in) and the shape of the text around a cue
//! (commas, quote marks, auxiliaries, clause words) decide. Quotes are paired over the whole article, so a
//! quote may run over several sentences and paragraphs; sentences inside it inherit its attribution.
//!
//! Architecture invariant: pure functions of the text; no I/O; the work per sentence is linear in its
//! length (at most a fixed number of cue candidates are tried).

mod credits;
mod hedge;
mod lexicon;
mod quotes;
mod resolve;
mod rules;
mod tokens;

use std::ops::Range;

use tenor_core::SpeakerSummary;

pub use hedge::{HedgeCueSpan, HedgeSpans};
pub use lexicon::CueClass;
pub use resolve::SpeakerCount;
pub use rules::{AttributionSpans, CueKind};

use quotes::QuoteMap;
use tokens::Tokens;

/// Finds attributions and hedges. Cheap to build: the word lists are compiled once per process and shared.
#[derive(Debug)]
pub struct Attributor {
    lexicon: &'static lexicon::Lexicon,
}

/// One sentence's analysis, in byte offsets into the body.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SentenceAnalysis {
    /// The sentence's attribution: its first cue outside quoted text with a speaker, or the attribution of
    /// the quote it belongs to.
    pub attribution: Option<AttributionSpans>,
    /// Further attributions of the sentence: later cues, and cues inside quoted text ("I think …" said by a
    /// quoted speaker). The record carries only `attribution`; evaluation counts these too.
    pub others: Vec<AttributionSpans>,
    /// The named speaker the attribution's speaker refers to, when it is a pronoun or a description
    /// resolved in the article, or a short form of an earlier full name ("Eastman" → "Cres Eastman").
    pub resolved: Option<String>,
    /// A source named without a cue: a media credit (`Image: Nick Moreau.`), a transcript label
    /// (`THE PRESIDENT:`) or a signature after a quotation (`"…" - Matthew Ingram`). Not a speaker of claims:
    /// the record does not carry it; evaluation scores it as a speaker without a cue.
    pub credit: Option<Range<usize>>,
    pub hedge: HedgeSpans,
}

/// A whole article's analysis: one entry per input sentence, in order, and the speakers it quotes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ArticleAnalysis {
    pub sentences: Vec<SentenceAnalysis>,
    /// Speakers with their number of (non-negated) attributions, in order of first appearance.
    pub speakers: Vec<SpeakerCount>,
}

impl Default for Attributor {
    fn default() -> Self {
        Attributor::new()
    }
}

impl Attributor {
    pub fn new() -> Attributor {
        Attributor { lexicon: &lexicon::LEXICON }
    }

    /// Analyses every sentence of an article. `sentences` are byte ranges into `body`, in order and
    /// non-overlapping (as `tenor_text::Splitter` returns them); ranges that are out of bounds or not on
    /// character boundaries get an empty analysis rather than a panic.
    pub fn analyze_article(&self, body: &str, sentences: &[Range<usize>]) -> ArticleAnalysis {
        let quotes = QuoteMap::build(body);
        let mut tokens = Tokens::default();
        let mut out: Vec<SentenceAnalysis> = Vec::with_capacity(sentences.len());
        for range in sentences {
            let valid = range.start <= range.end
                && range.end <= body.len()
                && body.is_char_boundary(range.start)
                && body.is_char_boundary(range.end);
            if !valid {
                out.push(SentenceAnalysis {
                    hedge: HedgeSpans { cues: Vec::new(), certainty: 1.0 },
                    ..Default::default()
                });
                continue;
            }
            tokens.tokenize(body, range.clone());
            let hedge = hedge::hedges(self.lexicon, &tokens);
            let credit = credits::credit(body, &tokens);
            let mut found = if quotes.has_bad_mark(range.clone()) {
                Vec::new()
            } else {
                let sentence = rules::Sentence {
                    body,
                    tokens: &tokens,
                    quotes: &quotes,
                    quote_ids: quotes.overlapping(range.clone()),
                    lexicon: self.lexicon,
                    previous_speaker: std::cell::Cell::new(None),
                };
                sentence.attribute_all()
            };
            let attribution = found.iter().position(|a| !a.in_quote).map(|p| found.remove(p));
            out.push(SentenceAnalysis { attribution, others: found, resolved: None, credit, hedge });
        }
        spread_over_quotes(body, sentences, &quotes, &mut out);
        let speakers = resolve::resolve(body, &mut out);
        ArticleAnalysis { sentences: out, speakers }
    }

    /// Analyses one stand-alone sentence (the whole text).
    pub fn analyze_sentence(&self, text: &str) -> SentenceAnalysis {
        let whole = 0..text.len();
        let mut analysis = self.analyze_article(text, std::slice::from_ref(&whole));
        analysis.sentences.pop().unwrap_or_default()
    }
}

/// Sentences that lie inside a quote attributed in a neighbouring sentence (a quote over several sentences)
/// inherit that attribution, with their own part of the quote as content; so does a quote-only sentence
/// after an attribution that ends in a colon (`Smith said:` / `"…"`).
fn spread_over_quotes(body: &str, sentences: &[Range<usize>], quotes: &QuoteMap, out: &mut [SentenceAnalysis]) {
    for quote in &quotes.quotes {
        let quote_range = quote.open..quote.end;
        let members: Vec<usize> = (0..sentences.len())
            .filter(|&i| sentences[i].start < quote_range.end && quote_range.start < sentences[i].end)
            .collect();
        let source = members.iter().copied().find(|&i| {
            out[i].attribution.as_ref().is_some_and(|a| {
                a.quote.as_ref().is_some_and(|q| q.start <= quote.inner.start && quote.inner.end <= q.end)
            })
        });
        let Some(source) = source else { continue };
        let template = out[source].attribution.clone().expect("source has an attribution");
        for &i in &members {
            if out[i].attribution.is_some() || quotes.has_bad_mark(sentences[i].clone()) {
                continue;
            }
            let start = sentences[i].start.max(quote.inner.start);
            let end = sentences[i].end.min(quote.inner.end);
            let content = trim_range(body, start..end);
            out[i].attribution = Some(AttributionSpans {
                content: (!content.is_empty()).then_some(content),
                quote: template.quote.clone(),
                inherited: true,
                ..template.clone()
            });
        }
    }
    // `Smith said:` followed by a sentence that is a quote.
    for i in 1..out.len() {
        if out[i].attribution.is_some() {
            continue;
        }
        let Some(previous) = out[i - 1].attribution.clone() else { continue };
        let prev_text = body.get(sentences[i - 1].clone()).unwrap_or("").trim_end();
        if !prev_text.ends_with(':') {
            continue;
        }
        let ids = quotes.overlapping(sentences[i].clone());
        let Some(q) = ids.clone().map(|q| &quotes.quotes[q]).find(|q| q.open >= sentences[i].start) else {
            continue;
        };
        if quotes.has_bad_mark(sentences[i].clone()) {
            continue;
        }
        out[i].attribution = Some(AttributionSpans {
            content: Some(q.inner.clone()),
            quote: Some(q.inner.clone()),
            inherited: true,
            ..previous
        });
    }
}

fn trim_range(body: &str, range: Range<usize>) -> Range<usize> {
    if range.start >= range.end {
        return range.start..range.start;
    }
    let piece = &body[range.clone()];
    let start = range.start + (piece.len() - piece.trim_start().len());
    let end = range.end - (piece.len() - piece.trim_end().len());
    start..end.max(start)
}

impl ArticleAnalysis {
    /// The article summary's speakers.
    pub fn speaker_summaries(&self) -> Vec<SpeakerSummary> {
        self.speakers.iter().map(|s| SpeakerSummary { name: s.name.clone(), claims: s.claims }).collect()
    }
}
