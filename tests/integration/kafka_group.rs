//! Consumer groups against a real broker (Tansu, SQLite storage): a second member joins mid-stream, a member is
//! killed with SIGKILL mid-stream and its partitions are taken over; nothing is lost, and the aggregator still
//! counts every record exactly once.

use std::time::{Duration, Instant};

use crate::broker::{Message, Service, Tansu};
use crate::kafka_aggregate::{sentence, totals, Totals};
use crate::kafka_crash::kill_mid_stream;
use crate::kafka_serve::{check_outputs, expected_records, sentence_total};
use crate::kafka_split::{complete, copies_of_examples, has_all};

const CONSUMED: &str = r#"tenor_messages_consumed_total{topic="tenor.sentences"}"#;
const SPEAKERS: [&str; 3] = ["Ann", "Bob", "Cho"];
const SOURCES: [&str; 2] = ["Wire", "Post"];
const LABELS: [&str; 3] = ["positive", "neutral", "negative"];

/// Sentence records produced so far, with the window totals they must add up to.
#[derive(Default)]
struct Stream {
    want: Totals,
    produced: usize,
}

impl Stream {
    /// `n` records into each of the two partitions of `tenor.sentences`, published in minute `minute`, in
    /// event-time order within the batch.
    fn batch(&mut self, broker: &Tansu, minute: u32, n: usize) {
        for partition in 0..2 {
            let mut messages: Vec<Message> = Vec::new();
            for i in 0..n {
                let k = self.produced;
                self.produced += 1;
                let (speaker, source, label) = (SPEAKERS[k % 3], SOURCES[k % 2], LABELS[k % 3]);
                let published = format!("2024-01-01T00:{minute:02}:{:02}Z", i % 60);
                let record = sentence(&format!("g{k}"), 0, source, Some(speaker), label, 0.5, &published);
                messages.push((Some(format!("g{k}")), record.to_string().into_bytes()));
                let window = format!("2024-01-01T00:{minute:02}:00Z");
                for (dimension, name) in [("speaker", speaker), ("source", source)] {
                    let e = self.want.entry((dimension.to_owned(), name.to_owned(), window.clone())).or_default();
                    e.0 += 1;
                    match label {
                        "positive" => e.1 += 1,
                        "neutral" => e.2 += 1,
                        _ => e.3 += 1,
                    }
                }
            }
            broker.produce_to("tenor.sentences", Some(partition), &messages);
        }
    }

    /// The totals of the windows before `minute` (the later ones are still open).
    fn want_before(&self, minute: u32) -> Totals {
        let end = format!("2024-01-01T00:{minute:02}:00Z");
        self.want.iter().filter(|(k, _)| k.2 < end).map(|(k, v)| (k.clone(), *v)).collect()
    }
}

