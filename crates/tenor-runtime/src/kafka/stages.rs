//! The stateless stages: `serve` (articles → sentences + summaries), and its split form, `segmenter`
//! (articles → segments) and `scorer` (segments → the same sentences + summaries as `serve`).
//!
//! Every output record is keyed by its article id, so that all records of an article land in one partition,
//! in order. A sentence record whose stance confidence is below the review threshold also goes to the review
//! topic; a record without a stance never does.
//!
//! The segments message (`tenor.segments/1`) is defined in `tenor-core` with the rest of the wire contract
//! and re-exported here; this module builds it (the segmenter) and checks it (the scorer).

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use tenor_claims::tension::{tensions_in_article, TensionConfig};
use tenor_core::{ArticleMessage, InputError, SentenceKind, Span};
pub use tenor_core::{Segment, SegmentsMessage, SEGMENTS_SCHEMA};
use tenor_pipeline::{Pipeline, ProcessedArticle};

use super::engine::{Incoming, Outgoing, Processed, StatelessStage};
use super::reload::PipelineCell;
use crate::metrics::{stage, Metrics};

/// Topics the scoring stages write to.
#[derive(Debug, Clone)]
pub struct OutputTopics {
    pub sentences: Arc<str>,
    pub articles: Arc<str>,
    pub review: Arc<str>,
    pub review_threshold: f64,
    /// Where each article's tensions go, and how they are found; `None`: not looked for.
    pub tensions: Option<(Arc<str>, TensionConfig)>,
    /// Put the encoder's embedding on claim sentences it scored (`records.embeddings`;
    /// [`ProcessedArticle::embed_claims`]).
    pub embeddings: bool,
}

/// Serialises one processed article: sentence records (and low-confidence ones again to review), then the
/// summary, then its tensions.
fn publish(mut processed: ProcessedArticle, topics: &OutputTopics, metrics: &Metrics) -> Processed {
    let started = Instant::now();
    if topics.embeddings {
        processed.embed_claims();
    }
    let key = processed.article.article_id.as_bytes().to_vec();
    let mut out = Processed::default();
    for record in &processed.sentences {
        let payload = serde_json::to_vec(record).expect("records always serialise");
        if let Some(stance) = &record.stance {
            out.stances.push((stance.label, stance.confidence));
            if stance.confidence < topics.review_threshold {
                out.records.push(Outgoing {
                    topic: topics.review.clone(),
                    key: Some(key.clone()),
                    payload: payload.clone(),
                    dead_letter_reason: None,
                });
            }
        }
        for model in record.model.values() {
            metrics.observe_model(model);
        }
        out.records.push(Outgoing {
            topic: topics.sentences.clone(),
            key: Some(key.clone()),
            payload,
            dead_letter_reason: None,
        });
    }
    out.records.push(Outgoing {
        topic: topics.articles.clone(),
        key: Some(key.clone()),
        payload: serde_json::to_vec(&processed.article).expect("records always serialise"),
        dead_letter_reason: None,
    });
    if let Some((topic, config)) = &topics.tensions {
        let embeddings = (!processed.embeddings.is_empty()).then_some(processed.embeddings.as_slice());
        let title = processed.article.title.as_deref();
        let tensions = tensions_in_article(&processed.sentences, title, embeddings, config);
        metrics.tensions.with_label_values(&["article"]).inc_by(tensions.len() as u64);
        for tension in tensions {
            out.records.push(Outgoing {
                topic: topic.clone(),
                key: Some(key.clone()),
                payload: serde_json::to_vec(&tension).expect("records always serialise"),
                dead_letter_reason: None,
            });
        }
    }
    metrics.stage_seconds.with_label_values(&[stage::ENCODE]).observe(started.elapsed().as_secs_f64());
    out
}

fn timed<T>(metrics: &Metrics, name: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    metrics.stage_seconds.with_label_values(&[name]).observe(started.elapsed().as_secs_f64());
    out
}

