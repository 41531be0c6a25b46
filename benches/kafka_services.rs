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
//! 1. in-process: `Pipeline::process` (with the shipped models) over the articles on one thread;
//! 2. throughput: ARTICLES articles are produced to the input topic first, then `tenor serve` (and then
//!    `tenor segmenter` + `tenor scorer`) consume the backlog; rate = articles / time from ready to the last
//!    summary read back;
//! 3. latency: articles are produced at half the measured serve sentence rate for LATENCY_SECONDS; each
//!    article's latency is the time from producing it to reading its summary back from `tenor.articles`;
//! 4. memory: peak RSS (`VmHWM`) of each service process.

#[path = "support/kafka.rs"]
mod kafka;

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use kafka::{count_until, produce_all, producer, reader, send, Broker, ServiceProcess, PARTITIONS};
use rdkafka::message::Message;
use rdkafka::producer::Producer;
use serde_json::Value;
use tenor_core::Origin;
use tenor_pipeline::{Models, Pipeline, PipelineConfig};

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
    // The services score with the shipped models; so does the comparison.
    let pipeline = Pipeline::with_models(PipelineConfig::default(), Models::shipped().expect("shipped models"));
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
