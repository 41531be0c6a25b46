//! The benches' sentences: the bundled example stream's bodies, split by Tenor's splitter.

pub fn example_sentences() -> Vec<String> {
    let examples = include_str!("../../examples/articles.jsonl");
    let splitter = tenor_text::Splitter::new();
    let mut out = Vec::new();
    for line in examples.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let Some(body) = v["body"].as_str() else { continue };
        for s in splitter.split(body) {
            out.push(body[s.start..s.end].to_owned());
        }
    }
    out
}
