//! Sentence splitter throughput on news text (the bundled example stream's bodies).
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn bench_split(c: &mut Criterion) {
    let examples = include_str!("../examples/articles.jsonl");
    let text: String = examples
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|v| v["body"].as_str().map(str::to_owned))
        .collect::<Vec<_>>()
        .join("\n\n");
    let splitter = tenor_text::Splitter::new();
    let mut group = c.benchmark_group("split");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("news", |b| b.iter(|| splitter.split(std::hint::black_box(&text)).len()));
    // The `sentencex` crate on the same text, for comparison (docs/SPLITTING.md).
    group.bench_function("news_sentencex", |b| {
        b.iter(|| sentencex::get_sentence_boundaries("en", std::hint::black_box(&text)).len())
    });
    group.finish();
}

criterion_group!(benches, bench_split);
criterion_main!(benches);
