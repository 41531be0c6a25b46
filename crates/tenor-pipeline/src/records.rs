//! Building records: the one place where byte offsets become the code points that records carry.
//!
//! Every stage before this works in byte offsets: sentence ranges into the body, the scorer's evidence and
//! target ranges relative to their sentence, attribution and hedge ranges into the body. [`build_sentences`]
//! collects every byte offset an article's records need, converts them all in one sorted forward pass over
//! the body ([`OffsetTable`]), and builds the [`SentenceRecord`]s; a record's texts are slices of the body
//! at the same byte ranges, so a span always selects (by code points) exactly the text next to it.
//! [`claim_counts`] is the summary's `claims`, counted once from the records' final claim kinds.

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::{DateTime, FixedOffset, Utc};
use tenor_attribution::SentenceAnalysis;
use tenor_core::{
    ArticleMessage, Attribution, Claim, ClaimKind, Evidence, Hedge, HedgeCue, Origin, SentenceEmbedding,
    SentenceKind, SentenceRecord, Span, SpanOnly, Speaker, Stance, TargetStance, TextSpan,
};
use tenor_models::ScoredStance;
use tenor_text::OffsetTable;

use crate::scoring::{Models, SentenceScores};

/// What every record of one article (or one classified line) shares: the text its spans count into and the
/// fields copied from the input.
#[derive(Debug, Clone)]
pub(crate) struct RecordContext<'a> {
    pub article_id: &'a str,
    /// The text spans count into: the article body (a classified line's text).
    pub body: &'a str,
    pub origin: &'a Origin,
    pub processed_at: DateTime<Utc>,
    pub published_at: Option<DateTime<FixedOffset>>,
    pub article_source: Option<&'a str>,
    pub run_id: Option<&'a str>,
}

impl<'a> RecordContext<'a> {
    pub fn of_article(article: &'a ArticleMessage, origin: &'a Origin, processed_at: DateTime<Utc>) -> Self {
        RecordContext {
            article_id: &article.id,
            body: &article.body,
            origin,
            processed_at,
            published_at: article.published_at,
            article_source: article.source.as_deref(),
            run_id: article.run_id.as_deref(),
        }
    }
}

/// One sentence as the stages leave it, all in byte offsets; the fields a stage did not fill stay `None`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SentenceParts<'a> {
    /// Byte range of the sentence in the body.
    pub range: &'a Range<usize>,
    pub kind: SentenceKind,
    /// The models' scores; byte offsets relative to the sentence.
    pub scores: Option<&'a SentenceScores>,
    /// The claim, its kind already decided (`attribution::claim`).
    pub claim: Option<&'a Claim>,
    /// Attribution and hedging; byte offsets into the body.
    pub analysis: Option<&'a SentenceAnalysis>,
}

