//! The claims service against a real broker (Tansu, SQLite storage): sentence records in, claim clusters out,
//! and a `kill -9` mid-stream changes nothing a consumer of `tenor.claims` can see: every cluster's latest
//! record (id, members, outlets, speakers, stance mix) is the one an uninterrupted in-process run gives. With
//! `serve --tier encoder` in front, paraphrases that share few words join one cluster (embeddings on the
//! sentence records); the tension tracker's memory survives a `kill -9`.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};
use tenor_claims::cluster::{ClaimIndex, ClusterConfig};
use tenor_core::SentenceRecord;

use crate::broker::{Message, Service, Tansu};
use crate::claim_stream::reprinted;
use crate::kafka_crash::kill_mid_stream;

/// The latest record of every cluster after an uninterrupted in-process run over `records`.
fn expected(records: &[Value]) -> BTreeMap<String, Value> {
    let mut index = ClaimIndex::new(ClusterConfig::default());
    let mut latest = BTreeMap::new();
    for value in records {
        let record: SentenceRecord = serde_json::from_value(value.clone()).unwrap();
        if let Some(a) = index.assign(&record, None) {
            latest.insert(a.cluster_id, serde_json::to_value(&a.record).unwrap());
        }
    }
    latest
}

#[test]
fn killing_the_claims_service_mid_stream_changes_no_cluster() {
    let records = reprinted(400);
    let want = expected(&records);
    assert!(want.len() < records.len() / 2, "the stream repeats claims: {} clusters", want.len());
    assert!(want.values().any(|r| r["members"].as_u64().unwrap() >= 30), "some clusters are large");
    let messages: Vec<Message> = records
        .iter()
        .map(|r| (Some(r["article_id"].as_str().unwrap().to_owned()), r.to_string().into_bytes()))
        .collect();
    let (first, rest) = messages.split_at(240);

    let broker = Tansu::start_durable();
    // One input partition: the order of the stream is the order of the in-process run.
    broker.create_topics(&["tenor.sentences"], 1);
    broker.produce("tenor.sentences", first);
    let flags = ["--set", "delivery.max_in_flight=8"];
    let mut claims = Service::start(&broker, "claims", &flags);
    let series = r#"tenor_stage_seconds_count{stage="cluster"}"#;
    let at_kill = kill_mid_stream(&mut claims, series, 80.0, 240.0);
    broker.produce("tenor.sentences", rest);
    claims.restart(&broker, &flags);

    let mut latest: BTreeMap<String, Value> = BTreeMap::new();
    broker.read_until("tenor.claims", Duration::from_secs(120), |r| {
        latest.insert(r.key.clone().unwrap_or_default(), r.value.clone());
        want.iter().all(|(id, record)| latest.get(id) == Some(record))
    });
    let mismatched: Vec<(&String, &Value, Option<&Value>)> =
        want.iter().filter(|(id, r)| latest.get(*id) != Some(*r)).map(|(id, r)| (id, r, latest.get(id))).collect();
    if !mismatched.is_empty() {
        // The changelog in log order: (key, op, input offset).
        let changelog: Vec<(String, String, i64)> = broker
            .read_until("tenor.claims.changelog", Duration::from_secs(10), |_| false)
            .iter()
            .map(|r| {
                (
                    r.key.clone().unwrap_or_default(),
                    r.value["op"].as_str().unwrap_or("tombstone").to_owned(),
                    r.value["input"]["offset"].as_i64().unwrap_or(-1),
                )
            })
            .collect();
        panic!(
            "clusters differ after kill -9 at ~{at_kill}: {mismatched:#?}\nchangelog: {changelog:?}\n{}",
            claims.log_text()
        );
    }
    assert_eq!(latest.len(), want.len(), "no cluster beyond the in-process run's");
    assert!(claims.metric("tenor_claim_clusters_restored_total") > 0.0, "the restart read the changelog back");
    assert_eq!(claims.metric("tenor_claim_clusters"), want.len() as f64);
    assert_eq!(claims.metric(r#"tenor_skipped_offsets_total{topic="tenor.sentences"}"#), 0.0);
    eprintln!(
        "claims crash test: {} sentences, {} clusters, killed at ~{at_kill}, {} replayed records skipped",
        records.len(),
        want.len(),
        claims.metric("tenor_claims_replay_skipped_total")
    );
}

/// A cluster the window drops is a tombstone in the changelog on the broker (a null value under its id, so
/// compaction drops the key), and a restart reads it as gone: the restored index holds the in-process run's
/// live clusters, no more.
#[test]
fn a_cluster_the_window_drops_is_a_tombstone_and_stays_gone_after_a_restart() {
    // A minute apart, in a two-minute window: most clusters are dropped as the stream goes.
    let records = reprinted(24);
    let config = ClusterConfig { window_seconds: 120, ..ClusterConfig::default() };
    let mut index = ClaimIndex::new(config);
    index.report_expired();
    let mut dropped = std::collections::BTreeSet::new();
    for value in &records {
        let record: SentenceRecord = serde_json::from_value(value.clone()).unwrap();
        index.assign(&record, None);
        dropped.extend(index.take_expired());
    }
    assert!(dropped.len() >= 5 && index.len() >= 2, "{} dropped, {} live", dropped.len(), index.len());
    let messages: Vec<Message> = records.iter().map(|r| (Some("k".into()), r.to_string().into_bytes())).collect();
    let broker = Tansu::start_durable();
    broker.create_topics(&["tenor.sentences"], 1);
    broker.produce("tenor.sentences", &messages);
    let flags = ["--set", "cluster.window_seconds=120"];
    let mut claims = Service::start(&broker, "claims", &flags);
    let mut tombstones = std::collections::BTreeSet::new();
    broker.read_until("tenor.claims.changelog", Duration::from_secs(60), |r| {
        if r.value.is_null() {
            tombstones.insert(r.key.clone().unwrap_or_default());
        }
        tombstones == dropped
    });
    assert_eq!(tombstones, dropped, "{}", claims.log_text());
    claims.kill_hard();
    claims.restart(&broker, &flags);
    assert_eq!(claims.metric("tenor_claim_clusters"), index.len() as f64, "{}", claims.log_text());
    // A tombstone misread would leave the upsert before it standing: its cluster would come back.
    assert_eq!(claims.metric("tenor_claim_clusters_restored_total"), index.len() as f64);
}

/// Hostile input on the claims service's topic goes to the dead-letter topic with its reason; the records
/// after it are clustered.
#[test]
fn a_malformed_sentence_record_is_dead_lettered_and_the_rest_clustered() {
    let records = reprinted(10);
    let mut messages: Vec<Message> = vec![(Some("bad".into()), b"{not json".to_vec())];
    messages.extend(records.iter().map(|r| (Some("k".into()), r.to_string().into_bytes())));
    let broker = Tansu::start_durable();
    broker.create_topics(&["tenor.sentences"], 1);
    broker.produce("tenor.sentences", &messages);
    let claims = Service::start(&broker, "claims", &[]);
    let want = expected(&records);
    let mut latest: BTreeMap<String, Value> = BTreeMap::new();
    broker.read_until("tenor.claims", Duration::from_secs(60), |r| {
        latest.insert(r.key.clone().unwrap_or_default(), r.value.clone());
        latest == want
    });
    assert_eq!(latest, want, "{}", claims.log_text());
    let dlq = broker.read_until("tenor.dlq", Duration::from_secs(30), |_| true);
    assert_eq!(dlq.len(), 1);
    assert_eq!(dlq[0].value["reason"], "invalid_json");
    assert_eq!(dlq[0].value["service"], "tenor-claims");
    // The service runs with `kafka.topic_partitions=2`; its changelog is created with one, and says so.
    let log = without_escapes(&claims.log_text());
    let created = log
        .lines()
        .find(|l| l.contains("topic created") && l.contains("topic=tenor.claims.changelog"))
        .unwrap_or_else(|| panic!("no creation of the changelog logged: {log}"));
    assert!(created.contains("partitions=1 "), "{created}");
}

/// `text` without its terminal colour sequences (ESC `[` … `m`).
fn without_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(|&c| c == 'm');
        } else {
            out.push(c);
        }
    }
    out
}

