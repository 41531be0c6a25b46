//! Fixed work for profilers (`valgrind --tool=callgrind`, `perf`): featurize + score every sentence of the
//! bundled example stream `REPS` times (default 50) with the shipped stance model (or the stance model file
//! `MODEL`), and print the rate.
use tenor_models::{shipped, Scorer, Task};

#[path = "../../../benches/support/sentences.rs"]
mod sentences;

fn main() {
    let sentences = sentences::example_sentences();
    let model = std::env::var("MODEL").map_or_else(|_| shipped::STANCE.to_vec(), |p| std::fs::read(p).unwrap());
    let stance = Scorer::from_bytes_for(&model, Task::Stance).unwrap();
    let t = std::time::Instant::now();
    let mut sum = 0.0;
    let reps: usize = std::env::var("REPS").map_or(50, |v| v.parse().unwrap());
    for _ in 0..reps {
        for s in &sentences {
            sum += stance.score(s, None).unwrap().probs[0];
        }
    }
    let n = reps * sentences.len();
    println!("{n} sentences {:?} {:.0}/s sum {sum}", t.elapsed(), n as f64 / t.elapsed().as_secs_f64());
}
