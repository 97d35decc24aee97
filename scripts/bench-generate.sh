#!/usr/bin/env bash
# Decode speed side by side in one run: govai (Rust, crates/govai-ort) vs a plain Python
# onnxruntime loop (tools/py_generate.py) on the same ONNX file, same prompt, same thread count,
# greedy, EOS ignored. Rounds alternate so machine noise hits both. Prints the ratio.
#   scripts/bench-generate.sh [MODEL_DIR] [ROUNDS]
# llama.cpp (PyPI llama-cpp-python) is not compared: PyPI ships it as a source package whose
# C++ build this script does not attempt.
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:-models/smollm2-135m-instruct}"
rounds="${2:-3}"
threads="${GOVAI_THREADS:-2}"
py=.venv/bin/python
[ -f "$model/model.onnx" ] || scripts/convert-smollm2.sh
cargo build --release --quiet -p govai-ort --example bench_generate
bin="${CARGO_TARGET_DIR:-target}/release/examples/bench_generate"
prompt="Write a long story about a lighthouse keeper."
for n in 64 1024; do
  g_all=(); p_all=()
  for r in $(seq "$rounds"); do
    g=$(GOVAI_THREADS=$threads "$bin" "$model" "$n" | sed -n 's/.*decode \([0-9.]*\) tokens\/s.*/\1/p')
    p=$("$py" tools/py_generate.py "$model" "$prompt" --bench --max-new-tokens "$n" --threads "$threads" \
        | "$py" -c 'import json,sys; print(round(json.load(sys.stdin)["decode_tokens_per_s"],1))')
    g_all+=("$g"); p_all+=("$p")
    echo "round $r, $n tokens: govai $g tokens/s, python loop $p tokens/s"
  done
  "$py" - "$n" "${g_all[*]}" "${p_all[*]}" <<'PY'
import statistics, sys
n, g, p = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
gm, pm = statistics.median(g), statistics.median(p)
print(f"{n} tokens: median govai {gm:.1f} tokens/s, python loop {pm:.1f} tokens/s, ratio {gm/pm:.2f}x")
PY
done
