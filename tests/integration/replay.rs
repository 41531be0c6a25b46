//! Archive and replay: a topic archived with `tenor archive` and published again with `tenor replay` arrives
//! byte for byte (keys, payloads, headers, order per partition); an archive replayed in-process gives the
//! records of `tenor run`, each tagged with the replay's run id.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, Headers, Message as _, OwnedHeaders};
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use rdkafka::{Offset, TopicPartitionList};

use crate::broker::{example_messages, Tansu};
use crate::support::{example_articles, json_lines, repo, tenor};

/// One message as read back: key, payload and headers, byte for byte.
type Raw = (Option<Vec<u8>>, Option<Vec<u8>>, Vec<(String, Option<Vec<u8>>)>);

/// The example stream plus awkward messages: no key, binary key and payload, headers (repeated and null),
/// a tombstone.
fn produce_awkward_stream(broker: &Tansu, topic: &str) -> usize {
    let producer: ThreadedProducer<DefaultProducerContext> = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .set("enable.idempotence", "true")
        .create()
        .unwrap();
    let mut messages: Vec<Raw> = example_messages()
        .into_iter()
        .map(|(key, payload)| (key.map(String::into_bytes), Some(payload), Vec::new()))
        .collect();
    messages[3].2 = vec![("trace".into(), Some(b"abc".to_vec())), ("trace".into(), None)];
    messages.push((None, Some(br#"{"id":"keyless","body":"No key here."}"#.to_vec()), Vec::new()));
    messages.push((Some(vec![0xff, 0x00]), Some(vec![0xc3, 0x28, 0x0a]), vec![("bin".into(), Some(vec![0xfe]))]));
    messages.push((Some(b"gone".to_vec()), None, Vec::new()));
    for (key, payload, headers) in &messages {
        let mut owned = OwnedHeaders::new();
        for (name, value) in headers {
            owned = owned.insert(Header { key: name, value: value.as_deref() });
        }
        let mut record = BaseRecord::<[u8], [u8]>::to(topic).headers(owned);
        if let Some(key) = key {
            record = record.key(key);
        }
        if let Some(payload) = payload {
            record = record.payload(payload);
        }
        producer.send(record).map_err(|(e, _)| e).unwrap();
    }
    producer.flush(Duration::from_secs(30)).unwrap();
    messages.len()
}

/// Reads every partition of `topic` from the start until `n` messages arrived (then 500 ms more, to catch
/// extras): messages by partition, in offset order.
fn read_raw(broker: &Tansu, topic: &str, n: usize) -> BTreeMap<i32, Vec<Raw>> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .set("group.id", "replay-test-reader")
        .set("fetch.wait.max.ms", "10")
        .create()
        .unwrap();
    let metadata = consumer.fetch_metadata(Some(topic), Duration::from_secs(10)).unwrap();
    let mut list = TopicPartitionList::new();
    for p in metadata.topics()[0].partitions() {
        list.add_partition_offset(topic, p.id(), Offset::Beginning).unwrap();
    }
    consumer.assign(&list).unwrap();
    let mut out: BTreeMap<i32, Vec<Raw>> = BTreeMap::new();
    let (mut count, deadline, mut done_at) = (0, Instant::now() + Duration::from_secs(60), None);
    while Instant::now() < deadline && done_at.is_none_or(|at: Instant| at.elapsed() < Duration::from_millis(500))
    {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(50)) {
            let headers = m
                .headers()
                .map(|h| h.iter().map(|h| (h.key.to_owned(), h.value.map(<[u8]>::to_vec))).collect())
                .unwrap_or_default();
            out.entry(m.partition()).or_default().push((
                m.key().map(<[u8]>::to_vec),
                m.payload().map(<[u8]>::to_vec),
                headers,
            ));
            count += 1;
            if count >= n && done_at.is_none() {
                done_at = Some(Instant::now());
            }
        }
    }
    out
}

#[test]
fn archive_then_replay_to_a_topic_is_lossless() {
    let broker = Tansu::start();
    broker.create_topics(&["articles", "articles.copy"], 2);
    let n = produce_awkward_stream(&broker, "articles");
    let original = read_raw(&broker, "articles", n);
    assert_eq!(original.values().map(Vec::len).sum::<usize>(), n);

    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("articles.jsonl.gz");
    let summary = dir.path().join("summary.json");
    let out = tenor()
        .args(["archive", "--brokers", &broker.bootstrap(), "--topic", "articles", "--settle-ms", "500"])
        .arg("-o")
        .arg(&archive)
        .arg("--summary")
        .arg(&summary)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    assert_eq!(summary["messages"], n, "{summary:#}");

    // The archive is gzip JSONL with every message's coordinates.
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(&archive).unwrap()),
        &mut text,
    )
    .unwrap();
    let lines = json_lines(text.as_bytes());
    assert_eq!(lines.len(), n);
    for line in &lines {
        assert_eq!(line["schema"], "tenor.archive/1");
        assert_eq!(line["topic"], "articles");
        assert!(line["partition"].is_i64() && line["offset"].is_i64() && line["timestamp_ms"].is_i64(), "{line}");
    }

    let out = tenor()
        .args(["replay", "--brokers", &broker.bootstrap(), "--to-topic", "articles.copy", "--no-progress"])
        .arg("-i")
        .arg(&archive)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let copy = read_raw(&broker, "articles.copy", n);
    assert_eq!(copy, original, "same keys, payloads and headers, in the same order in each partition");

    // From an offset: only the messages at or after it, in every partition.
    let tail = dir.path().join("tail.jsonl");
    let out = tenor()
        .args(["archive", "--brokers", &broker.bootstrap(), "--topic", "articles", "--settle-ms", "500"])
        .args(["--from-offset", "5", "-o"])
        .arg(&tail)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let tail = json_lines(&std::fs::read(&tail).unwrap());
    let expected: usize = original.values().map(|p| p.len().saturating_sub(5)).sum();
    assert_eq!(tail.len(), expected);
    assert!(tail.iter().all(|l| l["offset"].as_i64().unwrap() >= 5));

    // From an offset inside a record batch (Tansu 0.6 then serves the next batch first, and the skipped
    // messages after the rest): exactly the offsets from the start, in order, once each.
    broker.create_topics(&["batched"], 1);
    for chunk in example_messages().chunks(5) {
        broker.produce("batched", chunk);
    }
    let out = tenor()
        .args(["archive", "--brokers", &broker.bootstrap(), "--topic", "batched", "--settle-ms", "500"])
        .args(["--from-offset", "7", "-o", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let offsets: Vec<i64> = json_lines(&out.stdout).iter().map(|l| l["offset"].as_i64().unwrap()).collect();
    assert_eq!(offsets, (7..example_messages().len() as i64).collect::<Vec<_>>());

    // By time: nothing is stamped after 2100, nothing before 2001 (whatever offsets the broker claims).
    for (flag, time) in [("--from-time", "2100-01-01T00:00:00Z"), ("--until", "2001-01-01T00:00:00Z")] {
        let out = tenor()
            .args(["archive", "--brokers", &broker.bootstrap(), "--topic", "articles", "--settle-ms", "300"])
            .args([flag, time, "-o", "-"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stdout.is_empty(), "{flag} {time} archived {} bytes", out.stdout.len());
    }
    let out = tenor()
        .args(["archive", "--brokers", &broker.bootstrap(), "--topic", "articles", "--settle-ms", "300"])
        .args(["--from-time", "2001-01-01T00:00:00Z", "--until", "2100-01-01T00:00:00Z", "-o", "-"])
        .output()
        .unwrap();
    assert_eq!(json_lines(&out.stdout).len(), n);
}

#[test]
fn replaying_an_archive_in_process_gives_the_records_of_run_with_a_run_id() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("articles.jsonl.gz");
    let plain = std::fs::read(repo().join("examples/articles.jsonl")).unwrap();
    let mut encoder =
        flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::fast());
    std::io::Write::write_all(&mut encoder, &plain).unwrap();
    encoder.finish().unwrap();

    let run = tenor().arg("run").output().unwrap();
    let replay = tenor().args(["replay", "--run-id", "candidate-1", "-i"]).arg(&gz).output().unwrap();
    assert!(replay.status.success(), "{}", String::from_utf8_lossy(&replay.stderr));
    let (mut want, mut got) = (json_lines(&run.stdout), json_lines(&replay.stdout));
    assert!(got.iter().all(|r| r["run_id"] == "candidate-1"));
    assert!(want.iter().all(|r| r.get("run_id").is_none()), "live records carry no run id");
    for record in want.iter_mut().chain(got.iter_mut()) {
        let fields = record.as_object_mut().unwrap();
        fields.remove("processed_at");
        fields.remove("source");
        fields.remove("run_id");
    }
    assert_eq!(got, want);
}

