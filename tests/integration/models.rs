//! Stance and claim models: `tenor train` is reproducible, `tenor classify` scores sentences and targets,
//! `tenor run` fills every record, and bad input or bad model files fail clearly.

use serde_json::Value;

use crate::support::{json_lines, repo, run_with_stdin, tenor};

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[test]
fn train_reproduces_the_model_file_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let small =
        ["--limit", "300", "--alphas", "1,10", "--folds", "3", "--max-columns", "400", "--max-iterations", "15"];
    // The model is named after its directory: both runs write a model called "small".
    for out in ["a", "b"] {
        let output = tenor()
            .current_dir(repo())
            .args(["train", "stance", "--date", "2026-01-01", "--out"])
            .arg(dir.path().join(out).join("stance"))
            .args(small)
            .output()
            .unwrap();
        assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    }
    // The model's name is its folder's name, so both runs write to a folder named `stance`.
    let a = std::fs::read(dir.path().join("a/stance/model.json")).unwrap();
    let b = std::fs::read(dir.path().join("b/stance/model.json")).unwrap();
    assert!(a.len() > 1000);
    assert!(a == b, "two training runs wrote different model files");
    let card = std::fs::read_to_string(dir.path().join("a/stance/MODEL_CARD.md")).unwrap();
    assert!(card.contains("sha256") && card.contains("macro-F1") && card.contains("MIT"), "{card}");
    // The small model serves: classify with it through an override directory (it scores the targets; the
    // sentence's own stance comes from the sentence model).
    for other in ["claim", "sentence_stance"] {
        std::fs::create_dir_all(dir.path().join("a").join(other)).unwrap();
        std::fs::copy(
            repo().join("models").join(other).join("model.json"),
            dir.path().join("a").join(other).join("model.json"),
        )
        .unwrap();
    }
    let output = run_with_stdin(
        tenor().args(["classify", "--models"]).arg(dir.path().join("a")),
        br#"{"id":"s","text":"Talks went well.","targets":[{"mention":"Talks","from":0,"to":5}]}"#,
    );
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let record = &json_lines(&output.stdout)[0];
    assert_eq!(record["model"]["target_stance"]["sha256"].as_str().unwrap(), sha256_hex(&a));
    let sentence_model = std::fs::read(repo().join("models/sentence_stance/model.json")).unwrap();
    assert_eq!(record["model"]["stance"]["sha256"].as_str().unwrap(), sha256_hex(&sentence_model));
}

#[test]
fn sentence_stance_trains_on_sentence_rows_and_optionally_target_rows() {
    let dir = tempfile::tempdir().unwrap();
    let small =
        ["--limit", "300", "--alphas", "1", "--folds", "3", "--max-columns", "300", "--max-iterations", "10"];
    let tone: &[&str] = &["--with-tone", "models/data/vader_nyt/nytEditorialSnippets_GroundTruth.txt"];
    for (out, extra) in [("plain", &[][..]), ("both", &["--with-targets"][..]), ("tone", tone)] {
        let output = tenor()
            .current_dir(repo())
            .args(["train", "sentence-stance", "--date", "2026-01-01", "--out"])
            .arg(dir.path().join(out).join("sentence_stance"))
            .args(small)
            .args(extra)
            .output()
            .unwrap();
        assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
        let card = std::fs::read_to_string(dir.path().join(out).join("sentence_stance/MODEL_CARD.md")).unwrap();
        assert!(card.contains("one example per sentence, no mention marked"), "{card}");
        assert!(card.contains("tenor train sentence-stance"), "{card}");
        // Only a model trained on more than one kind of row reports cross-validation by kind of row.
        assert_eq!(card.contains("| sentence rows (no mention) |"), !extra.is_empty(), "{card}");
        assert_eq!(card.contains("| target rows (mention marked) |"), out == "both", "{card}");
        assert_eq!(card.contains("| tone rows (--with-tone) |"), out == "tone", "{card}");
        // The card says what the extra rows are and its command brings them back.
        assert_eq!(card.contains("sentences rated for tone"), out == "tone", "{card}");
        assert_eq!(card.contains("--with-tone models/data/vader_nyt/"), out == "tone", "{card}");
        let model: Value = serde_json::from_slice(
            &std::fs::read(dir.path().join(out).join("sentence_stance/model.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(model["name"], "sentence_stance");
        assert_eq!(model["task"], "stance");
    }
}

#[test]
fn tone_rows_are_for_the_sentence_model_only_and_bad_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let train = |kind: &str, tone: &std::path::Path| {
        tenor()
            .current_dir(repo())
            .args(["train", kind, "--limit", "100", "--alphas", "1", "--folds", "2", "--max-iterations", "2"])
            .arg("--out")
            .arg(dir.path().join(kind))
            .arg("--with-tone")
            .arg(tone)
            .output()
            .unwrap()
    };
    let nyt = repo().join("models/data/vader_nyt/nytEditorialSnippets_GroundTruth.txt");
    let output = train("stance", &nyt);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--with-tone is for the sentence-stance model"));
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "1_1\t0.4\tFine.\n1_2\tsoon\tNot a rating.\n").unwrap();
    let output = train("sentence-stance", &bad);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is not a VADER ground-truth file") && stderr.contains("line 2"), "{stderr}");
}

#[test]
fn the_card_command_names_the_version_and_the_baseline_features() {
    let dir = tempfile::tempdir().unwrap();
    let small =
        ["--limit", "200", "--alphas", "1", "--folds", "2", "--max-columns", "200", "--max-iterations", "5"];
    let output = tenor()
        .current_dir(repo())
        .args(["train", "stance", "--features", "baseline", "--model-version", "9.9.9", "--out"])
        .arg(dir.path().join("stance"))
        .args(small)
        .output()
        .unwrap();
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let model: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("stance/model.json")).unwrap()).unwrap();
    assert_eq!(model["features"]["negation"], false, "the baseline has no negation features");
    assert_eq!(model["version"], "9.9.9");
    // The card's command reproduces the file, so it names the features and the version.
    let card = std::fs::read_to_string(dir.path().join("stance/MODEL_CARD.md")).unwrap();
    assert!(card.contains("--features baseline") && card.contains("--model-version 9.9.9"), "{card}");
    // The feature set measured and not shipped before (negation idioms) is no longer a choice.
    let output = tenor()
        .current_dir(repo())
        .args(["train", "stance", "--features", "tenor-negation-idioms", "--out"])
        .arg(dir.path().join("idioms"))
        .args(small)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("invalid value"));
}

