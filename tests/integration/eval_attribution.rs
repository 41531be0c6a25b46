//! `tenor eval attribution`: Tenor's attribution rules measured against GUM's attribution units, through the
//! real binary, with the figures published in docs/ATTRIBUTION.md.

use serde_json::Value;

use crate::support::{repo, tenor};

/// Floors just under the figures measured on GUM dev (docs/ATTRIBUTION.md: speaker overlap F1 0.800, cue exact
/// F1 0.760). Speaker overlap meets the goal (0.80) exactly, as an exact ratio (88 / 110) that floating
/// point may round just below, so its floor sits a hair under; cue exact F1 sits below its goal (0.85), which
/// the rules do not reach. A change that lowers the measured figures fails here.
const DEV_CUE_EXACT_F1_FLOOR: f64 = 0.755;
const DEV_SPEAKER_OVERLAP_F1_FLOOR: f64 = 0.795;
/// Floors just under the train figures (cue exact F1 0.877, speaker overlap F1 0.866): the rules are developed
/// on train, so a change that loses what they learned there fails too.
const TRAIN_CUE_EXACT_F1_FLOOR: f64 = 0.87;
const TRAIN_SPEAKER_OVERLAP_F1_FLOOR: f64 = 0.86;

fn eval_json(args: &[&str]) -> Value {
    let output = tenor().current_dir(repo()).args(["eval", "attribution", "--json"]).args(args).output().unwrap();
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("JSON report")
}

#[test]
fn dev_scores_hold_their_measured_level() {
    let report = eval_json(&["--split", "dev"]);
    let dev = &report["splits"]["dev"];
    assert_eq!(dev["documents"], 6, "GUM dev has six news, interview and speech documents");
    assert_eq!(dev["units"], 56);
    let cue = dev["cue_exact"]["f1"].as_f64().unwrap();
    let speaker = dev["speaker_overlap"]["f1"].as_f64().unwrap();
    assert!(cue >= DEV_CUE_EXACT_F1_FLOOR, "dev cue exact F1 {cue}");
    assert!(speaker >= DEV_SPEAKER_OVERLAP_F1_FLOOR, "dev speaker overlap F1 {speaker}");
    // Overlap is the lenient measure: never below exact.
    assert!(dev["speaker_overlap"]["f1"].as_f64() >= dev["speaker_exact"]["f1"].as_f64());
    assert!(report["splits"].get("train").is_none(), "--split dev scores dev only");
}

#[test]
fn train_scores_hold_their_measured_level() {
    let report = eval_json(&["--split", "train"]);
    let train = &report["splits"]["train"];
    assert_eq!(train["documents"], 46);
    assert_eq!(train["units"], 464);
    let cue = train["cue_exact"]["f1"].as_f64().unwrap();
    let speaker = train["speaker_overlap"]["f1"].as_f64().unwrap();
    assert!(cue >= TRAIN_CUE_EXACT_F1_FLOOR, "train cue exact F1 {cue}");
    assert!(speaker >= TRAIN_SPEAKER_OVERLAP_F1_FLOOR, "train speaker overlap F1 {speaker}");
}

#[test]
fn credits_count_only_as_speakers_and_can_be_left_out() {
    let with = eval_json(&["--split", "dev"]);
    let without = eval_json(&["--split", "dev", "--no-credits"]);
    let (with, without) = (&with["splits"]["dev"], &without["splits"]["dev"]);
    // Credits have no cue: the cue scores do not move, the speaker predictions do.
    assert_eq!(with["cue_exact"], without["cue_exact"]);
    assert!(with["speaker_overlap"]["predicted"].as_u64() > without["speaker_overlap"]["predicted"].as_u64());
    assert_eq!(with["units"], without["units"], "gold units are the same either way");
}

#[test]
fn the_table_reports_both_splits_by_default() {
    let output = tenor().current_dir(repo()).args(["eval", "attribution"]).output().unwrap();
    assert!(output.status.success());
    let table = String::from_utf8(output.stdout).unwrap();
    for needle in ["dev ", "train ", "speaker exact", "speaker overlap", "cue exact", "cue overlap"] {
        assert!(table.contains(needle), "table lacks {needle:?}:\n{table}");
    }
}

#[test]
fn a_missing_data_folder_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let output = tenor().args(["eval", "attribution", "--data"]).arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("splits.md"));
}

#[test]
fn cross_validation_folds_train_documents_and_pools_them() {
    let report = eval_json(&["--cv", "5"]);
    let splits = report["splits"].as_object().unwrap();
    let folds: Vec<&Value> = (0..5).map(|f| &splits[&format!("fold{f}")]).collect();
    assert!(splits.get("dev").is_none(), "cross-validation never reads dev");
    let documents: u64 = folds.iter().map(|f| f["documents"].as_u64().unwrap()).sum();
    assert_eq!(documents, 46, "every train document is in exactly one fold");
    assert!(folds.iter().all(|f| f["documents"].as_u64().unwrap() >= 9));
    // The rules are fixed, so the pooled held-out counts are the train counts.
    let train = eval_json(&["--split", "train"]);
    for metric in ["cue_exact", "speaker_overlap"] {
        assert_eq!(splits["cv-pooled"][metric], train["splits"]["train"][metric], "{metric}");
    }
    let output =
        tenor().current_dir(repo()).args(["eval", "attribution", "--cv", "5", "--split", "dev"]).output().unwrap();
    assert!(!output.status.success(), "--cv with --split dev is refused");
}
