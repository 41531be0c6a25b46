//! Records say who claims what: speaker, cue, content and quote spans, hedges, claim kind, and the article's
//! speakers, all as code-point spans into the body.

use serde_json::Value;

use crate::support::{json_lines, run_with_stdin, tenor};

fn slice(body: &[char], span: &Value) -> String {
    let (start, end) = (span["start"].as_u64().unwrap() as usize, span["end"].as_u64().unwrap() as usize);
    body[start..end].iter().collect()
}

#[test]
fn records_carry_attribution_hedging_and_claims() {
    let body =
        "Zürich’s mayor, Corine Mauch, said the tram plan may be delayed. “We will not give up,” she said. \
                The tram runs every ten minutes.";
    let input = serde_json::json!({"id": "z1", "body": body}).to_string();
    let output = run_with_stdin(tenor().args(["run", "-i", "-"]), input.as_bytes());
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let records = json_lines(&output.stdout);
    let chars: Vec<char> = body.chars().collect();
    let sentences: Vec<&Value> = records.iter().filter(|r| r["schema"] == "tenor.sentence/1").collect();
    assert_eq!(sentences.len(), 3);

    let first = &sentences[0]["attribution"];
    assert_eq!(slice(&chars, &first["speaker"]["span"]), "Corine Mauch");
    assert_eq!(slice(&chars, &first["cue"]["span"]), "said");
    assert_eq!(slice(&chars, &first["content"]["span"]), "the tram plan may be delayed");
    assert_eq!(sentences[0]["claim"]["kind"], "attributed");
    let hedge = &sentences[0]["hedge"];
    assert_eq!(hedge["hedged"], true);
    assert_eq!(slice(&chars, &hedge["cues"][0]["span"]), "may");

    let second = &sentences[1]["attribution"];
    assert_eq!(slice(&chars, &second["quote"]["span"]), "We will not give up");
    assert_eq!(second["speaker"]["resolved"], "Corine Mauch");

    assert!(sentences[2]["attribution"].is_null());
    assert_eq!(sentences[2]["claim"]["kind"], "none");
    assert_eq!(sentences[2]["hedge"]["certainty"], 1.0);

    let summary = records.iter().find(|r| r["schema"] == "tenor.article/1").unwrap();
    assert_eq!(summary["claims"]["attributed"], 2);
    assert_eq!(summary["speakers"][0]["name"], "Corine Mauch");
    assert_eq!(summary["speakers"][0]["claims"], 2);
}
