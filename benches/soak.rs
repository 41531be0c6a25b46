//! Soak: `tenor serve` against a real broker (Tansu) for a fixed time at a fixed input rate, with a share of
//! malformed messages. Reports memory over time (it must not grow), throughput, dead letters by reason and
//! records lost (must be 0). Not a criterion bench: it drives processes and prints a report.
//!
//! ```sh
//! cargo bench -p tenor-cli --bench soak -- [SECONDS] [ARTICLES_PER_SECOND] [MALFORMED_PERCENT]
//! ```
//!
//! Defaults: 600 s, 40 articles/s, 5 % malformed. Malformed messages cycle through invalid JSON, invalid
//! UTF-8, a JSON array, a missing body, an empty body, a wrong type, nesting past the depth limit and an
//! oversize message (`pipeline.max_message_bytes` is lowered to 64 KiB for the run). At the end every good
//! article must have its summary on `tenor.articles` and every sentence record on `tenor.sentences`, and every
//! malformed message its dead letter on `tenor.dlq`; anything missing is counted as lost.

#[path = "support/kafka.rs"]
mod kafka;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kafka::{producer, reader, send, Broker, ServiceProcess};
use rdkafka::message::Message;
use rdkafka::producer::Producer;
use serde_json::Value;
use tenor_core::Origin;
use tenor_pipeline::{Models, Pipeline, PipelineConfig};

const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// Dead-letter reasons the malformed messages are expected to get, in the order they cycle.
const MALFORMED: [&str; 8] = [
    "invalid_json",
    "invalid_utf8",
    "not_an_object",
    "missing_field",
    "empty_body",
    "wrong_type",
    "too_deep",
    "oversize",
];

