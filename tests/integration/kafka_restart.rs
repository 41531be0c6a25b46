//! Broker restart: Tansu with SQLite storage goes down mid-stream and comes back; the services reconnect on
//! their own and finish with nothing lost. And a consumer that resumes past its committed offset says so.

use std::time::Duration;

use crate::broker::{Message, Service, Tansu};
use crate::kafka_serve::{check_outputs, expected_records};
use crate::kafka_split::{complete, copies_of_examples};

#[test]
fn services_survive_a_broker_restart_without_losing_records() {
    let dir = tempfile::tempdir().unwrap();
    let (input, messages) = copies_of_examples(dir.path(), 2);
    let expected = expected_records(Some(&input));
    let (first, second) = messages.split_at(messages.len() / 2);

    let mut broker = Tansu::start_durable();
    broker.create_topics(&["articles"], 2);
    let mut serve = Service::start(&broker, "serve", &[]);
    broker.produce("articles", first);
    let half = broker.read_at_least("tenor.articles", first.len(), Duration::from_secs(60), Duration::ZERO);
    assert_eq!(half.len(), first.len(), "{}", serve.log_text());

    broker.restart(Duration::from_secs(2));
    broker.produce("articles", second);

    let sentences = broker.read_until("tenor.sentences", Duration::from_secs(120), complete(&expected));
    let articles = broker.read_at_least(
        "tenor.articles",
        messages.len(),
        Duration::from_secs(60),
        Duration::from_millis(500),
    );
    let duplicates = check_outputs(&expected, &sentences, &articles, true);
    eprintln!("broker restart: {} sentence records read, {duplicates} duplicates", sentences.len());
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
