use chrono::{DateTime, Duration, Utc};
use tenor_core::{
    Attribution, MatchKind, SentenceKind, SentenceRecord, Span, Speaker, Stance, StanceLabel, StanceProbs,
    TextSpan,
};

use super::*;

fn at(hours: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-03-01T00:00:00Z").unwrap().with_timezone(&Utc) + Duration::hours(hours)
}

fn claim(article: &str, index: usize, text: &str, outlet: &str, hours: i64) -> SentenceRecord {
    crate::testing::claim_sentence(article, index, text, outlet, at(hours))
}

fn ids(index: &mut ClaimIndex, records: &[SentenceRecord]) -> Vec<String> {
    records.iter().map(|r| index.assign(r, None).unwrap().cluster_id).collect()
}

/// A unit vector along axis `i`, tilted toward axis `j` by `t`.
fn unit(i: usize, j: usize, t: f32) -> Vec<f32> {
    let mut v = vec![0.0f32; 384];
    v[i] = 1.0;
    v[j] += t;
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter().map(|x| x / n).collect()
}

#[test]
fn a_reprint_with_other_quotes_punctuation_and_case_joins() {
    let mut index = ClaimIndex::new(ClusterConfig::default());
    let first = index
        .assign(&claim("a1", 3, "\u{201c}We will not raise taxes,\u{201d} the minister said.", "Wire", 0), None)
        .unwrap();
    assert!(first.is_new);
    assert_eq!(first.record.matched_by, MatchKind::New);
    let again = index
        .assign(&claim("b7", 0, "\"WE WILL NOT RAISE TAXES\" -- the minister said", "Daily", 1), None)
        .unwrap();
    assert_eq!(again.cluster_id, first.cluster_id);
    assert_eq!(again.record.matched_by, MatchKind::Exact);
    assert_eq!((again.record.members, again.record.outlet_count), (2, 2));
    assert_eq!(again.record.outlets, ["Wire", "Daily"]);
    assert_eq!(again.record.canonical.article_id, "a1");
    assert_eq!(again.record.latest.article_id, "b7");
    // A re-edit: reporting words swapped, a dateline added.
    let edited = index
        .assign(
            &claim("c2", 5, "LONDON (Daily) - We will not raise taxes, the minister told reporters.", "Other", 2),
            None,
        )
        .unwrap();
    assert_eq!(edited.cluster_id, first.cluster_id);
    assert_eq!(edited.record.matched_by, MatchKind::Lexical);
    assert!(first.cluster_id.starts_with("c-") && first.cluster_id.len() == 18);
}

#[test]
fn unrelated_claims_stay_apart() {
    let mut index = ClaimIndex::new(ClusterConfig::default());
    let texts = [
        "The minister said taxes on fuel will rise next year.",
        "The minister said taxes on tobacco will fall next year.",
        "Police said three people were injured in the crash.",
        "The company expects profits to double by 2026.",
        "Rainfall this spring was the lowest on record, scientists said.",
    ];
    let records: Vec<SentenceRecord> =
        texts.iter().enumerate().map(|(i, t)| claim("a", i, t, "Wire", 0)).collect();
    let got = ids(&mut index, &records);
    let mut distinct = got.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), texts.len(), "{got:?}");
    assert_eq!(index.len(), texts.len());
}