/// A paraphrase pair (two outlets' wording of one statement) that lexical matching keeps apart and the
/// encoder's embeddings join: chosen with the in-process index (`the_paraphrase_pair_is_joined_by_embeddings_only`).
const PARAPHRASE: [&str; 2] = [
    "\"The airline cancelled hundreds of flights because of the storm,\" a spokeswoman said.",
    "\"Hundreds of flights were called off by the carrier due to the storm,\" a spokeswoman said.",
];

/// The pair as two articles of two outlets, an hour apart.
fn paraphrase_articles() -> Vec<Message> {
    PARAPHRASE
        .iter()
        .enumerate()
        .map(|(i, body)| {
            let id = format!("storm-{i}");
            let outlet = ["Wire", "Post"][i];
            let article = json!({
                "id": id, "source": outlet, "body": body,
                "published_at": format!("2026-12-01T1{i}:00:00Z"),
            });
            (Some(id), article.to_string().into_bytes())
        })
        .collect()
}

fn pipeline(tier: tenor_pipeline::Tier) -> tenor_pipeline::Pipeline {
    use tenor_encoder::{Encoder, EncoderConfig, Manifest};
    use tenor_pipeline::{EncoderModels, Models, Pipeline, PipelineConfig, TierConfig};
    let models = Models::shipped().unwrap();
    let models = if tier == tenor_pipeline::Tier::Linear {
        models
    } else {
        let manifest = Manifest::default_encoder();
        let encoder = Encoder::load(&manifest.default_dir(), &manifest, EncoderConfig::default())
            .unwrap_or_else(|e| panic!("{e} (scripts/test.sh runs scripts/fetch-encoder.sh before the tests)"));
        let heads = EncoderModels::shipped(std::sync::Arc::new(encoder), &manifest.weights_sha256).unwrap();
        models.with_encoder(heads, TierConfig { tier, encoder_share: 1.0 })
    };
    Pipeline::with_models(PipelineConfig::default(), models)
}

