//! Fine-tuning the encoder's top layers on the real encoder (fetched by `scripts/fetch-encoder.sh`, which the
//! test script runs first), on a handful of sentences and a few steps.

use std::sync::OnceLock;

use candle_core::{DType, Device, Tensor};
use tenor_encoder::bert::Ops;
use tenor_encoder::{Encoder, EncoderConfig, Manifest, ModelFiles, TopLayers, TopRow};
use tenor_train::finetune::{predict, FineTuneConfig, FineTuneData, FineTuning};
use tenor_train::Example;

fn encoder() -> &'static (Encoder, Vec<u8>) {
    static ENCODER: OnceLock<(Encoder, Vec<u8>)> = OnceLock::new();
    ENCODER.get_or_init(|| {
        let manifest = Manifest::default_encoder();
        let dir = manifest.default_dir();
        let files = ModelFiles::open(&dir, &manifest)
            .unwrap_or_else(|e| panic!("{e} (scripts/test.sh runs scripts/fetch-encoder.sh first)"));
        let weights = files.weights.clone();
        (Encoder::from_files(&manifest, files, EncoderConfig::default()).unwrap(), weights)
    })
}

fn head() -> tenor_models::HeadFile {
    tenor_models::Head::from_bytes(tenor_models::shipped::ENCODER_STANCE).unwrap().file().clone()
}

/// Eight target rows over six sentences (code-point ranges of the mention), labels of every class.
fn examples() -> Vec<Example> {
    let rows = [
        ("Envoys praised Smith for a productive and constructive round of talks.", "Smith", 2),
        ("Critics accused the minister of wrecking the peace process.", "minister", 0),
        ("The minister will travel to Geneva on Tuesday, officials said.", "minister", 1),
        ("Jones attacked Brown over the failed budget, calling it a disaster.", "Jones", 1),
        ("Jones attacked Brown over the failed budget, calling it a disaster.", "Brown", 0),
        ("The union hailed the deal as a landmark victory for workers.", "union", 1),
        ("The union hailed the deal as a landmark victory for workers.", "deal", 2),
        ("Lawmakers condemned the senator's remarks as reckless.", "senator", 0),
    ];
    rows.iter()
        .map(|(text, mention, label)| {
            let from = text[..text.find(mention).unwrap()].chars().count();
            Example {
                text: (*text).to_owned(),
                target: Some((from, from + mention.chars().count())),
                label: *label,
                group: (*text).to_owned(),
            }
        })
        .collect()
}

fn data(from: usize) -> FineTuneData {
    FineTuneData::new(&encoder().0, from, &examples(), &mut |_, _| {}).unwrap()
}