/// `tenor serve`: the whole pipeline in one service.
#[derive(Debug)]
pub struct ServeStage {
    /// Swapped by a model reload; each message takes the current pipeline once (see [`super::reload`]).
    pub pipeline: Arc<PipelineCell>,
    pub topics: OutputTopics,
}

impl StatelessStage for ServeStage {
    fn process(&self, message: &Incoming, metrics: &Metrics) -> Result<Processed, InputError> {
        let pipeline = self.pipeline.load();
        let article =
            timed(metrics, stage::DECODE, || ArticleMessage::decode(&message.payload, &pipeline.config().limits))?;
        let processed =
            timed(metrics, stage::PIPELINE, || pipeline.process(&article, message.origin(), Utc::now()))?;
        Ok(publish(processed, &self.topics, metrics))
    }
}

/// `tenor segmenter`: decodes, validates and splits; dead-letters what cannot be processed.
#[derive(Debug)]
pub struct SegmenterStage {
    pub pipeline: Arc<Pipeline>,
    pub segments: Arc<str>,
}

impl StatelessStage for SegmenterStage {
    fn process(&self, message: &Incoming, metrics: &Metrics) -> Result<Processed, InputError> {
        let article = timed(metrics, stage::DECODE, || {
            ArticleMessage::decode(&message.payload, &self.pipeline.config().limits)
        })?;
        let origin = message.origin();
        let now = Utc::now();
        let sentences = timed(metrics, stage::SEGMENT, || self.pipeline.segment(&article, &origin, now))?;
        let started = Instant::now();
        let segments = SegmentsMessage {
            schema: SEGMENTS_SCHEMA.to_owned(),
            article: serde_json::to_value(&article).expect("articles always serialise"),
            source: origin,
            segmented_at: now,
            input_timestamp_ms: message.timestamp_ms,
            sentences: sentences
                .iter()
                .map(|s| Segment { index: s.sentence_index, span: s.span, kind: s.kind })
                .collect(),
        };
        let payload = serde_json::to_vec(&segments).expect("segments always serialise");
        metrics.stage_seconds.with_label_values(&[stage::ENCODE]).observe(started.elapsed().as_secs_f64());
        Ok(Processed {
            records: vec![Outgoing {
                topic: self.segments.clone(),
                key: Some(article.id.into_bytes()),
                payload,
                dead_letter_reason: None,
            }],
            stances: Vec::new(),
            origin_timestamp_ms: None,
        })
    }
}

/// `tenor scorer`: the rest of the pipeline, from a segments message to the records `serve` produces.
#[derive(Debug)]
pub struct ScorerStage {
    /// Swapped by a model reload; each message takes the current pipeline once (see [`super::reload`]).
    pub pipeline: Arc<PipelineCell>,
    pub topics: OutputTopics,
}

impl ScorerStage {
    /// Decodes a segments message back into the article and origin it was made from.
    pub fn decode(&self, payload: &[u8]) -> Result<(SegmentsMessage, ArticleMessage), InputError> {
        Self::decode_with(&self.pipeline.load(), payload)
    }

    fn decode_with(pipeline: &Pipeline, payload: &[u8]) -> Result<(SegmentsMessage, ArticleMessage), InputError> {
        let limits = &pipeline.config().limits;
        if payload.len() > limits.max_message_bytes.saturating_mul(2) {
            return Err(InputError::Oversize {
                what: "segments message",
                size: payload.len(),
                limit: limits.max_message_bytes.saturating_mul(2),
            });
        }
        let text =
            std::str::from_utf8(payload).map_err(|e| InputError::InvalidUtf8 { valid_up_to: e.valid_up_to() })?;
        let segments: SegmentsMessage = serde_json::from_str(text)
            .map_err(|e| InputError::InvalidJson(format!("not a segments message: {e}")))?;
        if segments.schema != SEGMENTS_SCHEMA {
            return Err(InputError::InvalidField {
                field: "schema",
                detail: format!("expected {SEGMENTS_SCHEMA:?}, found {:?}", segments.schema),
            });
        }
        if let Some((position, segment)) = segments.sentences.iter().enumerate().find(|(i, s)| s.index != *i) {
            return Err(InputError::InvalidField {
                field: "sentences",
                detail: format!("sentence at position {position} has index {}", segment.index),
            });
        }
        let article_bytes = serde_json::to_vec(&segments.article).expect("a JSON value always serialises");
        let article = ArticleMessage::decode(&article_bytes, limits)?;
        Ok((segments, article))
    }
}

