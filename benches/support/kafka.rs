//! Helpers the Kafka benches share (`kafka_services`, `soak`): a Tansu broker process, `tenor` service
//! processes with their metrics and memory, a producer and a reader. Included with `#[path]` (benches are
//! separate crates).

#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use rdkafka::{Offset, TopicPartitionList};

pub const PARTITIONS: i32 = 2;

pub fn tansu() -> PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("tansu"))
        .chain(std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin/tansu")))
        .find(|p| p.is_file())
        .expect("tansu is not installed: run scripts/install-tansu.sh")
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub struct Broker {
    child: Child,
    pub port: u16,
}

impl Broker {
    pub fn start() -> Broker {
        let port = free_port();
        let url = format!("tcp://127.0.0.1:{port}");
        let child = Command::new(tansu())
            .args(["broker", "--listener-url", &url, "--advertised-listener-url", &url])
            .args(["--storage-engine", "memory://tansu/"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tansu");
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            std::thread::sleep(Duration::from_millis(50));
        }
        Broker { child, port }
    }

    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn create_topics(&self, topics: &[&str]) {
        use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
        let admin: AdminClient<_> =
            ClientConfig::new().set("bootstrap.servers", self.bootstrap()).create().unwrap();
        let new: Vec<_> =
            topics.iter().map(|t| NewTopic::new(t, PARTITIONS, TopicReplication::Fixed(1))).collect();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(admin.create_topics(&new, &AdminOptions::new())).unwrap();
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn producer(bootstrap: &str) -> ThreadedProducer<DefaultProducerContext> {
    ClientConfig::new().set("bootstrap.servers", bootstrap).set("linger.ms", "1").create().unwrap()
}

pub fn send(producer: &ThreadedProducer<DefaultProducerContext>, topic: &str, key: &str, payload: &[u8]) {
    let mut record = BaseRecord::<str, [u8]>::to(topic).key(key).payload(payload);
    loop {
        match producer.send(record) {
            Ok(()) => return,
            Err((_, back)) => {
                record = back;
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }
}

pub fn produce_all(broker: &Broker, articles: &[(String, Vec<u8>)]) {
    let producer = producer(&broker.bootstrap());
    for (id, payload) in articles {
        send(&producer, "articles", id, payload);
    }
    producer.flush(Duration::from_secs(120)).unwrap();
}

pub fn reader(broker: &Broker, topic: &str) -> BaseConsumer {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .set("group.id", "tenor-bench-reader")
        .set("enable.auto.commit", "false")
        .set("fetch.wait.max.ms", "10")
        .create()
        .unwrap();
    loop {
        let partitions = consumer
            .fetch_metadata(Some(topic), Duration::from_secs(5))
            .ok()
            .and_then(|m| m.topics().first().map(|t| t.partitions().len()))
            .unwrap_or(0);
        if partitions > 0 {
            let mut list = TopicPartitionList::new();
            for p in 0..partitions as i32 {
                list.add_partition_offset(topic, p, Offset::Beginning).unwrap();
            }
            consumer.assign(&list).unwrap();
            return consumer;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn count_until(broker: &Broker, topic: &str, n: usize, timeout: Duration) -> usize {
    let consumer = reader(broker, topic);
    let deadline = Instant::now() + timeout;
    let mut seen = std::collections::HashSet::new();
    while seen.len() < n && Instant::now() < deadline {
        if let Some(Ok(message)) = consumer.poll(Duration::from_millis(50)) {
            seen.insert(message.key().map(<[u8]>::to_vec));
        }
    }
    seen.len()
}

pub struct ServiceProcess {
    child: Option<Child>,
    pub name: String,
    pub metrics_port: u16,
}

impl ServiceProcess {
    pub fn start(broker: &Broker, command: &str, extra: &[&str]) -> ServiceProcess {
        let metrics_port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_tenor"))
            .arg(command)
            .args(["--brokers", &broker.bootstrap()])
            .args(["--metrics-addr", &format!("127.0.0.1:{metrics_port}")])
            .args(["--set", &format!("kafka.topic_partitions={PARTITIONS}")])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tenor");
        ServiceProcess { child: Some(child), name: command.to_owned(), metrics_port }
    }

    pub fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.metrics_port)) {
                use std::io::{Read, Write};
                let _ = write!(stream, "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                let mut response = String::new();
                let _ = stream.read_to_string(&mut response);
                if response.starts_with("HTTP/1.1 200") {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "tenor {} never became ready", self.name);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Current resident set size (`VmRSS`), in MB.
    pub fn rss_mb(&self) -> f64 {
        self.status_kb("VmRSS:") / 1024.0
    }

    /// One counter or gauge from the service's `/metrics` (0 when absent), e.g.
    /// `tenor_dead_letters_total{reason="invalid_json"}`.
    pub fn metric(&self, series: &str) -> f64 {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.metrics_port)) else { return f64::NAN };
        use std::io::{Read, Write};
        let _ = write!(stream, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let mut response = String::new();
        let _ = stream.read_to_string(&mut response);
        response
            .lines()
            .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0.0)
    }

    fn status_kb(&self, field: &str) -> f64 {
        let pid = self.child.as_ref().unwrap().id();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    }

    /// Peak resident set size (`VmHWM`), in MB.
    pub fn peak_rss_mb(&self) -> f64 {
        self.status_kb("VmHWM:") / 1024.0
    }

    pub fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        let mut child = self.child.take()?;
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        child.wait().ok()
    }
}

impl Drop for ServiceProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
