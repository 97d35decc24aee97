#!/usr/bin/env bash
# Review cost is linear in the answer (issue 13): time `govai review --jsonl` on an answer that is
# one long sentence of citation markers, with a source (the path that was quadratic: each marker
# rescanned its sentence from the start), at N and 2N bytes, and fail when doubling the input
# more than triples the time. Also prints the peak RSS. A timing comparison, so it is a script,
# not a unit test (the unit tests assert the bounded findings instead).
#
#   scripts/bench-review-flood.sh            # 250 kB and 500 kB, release build
#   BENCH_FLOOD_BYTES=100000 GOVAI=target/debug/govai scripts/bench-review-flood.sh
#
# Env: BENCH_FLOOD_BYTES (N, default 250000; 2N must stay under the 4 MiB JSONL line limit),
#      GOVAI (the binary; default: build the release one). Needs python3, /usr/bin/time.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N="${BENCH_FLOOD_BYTES:-250000}"
if [ -z "${GOVAI:-}" ]; then
    step "building govai (release)"
    cargo build --release -q -p govai-cli
    GOVAI="$target_dir/release/govai"
fi
command -v /usr/bin/time >/dev/null || apt_install time "needs /usr/bin/time (Debian package time)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
secs=()
for n in "$N" "$((2 * N))"; do
    python3 -c "import json,sys; print(json.dumps({'answer': '[1]' * ($n // 3), 'sources': [{'title': 't', 'text': 'x'}]}))" \
        > "$tmp/in.jsonl"
    /usr/bin/time -o "$tmp/time" -f "%e %M" "$GOVAI" review --jsonl "$tmp/in.jsonl" > "$tmp/out.jsonl"
    read -r s kb < "$tmp/time"
    findings=$(python3 -c "import json; d=json.load(open('$tmp/out.jsonl')); print(len(d['findings']), d.get('findings_dropped', 0))")
    step "$n bytes: ${s}s, peak RSS ${kb} kB, findings shown/dropped: $findings"
    secs+=("$s")
done
python3 - "${secs[@]}" <<'PY'
import sys
a, b = (max(float(x), 0.01) for x in sys.argv[1:])
ratio = b / a
print(f"time ratio for 2x input: {ratio:.2f} (linear ~2, quadratic ~4)")
sys.exit(0 if ratio < 3 else 1)
PY
