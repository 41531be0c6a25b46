//! Encoder speed on one core: sentences per second through the transformer (tokenize, forward, pool) at batch
//! sizes 1, 8 and 32 in f32 and at 32 in int8, and model load time (read, sha256-check and parse the three
//! files).
//!
//! Sentences are the bundled example stream's bodies, split by Tenor's splitter (median about 30 tokens).
//! One core: the bench sets RAYON_NUM_THREADS=1 before candle starts, so its products run unsplit.
//! With `models/encoder_stance_ft/top_layers.safetensors` present, also the encoder tier with the fine-tuned
//! target-stance top layers (`encoder_finetuned`).
//! Run: `scripts/fetch-encoder.sh && cargo bench -p tenor-encoder --bench encoder`.
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tenor_encoder::bert::Ops;
use tenor_encoder::{Encoder, EncoderConfig, Manifest, Precision, TopLayers, TopRow};

#[path = "support/sentences.rs"]
mod sentences;
use sentences::example_sentences as sentences;

fn bench_encoder(c: &mut Criterion) {
    std::env::set_var("RAYON_NUM_THREADS", "1");
    let manifest = Manifest::default_encoder();
    let dir = manifest.default_dir();
    let sentences = sentences();
    let texts: Vec<&str> = sentences.iter().map(String::as_str).collect();
    let mut group = c.benchmark_group("encoder");
    group.sample_size(10);
    group.throughput(Throughput::Elements(texts.len() as u64));
    for batch_size in [1, 8, 32] {
        let config = EncoderConfig { batch_size, threads: Some(1), ..Default::default() };
        let encoder = Encoder::load(&dir, &manifest, config).unwrap();
        group.bench_function(format!("forward_batch_{batch_size}"), |b| {
            b.iter(|| encoder.encode(&texts).unwrap().iter().map(|e| e.mean()[0]).sum::<f32>())
        });
    }
    // The dense layers in int8 (tenor_encoder::quant), at the batch size the pipeline uses.
    let config =
        EncoderConfig { batch_size: 32, threads: Some(1), precision: Precision::Int8, ..Default::default() };
    let encoder = Encoder::load(&dir, &manifest, config).unwrap();
    group.bench_function("forward_batch_32_int8", |b| {
        b.iter(|| encoder.encode(&texts).unwrap().iter().map(|e| e.mean()[0]).sum::<f32>())
    });
    group.finish();

    // The encoder tier with the fine-tuned target-stance layers (docs/MODELS.md, "Fine-tuned top layers"):
    // the bottom layers once per sentence, then the stock top layers (sentence and claim heads) and the
    // fine-tuned copy with its classifier (one target row per sentence). Skipped without the weights file.
    let ft_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/encoder_stance_ft");
    let description = std::fs::read(ft_dir.join("finetuned.json")).ok();
    let from = description.as_deref().map(|d| {
        let v: serde_json::Value = serde_json::from_slice(d).unwrap();
        v["from_layer"].as_u64().unwrap() as usize
    });
    if let (Some(from), Ok(bytes)) = (from, std::fs::read(ft_dir.join("top_layers.safetensors"))) {
        let config = EncoderConfig { batch_size: 32, threads: Some(1), ..Default::default() };
        let encoder = Encoder::load(&dir, &manifest, config).unwrap();
        let k = encoder.bert().layers() - from;
        let top = TopLayers::from_safetensors(&bytes, encoder.bert_config(), from, 3, true).unwrap();
        let mut group = c.benchmark_group("encoder_finetuned");
        group.sample_size(10);
        group.throughput(Throughput::Elements(texts.len() as u64));
        group.bench_function(format!("shared_bottom_stock_and_finetuned_top_{k}_batch_32"), |b| {
            b.iter(|| {
                let bottom = encoder.encode_through(&texts, from).unwrap();
                let stock = encoder.encode_rest(&bottom, from).unwrap();
                let mut sum = stock.iter().map(|e| e.mean()[0]).sum::<f32>();
                let rows: Vec<TopRow> = (0..bottom.len()).map(|s| TopRow { sentence: s, target: None }).collect();
                for chunk in rows.chunks(32) {
                    let logits = top.logits(&bottom, chunk, Ops::Fused).unwrap();
                    sum += logits.sum_all().unwrap().to_scalar::<f32>().unwrap();
                }
                sum
            })
        });
        group.finish();
    }

    let mut group = c.benchmark_group("encoder_load");
    group.sample_size(10);
    group.bench_function("all-minilm-l6-v2", |b| {
        b.iter(|| Encoder::load(&dir, &manifest, EncoderConfig::default()).unwrap())
    });
    group.bench_function("all-minilm-l6-v2-int8", |b| {
        let config = EncoderConfig { precision: Precision::Int8, ..Default::default() };
        b.iter(|| Encoder::load(&dir, &manifest, config.clone()).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench_encoder);
criterion_main!(benches);
