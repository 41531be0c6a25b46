//! The whole pipeline with the shipped models, from raw message bytes: records or a dead-letter reason,
//! never a panic; records' code-point spans select exactly their text, in order, and so do the spans of
//! speakers, cues, hedge cues and evidence.

use std::sync::OnceLock;
use tenor_core::{InputError, Origin};
use tenor_pipeline::{Models, Pipeline, PipelineConfig};

fn pipeline() -> &'static Pipeline {
    static PIPELINE: OnceLock<Pipeline> = OnceLock::new();
    PIPELINE.get_or_init(|| {
        Pipeline::with_models(PipelineConfig::default(), Models::shipped().expect("shipped models load"))
    })
}

/// Checks one input; panics when the reader breaks its contract.
pub fn check(data: &[u8]) {
    let origin = Origin::File { file: "fuzz".into(), line: 1 };
    match pipeline().process_message(data, origin) {
        Ok(out) => {
            let body =
                tenor_core::ArticleMessage::decode(data, &pipeline().config().limits).expect("decoded").body;
            let chars: Vec<char> = body.chars().collect();
            let select = |s: tenor_core::Span| chars[s.start..s.end].iter().collect::<String>();
            let mut previous_end = 0;
            for record in &out.sentences {
                if let Some(a) = &record.attribution {
                    assert_eq!(select(a.speaker.span), a.speaker.text);
                    assert_eq!(select(a.cue.span), a.cue.text);
                }
                for cue in record.hedge.iter().flat_map(|h| &h.cues) {
                    assert_eq!(select(cue.span), cue.text);
                }
                for e in record.stance.iter().flat_map(|s| &s.evidence) {
                    assert_eq!(select(e.span), e.text);
                }
                assert!(previous_end <= record.span.start && record.span.end <= chars.len());
                assert_eq!(chars[record.span.start..record.span.end].iter().collect::<String>(), record.text);
                previous_end = record.span.end;
                let p = record.stance.as_ref().expect("scored").probs;
                assert!((p.negative + p.neutral + p.positive - 1.0).abs() <= 1e-9);
            }
            assert_eq!(out.article.counts.sentences + out.article.counts.headings, out.sentences.len());
        }
        Err(error) => assert!(InputError::REASONS.contains(&error.reason())),
    }
}
