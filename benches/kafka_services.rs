//! Throughput, latency and memory of the Kafka services against a real broker (Tansu), next to the same
//! pipeline in-process. Not a criterion bench: it drives processes and a broker, and prints a report.
//!
//! ```sh
//! cargo bench -p tenor-cli --bench kafka_services -- [ARTICLES] [LATENCY_SECONDS] [LATENCY_RATES...]
//! ```
//!
//! LATENCY_RATES are input rates in sentences/s for the latency runs (default: half the measured `serve`
//! backlog rate).
//!
//! 1. in-process: `Pipeline::process` over the articles on one thread;
//! 2. throughput: ARTICLES articles are produced to the input topic first, then `tenor serve` (and then
//!    `tenor segmenter` + `tenor scorer`) consume the backlog; rate = articles / time from ready to the last
//!    summary read back;
//! 3. latency: articles are produced at half the measured serve sentence rate for LATENCY_SECONDS; each
//!    article's latency is the time from producing it to reading its summary back from `tenor.articles`;
//! 4. memory: peak RSS (`VmHWM`) of each service process.

use std::collections::HashMap;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use rdkafka::{Offset, TopicPartitionList};
use serde_json::Value;
use tenor_core::Origin;
use tenor_pipeline::{Pipeline, PipelineConfig};

const PARTITIONS: i32 = 2;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let latency_seconds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    let articles = make_articles(n);
    let sentences_per_article = in_process(&articles);

    println!("\n## Kafka services ({n} articles, {PARTITIONS} partitions, Tansu memory storage)\n");
    println!("| Run | Articles/s | Sentences/s | Peak RSS per service |");
    println!("|---|---:|---:|---|");
    let serve_rate = throughput(&articles, sentences_per_article, &[("serve", &[])], "serve");
    throughput(&articles, sentences_per_article, &[("segmenter", &[]), ("scorer", &[])], "segmenter + scorer");

    let mut rates: Vec<f64> = args.iter().skip(2).filter_map(|a| a.parse().ok()).collect();
    if rates.is_empty() {
        rates.push(serve_rate * sentences_per_article / 2.0);
    }
    println!("\n## End-to-end latency, `tenor serve` at a fixed input rate\n");
    println!("| Input rate | Articles | p50 | p99 | max | Peak RSS |");
    println!("|---|---:|---:|---:|---:|---:|");
    for rate in rates {
        latency(&articles, sentences_per_article, rate, Duration::from_secs(latency_seconds));
    }
}

/// `n` articles: copies of the example stream under new ids.
fn make_articles(n: usize) -> Vec<(String, Vec<u8>)> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(repo.join("examples/articles.jsonl")).expect("examples/articles.jsonl");
    let examples: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    (0..n)
        .map(|i| {
            let mut article = examples[i % examples.len()].clone();
            let id = format!("{}#{i}", article["id"].as_str().unwrap());
            article["id"] = Value::String(id.clone());
            (id, serde_json::to_vec(&article).unwrap())
        })
        .collect()
}

