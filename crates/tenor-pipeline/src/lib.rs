//! Article in, records out: the whole of Tenor's analysis as one pure function.
//!
//! [`Pipeline::process`] splits an article into sentences and fills each [`SentenceRecord`], then summarises
//! them in one [`ArticleRecord`]. It does no I/O and holds no mutable state, so one `Pipeline` is shared by
//! every worker thread and every service (`tenor run`, `tenor serve`, the split segmenter/scorer) produces
//! identical records for the same input.
//!
//! Offsets: every stage works in byte offsets (sentence ranges into the body; scores relative to their
//! sentence; attribution into the body). Code points appear exactly once, where records are built
//! (`records`); inputs that arrive in code points (a split made elsewhere, `tenor classify` targets) are
//! decoded to bytes on the way in.

pub mod attribution;
pub mod cut;
mod records;

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tenor_attribution::Attributor;
use tenor_core::{
    ArticleCounts, ArticleMessage, ArticleRecord, DecodeLimits, InputError, Origin, SentenceKind, SentenceRecord,
    Span, ARTICLE_SCHEMA,
};
use tenor_text::{CharOffsets, Splitter};

use records::{RecordContext, SentenceParts};

pub mod scoring;
pub mod sentence_line;
pub mod tier;
pub use scoring::{Models, ScoredTarget, SentenceScores, TargetMention};
pub use sentence_line::SentenceLine;
pub use tier::{cascade_pick, EncoderModels, Tier, TierConfig, DEFAULT_CASCADE_SHARE};

/// Pipeline settings that change what is accepted or produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PipelineConfig {
    #[serde(flatten)]
    pub limits: DecodeLimits,
    /// Articles that split into more sentences than this (cut pieces included) are dead-lettered
    /// (`too_many_sentences`).
    pub max_sentences: usize,
    /// A sentence longer than this many code points (or than the models' 20 000 bytes, whichever comes
    /// first) is cut into pieces of kind `cut`, at white space where there is some (`cut`): such a "sentence"
    /// is a transcript or a table run together, and one of them must not cost the rest of its article.
    pub max_sentence_chars: usize,
    /// Watchdog: an article whose processing takes longer than this is dead-lettered (`timeout`) so that the
    /// partition moves on. Checked between sentences; the Kafka engine also abandons a stage that overruns it
    /// by far. 0 disables the check.
    pub max_processing_ms: u64,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            limits: DecodeLimits::default(),
            max_sentences: 10_000,
            max_sentence_chars: 20_000,
            max_processing_ms: 10_000,
        }
    }
}

/// Sentences scored per call between two watchdog checks: one encoder batch's worth. (The cascade's share
/// is taken per batch, so an article's pick depends only on the article.)
const SCORE_BATCH: usize = 32;

/// Everything one article produced, in publishing order: sentence records by index, then the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessedArticle {
    pub sentences: Vec<SentenceRecord>,
    pub article: ArticleRecord,
    /// Sentence `i`'s unit-length encoder embedding, when the encoder scored it (the encoder tier, or the
    /// cascade's pick); empty when no sentence was. Not part of any record: claim clustering reads it.
    pub embeddings: Vec<Option<Vec<f32>>>,
}

impl ProcessedArticle {
    /// Puts the encoder's sentence embedding, quantised, on each claim sentence the encoder scored (claim and
    /// kind `sentence`; `SentenceRecord::embedding`, docs/RECORDS.md), for a claims service in another
    /// process. `tenor serve` and `tenor scorer` call it (`records.embeddings`); in-process runs do not (they
    /// hand [`ProcessedArticle::embeddings`] to the claim index directly). Returns how many records got one.
    pub fn embed_claims(&mut self) -> usize {
        records::embed_claims(&mut self.sentences, &self.embeddings)
    }
}

/// The analysis pipeline. Build once (loading models is the expensive part), share by reference.
#[derive(Debug)]
pub struct Pipeline {
    config: PipelineConfig,
    splitter: Splitter,
    attributor: Attributor,
    /// Stance and claim scorers; without them records keep `stance` null and `claim` comes from attribution.
    models: Option<Models>,
}

impl Pipeline {
    pub fn new(config: PipelineConfig) -> Pipeline {
        Pipeline { config, splitter: Splitter::new(), attributor: Attributor::new(), models: None }
    }

    /// A pipeline that also scores stance and claims with `models`.
    pub fn with_models(config: PipelineConfig, models: Models) -> Pipeline {
        Pipeline { config, splitter: Splitter::new(), attributor: Attributor::new(), models: Some(models) }
    }

