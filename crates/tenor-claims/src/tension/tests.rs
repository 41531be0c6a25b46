//! The rule on hand-made sentence records (the pipeline's real output is tested in
//! tests/integration/tension.rs).

use chrono::{DateTime, TimeZone, Utc};
use tenor_core::{
    Attribution, Evidence, SentenceRecord, Span, Speaker, Stance, StanceLabel, StanceProbs, TargetStance, TextSpan,
};

use super::*;

fn stance(negative: f64, positive: f64) -> Stance {
    let probs = StanceProbs { negative, neutral: 1.0 - negative - positive, positive };
    let (label, confidence) = [
        (StanceLabel::Negative, probs.negative),
        (StanceLabel::Neutral, probs.neutral),
        (StanceLabel::Positive, probs.positive),
    ]
    .into_iter()
    .max_by(|a, b| a.1.total_cmp(&b.1))
    .unwrap();
    Stance { label, confidence, probs, evidence: Vec::<Evidence>::new() }
}

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, hour, 0, 0).unwrap()
}

/// A claim sentence of article `article` (outlet `wire`) by `speaker` (None: the outlet's own voice).
fn sentence(article: &str, index: usize, text: &str, speaker: Option<&str>, neg: f64, pos: f64) -> SentenceRecord {
    let mut r = crate::testing::claim_sentence(article, index, text, "wire", at(12));
    r.stance = Some(stance(neg, pos));
    r.attribution = speaker.map(|s| Attribution {
        speaker: Speaker { text: s.into(), span: Span::new(0, 1), resolved: None },
        cue: TextSpan { text: "said".into(), span: Span::new(0, 1) },
        content: None,
        quote: None,
    });
    r
}

const TITLE: &str = "Miami talks end without breakthrough";

fn miami() -> Vec<SentenceRecord> {
    vec![
        sentence(
            "a",
            0,
            "Envoys called the talks in Miami productive and constructive.",
            Some("Envoys"),
            0.03,
            0.77,
        ),
        sentence("a", 1, "\"We made real progress,\" the lead envoy said.", Some("the envoys"), 0.06, 0.41),
        sentence("a", 2, "Officials said no significant breakthrough has emerged.", Some("officials"), 0.43, 0.03),
        sentence("a", 3, "The delegation will travel to Geneva on Monday.", None, 0.05, 0.05),
        sentence("a", 4, "Analysts said core disputes remain unresolved.", Some("Analysts"), 0.59, 0.02),
    ]
}

#[test]
fn the_envoys_meet_the_officials_and_the_analysts() {
    let found = tensions_in_article(&miami(), Some(TITLE), None, &TensionConfig::default());
    let pairs: Vec<(usize, usize)> =
        found.iter().map(|t| (t.sides[0].sentence_index, t.sides[1].sentence_index)).collect();
    // 0 × 2 and 0 × 4, 1 × 2 and 1 × 4 (polarity 0.35 ≥ 0.25); never 0 × 1 (one speaker), 2 × 4 (they
    // agree) nor anything with 3 (neutral).
    assert_eq!(pairs.len(), 4, "{pairs:?}");
    for (x, y) in [(0, 2), (0, 4), (1, 2), (1, 4)] {
        assert!(pairs.contains(&(x, y)), "{pairs:?}");
    }
    let best = &found[0];
    assert_eq!((best.sides[0].sentence_index, best.sides[1].sentence_index), (0, 4));
    assert_eq!(best.scope, TensionScope::Article);
    assert_eq!(best.subject.link, LinkKind::Title);
    assert_eq!(best.subject.text, TITLE);
    assert_eq!(best.sides[0].speaker.as_deref(), Some("Envoys"));
    assert_eq!(best.sides[1].speaker.as_deref(), Some("Analysts"));
    assert!(best.sides[0].polarity > 0.0 && best.sides[1].polarity < 0.0);
    assert!((best.score - 0.5 * (0.74f64 * 0.57).sqrt()).abs() < 1e-9, "{}", best.score);
    for w in found.windows(2) {
        assert!(w[0].score >= w[1].score);
    }
}

