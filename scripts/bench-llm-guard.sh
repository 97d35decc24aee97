#!/usr/bin/env bash
# Side-by-side run: govai's rule-based reviewers vs LLM Guard's comparable scanners on the same
# inputs (lexicon vs BanSubstrings, pii_leak vs Regex/Anonymize, input_screen vs PromptInjection).
# A benchmark, not part of CI: without the bench venv it says so and exits 0.
#
#   scripts/bench-llm-guard.sh --setup   # once: create .venv-llmguard (about 6 GB, see below)
#   scripts/bench-llm-guard.sh           # run; report in target/bench/llm-guard.json
#
# Env: BENCH_REPEAT (passes per side, default 3), BENCH_SEED (default 20260605), BENCH_OUT
# (report dir, default target/bench), PYTHON (for --setup, default python3).
#
# The venv .venv-llmguard (git-ignored) holds llm-guard 0.3.16 and its pinned dependencies.
# llm_guard imports torch at import time (Model.__post_init__ calls util.device()), and PyPI's
# Linux torch wheel cannot be imported without its CUDA libraries ("ValueError: libcublasLt.so.*[0-9]
# not found in the system path"), so the full torch stack is installed (no GPU is used). The
# model-based scanners (PromptInjection, Anonymize, BanCode, ...) download their models from the
# Hugging Face hub when constructed; offline they fail after retrying, and the report shows the
# exact error.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv-llmguard"

if [ "${1:-}" = "--setup" ]; then
    [ -x "$VENV/bin/python" ] || "${PYTHON:-python3}" -m venv "$VENV"
    pip=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
    # llm-guard without its dependency list, then its pins (torch last: the big one).
    "${pip[@]}" --no-deps llm-guard==0.3.16
    "${pip[@]}" structlog regex==2024.11.6 presidio-analyzer==2.2.358 presidio-anonymizer==2.2.358 \
        bc-detect-secrets==1.5.43 "faker>=37,<38" "fuzzysearch>=0.7,<0.9" json-repair==0.44.1 "nltk>=3.9.1,<4" \
        "tiktoken>=0.9,<1.0" transformers==4.51.3 opencc-python-reimplemented==0.1.7
    "${pip[@]}" "torch>=2.4.0"
    echo "bench-llm-guard: $VENV ready"
    exit 0
fi

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import importlib.util as u, sys; sys.exit(u.find_spec('llm_guard') is None)"; then
    echo "bench-llm-guard: $VENV with llm-guard is absent; nothing to compare."
    echo "bench-llm-guard: run 'scripts/bench-llm-guard.sh --setup' once (PyPI, about 6 GB), then this script again."
    exit 0
fi

OUT="${BENCH_OUT:-$ROOT/target/bench}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
mkdir -p "$OUT"
echo "== building the govai CLI (release)"
cargo build --release --quiet -p govai-cli --bin govai
echo "== comparing (the model-based LLM Guard scanners retry the hub for about a minute each)"
HF_HUB_DISABLE_PROGRESS_BARS=1 TRANSFORMERS_VERBOSITY=error "$VENV/bin/python" benches/llm_guard_compare.py \
    --govai "$TARGET/release/govai" --repeat "${BENCH_REPEAT:-3}" --seed "${BENCH_SEED:-20260605}" \
    --json "$OUT/llm-guard.json" 2> "$OUT/llm-guard.stderr.log" || {
    echo "bench-llm-guard: failed; see $OUT/llm-guard.stderr.log" >&2
    tail -20 "$OUT/llm-guard.stderr.log" >&2
    exit 1
}
echo "(report in $OUT/llm-guard.json, LLM Guard's log in $OUT/llm-guard.stderr.log)"
