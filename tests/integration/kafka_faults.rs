//! `tenor serve` under faults on a real broker (Tansu, `sqlite://` storage): an input near 1 MB is scored in
//! pieces, a malformed message whose dead letter would escape past 1 MB is dead-lettered within the
//! producer's limit and the partition moves on, and SIGTERM under full load drains, commits only what was
//! delivered, and a restart loses nothing. (Produce errors injected on the client side are tested on
//! librdkafka's mock cluster: `tenor-runtime`'s `kafka::fault_tests`.)

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{json, Value};

use crate::broker::{by_article, example_messages, Message, Service, Tansu};

/// The producer's record size limit (`message.max.bytes`, set by Tenor).
const MESSAGE_MAX_BYTES: usize = 1_000_000;

#[test]
fn an_input_near_1_mb_is_scored_in_pieces_and_a_dead_letter_that_would_escape_past_1_mb_still_fits() {
    let broker = Tansu::start_durable();
    broker.create_topics(&["articles"], 1);
    // A debug build takes a while over 900 kB: no processing-time limit in this test.
    let mut serve = Service::start(
        &broker,
        "serve",
        &["--set", "pipeline.max_processing_ms=0", "--set", "delivery.stage_timeout_ms=0"],
    );

    // 900 000 bytes of words without a full stop (a transcript): one run-on "sentence".
    let run_on = "word ".repeat(180_000);
    let big = json!({"id": "big", "body": format!("Officials said talks went well.\n\n{}", run_on.trim_end())});
    // 900 000 raw control characters inside a JSON string: invalid JSON, and each escapes to six bytes in the
    // dead letter's payload (`\u0001`), so a payload cut at 256 KiB would still be 1.5 MB of JSON.
    let mut hostile = br#"{"id":"hostile","body":""#.to_vec();
    hostile.extend(std::iter::repeat_n(1u8, 900_000));
    hostile.extend(br#""}"#);
    let after = json!({"id": "after", "body": "The minister denied it."});
    let messages: Vec<Message> = vec![
        (Some("big".into()), serde_json::to_vec(&big).unwrap()),
        (Some("hostile".into()), hostile),
        (Some("after".into()), serde_json::to_vec(&after).unwrap()),
    ];
    assert!(messages[0].1.len() > 900_000 && messages[1].1.len() > 900_000);
    broker.produce("articles", &messages);

    // The message after both is processed: neither stopped the partition.
    let mut seen = HashSet::new();
    let articles = broker.read_until("tenor.articles", Duration::from_secs(180), |r| {
        seen.insert(r.value["article_id"].as_str().unwrap().to_owned());
        seen.contains("big") && seen.contains("after")
    });
    let summaries = by_article(&articles);
    assert!(summaries.contains_key("big") && summaries.contains_key("after"), "{}", serve.log_text());

    let dead = broker.read_at_least("tenor.dlq", 1, Duration::from_secs(60), Duration::from_millis(500));
    assert_eq!(dead.len(), 1, "{dead:?}");
    let letter = &dead[0].value;
    assert_eq!(letter["reason"], "invalid_json");
    assert_eq!(letter["payload_truncated"], true);
    let size = serde_json::to_vec(letter).unwrap().len();
    assert!(size <= MESSAGE_MAX_BYTES, "dead letter of {size} bytes");
    assert!(letter["payload"].as_str().unwrap().starts_with(r#"{"id":"hostile","body":""#));

    // The run-on text became scored pieces of kind `cut`, none over the models' limit, and they hold every
    // word: the article was not dead-lettered for one long "sentence".
    let expected_big = summaries["big"][0].value["counts"]["sentences"].as_u64().unwrap() as usize;
    let (mut big_seen, mut after_seen) = (0, false);
    let sentences = broker.read_until("tenor.sentences", Duration::from_secs(60), |r| {
        big_seen += usize::from(r.value["article_id"] == "big");
        after_seen |= r.value["article_id"] == "after";
        after_seen && big_seen == expected_big
    });
    let big_records = &by_article(&sentences)["big"];
    let pieces: Vec<&Value> = big_records.iter().map(|r| &r.value).filter(|v| v["kind"] == "cut").collect();
    assert!(pieces.len() >= 45, "{} pieces", pieces.len());
    let mut words = 0;
    for piece in &pieces {
        let text = piece["text"].as_str().unwrap();
        assert!(text.len() <= 20_000 && piece["stance"].is_object(), "{}", text.len());
        words += text.split_whitespace().count();
    }
    assert_eq!(words, 180_000);
    assert_eq!(big_records.len(), expected_big);

    let (status, _) = serve.terminate();
    assert!(status.success(), "{}", serve.log_text());
    assert_eq!(broker.committed("tenor-serve", "articles", 1), [3]);
}

#[test]
fn sigterm_under_full_load_commits_only_what_was_delivered_and_a_restart_loses_nothing() {
    let broker = Tansu::start_durable();
    broker.create_topics(&["articles"], 2);
    // 40 copies of the example stream, each article with its own id.
    let mut messages: Vec<Message> = Vec::new();
    for copy in 0..40 {
        for (_, payload) in example_messages() {
            let mut article: Value = serde_json::from_slice(&payload).unwrap();
            let id = format!("{}-{copy}", article["id"].as_str().unwrap());
            article["id"] = Value::String(id.clone());
            messages.push((Some(id), serde_json::to_vec(&article).unwrap()));
        }
    }
    let ids: HashSet<String> = messages.iter().map(|(k, _)| k.clone().unwrap()).collect();
    broker.produce("articles", &messages);

    let mut serve = Service::start(&broker, "serve", &["--set", "delivery.max_in_flight=8"]);
    // SIGTERM while the service is busy: some articles delivered, most still to come.
    let delivered = broker.read_until("tenor.articles", Duration::from_secs(120), |_| true);
    assert!(!delivered.is_empty());
    let (status, _) = serve.terminate();
    assert!(status.success(), "{}", serve.log_text());

    // Every committed input has its summary on the articles topic: nothing was committed ahead of delivery.
    let committed = broker.committed("tenor-serve", "articles", 2);
    let articles = broker.read_at_least("tenor.articles", 0, Duration::from_secs(10), Duration::from_secs(2));
    let delivered: HashSet<(i64, i64)> = articles
        .iter()
        .map(|r| (r.value["source"]["partition"].as_i64().unwrap(), r.value["source"]["offset"].as_i64().unwrap()))
        .collect();
    for (partition, &end) in committed.iter().enumerate() {
        for offset in 0..end {
            assert!(
                delivered.contains(&(partition as i64, offset)),
                "offset {offset} of partition {partition} committed, not delivered"
            );
        }
    }
    assert!(committed.iter().sum::<i64>() < messages.len() as i64, "SIGTERM came after everything: {committed:?}");

    // A restart picks up at the commit and finishes: every article has its summary, none lost.
    serve.restart(&broker, &[]);
    let articles =
        broker.read_at_least("tenor.articles", ids.len(), Duration::from_secs(240), Duration::from_millis(500));
    let got: HashSet<String> = by_article(&articles).into_keys().collect();
    assert_eq!(got, ids, "{}", serve.log_text());
    let (status, _) = serve.terminate();
    assert!(status.success());
}

#[test]
fn a_segments_message_over_the_record_limit_dead_letters_its_article_and_the_segmenter_moves_on() {
    let broker = Tansu::start_durable();
    broker.create_topics(&["articles"], 1);
    let mut segmenter = Service::start(&broker, "segmenter", &[]);
    // 9 000 sentences in 910 kB: a valid input under every limit, but its segments message (the article
    // plus one span per sentence) is about 1.6 MB, over the producer's 1 000 000 bytes.
    let body =
        "The minister said the talks would go on for weeks and weeks to come, officials told reporters today. "
            .repeat(9_000);
    let big = json!({"id": "big", "body": body.trim_end()});
    let after = json!({"id": "after", "body": "The minister denied it."});
    let messages: Vec<Message> = vec![
        (Some("big".into()), serde_json::to_vec(&big).unwrap()),
        (Some("after".into()), serde_json::to_vec(&after).unwrap()),
    ];
    assert!(messages[0].1.len() < MESSAGE_MAX_BYTES);
    broker.produce("articles", &messages);

    let segments =
        broker.read_until("tenor.segments", Duration::from_secs(120), |r| r.value["article"]["id"] == "after");
    assert!(segments.iter().any(|r| r.value["article"]["id"] == "after"), "{}", segmenter.log_text());
    assert!(segments.iter().all(|r| r.value["article"]["id"] != "big"));
    let dead = broker.read_at_least("tenor.dlq", 1, Duration::from_secs(60), Duration::from_millis(500));
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].value["reason"], "output_too_large");
    assert_eq!(dead[0].value["payload_truncated"], true);
    assert_eq!(dead[0].value["source"]["offset"], 0);
    let (status, _) = segmenter.terminate();
    assert!(status.success(), "{}", segmenter.log_text());
    assert_eq!(broker.committed("tenor-segmenter", "articles", 1), [2]);
}