fn malformed(kind: usize, id: &str) -> Vec<u8> {
    match MALFORMED[kind % MALFORMED.len()] {
        "invalid_json" => format!(r#"{{"id":"{id}","body":"cut off"#).into_bytes(),
        "invalid_utf8" => {
            let mut bytes = format!(r#"{{"id":"{id}","body":"bad "#).into_bytes();
            bytes.extend_from_slice(b"\xff\xfe\"}");
            bytes
        }
        "not_an_object" => format!(r#"["{id}"]"#).into_bytes(),
        "missing_field" => format!(r#"{{"id":"{id}"}}"#).into_bytes(),
        "empty_body" => format!(r#"{{"id":"{id}","body":"   "}}"#).into_bytes(),
        "wrong_type" => format!(r#"{{"id":"{id}","body":42}}"#).into_bytes(),
        "too_deep" => {
            format!(r#"{{"id":"{id}","body":"x","extra":{}{}}}"#, "[".repeat(100), "]".repeat(100)).into_bytes()
        }
        _ => format!(r#"{{"id":"{id}","body":"{}"}}"#, "word ".repeat(MAX_MESSAGE_BYTES / 4)).into_bytes(),
    }
}

struct Sample {
    at: f64,
    rss_mb: f64,
    consumed: f64,
    sentences: f64,
    dead_letters: f64,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let seconds: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(600);
    let rate: f64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(40.0);
    let malformed_percent: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(5);

    // The message plan: which are good (and how many sentences each gives), which malformed.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(repo.join("examples/articles.jsonl")).expect("examples/articles.jsonl");
    let examples: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let pipeline = Pipeline::with_models(PipelineConfig::default(), Models::shipped().expect("shipped models"));
    let total = (rate * seconds as f64) as usize;
    let mut plan: Vec<(String, Vec<u8>, Option<usize>)> = Vec::with_capacity(total);
    let every = 100usize.checked_div(malformed_percent).map_or(usize::MAX, |e| e.max(1));
    for i in 0..total {
        let id = format!("soak-{i}");
        if i % every == every - 1 {
            plan.push((id.clone(), malformed(i / every, &id), None));
        } else {
            let mut article = examples[i % examples.len()].clone();
            article["id"] = Value::String(id.clone());
            let payload = serde_json::to_vec(&article).unwrap();
            let origin = Origin::File { file: "soak".into(), line: i as u64 + 1 };
            let sentences =
                pipeline.process_message(&payload, origin).expect("examples are valid").sentences.len();
            plan.push((id, payload, Some(sentences)));
        }
    }
    let good: Vec<&(String, Vec<u8>, Option<usize>)> = plan.iter().filter(|p| p.2.is_some()).collect();
    let expected_sentences: usize = good.iter().map(|p| p.2.unwrap()).sum();
    let expected_dead = plan.len() - good.len();

    let broker = Broker::start();
    broker.create_topics(&["articles"]);
    let limit = format!("pipeline.max_message_bytes={MAX_MESSAGE_BYTES}");
    let mut serve = ServiceProcess::start(&broker, "serve", &["--set", &limit]);
    serve.wait_ready();

    let done = Arc::new(AtomicBool::new(false));
    let bootstrap = broker.bootstrap();
    let to_send: Vec<(String, Vec<u8>)> = plan.iter().map(|(id, p, _)| (id.clone(), p.clone())).collect();
    let sender = std::thread::spawn({
        let done = done.clone();
        move || {
            let producer = producer(&bootstrap);
            let start = Instant::now();
            for (i, (id, payload)) in to_send.iter().enumerate() {
                let due = start + Duration::from_secs_f64(i as f64 / rate);
                if let Some(wait) = due.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
                send(&producer, "articles", id, payload);
            }
            producer.flush(Duration::from_secs(60)).unwrap();
            done.store(true, Ordering::SeqCst);
        }
    });

    let started = Instant::now();
    let mut samples = Vec::new();
    let sample = |serve: &ServiceProcess, started: &Instant| Sample {
        at: started.elapsed().as_secs_f64(),
        rss_mb: serve.rss_mb(),
        consumed: serve.metric(r#"tenor_messages_consumed_total{topic="articles"}"#),
        sentences: serve.metric(r#"tenor_records_produced_total{topic="tenor.sentences"}"#),
        dead_letters: serve.metric(r#"tenor_records_produced_total{topic="tenor.dlq"}"#),
    };
    while !done.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_secs(5));
        samples.push(sample(&serve, &started));
    }
    sender.join().unwrap();
    // Let the service finish what it has taken in.
    let drain_deadline = Instant::now() + Duration::from_secs(120);
    while serve.metric(r#"tenor_messages_consumed_total{topic="articles"}"#) < plan.len() as f64
        || serve.metric("tenor_in_flight_messages") > 0.0
    {
        assert!(Instant::now() < drain_deadline, "serve did not drain its input");
        std::thread::sleep(Duration::from_millis(200));
    }
    samples.push(sample(&serve, &started));
    let elapsed = started.elapsed().as_secs_f64();

    // What reached the topics.
    let summaries =
        distinct(&broker, "tenor.articles", good.len(), |v| v["article_id"].as_str().map(str::to_owned));
    let sentences = distinct(&broker, "tenor.sentences", expected_sentences, |v| {
        Some(format!("{}#{}", v["article_id"].as_str()?, v["sentence_index"].as_u64()?))
    });
    let dead = distinct(&broker, "tenor.dlq", expected_dead, |v| {
        Some(format!("{}@{}", v["reason"].as_str()?, v["source"]["offset"].as_i64()?))
    });
    let mut dead_by_reason: BTreeMap<String, usize> = BTreeMap::new();
    for key in &dead {
        *dead_by_reason.entry(key.split('@').next().unwrap().to_owned()).or_default() += 1;
    }
    let lost_summaries = good.iter().filter(|p| !summaries.contains(&p.0)).count();
    let lost_sentences = expected_sentences.saturating_sub(sentences.len());
    let lost_dead = expected_dead.saturating_sub(dead.len());

    println!("\n## Soak: `tenor serve`, {seconds} s at {rate} articles/s, {malformed_percent} % malformed\n");
    println!("| Time (s) | RSS (MB) | Consumed | Sentence records | Dead letters |");
    println!("|---:|---:|---:|---:|---:|");
    let step = (samples.len() / 12).max(1);
    for (i, s) in samples.iter().enumerate() {
        if i % step == 0 || i == samples.len() - 1 {
            println!(
                "| {:.0} | {:.1} | {:.0} | {:.0} | {:.0} |",
                s.at, s.rss_mb, s.consumed, s.sentences, s.dead_letters
            );
        }
    }
    let half = samples.len() / 2;
    let mean = |s: &[Sample]| s.iter().map(|x| x.rss_mb).sum::<f64>() / s.len().max(1) as f64;
    let (first, second) = (mean(&samples[..half]), mean(&samples[half..]));
    println!(
        "\nRSS: mean {first:.1} MB over the first half, {second:.1} MB over the second ({:+.1} %), peak {:.1} MB.",
        (second / first - 1.0) * 100.0,
        serve.peak_rss_mb()
    );
    println!(
        "Processed: {} messages in {elapsed:.0} s, input rate included ({:.1} articles/s, {:.0} sentences/s).",
        plan.len(),
        plan.len() as f64 / elapsed,
        expected_sentences as f64 / elapsed
    );
    println!("Dead letters by reason: {dead_by_reason:?} (expected {expected_dead}).");
    println!(
        "Lost: {lost_summaries} summaries of {}, {lost_sentences} sentence records of {expected_sentences}, {lost_dead} dead letters of {expected_dead}.",
        good.len()
    );
    let _ = serve.terminate();
    assert_eq!((lost_summaries, lost_sentences, lost_dead), (0, 0, 0), "records were lost");
    for reason in MALFORMED {
        assert!(dead_by_reason.contains_key(reason) || expected_dead < MALFORMED.len(), "no {reason} dead letter");
    }
}

/// Distinct keys (by `key_of` on each JSON record) read from `topic` until `expected` are seen or reading
/// stalls for 10 s.
fn distinct(
    broker: &Broker,
    topic: &str,
    expected: usize,
    key_of: impl Fn(&Value) -> Option<String>,
) -> HashSet<String> {
    let consumer = reader(broker, topic);
    let mut seen = HashSet::new();
    let mut last_new = Instant::now();
    while seen.len() < expected && last_new.elapsed() < Duration::from_secs(10) {
        if let Some(Ok(message)) = consumer.poll(Duration::from_millis(50)) {
            let value: Value = serde_json::from_slice(message.payload().unwrap_or_default()).unwrap_or_default();
            if let Some(key) = key_of(&value) {
                if seen.insert(key) {
                    last_new = Instant::now();
                }
            }
        }
    }
    seen
}