#[test]
fn a_paraphrase_joins_by_embedding_only_when_embeddings_are_used() {
    let a = claim("a", 0, "The state must protect its community.", "Wire", 0);
    let b = claim("b", 0, "Keeping people safe is the government's first duty.", "Daily", 1);
    let (ea, eb) = (unit(0, 1, 0.0), unit(0, 1, 0.3)); // cosine 0.958
    let mut with = ClaimIndex::new(ClusterConfig::default());
    let first = with.assign(&a, Some(&ea)).unwrap();
    let second = with.assign(&b, Some(&eb)).unwrap();
    assert_eq!(second.cluster_id, first.cluster_id);
    assert_eq!(second.record.matched_by, MatchKind::Embedding);

    let mut lexical = ClaimIndex::new(ClusterConfig::default().lexical_only());
    let first = lexical.assign(&a, Some(&ea)).unwrap();
    let second = lexical.assign(&b, Some(&eb)).unwrap();
    assert_ne!(second.cluster_id, first.cluster_id, "no word overlap: apart without embeddings");

    // Far embeddings keep them apart with embeddings too.
    let mut with = ClaimIndex::new(ClusterConfig::default());
    let first = with.assign(&a, Some(&ea)).unwrap();
    let second = with.assign(&b, Some(&unit(2, 1, 0.0))).unwrap();
    assert_ne!(second.cluster_id, first.cluster_id);
    // Wrong width, NaN: ignored, never a panic.
    assert!(with.assign(&b, Some(&[0.5; 3])).is_some());
    assert!(with.assign(&b, Some(&[f32::NAN; 384])).is_some());
}

#[test]
fn a_slot_reused_after_expiry_does_not_keep_the_old_embedding() {
    let mut index = ClaimIndex::new(ClusterConfig { window_seconds: 3600, ..ClusterConfig::default() });
    let e = unit(0, 1, 0.0);
    let old = index.assign(&claim("a", 0, "The state must protect its community.", "Wire", 0), Some(&e)).unwrap();
    index.expire(at(2));
    assert!(index.is_empty());
    // "b" (no embedding) takes the expired cluster's slot.
    let words = "Harbour cranes unload grain ships at dawn near the old river port";
    let reused = index.assign(&claim("b", 0, words, "Wire", 2), None).unwrap();
    assert_eq!(index.len(), 1);
    // Shares words with "b" (a lexical candidate, below the lexical threshold) and has the expired cluster's
    // embedding: nothing to join, since "b" has no embedding.
    let text = "Harbour cranes unload grain ships at dawn near the new city docks today";
    let next = index.assign(&claim("d", 0, text, "Post", 2), Some(&e)).unwrap();
    assert!(next.is_new, "joined {} by a stale embedding", next.cluster_id);
    assert_ne!(next.cluster_id, reused.cluster_id);
    assert_ne!(next.cluster_id, old.cluster_id);
    // ... and the embedding it opened with is its own: the same vector joins it.
    let again = index.assign(&claim("e", 0, "Dock work stopped.", "Post", 2), Some(&e)).unwrap();
    assert_eq!(again.cluster_id, next.cluster_id);
    assert_eq!(again.record.matched_by, MatchKind::Embedding);
}

#[test]
fn only_claim_sentences_are_assigned() {
    let mut index = ClaimIndex::new(ClusterConfig::default());
    let mut r = claim("a", 0, "Taxes will rise.", "Wire", 0);
    r.claim.as_mut().unwrap().is_claim = false;
    assert!(index.assign(&r, None).is_none());
    r.claim = None;
    assert!(index.assign(&r, None).is_none());
    let mut h = claim("a", 0, "Taxes will rise", "Wire", 0);
    h.kind = SentenceKind::Heading;
    assert!(index.assign(&h, None).is_none());
    assert!(index.is_empty());
}

#[test]
fn the_same_input_gives_the_same_ids_and_records() {
    let records: Vec<SentenceRecord> = (0..300)
        .map(|i| {
            let who = ["Officials", "Firefighters", "The mayor", "Neighbours", "Engineers", "Insurers", "Police"];
            let what = ["homes", "bridges", "schools", "farms", "roads", "boats", "shops", "trains", "parks"];
            let how = ["flooded", "burned", "closed", "rebuilt", "sold", "damaged", "inspected", "insured"];
            let text = format!("{} said the {} were {} overnight.", who[i % 7], what[i % 9], how[i % 8]);
            let mut r = claim(&format!("a{i}"), i % 5, &text, ["Wire", "Daily", "Post"][i % 3], (i / 10) as i64);
            r.stance = Some(Stance {
                label: StanceLabel::ALL[i % 3],
                confidence: 0.6,
                probs: StanceProbs { negative: 0.2, neutral: 0.2, positive: 0.6 },
                evidence: Vec::new(),
            });
            r
        })
        .collect();
    let run = || {
        let mut index = ClaimIndex::new(ClusterConfig::default());
        records
            .iter()
            .enumerate()
            .map(|(i, r)| index.assign(r, Some(&unit(i % 380, 383, 0.1))))
            .collect::<Vec<_>>()
    };
    let (one, two) = (run(), run());
    assert_eq!(one, two);
    let clusters: std::collections::BTreeSet<&str> = one.iter().flatten().map(|a| a.cluster_id.as_str()).collect();
    assert!(clusters.len() > 10 && clusters.len() < 300, "{}", clusters.len());
}

