//! `tenor.segments/1`: what the segmenter service publishes on `tenor.segments` for the scorer service.
//!
//! Guarantees: one message per article, keyed by article id; `article` is the decoded article as
//! `ArticleMessage` serialises it (validated and normalised, so it decodes again under the same limits);
//! `sentences` are in order with `index` counting from 0, and their spans count code points into the body
//! like every span in Tenor's records. Checking a message read from Kafka (its `schema`, the order of the
//! indexes, the article's limits) is the scorer's job (`tenor_runtime::kafka::stages::ScorerStage::decode`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Origin, SentenceKind, Span};

/// Schema identifier of [`SegmentsMessage`].
pub const SEGMENTS_SCHEMA: &str = "tenor.segments/1";

/// One sentence found by the segmenter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub index: usize,
    /// Code points into the article body, like every span in Tenor's records.
    pub span: Span,
    pub kind: SentenceKind,
}

/// What the segmenter publishes on `tenor.segments`, one per article, keyed by article id.
///
/// It carries everything `Pipeline::process` takes, so that the scorer rebuilds exactly the records
/// `tenor serve` produces: the decoded (validated, normalised) article, the origin of the *article* message
/// (records point at the articles topic, not at the segments topic), and the input timestamp (end-to-end
/// latency is measured from the article's arrival), and `sentences`, the split: the scorer scores these
/// sentences as they are (`Pipeline::process_segmented`) rather than splitting again, so segmenters and
/// scorers scale independently and a split is computed once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentsMessage {
    pub schema: String,
    pub article: serde_json::Value,
    pub source: Origin,
    pub segmented_at: DateTime<Utc>,
    pub input_timestamp_ms: Option<i64>,
    pub sentences: Vec<Segment>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_shape_is_fixed() {
        let message = SegmentsMessage {
            schema: SEGMENTS_SCHEMA.to_owned(),
            article: serde_json::json!({"id": "a", "body": "One."}),
            source: Origin::Kafka { topic: "articles".into(), partition: 1, offset: 7 },
            segmented_at: DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").unwrap().with_timezone(&Utc),
            input_timestamp_ms: Some(1000),
            sentences: vec![Segment { index: 0, span: Span::new(0, 4), kind: SentenceKind::Sentence }],
        };
        // `article` is a JSON value: its keys are written in sorted order.
        let json = serde_json::to_string(&message).unwrap();
        assert_eq!(
            json,
            r#"{"schema":"tenor.segments/1","article":{"body":"One.","id":"a"},"source":{"topic":"articles","partition":1,"offset":7},"segmented_at":"2024-01-01T00:00:00Z","input_timestamp_ms":1000,"sentences":[{"index":0,"span":{"start":0,"end":4},"kind":"sentence"}]}"#
        );
        assert_eq!(serde_json::from_str::<SegmentsMessage>(&json).unwrap(), message);
    }
}