#[test]
fn one_speaker_is_no_tension_even_when_written_differently() {
    let mut records = miami();
    records[2].attribution = records[0].attribution.clone();
    records[4].attribution.as_mut().unwrap().speaker.text = "THE ENVOYS".into();
    let found = tensions_in_article(&records, Some(TITLE), None, &TensionConfig::default());
    assert!(found.is_empty(), "{found:#?}");
    // A resolved name counts: "he" resolved to the envoys is the envoys.
    let mut records = miami();
    records[2].attribution.as_mut().unwrap().speaker =
        Speaker { text: "he".into(), span: Span::new(0, 1), resolved: Some("Envoys".into()) };
    let found = tensions_in_article(&records, Some(TITLE), None, &TensionConfig::default());
    assert!(found.iter().all(|t| t.sides[1].sentence_index != 2), "{found:#?}");
}

#[test]
fn agreeing_or_weak_claims_are_no_tension() {
    let mut records = miami();
    for r in &mut records {
        r.stance = Some(stance(0.7, 0.1));
    }
    assert!(tensions_in_article(&records, Some(TITLE), None, &TensionConfig::default()).is_empty());
    let mut records = miami();
    records[2].stance = Some(stance(0.3, 0.1)); // polarity -0.2: under 0.25
    records[4].stance = Some(stance(0.2, 0.1));
    let found = tensions_in_article(&records, Some(TITLE), None, &TensionConfig::default());
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn unrelated_subjects_are_no_tension() {
    // No title and no shared words: nothing links them.
    let records = vec![
        sentence("b", 0, "The harvest in Kansas was excellent this autumn.", Some("farmers"), 0.02, 0.8),
        sentence("b", 1, "The museum roof collapsed after the storm.", Some("curators"), 0.8, 0.02),
    ];
    assert!(tensions_in_article(&records, None, None, &TensionConfig::default()).is_empty());
    // A title with no salient word links nothing.
    assert!(
        tensions_in_article(&records, Some("The one that was said"), None, &TensionConfig::default()).is_empty()
    );
    // With a title, the article's own topic links any two of its claims, at the title's (weaker) strength.
    let titled = tensions_in_article(&records, Some("Kansas news"), None, &TensionConfig::default());
    assert_eq!(titled.len(), 1);
    assert_eq!((titled[0].subject.link, titled[0].subject.strength), (LinkKind::Title, 0.5));
    // Shared words do.
    let records = vec![
        sentence("b", 0, "The Kansas harvest was excellent.", Some("farmers"), 0.02, 0.8),
        sentence("b", 1, "The Kansas harvest was a disaster.", Some("traders"), 0.8, 0.02),
    ];
    let found = tensions_in_article(&records, None, None, &TensionConfig::default());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].subject.link, LinkKind::Terms);
    assert_eq!(found[0].subject.text, "kansas harvest");
    assert!((found[0].subject.strength - 2.0 / 3.0).abs() < 1e-12, "2 shared of 3 words each");
}

#[test]
fn embeddings_link_paraphrases() {
    let records = vec![
        sentence("b", 0, "Inflation is finally under control.", Some("the minister"), 0.02, 0.8),
        sentence("b", 1, "Prices keep climbing for households.", Some("economists"), 0.8, 0.02),
    ];
    let e = |x: f32, y: f32| Some(vec![x, y, 0.0]);
    let close = [e(1.0, 0.1), e(1.0, 0.3)];
    let found = tensions_in_article(&records, None, Some(&close), &TensionConfig::default());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].subject.link, LinkKind::Embedding);
    let far = [e(1.0, 0.0), e(0.0, 1.0)];
    assert!(tensions_in_article(&records, None, Some(&far), &TensionConfig::default()).is_empty());
}

#[test]
fn a_shared_target_is_judged_by_the_stance_toward_it() {
    let target = |mention: &str, neg: f64, pos: f64| TargetStance {
        mention: mention.into(),
        span: Span::new(0, 1),
        stance: stance(neg, pos),
    };
    let mut records = vec![
        sentence("c", 0, "Smith praised the plan while the weather stayed grim.", Some("Jones"), 0.5, 0.3),
        sentence("c", 1, "Smith is failing, the unions said in a calm statement.", Some("unions"), 0.4, 0.3),
    ];
    records[0].targets = vec![target("Smith", 0.05, 0.8)];
    records[1].targets = vec![target("smith ", 0.8, 0.05)];
    let found = tensions_in_article(&records, None, None, &TensionConfig::default());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].subject.link, LinkKind::Target);
    assert_eq!(found[0].subject.text, "Smith");
    assert_eq!(found[0].sides[0].stance, StanceLabel::Positive);
    assert_eq!(found[0].sides[1].stance, StanceLabel::Negative);
}

