//! `tenor serve` against a real broker: the example stream in, every record out, bad messages dead-lettered
//! with their reason, metrics that match what was produced, and a clean shutdown on SIGTERM.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;

use crate::broker::{by_article, example_messages, http_get, Record, Service, Tansu};
use crate::support::{json_lines, tenor};

/// Malformed messages and the dead-letter reason each must get.
fn malformed() -> Vec<(Option<String>, Vec<u8>, &'static str)> {
    let big_body = serde_json::json!({"id": "big", "body": "word ".repeat(6000)}).to_string();
    vec![
        (Some("bad-json".into()), b"{not json".to_vec(), "invalid_json"),
        (None, vec![0xff, 0xfe, 0x00, 0x01], "invalid_utf8"),
        (Some("no-body".into()), br#"{"id":"no-body"}"#.to_vec(), "missing_field"),
        (Some("array".into()), b"[1,2,3]".to_vec(), "not_an_object"),
        (Some("blank".into()), br#"{"id":"blank","body":"  \n "}"#.to_vec(), "empty_body"),
        (Some("big".into()), big_body.into_bytes(), "oversize"),
        (
            Some("date".into()),
            br#"{"id":"date","body":"A sentence.","published_at":"yesterday"}"#.to_vec(),
            "invalid_field",
        ),
        (Some("typed".into()), br#"{"id":5,"body":"A sentence."}"#.to_vec(), "wrong_type"),
        (Some("tombstone".into()), Vec::new(), "invalid_json"),
    ]
}

/// What `tenor run` (no broker) produces for `input` (default: the example stream): the sentence and article
/// records every service must match (without the claims pass, which is `tenor claims`' job on Kafka).
pub fn expected_records(input: Option<&std::path::Path>) -> Vec<Value> {
    let mut cmd = tenor();
    cmd.args(["run", "--no-claims", "--no-tensions"]);
    if let Some(input) = input {
        cmd.arg("-i").arg(input);
    }
    let output = cmd.output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    json_lines(&output.stdout)
}

/// A record without the fields that legitimately differ between runs (`processed_at`) and sources (origin).
fn comparable(record: &Value) -> Value {
    let mut record = record.clone();
    let fields = record.as_object_mut().unwrap();
    fields.remove("processed_at");
    fields.remove("source");
    record
}

/// Checks sentence and article topics against `tenor run`'s records: every record present (duplicates
/// allowed only if `allow_duplicates`), in order within each article, summaries consistent. Returns the
/// number of duplicate sentence records.
pub fn check_outputs(
    expected: &[Value],
    sentences: &[Record],
    articles: &[Record],
    allow_duplicates: bool,
) -> usize {
    let mut expected_sentences: HashMap<String, Vec<Value>> = HashMap::new();
    let mut expected_articles: HashMap<String, Value> = HashMap::new();
    for record in expected {
        let id = record["article_id"].as_str().unwrap().to_owned();
        match record["schema"].as_str().unwrap() {
            "tenor.sentence/1" => expected_sentences.entry(id).or_default().push(comparable(record)),
            "tenor.article/1" => {
                expected_articles.insert(id, comparable(record));
            }
            other => panic!("unexpected schema {other}"),
        }
    }

    let mut duplicates = 0;
    let got_sentences = by_article(sentences);
    assert_eq!(got_sentences.len(), expected_sentences.len(), "every article has sentence records");
    for (id, want) in &expected_sentences {
        let got = &got_sentences[id];
        // All of an article's records are keyed by its id, so they share one partition.
        assert!(got.iter().all(|r| r.key.as_deref() == Some(id.as_str()) && r.partition == got[0].partition));
        let mut seen = vec![0usize; want.len()];
        let mut last_index = None::<usize>;
        for record in got {
            let index = record.value["sentence_index"].as_u64().unwrap() as usize;
            assert_eq!(comparable(&record.value), want[index], "record {index} of {id}");
            let origin = &record.value["source"];
            assert!(origin["topic"].is_string() && origin["offset"].is_i64(), "Kafka origin: {origin}");
            // In order, except where a replay starts the article over.
            if let Some(last) = last_index {
                assert!(index == last + 1 || index == 0 || allow_duplicates, "{id}: {index} after {last}");
            }
            last_index = Some(index);
            seen[index] += 1;
        }
        assert!(seen.iter().all(|&n| n >= 1), "{id}: missing sentence records: {seen:?}");
        duplicates += seen.iter().map(|&n| n - 1).sum::<usize>();
    }
    if !allow_duplicates {
        assert_eq!(duplicates, 0);
    }

    let got_articles = by_article(articles);
    assert_eq!(got_articles.len(), expected_articles.len(), "one summary per article");
    for (id, want) in &expected_articles {
        for summary in &got_articles[id] {
            assert_eq!(&comparable(&summary.value), want, "summary of {id}");
            let counts = &summary.value["counts"];
            let total = counts["sentences"].as_u64().unwrap() + counts["headings"].as_u64().unwrap();
            assert_eq!(total as usize, expected_sentences[id].len(), "summary of {id} counts its sentences");
        }
        if !allow_duplicates {
            assert_eq!(got_articles[id].len(), 1, "{id}");
        }
    }
    duplicates
}

pub fn sentence_total(expected: &[Value]) -> usize {
    expected.iter().filter(|r| r["schema"] == "tenor.sentence/1").count()
}

#[test]
fn serve_turns_the_example_stream_into_records_and_dead_letters_bad_messages() {
    let broker = Tansu::start();
    broker.create_topics(&["articles"], 2);
    let mut serve = Service::start(&broker, "serve", &["--set", "pipeline.max_body_bytes=20000"]);
    assert_eq!(http_get(serve.metrics_port, "/healthz").map(|r| r.0), Some(200));

    // Good and bad messages interleaved: bad input must not block what follows it.
    let good = example_messages();
    let bad = malformed();
    let mut messages = Vec::new();
    for (i, message) in good.iter().enumerate() {
        messages.push(message.clone());
        if let Some((key, payload, _)) = bad.get(i) {
            messages.push((key.clone(), payload.clone()));
        }
    }
    broker.produce("articles", &messages);

    let expected = expected_records(None);
    let expected_sentences = sentence_total(&expected);
    let timeout = Duration::from_secs(60);
    let settle = Duration::from_millis(500);
    let sentences = broker.read_at_least("tenor.sentences", expected_sentences, timeout, settle);
    let articles = broker.read_at_least("tenor.articles", good.len(), timeout, settle);
    let dead = broker.read_at_least("tenor.dlq", bad.len(), timeout, settle);
    assert_eq!(sentences.len(), expected_sentences, "{}", serve.log_text());
    check_outputs(&expected, &sentences, &articles, false);

    // Each bad message is in the dead-letter topic once, with its reason, origin and payload.
    assert_eq!(dead.len(), bad.len());
    let mut reasons: Vec<&str> = dead.iter().map(|r| r.value["reason"].as_str().unwrap()).collect();
    let mut want: Vec<&str> = bad.iter().map(|b| b.2).collect();
    reasons.sort_unstable();
    want.sort_unstable();
    assert_eq!(reasons, want);
    for letter in &dead {
        let v = &letter.value;
        assert_eq!(v["schema"], "tenor.dead_letter/1");
        assert_eq!(v["service"], "tenor-serve");
        assert_eq!(v["source"]["topic"], "articles");
        assert!(
            v["source"]["offset"].is_i64() && v["time"].is_string() && !v["error"].as_str().unwrap().is_empty()
        );
        let original = bad.iter().find(|b| b.2 == v["reason"] && b.0.as_deref() == letter.key.as_deref());
        let (_, payload, _) = original.unwrap_or_else(|| panic!("dead letter for an unknown message: {v}"));
        match v["payload_encoding"].as_str().unwrap() {
            "utf8" => assert_eq!(v["payload"].as_str().unwrap().as_bytes(), &payload[..]),
            "base64" => assert_eq!(v["payload"], "//4AAQ=="),
            other => panic!("encoding {other}"),
        }
    }

    // Review: exactly the sentence records whose stance confidence is below the threshold (0.5 by default).
    let low: usize =
        sentences.iter().filter(|r| r.value["stance"]["confidence"].as_f64().is_some_and(|c| c < 0.5)).count();
    let review = broker.read_at_least("tenor.review", low, Duration::from_secs(10), settle);
    assert_eq!(review.len(), low);

    // The metrics count what was produced.
    let series = |s: &str| serve.metric(s);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while series("tenor_records_produced_total{topic=\"tenor.dlq\"}") < bad.len() as f64
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(series("tenor_messages_consumed_total{topic=\"articles\"}"), messages.len() as f64);
    assert_eq!(series("tenor_records_produced_total{topic=\"tenor.sentences\"}"), sentences.len() as f64);
    assert_eq!(series("tenor_records_produced_total{topic=\"tenor.articles\"}"), good.len() as f64);
    assert_eq!(series("tenor_records_produced_total{topic=\"tenor.dlq\"}"), bad.len() as f64);
    assert_eq!(series("tenor_dead_letters_total{reason=\"invalid_json\"}"), 2.0);
    assert_eq!(series("tenor_dead_letters_total{reason=\"oversize\"}"), 1.0);
    assert_eq!(series("tenor_dead_letters_total{reason=\"too_many_sentences\"}"), 0.0);
    let labels: f64 = ["negative", "neutral", "positive"]
        .iter()
        .map(|l| series(&format!("tenor_stance_labels_total{{label=\"{l}\"}}")))
        .sum();
    let with_stance = sentences.iter().filter(|r| !r.value["stance"].is_null()).count();
    assert_eq!(labels, with_stance as f64);
    assert_eq!(series("tenor_end_to_end_latency_seconds_count"), messages.len() as f64);
    assert_eq!(series("tenor_in_flight_messages"), 0.0);
    // Offsets are committed while running (every 200 ms here), not only at shutdown.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while series("tenor_offset_commits_total{result=\"ok\"}") < 1.0 {
        assert!(std::time::Instant::now() < deadline, "no commit while running: {}", serve.log_text());
        std::thread::sleep(Duration::from_millis(100));
    }
    let text = serve.metrics();
    assert!(text.contains("tenor_build_info{component=\"serve\""), "{text}");
    assert!(text.contains("tenor_stage_seconds_count{stage=\"pipeline\"}"), "{text}");
    assert!(text.contains("tenor_consumer_lag_messages{partition="), "{text}");

    // Still up after all that bad input, and it stops cleanly and quickly on SIGTERM.
    assert!(serve.is_running());
    let (status, took) = serve.terminate();
    assert!(status.success(), "{status}: {}", serve.log_text());
    assert!(took < Duration::from_secs(10), "shutdown took {took:?}");
    // Every message was acknowledged, so the group's committed offsets cover the whole input.
    let committed: i64 = broker.committed("tenor-serve", "articles", 2).iter().sum();
    assert_eq!(committed, messages.len() as i64, "{}", serve.log_text());
}
