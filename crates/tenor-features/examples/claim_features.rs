//! `cargo run --release -p tenor-features --example claim_features -- CONFIG_JSON > claims.svm`: the features
//! of every ClaimBuster train sentence under a `FeatureConfig` (JSON, as in a model file), in svmlight format
//! (`label index:value ...`, indices from 1, repeated buckets summed as `tenor train` does), for the quick
//! experiments of `scripts/claim_experiments.py tenor`.
use std::io::Write;

use tenor_features::{FeatureBuffer, FeatureConfig, Featurizer};

fn main() {
    let config: FeatureConfig =
        serde_json::from_str(&std::env::args().nth(1).expect("a FeatureConfig as JSON")).expect("FeatureConfig");
    let featurizer = Featurizer::new(config).expect("valid configuration");
    let claims: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("models/data/claimbuster/train.json").expect("ClaimBuster"))
            .expect("JSON");
    let mut buf = FeatureBuffer::new();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for c in claims.as_array().expect("array") {
        featurizer.featurize(c["text"].as_str().expect("text"), None, &mut buf).expect("featurize");
        let mut row: Vec<(u32, f32)> = buf.features.iter().map(|x| (x.index, x.value)).collect();
        row.sort_by_key(|r| r.0);
        let mut merged: Vec<(u32, f32)> = Vec::with_capacity(row.len());
        for (i, v) in row {
            match merged.last_mut() {
                Some(last) if last.0 == i => last.1 += v,
                _ => merged.push((i, v)),
            }
        }
        write!(out, "{}", c["label"].as_u64().expect("label")).expect("write");
        for (i, v) in merged {
            write!(out, " {}:{}", i + 1, v).expect("write");
        }
        writeln!(out).expect("write");
    }
}
