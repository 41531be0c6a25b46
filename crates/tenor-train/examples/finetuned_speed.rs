//! One-shot timing (not a benchmark) of the encoder tier's pass with and without the fine-tuned top layers,
//! alternating the two, on NewsMTSC dev sentences: `RAYON_NUM_THREADS=1 cargo run -p tenor-train --example
//! finetuned_speed -- DIR N ROUNDS`. The criterion bench `encoder_finetuned` is the measurement to quote on a
//! quiet machine.

use std::time::Instant;

use tenor_encoder::bert::Ops;
use tenor_encoder::{EncoderConfig, TopRow};
use tenor_train::finetuned::FineTunedModel;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = std::path::PathBuf::from(args.first().map_or("models/encoder_stance_ft", String::as_str));
    let n: usize = args.get(1).map_or(256, |a| a.parse().unwrap());
    let rounds: usize = args.get(2).map_or(2, |a| a.parse().unwrap());
    let manifest = tenor_encoder::Manifest::default_encoder();
    let config = EncoderConfig { batch_size: 32, threads: Some(1), ..Default::default() };
    let encoder = tenor_encoder::Encoder::load(&manifest.default_dir(), &manifest, config).unwrap();
    let model = FineTunedModel::load(&dir, &encoder, &manifest.weights_sha256).unwrap();
    let dev = tenor_train::data::stance_examples(std::path::Path::new(tenor_train::data::NEWSMTSC_DEV)).unwrap();
    let mut texts: Vec<&str> = dev.iter().map(|e| e.text.as_str()).collect();
    texts.dedup();
    texts.truncate(n);
    let from = model.file.from_layer;
    for round in 0..rounds {
        let t = Instant::now();
        let whole = encoder.encode(&texts).unwrap();
        let stock = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let bottom = encoder.encode_through(&texts, from).unwrap();
        let rest = encoder.encode_rest(&bottom, from).unwrap();
        let rows: Vec<TopRow> = (0..bottom.len()).map(|s| TopRow { sentence: s, target: None }).collect();
        for chunk in rows.chunks(32) {
            model.top.logits(&bottom, chunk, Ops::Fused).unwrap();
        }
        let shared = t.elapsed().as_secs_f64();
        assert_eq!(whole.len(), rest.len());
        println!(
            "round {round}: {} sentences, stock encoder {stock:.2} s ({:.1}/s), shared bottom + stock top + fine-tuned top {shared:.2} s ({:.1}/s), ratio {:.2}",
            texts.len(),
            texts.len() as f64 / stock,
            texts.len() as f64 / shared,
            shared / stock
        );
    }
}
