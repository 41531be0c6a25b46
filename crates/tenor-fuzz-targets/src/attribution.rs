//! Attribution and hedging over the splitter's sentences: never panics; every span lies inside the body on
//! char boundaries, hedge cues inside their own sentence, certainty in [0, 1] (records and their code-point
//! spans are built by the pipeline: `pipeline.rs`). One stand-alone sentence is analysed too.

use std::sync::OnceLock;
use tenor_attribution::Attributor;
use tenor_text::Splitter;

fn attributor() -> &'static Attributor {
    static ATTRIBUTOR: OnceLock<Attributor> = OnceLock::new();
    ATTRIBUTOR.get_or_init(Attributor::new)
}

/// Checks one input; panics when the reader breaks its contract.
pub fn check(data: &[u8]) {
    let body = String::from_utf8_lossy(data);
    let ranges: Vec<_> = Splitter::new().split(&body).iter().map(|s| s.start..s.end).collect();
    let analysis = attributor().analyze_article(&body, &ranges);
    assert_eq!(analysis.sentences.len(), ranges.len());
    let inside = |r: &std::ops::Range<usize>| {
        r.start <= r.end && r.end <= body.len() && body.is_char_boundary(r.start) && body.is_char_boundary(r.end)
    };
    for (sentence, range) in analysis.sentences.iter().zip(&ranges) {
        assert!((0.0..=1.0).contains(&sentence.hedge.certainty));
        for cue in &sentence.hedge.cues {
            assert!(
                range.start <= cue.range.start && cue.range.end <= range.end,
                "hedge cue outside its sentence"
            );
        }
        for a in sentence.attribution.iter().chain(&sentence.others) {
            for r in [Some(&a.speaker), Some(&a.cue), Some(&a.cue_word), a.content.as_ref(), a.quote.as_ref()]
                .into_iter()
                .flatten()
            {
                assert!(inside(r), "attribution span {r:?} outside the body");
            }
        }
        if let Some(credit) = &sentence.credit {
            assert!(inside(credit));
        }
    }
    let single = attributor().analyze_sentence(&body);
    for a in single.attribution.iter().chain(&single.others) {
        assert!(inside(&a.speaker) && inside(&a.cue));
    }
}
