#!/usr/bin/env bash
# Runs Tenor's whole test suite from a clean checkout: README command 2, and what CI runs.
#
# It sets up what the tests need on a fresh machine (Rust components, the Tansu test broker, built once and
# cached in ~/.cargo/bin), then runs formatting and lint checks, every test in the workspace, and a smoke run
# of every fuzz target (a few seconds each; scripts/fuzz.sh, docs/RELIABILITY.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n== %s\n' "$*" >&2; }

# A clean checkout builds everything once: incremental caches would only cost disk (several GB).
export CARGO_INCREMENTAL=0

step "disk (a clean build, tests and fuzz builds take about 8 GB)"
df -h . >&2
avail_kb=$(df -Pk . | awk 'NR == 2 { print $4 }')
if [ "${avail_kb:-0}" -lt $((8 * 1024 * 1024)) ]; then
    echo "warning: less than 8 GB free here; the build may fail with 'No space left on device'" >&2
fi

step "toolchain components"
rustup component add rustfmt clippy >/dev/null 2>&1 || true

step "test broker (Tansu, for the Kafka end-to-end tests; built once)"
./scripts/install-tansu.sh

step "format"
cargo fmt --all -- --check
# The fuzz crate is its own workspace (fuzz/Cargo.toml), so `cargo fmt --all` does not reach it.
rustfmt --edition 2021 --check --config-path rustfmt.toml fuzz/fuzz_targets/*.rs

step "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "tests"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --locked 2>&1 | tee "$log"
# One closing line over every test binary (cargo prints one result line per binary, doc-tests last).
awk '/^test result:/ { p += $4; f += $6; i += $8 } END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, i }' "$log"

step "fuzz smoke (every target a few seconds; installs cargo-fuzz once, first build ~10 min)"
./scripts/fuzz.sh smoke "${FUZZ_SMOKE_SECONDS:-5}"
