//! `tenor.claim/1`: one claim cluster, as it stands after a member arrived (topic `tenor.claims`).
//!
//! A claim cluster groups claim-bearing sentences that state the same claim (a quote reprinted by another
//! outlet, a wire story re-edited, a paraphrase of the same statement), across articles and outlets, within a
//! time window. Each new member produces an updated record of its cluster; the latest record of a
//! `cluster_id` is its current state. Guarantees: `members >= 1`; `outlet_count >= outlets.len()`;
//! `stance.negative + stance.neutral + stance.positive <= members` (members without a stance are not
//! counted); lists are bounded by the clusterer's configuration whatever arrives. How clusters are formed is
//! `tenor_claims::cluster`'s job.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::record::{SpeakerSummary, StanceCounts};

/// Schema identifier of [`ClaimRecord`].
pub const CLAIM_SCHEMA: &str = "tenor.claim/1";

/// One member sentence of a claim cluster: which sentence it is, its text, its outlet and event time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimMember {
    pub article_id: String,
    pub sentence_index: usize,
    /// The sentence's text (cut to the clusterer's `max_text_bytes` at a character boundary).
    pub text: String,
    /// The article's `source` (publisher), when it has one.
    pub outlet: Option<String>,
    /// Event time: the article's `published_at`, else the record's `processed_at`.
    pub time: DateTime<Utc>,
}

/// How the member that produced a record joined its cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// It opened a new cluster.
    New,
    /// Same normalised text as the cluster's canonical sentence (case, quotes, punctuation, white space aside).
    Exact,
    /// Word overlap with the canonical sentence over the lexical threshold.
    Lexical,
    /// Sentence-embedding similarity with the canonical sentence over the embedding threshold.
    Embedding,
}

impl MatchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::New => "new",
            MatchKind::Exact => "exact",
            MatchKind::Lexical => "lexical",
            MatchKind::Embedding => "embedding",
        }
    }
}

/// One claim cluster after an update (`tenor.claim/1`), keyed by `cluster_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimRecord {
    pub schema: String,
    /// `c-` and 16 hex digits: a stable hash of the first member (article id, sentence index, normalised text).
    pub cluster_id: String,
    /// The sentence that represents the cluster and that new sentences are compared with: its first member.
    pub canonical: ClaimMember,
    /// The member with the earliest event time (differs from `canonical` when members arrive out of order).
    pub first_seen: ClaimMember,
    /// The member whose arrival produced this record (join records to sentence records with it).
    pub latest: ClaimMember,
    /// Member sentences so far (repeats of one sentence included).
    pub members: u64,
    /// Distinct outlets, in order of first appearance, at most the clusterer's `max_outlets`.
    pub outlets: Vec<String>,
    /// Distinct outlets counted (exact up to the clusterer's `max_outlets_counted`, a lower bound beyond).
    pub outlet_count: u64,
    /// Speakers of attributed members (resolved name, else as written), most claims first, at most the
    /// clusterer's `max_speakers`.
    pub speakers: Vec<SpeakerSummary>,
    /// Stance mix of the members that have a stance, with their mean confidence.
    pub stance: StanceCounts,
    /// True once the cluster reached the clusterer's `max_members`: it still takes members (and counts them),
    /// but its outlet, speaker and stance figures no longer change.
    pub capped: bool,
    /// How `latest` joined: `new`, `exact`, `lexical` or `embedding`.
    pub matched_by: MatchKind,
    /// As in [`crate::SentenceRecord::run_id`]: copied from the member that produced this record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_shape_is_fixed() {
        let at = DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").unwrap().with_timezone(&Utc);
        let member = ClaimMember {
            article_id: "a".into(),
            sentence_index: 2,
            text: "Taxes will rise.".into(),
            outlet: Some("Wire".into()),
            time: at,
        };
        let record = ClaimRecord {
            schema: CLAIM_SCHEMA.into(),
            cluster_id: "c-0123456789abcdef".into(),
            canonical: member.clone(),
            first_seen: member.clone(),
            latest: ClaimMember { outlet: None, ..member.clone() },
            members: 2,
            outlets: vec!["Wire".into()],
            outlet_count: 1,
            speakers: vec![SpeakerSummary { name: "Ann".into(), claims: 1 }],
            stance: StanceCounts { negative: 1, neutral: 0, positive: 0, mean_confidence: 0.5 },
            capped: false,
            matched_by: MatchKind::Exact,
            run_id: None,
        };
        let json = serde_json::to_string(&record).unwrap();
        let m = r#"{"article_id":"a","sentence_index":2,"text":"Taxes will rise.","outlet":"Wire","time":"2024-01-01T00:00:00Z"}"#;
        let latest = r#"{"article_id":"a","sentence_index":2,"text":"Taxes will rise.","outlet":null,"time":"2024-01-01T00:00:00Z"}"#;
        assert_eq!(
            json,
            format!(
                r#"{{"schema":"tenor.claim/1","cluster_id":"c-0123456789abcdef","canonical":{m},"first_seen":{m},"latest":{latest},"members":2,"outlets":["Wire"],"outlet_count":1,"speakers":[{{"name":"Ann","claims":1}}],"stance":{{"negative":1,"neutral":0,"positive":0,"mean_confidence":0.5}},"capped":false,"matched_by":"exact"}}"#
            )
        );
        assert_eq!(serde_json::from_str::<ClaimRecord>(&json).unwrap(), record);
        assert_eq!(serde_json::to_value(MatchKind::Embedding).unwrap(), MatchKind::Embedding.as_str());
    }
}