#[test]
fn ids_are_deterministic_and_pairs_unique_and_bounded() {
    let mut records = miami();
    records.push(records[2].clone()); // a repeated index counts once
    let a = tensions_in_article(&records, Some(TITLE), None, &TensionConfig::default());
    let mut reversed = records.clone();
    reversed.reverse();
    let b = tensions_in_article(&reversed, Some(TITLE), None, &TensionConfig::default());
    let ids = |v: &[TensionRecord]| v.iter().map(|t| t.tension_id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b));
    let mut unique = ids(&a);
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), a.len());
    assert_eq!(a[0].tension_id, tension_id(("a", 0), ("a", 4)));
    // Many speakers on both sides: bounded by max_per_article.
    let many: Vec<SentenceRecord> = (0..60)
        .map(|i| {
            let (neg, pos) = if i % 2 == 0 { (0.02, 0.9) } else { (0.9, 0.02) };
            sentence("m", i, "Miami talks went on.", Some(&format!("speaker {i}")), neg, pos)
        })
        .collect();
    let config = TensionConfig { max_per_article: 5, ..TensionConfig::default() };
    assert_eq!(tensions_in_article(&many, Some(TITLE), None, &config).len(), 5);
}

#[test]
fn the_outlets_own_voice_is_one_source_per_outlet() {
    let mut records = vec![
        sentence("d", 0, "The Kansas harvest was excellent.", None, 0.02, 0.8),
        sentence("d", 1, "The Kansas harvest was a disaster.", None, 0.8, 0.02),
    ];
    assert!(tensions_in_article(&records, None, None, &TensionConfig::default()).is_empty());
    records[1].attribution = sentence("d", 1, "x", Some("traders"), 0.0, 0.0).attribution;
    assert_eq!(tensions_in_article(&records, None, None, &TensionConfig::default()).len(), 1);
}

#[test]
fn the_tracker_pairs_articles_by_subject_and_cluster_once() {
    let mut tracker = TensionTracker::new(TensionConfig::default());
    let a = sentence("x", 0, "The Kansas harvest was excellent.", Some("farmers"), 0.02, 0.8);
    let same_article = sentence("x", 1, "The Kansas harvest was a disaster.", Some("traders"), 0.8, 0.02);
    let mut other = sentence("y", 3, "The Kansas harvest was a disaster.", Some("traders"), 0.8, 0.02);
    other.article_source = Some("daily".into());
    let unrelated = sentence("z", 0, "The museum roof collapsed.", Some("curators"), 0.8, 0.02);
    assert!(tracker.observe(&a, None, None).is_empty());
    assert!(tracker.observe(&same_article, None, None).is_empty(), "same article: tensions_in_article's job");
    assert!(tracker.observe(&unrelated, None, None).is_empty());
    let found = tracker.observe(&other, None, None);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].scope, TensionScope::Story);
    assert_eq!(found[0].subject.link, LinkKind::Terms);
    assert_eq!(found[0].sides[0].article_id, "x");
    assert_eq!(found[0].sides[1].outlet.as_deref(), Some("daily"));
    assert!(tracker.observe(&other, None, None).is_empty(), "a repeat yields nothing");
    // One cluster links sentences with no word in common.
    let c1 = sentence("p", 0, "Ceasefire holds firmly.", Some("army"), 0.02, 0.8);
    let c2 = sentence("q", 0, "Shelling resumed overnight.", Some("residents"), 0.8, 0.02);
    assert!(tracker.observe(&c1, Some("k-1"), None).is_empty());
    let found = tracker.observe(&c2, Some("k-1"), None);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].scope, TensionScope::Cluster);
    assert_eq!(found[0].subject.cluster_id.as_deref(), Some("k-1"));
}

#[test]
fn the_tracker_forgets_claims_outside_the_window() {
    let config = TensionConfig { window_seconds: 3600, ..TensionConfig::default() };
    let mut tracker = TensionTracker::new(config);
    let mut old = sentence("x", 0, "The Kansas harvest was excellent.", Some("farmers"), 0.02, 0.8);
    old.published_at = Some(at(1).fixed_offset());
    let mut new = sentence("y", 0, "The Kansas harvest was a disaster.", Some("traders"), 0.8, 0.02);
    new.published_at = Some(at(5).fixed_offset());
    assert!(tracker.observe(&old, None, None).is_empty());
    assert!(tracker.observe(&new, None, None).is_empty());
    assert_eq!(tracker.len(), 1, "the old claim expired");
    // A late claim, behind the window of the newest, is not kept.
    let mut late = sentence("z", 0, "The Kansas harvest was excellent.", Some("farmers"), 0.02, 0.8);
    late.published_at = Some(at(2).fixed_offset());
    assert!(tracker.observe(&late, None, None).is_empty());
    assert_eq!(tracker.len(), 1);
}