#[test]
fn clusters_expire_after_the_window() {
    let config = ClusterConfig { window_seconds: 3600, ..ClusterConfig::default() };
    let mut index = ClaimIndex::new(config);
    let first = index.assign(&claim("a", 0, "Taxes will rise next year.", "Wire", 0), None).unwrap();
    let later = index.assign(&claim("b", 0, "Taxes will rise next year.", "Wire", 0), None).unwrap();
    assert_eq!(later.cluster_id, first.cluster_id);
    index.assign(&claim("c", 0, "Something else entirely happened today.", "Wire", 0), None);
    assert_eq!(index.len(), 2);
    index.expire(at(2));
    assert!(index.is_empty());
    // The same text after the window opens a new cluster (its first member differs: a new id).
    let again = index.assign(&claim("d", 0, "Taxes will rise next year.", "Wire", 3), None).unwrap();
    assert!(again.is_new);
    assert_ne!(again.cluster_id, first.cluster_id);
    // Lazily inside assign: a member two hours later drops the one-hour-old cluster.
    index.assign(&claim("e", 0, "A different claim about the weather.", "Wire", 5), None);
    assert_eq!(index.len(), 1);
    // Out-of-order members: first_seen is the earliest.
    let late = index.assign(&claim("f", 0, "A different claim about the weather.", "Post", 4), None).unwrap();
    assert_eq!(late.record.first_seen.article_id, "f");
    assert_eq!(late.record.canonical.article_id, "e");
}

#[test]
fn a_boilerplate_sentence_in_every_article_is_capped_and_bounded() {
    let config = ClusterConfig::default();
    let max_members = config.max_members;
    let mut index = ClaimIndex::new(config);
    // The hyperplanes are a fixed cost (16 x 16 x 384 floats); everything else grows with the clusters.
    let empty = index.state_bytes();
    let mut last = None;
    for i in 0..50_000usize {
        let mut r = claim(&format!("a{i}"), 0, "Subscribe now for unlimited access to our journalism.", "", 0);
        r.article_source = Some(format!("outlet-{}", i % 5000));
        r.attribution = Some(Attribution {
            speaker: Speaker { text: format!("Person {i}"), span: Span::new(0, 1), resolved: None },
            cue: TextSpan { text: "said".into(), span: Span::new(0, 1) },
            content: None,
            quote: None,
        });
        last = index.assign(&r, None);
    }
    let last = last.unwrap();
    assert_eq!(index.len(), 1);
    assert!(last.record.capped);
    assert_eq!(last.record.members, 50_000);
    assert!(last.record.members > max_members);
    assert_eq!(last.record.outlets.len(), 32);
    assert_eq!(last.record.speakers.len(), 16);
    assert!(index.state_bytes() < empty + 16 * 1024, "{} bytes", index.state_bytes() - empty);
}