fn weights_of(t: &FineTuning) -> Vec<(String, Vec<u32>)> {
    let mut out: Vec<(String, Vec<u32>)> = t
        .tensors()
        .into_iter()
        .map(|(k, v)| {
            (k, v.flatten_all().unwrap().to_vec1::<f32>().unwrap().iter().map(|x| x.to_bits()).collect())
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn the_top_layers_on_cached_bottom_outputs_equal_the_whole_encoder() {
    let (encoder, weights) = encoder();
    let d = data(4);
    let untouched = FineTuning::new(weights, encoder.bert_config(), 4, &head()).unwrap();
    let all = examples();
    let texts: Vec<&str> = vec![all[0].text.as_str(), all[3].text.as_str()];
    let full = encoder.encode(&texts).unwrap();
    // Rows 0 and 3 are the first rows of sentences 0 and 3; the classifier is the frozen head, folded.
    let rows = vec![d.rows[0].clone(), d.rows[3].clone()];
    let frozen = tenor_models::Head::new(head()).unwrap();
    for ops in [Ops::Fused, Ops::Differentiable] {
        let logits = untouched.model.logits(&d.bottom, &rows, ops).unwrap().to_vec2::<f32>().unwrap();
        for (r, (row, e)) in rows.iter().zip(&full).enumerate() {
            let range = all[[0, 3][r]]
                .target
                .map(|(a, b)| tenor_features::TargetRange::from_code_points(texts[r], a, b).unwrap().0);
            assert_eq!(row.target.as_ref().unwrap(), &e.tokens_in(range.as_ref().unwrap()));
            let want = frozen.raw(&e.pooled(range.as_ref()));
            for (got, want) in logits[r].iter().zip(&want) {
                assert!(
                    (f64::from(*got) - want).abs() < 2e-3,
                    "{ops:?} row {r}: {:?} against {want:?}",
                    logits[r]
                );
            }
        }
    }
}

#[test]
fn two_short_runs_give_identical_weights() {
    let (encoder, weights) = encoder();
    let d = data(5);
    let config = FineTuneConfig { layers: 1, batch: 3, epochs: 2, lr: 1e-4, head_lr: 1e-3, ..Default::default() };
    let train: Vec<usize> = (0..d.rows.len()).collect();
    let run = || {
        let mut t = FineTuning::new(weights, encoder.bert_config(), 5, &head()).unwrap();
        let losses = t.train(&d, &train, &config, &mut |_, _, _| {}).unwrap();
        (weights_of(&t), losses)
    };
    let (a, la) = run();
    let (b, lb) = run();
    assert_eq!(la.len(), 6, "3 steps per epoch, 2 epochs");
    assert_eq!(la, lb);
    assert!(a == b, "the two runs' weights differ");
    let start = FineTuning::new(weights, encoder.bert_config(), 5, &head()).unwrap();
    assert!(weights_of(&start) != a, "training changed nothing");
    let other = FineTuneConfig { seed: 16, ..config };
    let mut t = FineTuning::new(weights, encoder.bert_config(), 5, &head()).unwrap();
    t.train(&d, &train, &other, &mut |_, _, _| {}).unwrap();
    assert!(weights_of(&t) != a, "another seed, another order, other weights");
}

#[test]
fn training_steps_lower_the_loss_on_a_small_batch() {
    let (encoder, weights) = encoder();
    let d = data(4);
    let train: Vec<usize> = (0..d.rows.len()).collect();
    let mut t = FineTuning::new(weights, encoder.bert_config(), 4, &head()).unwrap();
    let before = loss(&t.model, &d);
    // The whole batch each step (one batch per epoch), five steps.
    let config = FineTuneConfig { layers: 2, batch: 8, epochs: 5, ..Default::default() };
    let losses = t.train(&d, &train, &config, &mut |_, _, _| {}).unwrap();
    let after = loss(&t.model, &d);
    assert!((f64::from(losses[0]) - before).abs() < 1e-3, "step 0's loss {} is the model's {before}", losses[0]);
    assert!(after < before - 0.01, "loss {before} -> {after} ({losses:?})");
}

fn loss(model: &TopLayers, d: &FineTuneData) -> f64 {
    let logits = predict(model, &d.bottom, &d.rows, 8).unwrap();
    let flat: Vec<f32> = logits.iter().flatten().map(|&x| x as f32).collect();
    let logits = Tensor::from_vec(flat, (d.rows.len(), 3), &Device::Cpu).unwrap();
    let gold = Tensor::from_vec(d.gold.iter().map(|&g| g as u32).collect::<Vec<_>>(), d.rows.len(), &Device::Cpu)
        .unwrap();
    let l = candle_nn::loss::cross_entropy(&logits, &gold).unwrap();
    f64::from(l.to_dtype(DType::F32).unwrap().to_scalar::<f32>().unwrap())
}

#[test]
fn a_missing_target_pools_the_sentence_twice() {
    let (encoder, weights) = encoder();
    let d = data(5);
    let t = FineTuning::new(weights, encoder.bert_config(), 5, &head()).unwrap();
    let none = TopRow { sentence: 0, target: None };
    let empty = TopRow { sentence: 0, target: Some(vec![]) };
    let all = TopRow { sentence: 0, target: Some((0..d.bottom[0].tokens()).collect()) };
    let logits = predict(&t.model, &d.bottom, &[none, empty, all], 8).unwrap();
    for row in &logits[1..] {
        for (a, b) in row.iter().zip(&logits[0]) {
            assert!((a - b).abs() < 1e-5, "{logits:?}");
        }
    }
}
