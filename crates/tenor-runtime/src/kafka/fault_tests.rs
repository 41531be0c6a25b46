//! Fault injection on librdkafka's in-process mock cluster: produce errors no retry can cure, transient
//! errors, a broker down with records in flight, and SIGTERM in each state. Every test asserts what was
//! delivered, what was dead-lettered, and what the group committed.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
use tenor_core::{DeadLetter, InputError};
use tokio::sync::watch;

use super::engine::{run, EngineSettings, Incoming, Outgoing, Processed, RunSummary, Stage, StatelessStage};
use super::ServiceError;
use crate::config::{DeliveryConfig, KafkaConfig, ServeConfig};
use crate::http::Health;
use crate::metrics::Metrics;

/// Echoes each message to `out`. `big:N` produces an N-byte record instead; a message starting with `hang`
/// blocks until the test opens the gate.
struct Echo {
    gate: Arc<(Mutex<bool>, Condvar)>,
}

impl StatelessStage for Echo {
    fn process(&self, message: &Incoming, _metrics: &Metrics) -> Result<Processed, InputError> {
        if message.payload.starts_with(b"hang") {
            let (open, signal) = &*self.gate;
            let guard = open.lock().unwrap();
            drop(signal.wait_timeout_while(guard, Duration::from_secs(60), |open| !*open).unwrap());
        }
        let payload = match std::str::from_utf8(&message.payload).ok().and_then(|p| p.strip_prefix("big:")) {
            Some(rest) => vec![b'x'; rest.split(" ").next().unwrap().parse().unwrap()],
            None => message.payload.clone(),
        };
        let record = Outgoing { topic: "out".into(), key: Some(b"k".to_vec()), payload, dead_letter_reason: None };
        Ok(Processed { records: vec![record], ..Processed::default() })
    }
}

struct Harness {
    cluster: MockCluster<'static, rdkafka::producer::DefaultProducerContext>,
    bootstrap: String,
    metrics: Arc<Metrics>,
    health: Arc<Health>,
    gate: Arc<(Mutex<bool>, Condvar)>,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<Result<RunSummary, ServiceError>>>,
    group: String,
}

