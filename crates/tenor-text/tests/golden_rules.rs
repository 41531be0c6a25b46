//! The 48 English "golden rules" of pySBD (models/data/sbd/english_golden_rules.jsonl): every one must pass.

use serde::Deserialize;

#[derive(Deserialize)]
struct GoldenRule {
    id: u32,
    rule: String,
    text: String,
    sentences: Vec<String>,
}

#[test]
fn all_pysbd_golden_rules_pass() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../models/data/sbd/english_golden_rules.jsonl");
    let data = std::fs::read_to_string(path).expect("golden rules file");
    let rules: Vec<GoldenRule> =
        data.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).expect("rule")).collect();
    assert_eq!(rules.len(), 48);
    let splitter = tenor_text::Splitter::new();
    let mut failures = Vec::new();
    for rule in &rules {
        let got: Vec<&str> = splitter.split(&rule.text).iter().map(|s| &rule.text[s.start..s.end]).collect();
        if got != rule.sentences {
            failures.push(format!("#{} {}:\n  want {:?}\n  got  {:?}", rule.id, rule.rule, rule.sentences, got));
        }
    }
    assert!(failures.is_empty(), "{} of 48 golden rules fail:\n{}", failures.len(), failures.join("\n"));
}
