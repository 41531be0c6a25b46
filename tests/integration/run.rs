//! `tenor run`: the pipeline over an archived stream, with nothing lost.

use std::collections::HashMap;
use std::io::Write;

use serde_json::Value;

use crate::support::{example_articles, json_lines, run_with_stdin, tenor};

#[test]
fn with_no_flags_it_runs_the_bundled_example_stream() {
    let output = tenor().arg("run").output().unwrap();
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let records = json_lines(&output.stdout);
    let articles = example_articles();

    let summaries: Vec<&Value> = records.iter().filter(|r| r["schema"] == "tenor.article/1").collect();
    assert_eq!(summaries.len(), articles.len(), "one summary per article");

    // Every sentence's span slices its article's body by code points to exactly its text.
    let bodies: HashMap<&str, Vec<char>> = articles
        .iter()
        .map(|a| (a["id"].as_str().unwrap(), a["body"].as_str().unwrap().chars().collect()))
        .collect();
    let mut per_article: HashMap<&str, usize> = HashMap::new();
    for r in records.iter().filter(|r| r["schema"] == "tenor.sentence/1") {
        let id = r["article_id"].as_str().unwrap();
        let body = &bodies[id];
        let (start, end) =
            (r["span"]["start"].as_u64().unwrap() as usize, r["span"]["end"].as_u64().unwrap() as usize);
        let sliced: String = body[start..end].iter().collect();
        assert_eq!(sliced, r["text"].as_str().unwrap());
        let index = per_article.entry(id).or_default();
        assert_eq!(r["sentence_index"].as_u64().unwrap() as usize, *index, "indexes count up from 0 in order");
        *index += 1;
    }
    for summary in summaries {
        let counts = &summary["counts"];
        let total = counts["sentences"].as_u64().unwrap() + counts["headings"].as_u64().unwrap();
        assert_eq!(total as usize, per_article[summary["article_id"].as_str().unwrap()]);
    }
}

#[test]
fn spans_slice_the_body_for_a_python_reader_too() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let body = "Crème brûlée 🍮 sales rose 5%, the U.S. agency said. “No deal,” 👍🏽 officials said.\n\nZürich ✓";
    std::fs::write(&input, serde_json::json!({"id": "u1", "body": body}).to_string()).unwrap();
    let out = dir.path().join("out.jsonl");
    let status = tenor().args(["run", "-i"]).arg(&input).arg("-o").arg(&out).status().unwrap();
    assert!(status.success());
    let script = r#"
import json, sys
body = json.loads(open(sys.argv[1]).readline())["body"]
n = 0
for line in open(sys.argv[2]):
    r = json.loads(line)
    if r["schema"] == "tenor.sentence/1":
        assert body[r["span"]["start"]:r["span"]["end"]] == r["text"], (r["span"], r["text"])
        n += 1
print(n)
"#;
    let py = std::process::Command::new("python3").arg("-c").arg(script).arg(&input).arg(&out).output().unwrap();
    assert!(py.status.success(), "python: {}", String::from_utf8_lossy(&py.stderr));
    let checked: usize = String::from_utf8_lossy(&py.stdout).trim().parse().unwrap();
    assert!(checked >= 3, "python checked {checked} sentences");
}

