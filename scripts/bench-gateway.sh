#!/usr/bin/env bash
# The gateway bench (issue 16; run by hand, not a test): the same prompts to a llama.cpp server
# (xllamacpp, Qwen2.5 0.5B GGUF of models/) directly and through `govai serve`, at 1, 8 and 32
# clients (added latency p50/p99 without the model's time, throughput ratio), then a mixed load
# of 8 clients x 500 requests against govai.example.toml with keys (zero unexpected answers,
# audit chain verified, RSS sampled). Release build. Arguments go to benches/gateway_bench.py
# (e.g. --requests 48,160,320 --mixed-requests 500 --json FILE). About 10 minutes on two cores.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export CARGO_TARGET_DIR="$target_dir"
vpy="$root/.venv/bin/python"
[ -x "$vpy" ] || { echo "no .venv: run make venv (or scripts/test-gateway.sh) first" >&2; exit 1; }
"$vpy" -c "import xllamacpp" 2>/dev/null || "$vpy" -m pip install --quiet --disable-pip-version-check \
    --only-binary=xllamacpp -r "$root/tools/requirements-llamacpp.txt"

step "cargo build --release -p govai-cli --bin govai"
cargo build --release -p govai-cli --bin govai

step "benches/gateway_bench.py"
"$vpy" "$root/benches/gateway_bench.py" --govai "$target_dir/release/govai" "$@"
