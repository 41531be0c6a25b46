//! The JSON Schemas under `schemas/` describe what Tenor really writes.

use serde_json::Value;

use crate::support::{json_lines, repo, run_with_stdin, tenor};

fn validator(name: &str) -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_slice(&std::fs::read(repo().join("schemas").join(name)).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name} is not a valid schema: {e}"))
}

fn assert_valid(validator: &jsonschema::Validator, record: &Value) {
    if let Err(error) = validator.validate(record) {
        panic!("record does not match its schema: {error}\n{record:#}");
    }
}

#[test]
fn records_from_the_example_stream_match_their_schemas() {
    let output = tenor().arg("run").output().unwrap();
    assert!(output.status.success());
    let (sentence, article) = (validator("sentence.schema.json"), validator("article.schema.json"));
    let records = json_lines(&output.stdout);
    assert!(records.len() > 100);
    for record in &records {
        match record["schema"].as_str() {
            Some("tenor.sentence/1") => assert_valid(&sentence, record),
            Some("tenor.article/1") => assert_valid(&article, record),
            other => panic!("unexpected schema {other:?}"),
        }
    }
}

#[test]
fn dead_letters_match_their_schema() {
    let input = b"nope\n{\"id\":1,\"body\":\"x\"}\n\xff\n";
    let output = run_with_stdin(tenor().args(["run", "-i", "-"]), input);
    let letters = json_lines(
        &output
            .stderr
            .split(|&b| b == b'\n')
            .filter(|l| l.starts_with(b"{"))
            .flat_map(|l| l.iter().copied().chain([b'\n']))
            .collect::<Vec<u8>>(),
    );
    assert_eq!(letters.len(), 3);
    let dead = validator("dead_letter.schema.json");
    for letter in &letters {
        assert_valid(&dead, letter);
    }
}

#[test]
fn the_example_stream_matches_the_input_schema() {
    let input = validator("article_message.schema.json");
    for article in crate::support::example_articles() {
        assert_valid(&input, &article);
    }
}