#[test]
fn bad_messages_are_dead_lettered_with_reason_and_origin_and_the_rest_is_processed() {
    let mut input = Vec::new();
    let good = |id: &str| format!("{{\"id\":\"{id}\",\"body\":\"Talks went well. Both sides said so.\"}}\n");
    input.extend(good("g1").as_bytes());
    input.extend(b"{this is not json\n");
    input.extend(br#"{"body":"no id"}"#);
    input.extend(b"\n");
    input.extend(br#"{"id":"x","body":42}"#);
    input.extend(b"\n");
    input.extend(br#"{"id":"x","body":"   "}"#);
    input.extend(b"\n");
    input.extend(b"{\"id\":\"bin\",\"body\":\"\xff\xfe\"}\n");
    input.extend(format!("{{\"id\":\"big\",\"body\":\"{}\"}}\n", "a".repeat(2 * 1024 * 1024)).as_bytes());
    input.extend(format!("{}\n", "z".repeat(10 * 1024 * 1024)).as_bytes()); // a 10 MB line
    input.extend(good("g2").as_bytes());

    let dir = tempfile::tempdir().unwrap();
    let dlq = dir.path().join("dlq.jsonl");
    let output = run_with_stdin(tenor().args(["run", "--input", "-", "--dead-letter"]).arg(&dlq), &input);
    assert_eq!(output.status.code(), Some(2), "exit code 2 says some messages were rejected");

    let records = json_lines(&output.stdout);
    let ids: Vec<&str> = records
        .iter()
        .filter(|r| r["schema"] == "tenor.article/1")
        .map(|r| r["article_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["g1", "g2"]);

    let letters = json_lines(&std::fs::read(&dlq).unwrap());
    let got: Vec<(&str, u64)> =
        letters.iter().map(|l| (l["reason"].as_str().unwrap(), l["source"]["line"].as_u64().unwrap())).collect();
    assert_eq!(
        got,
        [
            ("invalid_json", 2),
            ("missing_field", 3),
            ("wrong_type", 4),
            ("empty_body", 5),
            ("invalid_utf8", 6),
            ("oversize", 7),
            ("oversize", 8)
        ]
    );
    // Nothing is lost: each payload is the original line (base64 when it is not UTF-8).
    assert_eq!(letters[0]["payload"], "{this is not json");
    assert_eq!(letters[4]["payload_encoding"], "base64");
    assert_eq!(letters[6]["payload"].as_str().unwrap().len(), 10 * 1024 * 1024);
    assert!(letters.iter().all(|l| l["service"] == "tenor-run" && l["source"]["file"] == "-"));
}

#[test]
fn reads_gzip_archives_and_writes_gzip_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl.gz");
    let mut gz =
        flate2::write::GzEncoder::new(std::fs::File::create(&input).unwrap(), flate2::Compression::fast());
    gz.write_all(b"{\"id\":\"a\",\"body\":\"One sentence. Another one.\"}\n").unwrap();
    gz.finish().unwrap();
    let out = dir.path().join("out.jsonl.gz");
    let status = tenor().args(["run", "-i"]).arg(&input).arg("-o").arg(&out).status().unwrap();
    assert!(status.success());
    let mut text = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(std::fs::File::open(&out).unwrap()), &mut text)
        .unwrap();
    let records = json_lines(&text);
    assert_eq!(records.len(), 3, "two sentences and a summary");
    assert_eq!(records[1]["text"], "Another one.");
}

#[test]
fn segment_splits_plain_text() {
    let output = run_with_stdin(
        tenor().args(["segment", "--format", "text"]),
        b"Dr. Smith arrived at 5 p.m. on Jan. 5. He left.",
    );
    assert!(output.status.success());
    let records = json_lines(&output.stdout);
    let texts: Vec<&str> = records.iter().map(|r| r["text"].as_str().unwrap()).collect();
    assert_eq!(texts.last(), Some(&"He left."));
    assert!(records.iter().all(|r| r["stance"].is_null()));
}

#[test]
fn segment_splits_jsonl_and_dead_letters_bad_lines_with_their_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let dead = dir.path().join("dead.jsonl");
    let input = b"{\"id\":\"a\",\"body\":\"One. Two.\"}\n{broken\n\n{\"id\":\"b\",\"body\":\"Three.\"}\n";
    let output = run_with_stdin(tenor().args(["segment", "--dead-letter"]).arg(&dead), input);
    assert_eq!(output.status.code(), Some(2), "a rejected line makes the exit code 2");
    let records = json_lines(&output.stdout);
    let ids: Vec<(&str, u64)> = records
        .iter()
        .map(|r| (r["article_id"].as_str().unwrap(), r["sentence_index"].as_u64().unwrap()))
        .collect();
    assert_eq!(ids, [("a", 0), ("a", 1), ("b", 0)]);
    let letters = json_lines(&std::fs::read(&dead).unwrap());
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0]["reason"], "invalid_json");
    assert_eq!(letters[0]["source"]["line"], 2, "blank lines count as lines");
    assert_eq!(letters[0]["payload"], "{broken");
}