impl Harness {
    /// A mock cluster with `in`, `out` and `dlq`, `inputs` written to `in`, and the engine running on it.
    async fn start(
        group: &str,
        inputs: &[&[u8]],
        librdkafka: &[(&str, &str)],
        delivery: DeliveryConfig,
        before_start: impl FnOnce(&MockCluster<'static, rdkafka::producer::DefaultProducerContext>),
    ) -> Harness {
        let cluster = MockCluster::new(1).unwrap();
        for topic in ["in", "out", "dlq"] {
            cluster.create_topic(topic, 1, 1).unwrap();
        }
        let bootstrap = cluster.bootstrap_servers();
        let producer: FutureProducer = ClientConfig::new().set("bootstrap.servers", &bootstrap).create().unwrap();
        for payload in inputs {
            producer
                .send(FutureRecord::<[u8], [u8]>::to("in").payload(*payload), Duration::from_secs(5))
                .await
                .unwrap();
        }
        before_start(&cluster);
        let mut kafka: KafkaConfig = ServeConfig::default().kafka;
        kafka.bootstrap_servers = bootstrap.clone();
        kafka.group_id = group.into();
        kafka.commit_interval_ms = 50;
        for (key, value) in librdkafka {
            kafka.librdkafka.insert((*key).into(), (*value).into());
        }
        let settings = EngineSettings {
            service: "tenor-test".into(),
            input_topics: vec!["in".into()],
            dlq_topic: "dlq".into(),
            delivery,
            workers: 2,
        };
        let metrics = Arc::new(Metrics::new("test"));
        let health = Arc::new(Health::default());
        health.set_pipeline_loaded(true);
        let gate = Arc::new((Mutex::new(false), Condvar::new()));
        let (stop, shutdown) = watch::channel(false);
        let task = tokio::spawn({
            let (metrics, health) = (metrics.clone(), health.clone());
            let stage = Stage::Stateless(Arc::new(Echo { gate: gate.clone() }));
            async move { run(&kafka, settings, stage, metrics, health, shutdown).await }
        });
        Harness { cluster, bootstrap, metrics, health, gate, stop, task: Some(task), group: group.into() }
    }

    fn produced(&self, topic: &str) -> u64 {
        self.metrics.records_produced.with_label_values(&[topic]).get()
    }

    fn dead_letters(&self, reason: &str) -> u64 {
        self.metrics.dead_letters.with_label_values(&[reason]).get()
    }

    async fn wait_for(&self, what: &str, done: impl Fn(&Harness) -> bool) {
        let started = Instant::now();
        while !done(self) {
            assert!(started.elapsed() < Duration::from_secs(60), "{what}: not reached\n{}", self.metrics.render());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn open_gate(&self) {
        *self.gate.0.lock().unwrap() = true;
        self.gate.1.notify_all();
    }

    /// Sends the shutdown signal and waits for the engine to return (a hang fails the test at 60 s).
    async fn shut_down(&mut self) -> Result<RunSummary, ServiceError> {
        self.stop.send(true).unwrap();
        let task = self.task.take().unwrap();
        tokio::time::timeout(Duration::from_secs(60), task).await.expect("the engine ignored shutdown").unwrap()
    }

    /// The group's committed offset of `in` partition 0.
    fn committed(&self) -> rdkafka::Offset {
        let checker: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &self.bootstrap)
            .set("group.id", &self.group)
            .create()
            .unwrap();
        let mut list = rdkafka::TopicPartitionList::new();
        list.add_partition("in", 0);
        let committed = checker.committed_offsets(list, Duration::from_secs(10)).unwrap();
        committed.find_partition("in", 0).unwrap().offset()
    }

    /// Every message on `topic`, from the start.
    fn read_all(&self, topic: &str, expected: usize) -> Vec<Vec<u8>> {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &self.bootstrap)
            .set("group.id", "reader")
            .create()
            .unwrap();
        let mut list = rdkafka::TopicPartitionList::new();
        list.add_partition_offset(topic, 0, rdkafka::Offset::Beginning).unwrap();
        consumer.assign(&list).unwrap();
        let mut out = Vec::new();
        let started = Instant::now();
        while out.len() < expected && started.elapsed() < Duration::from_secs(30) {
            if let Some(Ok(message)) = consumer.poll(Duration::from_millis(200)) {
                out.push(message.payload().unwrap_or_default().to_vec());
            }
        }
        out
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_over_the_producer_limit_dead_letters_its_input_and_the_dead_letter_fits() {
    // The producer takes records of at most 10 000 bytes. The second input asks for a 20 000-byte record and
    // is itself 9 000 control characters, which JSON escapes to 54 000 bytes in its dead letter.
    let mut hostile = b"big:20000 ".to_vec();
    hostile.extend(std::iter::repeat_n(1u8, 9_000));
    let inputs: [&[u8]; 3] = [b"one", &hostile, b"two"];
    let mut h =
        Harness::start("too-large", &inputs, &[("message.max.bytes", "10000")], DeliveryConfig::default(), |_| {})
            .await;
    h.wait_for("two records and one dead letter", |h| (h.produced("out"), h.produced("dlq")) == (2, 1)).await;
    assert_eq!(h.dead_letters("output_too_large"), 1);
    assert_eq!(h.metrics.produce_errors.with_label_values(&["permanent"]).get(), 1);
    let summary = h.shut_down().await.unwrap();
    assert_eq!(summary, RunSummary { consumed: 3, produced: 3, dead_letters: 1 });
    // Every input is done: the group committed past the last one.
    assert_eq!(h.committed(), rdkafka::Offset::Offset(3));
    let letters = h.read_all("dlq", 1);
    assert_eq!(letters.len(), 1);
    assert!(letters[0].len() <= 10_000, "dead letter of {} bytes", letters[0].len());
    let letter: DeadLetter = serde_json::from_slice(&letters[0]).unwrap();
    assert_eq!(letter.reason, "output_too_large");
    assert!(letter.payload_truncated && letter.payload.starts_with("big:20000 "));
    assert_eq!(h.read_all("out", 2), [b"one".to_vec(), b"two".to_vec()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_refusal_no_retry_cures_dead_letters_the_input_and_nothing_is_lost() {
    // The first produce request is refused for authorization, a permanent error.
    let inputs: [&[u8]; 3] = [b"one", b"two", b"three"];
    let mut h = Harness::start("refused", &inputs, &[], DeliveryConfig::default(), |cluster| {
        cluster.request_errors(
            RDKafkaApiKey::Produce,
            &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED],
        );
    })
    .await;
    // Each input is either delivered or dead-lettered as refused; none is retried forever or lost.
    h.wait_for("every input delivered or dead-lettered", |h| h.produced("out") + h.produced("dlq") == 3).await;
    let refused = h.dead_letters("produce_rejected");
    assert!(refused >= 1, "{}", h.metrics.render());
    assert_eq!(h.produced("dlq"), refused);
    h.shut_down().await.unwrap();
    assert_eq!(h.committed(), rdkafka::Offset::Offset(3));
    let letter: DeadLetter = serde_json::from_slice(&h.read_all("dlq", 1)[0]).unwrap();
    assert_eq!(letter.reason, "produce_rejected");
    assert!(letter.error.contains("uthorization"), "{}", letter.error);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_errors_are_retried_and_never_dead_lettered() {
    // Several produce requests fail with retriable errors; librdkafka retries them itself.
    let inputs: [&[u8]; 3] = [b"one", b"two", b"three"];
    let mut h = Harness::start("transient", &inputs, &[], DeliveryConfig::default(), |cluster| {
        cluster.request_errors(
            RDKafkaApiKey::Produce,
            &[
                RDKafkaRespErr::RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
                RDKafkaRespErr::RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                RDKafkaRespErr::RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
            ],
        );
    })
    .await;
    h.wait_for("every record delivered", |h| h.produced("out") == 3).await;
    let summary = h.shut_down().await.unwrap();
    assert_eq!(summary.dead_letters, 0);
    assert_eq!(h.produced("dlq"), 0);
    assert_eq!(h.committed(), rdkafka::Offset::Offset(3));
    assert_eq!(h.read_all("out", 3), [b"one".to_vec(), b"two".to_vec(), b"three".to_vec()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_in_flight_while_the_broker_is_down_are_re_sent_and_committed_only_once_acknowledged() {
    // librdkafka gives a record up after 1 s; the engine then re-sends it itself (the re-send path).
    let inputs: [&[u8]; 3] = [b"one", b"hang", b"two"];
    let mut h = Harness::start(
        "broker-down",
        &inputs,
        &[("message.timeout.ms", "1000")],
        DeliveryConfig { retry_backoff_ms: 50, retry_backoff_max_ms: 200, ..DeliveryConfig::default() },
        |_| {},
    )
    .await;
    // Committed means the group's stored offset is past "one" (a commit counted earlier may be of offset 0).
    h.wait_for("the first record delivered and committed", |h| {
        h.produced("out") == 1 && h.committed() == rdkafka::Offset::Offset(1)
    })
    .await;
    h.cluster.broker_down(1).unwrap();
    h.open_gate();
    h.wait_for("records given up by librdkafka and re-sent", |h| h.metrics.produce_retries.get() >= 2).await;
    // While producing fails, the service says it is not ready, and the inputs stay in flight (uncommitted).
    assert!(!h.health.is_ready());
    assert_eq!(h.metrics.in_flight.get(), 2);
    assert_eq!(h.produced("dlq"), 0, "a fault of the world never dead-letters");
    h.cluster.broker_up(1).unwrap();
    h.wait_for("the re-sent records delivered", |h| h.produced("out") == 3).await;
    h.wait_for("ready again", |h| h.health.is_ready()).await;
    let summary = h.shut_down().await.unwrap();
    assert_eq!(summary.dead_letters, 0);
    assert!(h.metrics.produce_errors.with_label_values(&["transient"]).get() >= 2);
    assert_eq!(h.committed(), rdkafka::Offset::Offset(3));
    let out = h.read_all("out", 3);
    for expected in [&b"one"[..], b"hang", b"two"] {
        assert!(out.iter().any(|r| r == expected), "{expected:?} missing from {out:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_with_the_broker_down_and_the_producer_queue_full_exits_and_commits_only_what_was_acknowledged() {
    // One record fills the producer queue; with the broker down it stays there (librdkafka would hold it for
    // its default 300 s message timeout), so the next record waits on a full queue when SIGTERM comes.
    let inputs: [&[u8]; 4] = [b"one", b"hang", b"two", b"three"];
    let mut h = Harness::start(
        "sigterm-queue-full",
        &inputs,
        &[("queue.buffering.max.messages", "1")],
        DeliveryConfig { shutdown_timeout_ms: 1000, ..DeliveryConfig::default() },
        |_| {},
    )
    .await;
    // Committed means the group's stored offset is past "one" (a commit counted earlier may be of offset 0).
    h.wait_for("the first record delivered and committed", |h| {
        h.produced("out") == 1 && h.committed() == rdkafka::Offset::Offset(1)
    })
    .await;
    h.cluster.broker_down(1).unwrap();
    h.open_gate();
    // Give the loop a moment to hand the records to the full queue: the shutdown must be seen either way.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let summary = h.shut_down().await.unwrap();
    assert_eq!(summary.dead_letters, 0);
    assert_eq!(summary.produced, 1);
    h.cluster.broker_up(1).unwrap();
    // Only "one" was acknowledged: the commit stops there, the rest is replayed on restart.
    assert_eq!(h.committed(), rdkafka::Offset::Offset(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_output_is_down_the_partitions_pause_and_the_member_keeps_its_place_in_the_group() {
    // Forty produce requests fail in a row (retriable; librdkafka retries each after 250 ms): about ten
    // seconds without an acknowledgement, over twice `max.poll.interval.ms`. With one message in flight at
    // most, the bound holds all that time.
    let inputs: [&[u8]; 4] = [b"a", b"b", b"c", b"d"];
    let mut h = Harness::start(
        "paused",
        &inputs,
        &[
            ("session.timeout.ms", "3000"),
            ("heartbeat.interval.ms", "500"),
            ("max.poll.interval.ms", "4000"),
            ("statistics.interval.ms", "500"),
            ("retry.backoff.ms", "250"),
            ("retry.backoff.max.ms", "250"),
        ],
        DeliveryConfig { max_in_flight: 1, ..DeliveryConfig::default() },
        |cluster| {
            cluster.request_errors(
                RDKafkaApiKey::Produce,
                &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS; 40],
            );
        },
    )
    .await;
    h.wait_for("partitions paused while nothing is acknowledged", |h| h.metrics.partitions_paused.get() > 0).await;
    assert_eq!(h.metrics.in_flight_limit.get(), 1);
    h.wait_for("every record delivered once the output is back", |h| h.produced("out") == 4).await;
    h.wait_for("partitions resumed", |h| h.metrics.partitions_paused.get() == 0).await;
    // The member kept polling while paused, so it never outlived `max.poll.interval.ms`: its one partition
    // was assigned once and never revoked (the consumer's close at shutdown revokes it, hence checked before).
    assert_eq!(h.metrics.rebalances.with_label_values(&["assigned"]).get(), 1, "{}", h.metrics.render());
    assert_eq!(h.metrics.rebalances.with_label_values(&["revoked"]).get(), 0, "{}", h.metrics.render());
    let summary = h.shut_down().await.unwrap();
    assert_eq!(summary, RunSummary { consumed: 4, produced: 4, dead_letters: 0 });
    assert_eq!(h.committed(), rdkafka::Offset::Offset(4));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fatal_producer_error_stops_the_engine_with_an_error_and_commits_nothing_unacknowledged() {
    // The idempotent producer cannot get its producer id: librdkafka raises a fatal error.
    let inputs: [&[u8]; 2] = [b"one", b"two"];
    let mut h = Harness::start("fatal", &inputs, &[], DeliveryConfig::default(), |cluster| {
        cluster.request_errors(
            RDKafkaApiKey::InitProducerId,
            &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED],
        );
    })
    .await;
    let task = h.task.take().unwrap();
    let result = tokio::time::timeout(Duration::from_secs(60), task).await.expect("the engine stops by itself");
    assert!(matches!(result.unwrap(), Err(ServiceError::ProducerFatal(_))));
    assert_eq!(h.metrics.produce_errors.with_label_values(&["fatal"]).get(), 1);
    assert_eq!((h.produced("out"), h.produced("dlq")), (0, 0));
    // Nothing was acknowledged: the commit stays before the first input, which a restart reads again.
    assert_eq!(h.committed(), rdkafka::Offset::Offset(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_while_records_are_being_re_sent_exits_at_the_deadline_and_commits_only_what_was_acknowledged() {
    let inputs: [&[u8]; 3] = [b"one", b"hang", b"two"];
    let mut h = Harness::start(
        "sigterm-retrying",
        &inputs,
        &[("message.timeout.ms", "500")],
        DeliveryConfig { shutdown_timeout_ms: 1000, retry_backoff_ms: 50, ..DeliveryConfig::default() },
        |_| {},
    )
    .await;
    // Committed means the group's stored offset is past "one" (a commit counted earlier may be of offset 0).
    h.wait_for("the first record delivered and committed", |h| {
        h.produced("out") == 1 && h.committed() == rdkafka::Offset::Offset(1)
    })
    .await;
    h.cluster.broker_down(1).unwrap();
    h.open_gate();
    h.wait_for("records being re-sent", |h| h.metrics.produce_retries.get() >= 2).await;
    let summary = h.shut_down().await.unwrap();
    assert_eq!((summary.produced, summary.dead_letters), (1, 0));
    h.cluster.broker_up(1).unwrap();
    assert_eq!(h.committed(), rdkafka::Offset::Offset(1));
}
