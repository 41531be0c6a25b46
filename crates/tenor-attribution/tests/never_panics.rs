//! Arbitrary text and arbitrary sentence ranges: the analysis never panics, and every span it returns lies
//! inside the body on character boundaries, with certainty in [0, 1].

use proptest::prelude::*;
use tenor_attribution::Attributor;

/// Characters that exercise the rules: words, cue words' letters, quote marks of every style, apostrophes,
/// punctuation, white space, paragraph breaks and multi-byte characters.
fn text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "said",
        "told",
        "according",
        "to",
        "that",
        "he",
        "she",
        "The",
        "minister",
        "claim",
        "'s",
        "’s",
        "did",
        "not",
        "if",
        "may",
        "reportedly",
        "who",
        ",",
        ".",
        ":",
        ";",
        "\"",
        "“",
        "”",
        "«",
        "»",
        "'",
        "’",
        "—",
        " ",
        " ",
        " ",
        "\n\n",
        "\n",
        "Zürich",
        "😀",
        "n't",
        "according to",
        "In the words of",
        "saying",
    ]);
    prop::collection::vec(pieces, 0..80).prop_map(|p| p.concat())
}

proptest! {
    #[test]
    fn analysis_never_panics_and_spans_stay_inside(body in text(), cuts in prop::collection::vec(0usize..400, 0..12)) {
        let attributor = Attributor::new();
        // Sentence ranges at arbitrary cut points (snapped to character boundaries), plus some nonsense ones.
        let mut points: Vec<usize> = cuts.iter().map(|&c| {
            let mut c = c.min(body.len());
            while !body.is_char_boundary(c) { c -= 1; }
            c
        }).collect();
        points.push(0);
        points.push(body.len());
        points.sort_unstable();
        points.dedup();
        let mut ranges: Vec<std::ops::Range<usize>> = points.windows(2).map(|w| w[0]..w[1]).collect();
        ranges.push(body.len()..body.len() + 5);
        let analysis = attributor.analyze_article(&body, &ranges);
        prop_assert_eq!(analysis.sentences.len(), ranges.len());
        for s in &analysis.sentences {
            prop_assert!((0.0..=1.0).contains(&s.hedge.certainty));
            for a in s.attribution.iter().chain(s.others.iter()) {
                for r in [Some(&a.speaker), Some(&a.cue), a.content.as_ref(), a.quote.as_ref()].into_iter().flatten() {
                    prop_assert!(r.start <= r.end && r.end <= body.len());
                    prop_assert!(body.is_char_boundary(r.start) && body.is_char_boundary(r.end));
                }
            }
        }
        for (s, range) in analysis.sentences.iter().zip(&ranges) {
            for cue in &s.hedge.cues {
                prop_assert!(range.start <= cue.range.start && cue.range.start <= cue.range.end);
                prop_assert!(cue.range.end <= range.end && body.get(cue.range.clone()).is_some());
            }
        }
    }
}
