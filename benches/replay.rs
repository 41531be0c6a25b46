//! In-process replay against `tenor run`: the same articles through `run_stream`, as `tenor run` reads them
//! (plain JSONL, no run id) and as `tenor replay` reads them (a gzip `tenor.archive/1` archive, every record
//! tagged with a run id). Target (issue 6): replay at most 10% slower than run. Figures: docs/REPLAY.md.
use std::io::Write;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flate2::write::GzEncoder;
use tenor_pipeline::{Models, Pipeline, PipelineConfig};
use tenor_runtime::archive::{ArchivedMessage, RawMessage};
use tenor_runtime::file::{decode_input, run_stream, write_json_line, RunOptions, RunSinks};

const EXAMPLES: &str = include_str!("../examples/articles.jsonl");

fn plain() -> Vec<u8> {
    EXAMPLES.as_bytes().to_vec()
}

fn archive_gz() -> Vec<u8> {
    let mut lines = Vec::new();
    for (offset, line) in EXAMPLES.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let raw = RawMessage {
            topic: "articles",
            partition: 0,
            offset: offset as i64,
            timestamp_ms: Some(1_700_000_000_000 + offset as i64),
            timestamp_type: None,
            key: Some(b"key"),
            payload: Some(line.as_bytes()),
        };
        write_json_line(&mut lines, &ArchivedMessage::new(raw, &[])).unwrap();
    }
    let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&lines).unwrap();
    gz.finish().unwrap()
}

fn run_once(pipeline: &Pipeline, name: &str, bytes: &[u8], run_id: Option<Arc<str>>) -> u64 {
    let mut input = decode_input(name, Box::new(std::io::Cursor::new(bytes.to_vec())));
    let (mut out, mut dead) = (std::io::sink(), std::io::sink());
    let options = RunOptions { run_id, ..RunOptions::default() };
    run_stream(
        pipeline,
        &mut input,
        name,
        RunSinks { output: &mut out, dead_letters: &mut dead },
        "bench",
        options,
        |_| {},
    )
    .unwrap()
    .sentence_records
}

fn bench_replay(c: &mut Criterion) {
    let pipeline = Pipeline::with_models(PipelineConfig::default(), Models::shipped().unwrap());
    let (plain, archive) = (plain(), archive_gz());
    let articles = EXAMPLES.lines().filter(|l| !l.trim().is_empty()).count() as u64;
    let mut group = c.benchmark_group("replay");
    group.sample_size(20);
    group.throughput(Throughput::Elements(articles));
    group.bench_function("run_plain_jsonl", |b| b.iter(|| run_once(&pipeline, "articles.jsonl", &plain, None)));
    group.bench_function("replay_archive_gz_with_run_id", |b| {
        b.iter(|| run_once(&pipeline, "articles.jsonl.gz", &archive, Some("bench-run".into())))
    });
    group.finish();
}

criterion_group!(benches, bench_replay);
criterion_main!(benches);
