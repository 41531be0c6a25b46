//! Property tests of the whole pipeline with the shipped models, on hostile Unicode bodies (generator:
//! `tests/properties/hostile_text.rs` at the repository root): every record's code-point span selects exactly
//! its text, sentences are in order and cover the body, scoring is deterministic, stance probabilities sum to
//! 1 and every confidence, score and certainty is in [0, 1]. Offsets: every span anywhere in a record (found
//! by walking its JSON, so a new field is covered too) selects, by code points, exactly the text the record
//! names next to it; an article split elsewhere (`process_segmented`) gives the same records; a classified
//! line's target spans are the code points it was given. `PROPTEST_CASES` raises the number of cases.

#[path = "../../../tests/properties/hostile_text.rs"]
mod hostile_text;

use std::sync::OnceLock;

use chrono::{TimeZone, Utc};
use hostile_text::{degenerate_texts, hostile_body, hostile_text};
use proptest::prelude::*;
use tenor_core::{ArticleMessage, InputError, Origin, SentenceRecord, Span, Stance};
use tenor_features::MAX_SENTENCE_BYTES;
use tenor_pipeline::{Models, Pipeline, PipelineConfig, ProcessedArticle, SentenceLine};

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// One pipeline with the shipped models for the whole test binary (loading them is the slow part).
fn pipeline() -> &'static Pipeline {
    static PIPELINE: OnceLock<Pipeline> = OnceLock::new();
    PIPELINE.get_or_init(|| {
        // No processing-time watchdog: these properties are about what the records say, and a loaded test
        // machine must not turn a slow debug build into a `timeout` refusal.
        let config = PipelineConfig { max_processing_ms: 0, ..PipelineConfig::default() };
        Pipeline::with_models(config, Models::shipped().expect("shipped models load"))
    })
}

fn origin() -> Origin {
    Origin::File { file: "properties".into(), line: 1 }
}

/// The text a code-point span selects in `chars`, or a failure when it lies outside.
fn select(chars: &[char], span: Span) -> Result<String, TestCaseError> {
    prop_assert!(
        span.start <= span.end && span.end <= chars.len(),
        "span {:?} outside {} chars",
        span,
        chars.len()
    );
    Ok(chars[span.start..span.end].iter().collect())
}

fn check_stance(chars: &[char], stance: &Stance) -> Result<(), TestCaseError> {
    let p = stance.probs;
    prop_assert!(
        (p.negative + p.neutral + p.positive - 1.0).abs() <= 1e-9,
        "probabilities {:?} do not sum to 1",
        p
    );
    for x in [p.negative, p.neutral, p.positive, stance.confidence] {
        prop_assert!((0.0..=1.0).contains(&x), "{} outside [0, 1] in {:?}", x, stance);
    }
    for evidence in &stance.evidence {
        prop_assert!(evidence.weight.is_finite(), "{:?}", evidence);
        prop_assert_eq!(&select(chars, evidence.span)?, &evidence.text, "evidence {:?}", evidence);
    }
    Ok(())
}

