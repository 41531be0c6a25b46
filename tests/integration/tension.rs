//! Tension on the pipeline's real output: an article shaped like the Miami report (envoys praise talks,
//! officials see no breakthrough, analysts see core disputes unresolved, hedged intelligence), written for
//! this test in other words, through `tenor_pipeline` with the built-in linear models and with the encoder
//! tier, then `tenor_claims::tension`.

use std::sync::{Arc, OnceLock};

use chrono::{TimeZone, Utc};
use tenor_claims::tension::{tensions_in_article, TensionConfig, TensionTracker};
use tenor_core::{ArticleMessage, LinkKind, Origin, SentenceRecord, TensionRecord, TensionScope};
use tenor_encoder::{Encoder, EncoderConfig, Manifest};
use tenor_pipeline::{EncoderModels, Models, Pipeline, PipelineConfig, Tier, TierConfig};

pub const TITLE: &str = "Ceasefire talks in Geneva close without a deal";

/// Sentence 0: the envoys' praise; 1: the chief negotiator's "real progress"; 2: no breakthrough; 3: core
/// disputes unresolved; 4: hedged intelligence.
const BODY: &str = "Envoys from both delegations described the ceasefire talks in Geneva as productive and \
    constructive, according to a joint statement. \"We made real progress,\" the chief negotiator said. \
    However, diplomats familiar with the negotiations said no significant breakthrough has emerged. \
    Observers noted that the core disputes over the border remain unresolved. \
    Intelligence assessments suggest that the government's war aims are unchanged, according to two people \
    briefed on them.";

fn encoder() -> Arc<Encoder> {
    static ENCODER: OnceLock<Arc<Encoder>> = OnceLock::new();
    ENCODER
        .get_or_init(|| {
            let manifest = Manifest::default_encoder();
            Arc::new(Encoder::load(&manifest.default_dir(), &manifest, EncoderConfig::default()).unwrap_or_else(
                |e| panic!("{e} (scripts/test.sh runs scripts/fetch-encoder.sh before the tests)"),
            ))
        })
        .clone()
}

fn models(tier: Tier) -> Models {
    let linear = Models::shipped().unwrap();
    if tier == Tier::Linear {
        return linear;
    }
    let manifest = Manifest::default_encoder();
    let heads = EncoderModels::shipped(encoder(), &manifest.weights_sha256).unwrap();
    linear.with_encoder(heads, TierConfig { tier, encoder_share: 1.0 })
}

/// The article's sentence records, as the pipeline makes them with `tier`.
pub fn records(tier: Tier) -> Vec<SentenceRecord> {
    let payload = serde_json::json!({
        "id": "geneva-1", "source": "wire-a", "title": TITLE, "published_at": "2026-12-01T10:00:00Z", "body": BODY
    })
    .to_string();
    let article = ArticleMessage::decode(payload.as_bytes(), &PipelineConfig::default().limits).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 12, 4, 0, 0, 0).unwrap();
    let pipeline = Pipeline::with_models(PipelineConfig::default(), models(tier));
    let out = pipeline.process(&article, Origin::File { file: "t".into(), line: 1 }, at).unwrap();
    assert_eq!(out.sentences.len(), 5, "{:#?}", out.sentences.iter().map(|r| &r.text).collect::<Vec<_>>());
    out.sentences
}

/// The article's tensions with `tier`'s records (and, for the encoder tier, its sentence embeddings).
pub fn tensions(tier: Tier) -> (Vec<SentenceRecord>, Vec<TensionRecord>) {
    let records = records(tier);
    let embeddings: Option<Vec<Option<Vec<f32>>>> = (tier == Tier::Encoder).then(|| {
        let texts: Vec<&str> = records.iter().map(|r| r.text.as_str()).collect();
        encoder().encode(&texts).unwrap().iter().map(|e| Some(e.embedding())).collect()
    });
    let found = tensions_in_article(&records, Some(TITLE), embeddings.as_deref(), &TensionConfig::default());
    (records, found)
}

