//! The encoder tier end to end: the pinned encoder (fetched by `scripts/fetch-encoder.sh`, which the test
//! script runs first) with the shipped heads, through the pipeline.

use std::sync::{Arc, OnceLock};

use chrono::{TimeZone, Utc};
use tenor_core::{ArticleMessage, Origin, ScoredBy, StanceLabel};
use tenor_encoder::{Encoder, EncoderConfig, Manifest, Precision};
use tenor_pipeline::{EncoderModels, Models, Pipeline, PipelineConfig, Tier, TierConfig};

fn encoder_models_at(precision: Precision) -> EncoderModels {
    static F32: OnceLock<Arc<Encoder>> = OnceLock::new();
    static INT8: OnceLock<Arc<Encoder>> = OnceLock::new();
    let manifest = Manifest::default_encoder();
    let cell = match precision {
        Precision::F32 => &F32,
        Precision::Int8 => &INT8,
    };
    let encoder =
        cell.get_or_init(|| {
            let dir = manifest.default_dir();
            let config = EncoderConfig { precision, ..Default::default() };
            Arc::new(Encoder::load(&dir, &manifest, config).unwrap_or_else(|e| {
                panic!("{e} (scripts/test.sh runs scripts/fetch-encoder.sh before the tests)")
            }))
        });
    EncoderModels::shipped(encoder.clone(), &manifest.weights_sha256).unwrap()
}

fn models(tier: Tier, encoder_share: f64) -> Models {
    models_at(tier, encoder_share, Precision::F32)
}

fn models_at(tier: Tier, encoder_share: f64, precision: Precision) -> Models {
    Models::shipped().unwrap().with_encoder(encoder_models_at(precision), TierConfig { tier, encoder_share })
}

/// `models/data/reference/sentences.tsv`: (label, sentence).
fn reference() -> Vec<(StanceLabel, &'static str)> {
    include_str!("../../../models/data/reference/sentences.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (label, text) = l.split_once('\t').unwrap();
            let label = match label {
                "negative" => StanceLabel::Negative,
                "neutral" => StanceLabel::Neutral,
                "positive" => StanceLabel::Positive,
                other => panic!("unknown label {other}"),
            };
            (label, text)
        })
        .collect()
}

/// How many reference sentences a tier labels right, with the misses.
fn reference_score(models: &Models) -> (usize, Vec<String>) {
    let table = reference();
    let texts: Vec<&str> = table.iter().map(|(_, t)| *t).collect();
    let scores = models.score_sentences(&texts, &[]).unwrap();
    let mut misses = Vec::new();
    for ((label, text), s) in table.iter().zip(&scores) {
        if s.stance.label != *label {
            misses.push(format!("{text:?}: {:?} {:.3} (want {label:?})", s.stance.label, s.stance.confidence));
        }
    }
    (table.len() - misses.len(), misses)
}

/// A regression floor, not the goal: measured 2026-12-04, the encoder tier's frozen sentence head gets
/// 28 of the 36 reference sentences right (the linear tier 27), but calls the negated-progress sentences ("no
/// significant breakthrough has emerged") and "Envoys described the talks as productive and constructive"
/// neutral. The goal (90 %, those three > 0.7) is not met; docs/MODELS.md, "Tiers", says why. The int8
/// encoder must get at least as many right as the f32 one (28 of 36 on 2026-12-05; "Int8 dense layers").
#[test]
fn the_encoder_tier_holds_its_reference_table_score() {
    assert!(reference().len() >= 30);
    let (right, misses) = reference_score(&models(Tier::Encoder, 1.0));
    let (linear_right, linear_misses) = reference_score(&models(Tier::Linear, 0.0));
    println!("encoder tier: {right} of {} right: {misses:#?}", reference().len());
    println!("linear tier: {linear_right} of {} right: {linear_misses:#?}", reference().len());
    assert!(right >= 28, "encoder tier: {right} right: {misses:#?}");
    let (int8_right, int8_misses) = reference_score(&models_at(Tier::Encoder, 1.0, Precision::Int8));
    println!("encoder tier, int8: {int8_right} of {} right: {int8_misses:#?}", reference().len());
    assert!(int8_right >= right, "int8: {int8_right} right, f32 {right}: {int8_misses:#?}");
}

fn article(body: &str) -> ArticleMessage {
    let payload = serde_json::json!({"id": "a1", "source": "wire", "body": body}).to_string();
    ArticleMessage::decode(payload.as_bytes(), &PipelineConfig::default().limits).unwrap()
}

const BODY: &str = "Envoys described the talks in Miami as productive and constructive. \
    No significant breakthrough has emerged, officials said. \
    The delegation is expected to arrive in Geneva on Monday. \
    Analysts said core disputes over territory remain unresolved. \
    The summit will be held in Brussels later this month.";

