#!/usr/bin/env bash
# Qwen2.5-Coder-0.5B-Instruct: govai (`govai generate`, the ONNX conversion of scripts/convert-qwen.sh)
# and llama.cpp (PyPI xllamacpp, tools/llama_ref.py) on the GGUF it was converted from, side by
# side on the same Chinese citizen questions. Each engine runs in its own process per question
# (model load not timed), greedy, eos ignored, exactly BENCH_TOKENS new tokens, the same thread
# count (GOVAI_THREADS, default 2); rounds alternate the engines so machine noise hits both.
# The prompt is the model's chat template with its default system line (checked: the prompt
# token counts of both engines must agree).
# Per run: decode tokens/s (tokens after the first / time after the first), time to first token
# (govai: the call until the first token, tokenisation included; llama.cpp: its prompt_ms) and
# the process's peak RSS (wait4 rusage; llama.cpp's includes the Python interpreter, ~30 MB).
# Prints every run, then medians and the govai/llama.cpp ratios as a Markdown table.
#   scripts/bench-generate-qwen.sh [MODEL_DIR] [ROUNDS]
#   env: GOVAI_THREADS (2), BENCH_TOKENS (128), GGUF (models/qwen2.5-coder-0.5b-instruct.gguf)
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:-models/qwen2.5-coder-0.5b-instruct}"
rounds="${2:-3}"
threads="${GOVAI_THREADS:-2}"
tokens="${BENCH_TOKENS:-128}"
gguf="${GGUF:-models/qwen2.5-coder-0.5b-instruct.gguf}"
py=.venv/bin/python
[ -f "$model/model.onnx" ] && [ -f "$gguf" ] || scripts/convert-qwen.sh
"$py" -c 'import xllamacpp' 2>/dev/null || { echo "bench-generate-qwen: xllamacpp missing (make venv)" >&2; exit 1; }
cargo build --release --quiet -p govai-cli --bin govai
govai="${CARGO_TARGET_DIR:-target}/release/govai"

questions=("如何办理居住证？" "我的社保卡丢了，怎么补办？" "新生儿落户需要带哪些材料？")
system="You are Qwen, created by Alibaba Cloud. You are a helpful assistant."

# run LABEL CMD...: the command's JSON line plus its peak RSS, as one JSON line tagged LABEL.
run() {
  "$py" - "$@" <<'PY'
import json, os, subprocess, sys
label, cmd = sys.argv[1], sys.argv[2:]
p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, "OMP_NUM_THREADS": "1"})
out = p.stdout.read()
_, status, ru = os.wait4(p.pid, 0)
if status != 0:
    sys.exit(f"bench-generate-qwen: {label} failed: {' '.join(cmd[:3])}")
d = json.loads(out.decode().strip().splitlines()[-1])
d.update(engine=label, peak_rss_mib=round(ru.ru_maxrss / 1024, 1))
print(json.dumps(d, ensure_ascii=False))
PY
}

echo "load before: $(uptime)"
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for r in $(seq "$rounds"); do
  for q in "${questions[@]}"; do
    prompt=$'<|im_start|>system\n'"$system"$'<|im_end|>\n<|im_start|>user\n'"$q"$'<|im_end|>\n<|im_start|>assistant\n'
    # Alternate which engine goes first.
    order="govai llama"; [ $((r % 2)) = 0 ] && order="llama govai"
    for e in $order; do
      if [ "$e" = govai ]; then
        run govai "$govai" generate --model "$model" --json --ignore-eos --threads "$threads" \
          --max-new-tokens "$tokens" "$q" >>"$results"
      else
        run llama.cpp "$py" -m tools.llama_ref "$gguf" generate "$prompt" --max-new-tokens "$tokens" \
          --threads "$threads" >>"$results"
      fi
    done
    echo "round $r: $(tail -2 "$results" | "$py" -c '
import json, sys
for line in sys.stdin:
    d = json.loads(line)
    if d["engine"] == "govai":
        n, ttft, total = d["generated_tokens"], d["time_to_first_token_ms"], d["elapsed_ms"]
        dec = (n - 1) / ((total - ttft) / 1e3)
    else:
        dec, ttft = d["decode_tokens_per_s"], d["ttft_ms"]
    name, rss = d["engine"], d["peak_rss_mib"]
    print(f"{name} {dec:.1f} tok/s ttft {ttft:.0f} ms rss {rss} MiB;", end=" ")
')"
  done
done
echo "load after: $(uptime)"
"$py" - "$results" "$threads" "$tokens" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
g = [r for r in rows if r["engine"] == "govai"]
l = [r for r in rows if r["engine"] == "llama.cpp"]
pt = {r["prompt_tokens"] for r in g} | {r["prompt_tokens"] for r in l}
gp = sorted({r["prompt_tokens"] for r in g}); lp = sorted({r["prompt_tokens"] for r in l})
if gp != lp:
    sys.exit(f"prompt token counts differ: govai {gp}, llama.cpp {lp}")
gdec = [(r["generated_tokens"] - 1) / ((r["elapsed_ms"] - r["time_to_first_token_ms"]) / 1e3) for r in g]
med = statistics.median
row = {
    "govai": (med(gdec), med(r["time_to_first_token_ms"] for r in g), max(r["peak_rss_mib"] for r in g)),
    "llama.cpp": (med(r["decode_tokens_per_s"] for r in l), med(r["ttft_ms"] for r in l), max(r["peak_rss_mib"] for r in l)),
}
print(f"\nmedians over {len(g)} runs each, prompts {gp} tokens, {sys.argv[3]} new tokens, {sys.argv[2]} threads:")
print("| engine | decode tok/s | TTFT ms | peak RSS MiB |")
print("|---|---|---|---|")
for k, (d, t, m) in row.items():
    print(f"| {k} | {d:.1f} | {t:.0f} | {m:.0f} |")
(gd, gt, gm), (ld, lt, lm) = row["govai"], row["llama.cpp"]
print(f"| govai / llama.cpp | {gd / ld:.2f}x | {gt / lt:.2f}x | {gm / lm:.2f}x |")
print("\nfirst answers:")
for r in (g[0], l[0]):
    print(f"  {r['engine']}: {r['text'][:80]!r}")
PY