/// Every promise a consumer relies on, for one processed article.
fn check_records(body: &str, out: &ProcessedArticle) -> Result<(), TestCaseError> {
    let chars: Vec<char> = body.chars().collect();
    let mut previous_end = 0;
    for (index, record) in out.sentences.iter().enumerate() {
        prop_assert_eq!(record.sentence_index, index);
        prop_assert_eq!(&select(&chars, record.span)?, &record.text, "sentence {}", index);
        prop_assert!(!record.text.trim().is_empty() && record.text == record.text.trim(), "{:?}", record.text);
        prop_assert!(record.span.start >= previous_end, "sentence {} overlaps the one before", index);
        let gap: String = chars[previous_end..record.span.start].iter().collect();
        prop_assert!(gap.trim().is_empty(), "text {:?} before sentence {} is in no record", gap, index);
        previous_end = record.span.end;

        check_stance(&chars, record.stance.as_ref().expect("scored"))?;
        let claim = record.claim.as_ref().expect("claim filled");
        prop_assert!((0.0..=1.0).contains(&claim.score), "claim score {}", claim.score);
        let hedge = record.hedge.as_ref().expect("hedge filled");
        prop_assert!((0.0..=1.0).contains(&hedge.certainty), "certainty {}", hedge.certainty);
        for cue in &hedge.cues {
            prop_assert_eq!(&select(&chars, cue.span)?, &cue.text, "hedge cue");
        }
        if let Some(a) = &record.attribution {
            prop_assert_eq!(&select(&chars, a.speaker.span)?, &a.speaker.text, "speaker");
            prop_assert_eq!(&select(&chars, a.cue.span)?, &a.cue.text, "cue");
            for span in
                [a.content.as_ref().map(|c| c.span), a.quote.as_ref().map(|q| q.span)].into_iter().flatten()
            {
                select(&chars, span)?;
            }
        }
    }
    let tail: String = chars[previous_end..].iter().collect();
    prop_assert!(tail.trim().is_empty(), "text {:?} after the last sentence is in no record", tail);
    let mix = out.article.stance.as_ref().expect("stance mix");
    prop_assert_eq!(mix.negative + mix.neutral + mix.positive, out.sentences.len());
    prop_assert!((0.0..=1.0).contains(&mix.mean_confidence), "mean confidence {}", mix.mean_confidence);
    Ok(())
}

/// A refusal must be the documented one: too many sentences (run-on sentences are cut into pieces, never
/// refused, so the count that passes the limit may be of pieces).
fn check_refusal(body: &str, error: &InputError) -> Result<(), TestCaseError> {
    let spans = tenor_text::Splitter::new().split(body);
    match error {
        InputError::TooManySentences { limit } => prop_assert!(
            spans.len() > *limit || spans.iter().any(|s| s.end - s.start > MAX_SENTENCE_BYTES),
            "too many sentences with {} short ones",
            spans.len()
        ),
        other => prop_assert!(false, "unexpected refusal of a valid message: {}", other),
    }
    Ok(())
}

/// Every `span` anywhere in `value` (a record as JSON) lies inside `chars`, and where the same object names a
/// `text`, the span selects exactly that text. Returns how many spans it checked.
fn check_every_span(chars: &[char], value: &serde_json::Value) -> Result<usize, TestCaseError> {
    let mut checked = 0;
    match value {
        serde_json::Value::Object(fields) => {
            if let Some(span) = fields.get("span") {
                let span: Span = serde_json::from_value(span.clone()).expect("a span is {start, end}");
                let selected = select(chars, span)?;
                if let Some(text) = fields.get("text") {
                    prop_assert_eq!(Some(selected.as_str()), text.as_str(), "span {:?} in {}", span, value);
                }
                checked += 1;
            }
            for field in fields.values() {
                checked += check_every_span(chars, field)?;
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                checked += check_every_span(chars, item)?;
            }
        }
        _ => {}
    }
    Ok(checked)
}

/// Every span of every record indexes the body by code points to the text the record names, and the same
/// sentences given as a split made elsewhere give the same records.
fn check_offsets(body: &str) -> Result<(), TestCaseError> {
    let message = serde_json::json!({"id": "p", "body": body}).to_string();
    let pipeline = pipeline();
    let article = ArticleMessage::decode(message.as_bytes(), &pipeline.config().limits).expect("valid message");
    let at = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
    let Ok(here) = pipeline.process(&article, origin(), at) else { return Ok(()) };
    let chars: Vec<char> = body.chars().collect();
    for record in &here.sentences {
        let checked = check_every_span(&chars, &serde_json::to_value(record).expect("records serialise"))?;
        // The sentence's own span, and each hedge cue's.
        let hedge_cues = record.hedge.as_ref().map_or(0, |h| h.cues.len());
        prop_assert!(checked > hedge_cues, "{} spans checked, {} hedge cues", checked, hedge_cues);
    }
    let segments: Vec<_> = here.sentences.iter().map(|s| (s.span, s.kind)).collect();
    let elsewhere = pipeline.process_segmented(&article, origin(), at, &segments).expect("its own split is valid");
    prop_assert_eq!(&elsewhere, &here, "a split made elsewhere gives other records");
    Ok(())
}

