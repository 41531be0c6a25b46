//! A real Kafka-protocol broker (Tansu) per test, and the `tenor` services as processes around it.
//!
//! Each test starts its own Tansu on a free loopback port and kills it when the guard drops, so tests run in
//! parallel without sharing state. Tansu must be installed (`scripts/install-tansu.sh`, which
//! `scripts/test.sh` runs first): a missing broker fails the test loudly instead of skipping it.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message as _;
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use rdkafka::{Offset, TopicPartitionList};
use serde_json::Value;

use crate::support::tenor;

/// Where the Tansu binary is: on PATH, or in ~/.cargo/bin where `cargo install` puts it.
pub fn tansu_binary() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join("tansu"))
        .find(|p| p.is_file());
    let in_cargo =
        std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin/tansu")).filter(|p| p.is_file());
    on_path.or(in_cargo).unwrap_or_else(|| {
        panic!("the Tansu broker is not installed: run scripts/install-tansu.sh (scripts/test.sh does it for you)")
    })
}

/// A free loopback port (bound then released; the race with other processes is acceptable for tests).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One Tansu broker process, killed on drop.
#[derive(Debug)]
pub struct Tansu {
    child: Option<Child>,
    pub port: u16,
    storage: String,
    _dir: tempfile::TempDir,
    log: PathBuf,
}

impl Tansu {
    /// A broker keeping its data in memory.
    pub fn start() -> Tansu {
        Tansu::start_with(|_| "memory://tansu/".to_owned())
    }

    /// A broker keeping its data in SQLite, so that it survives [`Tansu::restart`].
    pub fn start_durable() -> Tansu {
        // Tansu 0.6 resolves the SQLite path against its working directory (which is the temporary directory).
        Tansu::start_with(|_| "sqlite://tansu.db".to_owned())
    }

    fn start_with(storage: impl FnOnce(&Path) -> String) -> Tansu {
        let dir = tempfile::tempdir().unwrap();
        let storage = storage(dir.path());
        let log = dir.path().join("tansu.log");
        let mut tansu = Tansu { child: None, port: free_port(), storage, _dir: dir, log };
        tansu.spawn();
        tansu
    }