#[test]
fn every_record_says_which_tier_scored_it_and_its_evidence_selects_its_text() {
    let at = Utc.with_ymd_and_hms(2026, 12, 4, 0, 0, 0).unwrap();
    let origin = Origin::File { file: "t".into(), line: 1 };
    for (tier, expect) in [(Tier::Linear, ScoredBy::Linear), (Tier::Encoder, ScoredBy::Encoder)] {
        let pipeline = Pipeline::with_models(PipelineConfig::default(), models(tier, 0.0));
        let out = pipeline.process(&article(BODY), origin.clone(), at).unwrap();
        assert_eq!(out.sentences.len(), 5);
        for record in &out.sentences {
            assert_eq!(record.tier, Some(expect));
            assert_eq!(record.model.contains_key("encoder"), expect == ScoredBy::Encoder, "{:?}", record.model);
            let chars: Vec<char> = BODY.chars().collect();
            for e in &record.stance.as_ref().unwrap().evidence {
                assert_eq!(chars[e.span.start..e.span.end].iter().collect::<String>(), e.text);
                assert!(e.weight > 0.0);
            }
        }
        let json = serde_json::to_value(&out.sentences[0]).unwrap();
        assert_eq!(json["tier"], serde_json::json!(format!("{expect:?}").to_lowercase()));
    }
}

#[test]
fn the_cascade_sends_its_share_to_the_encoder_claims_and_doubt_first_and_replays_alike() {
    let at = Utc.with_ymd_and_hms(2026, 12, 4, 0, 0, 0).unwrap();
    let origin = Origin::File { file: "t".into(), line: 1 };
    let pipeline = Pipeline::with_models(PipelineConfig::default(), models(Tier::Cascade, 0.4));
    let out = pipeline.process(&article(BODY), origin.clone(), at).unwrap();
    let encoded: Vec<usize> =
        out.sentences.iter().filter(|r| r.tier == Some(ScoredBy::Encoder)).map(|r| r.sentence_index).collect();
    assert_eq!(encoded.len(), 2, "ceil(0.4 * 5) sentences go to the encoder");
    let linear = Models::shipped().unwrap();
    let texts: Vec<&str> = out.sentences.iter().map(|r| r.text.as_str()).collect();
    let linear_scores = linear.score_sentences(&texts, &[]).unwrap();
    assert_eq!(encoded, tenor_pipeline::cascade_pick(&linear_scores, 0.4));
    let again = pipeline.process(&article(BODY), origin, at).unwrap();
    assert_eq!(out, again);
}

/// `embed_claims` (what `serve` / `scorer` do for the claims service): an embedding on exactly the claim
/// sentences the encoder scored, naming the encoder, close to the float vector; none from the linear tier;
/// and `process` itself puts none on any record (`tenor run` output is unchanged).
#[test]
fn claim_sentences_the_encoder_scored_carry_its_embedding_when_asked() {
    let at = Utc.with_ymd_and_hms(2026, 12, 4, 0, 0, 0).unwrap();
    let origin = Origin::File { file: "t".into(), line: 1 };
    let manifest = Manifest::default_encoder();
    for (tier, share) in [(Tier::Encoder, 1.0), (Tier::Cascade, 0.4), (Tier::Linear, 0.0)] {
        let pipeline = Pipeline::with_models(PipelineConfig::default(), models(tier, share));
        let mut out = pipeline.process(&article(BODY), origin.clone(), at).unwrap();
        assert!(out.sentences.iter().all(|r| r.embedding.is_none()), "process alone adds none");
        let embedded = out.embed_claims();
        let mut expected = 0;
        for (i, record) in out.sentences.iter().enumerate() {
            let should = record.tier == Some(ScoredBy::Encoder)
                && record.kind == tenor_core::SentenceKind::Sentence
                && record.claim.as_ref().is_some_and(|c| c.is_claim);
            assert_eq!(record.embedding.is_some(), should, "{tier:?} sentence {i}: {record:?}");
            let Some(embedding) = &record.embedding else { continue };
            expected += 1;
            assert_eq!(embedding.encoder, tenor_core::encoder_id(&manifest.weights_sha256));
            assert_eq!(embedding.encoder, &record.model["encoder"].sha256[..16]);
            let values = embedding.values().unwrap();
            let float = out.embeddings[i].as_ref().unwrap();
            let cos: f32 = values.iter().zip(float).map(|(a, b)| a * b).sum::<f32>()
                / values.iter().map(|a| a * a).sum::<f32>().sqrt();
            assert!(cos > 0.999, "{cos}");
        }
        assert_eq!(embedded, expected);
        match tier {
            Tier::Linear => assert_eq!(embedded, 0),
            _ => assert!(embedded >= 1, "{tier:?}: some claim sentence was scored by the encoder"),
        }
    }
}

#[test]
fn a_head_for_another_encoder_is_refused() {
    let manifest = Manifest::default_encoder();
    let encoder = Arc::new(Encoder::load(&manifest.default_dir(), &manifest, EncoderConfig::default()).unwrap());
    let err = EncoderModels::shipped(encoder, &"0".repeat(64)).unwrap_err();
    assert!(err.to_string().contains("retrain the head"), "{err}");
}
