#!/usr/bin/env bash
# Installs the Tansu test broker (a Kafka-protocol broker written in Rust) if it is not already on PATH
# or in ~/.cargo/bin. An existing binary is never rebuilt.
#
# The build is the suite's largest single cost on a fresh machine (about 800 crates). Tansu's published crate
# sets no release profile, so `cargo install` builds at cargo's default opt-level 3; the tests only need a
# broker that serves a few hundred small messages, so it is built at opt-level 1 (CARGO_PROFILE_RELEASE_*
# below, measured in docs/RELIABILITY.md "In CI"). Both storage features are needed: the Kafka tests use
# `memory://` (dynostore) and `sqlite://` (libsql) storage. TANSU_OPT_LEVEL=3 builds it as upstream does.
set -euo pipefail
TANSU_VERSION=0.6.0
export PATH="$HOME/.cargo/bin:$PATH"
if command -v tansu >/dev/null 2>&1; then
  exit 0
fi
echo "install-tansu: building tansu $TANSU_VERSION (first run only)" >&2
export CARGO_INCREMENTAL=0
export CARGO_PROFILE_RELEASE_OPT_LEVEL="${TANSU_OPT_LEVEL:-1}"
export CARGO_PROFILE_RELEASE_DEBUG=false
export CARGO_PROFILE_RELEASE_LTO=false
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
# cargo install builds in a temporary folder of its own unless told otherwise: never in the caller's target.
unset CARGO_TARGET_DIR
cargo install tansu --locked --version "$TANSU_VERSION" --features dynostore,libsql
