//! The attribution stage: who is reported as saying what, how hedged each sentence is, and the claim kind
//! that follows from attribution.

use std::collections::BTreeMap;
use std::ops::Range;

use tenor_attribution::{AttributionSpans, Attributor};
use tenor_core::{Claim, ClaimKind, SentenceRecord, SpeakerSummary};

/// What the attribution stage adds to the article summary.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ArticleAttribution {
    pub speakers: Vec<SpeakerSummary>,
    /// Sentences by claim kind (`attributed`, `assertion`).
    pub claims: BTreeMap<String, usize>,
}

/// The claim kind of a sentence. A sentence is an attributed claim when someone is reported as saying it
/// (a negated report — "did not say" — is not); otherwise it is an assertion when the claim model says it is
/// a check-worthy claim in the text's own voice (`model_says_claim`), and no claim at all otherwise.
pub fn claim_kind(attribution: Option<&AttributionSpans>, model_says_claim: bool) -> ClaimKind {
    match attribution {
        Some(a) if !a.negated => ClaimKind::Attributed,
        _ if model_says_claim => ClaimKind::Assertion,
        _ => ClaimKind::None,
    }
}

/// The `claim` field from attribution alone (before a claim model scores the sentence): score 1 when the
/// sentence is an attributed claim, 0 otherwise.
pub fn claim_from_attribution(attribution: Option<&AttributionSpans>) -> Claim {
    let kind = claim_kind(attribution, false);
    let attributed = kind == ClaimKind::Attributed;
    Claim { is_claim: attributed, score: if attributed { 1.0 } else { 0.0 }, kind }
}

/// Byte ranges of the records' sentences, from their code-point spans (records are in body order).
fn byte_ranges(body: &str, records: &[SentenceRecord]) -> Vec<Range<usize>> {
    let mut wanted: Vec<usize> = records.iter().flat_map(|r| [r.span.start, r.span.end]).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut table = Vec::with_capacity(wanted.len());
    let mut next = wanted.iter().peekable();
    for (chars, (byte, _)) in body.char_indices().chain(std::iter::once((body.len(), ' '))).enumerate() {
        while next.peek().is_some_and(|&&w| w == chars) {
            table.push((chars, byte));
            next.next();
        }
        if next.peek().is_none() {
            break;
        }
    }
    let at = |c: usize| table.binary_search_by_key(&c, |&(ch, _)| ch).map_or(body.len(), |i| table[i].1);
    records.iter().map(|r| at(r.span.start)..at(r.span.end)).collect()
}

/// Fills `attribution`, `hedge` and `claim` of every record of one article and returns the summary parts.
/// A `claim` already set by the claim model keeps its score; its kind is decided here.
pub fn annotate(attributor: &Attributor, body: &str, records: &mut [SentenceRecord]) -> ArticleAttribution {
    let ranges = byte_ranges(body, records);
    let analysis = attributor.analyze_article(body, &ranges);
    let mut claims: BTreeMap<String, usize> =
        [("attributed".to_owned(), 0), ("assertion".to_owned(), 0)].into_iter().collect();
    for ((record, (attribution, hedge)), sentence) in
        records.iter_mut().zip(analysis.to_records(body)).zip(&analysis.sentences)
    {
        let claim = match record.claim.take() {
            // The claim model scored the sentence: keep its score; attribution decides the kind.
            Some(scored) => {
                let kind = claim_kind(sentence.attribution.as_ref(), scored.is_claim);
                Claim { is_claim: kind != ClaimKind::None, score: scored.score, kind }
            }
            None => claim_from_attribution(sentence.attribution.as_ref()),
        };
        match claim.kind {
            ClaimKind::Attributed => *claims.entry("attributed".to_owned()).or_default() += 1,
            ClaimKind::Assertion => *claims.entry("assertion".to_owned()).or_default() += 1,
            ClaimKind::None => {}
        }
        record.claim = Some(claim);
        record.attribution = attribution;
        record.hedge = Some(hedge);
    }
    ArticleAttribution { speakers: analysis.speaker_summaries(), claims }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Pipeline, PipelineConfig};
    use tenor_core::Origin;

    fn process(body: &str) -> crate::ProcessedArticle {
        let pipeline = Pipeline::new(PipelineConfig::default());
        let payload = serde_json::json!({"id": "a1", "body": body}).to_string();
        pipeline.process_message(payload.as_bytes(), Origin::File { file: "t".into(), line: 1 }).unwrap()
    }

    fn slice(body: &str, span: tenor_core::Span) -> String {
        body.chars().skip(span.start).take(span.len()).collect()
    }

    #[test]
    fn records_get_attribution_hedge_claim_and_the_summary_counts_speakers() {
        let body = "Café owners in Zürich said prices may rise. “We cannot wait,” Anna Keller said. \
                    The weather was fine. She added that rents had doubled.";
        let out = process(body);
        let s = &out.sentences;
        assert_eq!(s.len(), 4);
        let first = s[0].attribution.as_ref().expect("first sentence is attributed");
        assert_eq!(slice(body, first.speaker.span), "Café owners in Zürich");
        assert_eq!(first.speaker.text, "Café owners in Zürich");
        assert_eq!(slice(body, first.cue.span), "said");
        assert_eq!(slice(body, first.content.as_ref().unwrap().span), "prices may rise");
        let hedge = s[0].hedge.as_ref().unwrap();
        assert!(hedge.hedged && hedge.certainty < 1.0);
        assert_eq!(slice(body, hedge.cues[0].span), "may");

        let second = s[1].attribution.as_ref().unwrap();
        assert_eq!(second.speaker.text, "Anna Keller");
        assert_eq!(slice(body, second.quote.as_ref().unwrap().span), "We cannot wait");
        assert!(s[2].attribution.is_none());
        assert_eq!(s[2].claim.as_ref().unwrap().kind, ClaimKind::None);
        assert_eq!(s[2].claim.as_ref().unwrap().score, 0.0);
        assert_eq!(s[2].hedge.as_ref().unwrap().certainty, 1.0);
        let third = s[3].attribution.as_ref().unwrap();
        assert_eq!(third.speaker.resolved.as_deref(), Some("Anna Keller"));
        assert_eq!(s[3].claim.as_ref().unwrap().kind, ClaimKind::Attributed);

        assert_eq!(out.article.claims["attributed"], 3);
        assert_eq!(out.article.claims["assertion"], 0);
        let anna = out.article.speakers.iter().find(|sp| sp.name == "Anna Keller").unwrap();
        assert_eq!(anna.claims, 2);
    }

    #[test]
    fn negated_attribution_is_not_an_attributed_claim() {
        let out = process("The minister did not say whether taxes would rise.");
        let record = &out.sentences[0];
        assert_eq!(record.attribution.as_ref().unwrap().cue.text, "did not say");
        assert_eq!(record.claim.as_ref().unwrap().kind, ClaimKind::None);
        assert!(out.article.speakers.is_empty());
    }
}