/// The sentence records of `sentences` (indexed from 0 in order), with every byte offset converted to code
/// points in one pass. `models` names the models of scored records (`model` map).
pub(crate) fn build_sentences(
    context: &RecordContext<'_>,
    sentences: &[SentenceParts<'_>],
    models: Option<&Models>,
) -> Vec<SentenceRecord> {
    let body = context.body;
    let table = OffsetTable::new(body, needed_offsets(sentences));
    let span = |range: &Range<usize>| Span::new(table.char_offset(range.start), table.char_offset(range.end));
    let text_span = |range: &Range<usize>| TextSpan { text: body[range.clone()].to_owned(), span: span(range) };
    let stance = |base: usize, scored: &ScoredStance| Stance {
        label: scored.label,
        confidence: scored.confidence,
        probs: scored.probs,
        evidence: scored
            .evidence
            .iter()
            .map(|e| {
                let range = shift(base, &e.range);
                Evidence { text: body[range.clone()].to_owned(), span: span(&range), weight: e.weight }
            })
            .collect(),
    };
    sentences
        .iter()
        .enumerate()
        .map(|(index, parts)| {
            let base = parts.range.start;
            let mut record = SentenceRecord {
                published_at: context.published_at,
                article_source: context.article_source.map(str::to_owned),
                run_id: context.run_id.map(str::to_owned),
                claim: parts.claim.cloned(),
                ..SentenceRecord::unanalysed(
                    context.article_id.to_owned(),
                    index,
                    body[parts.range.clone()].to_owned(),
                    span(parts.range),
                    parts.kind,
                    context.origin.clone(),
                    context.processed_at,
                )
            };
            if let Some(scores) = parts.scores {
                record.stance = Some(stance(base, &scores.stance));
                record.targets = scores
                    .targets
                    .iter()
                    .map(|t| TargetStance {
                        mention: t.mention.clone(),
                        span: span(&shift(base, &t.range)),
                        stance: stance(base, &t.stance),
                    })
                    .collect();
                if let Some(models) = models {
                    record.model = models.record_models(!scores.targets.is_empty(), scores.scored_by);
                }
                record.tier = Some(scores.scored_by);
            }
            if let Some(analysis) = parts.analysis {
                record.attribution = analysis.attribution.as_ref().map(|a| {
                    let speaker = text_span(&a.speaker);
                    Attribution {
                        speaker: Speaker {
                            text: speaker.text,
                            span: speaker.span,
                            resolved: analysis.resolved.clone(),
                        },
                        cue: text_span(&a.cue),
                        content: a.content.as_ref().map(|r| SpanOnly { span: span(r) }),
                        quote: a.quote.as_ref().map(|r| SpanOnly { span: span(r) }),
                    }
                });
                record.hedge = Some(Hedge {
                    hedged: analysis.hedge.hedged(),
                    cues: analysis
                        .hedge
                        .cues
                        .iter()
                        .map(|c| {
                            let cue = text_span(&c.range);
                            HedgeCue { text: cue.text, span: cue.span }
                        })
                        .collect(),
                    certainty: analysis.hedge.certainty,
                });
            }
            record
        })
        .collect()
}

/// Puts each claim sentence's encoder embedding on its record (`SentenceRecord::embedding`, quantised): a
/// record gets one when the encoder scored it (it has an embedding and its `model` names the `encoder`),
/// it is a claim (`claim.is_claim`) and of kind `sentence`, the sentences a claim index takes. Returns how
/// many records got one. `embeddings` are by position, as `ProcessedArticle::embeddings`.
pub(crate) fn embed_claims(sentences: &mut [SentenceRecord], embeddings: &[Option<Vec<f32>>]) -> usize {
    let mut embedded = 0;
    for (record, embedding) in sentences.iter_mut().zip(embeddings) {
        let (Some(values), Some(encoder)) = (embedding, record.model.get("encoder")) else { continue };
        if record.kind != SentenceKind::Sentence || !record.claim.as_ref().is_some_and(|c| c.is_claim) {
            continue;
        }
        record.embedding = SentenceEmbedding::quantise(values, &encoder.sha256);
        embedded += usize::from(record.embedding.is_some());
    }
    embedded
}

/// Every byte offset (into the body) that the records of `sentences` carry as a code point.
fn needed_offsets(sentences: &[SentenceParts<'_>]) -> Vec<usize> {
    let mut needed = Vec::new();
    let mut add = |range: &Range<usize>| needed.extend([range.start, range.end]);
    for parts in sentences {
        add(parts.range);
        let base = parts.range.start;
        if let Some(scores) = parts.scores {
            for target in &scores.targets {
                add(&shift(base, &target.range));
            }
            let stances = std::iter::once(&scores.stance).chain(scores.targets.iter().map(|t| &t.stance));
            for evidence in stances.flat_map(|s| &s.evidence) {
                add(&shift(base, &evidence.range));
            }
        }
        if let Some(analysis) = parts.analysis {
            if let Some(a) = &analysis.attribution {
                for range in
                    [Some(&a.speaker), Some(&a.cue), a.content.as_ref(), a.quote.as_ref()].into_iter().flatten()
                {
                    add(range);
                }
            }
            for cue in &analysis.hedge.cues {
                add(&cue.range);
            }
        }
    }
    needed
}

/// A range relative to a sentence, made relative to the body.
fn shift(base: usize, range: &Range<usize>) -> Range<usize> {
    base + range.start..base + range.end
}

/// The article summary's `claims`: sentences by final claim kind, `attributed` and `assertion` always present.
pub(crate) fn claim_counts<'a>(claims: impl IntoIterator<Item = &'a Claim>) -> BTreeMap<String, usize> {
    let (mut attributed, mut assertion) = (0, 0);
    for claim in claims {
        match claim.kind {
            ClaimKind::Attributed => attributed += 1,
            ClaimKind::Assertion => assertion += 1,
            ClaimKind::None => {}
        }
    }
    [("attributed".to_owned(), attributed), ("assertion".to_owned(), assertion)].into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenor_attribution::Attributor;

    #[test]
    fn every_span_counts_code_points_and_selects_its_text() {
        let body = "Zürich — talks. “Prices may rise,” Anna Keller said.";
        let ranges = [0..body.find('.').unwrap() + 1, body.find('“').unwrap()..body.len()];
        let analysis = Attributor::new().analyze_article(body, &ranges);
        let origin = Origin::File { file: "t".into(), line: 1 };
        let context = RecordContext {
            article_id: "a",
            body,
            origin: &origin,
            processed_at: Utc::now(),
            published_at: None,
            article_source: Some("Wire"),
            run_id: None,
        };
        let parts: Vec<SentenceParts> = ranges
            .iter()
            .zip(&analysis.sentences)
            .map(|(range, analysis)| SentenceParts {
                range,
                kind: SentenceKind::Sentence,
                scores: None,
                claim: None,
                analysis: Some(analysis),
            })
            .collect();
        let records = build_sentences(&context, &parts, None);
        let chars: Vec<char> = body.chars().collect();
        let select = |s: Span| chars[s.start..s.end].iter().collect::<String>();
        assert_eq!(records[0].span, Span::new(0, 15));
        assert_eq!(select(records[1].span), records[1].text);
        assert_eq!(records[1].article_source.as_deref(), Some("Wire"));
        let a = records[1].attribution.as_ref().expect("attributed");
        assert_eq!(select(a.speaker.span), "Anna Keller");
        assert_eq!(select(a.cue.span), "said");
        assert_eq!(select(a.quote.as_ref().unwrap().span), "Prices may rise");
        let hedge = records[1].hedge.as_ref().unwrap();
        assert_eq!(select(hedge.cues[0].span), hedge.cues[0].text);
        assert_eq!(hedge.cues[0].text, "may");
    }

    #[test]
    fn claim_counts_name_both_kinds_and_count_final_kinds_only() {
        let claim = |kind| Claim { is_claim: kind != ClaimKind::None, score: 0.7, kind };
        let claims = [claim(ClaimKind::Attributed), claim(ClaimKind::None), claim(ClaimKind::Attributed)];
        let counts = claim_counts(&claims);
        assert_eq!(counts.len(), 2);
        assert_eq!((counts["attributed"], counts["assertion"]), (2, 0));
        assert_eq!(claim_counts(&[])["assertion"], 0);
    }
}
