//! `tenor diff`: the shadow run before switching models. A run compared with itself shows no difference; a
//! run with a modified model lists exactly the sentences whose stance or claim changed.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::support::{json_lines, repo, tenor};

/// `tenor replay` of the example stream into `out`, with the built-in models or those in `models`.
fn replay(out: &Path, run_id: &str, models: Option<&Path>) -> Vec<Value> {
    let mut cmd = tenor();
    cmd.args(["replay", "--no-progress", "--run-id", run_id, "-i"]).arg(repo().join("examples/articles.jsonl"));
    cmd.arg("-o").arg(out);
    if let Some(dir) = models {
        cmd.arg("--models").arg(dir);
    }
    let output = cmd.output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    json_lines(&std::fs::read(out).unwrap())
}

/// A copy of the built-in models whose sentence stance model (the one that scores a record's own stance) leans
/// towards `positive` (a different model, as a candidate version would be).
fn candidate_models(dir: &Path) {
    for role in ["stance", "sentence_stance", "claim"] {
        std::fs::create_dir_all(dir.join(role)).unwrap();
        let mut model: Value =
            serde_json::from_slice(&std::fs::read(repo().join("models").join(role).join("model.json")).unwrap())
                .unwrap();
        if role == "sentence_stance" {
            let positive = model["intercept"][2].as_f64().unwrap();
            model["intercept"][2] = (positive + 0.5).into();
            model["version"] = "1.0.0-candidate".into();
        }
        std::fs::write(dir.join(role).join("model.json"), serde_json::to_vec(&model).unwrap()).unwrap();
    }
}

fn diff(a: &Path, b: &Path, extra: &[&str], json: &Path) -> Value {
    let output = tenor().arg("diff").arg(a).arg(b).arg("--json").arg(json).args(extra).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("# Diff"), "Markdown report on stdout");
    serde_json::from_slice(&std::fs::read(json).unwrap()).unwrap()
}

fn sentences(records: &[Value]) -> BTreeMap<(String, u64), &Value> {
    records
        .iter()
        .filter(|r| r["schema"] == "tenor.sentence/1")
        .map(|r| ((r["article_id"].as_str().unwrap().to_owned(), r["sentence_index"].as_u64().unwrap()), r))
        .collect()
}

#[test]
fn diff_of_a_run_with_itself_is_empty_and_a_new_model_lists_exactly_the_changed_sentences() {
    let dir = tempfile::tempdir().unwrap();
    let (a_path, b_path) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    let a = replay(&a_path, "current", None);

    let same = diff(&a_path, &a_path, &[], &dir.path().join("same.json"));
    assert_eq!(same["stance_flips"], 0);
    assert_eq!(same["claim_flips"], 0);
    assert_eq!(same["changes"], Value::Array(Vec::new()));
    assert_eq!(same["confidence"]["moved"], 0);
    assert_eq!(same["compared"].as_u64().unwrap() as usize, sentences(&a).len());

    candidate_models(&dir.path().join("models"));
    let b = replay(&b_path, "candidate", Some(&dir.path().join("models")));
    let (sa, sb) = (sentences(&a), sentences(&b));
    assert_ne!(
        sa.values().next().unwrap()["model"]["stance"]["sha256"],
        sb.values().next().unwrap()["model"]["stance"]["sha256"]
    );

    // Gold for the first 40 sentences: run A's own labels, so A scores 1.0 and any flip there costs B.
    let gold: String = sa
        .iter()
        .take(40)
        .map(|((id, index), r)| {
            serde_json::json!({"article_id": id, "sentence_index": index, "stance": r["stance"]["label"]})
                .to_string()
                + "\n"
        })
        .collect();
    std::fs::write(dir.path().join("gold.jsonl"), gold).unwrap();
    let gold_arg = dir.path().join("gold.jsonl");
    let report = diff(&a_path, &b_path, &["--gold", gold_arg.to_str().unwrap()], &dir.path().join("ab.json"));

    let expected: Vec<(String, u64)> = sa
        .iter()
        .filter(|(key, ra)| {
            let rb = sb[*key];
            ra["stance"]["label"] != rb["stance"]["label"] || ra["claim"]["is_claim"] != rb["claim"]["is_claim"]
        })
        .map(|(key, _)| key.clone())
        .collect();
    assert!(!expected.is_empty(), "the candidate model must change some labels");
    let listed: Vec<(String, u64)> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["article_id"].as_str().unwrap().to_owned(), c["sentence_index"].as_u64().unwrap()))
        .collect();
    assert_eq!(listed, expected);
    assert_eq!(report["run_ids"], Value::Null);
    assert_eq!(report["a"]["run_ids"][0], "current");
    assert_eq!(report["b"]["run_ids"][0], "candidate");
    let transitions: u64 =
        report["stance_transitions"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(transitions, report["stance_flips"].as_u64().unwrap());
    let by_speaker = report["by_speaker"].as_array().unwrap();
    assert!(!by_speaker.is_empty() && by_speaker[0]["sentences"].as_u64().unwrap() > 0);
    let stance = &report["gold"]["tasks"][0];
    assert_eq!(stance["task"], "stance");
    assert_eq!(stance["a"]["accuracy"], 1.0);
    assert!(stance["accuracy_delta"].as_f64().unwrap() <= 0.0);
}
