//! Property tests of attribution and hedging on hostile Unicode text (generator shared with the splitter and
//! pipeline suites: `tests/properties/hostile_text.rs` at the repository root), over the splitter's own
//! sentences: the analysis never panics; an attribution found in a sentence (not inherited from the quote the
//! sentence belongs to) has its speaker and cue inside that sentence; hedge cues lie inside their sentence;
//! every span lies inside the body on char boundaries. `PROPTEST_CASES` raises the number of cases.

#[path = "../../../tests/properties/hostile_text.rs"]
mod hostile_text;

use std::ops::Range;

use hostile_text::{degenerate_texts, hostile_text};
use proptest::prelude::*;
use tenor_attribution::Attributor;
use tenor_text::Splitter;

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn within(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.start <= inner.end && inner.end <= outer.end
}

fn check_article(attributor: &Attributor, body: &str) -> Result<(), TestCaseError> {
    let sentences: Vec<Range<usize>> = Splitter::new().split(body).iter().map(|s| s.start..s.end).collect();
    let analysis = attributor.analyze_article(body, &sentences);
    prop_assert_eq!(analysis.sentences.len(), sentences.len());
    let whole = 0..body.len();
    let on_boundaries = |r: &Range<usize>| body.is_char_boundary(r.start) && body.is_char_boundary(r.end);
    for (sentence, range) in analysis.sentences.iter().zip(&sentences) {
        prop_assert!((0.0..=1.0).contains(&sentence.hedge.certainty), "certainty {}", sentence.hedge.certainty);
        for cue in &sentence.hedge.cues {
            prop_assert!(within(range, &cue.range), "hedge cue {:?} outside its sentence {:?}", cue.range, range);
        }
        for a in sentence.attribution.iter().chain(&sentence.others) {
            let spans = [Some(&a.speaker), Some(&a.cue), Some(&a.cue_word), a.content.as_ref(), a.quote.as_ref()];
            for r in spans.into_iter().flatten() {
                prop_assert!(within(&whole, r) && on_boundaries(r), "span {:?} outside the body", r);
            }
            if !a.inherited {
                for r in [&a.speaker, &a.cue, &a.cue_word] {
                    prop_assert!(within(range, r), "{:?} outside its sentence {:?} in {:?}", r, range, a);
                }
            }
        }
        if let Some(credit) = &sentence.credit {
            prop_assert!(within(range, credit), "credit {:?} outside its sentence {:?}", credit, range);
        }
    }
    let single = attributor.analyze_sentence(body);
    for a in single.attribution.iter().chain(&single.others) {
        for r in [Some(&a.speaker), Some(&a.cue), a.content.as_ref(), a.quote.as_ref()].into_iter().flatten() {
            prop_assert!(within(&whole, r) && on_boundaries(r), "span {:?} outside the sentence", r);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), ..ProptestConfig::default() })]

    #[test]
    fn attribution_spans_stay_inside_their_sentence(body in hostile_text(80)) {
        check_article(&Attributor::new(), &body)?;
    }
}

#[test]
fn degenerate_texts_do_not_panic_and_keep_spans_inside() {
    let attributor = Attributor::new();
    for body in degenerate_texts() {
        check_article(&attributor, &body).unwrap_or_else(|e| panic!("{e} on a body of {} bytes", body.len()));
    }
}