/// A classified line with a target at code points `[from, to)`: scored or refused as a model error, and when
/// scored, the target's span is `[from, to)` and every span selects its text in the line.
fn check_line(text: &str, from: usize, to: usize) -> Result<(), TestCaseError> {
    let line = serde_json::json!({"id": "l", "text": text, "targets": [{"mention": "m", "from": from, "to": to}]});
    let line = SentenceLine::decode(line.to_string().as_bytes()).expect("a valid line");
    let models = pipeline().models().expect("with models");
    match line.score(models, origin(), Utc::now()) {
        Ok(record) => {
            let chars: Vec<char> = text.chars().collect();
            prop_assert_eq!(record.span, Span::new(0, chars.len()));
            prop_assert_eq!(record.targets[0].span, Span::new(from, to));
            check_every_span(&chars, &serde_json::to_value(&record).expect("records serialise"))?;
        }
        Err(error) => prop_assert_eq!(error.reason(), "model_error"),
    }
    Ok(())
}

/// Processes `body` twice (once from raw bytes, once decoded) and checks the records and their determinism.
fn check_body(body: &str) -> Result<(), TestCaseError> {
    let message = serde_json::json!({"id": "p", "body": body, "source": "Wire"}).to_string();
    let pipeline = pipeline();
    let from_bytes = pipeline.process_message(message.as_bytes(), origin());
    let article = ArticleMessage::decode(message.as_bytes(), &pipeline.config().limits).expect("valid message");
    let at = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
    let first = pipeline.process(&article, origin(), at);
    let second = pipeline.process(&article, origin(), at);
    match (&first, &second) {
        (Ok(a), Ok(b)) => {
            // Compared as JSON too, so that a NaN (unequal to itself) would show as a difference.
            prop_assert_eq!(a, b, "same input, different records");
            prop_assert_eq!(to_json(&a.sentences), to_json(&b.sentences));
            check_records(body, a)?;
            let from_bytes = from_bytes.expect("bytes and decoded article agree");
            prop_assert_eq!(without_time(&from_bytes.sentences), without_time(&a.sentences));
        }
        (Err(a), Err(b)) => {
            prop_assert_eq!(a, b);
            prop_assert_eq!(from_bytes.as_ref().err(), Some(a));
            check_refusal(body, a)?;
        }
        _ => prop_assert!(
            false,
            "same input, one success and one failure: {:?} / {:?}",
            first.is_ok(),
            second.is_ok()
        ),
    }
    Ok(())
}

fn to_json(records: &[SentenceRecord]) -> String {
    serde_json::to_string(records).expect("records serialise")
}

fn without_time(records: &[SentenceRecord]) -> Vec<SentenceRecord> {
    let at = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap();
    records.iter().cloned().map(|r| SentenceRecord { processed_at: at, ..r }).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(96), ..ProptestConfig::default() })]

    #[test]
    fn records_select_their_text_and_scores_are_deterministic_probabilities(body in hostile_body(60)) {
        check_body(&body)?;
    }
}

proptest! {
    // Fewer cases: each scores the article twice more (here and split elsewhere).
    #![proptest_config(ProptestConfig { cases: cases(48), ..ProptestConfig::default() })]

    #[test]
    fn every_span_of_every_record_selects_its_text_by_code_points(body in hostile_body(60)) {
        check_offsets(&body)?;
    }

    #[test]
    fn a_classified_line_keeps_its_target_code_points(text in hostile_text(12), a in 0usize..40, b in 1usize..40) {
        check_line(&text, a.min(b), a.max(b) + usize::from(a == b))?;
    }
}

#[test]
fn degenerate_bodies_keep_every_promise() {
    for body in degenerate_texts().into_iter().filter(|b| !b.trim().is_empty()) {
        check_body(&body).unwrap_or_else(|e| panic!("{e} on a body of {} bytes", body.len()));
        check_offsets(&body).unwrap_or_else(|e| panic!("{e} on a body of {} bytes", body.len()));
    }
}