impl StatelessStage for ScorerStage {
    fn process(&self, message: &Incoming, metrics: &Metrics) -> Result<Processed, InputError> {
        let pipeline = self.pipeline.load();
        let (segments, article) =
            timed(metrics, stage::DECODE, || Self::decode_with(&pipeline, &message.payload))?;
        let split: Vec<(Span, SentenceKind)> = segments.sentences.iter().map(|s| (s.span, s.kind)).collect();
        let processed = timed(metrics, stage::PIPELINE, || {
            pipeline.process_segmented(&article, segments.source.clone(), Utc::now(), &split)
        })?;
        let mut out = publish(processed, &self.topics, metrics);
        out.origin_timestamp_ms = segments.input_timestamp_ms;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::TopicPartition;
    use tenor_pipeline::PipelineConfig;

    fn topics() -> OutputTopics {
        OutputTopics {
            sentences: "s".into(),
            articles: "a".into(),
            review: "r".into(),
            review_threshold: 0.5,
            tensions: Some(("t".into(), TensionConfig::default())),
            embeddings: true,
        }
    }

    #[test]
    fn serve_publishes_an_articles_tensions_after_its_summary_keyed_by_the_article() {
        let models = tenor_pipeline::Models::shipped().unwrap();
        let pipeline = Arc::new(Pipeline::with_models(PipelineConfig::default(), models));
        let article = br#"{"id":"m1","title":"Talks end without a breakthrough","source":"Wire","body":"Envoys described the talks as productive and constructive. Officials said that no significant breakthrough has emerged. Analysts noted that core disputes remain unresolved."}"#;
        let serve = ServeStage { pipeline: Arc::new(pipeline.into()), topics: topics() };
        let metrics = Metrics::new("test");
        let out = serve.process(&incoming("articles", 3, article), &metrics).unwrap();
        let first_tension = out.records.iter().position(|r| &*r.topic == "t").expect("a tension");
        assert!(out.records[..first_tension].iter().any(|r| &*r.topic == "a"), "after the summary");
        let tensions: Vec<serde_json::Value> =
            out.records[first_tension..].iter().map(|r| serde_json::from_slice(&r.payload).unwrap()).collect();
        assert!(out.records[first_tension..]
            .iter()
            .all(|r| &*r.topic == "t" && r.key.as_deref() == Some(&b"m1"[..])));
        let envoys_side = |t: &serde_json::Value| {
            t["sides"].as_array().unwrap().iter().any(|s| s["text"].as_str().unwrap().starts_with("Envoys"))
        };
        assert!(tensions.iter().any(envoys_side), "{tensions:?}");
        assert_eq!(
            metrics.tensions.with_label_values(&["article"]).get(),
            tensions.len() as u64,
            "counted in tenor_tensions_total"
        );
        let off = OutputTopics { tensions: None, ..topics() };
        let serve = ServeStage { pipeline: serve.pipeline.clone(), topics: off };
        let out = serve.process(&incoming("articles", 3, article), &metrics).unwrap();
        assert!(out.records.iter().all(|r| &*r.topic != "t"), "tension.enabled = false publishes none");
    }

    fn incoming(topic: &str, offset: i64, payload: &[u8]) -> Incoming {
        Incoming {
            tp: TopicPartition::new(topic, 0),
            offset,
            key: None,
            payload: payload.to_vec(),
            timestamp_ms: Some(1000),
        }
    }

    fn without_time(payload: &[u8]) -> serde_json::Value {
        let mut value: serde_json::Value = serde_json::from_slice(payload).unwrap();
        value.as_object_mut().unwrap().remove("processed_at");
        value
    }

    #[test]
    fn segmenter_then_scorer_gives_the_records_of_serve() {
        let pipeline = Arc::new(Pipeline::new(PipelineConfig::default()));
        let metrics = Metrics::new("test");
        let article = br#"{"id":"a1","title":"T","published_at":"2024-05-01T10:00:00+02:00","source":"Wire","body":"Officials said talks went well. \"No deal,\" he said.\n\nHEADLINE HERE\n\nMore text follows."}"#;
        let serve = ServeStage { pipeline: Arc::new(pipeline.clone().into()), topics: topics() };
        let direct = serve.process(&incoming("articles", 7, article), &metrics).unwrap();

        let segmenter = SegmenterStage { pipeline: pipeline.clone(), segments: "seg".into() };
        let segmented = segmenter.process(&incoming("articles", 7, article), &metrics).unwrap();
        assert_eq!(segmented.records.len(), 1);
        assert_eq!(segmented.records[0].key.as_deref(), Some(&b"a1"[..]));
        let scorer = ScorerStage { pipeline: Arc::new(pipeline.into()), topics: topics() };
        let split = scorer.process(&incoming("seg", 0, &segmented.records[0].payload), &metrics).unwrap();

        assert_eq!(direct.records.len(), split.records.len());
        for (d, s) in direct.records.iter().zip(&split.records) {
            assert_eq!(d.topic, s.topic);
            assert_eq!(d.key, s.key);
            assert_eq!(without_time(&d.payload), without_time(&s.payload));
        }
        let last = without_time(&split.records.last().unwrap().payload);
        assert_eq!(last["source"]["topic"], "articles", "records point at the article message");
        assert_eq!(last["source"]["offset"], 7);
        assert_eq!(split.origin_timestamp_ms, Some(1000));
    }

    #[test]
    fn bad_segments_messages_are_input_errors() {
        let pipeline = Arc::new(Pipeline::new(PipelineConfig::default()));
        let scorer = ScorerStage { pipeline: Arc::new(pipeline.into()), topics: topics() };
        let metrics = Metrics::new("test");
        let cases: [(&[u8], &str); 5] = [
            (b"{oops", "invalid_json"),
            (br#"{"schema":"other/1","article":{},"source":{"file":"x","line":1},"segmented_at":"2024-01-01T00:00:00Z","input_timestamp_ms":null,"sentences":[]}"#, "invalid_field"),
            (br#"{"schema":"tenor.segments/1","article":{"id":"a"},"source":{"file":"x","line":1},"segmented_at":"2024-01-01T00:00:00Z","input_timestamp_ms":null,"sentences":[]}"#, "missing_field"),
            // A span past the end of the body, and indexes out of order.
            (br#"{"schema":"tenor.segments/1","article":{"id":"a","body":"One."},"source":{"file":"x","line":1},"segmented_at":"2024-01-01T00:00:00Z","input_timestamp_ms":null,"sentences":[{"index":0,"span":{"start":0,"end":9},"kind":"sentence"}]}"#, "invalid_field"),
            (br#"{"schema":"tenor.segments/1","article":{"id":"a","body":"One."},"source":{"file":"x","line":1},"segmented_at":"2024-01-01T00:00:00Z","input_timestamp_ms":null,"sentences":[{"index":1,"span":{"start":0,"end":4},"kind":"sentence"}]}"#, "invalid_field"),
        ];
        for (payload, reason) in cases {
            let err = scorer.process(&incoming("seg", 0, payload), &metrics).unwrap_err();
            assert_eq!(err.reason(), reason, "{err}");
        }
    }
}
