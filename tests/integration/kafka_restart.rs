//! Broker restart: Tansu with SQLite storage goes down mid-stream and comes back; the services reconnect on
//! their own and finish with nothing lost.

use std::time::Duration;

use crate::broker::{Service, Tansu};
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
