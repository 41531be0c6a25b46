//! The claims service against a real broker (Tansu, SQLite storage): sentence records in, claim clusters out,
//! and a `kill -9` mid-stream changes nothing a consumer of `tenor.claims` can see: every cluster's latest
//! record (id, members, outlets, speakers, stance mix) is the one an uninterrupted in-process run gives.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};
use tenor_claims::cluster::{ClaimIndex, ClusterConfig};
use tenor_core::SentenceRecord;

use crate::broker::{Message, Service, Tansu};
use crate::kafka_crash::kill_mid_stream;

const CLAIMS: [&str; 8] = [
    "Talks in Miami were productive and constructive",
    "No significant breakthrough has emerged from the negotiations",
    "Core disputes over territory remain unresolved",
    "Fuel taxes will rise by three percent next spring",
    "The central bank will hold interest rates steady this quarter",
    "The bridge will reopen to traffic before the end of the month",
    "Hospital waiting lists have grown for the fifth month in a row",
    "The company plans to cut four hundred jobs at its northern plant",
];

/// `n` claim sentences: each of the claims above, reprinted by other outlets as is, with other quote marks
/// and case, or with a reporting clause; some sentences unrelated to any other.
fn stream(n: usize) -> Vec<Value> {
    let outlets = ["Wire", "Post", "Daily", "Herald", "Times"];
    let speakers = ["envoys", "officials", "analysts", "the ministry"];
    let labels = ["positive", "negative", "neutral"];
    (0..n)
        .map(|k| {
            let claim = CLAIMS[k % CLAIMS.len()];
            let text = match k % 5 {
                0 => claim.to_owned(),
                1 => format!("\u{201c}{}\u{201d}, {} said.", claim.to_uppercase(), speakers[k % 4]),
                2 => format!("{claim}, according to people familiar with the matter."),
                3 => format!("\"{claim},\" a spokesperson told reporters."),
                _ => format!("Residents of district {k} reported {} new potholes on street {}", k % 13, k * 7),
            };
            json!({
                "schema": "tenor.sentence/1", "article_id": format!("art-{k}"), "sentence_index": k % 3,
                "text": text, "span": {"start": 0, "end": text.chars().count()}, "kind": "sentence",
                "source": {"topic": "articles", "partition": 0, "offset": k},
                "processed_at": "2024-05-01T00:00:00Z",
                "published_at": format!("2024-05-01T{:02}:{:02}:00Z", k / 60 % 24, k % 60),
                "article_source": outlets[k % outlets.len()],
                "claim": {"is_claim": true, "score": 0.9, "kind": "attributed"},
                "attribution": {"speaker": {"text": speakers[k % 4], "span": {"start": 0, "end": 1}, "resolved": null},
                    "cue": {"text": "said", "span": {"start": 0, "end": 1}}, "content": null, "quote": null},
                "stance": {"label": labels[k % 3], "confidence": 0.5 + (k % 5) as f64 / 10.0,
                    "probs": {"negative": 0.2, "neutral": 0.3, "positive": 0.5}, "evidence": []},
                "targets": [], "hedge": null, "model": {}
            })
        })
        .collect()
}

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
    let records = stream(400);
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
    let mismatched: Vec<(&String, Option<&Value>)> =
        want.iter().filter(|(id, r)| latest.get(*id) != Some(*r)).map(|(id, _)| (id, latest.get(id))).collect();
    assert!(
        mismatched.is_empty(),
        "clusters differ after kill -9 at ~{at_kill}: {mismatched:?}\n{}",
        claims.log_text()
    );
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

/// Hostile input on the claims service's topic goes to the dead-letter topic with its reason; the records
/// after it are clustered.
#[test]
fn a_malformed_sentence_record_is_dead_lettered_and_the_rest_clustered() {
    let records = stream(10);
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
}
