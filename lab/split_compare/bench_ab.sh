#!/bin/bash
# Splitting speed of main's splitter (or any commit, $1, default 484dd38) against this checkout's HEAD, measured
# in one sitting: both criterion benches (`benches/split.rs`) are built once from `git archive` copies under
# $BENCH_DIR, then run alternately, $ROUNDS rounds each, so that both see the same machine load. Prints
# criterion's estimate of each run and the load average before it; docs/SPLITTING.md has the figures.
# Usage (from the repository root): lab/split_compare/bench_ab.sh [OLD_COMMIT]
set -euo pipefail
OLD=${1:-484dd38}
ROUNDS=${ROUNDS:-6}
BENCH_DIR=${BENCH_DIR:-/tmp/tenor-split-bench}
REPO=$(git rev-parse --show-toplevel)
export CARGO_INCREMENTAL=0 CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}
rm -rf "$BENCH_DIR" && mkdir -p "$BENCH_DIR/old" "$BENCH_DIR/new"
git -C "$REPO" archive "$OLD" | tar -x -C "$BENCH_DIR/old"
git -C "$REPO" archive HEAD | tar -x -C "$BENCH_DIR/new"
for side in old new; do
  exe=$(cd "$BENCH_DIR/$side" && cargo bench -p tenor-text --bench split --no-run --message-format=json 2>/dev/null \
        | grep -o '"executable":"[^"]*split-[^"]*"' | tail -1 | cut -d'"' -f4)
  cp "$exe" "$BENCH_DIR/split-$side"
done
cd "$BENCH_DIR"
for round in $(seq "$ROUNDS"); do
  for side in old new; do
    echo "=== round $round $side ($( [ $side = old ] && echo "$OLD" || git -C "$REPO" rev-parse --short HEAD)) load: $(cut -d' ' -f1-3 /proc/loadavg)"
    "./split-$side" --bench --warm-up-time 1 --measurement-time 4 --noplot 2>&1 | grep -E "time:" | grep -v "%" || true
  done
done
