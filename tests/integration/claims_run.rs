//! `tenor run` follows claims across a stream's articles: a quote another outlet reprints joins its cluster,
//! the report's disagreement comes out as a tension, ids are the same on every run, and `--no-claims` /
//! `--no-tensions` turn each off.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::support::{json_lines, run_with_stdin, tenor};

/// Three articles: a wire report shaped like the Miami one, a second outlet reprinting its quotes re-edited,
/// and an unrelated story (the live page's test shows the same story).
pub fn story() -> Vec<Value> {
    vec![
        json!({"id": "wire-1", "source": "Wire", "title": "Miami talks end without breakthrough",
            "published_at": "2026-12-01T10:00:00Z",
            "body": "U.S. and Ukrainian envoys described the talks in Miami as productive and constructive, according to a joint statement. However, officials familiar with the discussions said no significant breakthrough has emerged. Analysts noted that core disputes over territory remain unresolved."}),
        json!({"id": "post-1", "source": "Post", "title": "Envoys upbeat after Miami round",
            "published_at": "2026-12-01T14:00:00Z",
            "body": "U.S. and Ukrainian envoys described the talks in Miami as \u{201c}productive and constructive\u{201d}, according to a joint statement.\n\nThe next round is expected in January."}),
        json!({"id": "daily-1", "source": "Daily", "title": "Bridge to reopen",
            "published_at": "2026-12-01T15:00:00Z",
            "body": "The city council said the bridge will reopen to traffic before the end of the month."}),
    ]
}

fn stream() -> Vec<u8> {
    story().iter().map(|a| format!("{a}\n")).collect::<String>().into_bytes()
}

fn run(flags: &[&str]) -> Vec<Value> {
    let output = run_with_stdin(tenor().args(["run", "-i", "-", "--format", "jsonl"]).args(flags), &stream());
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    json_lines(&output.stdout)
}

fn of(records: &[Value], schema: &str) -> Vec<Value> {
    records.iter().filter(|r| r["schema"] == schema).cloned().collect()
}

#[test]
fn a_reprinted_claim_joins_its_cluster_across_outlets_and_the_disagreement_is_a_tension() {
    let records = run(&[]);
    let sentences = of(&records, "tenor.sentence/1");
    let cluster_of = |article: &str, index: u64| {
        sentences
            .iter()
            .find(|s| s["article_id"] == article && s["sentence_index"] == index)
            .and_then(|s| s["claim_cluster"].as_str())
            .map(str::to_owned)
    };
    let envoys = cluster_of("wire-1", 0).expect("the envoys' claim has a cluster");
    assert_eq!(cluster_of("post-1", 0).as_deref(), Some(envoys.as_str()), "the reprint joins it");
    assert_ne!(cluster_of("daily-1", 0).as_deref(), Some(envoys.as_str()));

    // The cluster's latest record: two members, two outlets, first seen at the wire.
    let mut latest: BTreeMap<String, Value> = BTreeMap::new();
    for claim in of(&records, "tenor.claim/1") {
        latest.insert(claim["cluster_id"].as_str().unwrap().to_owned(), claim);
    }
    let cluster = &latest[&envoys];
    assert_eq!(cluster["members"], 2);
    assert_eq!(cluster["outlets"], json!(["Wire", "Post"]));
    assert_eq!(cluster["first_seen"]["article_id"], "wire-1");
    assert_eq!(cluster["latest"]["article_id"], "post-1");

    // The report's own disagreement: the envoys against the officials or the analysts.
    let tensions = of(&records, "tenor.tension/1");
    let pairs_envoys_with_doubts = tensions.iter().any(|t| {
        let texts: Vec<&str> =
            t["sides"].as_array().unwrap().iter().map(|s| s["text"].as_str().unwrap()).collect();
        t["scope"] == "article"
            && texts.iter().any(|x| x.contains("productive and constructive"))
            && texts.iter().any(|x| x.contains("no significant breakthrough") || x.contains("core disputes"))
    });
    assert!(pairs_envoys_with_doubts, "{tensions:#?}");
    // Each article's claim and tension records come after its own summary.
    let position = |pred: &dyn Fn(&Value) -> bool| records.iter().position(pred).unwrap();
    let wire_summary = position(&|r| r["schema"] == "tenor.article/1" && r["article_id"] == "wire-1");
    let first_tension = position(&|r| r["schema"] == "tenor.tension/1");
    let post_first = position(&|r| r["article_id"] == "post-1");
    assert!(wire_summary < first_tension && first_tension < post_first);
}

#[test]
fn ids_are_the_same_on_every_run_and_each_part_turns_off() {
    let strip = |records: Vec<Value>| -> Vec<Value> {
        records
            .into_iter()
            .map(|mut r| {
                r.as_object_mut().unwrap().remove("processed_at");
                r
            })
            .collect()
    };
    let first = strip(run(&[]));
    assert_eq!(first, strip(run(&["--threads", "1"])), "same input, same ids and records");

    let no_claims = run(&["--no-claims"]);
    assert!(of(&no_claims, "tenor.claim/1").is_empty());
    assert!(no_claims.iter().all(|r| r.get("claim_cluster").is_none()));
    assert!(!of(&no_claims, "tenor.tension/1").is_empty(), "tensions within an article need no clusters");

    let neither = run(&["--no-claims", "--no-tensions"]);
    assert!(neither.iter().all(|r| r["schema"] == "tenor.sentence/1" || r["schema"] == "tenor.article/1"));
}
