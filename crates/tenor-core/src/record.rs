use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

/// A half-open range `[start, end)` of Unicode code points into the article body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end, "span {start}..{end} is reversed");
        Span { start, end }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// Where a message came from, so any record or dead letter can be traced back to its input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Origin {
    /// A Kafka message.
    Kafka { topic: String, partition: i32, offset: i64 },
    /// A line of a file (`file` is `-` for standard input); lines count from 1.
    File { file: String, line: u64 },
}

/// What kind of text unit a sentence record holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SentenceKind {
    /// A sentence of running text.
    Sentence,
    /// A title-like line without final punctuation (headline, section heading, dateline, boilerplate line).
    Heading,
    /// A piece of a run-on sentence longer than the pipeline's limit (`max_sentence_chars` code points or the
    /// models' 20 000 bytes), cut at white space where there is some and scored on its own.
    Cut,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StanceLabel {
    Negative,
    Neutral,
    Positive,
}

impl StanceLabel {
    pub const ALL: [StanceLabel; 3] = [StanceLabel::Negative, StanceLabel::Neutral, StanceLabel::Positive];

    pub fn as_str(self) -> &'static str {
        match self {
            StanceLabel::Negative => "negative",
            StanceLabel::Neutral => "neutral",
            StanceLabel::Positive => "positive",
        }
    }
}

/// Calibrated class probabilities; they sum to 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StanceProbs {
    pub negative: f64,
    pub neutral: f64,
    pub positive: f64,
}

/// A piece of text that pushed a score, with its signed contribution (positive pushes toward the chosen label).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub text: String,
    pub span: Span,
    pub weight: f64,
}

/// Tone of a sentence, or of a sentence toward one target mention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stance {
    pub label: StanceLabel,
    /// Calibrated probability of `label`.
    pub confidence: f64,
    pub probs: StanceProbs,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    /// Someone is reported as saying it.
    Attributed,
    /// The text asserts a check-worthy fact in its own voice.
    Assertion,
    None,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    pub is_claim: bool,
    /// Calibrated probability that the sentence is a check-worthy factual claim.
    pub score: f64,
    pub kind: ClaimKind,
}

/// Stance toward one named mention inside the sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetStance {
    pub mention: String,
    pub span: Span,
    pub stance: Stance,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextSpan {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpanOnly {
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Speaker {
    pub text: String,
    pub span: Span,
    /// The named speaker a pronoun or description ("he", "the envoy") refers to, when resolved in the article.
    pub resolved: Option<String>,
}

/// Who says it, with which cue, and what is said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    pub speaker: Speaker,
    pub cue: TextSpan,
    pub content: Option<SpanOnly>,
    /// The quoted span, for direct speech.
    pub quote: Option<SpanOnly>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HedgeCue {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hedge {
    pub hedged: bool,
    pub cues: Vec<HedgeCue>,
    /// 1 = stated as certain, 0 = fully hedged.
    pub certainty: f64,
}

/// Identity of a model that produced part of a record; with `article_id` and `sentence_index` it makes
/// duplicates recognisable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelRef {
    pub name: String,
    pub version: String,
    pub sha256: String,
}

/// Which tier's models scored a sentence (`tenor run --tier`; docs/MODELS.md, "Tiers").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoredBy {
    /// The linear models over hashed features.
    Linear,
    /// The transformer encoder and its heads.
    Encoder,
}

/// One record per sentence (`tenor.sentence/1`), keyed by `article_id`.
///
/// The analysis fields (`claim`, `attribution`, `stance`, `targets`, `hedge`, `model`) are always present;
/// they are `null` (or empty) when the stage that fills them did not run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentenceRecord {
    pub schema: String,
    pub article_id: String,
    /// Position of this sentence in the article, from 0.
    pub sentence_index: usize,
    pub text: String,
    pub span: Span,
    pub kind: SentenceKind,
    pub source: Origin,
    pub processed_at: DateTime<Utc>,
    /// The article's `published_at`, copied so that consumers can window by event time.
    pub published_at: Option<DateTime<FixedOffset>>,
    /// The article's `source` field (the publisher), copied for per-source dashboards.
    pub article_source: Option<String>,
    pub claim: Option<Claim>,
    pub attribution: Option<Attribution>,
    pub stance: Option<Stance>,
    pub targets: Vec<TargetStance>,
    pub hedge: Option<Hedge>,
    /// Models used for this record, by role (`stance`, `claim`, ...).
    pub model: BTreeMap<String, ModelRef>,
    /// Which tier scored `stance`, `targets` and the claim score; `null` when no model ran.
    #[serde(default)]
    pub tier: Option<ScoredBy>,
    /// Which replay made this record (`tenor replay --run-id`); absent from live records, so that two runs
    /// over the same archive can be told apart and compared (`tenor diff`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// The claim cluster this sentence joined (`tenor.claim/1`'s `cluster_id`), when a claim clusterer ran
    /// over it; absent otherwise, and always absent from sentences that are not claims.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_cluster: Option<String>,
    /// The encoder's sentence embedding, quantised (`SentenceEmbedding`): present on claim sentences the
    /// encoder scored, in the records of `tenor serve` / `tenor scorer` (`records.embeddings`), so that the
    /// claims service can compare paraphrases; absent otherwise (linear tier, `tenor run`, not a claim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding: Option<crate::SentenceEmbedding>,
}

impl SentenceRecord {
    /// A record for one sentence with every analysis field still empty (`null`, `[]` or `{}`), ready for the
    /// pipeline's stages to fill; the one place that knows what "not yet analysed" looks like.
    pub fn unanalysed(
        article_id: String,
        sentence_index: usize,
        text: String,
        span: Span,
        kind: SentenceKind,
        source: Origin,
        processed_at: DateTime<Utc>,
    ) -> SentenceRecord {
        SentenceRecord {
            schema: crate::SENTENCE_SCHEMA.to_owned(),
            article_id,
            sentence_index,
            text,
            span,
            kind,
            source,
            processed_at,
            published_at: None,
            article_source: None,
            claim: None,
            attribution: None,
            stance: None,
            targets: Vec::new(),
            hedge: None,
            model: BTreeMap::new(),
            tier: None,
            run_id: None,
            claim_cluster: None,
            embedding: None,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleCounts {
    /// Sentence records of kind `sentence`.
    pub sentences: usize,
    /// Sentence records of kind `heading`.
    pub headings: usize,
    /// Length of the body in code points.
    pub characters: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StanceCounts {
    pub negative: usize,
    pub neutral: usize,
    pub positive: usize,
    pub mean_confidence: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeakerSummary {
    pub name: String,
    pub claims: usize,
}

/// One summary per article (`tenor.article/1`), keyed by `article_id`, published after its sentence records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleRecord {
    pub schema: String,
    pub article_id: String,
    pub source: Origin,
    pub processed_at: DateTime<Utc>,
    pub published_at: Option<DateTime<FixedOffset>>,
    pub article_source: Option<String>,
    pub title: Option<String>,
    pub url: Option<String>,
    pub lang: Option<String>,
    pub counts: ArticleCounts,
    /// Stance mix over the article's sentences; `null` until the stance model runs.
    pub stance: Option<StanceCounts>,
    /// Sentences by claim kind (`attributed`, `assertion`); empty until the claim stage runs.
    pub claims: BTreeMap<String, usize>,
    /// Speakers with their number of attributed claims; empty until attribution runs.
    pub speakers: Vec<SpeakerSummary>,
    pub model: BTreeMap<String, ModelRef>,
    /// As in [`SentenceRecord::run_id`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
}