#[test]
fn classify_scores_sentences_and_targets_in_input_order() {
    let input = concat!(
        r#"{"id":"s1","text":"The senator praised the agreement as a historic success."}"#,
        "\n",
        r#"{"id":"s2","text":"Smith praised the deal, but Jones called it a disaster.","targets":[{"mention":"Jones","from":28,"to":33},{"mention":"Smith","from":0,"to":5}]}"#,
        "\n"
    );
    let output = run_with_stdin(tenor().arg("classify"), input.as_bytes());
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let records = json_lines(&output.stdout);
    assert_eq!(records.len(), 2);
    let first = &records[0];
    assert_eq!(first["article_id"], "s1");
    assert_eq!(first["stance"]["label"], "positive");
    let probs = &first["stance"]["probs"];
    let sum: f64 = ["negative", "neutral", "positive"].iter().map(|k| probs[k].as_f64().unwrap()).sum();
    assert!((sum - 1.0).abs() < 1e-9);
    assert!(first["claim"]["score"].as_f64().unwrap() >= 0.0);
    for role in ["stance", "claim"] {
        assert_eq!(first["model"][role]["sha256"].as_str().unwrap().len(), 64);
    }
    assert!(first["model"].get("target_stance").is_none(), "no targets, no per-target model");
    assert_eq!(records[1]["model"]["target_stance"]["name"], "stance");
    assert_eq!(records[1]["model"]["stance"]["name"], "sentence_stance");
    let targets = records[1]["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 2);
    assert_eq!(targets[0]["mention"], "Jones");
    assert_eq!(targets[0]["span"], serde_json::json!({"start": 28, "end": 33}));
    assert_eq!(targets[1]["mention"], "Smith");
    assert_ne!(targets[0]["stance"]["probs"], targets[1]["stance"]["probs"], "the mention changes the score");
    // Evidence spans slice the text.
    let text: Vec<char> = records[0]["text"].as_str().unwrap().chars().collect();
    for e in first["stance"]["evidence"].as_array().unwrap() {
        let (s, t) = (e["span"]["start"].as_u64().unwrap() as usize, e["span"]["end"].as_u64().unwrap() as usize);
        assert_eq!(text[s..t].iter().collect::<String>(), e["text"].as_str().unwrap());
    }
}

#[test]
fn bad_targets_and_empty_text_are_dead_lettered_not_fatal() {
    let input = concat!(
        r#"{"id":"ok","text":"Prices rose."}"#,
        "\n",
        r#"{"id":"out","text":"Prices rose.","targets":[{"mention":"x","from":5,"to":50}]}"#,
        "\n",
        r#"{"id":"split","text":"Cafe\u0301 owners","targets":[{"mention":"Cafe","from":0,"to":4}]}"#,
        "\n",
        r#"{"id":"empty","text":"   "}"#,
        "\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let dead = dir.path().join("dead.jsonl");
    let output = run_with_stdin(tenor().args(["classify", "--dead-letter"]).arg(&dead), input.as_bytes());
    assert_eq!(output.status.code(), Some(2), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(json_lines(&output.stdout).len(), 1);
    let letters = json_lines(&std::fs::read(&dead).unwrap());
    assert_eq!(letters.len(), 3);
    for letter in &letters {
        assert_eq!(letter["reason"], "model_error", "{letter}");
    }
    let errors: Vec<&str> = letters.iter().map(|l| l["error"].as_str().unwrap()).collect();
    assert!(errors[0].contains("code points"), "{}", errors[0]);
    assert!(errors[1].contains("splits a character"), "{}", errors[1]);
    assert!(errors[2].contains("empty"), "{}", errors[2]);
}

#[test]
fn unknown_or_mismatched_model_files_fail_with_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["stance", "sentence_stance", "claim"] {
        std::fs::create_dir_all(dir.path().join(name)).unwrap();
    }
    for name in ["sentence_stance", "claim"] {
        let file = format!("{name}/model.json");
        std::fs::copy(repo().join("models").join(&file), dir.path().join(&file)).unwrap();
    }
    let stance = std::fs::read_to_string(repo().join("models/stance/model.json")).unwrap();
    let cases = [
        ("not json at all", "not a Tenor model"),
        (r#"{"format":"other/9"}"#, "format"),
        (&stance.replacen("\"version\":1", "\"version\":999", 1), "feature version 999"),
    ];
    for (content, expected) in cases {
        std::fs::write(dir.path().join("stance/model.json"), content).unwrap();
        let output = run_with_stdin(tenor().args(["classify", "--models"]).arg(dir.path()), b"");
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "expected {expected:?} in: {stderr}");
    }
}

#[test]
fn run_fills_stance_claim_and_models_in_every_record() {
    let output = tenor().arg("run").output().unwrap();
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let records = json_lines(&output.stdout);
    let mut scored = 0;
    for r in &records {
        if r["schema"] == "tenor.sentence/1" {
            assert!(r["stance"]["label"].is_string(), "{r}");
            assert!(matches!(r["claim"]["kind"].as_str(), Some("attributed" | "assertion" | "none")), "{r}");
            assert_eq!(r["claim"]["is_claim"], Value::Bool(r["claim"]["kind"] != "none"));
            if r["attribution"].is_object() && r["claim"]["kind"] != "attributed" {
                // Only a negated report ("did not say") is attributed without being an attributed claim.
                let cue = r["attribution"]["cue"]["text"].as_str().unwrap();
                assert!(["not", "n't", "never"].iter().any(|n| cue.contains(n)), "{r}");
            }
            assert!(r["model"]["stance"]["version"].is_string());
            scored += 1;
        } else if r["schema"] == "tenor.article/1" {
            let stance = &r["stance"];
            let n = stance["negative"].as_u64().unwrap()
                + stance["neutral"].as_u64().unwrap()
                + stance["positive"].as_u64().unwrap();
            assert_eq!(n, r["counts"]["sentences"].as_u64().unwrap() + r["counts"]["headings"].as_u64().unwrap());
            let mean = stance["mean_confidence"].as_f64().unwrap();
            assert!((1.0 / 3.0..=1.0).contains(&mean), "{mean}");
        }
    }
    assert!(scored > 100);
}

/// The serving binary does not link training: `tenor-cli` without its `train` feature (how deploy/Dockerfile
/// builds the image) has no linfa, ndarray or `tenor-train` among its normal dependencies; with the default
/// features it does (so this check can fail).
#[test]
fn the_serving_build_links_no_training_library() {
    let tree = |extra: &[&str]| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let output = std::process::Command::new(cargo)
            .current_dir(repo())
            .args(["tree", "--offline", "--locked", "-p", "tenor-cli", "-e", "normal", "--prefix", "none"])
            .args(["--format", "{p}"])
            .args(extra)
            .output()
            .unwrap();
        assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    let training = |tree: &str| -> Vec<String> {
        tree.lines()
            .filter(|l| ["linfa", "ndarray", "tenor-train"].iter().any(|t| l.starts_with(&format!("{t} "))))
            .map(str::to_owned)
            .collect()
    };
    let serving = tree(&["--no-default-features"]);
    assert!(serving.lines().any(|l| l.starts_with("tenor-runtime ")), "{serving}");
    assert_eq!(training(&serving), Vec::<String>::new(), "the serving build links training");
    let full = tree(&[]);
    assert!(training(&full).iter().any(|l| l.starts_with("linfa ")), "{full}");
    let dockerfile = std::fs::read_to_string(repo().join("deploy/Dockerfile")).unwrap();
    let build = dockerfile.lines().find(|l| l.contains("cargo build")).expect("the image builds tenor");
    assert!(build.contains("--no-default-features"), "the image must build without training: {build}");
}
