//! Claims across articles.
//!
//! Two jobs, both pure (no Kafka, no tokio, no clock: event time comes in with each claim):
//!
//! - [`cluster`]: incremental clustering of claim-bearing sentences into claim clusters over a time window:
//!   a quote reprinted by another outlet, a wire story re-edited or a paraphrase of one statement share a
//!   cluster id. Matching is lexical (always) and by sentence embedding (when the encoder tier supplied one).
//! - [`tension`]: pairs of claims about one subject with opposite stance from different sources, within an
//!   article and within a claim cluster or story window.
//!
//! - [`article`]: both, an article at a time, for a run over a stream ([`ClaimsRun`]: `tenor run`, `tenor replay`).
//!
//! Input is the sentence record the pipeline already built ([`tenor_core::SentenceRecord`]), plus an optional
//! unit-length sentence embedding; output is the `tenor.claim/1` and `tenor.tension/1` records of
//! `tenor-core`.

pub mod article;
pub mod cluster;
pub mod tension;
#[cfg(test)]
mod testing;

pub use article::{ArticleClaims, ClaimsRun, ClaimsRunConfig};

use chrono::{DateTime, Utc};
use tenor_core::SentenceRecord;

/// A sentence's event time: its `published_at`, else its `processed_at`; a `published_at` more than
/// `max_future_seconds` after `processed_at` is not believed (the sentence counts at `processed_at`).
pub fn event_time(sentence: &SentenceRecord, max_future_seconds: u64) -> DateTime<Utc> {
    let processed = sentence.processed_at;
    let limit = chrono::Duration::try_seconds(i64::try_from(max_future_seconds).unwrap_or(i64::MAX))
        .unwrap_or(chrono::Duration::MAX);
    match sentence.published_at.map(|t| t.with_timezone(&Utc)) {
        Some(published) if processed.checked_add_signed(limit).is_none_or(|latest| published <= latest) => {
            published
        }
        Some(_) | None => processed,
    }
}