    pub fn models(&self) -> Option<&Models> {
        self.models.as_ref()
    }

    pub fn config(&self) -> &PipelineConfig {
        &self.config
    }

    /// Decodes and processes one raw message. Every error is the input's fault: dead-letter it.
    pub fn process_message(&self, payload: &[u8], origin: Origin) -> Result<ProcessedArticle, InputError> {
        let article = ArticleMessage::decode(payload, &self.config.limits)?;
        self.process(&article, origin, Utc::now())
    }

    /// Processes one decoded article. `processed_at` is passed in so that callers (and tests) control time.
    pub fn process(
        &self,
        article: &ArticleMessage,
        origin: Origin,
        processed_at: DateTime<Utc>,
    ) -> Result<ProcessedArticle, InputError> {
        let watchdog = Watchdog::start(self.config.max_processing_ms);
        let sentences = self.split(article)?;
        self.analyse(article, origin, processed_at, &sentences, watchdog)
    }

    /// Processes an article split elsewhere (split mode's scorer takes the segmenter's sentences rather than
    /// splitting again): `segments` are the sentences' code-point spans into the body and their kinds, in order.
    /// Spans out of order, overlapping or outside the body are the input's fault. The spans are decoded to
    /// byte ranges here, in one forward pass (`CharOffsets::byte_offset`).
    pub fn process_segmented(
        &self,
        article: &ArticleMessage,
        origin: Origin,
        processed_at: DateTime<Utc>,
        segments: &[(Span, SentenceKind)],
    ) -> Result<ProcessedArticle, InputError> {
        let watchdog = Watchdog::start(self.config.max_processing_ms);
        if segments.len() > self.config.max_sentences {
            return Err(InputError::TooManySentences { limit: self.config.max_sentences });
        }
        let body = &article.body;
        let mut offsets = CharOffsets::new(body);
        let mut previous_end = 0;
        let mut sentences = Vec::with_capacity(segments.len());
        for (index, &(span, kind)) in segments.iter().enumerate() {
            let in_order = span.start >= previous_end && span.start < span.end;
            let range =
                in_order.then(|| Some(offsets.byte_offset(span.start)?..offsets.byte_offset(span.end)?)).flatten();
            let Some(range) = range else {
                return Err(InputError::InvalidField {
                    field: "sentences",
                    detail: format!(
                        "sentence {index} has span {}..{}: spans must be non-empty, in order, not overlapping, \
                         and inside the body ({} code points)",
                        span.start,
                        span.end,
                        body.chars().count()
                    ),
                });
            };
            previous_end = span.end;
            self.push_cut(body, range, kind, &mut sentences)?;
        }
        self.analyse(article, origin, processed_at, &sentences, watchdog)
    }

    /// Scores, attributes and summarises split sentences, then builds the records.
    fn analyse(
        &self,
        article: &ArticleMessage,
        origin: Origin,
        processed_at: DateTime<Utc>,
        sentences: &[Sentence],
        watchdog: Watchdog,
    ) -> Result<ProcessedArticle, InputError> {
        let body = &article.body;
        watchdog.check()?;
        let scores = match &self.models {
            Some(models) => {
                // Scored a batch at a time (the encoder's batches), the watchdog checked between batches.
                let texts: Vec<&str> = sentences.iter().map(|s| &body[s.range.clone()]).collect();
                let mut scores = Vec::with_capacity(texts.len());
                for batch in texts.chunks(SCORE_BATCH) {
                    watchdog.check()?;
                    scores.extend(models.score_sentences(batch, &[])?);
                }
                Some(scores)
            }
            None => None,
        };
        watchdog.check()?;
        let ranges: Vec<Range<usize>> = sentences.iter().map(|s| s.range.clone()).collect();
        let analysis = self.attributor.analyze_article(body, &ranges);
        // Attribution decides the claim kind: an attributed sentence is a claim whatever the model says.
        let claims: Vec<_> = analysis
            .sentences
            .iter()
            .enumerate()
            .map(|(i, s)| attribution::claim(s.attribution.as_ref(), scores.as_ref().map(|all| &all[i].claim)))
            .collect();
        watchdog.check()?;
        let parts: Vec<SentenceParts> = sentences
            .iter()
            .enumerate()
            .map(|(i, s)| SentenceParts {
                range: &s.range,
                kind: s.kind,
                scores: scores.as_ref().map(|all| &all[i]),
                claim: Some(&claims[i]),
                analysis: Some(&analysis.sentences[i]),
            })
            .collect();
        let context = RecordContext::of_article(article, &origin, processed_at);
        let sentences = records::build_sentences(&context, &parts, self.models.as_ref());
        let mut summary = summarise(article, origin, processed_at, &sentences);
        if let Some(models) = &self.models {
            models.summarise(&sentences, &mut summary);
        }
        summary.speakers = analysis.speaker_summaries();
        summary.claims = records::claim_counts(&claims);
        let embeddings = match scores {
            Some(scores) if scores.iter().any(|s| s.embedding.is_some()) => {
                scores.into_iter().map(|s| s.embedding).collect()
            }
            _ => Vec::new(),
        };
        Ok(ProcessedArticle { sentences, article: summary, embeddings })
    }

