//! `tenor aggregator` against a real broker: sentence records in, per-speaker and per-source counts over
//! event-time windows out; late records become increments, bad records go to the dead-letter topic.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};

use crate::broker::{Service, Tansu};

/// (dimension, name, window start) → (claims, positive, neutral, negative), summed over final and late records.
pub type Totals = BTreeMap<(String, String, String), (u64, u64, u64, u64)>;

pub fn sentence(
    article: &str,
    index: usize,
    source: &str,
    speaker: Option<&str>,
    label: &str,
    confidence: f64,
    published: &str,
) -> Value {
    json!({
        "schema": "tenor.sentence/1", "article_id": article, "sentence_index": index, "text": "x",
        "span": {"start": 0, "end": 1}, "kind": "sentence",
        "source": {"topic": "articles", "partition": 0, "offset": 0},
        "processed_at": "2024-01-01T00:00:00Z", "published_at": published, "article_source": source,
        "claim": null,
        "attribution": speaker.map(|s| json!({"speaker": {"text": s, "span": {"start": 0, "end": 1}, "resolved": null},
            "cue": {"text": "said", "span": {"start": 0, "end": 1}}, "content": null, "quote": null})),
        "stance": {"label": label, "confidence": confidence,
            "probs": {"negative": 0.0, "neutral": 0.0, "positive": 0.0}, "evidence": []},
        "targets": [], "hedge": null, "model": {}
    })
}

/// Totals of window records per (dimension, name, window start), summing final and late records.
pub fn totals(records: &[crate::broker::Record]) -> Totals {
    let mut sums = Totals::new();
    for r in records {
        let v = &r.value;
        let key = (
            v["dimension"].as_str().unwrap().to_owned(),
            v["name"].as_str().unwrap().to_owned(),
            v["window_start"].as_str().unwrap().to_owned(),
        );
        let e = sums.entry(key).or_default();
        e.0 += v["claims"].as_u64().unwrap();
        e.1 += v["positive"].as_u64().unwrap();
        e.2 += v["neutral"].as_u64().unwrap();
        e.3 += v["negative"].as_u64().unwrap();
    }
    sums
}

#[test]
fn aggregator_counts_claims_per_speaker_and_source_per_window() {
    let broker = Tansu::start();
    broker.create_topics(&["tenor.sentences"], 1);
    let aggregator = Service::start(
        &broker,
        "aggregator",
        &[
            "--window-seconds",
            "60",
            "--set",
            "window.allowed_lateness_seconds=0",
            "--set",
            "window.idle_flush_ms=500",
        ],
    );
    // Minute 0: Ann (Wire) positive 0.9, Wire negative 0.7 without speaker; minute 1: Bob (Post) neutral.
    // Then a late record for minute 0 after minute 2 closed it, a record without stance, and garbage.
    let mut records = vec![
        sentence("a", 0, "Wire", Some("Ann"), "positive", 0.9, "2024-01-01T00:00:10Z"),
        sentence("a", 1, "Wire", None, "negative", 0.7, "2024-01-01T00:00:40Z"),
        sentence("b", 0, "Post", Some("Bob"), "neutral", 0.6, "2024-01-01T00:01:30Z"),
        sentence("c", 0, "Post", Some("Ann"), "positive", 0.8, "2024-01-01T00:02:05Z"),
        sentence("a", 2, "Wire", Some("Ann"), "negative", 0.5, "2024-01-01T00:00:50Z"),
    ];
    let mut no_stance = sentence("d", 0, "Wire", Some("Ann"), "positive", 0.9, "2024-01-01T00:02:10Z");
    no_stance["stance"] = Value::Null;
    records.push(no_stance);
    let mut messages: Vec<(Option<String>, Vec<u8>)> = records
        .iter()
        .map(|r| (Some(r["article_id"].as_str().unwrap().to_owned()), r.to_string().into_bytes()))
        .collect();
    messages.push((None, b"not a record".to_vec()));
    broker.produce("tenor.sentences", &messages);

    // Totals per (dimension, name, window start), summing final and late records.
    let want: Totals = [
        (("source", "Wire", "00:00"), (3, 1, 0, 2)),
        (("speaker", "Ann", "00:00"), (2, 1, 0, 1)),
        (("source", "Post", "00:01"), (1, 0, 1, 0)),
        (("speaker", "Bob", "00:01"), (1, 0, 1, 0)),
        (("source", "Post", "00:02"), (1, 1, 0, 0)),
        (("speaker", "Ann", "00:02"), (1, 1, 0, 0)),
    ]
    .into_iter()
    .map(|((d, n, w), c)| ((d.to_owned(), n.to_owned(), format!("2024-01-01T{w}:00Z")), c))
    .collect();
    let mut seen = Vec::new();
    let out = broker.read_until("tenor.speakers", Duration::from_secs(30), |r| {
        seen.push(r.clone());
        totals(&seen) == want
    });
    assert_eq!(totals(&out), want, "{}", aggregator.log_text());
    let late: Vec<&Value> = out.iter().map(|r| &r.value).filter(|v| v["kind"] == "late").collect();
    assert!(!late.is_empty() && late.iter().all(|v| v["window_start"] == "2024-01-01T00:00:00Z"), "{late:?}");
    let wire = out.iter().map(|r| &r.value).find(|v| v["name"] == "Wire" && v["kind"] == "final").unwrap();
    assert!((wire["mean_confidence"].as_f64().unwrap() - 0.8).abs() < 1e-9);
    assert!(out.iter().all(|r| r.key.as_deref()
        == Some(
            &format!("{}:{}", r.value["dimension"].as_str().unwrap(), r.value["name"].as_str().unwrap())[..]
        )));

    let dead = broker.read_at_least("tenor.dlq", 1, Duration::from_secs(10), Duration::ZERO);
    assert_eq!(dead[0].value["reason"], "invalid_json");
    assert_eq!(dead[0].value["service"], "tenor-aggregator");
    assert!(aggregator.metric("tenor_late_records_total") >= 1.0);
}
