//! Test records shared by the clustering and tension tests.

use chrono::{DateTime, Utc};
use tenor_core::{Claim, ClaimKind, Origin, SentenceKind, SentenceRecord, Span};

/// A claim sentence (`claim.is_claim`, kind `attributed`) of `article`, published by `outlet`, processed at
/// `time`, with nothing else analysed.
pub(crate) fn claim_sentence(
    article: &str,
    index: usize,
    text: &str,
    outlet: &str,
    time: DateTime<Utc>,
) -> SentenceRecord {
    let mut r = SentenceRecord::unanalysed(
        article.into(),
        index,
        text.into(),
        Span::new(0, text.chars().count()),
        SentenceKind::Sentence,
        Origin::File { file: "t".into(), line: 1 },
        time,
    );
    r.article_source = Some(outlet.into());
    r.claim = Some(Claim { is_claim: true, score: 0.9, kind: ClaimKind::Attributed });
    r
}
