//! The fuzz targets' bodies: one module per reader of outside data, each with `check(data)`, which returns
//! for any input the reader handles within its contract and panics (an assertion) when it does not.
//!
//! Two harnesses call the same checks, so a target's contract is written once:
//! - the libFuzzer binaries in `fuzz/fuzz_targets/` (`scripts/fuzz.sh`, real fuzzing runs), one line each;
//! - `tests/seed_replay.rs`, which `cargo test` runs (and so `scripts/test.sh` and CI): every check over its
//!   whole seed corpus as `scripts/fuzz_seeds.py` makes it, inside the normal test build.
//!
//! [`TARGETS`] lists them by the fuzz binaries' names. `config` and `archive_read` read through
//! `tenor-runtime` (librdkafka, OpenSSL) and need the `runtime` feature (on by default).
//! This crate is test support, not part of the product: nothing else depends on it.

pub mod article_decode;
pub mod attribution;
pub mod classify_line;
pub mod pipeline;
pub mod score;
pub mod split;

#[cfg(feature = "runtime")]
pub mod archive_read;
#[cfg(feature = "runtime")]
pub mod config;

/// One fuzz target: its name (the fuzz binary's and the seed corpus folder's) and its check.
pub type Target = (&'static str, fn(&[u8]));

/// Every target this build has, in `scripts/fuzz.sh`'s order.
pub const TARGETS: &[Target] = &[
    ("article_decode", article_decode::check),
    ("split", split::check),
    ("attribution", attribution::check),
    ("score", score::check),
    ("classify_line", classify_line::check),
    ("pipeline", pipeline::check),
    #[cfg(feature = "runtime")]
    ("config", config::check),
    #[cfg(feature = "runtime")]
    ("archive_read", archive_read::check),
];