#[test]
fn replay_applies_the_size_limits_of_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = repo().join("examples/articles.jsonl");
    let limit = 3000;
    let longer = example_articles().iter().filter(|a| a["body"].as_str().unwrap().len() > limit).count();
    assert!(longer > 0 && longer < example_articles().len(), "the limit must cut some articles, not all");

    let dead_letters_of = |command: &str| {
        let file = dir.path().join(format!("{command}-rejected.jsonl"));
        let out = tenor()
            .args([command, "--max-body-bytes", &limit.to_string(), "-o", "-", "--dead-letter"])
            .arg(&file)
            .arg("-i")
            .arg(&input)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{command}: {}", String::from_utf8_lossy(&out.stderr));
        json_lines(&std::fs::read(file).unwrap())
    };
    let (run, replay) = (dead_letters_of("run"), dead_letters_of("replay"));
    assert_eq!(replay.len(), longer);
    assert!(replay.iter().all(|d| d["reason"] == "oversize"), "{replay:?}");
    let payloads = |d: &[serde_json::Value]| d.iter().map(|d| d["payload"].clone()).collect::<Vec<_>>();
    assert_eq!(payloads(&replay), payloads(&run), "the same messages are rejected");
}

#[test]
fn a_replay_published_with_a_run_id_tags_the_records_of_serve() {
    let broker = Tansu::start();
    broker.create_topics(&["articles"], 2);
    let mut serve = crate::broker::Service::start(&broker, "serve", &[]);
    let out = tenor()
        .args(["replay", "--no-progress", "--brokers", &broker.bootstrap(), "--to-topic", "articles"])
        .args(["--run-id", "shadow-7", "--rate", "200", "-i"])
        .arg(repo().join("examples/articles.jsonl"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let articles = example_messages().len();
    let expected = crate::kafka_serve::expected_records(None);
    let sentences = crate::kafka_serve::sentence_total(&expected);
    let timeout = Duration::from_secs(60);
    let summaries = broker.read_at_least("tenor.articles", articles, timeout, Duration::from_millis(300));
    let records = broker.read_at_least("tenor.sentences", sentences, timeout, Duration::from_millis(300));
    assert_eq!((summaries.len(), records.len()), (articles, sentences), "{}", serve.log_text());
    assert!(summaries.iter().chain(&records).all(|r| r.value["run_id"] == "shadow-7"));
    let (status, _) = serve.terminate();
    assert!(status.success());
}