fn describe(records: &[SentenceRecord]) -> String {
    records
        .iter()
        .map(|r| {
            let p = &r.stance.as_ref().unwrap().probs;
            let speaker = r.attribution.as_ref().map(|a| (a.speaker.text.clone(), a.speaker.resolved.clone()));
            format!(
                "{} {speaker:?} neg {:.2} neu {:.2} pos {:.2} claim {:?}",
                r.sentence_index, p.negative, p.neutral, p.positive, r.claim
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The envoys' side (0 or 1) meets the "no significant breakthrough" (2) or the "core
/// disputes remain unresolved" (3) side, and never itself.
fn assert_the_report_is_paired(tier: Tier) {
    let (records, found) = tensions(tier);
    let table = describe(&records);
    println!("{tier:?}:\n{table}\n{found:#?}");
    let envoys = |i: usize| i <= 1;
    let doubts = |i: usize| i == 2 || i == 3;
    let hit = found
        .iter()
        .find(|t| envoys(t.sides[0].sentence_index) && doubts(t.sides[1].sentence_index))
        .unwrap_or_else(|| panic!("{tier:?}: no tension pairs the envoys with the doubts\n{table}\n{found:#?}"));
    assert_eq!(hit.scope, TensionScope::Article);
    let envoy = hit.sides[0].speaker.as_deref();
    assert!(matches!(envoy, Some("Envoys from both delegations" | "the chief negotiator")), "{hit:#?}");
    let doubter =
        if hit.sides[1].sentence_index == 2 { "diplomats familiar with the negotiations" } else { "Observers" };
    assert_eq!(hit.sides[1].speaker.as_deref(), Some(doubter), "{hit:#?}");
    assert!(hit.sides[0].polarity > 0.0 && hit.sides[1].polarity < 0.0, "{hit:#?}");
    assert_eq!(hit.sides[0].outlet.as_deref(), Some("wire-a"));
    assert_eq!(hit.sides[0].time.to_rfc3339(), "2026-12-01T10:00:00+00:00");
    assert!(matches!(hit.subject.link, LinkKind::Title | LinkKind::Terms | LinkKind::Embedding), "{hit:#?}");
    if hit.subject.link == LinkKind::Title {
        assert_eq!(hit.subject.text, TITLE);
    }
    assert!(hit.score > 0.0 && hit.score <= 1.0);
    for t in &found {
        assert!(!(envoys(t.sides[0].sentence_index) && envoys(t.sides[1].sentence_index)), "both praise: {t:#?}");
        assert!(!(doubts(t.sides[0].sentence_index) && doubts(t.sides[1].sentence_index)), "they agree: {t:#?}");
    }
    // Deterministic: the same records give the same records, ids included.
    assert_eq!(tensions(tier).1, found);
}

#[test]
fn the_linear_tier_pairs_the_envoys_with_the_doubts() {
    assert_the_report_is_paired(Tier::Linear);
}

#[test]
fn the_encoder_tier_pairs_the_envoys_with_the_doubts() {
    assert_the_report_is_paired(Tier::Encoder);
}

#[test]
fn the_tracker_pairs_a_second_outlet_within_one_cluster() {
    let records = records(Tier::Linear);
    let mut tracker = TensionTracker::new(TensionConfig::default());
    let mut found = Vec::new();
    for r in &records {
        found.extend(tracker.observe(r, Some("k-geneva"), None));
    }
    assert!(found.is_empty(), "one article gives no cross-article tension: {found:#?}");
    // The same report from another outlet, in the same claim cluster.
    for r in &records {
        let mut again = r.clone();
        again.article_id = "geneva-2".into();
        again.article_source = Some("wire-b".into());
        found.extend(tracker.observe(&again, Some("k-geneva"), None));
    }
    let hit = found
        .iter()
        .find(|t| t.sides[0].sentence_index == 0 && matches!(t.sides[1].sentence_index, 2 | 3))
        .unwrap_or_else(|| panic!("no cross-outlet tension\n{}\n{found:#?}", describe(&records)));
    assert_eq!((hit.sides[0].article_id.as_str(), hit.sides[1].article_id.as_str()), ("geneva-1", "geneva-2"));
    assert_eq!(hit.scope, TensionScope::Cluster);
    assert_eq!(hit.subject.cluster_id.as_deref(), Some("k-geneva"));
    for t in &found {
        assert_ne!(t.sides[0].article_id, t.sides[1].article_id);
        assert_ne!(t.sides[0].speaker, t.sides[1].speaker, "one speaker in two outlets is one source: {t:#?}");
    }
}
