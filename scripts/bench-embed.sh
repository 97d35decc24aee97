#!/usr/bin/env bash
# Embedding throughput side by side in one run: govai-ort's EmbeddingModel (Rust, example
# bench_embed) vs plain Python onnxruntime + tokenizers (benches/embed_python.py) on the same
# model directories, the same 256 sentences (English and Chinese mix), batch sizes 1 and 32, the
# same intra-op thread count (GOVAI_THREADS, default 2). Rounds alternate so machine noise hits
# both. First checks that both compute the same vectors (cosine > 0.999 on all 256 sentences).
# Prints medians of sentences/s (wall clock) and of sentences per process CPU-second (all threads,
# including onnxruntime's spinning workers; steadier than wall clock on a busy machine), and the
# ratios govai/Python.
#   scripts/bench-embed.sh [ROUNDS] [MODEL_DIR...]     default: 3 models/minilm-l6-v2-int8 models/use-multilingual
# Models come from crates/govai-ort/scripts/prepare-embeddings.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
shift || true
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(models/minilm-l6-v2-int8 models/use-multilingual)
threads="${GOVAI_THREADS:-2}"
py=.venv/bin/python
for m in "${models[@]}"; do
  [ -f "$m/model.onnx" ] || { echo "bench-embed: $m/model.onnx missing (run crates/govai-ort/scripts/prepare-embeddings.sh)" >&2; exit 1; }
done
cargo build --release --quiet -p govai-ort --example bench_embed
bin="${CARGO_TARGET_DIR:-target}/release/examples/bench_embed"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for m in "${models[@]}"; do
  GOVAI_THREADS=$threads "$bin" --dump "$tmp/vectors.json" "$m"
  if ! c=$("$py" benches/embed_python.py "$m" --threads "$threads" --check "$tmp/vectors.json"); then
    echo "bench-embed: Python and govai vectors differ (cosine <= 0.999): $c" >&2
    exit 1
  fi
  echo "same vectors: $c"
done

echo "load before: $(uptime)"
for r in $(seq "$rounds"); do
  for m in "${models[@]}"; do
    GOVAI_THREADS=$threads "$bin" --repeat 1 --batch 1 --batch 32 "$m" | sed 's/^/govai /' | tee -a "$tmp/rows"
    "$py" benches/embed_python.py "$m" --repeat 1 --batch 1 --batch 32 --threads "$threads" | sed 's/^/python /' \
      | tee -a "$tmp/rows"
  done
done
echo "load after: $(uptime)"
"$py" - "$tmp/rows" "$threads" "$rounds" <<'PY'
import json, statistics, sys
rows = []
for line in open(sys.argv[1]):
    engine, js = line.split(" ", 1)
    d = json.loads(js)
    rows.append((engine, d["model"], d["batch"], d["sentences_per_s"], d["sentences"] / d["cpu_s_per_run"]))
print(f"\nmedians of {sys.argv[3]} rounds, 256 sentences, {sys.argv[2]} threads each:")
print("| model | batch | govai sentences/s | Python sentences/s | govai/Python "
      "| govai sentences/CPU-s | Python sentences/CPU-s | govai/Python (CPU) |")
print("|---|---|---|---|---|---|---|---|")
for model, batch in dict.fromkeys((r[1], r[2]) for r in rows):
    g = statistics.median(r[3] for r in rows if r[:3] == ("govai", model, batch))
    p = statistics.median(r[3] for r in rows if r[:3] == ("python", model, batch))
    gc = statistics.median(r[4] for r in rows if r[:3] == ("govai", model, batch))
    pc = statistics.median(r[4] for r in rows if r[:3] == ("python", model, batch))
    print(f"| {model} | {batch} | {g:.1f} | {p:.1f} | {g / p:.2f}x | {gc:.1f} | {pc:.1f} | {gc / pc:.2f}x |")
PY
