#!/usr/bin/env bash
# Build models/injection-use/: the stripped multilingual USE (models/use-multilingual, made by
# prepare-embeddings.sh) with the checked-in prompt-injection head data/injection/head.json
# (trained by tools/train_injection_head.py on data/injection/items.jsonl) appended, for
# govai-ort's SequenceClassifier and `[reviewers.input_screen] model = "models/injection-use"`.
# Runs prepare-embeddings.sh first when models/use-multilingual is missing.
# Usage: crates/govai-ort/scripts/prepare-injection.sh [VENV] [MODELS_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
venv="${1:-$root/.venv}"
out="${2:-$root/models}"
py="$venv/bin/python"
[ -x "$py" ] || { echo "no python venv at $venv (python3 -m venv .venv)" >&2; exit 1; }
if [ ! -f "$out/use-multilingual/model.onnx" ]; then
    "$here/prepare-embeddings.sh" "$venv" "$out"
fi
"$py" "$here/build_injection_model.py" "$out/use-multilingual" "$root/data/injection/head.json" "$out/injection-use"
