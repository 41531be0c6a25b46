//! Article in, records out: the whole of Tenor's analysis as one pure function.
//!
//! [`Pipeline::process`] splits an article into sentences and fills each [`SentenceRecord`], then summarises
//! them in one [`ArticleRecord`]. It does no I/O and holds no mutable state, so one `Pipeline` is shared by
//! every worker thread and every service (`tenor run`, `tenor serve`, the split segmenter/scorer) produces
//! identical records for the same input.

pub mod attribution;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tenor_attribution::Attributor;
use tenor_core::{
    ArticleCounts, ArticleMessage, ArticleRecord, DecodeLimits, InputError, Origin, SentenceKind, SentenceRecord,
    Span, ARTICLE_SCHEMA,
};
use tenor_text::{CharOffsets, Splitter};

pub mod scoring;
pub mod sentence_line;
pub use scoring::{Models, TargetMention};
pub use sentence_line::SentenceLine;

/// Pipeline settings that change what is accepted or produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PipelineConfig {
    #[serde(flatten)]
    pub limits: DecodeLimits,
    /// Articles that split into more sentences than this are dead-lettered (`too_many_sentences`).
    pub max_sentences: usize,
    /// Articles with a sentence longer than this many code points are dead-lettered (`sentence_too_long`):
    /// such a "sentence" is a table or a list run together, and scoring it as one claim would mislead.
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

/// Everything one article produced, in publishing order: sentence records by index, then the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessedArticle {
    pub sentences: Vec<SentenceRecord>,
    pub article: ArticleRecord,
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
        let sentences = self.segment(article, &origin, processed_at)?;
        self.analyse(article, origin, processed_at, sentences, watchdog)
    }

    /// Processes an article split elsewhere (split mode's scorer takes the segmenter's sentences rather than
    /// splitting again): `segments` are the sentences' code-point spans into the body and their kinds, in order.
    /// Spans out of order, overlapping or outside the body are the input's fault.
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
        // Byte offset of every code point, plus the end of the body.
        let bytes: Vec<usize> =
            article.body.char_indices().map(|(b, _)| b).chain(std::iter::once(article.body.len())).collect();
        let mut previous_end = 0;
        let mut sentences = Vec::with_capacity(segments.len());
        for (index, &(span, kind)) in segments.iter().enumerate() {
            if span.start < previous_end || span.start >= span.end || span.end >= bytes.len() {
                return Err(InputError::InvalidField {
                    field: "sentences",
                    detail: format!(
                        "sentence {index} has span {}..{}: spans must be non-empty, in order, not overlapping, \
                         and inside the body ({} code points)",
                        span.start,
                        span.end,
                        bytes.len() - 1
                    ),
                });
            }
            previous_end = span.end;
            self.check_sentence_length(index, span)?;
            let text = article.body[bytes[span.start]..bytes[span.end]].to_owned();
            sentences.push(self.unanalysed(article, &origin, processed_at, index, text, span, kind));
        }
        self.analyse(article, origin, processed_at, sentences, watchdog)
    }

    /// Scores, attributes and summarises split sentences.
    fn analyse(
        &self,
        article: &ArticleMessage,
        origin: Origin,
        processed_at: DateTime<Utc>,
        mut sentences: Vec<SentenceRecord>,
        watchdog: Watchdog,
    ) -> Result<ProcessedArticle, InputError> {
        watchdog.check()?;
        if let Some(models) = &self.models {
            for record in &mut sentences {
                watchdog.check()?;
                models.score_record(record, &[])?;
            }
        }
        watchdog.check()?;
        // Attribution runs after the claim model: an attributed sentence is a claim whatever the model says.
        let attribution = attribution::annotate(&self.attributor, &article.body, &mut sentences);
        watchdog.check()?;
        let mut article = summarise(article, origin, processed_at, &sentences);
        if let Some(models) = &self.models {
            models.summarise(&sentences, &mut article);
        }
        article.speakers = attribution.speakers;
        article.claims = attribution.claims;
        Ok(ProcessedArticle { sentences, article })
    }

    #[allow(clippy::too_many_arguments)]
    fn unanalysed(
        &self,
        article: &ArticleMessage,
        origin: &Origin,
        processed_at: DateTime<Utc>,
        index: usize,
        text: String,
        span: Span,
        kind: SentenceKind,
    ) -> SentenceRecord {
        SentenceRecord {
            published_at: article.published_at,
            article_source: article.source.clone(),
            run_id: article.run_id.clone(),
            ..SentenceRecord::unanalysed(article.id.clone(), index, text, span, kind, origin.clone(), processed_at)
        }
    }

    /// The splitting stage alone: one record per sentence, with the analysis fields still empty.
    pub fn segment(
        &self,
        article: &ArticleMessage,
        origin: &Origin,
        processed_at: DateTime<Utc>,
    ) -> Result<Vec<SentenceRecord>, InputError> {
        let spans = self.splitter.split(&article.body);
        if spans.len() > self.config.max_sentences {
            return Err(InputError::TooManySentences { limit: self.config.max_sentences });
        }
        let mut offsets = CharOffsets::new(&article.body);
        spans
            .iter()
            .enumerate()
            .map(|(index, piece)| {
                let span = Span::new(offsets.char_offset(piece.start), offsets.char_offset(piece.end));
                self.check_sentence_length(index, span)?;
                let text = article.body[piece.start..piece.end].to_owned();
                Ok(self.unanalysed(article, origin, processed_at, index, text, span, piece.kind))
            })
            .collect()
    }

    fn check_sentence_length(&self, index: usize, span: Span) -> Result<(), InputError> {
        let chars = span.end - span.start;
        if chars > self.config.max_sentence_chars {
            return Err(InputError::SentenceTooLong { index, chars, limit: self.config.max_sentence_chars });
        }
        Ok(())
    }
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
        sentences: sentences.iter().filter(|s| s.kind == SentenceKind::Sentence).count(),
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
    fn a_sentence_over_the_length_limit_is_an_input_error() {
        let pipeline = Pipeline::new(PipelineConfig { max_sentence_chars: 10, ..PipelineConfig::default() });
        let err =
            pipeline.process_message(br#"{"id":"a","body":"Short. This one is long."}"#, origin()).unwrap_err();
        assert_eq!(err, InputError::SentenceTooLong { index: 1, chars: 17, limit: 10 });
        let article =
            ArticleMessage::decode(br#"{"id":"a","body":"This one is long."}"#, &DecodeLimits::default()).unwrap();
        let whole = [(Span::new(0, 17), SentenceKind::Sentence)];
        let err = pipeline.process_segmented(&article, origin(), Utc::now(), &whole).unwrap_err();
        assert_eq!(err.reason(), "sentence_too_long");
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