    fn spawn(&mut self) {
        let url = format!("tcp://127.0.0.1:{}", self.port);
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
        let child = Command::new(tansu_binary())
            .args(["broker", "--listener-url", &url, "--advertised-listener-url", &url])
            .args(["--storage-engine", &self.storage])
            .current_dir(self._dir.path())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start tansu");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "tansu did not listen on {}: {}", self.port, self.log_text());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Kills the broker (SIGKILL) and starts it again on the same port and storage.
    pub fn restart(&mut self, down_for: Duration) {
        self.kill();
        std::thread::sleep(down_for);
        self.spawn();
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Creates topics (Tenor's services create theirs too; tests create the input topic before producing).
    pub fn create_topics(&self, topics: &[&str], partitions: i32) {
        use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
        let admin: AdminClient<_> =
            ClientConfig::new().set("bootstrap.servers", self.bootstrap()).create().expect("admin client");
        let new: Vec<_> =
            topics.iter().map(|t| NewTopic::new(t, partitions, TopicReplication::Fixed(1))).collect();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let results = rt.block_on(admin.create_topics(&new, &AdminOptions::new())).expect("create topics");
        for result in results {
            if let Err((topic, code)) = result {
                assert_eq!(code, rdkafka::types::RDKafkaErrorCode::TopicAlreadyExists, "create {topic}");
            }
        }
    }

    /// Produces `(key, payload)` messages to `topic` and waits until all are acknowledged.
    pub fn produce(&self, topic: &str, messages: &[Message]) {
        self.produce_to(topic, None, messages);
    }

    /// [`Tansu::produce`] into one `partition` (or, with `None`, where the key hashes).
    pub fn produce_to(&self, topic: &str, partition: Option<i32>, messages: &[Message]) {
        let producer: ThreadedProducer<DefaultProducerContext> = ClientConfig::new()
            .set("bootstrap.servers", self.bootstrap())
            .set("linger.ms", "5")
            .create()
            .expect("producer");
        for (key, payload) in messages {
            let mut record = BaseRecord::<str, [u8]>::to(topic).payload(payload);
            if let Some(key) = key {
                record = record.key(key);
            }
            if let Some(partition) = partition {
                record = record.partition(partition);
            }
            let mut record = record;
            loop {
                match producer.send(record) {
                    Ok(()) => break,
                    Err((_, back)) => {
                        record = back;
                        std::thread::sleep(Duration::from_millis(10));
                    }
                }
            }
        }
        producer.flush(Duration::from_secs(30)).expect("test messages acknowledged");
    }

    /// Reads `topic` from the beginning (all partitions, no consumer group), calling `done` on each record,
    /// until it returns true or `timeout` passes. Tansu's high watermark is not trusted: reading stops on
    /// content, never at the watermark.
    pub fn read_until(&self, topic: &str, timeout: Duration, done: impl FnMut(&Record) -> bool) -> Vec<Record> {
        self.read(topic, timeout, None, false, done)
    }

    /// Reads `topic` until it holds at least `n` records (or `timeout`), then for `settle` longer to catch
    /// anything unexpected beyond them.
    pub fn read_at_least(&self, topic: &str, n: usize, timeout: Duration, settle: Duration) -> Vec<Record> {
        let mut count = 0;
        self.read(topic, timeout, Some(settle), n == 0, |_| {
            count += 1;
            count >= n
        })
    }

    fn read(
        &self,
        topic: &str,
        timeout: Duration,
        settle: Option<Duration>,
        already_done: bool,
        mut done: impl FnMut(&Record) -> bool,
    ) -> Vec<Record> {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", self.bootstrap())
            .set("group.id", "tenor-tests-reader")
            .set("enable.auto.commit", "false")
            .set("fetch.wait.max.ms", "20")
            .create()
            .expect("consumer");
        let deadline = Instant::now() + timeout;
        let partitions = loop {
            let metadata = consumer.fetch_metadata(Some(topic), Duration::from_secs(5));
            if let Ok(metadata) = metadata {
                let n = metadata.topics().first().map_or(0, |t| t.partitions().len());
                if n > 0 {
                    break n as i32;
                }
            }
            assert!(Instant::now() < deadline, "topic {topic} never appeared");
            std::thread::sleep(Duration::from_millis(100));
        };
        let mut list = TopicPartitionList::new();
        for p in 0..partitions {
            list.add_partition_offset(topic, p, Offset::Beginning).unwrap();
        }
        consumer.assign(&list).unwrap();
        let mut records = Vec::new();
        let mut finished_at = already_done.then(Instant::now);
        loop {
            let now = Instant::now();
            match (finished_at, settle) {
                (Some(at), Some(settle)) if now >= at + settle => break,
                (Some(_), None) => break,
                _ if now >= deadline => break,
                _ => {}
            }
            if let Some(Ok(message)) = consumer.poll(Duration::from_millis(50)) {
                let record = Record {
                    partition: message.partition(),
                    key: message.key().map(|k| String::from_utf8_lossy(k).into_owned()),
                    // A null value (a tombstone) reads as JSON null; the claims service's restore markers
                    // (a token, not JSON) as a string.
                    value: match message.payload() {
                        None => Value::Null,
                        Some(token) if message.key().is_some_and(|k| k == b"__tenor_restore_marker") => {
                            Value::String(String::from_utf8_lossy(token).into_owned())
                        }
                        Some(payload) => serde_json::from_slice(payload)
                            .unwrap_or_else(|e| panic!("{topic} holds a non-JSON record: {e}")),
                    },
                };
                if finished_at.is_none() && done(&record) {
                    finished_at = Some(Instant::now());
                }
                records.push(record);
            }
        }
        records
    }

    /// A consumer of `group` that does not join it: for reading and writing the group's committed offsets.
    fn group_client(&self, group: &str) -> BaseConsumer {
        ClientConfig::new()
            .set("bootstrap.servers", self.bootstrap())
            .set("group.id", group)
            .create()
            .expect("consumer")
    }

    /// Commits `offset` for `group` on one partition of `topic`, as a group member that has left would have.
    pub fn commit(&self, group: &str, topic: &str, partition: i32, offset: i64) {
        let consumer = self.group_client(group);
        let mut list = TopicPartitionList::new();
        list.add_partition_offset(topic, partition, Offset::Offset(offset)).unwrap();
        consumer.commit(&list, rdkafka::consumer::CommitMode::Sync).expect("commit");
    }

    /// The offsets `group` committed on each of the `partitions` of `topic` (0 when none).
    pub fn committed(&self, group: &str, topic: &str, partitions: i32) -> Vec<i64> {
        let consumer = self.group_client(group);
        let mut list = TopicPartitionList::new();
        for p in 0..partitions {
            list.add_partition(topic, p);
        }
        let committed = consumer.committed_offsets(list, Duration::from_secs(10)).expect("committed offsets");
        (0..partitions)
            .map(|p| match committed.find_partition(topic, p).map(|e| e.offset()) {
                Some(Offset::Offset(o)) => o,
                _ => 0,
            })
            .collect()
    }
}

impl Drop for Tansu {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A message to produce: optional key, payload.
pub type Message = (Option<String>, Vec<u8>);

/// A record read back from a topic.
#[derive(Debug, Clone)]
pub struct Record {
    pub partition: i32,
    pub key: Option<String>,
    /// The value as JSON; `Null` for a tombstone.
    pub value: Value,
}

/// A running `tenor` service process, killed on drop.
#[derive(Debug)]
pub struct Service {
    child: Option<Child>,
    pub name: String,
    pub metrics_port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Service {
    /// Starts `tenor <command>` against `broker`, with a fresh metrics port, short fetch waits and group
    /// timeouts suited to tests, and `extra` flags; waits until `/readyz` says ready.
    pub fn start(broker: &Tansu, command: &str, extra: &[&str]) -> Service {
        let mut service = Service::spawn(broker, command, extra);
        service.wait_ready(Duration::from_secs(60));
        service
    }

    pub fn spawn(broker: &Tansu, command: &str, extra: &[&str]) -> Service {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join(format!("{command}.log"));
        let metrics_port = free_port();
        let mut service = Service { child: None, name: command.to_owned(), metrics_port, log, _dir: dir };
        service.launch(broker, extra);
        service
    }

    fn launch(&mut self, broker: &Tansu, extra: &[&str]) {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
        let child = tenor()
            .arg(std::env::var("TENOR_TEST_SERVICE_LOG").map_or("--log=info".to_owned(), |l| format!("--log={l}")))
            .arg(&self.name)
            .args(["--brokers", &broker.bootstrap()])
            .args(["--metrics-addr", &format!("127.0.0.1:{}", self.metrics_port)])
            .args(["--set", "kafka.commit_interval_ms=200", "--set", "kafka.topic_partitions=2"])
            .args(["--set", "kafka.librdkafka.session.timeout.ms=6000"])
            .args(["--set", "kafka.librdkafka.heartbeat.interval.ms=500"])
            .args(["--set", "kafka.statistics_interval_ms=500"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start tenor service");
        self.child = Some(child);
    }

    pub fn wait_ready(&mut self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some((200, _)) = http_get(self.metrics_port, "/readyz") {
                return;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("tenor {} exited early with {status}: {}", self.name, self.log_text());
            }
            assert!(Instant::now() < deadline, "tenor {} never became ready: {}", self.name, self.log_text());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The text of `/metrics`.
    pub fn metrics(&self) -> String {
        match http_get(self.metrics_port, "/metrics") {
            Some((200, body)) => body,
            other => panic!("GET /metrics failed: {other:?}"),
        }
    }

    /// The value of one metric series, e.g. `tenor_records_produced_total{topic="tenor.sentences"}`.
    pub fn metric(&self, series: &str) -> f64 {
        parse_metric(&self.metrics(), series)
    }

    /// SIGKILL: the crash case.
    pub fn kill_hard(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGHUP: reload the models.
    pub fn hangup(&self) {
        let pid = self.child.as_ref().expect("running").id().to_string();
        assert!(Command::new("kill").args(["-HUP", &pid]).status().unwrap().success());
    }

    /// SIGTERM, then waits for the exit; returns the status and how long shutdown took.
    pub fn terminate(&mut self) -> (ExitStatus, Duration) {
        let mut child = self.child.take().expect("running");
        let started = Instant::now();
        let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return (status, started.elapsed());
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("tenor {} ignored SIGTERM: {}", self.name, self.log_text());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts the same service again (after [`Service::kill_hard`]).
    pub fn restart(&mut self, broker: &Tansu, extra: &[&str]) {
        assert!(self.child.is_none(), "stop the service first");
        self.metrics_port = free_port();
        self.launch(broker, extra);
        self.wait_ready(Duration::from_secs(60));
    }

    pub fn is_running(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| c.try_wait().unwrap().is_none())
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill_hard();
    }
}

/// A minimal HTTP/1.1 GET on loopback: (status, body).
pub fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    Some((status, body))
}

/// The value of `series` (full name with labels, in the exposition's label order) in a metrics text; 0 when
/// absent.
pub fn parse_metric(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

/// Groups records by article id, keeping their order.
pub fn by_article(records: &[Record]) -> HashMap<String, Vec<&Record>> {
    let mut out: HashMap<String, Vec<&Record>> = HashMap::new();
    for record in records {
        out.entry(record.value["article_id"].as_str().unwrap().to_owned()).or_default().push(record);
    }
    out
}

/// The example stream as `(key, payload)` messages keyed by article id.
pub fn example_messages() -> Vec<Message> {
    crate::support::example_articles()
        .into_iter()
        .map(|a| (Some(a["id"].as_str().unwrap().to_owned()), serde_json::to_vec(&a).unwrap()))
        .collect()
}
