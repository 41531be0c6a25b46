//! Scoring speed: featurize + sparse dot product per sentence (one core), and model load time.
//!
//! Sentences are the bundled example stream's bodies, split by Tenor's splitter.
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tenor_models::{shipped, Scorer, Task};

#[path = "support/sentences.rs"]
mod sentences;
use sentences::example_sentences as sentences;

fn bench_scoring(c: &mut Criterion) {
    let sentences = sentences();
    let stance = Scorer::from_bytes_for(shipped::STANCE, Task::Stance).unwrap();
    let claim = Scorer::from_bytes_for(shipped::CLAIM, Task::Claim).unwrap();
    let mut group = c.benchmark_group("score");
    group.throughput(Throughput::Elements(sentences.len() as u64));
    group.bench_function("stance_probs", |b| {
        b.iter(|| sentences.iter().map(|s| stance.score(s, None).unwrap().probs[0]).sum::<f64>())
    });
    group.bench_function("stance_with_evidence", |b| {
        b.iter(|| sentences.iter().map(|s| stance.stance(s, None).unwrap().confidence).sum::<f64>())
    });
    group.bench_function("claim", |b| {
        b.iter(|| sentences.iter().map(|s| claim.claim(s).unwrap().score).sum::<f64>())
    });
    group.finish();

    let mut group = c.benchmark_group("load");
    group.bench_function("stance", |b| {
        b.iter(|| Scorer::from_bytes(std::hint::black_box(shipped::STANCE)).unwrap())
    });
    group
        .bench_function("claim", |b| b.iter(|| Scorer::from_bytes(std::hint::black_box(shipped::CLAIM)).unwrap()));
    group.finish();
}

criterion_group!(benches, bench_scoring);
criterion_main!(benches);