/// The pipeline alone, one thread: returns sentences per article.
fn in_process(articles: &[(String, Vec<u8>)]) -> f64 {
    let pipeline = Pipeline::new(PipelineConfig::default());
    let started = Instant::now();
    let mut sentences = 0usize;
    for (i, (_, payload)) in articles.iter().enumerate() {
        let origin = Origin::Kafka { topic: "articles".into(), partition: 0, offset: i as i64 };
        let out = pipeline.process_message(payload, origin).expect("example articles are valid");
        sentences += out.sentences.len();
        // Serialising is part of the work a service does per record.
        for record in &out.sentences {
            std::hint::black_box(serde_json::to_vec(record).unwrap());
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!("\n## In-process pipeline (one thread, decode + process + serialise)\n");
    println!("| Articles | Sentences | Articles/s | Sentences/s |");
    println!("|---:|---:|---:|---:|");
    println!(
        "| {} | {} | {:.0} | {:.0} |",
        articles.len(),
        sentences,
        articles.len() as f64 / secs,
        sentences as f64 / secs
    );
    sentences as f64 / articles.len() as f64
}

fn throughput(
    articles: &[(String, Vec<u8>)],
    sentences_per_article: f64,
    services: &[(&str, &[&str])],
    label: &str,
) -> f64 {
    let broker = Broker::start();
    broker.create_topics(&["articles"]);
    produce_all(&broker, articles);
    let started_at = Instant::now();
    let mut running: Vec<ServiceProcess> =
        services.iter().map(|(cmd, extra)| ServiceProcess::start(&broker, cmd, extra)).collect();
    for service in &mut running {
        service.wait_ready();
    }
    let ready_after = started_at.elapsed();
    let started = Instant::now();
    let read = count_until(&broker, "tenor.articles", articles.len(), Duration::from_secs(600));
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(read, articles.len(), "not every article came out");
    let rss: Vec<String> = running.iter().map(|s| format!("{} {:.0} MB", s.name, s.peak_rss_mb())).collect();
    let rate = articles.len() as f64 / secs;
    println!(
        "| {label} (backlog; ready after {:.1} s) | {:.0} | {:.0} | {} |",
        ready_after.as_secs_f64(),
        rate,
        rate * sentences_per_article,
        rss.join(", ")
    );
    rate
}

fn latency(
    articles: &[(String, Vec<u8>)],
    sentences_per_article: f64,
    sentences_per_second: f64,
    duration: Duration,
) {
    let broker = Broker::start();
    broker.create_topics(&["articles"]);
    let mut serve = ServiceProcess::start(&broker, "serve", &[]);
    serve.wait_ready();
    let articles_per_second = sentences_per_second / sentences_per_article;
    let count = ((articles_per_second * duration.as_secs_f64()) as usize).min(articles.len());
    // Connect the reader before the first article is sent, so that its own start-up (metadata, connection,
    // first fetch) is not counted as latency of the first articles.
    let consumer = reader(&broker, "tenor.articles");
    let warm_up = Instant::now() + Duration::from_secs(1);
    while Instant::now() < warm_up {
        let _ = consumer.poll(Duration::from_millis(50));
    }
    let bootstrap = broker.bootstrap();
    let to_send: Vec<(String, Vec<u8>)> = articles[..count].to_vec();
    let sent_at: std::sync::Arc<std::sync::Mutex<HashMap<String, Instant>>> = Default::default();
    let sent_at_producer = sent_at.clone();
    let producer_thread = std::thread::spawn(move || {
        let producer = producer(&bootstrap);
        let start = Instant::now();
        for (i, (id, payload)) in to_send.iter().enumerate() {
            let due = start + Duration::from_secs_f64(i as f64 / articles_per_second);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            sent_at_producer.lock().unwrap().insert(id.clone(), Instant::now());
            send(&producer, "articles", id, payload);
        }
        producer.flush(Duration::from_secs(30)).unwrap();
    });
    let mut latencies = Vec::with_capacity(count);
    let deadline = Instant::now() + duration + Duration::from_secs(60);
    while latencies.len() < count && Instant::now() < deadline {
        if let Some(Ok(message)) = consumer.poll(Duration::from_millis(50)) {
            let now = Instant::now();
            let value: Value = serde_json::from_slice(message.payload().unwrap()).unwrap();
            let id = value["article_id"].as_str().unwrap();
            if let Some(sent) = sent_at.lock().unwrap().get(id) {
                latencies.push(now.duration_since(*sent).as_secs_f64());
            }
        }
    }
    producer_thread.join().unwrap();
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p).round() as usize] * 1000.0;
    println!(
        "| {:.0} articles/s ({:.0} sentences/s) for {:.0} s | {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.0} MB |",
        articles_per_second,
        sentences_per_second,
        count as f64 / articles_per_second,
        latencies.len(),
        pct(0.5),
        pct(0.99),
        pct(1.0),
        serve.peak_rss_mb()
    );
    assert_eq!(latencies.len(), count, "not every article came out");
    let _ = serve.terminate();
}

fn tansu() -> PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("tansu"))
        .chain(std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin/tansu")))
        .find(|p| p.is_file())
        .expect("tansu is not installed: run scripts/install-tansu.sh")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Broker {
    child: Child,
    port: u16,
}

impl Broker {
    fn start() -> Broker {
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

    fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn create_topics(&self, topics: &[&str]) {
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

fn producer(bootstrap: &str) -> ThreadedProducer<DefaultProducerContext> {
    ClientConfig::new().set("bootstrap.servers", bootstrap).set("linger.ms", "1").create().unwrap()
}

fn send(producer: &ThreadedProducer<DefaultProducerContext>, topic: &str, key: &str, payload: &[u8]) {
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

fn produce_all(broker: &Broker, articles: &[(String, Vec<u8>)]) {
    let producer = producer(&broker.bootstrap());
    for (id, payload) in articles {
        send(&producer, "articles", id, payload);
    }
    producer.flush(Duration::from_secs(120)).unwrap();
}

fn reader(broker: &Broker, topic: &str) -> BaseConsumer {
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

fn count_until(broker: &Broker, topic: &str, n: usize, timeout: Duration) -> usize {
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

struct ServiceProcess {
    child: Option<Child>,
    name: String,
    metrics_port: u16,
}

impl ServiceProcess {
    fn start(broker: &Broker, command: &str, extra: &[&str]) -> ServiceProcess {
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

    fn wait_ready(&mut self) {
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

    /// Peak resident set size (`VmHWM`), in MB.
    fn peak_rss_mb(&self) -> f64 {
        let pid = self.child.as_ref().unwrap().id();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    }

    fn terminate(&mut self) -> Option<std::process::ExitStatus> {
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