fn before(totals: Totals, minute: u32) -> Totals {
    let end = format!("2024-01-01T00:{minute:02}:00Z");
    totals.into_iter().filter(|(k, _)| k.2 < end).collect()
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool, log: impl Fn() -> String) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "{what}: {}", log());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Two aggregators share the group `tenor-aggregator`. The second joins while the first holds open windows of
/// both partitions (the first must drop the state of the partition it loses, and re-take holds on the one it
/// gets back, or the replayed records are counted twice); later the second is killed with open windows and the
/// first takes its partition over from the committed offset. Window totals over both members' output are
/// exact: nothing lost, nothing counted twice.
#[test]
fn aggregators_in_one_group_count_every_record_once_through_a_join_and_a_crash() {
    const K: usize = 20;
    let broker = Tansu::start_durable();
    broker.create_topics(&["tenor.sentences"], 2);
    let flags = [
        "--window-seconds",
        "60",
        "--set",
        "window.allowed_lateness_seconds=0",
        "--set",
        "window.idle_flush_ms=0",
        // The rebalance timeout: how long the coordinator waits for every member to rejoin.
        "--set",
        "kafka.librdkafka.max.poll.interval.ms=10000",
    ];
    let mut stream = Stream::default();
    let mut first = Service::start(&broker, "aggregator", &flags);
    stream.batch(&broker, 0, K);
    wait_for(
        "first member consumes",
        Duration::from_secs(60),
        || first.metric(CONSUMED) >= (2 * K) as f64,
        || first.log_text(),
    );

    // The second member joins: the window of minute 0 is open in the first, holding both partitions at 0.
    let second = Service::start(&broker, "aggregator", &flags);
    first.wait_ready(Duration::from_secs(60));
    stream.batch(&broker, 0, K);
    stream.batch(&broker, 1, 1);
    // Minute 0 is emitted by both members (each for its partition) and acknowledged; the commits stop at the
    // records of minute 1, which the open window holds.
    let group = "tenor-aggregator";
    let held = (2 * K) as i64;
    wait_for(
        "minute 0 committed by both members",
        Duration::from_secs(90),
        || broker.committed(group, "tenor.sentences", 2) == [held, held],
        || {
            format!(
                "{:?}\n{}\n{}",
                broker.committed(group, "tenor.sentences", 2),
                first.log_text(),
                second.log_text()
            )
        },
    );
    let dropped_at_join = first.metric("tenor_window_state_dropped_total");
    assert!(dropped_at_join >= K as f64, "{}", first.log_text());

    // The second member is killed with minute 1 open. Tansu 0.6 evicts it once its session times out but
    // leaves its partition unassigned in the survivor's rebalance (Kafka would hand it over); a member that
    // joins after that rebalance gets it, so a third member stands in for the takeover.
    let (consumed_first, consumed_second) = (first.metric(CONSUMED), second.metric(CONSUMED));
    stream.batch(&broker, 1, K);
    wait_for(
        "both members consume minute 1",
        Duration::from_secs(60),
        || {
            first.metric(CONSUMED) >= consumed_first + K as f64
                && second.metric(CONSUMED) >= consumed_second + K as f64
        },
        || first.log_text(),
    );
    assert_eq!(broker.committed(group, "tenor.sentences", 2), [held, held], "open windows hold their records");
    let mut second = second;
    second.kill_hard();
    stream.batch(&broker, 1, K);
    stream.batch(&broker, 2, 1);
    wait_for(
        "the survivor's rebalance after the session timeout",
        Duration::from_secs(60),
        || first.metric("tenor_window_state_dropped_total") > dropped_at_join,
        || first.log_text(),
    );
    let third = Service::start(&broker, "aggregator", &flags);

    let want = stream.want_before(2);
    let mut seen = Vec::new();
    let out = broker.read_until("tenor.speakers", Duration::from_secs(120), |r| {
        seen.push(r.clone());
        before(totals(&seen), 2) == want
    });
    assert_eq!(before(totals(&out), 2), want, "{}\n{}", first.log_text(), third.log_text());
    // Nothing more arrives: no window is emitted twice.
    let all = broker.read_at_least("tenor.speakers", out.len(), Duration::from_secs(30), Duration::from_secs(3));
    assert_eq!(before(totals(&all), 2), want, "{}", first.log_text());
    let end = (4 * K + 1) as i64;
    wait_for(
        "everything but the open last minute committed",
        Duration::from_secs(60),
        || broker.committed(group, "tenor.sentences", 2) == [end, end],
        || format!("{:?}", broker.committed(group, "tenor.sentences", 2)),
    );
}

/// Two `serve` members share a backlog; one is killed with SIGKILL mid-stream and its partition is taken over
/// (by a third member: see the aggregator test above for Tansu 0.6's eviction), which replays from the
/// group's committed offset: every sentence record arrives.
#[test]
fn a_serve_member_killed_mid_stream_is_taken_over_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let (input, messages) = copies_of_examples(dir.path(), 8);
    let expected = expected_records(Some(&input));
    let total = sentence_total(&expected) as f64;

    let broker = Tansu::start_durable();
    broker.create_topics(&["articles"], 2);
    broker.produce("articles", &messages);
    let flags = ["--set", "delivery.max_in_flight=8", "--set", "kafka.librdkafka.max.poll.interval.ms=10000"];
    let first = Service::start(&broker, "serve", &flags);
    let mut second = Service::start(&broker, "serve", &flags);
    let series = r#"tenor_records_produced_total{topic="tenor.sentences"}"#;
    // The second member has a partition once it is ready; kill it once it has produced part of its share.
    let at_kill = kill_mid_stream(&mut second, series, 200.0, total);
    // (The join's rebalance is over: the second member has produced since.)
    let revoked = r#"tenor_rebalance_partitions_total{event="revoked"}"#;
    let revoked_before = first.metric(revoked);
    assert!(first.metric(series) + at_kill < total, "the backlog was done before the kill");
    // The third member joins only after the dead one is evicted: joining before, it would share the partitions
    // with the dead member, and what the dead member is given then stays unassigned after its eviction.
    wait_for(
        "the survivor's rebalance after the session timeout",
        Duration::from_secs(60),
        || first.metric(revoked) > revoked_before,
        || first.log_text(),
    );
    let third = Service::start(&broker, "serve", &flags);

    let sentences = broker.read_until("tenor.sentences", Duration::from_secs(120), complete(&expected));
    assert!(has_all(&expected, &sentences), "records lost: {}\n{}", first.log_text(), third.log_text());
    let articles = broker.read_at_least(
        "tenor.articles",
        messages.len(),
        Duration::from_secs(60),
        Duration::from_millis(500),
    );
    let duplicates = check_outputs(&expected, &sentences, &articles, true);
    eprintln!(
        "serve group: {total} sentence records, {duplicates} duplicates after a member's kill -9 at ~{at_kill}"
    );
    for member in [&first, &third] {
        assert_eq!(member.metric(r#"tenor_skipped_offsets_total{topic="articles"}"#), 0.0);
    }
}
