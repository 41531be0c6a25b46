//! Times fine-tuning steps of the top K layers (issue 15): `cargo run -p tenor-train --example finetune_step
//! -- K STEPS` with `RAYON_NUM_THREADS=1`. Prints the time of the bottom-layer encoding and of each step.

use std::time::Instant;

use tenor_train::finetune::{FineTuneConfig, FineTuneData, FineTuning};
use tenor_train::{prepare, FeatureSet, ModelKind, TrainingOptions};

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().expect("numbers")).collect();
    let (k, steps) = (args.first().copied().unwrap_or(2), args.get(1).copied().unwrap_or(5));
    let manifest = tenor_encoder::Manifest::default_encoder();
    let dir = manifest.default_dir();
    let encoder = tenor_encoder::Encoder::load(&dir, &manifest, Default::default()).unwrap();
    let options = TrainingOptions { limit: Some(32 * (steps + 1)), ..Default::default() };
    let (_, examples) = prepare(ModelKind::Stance, FeatureSet::Tenor, "t", "0", &options).unwrap();
    let from = encoder.bert().layers() - k;
    let t = Instant::now();
    let data = FineTuneData::new(&encoder, from, &examples, &mut |_, _| {}).unwrap();
    let tokens: usize = data.bottom.iter().map(|e| e.tokens()).sum();
    println!(
        "bottom {from} layers: {} sentences, {:.1} tokens avg, {:.2} s",
        data.bottom.len(),
        tokens as f64 / data.bottom.len() as f64,
        t.elapsed().as_secs_f64()
    );
    let weights = std::fs::read(dir.join("model.safetensors")).unwrap();
    let head = tenor_models::Head::from_bytes(tenor_models::shipped::ENCODER_STANCE).unwrap();
    let mut ft = FineTuning::new(&weights, encoder.bert_config(), from, head.file()).unwrap();
    let train: Vec<usize> = (0..data.rows.len()).collect();
    let config = FineTuneConfig { layers: k, max_steps: Some(steps), ..Default::default() };
    let mut last = Instant::now();
    ft.train(&data, &train, &config, &mut |step, total, loss| {
        println!("step {step}/{total} loss {loss:.4} {:.2} s", last.elapsed().as_secs_f64());
        last = Instant::now();
    })
    .unwrap();
}
