//! Every fuzz target's check over its whole seed corpus, inside the normal test build: the fuzz smoke that
//! `scripts/test.sh` (so CI) runs without a second, instrumented build. The corpora are made afresh by
//! `scripts/fuzz_seeds.py` (python3) in a temporary folder, exactly as `scripts/fuzz.sh` seeds libFuzzer.
//! A check that panics on a seed fails its test and names the seed file.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tenor_fuzz_targets::TARGETS;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the repository root")
}

/// The seed corpora, made once per test process.
fn corpora() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let out = std::process::Command::new("python3")
            .arg(repo_root().join("scripts/fuzz_seeds.py"))
            .arg(dir.path())
            .output()
            .expect("python3 runs scripts/fuzz_seeds.py");
        assert!(out.status.success(), "fuzz_seeds.py: {}", String::from_utf8_lossy(&out.stderr));
        dir
    })
    .path()
}

/// Runs `name`'s check over each seed; returns how many seeds there were.
fn replay(name: &str) -> usize {
    let (_, check) = TARGETS.iter().find(|(n, _)| *n == name).expect("a known target");
    let folder = corpora().join(name);
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("no seed corpus for {name} in {}: {e}", folder.display()))
        .map(|entry| entry.expect("a corpus entry").path())
        .collect();
    seeds.sort();
    for seed in &seeds {
        let data = std::fs::read(seed).expect("a seed file");
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{name} panicked on seed {}", seed.display());
    }
    seeds.len()
}

macro_rules! replay_tests {
    ($($name:ident: $min_seeds:expr),* $(,)?) => {$(
        #[test]
        fn $name() {
            let seeds = replay(stringify!($name));
            assert!(seeds >= $min_seeds, "only {seeds} seeds for {}", stringify!($name));
        }
    )*};
}

// The lower bounds catch a seed script that silently stops feeding a target.
replay_tests! {
    article_decode: 20,
    split: 100,
    attribution: 100,
    score: 100,
    classify_line: 100,
    pipeline: 20,
    config: 5,
    archive_read: 10,
}

/// The replayed targets are the fuzz binaries: same names in `TARGETS`, `fuzz/Cargo.toml`, `fuzz/fuzz_targets/`
/// and `scripts/fuzz.sh`, so neither harness can miss a target the other has.
#[test]
fn targets_match_the_fuzz_binaries() {
    let root = repo_root();
    let mut names: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
    names.sort_unstable();
    assert_eq!(names.len(), 8, "{names:?}");

    let manifest = std::fs::read_to_string(root.join("fuzz/Cargo.toml")).expect("fuzz/Cargo.toml");
    let mut bins: Vec<&str> = manifest
        .lines()
        .filter_map(|line| line.strip_prefix("name = \""))
        .filter_map(|rest| rest.strip_suffix('"'))
        .filter(|name| *name != "tenor-fuzz")
        .collect();
    bins.sort_unstable();
    assert_eq!(bins, names, "fuzz/Cargo.toml [[bin]] names");

    let mut files: Vec<String> = std::fs::read_dir(root.join("fuzz/fuzz_targets"))
        .expect("fuzz/fuzz_targets")
        .map(|entry| entry.expect("an entry").path().file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    files.sort_unstable();
    assert_eq!(files, names, "fuzz/fuzz_targets/*.rs");

    let script = std::fs::read_to_string(root.join("scripts/fuzz.sh")).expect("scripts/fuzz.sh");
    let list = script.lines().find_map(|line| line.strip_prefix("TARGETS=(")).expect("fuzz.sh's TARGETS");
    let mut listed: Vec<&str> = list.trim_end_matches(')').split_whitespace().collect();
    listed.sort_unstable();
    assert_eq!(listed, names, "scripts/fuzz.sh TARGETS");
}