/// The pair's sentence records as `serve` makes them with `tier` (embeddings on, as by default).
fn paraphrase_records(tier: tenor_pipeline::Tier) -> Vec<SentenceRecord> {
    let pipeline = pipeline(tier);
    let mut records = Vec::new();
    for (i, (_, payload)) in paraphrase_articles().iter().enumerate() {
        let origin = tenor_core::Origin::File { file: "t".into(), line: i as u64 + 1 };
        let mut out = pipeline.process_message(payload, origin).unwrap();
        out.embed_claims();
        assert_eq!(out.sentences.len(), 1);
        records.extend(out.sentences);
    }
    records
}

/// The pick of the pair, in-process: its words are too different for the lexical step (two clusters without
/// embeddings, whatever the tier), and its embeddings close enough for the embedding step, both as the
/// encoder gives them (`tenor run`) and as the claims service reads them back from the records (quantised).
#[test]
fn the_paraphrase_pair_is_joined_by_embeddings_only() {
    let clusters = |records: &[SentenceRecord], vectors: &[Option<Vec<f32>>]| {
        let mut index = ClaimIndex::new(ClusterConfig::default());
        let ids: Vec<_> = records
            .iter()
            .zip(vectors)
            .map(|(r, v)| index.assign(r, v.as_deref()).expect("a claim sentence").record)
            .collect();
        ids
    };
    for tier in [tenor_pipeline::Tier::Linear, tenor_pipeline::Tier::Encoder] {
        let records = paraphrase_records(tier);
        let lexical = clusters(&records, &[None, None]);
        assert_ne!(lexical[0].cluster_id, lexical[1].cluster_id, "{tier:?}: lexically apart");
        assert_eq!(records.iter().all(|r| r.embedding.is_some()), tier == tenor_pipeline::Tier::Encoder);
    }
    let records = paraphrase_records(tenor_pipeline::Tier::Encoder);
    let wire: Vec<Option<Vec<f32>>> =
        records.iter().map(|r| Some(r.embedding.as_ref().unwrap().values().unwrap())).collect();
    let joined = clusters(&records, &wire);
    assert_eq!(joined[1].cluster_id, joined[0].cluster_id);
    assert_eq!(joined[1].matched_by, tenor_core::MatchKind::Embedding);
    let pipeline = pipeline(tenor_pipeline::Tier::Encoder);
    let floats: Vec<Option<Vec<f32>>> = paraphrase_articles()
        .iter()
        .map(|(_, p)| {
            let origin = tenor_core::Origin::File { file: "t".into(), line: 1 };
            pipeline.process_message(p, origin).unwrap().embeddings.remove(0)
        })
        .collect();
    let cosine: f32 =
        floats[0].as_ref().unwrap().iter().zip(floats[1].as_ref().unwrap()).map(|(a, b)| a * b).sum();
    eprintln!("paraphrase pair: cosine {cosine:.3}");
    assert!(cosine >= 0.80, "above the embedding threshold: {cosine}");
    let in_process = clusters(&records, &floats);
    assert_eq!(in_process[1].cluster_id, in_process[0].cluster_id);
}

