//! Single-sentence input lines (`tenor classify`): `{"id","text","targets":[{"mention","from","to"}]}`,
//! decoded and scored without splitting. In the library rather than the CLI so that the decoder is fuzzed
//! (`fuzz/fuzz_targets/classify_line.rs`) and tested like every other reader of outside data.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use tenor_core::{InputError, Origin, SentenceKind, SentenceRecord};

use crate::records::{build_sentences, RecordContext, SentenceParts};
use crate::{Models, TargetMention};

/// One decoded sentence line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentenceLine {
    pub id: String,
    pub text: String,
    /// Target mentions, code-point offsets `[from, to)` into `text` (checked when scored).
    pub targets: Vec<TargetMention>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSentenceLine {
    id: String,
    text: String,
    #[serde(default)]
    targets: Vec<RawTarget>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    mention: String,
    from: usize,
    to: usize,
}

impl SentenceLine {
    /// Decodes one line. Every error is the input's fault: dead-letter the line.
    pub fn decode(line: &[u8]) -> Result<SentenceLine, InputError> {
        let text =
            std::str::from_utf8(line).map_err(|e| InputError::InvalidUtf8 { valid_up_to: e.valid_up_to() })?;
        let parsed: RawSentenceLine =
            serde_json::from_str(text).map_err(|e| InputError::InvalidJson(e.to_string()))?;
        if parsed.id.trim().is_empty() {
            return Err(InputError::InvalidField { field: "id", detail: "must not be empty".into() });
        }
        let targets = parsed
            .targets
            .into_iter()
            .map(|t| TargetMention { mention: t.mention, from: t.from, to: t.to })
            .collect();
        Ok(SentenceLine { id: parsed.id, text: parsed.text, targets })
    }

    /// Scores the line into one sentence record (index 0, span over the whole text). Its claim kind is decided
    /// like an article sentence's, with no attribution (`attribution::claim`); targets' spans count code
    /// points into the text.
    pub fn score(
        self,
        models: &Models,
        origin: Origin,
        processed_at: DateTime<Utc>,
    ) -> Result<SentenceRecord, InputError> {
        let scores = models.score(&self.text, &self.targets)?;
        let claim = crate::attribution::claim(None, Some(&scores.claim));
        let context = RecordContext {
            article_id: &self.id,
            body: &self.text,
            origin: &origin,
            processed_at,
            published_at: None,
            article_source: None,
            run_id: None,
        };
        let whole = 0..self.text.len();
        let parts = SentenceParts {
            range: &whole,
            kind: SentenceKind::Sentence,
            scores: Some(&scores),
            claim: Some(&claim),
            analysis: None,
        };
        let mut records = build_sentences(&context, &[parts], Some(models));
        Ok(records.pop().expect("one sentence in, one record out"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_line_with_targets_and_refuses_bad_ones_with_their_reason() {
        let line = SentenceLine::decode(
            br#"{"id":"s1","text":"Critics hate it.","targets":[{"mention":"it","from":13,"to":15}]}"#,
        )
        .unwrap();
        assert_eq!(line.targets, vec![TargetMention { mention: "it".into(), from: 13, to: 15 }]);
        let cases: [(&[u8], &str); 5] = [
            (b"\xff", "invalid_utf8"),
            (b"{", "invalid_json"),
            (br#"{"id":" ","text":"x"}"#, "invalid_field"),
            (br#"{"id":"a","text":"x","extra":1}"#, "invalid_json"),
            (br#"{"id":"a","text":"x","targets":[{"mention":"x","from":-1,"to":1}]}"#, "invalid_json"),
        ];
        for (input, reason) in cases {
            assert_eq!(
                SentenceLine::decode(input).unwrap_err().reason(),
                reason,
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn a_target_outside_the_text_is_a_model_error_not_a_panic() {
        let models = Models::shipped().unwrap();
        let line = SentenceLine::decode(
            br#"{"id":"a","text":"Prices rose.","targets":[{"mention":"x","from":5,"to":99}]}"#,
        )
        .unwrap();
        let error = line.score(&models, Origin::File { file: "t".into(), line: 1 }, Utc::now()).unwrap_err();
        assert_eq!(error.reason(), "model_error");
    }
}