    /// The splitting stage alone: one record per sentence, with the analysis fields still empty.
    pub fn segment(
        &self,
        article: &ArticleMessage,
        origin: &Origin,
        processed_at: DateTime<Utc>,
    ) -> Result<Vec<SentenceRecord>, InputError> {
        let sentences = self.split(article)?;
        let parts: Vec<SentenceParts> = sentences
            .iter()
            .map(|s| SentenceParts { range: &s.range, kind: s.kind, scores: None, claim: None, analysis: None })
            .collect();
        Ok(records::build_sentences(&RecordContext::of_article(article, origin, processed_at), &parts, None))
    }

    /// The article's sentences (byte ranges into the body), run-on ones cut (`cut`), within the limit on
    /// their number.
    fn split(&self, article: &ArticleMessage) -> Result<Vec<Sentence>, InputError> {
        let spans = self.splitter.split(&article.body);
        if spans.len() > self.config.max_sentences {
            return Err(InputError::TooManySentences { limit: self.config.max_sentences });
        }
        let mut sentences = Vec::with_capacity(spans.len());
        for piece in &spans {
            self.push_cut(&article.body, piece.start..piece.end, piece.kind, &mut sentences)?;
        }
        Ok(sentences)
    }

    /// Adds the sentence at `range` to `sentences`: whole when within the length limits, else as the pieces
    /// `cut::cut` makes of it, each of kind `cut`. Fails when the count passes `max_sentences`.
    fn push_cut(
        &self,
        body: &str,
        range: Range<usize>,
        kind: SentenceKind,
        sentences: &mut Vec<Sentence>,
    ) -> Result<(), InputError> {
        let max_chars = self.config.max_sentence_chars;
        if cut::needs_cut(body, &range, max_chars) {
            sentences.extend(
                cut::cut(body, range, max_chars)
                    .into_iter()
                    .map(|range| Sentence { range, kind: SentenceKind::Cut }),
            );
        } else {
            sentences.push(Sentence { range, kind });
        }
        if sentences.len() > self.config.max_sentences {
            return Err(InputError::TooManySentences { limit: self.config.max_sentences });
        }
        Ok(())
    }
}

/// One sentence of an article: its byte range into the body and its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sentence {
    range: Range<usize>,
    kind: SentenceKind,
}

/// The processing-time limit of one article, checked at safe points between sentences.
struct Watchdog {
    deadline: Option<std::time::Instant>,
    limit_ms: u64,
}

impl Watchdog {
    fn start(limit_ms: u64) -> Watchdog {
        let deadline =
            (limit_ms > 0).then(|| std::time::Instant::now() + std::time::Duration::from_millis(limit_ms));
        Watchdog { deadline, limit_ms }
    }

    fn check(&self) -> Result<(), InputError> {
        match self.deadline {
            Some(deadline) if std::time::Instant::now() > deadline => {
                Err(InputError::Timeout { limit_ms: self.limit_ms })
            }
            _ => Ok(()),
        }
    }
}

