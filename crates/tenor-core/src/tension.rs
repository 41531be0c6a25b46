//! `tenor.tension/1`: two claims about one subject with opposite stance, from different sources, published on
//! `tenor.tensions` (docs/RECORDS.md; how pairs are found: `tenor_claims::tension` and docs/CLAIMS.md).
//!
//! Guarantees: `sides` holds exactly two sides, ordered by (`article_id`, `sentence_index`); `tension_id` is
//! `t-` and 16 hex digits of a fixed hash of those two keys, so the same pair gets the same id in every run
//! and under replay; `score` is in `[0, 1]`; the two sides' `polarity` have opposite signs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::StanceLabel;

/// Schema identifier of [`TensionRecord`].
pub const TENSION_SCHEMA: &str = "tenor.tension/1";

/// Where the two sides were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TensionScope {
    /// Both sides in one article.
    Article,
    /// Two articles, the sides in one claim cluster.
    Cluster,
    /// Two articles within one story window, linked by subject.
    Story,
}

/// What links the two sides, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// A target mention both sentences carry (normalised); each side's stance is its stance toward it.
    Target,
    /// Both sentences are in one claim cluster.
    Cluster,
    /// Salient content words both sentences share.
    Terms,
    /// Their sentence embeddings are close.
    Embedding,
    /// One article: the article's own topic (its title).
    Title,
}

impl LinkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Target => "target",
            LinkKind::Cluster => "cluster",
            LinkKind::Terms => "terms",
            LinkKind::Embedding => "embedding",
            LinkKind::Title => "title",
        }
    }
}

/// The subject both sides are about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TensionSubject {
    /// The shared target mention, the shared words (space-separated, in the first side's order), the title,
    /// or for an embedding or cluster link the shared words when there are any.
    pub text: String,
    pub link: LinkKind,
    /// How strong the link is, 0..=1 (1 for a shared target or cluster; the share of words; the cosine).
    pub strength: f64,
    /// The claim cluster, for scope `cluster`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
}

/// One side of a tension: one sentence, who said it and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TensionSide {
    pub article_id: String,
    pub sentence_index: usize,
    pub text: String,
    /// The article's `source` (publisher), when known.
    pub outlet: Option<String>,
    /// The speaker (resolved name, else as written); `null` for the outlet's own voice.
    pub speaker: Option<String>,
    /// The stance used: the sentence's, or toward the subject when the link is a target.
    pub stance: StanceLabel,
    /// `p(positive) - p(negative)` of that stance, -1..=1.
    pub polarity: f64,
    /// The calibrated probability of the side's pole (`p(positive)` when `polarity > 0`, else `p(negative)`).
    pub confidence: f64,
    /// Event time: the article's `published_at`, else when Tenor processed it.
    pub time: DateTime<Utc>,
}

impl TensionSide {
    /// The side's key: (`article_id`, `sentence_index`).
    pub fn key(&self) -> (&str, usize) {
        (&self.article_id, self.sentence_index)
    }
}

/// One tension (`tenor.tension/1`), keyed on the topic by its first side's `article_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TensionRecord {
    pub schema: String,
    /// `t-` + 16 hex digits, stable for the pair of sides.
    pub tension_id: String,
    pub scope: TensionScope,
    pub subject: TensionSubject,
    /// Exactly two, ordered by (`article_id`, `sentence_index`).
    pub sides: [TensionSide; 2],
    /// 0..=1: the link's strength times the geometric mean of the two sides' strength of stance.
    pub score: f64,
    /// As in [`crate::SentenceRecord::run_id`]: the replay the sides' records belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
}

/// The stable id of a pair of sides: `t-` and 16 hex digits of 64-bit FNV-1a over both keys, in order
/// (each key as `article_id`, a 0 byte, `sentence_index` in decimal, a 0 byte). Order-independent: the
/// keys are sorted first.
pub fn tension_id(a: (&str, usize), b: (&str, usize)) -> String {
    let (first, second) = if a <= b { (a, b) } else { (b, a) };
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (article, index) in [first, second] {
        for byte in article.bytes().chain([0]).chain(index.to_string().into_bytes()).chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("t-{hash:016x}")
}

impl TensionScope {
    /// The name in records and metric labels: `article`, `cluster`, `story`.
    pub fn as_str(self) -> &'static str {
        match self {
            TensionScope::Article => "article",
            TensionScope::Cluster => "cluster",
            TensionScope::Story => "story",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_order_free() {
        let id = tension_id(("a1", 0), ("a1", 3));
        assert_eq!(id, tension_id(("a1", 3), ("a1", 0)));
        assert_eq!(id.len(), 18);
        assert!(id.starts_with("t-"));
        assert_ne!(id, tension_id(("a1", 0), ("a1", 4)));
        // The separator keeps ("a1", 12) apart from ("a11", 2).
        assert_ne!(tension_id(("a1", 12), ("b", 0)), tension_id(("a11", 2), ("b", 0)));
        // Pinned (checked against an independent FNV-1a in Python): a changed hash would change every published id.
        assert_eq!(tension_id(("a", 0), ("b", 1)), tension_id(("b", 1), ("a", 0)));
        assert_eq!(tension_id(("a", 0), ("b", 1)), "t-e25b2a0bf4ca0dcf");
    }

    #[test]
    fn the_json_shape_is_fixed() {
        let at = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z").unwrap().with_timezone(&Utc);
        let side = |i: usize, polarity: f64| TensionSide {
            article_id: "a".into(),
            sentence_index: i,
            text: "x".into(),
            outlet: Some("wire".into()),
            speaker: None,
            stance: if polarity > 0.0 { StanceLabel::Positive } else { StanceLabel::Negative },
            polarity,
            confidence: polarity.abs(),
            time: at,
        };
        let record = TensionRecord {
            schema: TENSION_SCHEMA.into(),
            tension_id: tension_id(("a", 0), ("a", 1)),
            scope: TensionScope::Article,
            subject: TensionSubject {
                text: "talks".into(),
                link: LinkKind::Title,
                strength: 0.5,
                cluster_id: None,
            },
            sides: [side(0, 0.5), side(1, -0.5)],
            score: 0.25,
            run_id: None,
        };
        let json = serde_json::to_value(&record).unwrap();
        assert_eq!(json["scope"], "article");
        assert_eq!(json["subject"]["link"], "title");
        assert!(json["subject"].get("cluster_id").is_none());
        assert_eq!(json["sides"].as_array().unwrap().len(), 2);
        assert_eq!(json["sides"][1]["stance"], "negative");
        assert_eq!(json["sides"][0]["time"], "2026-12-01T10:00:00Z");
        let back: TensionRecord = serde_json::from_value(json).unwrap();
        assert_eq!(back, record);
    }
}
