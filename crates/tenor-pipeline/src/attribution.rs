//! The attribution stage's verdict on claims: the claim kind that follows from attribution and the claim
//! model. [`claim_kind`] is the one place that decides a sentence's claim kind (the scorer gives a verdict
//! and a score only); the attribution itself (`Attributor::analyze_article`, byte ranges) runs in
//! `Pipeline::process`, and `records` turns it into the record fields.

use tenor_attribution::AttributionSpans;
use tenor_core::{Claim, ClaimKind};
use tenor_models::ClaimScore;

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

/// The `claim` field from attribution alone (no claim model): score 1 when the sentence is an attributed
/// claim, 0 otherwise.
pub fn claim_from_attribution(attribution: Option<&AttributionSpans>) -> Claim {
    let kind = claim_kind(attribution, false);
    let attributed = kind == ClaimKind::Attributed;
    Claim { is_claim: attributed, score: if attributed { 1.0 } else { 0.0 }, kind }
}

/// A sentence's `claim` field: with the claim model's verdict, its score and a kind decided by
/// [`claim_kind`] (an attributed sentence is a claim whatever the model says); without, from attribution
/// alone.
pub fn claim(attribution: Option<&AttributionSpans>, scored: Option<&ClaimScore>) -> Claim {
    match scored {
        Some(scored) => {
            let kind = claim_kind(attribution, scored.is_claim);
            Claim { is_claim: kind != ClaimKind::None, score: scored.score, kind }
        }
        None => claim_from_attribution(attribution),
    }
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
    fn the_claim_model_keeps_its_score_and_attribution_decides_the_kind() {
        let said = tenor_attribution::Attributor::new().analyze_sentence("Anna Keller said prices rose.");
        let said = said.attribution.as_ref();
        assert!(said.is_some());
        let (no, yes) = (ClaimScore { is_claim: false, score: 0.2 }, ClaimScore { is_claim: true, score: 0.8 });
        let c = claim(said, Some(&no));
        assert_eq!((c.kind, c.is_claim, c.score), (ClaimKind::Attributed, true, 0.2));
        let c = claim(None, Some(&yes));
        assert_eq!((c.kind, c.is_claim, c.score), (ClaimKind::Assertion, true, 0.8));
        let c = claim(None, Some(&no));
        assert_eq!((c.kind, c.is_claim, c.score), (ClaimKind::None, false, 0.2));
        let c = claim(said, None);
        assert_eq!((c.kind, c.is_claim, c.score), (ClaimKind::Attributed, true, 1.0));
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