/// The article summary, computed from its finished sentence records.
fn summarise(
    article: &ArticleMessage,
    origin: Origin,
    processed_at: DateTime<Utc>,
    sentences: &[SentenceRecord],
) -> ArticleRecord {
    let counts = ArticleCounts {
        // Cut pieces count as sentences: each is part of one.
        sentences: sentences.iter().filter(|s| s.kind != SentenceKind::Heading).count(),
        headings: sentences.iter().filter(|s| s.kind == SentenceKind::Heading).count(),
        characters: article.body.chars().count(),
    };
    ArticleRecord {
        schema: ARTICLE_SCHEMA.to_owned(),
        article_id: article.id.clone(),
        source: origin,
        processed_at,
        published_at: article.published_at,
        article_source: article.source.clone(),
        title: article.title.clone(),
        url: article.url.clone(),
        lang: article.lang.clone(),
        counts,
        stance: None,
        claims: BTreeMap::new(),
        speakers: Vec::new(),
        model: BTreeMap::new(),
        run_id: article.run_id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin::File { file: "t.jsonl".into(), line: 1 }
    }

    #[test]
    fn records_carry_code_point_spans_that_slice_the_body() {
        let pipeline = Pipeline::new(PipelineConfig::default());
        let payload = r#"{"id":"a","body":"Café prices rose 5%. Ministers — in Zürich — said “no deal”. Done!"}"#;
        let out = pipeline.process_message(payload.as_bytes(), origin()).unwrap();
        let body: Vec<char> =
            "Café prices rose 5%. Ministers — in Zürich — said “no deal”. Done!".chars().collect();
        assert!(out.sentences.len() >= 2);
        for (i, record) in out.sentences.iter().enumerate() {
            assert_eq!(record.sentence_index, i);
            let sliced: String = body[record.span.start..record.span.end].iter().collect();
            assert_eq!(sliced, record.text);
        }
        assert_eq!(out.article.counts.characters, body.len());
        assert_eq!(out.article.counts.sentences + out.article.counts.headings, out.sentences.len());
    }

    #[test]
    fn an_article_split_elsewhere_gives_the_same_records_as_splitting_here() {
        let pipeline = Pipeline::new(PipelineConfig::default());
        let article = ArticleMessage::decode(
            "{\"id\":\"a\",\"body\":\"Zürich Talks\\nOfficials said “no deal”. Prices rose.\"}".as_bytes(),
            &DecodeLimits::default(),
        )
        .unwrap();
        let now = Utc::now();
        let here = pipeline.process(&article, origin(), now).unwrap();
        let segments: Vec<(Span, SentenceKind)> = here.sentences.iter().map(|s| (s.span, s.kind)).collect();
        assert_eq!(segments.len(), 3);
        let elsewhere = pipeline.process_segmented(&article, origin(), now, &segments).unwrap();
        assert_eq!(elsewhere, here);
    }

    #[test]
    fn segments_out_of_order_or_outside_the_body_are_input_errors() {
        let pipeline = Pipeline::new(PipelineConfig::default());
        let article =
            ArticleMessage::decode(br#"{"id":"a","body":"One. Two."}"#, &DecodeLimits::default()).unwrap();
        let s = |start, end| (Span::new(start, end), SentenceKind::Sentence);
        for bad in [vec![s(5, 9), s(0, 4)], vec![s(0, 4), s(3, 9)], vec![s(0, 10)], vec![s(2, 2)]] {
            let err = pipeline.process_segmented(&article, origin(), Utc::now(), &bad).unwrap_err();
            assert_eq!(err.reason(), "invalid_field", "{bad:?}");
        }
        assert!(pipeline.process_segmented(&article, origin(), Utc::now(), &[s(0, 4), s(5, 9)]).is_ok());
    }

    #[test]
    fn a_sentence_over_the_length_limit_is_cut_into_pieces_and_the_rest_is_kept() {
        let pipeline = Pipeline::new(PipelineConfig { max_sentence_chars: 10, ..PipelineConfig::default() });
        let out =
            pipeline.process_message(br#"{"id":"a","body":"Short. This one is long. End."}"#, origin()).unwrap();
        let got: Vec<(&str, SentenceKind)> = out.sentences.iter().map(|s| (s.text.as_str(), s.kind)).collect();
        use SentenceKind::{Cut, Sentence as Whole};
        assert_eq!(got, [("Short.", Whole), ("This one", Cut), ("is long.", Cut), ("End.", Whole)]);
        assert_eq!(out.article.counts.sentences, 4);
        // A split made elsewhere with the long sentence whole is cut the same way.
        let article =
            ArticleMessage::decode(br#"{"id":"a","body":"This one is long."}"#, &DecodeLimits::default()).unwrap();
        let whole = [(Span::new(0, 17), SentenceKind::Sentence)];
        let out = pipeline.process_segmented(&article, origin(), Utc::now(), &whole).unwrap();
        let got: Vec<&str> = out.sentences.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(got, ["This one", "is long."]);
    }

    #[test]
    fn a_run_on_paragraph_is_scored_in_pieces_not_dead_lettered() {
        // The user's case: 16 000 characters of words without a full stop (here two-byte letters, so the
        // paragraph is within the code-point limit and over the models' byte limit), between two sentences.
        let pipeline = Pipeline::with_models(PipelineConfig::default(), Models::shipped().unwrap());
        let run_on = "слово и ".repeat(2_000);
        let body = format!("Officials said talks went well.\n\n{}\n\nThe minister denied it.", run_on.trim_end());
        let payload = serde_json::json!({"id": "a", "body": body}).to_string();
        let out = pipeline.process_message(payload.as_bytes(), origin()).unwrap();
        let kinds: Vec<SentenceKind> = out.sentences.iter().map(|s| s.kind).collect();
        assert_eq!(kinds.first(), Some(&SentenceKind::Sentence));
        assert_eq!(kinds.last(), Some(&SentenceKind::Sentence));
        let pieces: Vec<_> = out.sentences.iter().filter(|s| s.kind == SentenceKind::Cut).collect();
        assert!(pieces.len() >= 2, "{kinds:?}");
        for piece in pieces {
            assert!(piece.text.len() <= tenor_features::MAX_SENTENCE_BYTES);
            assert!(piece.stance.is_some(), "every piece is scored");
        }
    }

    #[test]
    fn records_never_amplify_an_input_past_a_fixed_factor() {
        // Every field copied into sentence records at its limit (2 KiB), and 250 sentences: each record carries
        // the copies once, so a record is bounded by its own text, not by the article's fields.
        let limit = DecodeLimits::default().max_field_bytes;
        let field = "s".repeat(limit);
        let body = "Officials said the “plan” was a reckless failure. ".repeat(250);
        let payload = serde_json::json!({
            "id": field, "source": field, "run_id": field, "title": field, "url": field, "lang": field,
            "published_at": "2024-05-01T10:00:00+02:00", "body": body,
        })
        .to_string();
        let pipeline = Pipeline::with_models(PipelineConfig::default(), Models::shipped().unwrap());
        let out = pipeline.process_message(payload.as_bytes(), origin()).unwrap();
        assert_eq!(out.sentences.len(), 250);
        for record in &out.sentences {
            let size = serde_json::to_vec(record).unwrap().len();
            // Three copied fields (id, source, run_id), the text and the slices of it that analysis names
            // (evidence, attribution, hedges: a few times the text at most), and a fixed skeleton.
            let bound = 3 * limit + 8 * record.text.len() + 4096;
            assert!(size <= bound, "record of {size} bytes over {bound}");
        }
        // One over-long field is refused before anything is built.
        let over = serde_json::json!({"id": "a", "source": "s".repeat(limit + 1), "body": "One."}).to_string();
        assert_eq!(pipeline.process_message(over.as_bytes(), origin()).unwrap_err().reason(), "field_too_long");
    }

    #[test]
    fn the_watchdog_fires_only_past_its_limit_and_never_when_off() {
        let watchdog = Watchdog::start(1);
        std::thread::sleep(std::time::Duration::from_millis(3));
        assert_eq!(watchdog.check(), Err(InputError::Timeout { limit_ms: 1 }));
        assert_eq!(Watchdog::start(60_000).check(), Ok(()));
        let off = Watchdog::start(0);
        std::thread::sleep(std::time::Duration::from_millis(2));
        assert_eq!(off.check(), Ok(()));
    }

    #[test]
    fn an_article_that_overruns_its_processing_time_is_an_input_error() {
        // 2 000 attributed sentences take several milliseconds even in an optimised build; 1 ms cannot do.
        let body = "Officials said the talks were productive. ".repeat(2_000);
        let payload = serde_json::json!({"id": "a", "body": body}).to_string();
        let hurried = Pipeline::new(PipelineConfig { max_processing_ms: 1, ..PipelineConfig::default() });
        let err = hurried.process_message(payload.as_bytes(), origin()).unwrap_err();
        assert_eq!(err, InputError::Timeout { limit_ms: 1 });
        let patient = Pipeline::new(PipelineConfig::default());
        assert_eq!(patient.process_message(payload.as_bytes(), origin()).unwrap().sentences.len(), 2_000);
    }

    #[test]
    fn too_many_sentences_is_an_input_error() {
        let pipeline = Pipeline::new(PipelineConfig { max_sentences: 2, ..PipelineConfig::default() });
        let err = pipeline.process_message(br#"{"id":"a","body":"One. Two. Three."}"#, origin()).unwrap_err();
        assert_eq!(err.reason(), "too_many_sentences");
    }
}