#[test]
fn a_flood_of_identical_articles_from_many_outlets_stays_bounded() {
    let mut index = ClaimIndex::new(ClusterConfig::default());
    let empty = index.state_bytes();
    let sentences = ["The storm killed 12 people, officials said.", "Power was cut to 40,000 homes."];
    let mut record = None;
    for i in 0..20_000usize {
        for (k, s) in sentences.iter().enumerate() {
            let r = claim(&format!("copy-{i}"), k, s, &format!("Outlet number {i}"), 0);
            record = index.assign(&r, Some(&unit(k, 5, 0.1)));
        }
    }
    let record = record.unwrap().record;
    assert_eq!(index.len(), 2);
    assert_eq!(record.outlets.len(), 32);
    assert_eq!(record.outlet_count, 1024, "counted exactly up to max_outlets_counted");
    // 1,024 outlet hashes of 8 bytes and 32 names per cluster, two clusters.
    assert!(index.state_bytes() < empty + 32 * 1024, "{} bytes", index.state_bytes() - empty);
}

#[test]
fn hostile_text_never_panics() {
    let mut index = ClaimIndex::new(ClusterConfig::default());
    let huge = "word ".repeat(200_000) + "\u{202e}";
    let texts = [
        "",
        " ",
        "\u{0}\u{1}\u{7f}\u{feff}",
        "\u{5d0}\u{5d1}\u{5d2} \u{202b}\u{627}\u{644}\u{639}\u{631}\u{628}\u{64a}\u{629}\u{202c} !!!",
        "😀😀😀",
        "e\u{301}\u{301}\u{301}\u{301}\u{301}",
        &huge,
        "\u{2028}\u{2029}\r\n\t",
    ];
    for (i, text) in texts.iter().enumerate() {
        for embedding in [None, Some(vec![0.0f32; 384]), Some(vec![f32::INFINITY; 384])] {
            let a = index.assign(&claim("x", i, text, "\u{202e}Wire", 0), embedding.as_deref()).unwrap();
            assert!(a.record.canonical.text.len() <= 1000);
        }
    }
    let mut far = claim("y", 0, "Far future.", "Wire", 0);
    far.published_at = Some(DateTime::parse_from_rfc3339("9999-12-31T23:59:59+14:00").unwrap());
    assert!(index.assign(&far, None).is_some());
    let mut past = claim("y", 1, "Far past.", "Wire", 0);
    past.published_at = Some(DateTime::parse_from_rfc3339("0001-01-01T00:00:00-14:00").unwrap());
    assert!(index.assign(&past, None).is_some());
    index.expire(DateTime::<Utc>::MAX_UTC);
    assert!(index.is_empty());
}

#[test]
fn the_configuration_is_checked() {
    assert!(ClusterConfig::default().validate().is_ok());
    let bad = ClusterConfig { lexical_threshold: 1.5, ..ClusterConfig::default() };
    assert!(bad.validate().unwrap_err().contains("lexical_threshold"));
    let bad = ClusterConfig { max_outlets_counted: 1, ..ClusterConfig::default() };
    assert!(bad.validate().unwrap_err().contains("max_outlets_counted"));
    let bad = ClusterConfig { window_seconds: 0, ..ClusterConfig::default() };
    assert!(bad.validate().is_err());
}

#[test]
fn one_record_dated_far_ahead_does_not_expire_every_cluster() {
    let mut index = ClaimIndex::new(ClusterConfig { window_seconds: 3600, ..ClusterConfig::default() });
    let first =
        index.assign(&claim("a", 0, "The bridge will reopen before the end of the month", "Wire", 0), None);
    let first = first.unwrap().cluster_id;
    // Processed now, but claiming to be published in ten years.
    let mut liar = claim("b", 0, "An unrelated claim about tax rates next spring", "Post", 0);
    liar.published_at = Some((at(0) + Duration::days(3650)).fixed_offset());
    index.assign(&liar, None).unwrap();
    assert_eq!(index.len(), 2, "the first cluster is still in the window");
    let again =
        index.assign(&claim("c", 0, "The bridge will reopen before the end of the month", "Daily", 1), None);
    assert_eq!(again.unwrap().cluster_id, first);
    assert_eq!(event_time(&liar, 3600), liar.processed_at);
    let honest = claim("d", 0, "x", "Wire", 0);
    assert_eq!(event_time(&honest, 3600), at(0));
}
