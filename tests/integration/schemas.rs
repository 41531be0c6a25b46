//! The JSON Schemas under `schemas/` describe what Tenor really writes.

use serde_json::Value;

use crate::support::{json_lines, repo, run_with_stdin, tenor};

fn validator(name: &str) -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_slice(&std::fs::read(repo().join("schemas").join(name)).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name} is not a valid schema: {e}"))
}

fn assert_valid(validator: &jsonschema::Validator, record: &Value) {
    if let Err(error) = validator.validate(record) {
        panic!("record does not match its schema: {error}\n{record:#}");
    }
}

#[test]
fn records_from_the_example_stream_match_their_schemas() {
    let output = tenor().arg("run").output().unwrap();
    assert!(output.status.success());
    let (sentence, article) = (validator("sentence.schema.json"), validator("article.schema.json"));
    let (claim, tension) = (validator("claim.schema.json"), validator("tension.schema.json"));
    let records = json_lines(&output.stdout);
    assert!(records.len() > 100);
    let mut seen = std::collections::BTreeSet::new();
    for record in &records {
        let schema = record["schema"].as_str();
        match schema {
            Some("tenor.sentence/1") => assert_valid(&sentence, record),
            Some("tenor.article/1") => assert_valid(&article, record),
            Some("tenor.claim/1") => assert_valid(&claim, record),
            Some("tenor.tension/1") => assert_valid(&tension, record),
            other => panic!("unexpected schema {other:?}"),
        }
        seen.insert(schema.unwrap_or_default().to_owned());
    }
    assert_eq!(seen.len(), 4, "every record type of a run: {seen:?}");
}

#[test]
fn dead_letters_match_their_schema() {
    let input = b"nope\n{\"id\":1,\"body\":\"x\"}\n\xff\n";
    let output = run_with_stdin(tenor().args(["run", "-i", "-"]), input);
    let letters = json_lines(
        &output
            .stderr
            .split(|&b| b == b'\n')
            .filter(|l| l.starts_with(b"{"))
            .flat_map(|l| l.iter().copied().chain([b'\n']))
            .collect::<Vec<u8>>(),
    );
    assert_eq!(letters.len(), 3);
    let dead = validator("dead_letter.schema.json");
    for letter in &letters {
        assert_valid(&dead, letter);
    }
}

#[test]
fn the_example_stream_matches_the_input_schema() {
    let input = validator("article_message.schema.json");
    for article in crate::support::example_articles() {
        assert_valid(&input, &article);
    }
}

