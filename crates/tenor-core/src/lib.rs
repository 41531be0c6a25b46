//! Tenor's record contract.
//!
//! Everything that crosses a process boundary is defined here, and nothing else:
//!
//! - [`ArticleMessage`]: one article as it arrives (JSON), with [`ArticleMessage::decode`] as the only way in;
//! - [`SentenceRecord`] (`tenor.sentence/1`) and [`ArticleRecord`] (`tenor.article/1`): what Tenor publishes;
//! - [`DeadLetter`] (`tenor.dead_letter/1`): what Tenor publishes instead when it cannot process a message;
//! - [`SegmentsMessage`] (`tenor.segments/1`): the split of one article, from the segmenter to the scorer;
//! - [`WindowRecord`] (`tenor.speaker_window/1`): the aggregator's per-speaker and per-source window counts;
//! - [`ClaimRecord`] (`tenor.claim/1`): one claim cluster (sentences stating the same claim across articles);
//! - [`archive::ArchivedMessage`] (`tenor.archive/1`): one Kafka message as a line of an archive file
//!   (`tenor archive` writes them, `tenor replay` and `tenor run` read them);
//! - [`TensionRecord`] (`tenor.tension/1`): two claims about one subject with opposite stance, from different
//!   sources (`tenor_claims::tension` finds them);
//! - [`Fault`]: whether an error is the input's fault (dead-letter it, move on) or the world's (retry).
//!
//! Every span in every record counts Unicode code points into the article `body`, so that `body[start..end]`
//! gives the same text to a Python reader (`body[start:end]`) and to a Rust reader (via `chars()`).
//!
//! This crate is pure: no I/O, no async, no Kafka. The JSON Schemas under `schemas/` describe the same
//! records for non-Rust consumers (one file per `schema` identifier); a test checks real output against them.

pub mod archive;
mod article;
mod claim;
mod dead_letter;
mod embedding;
mod error;
mod record;
mod segments;
mod tension;
mod window;

pub use archive::{ArchivedMessage, ARCHIVE_SCHEMA};
pub use article::{ArticleMessage, DecodeLimits};
pub use claim::{ClaimMember, ClaimRecord, MatchKind, CLAIM_SCHEMA};
pub use dead_letter::{DeadLetter, DeadLetterTooLarge, PayloadEncoding, MAX_ERROR_BYTES};
pub use embedding::{encoder_id, EmbeddingError, SentenceEmbedding, ENCODER_ID_HEX, MAX_EMBEDDING_DIM};
pub use error::{Fault, InputError};
pub use record::{
    ArticleCounts, ArticleRecord, Attribution, Claim, ClaimKind, Evidence, Hedge, HedgeCue, ModelRef, Origin,
    ScoredBy, SentenceKind, SentenceRecord, Span, SpanOnly, Speaker, SpeakerSummary, Stance, StanceCounts,
    StanceLabel, StanceProbs, TargetStance, TextSpan,
};
pub use segments::{Segment, SegmentsMessage, SEGMENTS_SCHEMA};
pub use tension::{
    tension_id, LinkKind, TensionRecord, TensionScope, TensionSide, TensionSubject, TENSION_SCHEMA,
};
pub use window::{Dimension, WindowRecord, SPEAKER_WINDOW_SCHEMA};

/// Schema identifier of [`SentenceRecord`]; bumped on any incompatible change.
pub const SENTENCE_SCHEMA: &str = "tenor.sentence/1";
/// Schema identifier of [`ArticleRecord`].
pub const ARTICLE_SCHEMA: &str = "tenor.article/1";
/// Schema identifier of [`DeadLetter`].
pub const DEAD_LETTER_SCHEMA: &str = "tenor.dead_letter/1";