#[test]
fn one_record_dated_far_ahead_does_not_make_the_tracker_forget() {
    let found_after_a_liar = |max_future_seconds: u64| {
        let config = TensionConfig { window_seconds: 3600, max_future_seconds, ..TensionConfig::default() };
        let mut tracker = TensionTracker::new(config);
        let good = sentence("x", 0, "The Kansas harvest was excellent.", Some("farmers"), 0.02, 0.8);
        assert!(tracker.observe(&good, None, None).is_empty());
        let mut liar = sentence("l", 0, "Tax rates will rise next spring.", Some("clerks"), 0.02, 0.8);
        liar.published_at = Some((at(12) + chrono::Duration::days(3650)).fixed_offset());
        tracker.observe(&liar, None, None);
        let bad = sentence("y", 0, "The Kansas harvest was a disaster.", Some("traders"), 0.8, 0.02);
        tracker.observe(&bad, None, None).len()
    };
    assert_eq!(found_after_a_liar(3600), 1, "the first claim is still in the window");
    assert_eq!(found_after_a_liar(u64::MAX), 0, "believed, the liar's date would have expired it");
}

#[test]
fn the_tracker_stays_bounded_under_a_flood() {
    let config = TensionConfig {
        max_claims: 300,
        max_per_key: 20,
        max_per_observe: 3,
        embedding_scan: 64,
        ..TensionConfig::default()
    };
    let mut tracker = TensionTracker::new(config);
    for i in 0..5000usize {
        let (neg, pos) = if i % 2 == 0 { (0.02, 0.9) } else { (0.9, 0.02) };
        let text = format!("The Kansas harvest report number w{} from field f{}.", i % 97, i);
        let s = sentence(&format!("art-{i}"), 0, &text, Some(&format!("speaker {}", i % 13)), neg, pos);
        let found = tracker.observe(&s, Some(&format!("k{}", i % 7)), Some(&[1.0, (i % 5) as f32]));
        assert!(found.len() <= 3);
        assert!(tracker.len() <= 300);
    }
    assert_eq!(tracker.len(), 300);
    // Every kept claim has at most max_terms + 2 keys, every key at most max_per_key entries.
    assert!(tracker.index_entries() <= 300 * 26, "{}", tracker.index_entries());
    assert!(tracker.keys() <= 300 * 26);
}

#[test]
fn hostile_input_never_panics() {
    let mut records = miami();
    records[0].stance.as_mut().unwrap().probs.positive = f64::NAN;
    records[1].stance.as_mut().unwrap().probs = StanceProbs { negative: -5.0, neutral: 0.0, positive: 1e308 };
    records[2].hedge = Some(tenor_core::Hedge { hedged: true, cues: vec![], certainty: f64::INFINITY });
    records[3].text = "\u{0}\u{200b}🙂 ".repeat(5000);
    records[3].sentence_index = usize::MAX;
    records[4].attribution.as_mut().unwrap().speaker.text = String::new();
    records[4].published_at = Some(DateTime::<Utc>::MAX_UTC.fixed_offset());
    let embeddings = [Some(vec![f32::NAN; 3]), Some(vec![]), None, Some(vec![1.0; 7]), Some(vec![0.0; 3])];
    let title = "\u{0}".repeat(10_000);
    for t in tensions_in_article(&records, Some(&title), Some(&embeddings), &TensionConfig::default()) {
        assert!(t.score.is_finite() && (0.0..=1.0).contains(&t.score));
    }
    tensions_in_article(&records, Some(TITLE), Some(&embeddings[..1]), &TensionConfig::default());
    let mut tracker = TensionTracker::new(TensionConfig { window_seconds: u64::MAX, ..TensionConfig::default() });
    for (r, e) in records.iter().zip(&embeddings) {
        tracker.observe(r, Some(""), e.as_deref());
    }
    let mut past = records[0].clone();
    past.article_id = "old".into();
    past.published_at = Some(DateTime::<Utc>::MIN_UTC.fixed_offset());
    tracker.observe(&past, None, None);
}