/// Sentence records of the example stream, as `tenor run` writes them (one JSON line each).
fn example_sentence_lines() -> Vec<Vec<u8>> {
    let output = tenor().arg("run").output().unwrap();
    assert!(output.status.success());
    output
        .stdout
        .split(|&b| b == b'\n')
        .filter(|line| line.starts_with(br#"{"schema":"tenor.sentence/1""#))
        .map(<[u8]>::to_vec)
        .collect()
}

#[test]
fn segments_messages_of_the_segmenter_match_their_schema() {
    use std::sync::Arc;
    use tenor_pipeline::{Pipeline, PipelineConfig};
    use tenor_runtime::delivery::TopicPartition;
    use tenor_runtime::kafka::engine::{Incoming, StatelessStage};
    use tenor_runtime::kafka::stages::SegmenterStage;
    use tenor_runtime::metrics::Metrics;

    let segments = validator("segments.schema.json");
    let stage =
        SegmenterStage { pipeline: Arc::new(Pipeline::new(PipelineConfig::default())), segments: "seg".into() };
    let metrics = Metrics::new("test");
    let lines = std::fs::read(repo().join("examples/articles.jsonl")).unwrap();
    let mut checked = 0;
    for (offset, line) in lines.split(|&b| b == b'\n').filter(|l| !l.is_empty()).enumerate() {
        let message = Incoming {
            tp: TopicPartition::new("articles", 0),
            offset: offset as i64,
            key: None,
            payload: line.to_vec(),
            timestamp_ms: Some(1_700_000_000_000),
        };
        let processed = stage.process(&message, &metrics).unwrap();
        assert_eq!(processed.records.len(), 1);
        let payload: Value = serde_json::from_slice(&processed.records[0].payload).unwrap();
        assert_valid(&segments, &payload);
        assert!(!payload["sentences"].as_array().unwrap().is_empty());
        checked += 1;
    }
    assert!(checked >= 5, "{checked} articles");
}

#[test]
fn window_records_of_the_aggregator_match_their_schema() {
    use std::time::{Duration, Instant};
    use tenor_runtime::config::WindowConfig;
    use tenor_runtime::delivery::{OffsetTracker, TopicPartition};
    use tenor_runtime::kafka::aggregate::Aggregator;
    use tenor_runtime::kafka::engine::{Emission, Incoming, StatefulStage};
    use tenor_runtime::metrics::Metrics;

    let window = validator("speaker_window.schema.json");
    let config = WindowConfig { allowed_lateness_seconds: 0, idle_flush_ms: 1, ..WindowConfig::default() };
    let mut aggregator = Aggregator::new(config, "speakers".into(), 1 << 20);
    let mut tracker = OffsetTracker::new();
    let metrics = Metrics::new("test");
    let tp = TopicPartition::new("sentences", 0);
    let mut emissions: Vec<Emission> = Vec::new();
    let feed = |aggregator: &mut Aggregator, tracker: &mut OffsetTracker, offset: i64, payload: Vec<u8>| {
        let input = tracker.begin(&tp, offset);
        let message = Incoming { tp: tp.clone(), offset, key: None, payload, timestamp_ms: None };
        let out = aggregator.ingest(&message, &input, tracker, &metrics).unwrap();
        tracker.complete(&input);
        out
    };
    let lines = example_sentence_lines();
    assert!(lines.len() > 100);
    for (offset, line) in lines.iter().enumerate() {
        emissions.extend(feed(&mut aggregator, &mut tracker, offset as i64, line.clone()));
    }
    std::thread::sleep(Duration::from_millis(5));
    emissions.extend(aggregator.tick(Instant::now(), &tracker, &metrics));
    // Every window is closed now: the first record again is a late increment.
    let again = lines.len() as i64;
    emissions.extend(feed(&mut aggregator, &mut tracker, again, lines[0].clone()));
    emissions.extend(aggregator.tick(Instant::now(), &tracker, &metrics));

    let records: Vec<Value> =
        emissions.iter().flat_map(|e| &e.records).map(|r| serde_json::from_slice(&r.payload).unwrap()).collect();
    for record in &records {
        assert_valid(&window, record);
    }
    for (field, value) in [("dimension", "speaker"), ("dimension", "source"), ("kind", "final"), ("kind", "late")]
    {
        assert!(records.iter().any(|r| r[field] == value), "no window record with {field} = {value}");
    }
}

#[test]
fn archive_lines_match_their_schema() {
    use tenor_runtime::archive::{is_archive_line, ArchivedMessage, RawMessage, TimestampType};

    let archive = validator("archive.schema.json");
    let article = std::fs::read(repo().join("examples/articles.jsonl")).unwrap();
    let article = article.split(|&b| b == b'\n').next().unwrap();
    let raw = |offset: i64, key: Option<&'static [u8]>, payload: Option<&'static [u8]>| RawMessage {
        topic: "articles",
        partition: 1,
        offset,
        timestamp_ms: Some(1_700_000_000_000),
        timestamp_type: Some(TimestampType::CreateTime),
        key,
        payload,
    };
    let binary: (&[u8], &[u8]) = (&[0xff, 0x00], &[0xc3, 0x28]);
    let messages = [
        ArchivedMessage::new(RawMessage { payload: Some(article), ..raw(0, Some(b"a1"), None) }, &[]),
        ArchivedMessage::new(raw(1, Some(binary.0), Some(binary.1)), &[("trace", Some(b"x")), ("trace", None)]),
        ArchivedMessage::new(RawMessage { timestamp_ms: None, timestamp_type: None, ..raw(2, None, None) }, &[]),
    ];
    let mut file = Vec::new();
    for message in &messages {
        message.write_line(&mut file);
    }
    let lines = json_lines(&file);
    assert_eq!(lines.len(), 3);
    for (line, bytes) in lines.iter().zip(file.split(|&b| b == b'\n')) {
        assert!(is_archive_line(bytes));
        assert_valid(&archive, line);
    }
    assert_eq!(lines[1]["key_encoding"], "base64");
    assert!(lines[2]["payload"].is_null());
}

#[test]
fn tension_records_of_a_real_article_match_their_schema() {
    let schema = validator("tension.schema.json");
    for tier in [tenor_pipeline::Tier::Linear, tenor_pipeline::Tier::Encoder] {
        let (_, found) = crate::tension::tensions(tier);
        assert!(!found.is_empty(), "{tier:?}");
        for record in &found {
            assert_valid(&schema, &serde_json::to_value(record).unwrap());
        }
    }
}

#[test]
fn claim_records_of_the_clusterer_match_their_schema() {
    use tenor_claims::cluster::{ClaimIndex, ClusterConfig};
    use tenor_core::SentenceRecord;

    let (claim, sentence) = (validator("claim.schema.json"), validator("sentence.schema.json"));
    let mut index = ClaimIndex::new(ClusterConfig::default());
    let lines = example_sentence_lines();
    let mut records = Vec::new();
    let mut outlets = 0;
    // The example stream twice, the second time as another outlet's reprint: every cluster gets a second member.
    for pass in 0..2 {
        for line in &lines {
            let mut record: SentenceRecord = serde_json::from_slice(line).unwrap();
            if pass == 1 {
                record.article_id = format!("reprint-{}", record.article_id);
                record.article_source = Some("Reprint Wire".into());
                record.text = record.text.to_uppercase();
            }
            if let Some(assignment) = index.assign(&record, None) {
                record.claim_cluster = Some(assignment.cluster_id.clone());
                assert_valid(&sentence, &serde_json::to_value(&record).unwrap());
                let value = serde_json::to_value(&assignment.record).unwrap();
                assert_valid(&claim, &value);
                outlets = outlets.max(assignment.record.outlet_count);
                records.push(value);
            }
        }
    }
    assert!(records.len() > 20, "{} claim records", records.len());
    assert!(records.iter().any(|r| r["matched_by"] == "new"));
    assert!(records.iter().any(|r| r["matched_by"] == "exact"));
    assert_eq!(outlets, 2);
}

/// A sentence record with an embedding (`SentenceRecord::embedding`, as `serve` writes it) matches the sentence
/// schema; a broken one does not. (Real `serve --tier encoder` records are validated in `kafka_claims`.)
#[test]
fn sentence_records_with_an_embedding_match_their_schema() {
    let schema = validator("sentence.schema.json");
    let line = &example_sentence_lines()[0];
    let mut record: tenor_core::SentenceRecord = serde_json::from_slice(line).unwrap();
    let values: Vec<f32> = (0..384).map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0).collect();
    record.embedding = tenor_core::SentenceEmbedding::quantise(&values, &"ab12".repeat(16));
    let value = serde_json::to_value(&record).unwrap();
    assert_eq!(value["embedding"]["i8"].as_str().unwrap().len(), 512);
    assert_valid(&schema, &value);
    let json = |v: &str| -> Value { serde_json::from_str(v).unwrap() };
    for (field, bad) in
        [("dim", json("0")), ("scale", json("-1.0")), ("encoder", json("\"XYZ\"")), ("i8", json("\"*\""))]
    {
        let mut broken = value.clone();
        broken["embedding"][field] = bad;
        assert!(!schema.is_valid(&broken), "{field} accepted");
    }
}

/// One hand-written record each schema must accept, and one it must reject; every file in `schemas/` has both.
#[test]
fn every_schema_accepts_a_valid_example_and_rejects_an_invalid_one() {
    let origin = serde_json::json!({"topic": "articles", "partition": 0, "offset": 3});
    let span = serde_json::json!({"start": 0, "end": 4});
    let sentence = serde_json::json!({
        "schema": "tenor.sentence/1", "article_id": "a", "sentence_index": 0, "text": "One.", "span": span,
        "kind": "sentence", "source": origin, "processed_at": "2024-01-01T00:00:00Z", "published_at": null,
        "article_source": null, "claim": null, "attribution": null, "stance": null, "targets": [], "hedge": null,
        "model": {}
    });
    let article = serde_json::json!({
        "schema": "tenor.article/1", "article_id": "a", "source": {"file": "-", "line": 1},
        "processed_at": "2024-01-01T00:00:00Z", "published_at": null, "article_source": null, "title": null,
        "url": null, "lang": null, "counts": {"sentences": 1, "headings": 0, "characters": 4}, "stance": null,
        "claims": {"attributed": 0, "assertion": 0}, "speakers": [], "model": {}
    });
    let segments = serde_json::json!({
        "schema": "tenor.segments/1", "article": {"id": "a", "body": "One."}, "source": origin,
        "segmented_at": "2024-01-01T00:00:00Z", "input_timestamp_ms": null,
        "sentences": [{"index": 0, "span": span, "kind": "sentence"}]
    });
    let window = serde_json::json!({
        "schema": "tenor.speaker_window/1", "dimension": "speaker", "name": "Ann",
        "window_start": "2024-01-01T00:00:00Z", "window_end": "2024-01-01T01:00:00Z", "kind": "final",
        "claims": 1, "positive": 1, "neutral": 0, "negative": 0, "mean_confidence": 0.9, "tensions": 0,
        "emitted_at": "2024-01-01T01:00:01Z"
    });
    let archive = serde_json::json!({
        "schema": "tenor.archive/1", "topic": "articles", "partition": 0, "offset": 3, "timestamp_ms": null,
        "timestamp_type": null, "key": "a", "key_encoding": "utf8",
        "headers": [{"name": "h", "value": null, "value_encoding": "utf8"}], "payload": null,
        "payload_encoding": "utf8"
    });
    let dead_letter = serde_json::json!({
        "schema": "tenor.dead_letter/1", "reason": "invalid_json", "error": "not JSON", "payload": "{oops",
        "payload_encoding": "utf8", "payload_truncated": false, "source": origin, "service": "tenor-serve",
        "time": "2024-01-01T00:00:00Z"
    });
    let side = |i: usize, polarity: f64| {
        serde_json::json!({
            "article_id": "a", "sentence_index": i, "text": "One.", "outlet": "wire", "speaker": null,
            "stance": "positive", "polarity": polarity, "confidence": 0.7, "time": "2024-01-01T00:00:00Z"
        })
    };
    let tension = serde_json::json!({
        "schema": "tenor.tension/1", "tension_id": "t-0123456789abcdef", "scope": "article",
        "subject": {"text": "talks", "link": "title", "strength": 0.5}, "sides": [side(0, 0.6), side(1, -0.5)],
        "score": 0.27
    });
    let member = serde_json::json!({
        "article_id": "a", "sentence_index": 0, "text": "Taxes will rise.", "outlet": null,
        "time": "2024-01-01T00:00:00Z"
    });
    let claim = serde_json::json!({
        "schema": "tenor.claim/1", "cluster_id": "c-0123456789abcdef", "canonical": member, "first_seen": member,
        "latest": member, "members": 1, "outlets": [], "outlet_count": 0, "speakers": [{"name": "Ann", "claims": 1}],
        "stance": {"negative": 0, "neutral": 1, "positive": 0, "mean_confidence": 0.8}, "capped": false,
        "matched_by": "new"
    });
    let with = |value: &Value, field: &str, new: Value| {
        let mut value = value.clone();
        value[field] = new;
        value
    };
    let cases: Vec<(&str, Value, Value)> = vec![
        (
            "article_message.schema.json",
            serde_json::json!({"id": "a", "body": "One."}),
            serde_json::json!({"id": "a"}),
        ),
        ("sentence.schema.json", sentence.clone(), with(&sentence, "kind", "paragraph".into())),
        ("claim.schema.json", claim.clone(), with(&claim, "matched_by", "centroid".into())),
        ("article.schema.json", article.clone(), with(&article, "schema", "tenor.sentence/1".into())),
        ("dead_letter.schema.json", dead_letter.clone(), with(&dead_letter, "reason", "whatever".into())),
        (
            "segments.schema.json",
            segments.clone(),
            with(&segments, "sentences", serde_json::json!([{"index": 0}])),
        ),
        ("speaker_window.schema.json", window.clone(), with(&window, "kind", "partial".into())),
        ("archive.schema.json", archive.clone(), with(&archive, "key_encoding", "hex".into())),
        ("tension.schema.json", tension.clone(), with(&tension, "sides", serde_json::json!([side(0, 0.6)]))),
    ];
    let mut files: Vec<String> = std::fs::read_dir(repo().join("schemas"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    let mut covered: Vec<String> = cases.iter().map(|(name, _, _)| (*name).to_owned()).collect();
    covered.sort();
    assert_eq!(files, covered, "every schema needs a valid and an invalid example here");
    for (name, valid, invalid) in &cases {
        let validator = validator(name);
        assert_valid(&validator, valid);
        assert!(!validator.is_valid(invalid), "{name} accepts {invalid:#}");
    }
}
