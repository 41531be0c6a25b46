//! libFuzzer harness of `tenor_fuzz_targets::article_decode` (crates/tenor-fuzz-targets/src/article_decode.rs), whose module doc
//! states what it checks; `cargo test` replays the same check over the seed corpus.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| tenor_fuzz_targets::article_decode::check(data));
