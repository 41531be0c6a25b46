//! Broker restart: Tansu with SQLite storage is killed while records are in flight and comes back; the
//! services reconnect on their own and finish with nothing lost. And a consumer that resumes past its committed
//! offset says so.

use std::time::{Duration, Instant};

use crate::broker::{parse_metric, Message, Service, Tansu};
use crate::kafka_serve::{check_outputs, expected_records, sentence_total};
use crate::kafka_split::{complete, copies_of_examples, has_all};

/// The broker is killed (SIGKILL) and restarted while `serve` works through a backlog: messages are pending,
/// records are queued in the producer and awaiting acknowledgement, and a commit may be under way. `serve`
/// reconnects on its own, re-sends what was not acknowledged, and every record arrives.
#[test]
fn services_survive_a_broker_restart_with_records_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let (input, messages) = copies_of_examples(dir.path(), 4);
    let expected = expected_records(Some(&input));
    let total = sentence_total(&expected) as f64;

    let mut broker = Tansu::start_durable();
    broker.create_topics(&["articles"], 2);
    broker.produce("articles", &messages);
    // A short rebalance timeout (`max.poll.interval.ms`, default 300 s). With the default, one run under load saw
    // the member's session expire while the broker was down and no assignment come back within 90 s of its
    // rejoining (Tansu waiting out the rebalance timeout, presumably); with 10 s, repeated runs recovered.
    let flags = ["--set", "delivery.max_in_flight=16", "--set", "kafka.librdkafka.max.poll.interval.ms=10000"];
    let mut serve = Service::start(&broker, "serve", &flags);
    let series = r#"tenor_records_produced_total{topic="tenor.sentences"}"#;
    let deadline = Instant::now() + Duration::from_secs(60);
    let (produced, in_flight) = loop {
        let metrics = serve.metrics();
        let produced = parse_metric(&metrics, series);
        if produced >= total / 4.0 {
            break (produced, parse_metric(&metrics, "tenor_in_flight_messages"));
        }
        assert!(Instant::now() < deadline, "serve made no progress: {}", serve.log_text());
        std::thread::sleep(Duration::from_millis(5));
    };
    broker.restart(Duration::from_secs(2));
    assert!(produced < total, "serve finished ({produced} of {total}) before the broker went down");
    assert!(in_flight > 0.0, "nothing was in flight when the broker went down");

    let sentences = broker.read_until("tenor.sentences", Duration::from_secs(120), complete(&expected));
    if !has_all(&expected, &sentences) {
        let log = broker.log_text();
        let tail: String =
            log.lines().rev().take(200).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
        panic!(
            "records missing after the broker restart ({} read): {}\nbroker log tail:\n{tail}",
            sentences.len(),
            serve.log_text()
        );
    }
    let articles = broker.read_at_least(
        "tenor.articles",
        messages.len(),
        Duration::from_secs(60),
        Duration::from_millis(500),
    );
    let duplicates = check_outputs(&expected, &sentences, &articles, true);
    eprintln!(
        "broker restart in flight: {total} sentence records, {duplicates} duplicates, restart at ~{produced} \
         with {in_flight} messages in flight"
    );
    assert!(serve.is_running(), "serve must ride out the restart: {}", serve.log_text());
    let (status, _) = serve.terminate();
    assert!(status.success(), "{}", serve.log_text());
}

/// Records a service never saw are reported, not passed over in silence. Tansu 0.6's `memory://` storage
/// serves a fetch that starts inside a record batch from the next batch, which makes such a gap on demand:
/// two batches of 100 messages, a committed offset inside the first, and the service resumes at offset 100.
#[test]
fn a_gap_between_the_committed_offset_and_the_first_message_read_is_reported() {
    let broker = Tansu::start();
    broker.create_topics(&["articles"], 1);
    let batch = |from: usize| -> Vec<Message> {
        (from..from + 100)
            .map(|i| (Some(format!("a{i}")), format!(r#"{{"id":"a{i}","body":"Talks went well."}}"#).into_bytes()))
            .collect()
    };
    broker.produce("articles", &batch(0));
    broker.produce("articles", &batch(100));
    broker.commit("tenor-serve", "articles", 0, 1);

    let serve = Service::start(&broker, "serve", &[]);
    let consumed = r#"tenor_messages_consumed_total{topic="articles"}"#;
    let skipped = r#"tenor_skipped_offsets_total{topic="articles"}"#;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while serve.metric(consumed) < 100.0 || serve.metric(skipped) == 0.0 {
        assert!(std::time::Instant::now() < deadline, "{}", serve.log_text());
        std::thread::sleep(Duration::from_millis(50));
    }
    // Every offset after the committed one is either consumed or counted as skipped.
    assert_eq!(serve.metric(consumed) + serve.metric(skipped), 199.0, "{}", serve.log_text());
    assert!(serve.log_text().contains("lies past the committed offset"), "{}", serve.log_text());
}
