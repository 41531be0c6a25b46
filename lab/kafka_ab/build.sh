#!/bin/bash
set -e
export CARGO_INCREMENTAL=0
for side in old new; do
  cd /tmp/ab/$side
  echo "=== build $side $(date -u +%T)"
  CARGO_TARGET_DIR=/tmp/ab/target-$side cargo bench -p tenor-cli --bench kafka_services --bench soak --no-run --message-format=json 2>/tmp/ab/build-$side.err | grep -o '"executable":"[^"]*"' | cut -d'"' -f4 > /tmp/ab/exe-$side.txt
  cat /tmp/ab/exe-$side.txt
done
echo "=== done $(date -u +%T)"
