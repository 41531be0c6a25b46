#!/usr/bin/env bash
# Installs the Tansu test broker (a Kafka-protocol broker written in Rust) if it is not already on PATH
# or in ~/.cargo/bin. Building it takes ~17 minutes on 2 cores, so an existing binary is never rebuilt.
set -euo pipefail
TANSU_VERSION=0.6.0
export PATH="$HOME/.cargo/bin:$PATH"
if command -v tansu >/dev/null 2>&1; then
  exit 0
fi
echo "install-tansu: building tansu $TANSU_VERSION (first run only, ~17 min on 2 cores)" >&2
cargo install tansu --locked --version "$TANSU_VERSION" --features dynostore,libsql
