//! Attribution + hedging throughput, in sentences per second on one core: the bundled example stream's
//! articles (GUM Wikinews news and interviews), each analysed as a whole article (quote pairing, rules,
//! speaker resolution), as `Pipeline::process` does.
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tenor_attribution::Attributor;

fn bench_attribution(c: &mut Criterion) {
    let examples = include_str!("../examples/articles.jsonl");
    let articles: Vec<(String, Vec<std::ops::Range<usize>>)> = examples
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|v| v["body"].as_str().map(str::to_owned))
        .map(|body| {
            let sentences = tenor_text::split(&body).iter().map(|s| s.start..s.end).collect();
            (body, sentences)
        })
        .collect();
    let sentences: usize = articles.iter().map(|(_, s)| s.len()).sum();
    let attributor = Attributor::new();
    let mut group = c.benchmark_group("attribution");
    group.throughput(Throughput::Elements(sentences as u64));
    group.bench_function("example_stream", |b| {
        b.iter(|| {
            articles
                .iter()
                .map(|(body, ranges)| {
                    attributor.analyze_article(std::hint::black_box(body), ranges).sentences.len()
                })
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_attribution);
criterion_main!(benches);
