//! `cargo run --release -p tenor-features --example feature_digest -- CONFIG_JSON...`: one FNV digest of every
//! feature (index, value bits, token range) of every NewsMTSC (train and dev, with and without each target)
//! and ClaimBuster sentence under each feature configuration given as JSON. Two builds that print the same
//! digest give the same features on all the training data, so models trained by either are the same.
use tenor_features::hash::Fnv1a;
use tenor_features::{digest_features, FeatureBuffer, FeatureConfig, Featurizer, TargetRange};

fn main() {
    let mut rows: Vec<(String, Option<(usize, usize)>)> = Vec::new();
    for path in ["models/data/newsmtsc/train.jsonl", "models/data/newsmtsc/devtest_mt.jsonl"] {
        for line in std::fs::read_to_string(path).expect("NewsMTSC file").lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("JSON line");
            let text = v["sentence_normalized"].as_str().expect("text").to_owned();
            rows.push((text.clone(), None));
            for t in v["targets"].as_array().expect("targets") {
                let span = (t["from"].as_u64().expect("from") as usize, t["to"].as_u64().expect("to") as usize);
                rows.push((text.clone(), Some(span)));
            }
        }
    }
    let claims: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("models/data/claimbuster/train.json").expect("ClaimBuster"))
            .expect("JSON");
    for c in claims.as_array().expect("array") {
        rows.push((c["text"].as_str().expect("text").to_owned(), None));
    }
    let mut buf = FeatureBuffer::new();
    for config in std::env::args().skip(1) {
        let config: FeatureConfig = serde_json::from_str(&config).expect("a FeatureConfig as JSON");
        let featurizer = Featurizer::new(config).expect("valid configuration");
        let mut digest = Fnv1a::new(0);
        let mut featurized = 0;
        for (text, span) in &rows {
            let target = span.and_then(|(a, b)| TargetRange::from_code_points(text, a, b).ok());
            if span.is_some() && target.is_none() {
                continue;
            }
            if featurizer.featurize(text, target.as_ref(), &mut buf).is_err() {
                continue;
            }
            featurized += 1;
            digest = digest_features(digest, &buf.features);
        }
        println!("{featurized} rows, digest {:016x}", digest.finish());
    }
}