/// `serve --tier <tier>` and `claims` on one broker, the pair's two articles in: the claim records of the
/// pair's two sentences (and the sentence records, checked against their schema).
fn served_pair(tier: &str) -> (Vec<Value>, Vec<Value>) {
    let broker = Tansu::start_durable();
    broker.create_topics(&["articles", "tenor.sentences"], 1);
    let serve = Service::start(&broker, "serve", &["--tier", tier, "--encoder-threads", "1"]);
    let claims = Service::start(&broker, "claims", &[]);
    broker.produce("articles", &paraphrase_articles());
    let records = broker
        .read_until("tenor.claims", Duration::from_secs(180), |r| r.value["latest"]["article_id"] == "storm-1");
    assert_eq!(records.len(), 2, "{records:#?}\n{}\n{}", serve.log_text(), claims.log_text());
    let sentences = broker.read_at_least("tenor.sentences", 2, Duration::from_secs(30), Duration::ZERO);
    let schema: Value = serde_json::from_slice(
        &std::fs::read(crate::support::repo().join("schemas/sentence.schema.json")).unwrap(),
    )
    .unwrap();
    let schema = jsonschema::validator_for(&schema).unwrap();
    for s in &sentences {
        assert!(schema.is_valid(&s.value), "{:#}", s.value);
    }
    let used = claims.metric(r#"tenor_claims_embeddings_total{result="used"}"#);
    assert_eq!(used, if tier == "linear" { 0.0 } else { 2.0 }, "{}", claims.log_text());
    (records.into_iter().map(|r| r.value).collect(), sentences.into_iter().map(|r| r.value).collect())
}

#[test]
fn with_the_encoder_tier_the_claims_service_joins_a_paraphrase_the_linear_tier_leaves_apart() {
    let (claims, sentences) = served_pair("encoder");
    for s in &sentences {
        assert_eq!(s["tier"], "encoder");
        assert_eq!(s["embedding"]["dim"], 384);
        assert_eq!(s["embedding"]["encoder"].as_str(), s["model"]["encoder"]["sha256"].as_str().map(|h| &h[..16]));
    }
    assert_eq!(claims[1]["cluster_id"], claims[0]["cluster_id"], "{claims:#?}");
    assert_eq!(claims[1]["matched_by"], "embedding");
    assert_eq!(claims[1]["outlet_count"], 2);

    let (claims, sentences) = served_pair("linear");
    assert!(sentences.iter().all(|s| s.get("embedding").is_none()), "{sentences:#?}");
    assert_ne!(claims[1]["cluster_id"], claims[0]["cluster_id"], "{claims:#?}");
}

/// A claim sentence record of `article` by `speaker` of `outlet`, leaning `positive` (else negative).
fn opinion(k: usize, article: &str, text: &str, outlet: &str, speaker: &str, positive: bool) -> Message {
    let (neg, pos, label) = if positive { (0.05, 0.9, "positive") } else { (0.9, 0.05, "negative") };
    let record = json!({
        "schema": "tenor.sentence/1", "article_id": article, "sentence_index": 0,
        "text": text, "span": {"start": 0, "end": text.chars().count()}, "kind": "sentence",
        "source": {"topic": "articles", "partition": 0, "offset": k},
        "processed_at": "2026-12-01T12:00:00Z", "published_at": format!("2026-12-01T10:{k:02}:00Z"),
        "article_source": outlet,
        "claim": {"is_claim": true, "score": 0.9, "kind": "attributed"},
        "attribution": {"speaker": {"text": speaker, "span": {"start": 0, "end": 1}, "resolved": null},
            "cue": {"text": "said", "span": {"start": 0, "end": 1}}, "content": null, "quote": null},
        "stance": {"label": label, "confidence": 0.9,
            "probs": {"negative": neg, "neutral": 0.05, "positive": pos}, "evidence": []},
        "targets": [], "hedge": null, "model": {}
    });
    (Some(article.to_owned()), record.to_string().into_bytes())
}

/// Claim A before a `kill -9` of the claims service, claim B (opposing, another outlet and speaker, same
/// subject) after its restart: one tension A↔B. A pair published before the kill (C↔D) is not published again,
/// not even when D is delivered again after the restart.
#[test]
fn the_tension_memory_survives_killing_the_claims_service() {
    let a = opinion(
        0,
        "a",
        "Diesel taxes will ruin the haulage industry, hauliers warned.",
        "Wire",
        "hauliers",
        false,
    );
    let c = opinion(1, "c", "The new museum wing is a triumph of modern design.", "Wire", "critics", true);
    let d = opinion(2, "d", "The new museum wing is a failure of modern design.", "Post", "residents", false);
    let b = opinion(
        3,
        "b",
        "Diesel taxes will rescue the haulage industry, ministers said.",
        "Post",
        "ministers",
        true,
    );

    let broker = Tansu::start_durable();
    broker.create_topics(&["tenor.sentences"], 1);
    let mut claims = Service::start(&broker, "claims", &[]);
    broker.produce("tenor.sentences", &[a, c, d.clone()]);
    let before = broker.read_until("tenor.tensions", Duration::from_secs(60), |_| true);
    assert_eq!(before.len(), 1, "{}", claims.log_text());
    // Wait for the commit of all three, so that nothing is uncertain (and published again) at the kill.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while broker.committed("tenor-claims", "tenor.sentences", 1) != [3] {
        assert!(std::time::Instant::now() < deadline, "never committed: {}", claims.log_text());
        std::thread::sleep(Duration::from_millis(100));
    }
    claims.kill_hard();
    claims.restart(&broker, &[]);
    assert_eq!(claims.metric("tenor_tension_claims_restored_total"), 3.0, "{}", claims.log_text());
    broker.produce("tenor.sentences", &[d, b]);

    let pair = |r: &crate::broker::Record| {
        let mut sides: Vec<String> = r.value["sides"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["article_id"].as_str().unwrap().to_owned())
            .collect();
        sides.sort();
        sides.join("-")
    };
    let all = broker.read_until("tenor.tensions", Duration::from_secs(60), |r| pair(r) == "a-b");
    let settled = broker.read_at_least("tenor.tensions", all.len() + 1, Duration::from_secs(3), Duration::ZERO);
    // Keyed by tension id over two partitions: no order between the two.
    let mut pairs: Vec<String> = settled.iter().map(pair).collect();
    pairs.sort();
    assert_eq!(pairs, ["a-b", "c-d"], "{settled:#?}\n{}", claims.log_text());
    let ids: Vec<&Value> = settled.iter().map(|r| &r.value["tension_id"]).collect();
    assert_ne!(ids[0], ids[1]);
    assert_eq!(claims.metric("tenor_claims_replay_skipped_total"), 0.0, "d came again as a new record");
}
