//! `tenor eval replay`: a replay's records scored against gold labels, with pictures and a report.

use serde_json::{json, Value};

use crate::support::{json_lines, repo, tenor};

#[test]
fn eval_replay_scores_records_against_gold_and_draws_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let records_path = dir.path().join("records.jsonl");
    let out = tenor()
        .args(["replay", "--no-progress", "--run-id", "r1", "-i"])
        .arg(repo().join("examples/articles.jsonl"))
        .arg("-o")
        .arg(&records_path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let records: Vec<Value> = json_lines(&std::fs::read(&records_path).unwrap())
        .into_iter()
        .filter(|r| r["schema"] == "tenor.sentence/1")
        .collect();

    // 40 gold sentences: the run's own labels except 10 changed stances and 4 changed claims, so the scores
    // are known: stance accuracy 30/40, claim accuracy 36/40. Half are keyed by text, half by position.
    // Speakers: the run's own for sentences with an attribution (true positives), `null` for the others.
    let other = |label: &str| if label == "neutral" { "negative" } else { "neutral" };
    let mut gold = String::new();
    let (mut with_speaker, mut without_speaker) = (0, 0);
    for (i, r) in records.iter().take(40).enumerate() {
        let label = r["stance"]["label"].as_str().unwrap();
        let stance = if i < 10 { other(label) } else { label };
        // Claims are scored on the claim model's probability (`claim.score`), not on `is_claim`, which
        // attribution can also set.
        let claim = (r["claim"]["score"].as_f64().unwrap() > 0.5) ^ (10..14).contains(&i);
        let speaker = &r["attribution"]["speaker"];
        let speaker = if speaker.is_object() {
            with_speaker += 1;
            speaker["resolved"].as_str().or(speaker["text"].as_str()).map(Value::from).unwrap()
        } else {
            without_speaker += 1;
            Value::Null
        };
        let line = if i % 2 == 0 {
            json!({"article_id": r["article_id"], "sentence_index": r["sentence_index"], "stance": stance, "claim": claim, "speaker": speaker})
        } else {
            json!({"text": format!("  {}  ", r["text"].as_str().unwrap()), "stance": stance, "claim": claim, "speaker": speaker})
        };
        gold.push_str(&format!("{line}\n"));
    }
    std::fs::write(dir.path().join("gold.jsonl"), gold).unwrap();
    assert!(with_speaker > 0 && without_speaker > 0);

    let report_dir = dir.path().join("report");
    let out = tenor()
        .args(["eval", "replay", "--records"])
        .arg(&records_path)
        .arg("--gold")
        .arg(dir.path().join("gold.jsonl"))
        .arg("--out-dir")
        .arg(&report_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&std::fs::read(report_dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["matched"], 40, "{report:#}");
    assert_eq!(report["stance"]["n"], 40);
    assert_eq!(report["stance"]["accuracy"], 0.75);
    assert_eq!(report["claim"]["accuracy"], 0.9);
    assert_eq!(report["stance"]["reliability"].as_array().unwrap().len(), 15);
    let confusion_total: u64 = report["stance"]["confusion"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(confusion_total, 40);
    assert_eq!(report["attribution"]["f1"], 1.0);
    assert_eq!(report["attribution"]["true_positives"], with_speaker);
    for picture in
        ["stance_reliability.svg", "stance_confusion.svg", "claim_reliability.svg", "claim_confusion.svg"]
    {
        let svg = std::fs::read_to_string(report_dir.join(picture)).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("<rect"), "{picture}");
    }
    let md = std::fs::read_to_string(report_dir.join("report.md")).unwrap();
    assert!(
        md.contains("accuracy **0.7500**") && md.contains("![stance reliability](stance_reliability.svg)"),
        "{md}"
    );
    assert!(md.contains("run id: r1"));
}
