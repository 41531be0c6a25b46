//! Quick feature experiments: `cargo run --release -p tenor-train --example stance_experiment -- <tenor|baseline> <alphas> [window]`.
//! Prints cross-validated macro-F1 on NewsMTSC train and macro-F1 on the dev file.
use tenor_features::{FeatureConfig, TargetRange};
use tenor_models::{Scorer, Task};
use tenor_train::{selection_score, train, Example, TrainConfig};

fn read(path: &str) -> Vec<Example> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for t in v["targets"].as_array().unwrap() {
            let label = match t["polarity"].as_f64().unwrap() as i64 {
                2 => 0,
                4 => 1,
                _ => 2,
            };
            out.push(Example {
                text: v["sentence_normalized"].as_str().unwrap().to_owned(),
                target: Some((t["from"].as_u64().unwrap() as usize, t["to"].as_u64().unwrap() as usize)),
                label,
                group: v["primary_gid"].as_str().unwrap().to_owned(),
            });
        }
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut features = if args[1] == "baseline" { FeatureConfig::baseline() } else { FeatureConfig::stance() };
    if let Some(w) = args.get(3) {
        features.target_window = w.parse().unwrap();
    }
    let alphas: Vec<f64> = args[2].split(',').map(|a| a.parse().unwrap()).collect();
    let train_set = read("models/data/newsmtsc/train.jsonl");
    let dev = read("models/data/newsmtsc/devtest_mt.jsonl");
    let config = TrainConfig {
        name: "x".into(),
        version: "x".into(),
        task: Task::Stance,
        features,
        alphas,
        folds: 5,
        max_iterations: std::env::var("ITERS").map_or(100, |v| v.parse().unwrap()),
        min_df: 2,
        max_columns: std::env::var("COLS").map_or(6000, |v| v.parse().unwrap()),
        data: "x".into(),
    };
    let t0 = std::time::Instant::now();
    let trained = train(&config, &train_set, &mut |e| eprintln!("{e:?} {:?}", t0.elapsed())).unwrap();
    println!(
        "cv scores per alpha {:?}, chosen {}",
        trained.model.training.cv_scores, trained.model.training.alpha
    );
    println!("calibration {:?} columns {}", trained.model.calibration, trained.model.training.columns);
    let scorer = Scorer::from_bytes(&trained.model.to_bytes()).unwrap();
    let gold: Vec<usize> = dev.iter().map(|e| e.label).collect();
    let probs: Vec<Vec<f64>> = dev
        .iter()
        .map(|e| {
            let (a, b) = e.target.unwrap();
            scorer.score(&e.text, Some(&TargetRange::from_code_points(&e.text, a, b).unwrap())).unwrap().probs
        })
        .collect();
    println!("dev macro-F1 {:.4}", selection_score(Task::Stance, &gold, &probs));
    println!("cv macro-F1 calibrated {:.4}", selection_score(Task::Stance, &trained.cv.gold, &trained.cv.probs));
}