#[test]
fn the_config_says_which_value_is_wrong() {
    assert_eq!(TensionConfig::default().validate(), Ok(()));
    let bad = TensionConfig { min_polarity: 1.5, ..TensionConfig::default() };
    assert_eq!(bad.validate().unwrap_err().field, "min_polarity");
    let bad = TensionConfig { max_claims: 0, ..TensionConfig::default() };
    assert_eq!(bad.validate().unwrap_err().to_string(), "tension.max_claims: must be at least 1");
    let parsed: TensionConfig = serde_json::from_str(r#"{"min_polarity": 0.4}"#).unwrap();
    assert_eq!(parsed.min_polarity, 0.4);
    assert_eq!(parsed.max_claims, TensionConfig::default().max_claims);
    assert!(serde_json::from_str::<TensionConfig>(r#"{"min_polarty": 0.4}"#).is_err());
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    fn any_record() -> impl Strategy<Value = (String, usize, String, Option<String>, f64, f64, i64)> {
        (
            prop::sample::select(vec!["a", "b", "c"]).prop_map(str::to_owned),
            0usize..6,
            prop::sample::select(vec![
                "Miami talks productive",
                "no breakthrough in Miami talks",
                "",
                "\u{0}\u{feff}🙂 talks talks talks",
                "Kansas harvest excellent",
            ])
            .prop_map(str::to_owned),
            prop::option::of(
                prop::sample::select(vec!["Envoys", "the envoys", "officials", "", "  "]).prop_map(str::to_owned),
            ),
            prop::num::f64::ANY,
            -0.5f64..1.5,
            -1_000_000i64..1_000_000,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn any_records_give_bounded_well_formed_tensions(records in prop::collection::vec(any_record(), 0..24)) {
            let records: Vec<SentenceRecord> = records
                .into_iter()
                .map(|(article, index, text, speaker, neg, pos, minutes)| {
                    let mut r = sentence(&article, index, &text, speaker.as_deref(), neg, pos);
                    r.published_at = Some((at(12) + chrono::Duration::minutes(minutes)).fixed_offset());
                    r
                })
                .collect();
            let config = TensionConfig { max_per_article: 4, window_seconds: 3600, max_claims: 8, max_per_key: 2, ..TensionConfig::default() };
            let found = tensions_in_article(&records, Some(TITLE), None, &config);
            prop_assert!(found.len() <= 4);
            let mut tracker = TensionTracker::new(config);
            let mut all = found;
            for r in &records {
                let more = tracker.observe(r, Some("k"), None);
                prop_assert!(more.len() <= 8);
                prop_assert!(tracker.len() <= 8);
                all.extend(more);
            }
            for t in &all {
                prop_assert!(t.score.is_finite() && (0.0..=1.0).contains(&t.score));
                prop_assert!(t.sides[0].polarity * t.sides[1].polarity < 0.0);
                prop_assert!(t.sides[0].key() < t.sides[1].key());
                prop_assert_eq!(&t.tension_id, &tension_id(t.sides[0].key(), t.sides[1].key()));
            }
        }

        #[test]
        fn skipping_sides_too_weak_to_oppose_changes_no_tension(
            records in prop::collection::vec((any_record(), 0u8..5), 0..24),
            max_sides in 1usize..8,
        ) {
            let records: Vec<SentenceRecord> = records
                .into_iter()
                .map(|((article, index, text, speaker, neg, pos, _), shape)| {
                    let mut r = sentence(&article, index, &text, speaker.as_deref(), neg, pos);
                    match shape {
                        0 => r.kind = tenor_core::SentenceKind::Heading,
                        1 => r.claim.as_mut().unwrap().is_claim = false,
                        2 => r.stance = None,
                        _ => {}
                    }
                    r
                })
                .collect();
            let config = TensionConfig { max_sides_per_article: max_sides, ..TensionConfig::default() };
            // The rule as first written: every side built, then paired.
            let mut sides: Vec<Side> = Vec::new();
            for record in &records {
                prop_assert_eq!(Side::is_side(record, &config), Side::of(record, None, None, &config).is_some());
                if sides.len() >= config.max_sides_per_article {
                    break;
                }
                if let Some(side) = Side::of(record, None, None, &config) {
                    if !sides.iter().any(|s| s.key() == side.key()) {
                        sides.push(side);
                    }
                }
            }
            let mut expected = Vec::new();
            for (i, a) in sides.iter().enumerate() {
                for b in &sides[i + 1..] {
                    if a.article_id == b.article_id {
                        expected.extend(pair(a, b, TensionScope::Article, Some(TITLE), &config));
                    }
                }
            }
            best_first(&mut expected, config.max_per_article);
            prop_assert_eq!(tensions_in_article(&records, Some(TITLE), None, &config), expected);
        }
    }
}
