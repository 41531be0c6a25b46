//! `cargo run --release -p tenor-models --example score_text -- MODEL.json SENTENCE...`: the stance of each
//! sentence (no target) with label, confidence, probabilities and evidence (the reference-sentence table in
//! docs/MODELS.md).
use tenor_models::Scorer;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let scorer = Scorer::from_bytes(&std::fs::read(&args[1]).unwrap()).unwrap();
    for text in &args[2..] {
        let s = scorer.stance(text, None).unwrap();
        println!(
            "{:?} {:.3} neg {:.3} neu {:.3} pos {:.3} {:?} | {text}",
            s.label,
            s.confidence,
            s.probs.negative,
            s.probs.neutral,
            s.probs.positive,
            s.evidence.iter().map(|e| &text[e.range.clone()]).collect::<Vec<_>>()
        );
    }
}
