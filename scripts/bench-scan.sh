#!/usr/bin/env bash
# Side-by-side scan benchmark: govai vs Presidio on the same generated corpus, then govai's
# streaming throughput and peak memory at two input sizes.
#
#   scripts/bench-scan.sh                          # full run (20k-text corpus, 100 MB and 1 GB streams)
#   BENCH_STREAM_MB="10 100" scripts/bench-scan.sh # quick run
#
# Env: BENCH_LINES (corpus texts, default 20000), BENCH_SEED (default 20260601),
#      BENCH_MIN_SECS (timing per side, default 3), BENCH_STREAM_MB (sizes in MiB, default
#      "100 1024"; empty to skip), BENCH_PHONE_REGIONS (Presidio, default CN), BENCH_OUT (report
#      dir, default target/bench), PYTHON (for the venv, default python3).
# Needs: cargo, python3 (3.10+), /usr/bin/time (Debian package `time`). Creates/refreshes .venv with
# the pinned Presidio of benches/requirements-presidio.txt. Single-threaded on both sides.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
LINES="${BENCH_LINES:-20000}"
SEED="${BENCH_SEED:-20260601}"
MIN_SECS="${BENCH_MIN_SECS:-3}"
STREAM_MB="${BENCH_STREAM_MB-100 1024}"
REGIONS="${BENCH_PHONE_REGIONS:-CN}"
OUT="${BENCH_OUT:-$ROOT/target/bench}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
mkdir -p "$OUT"

echo "== python venv (.venv) with pinned presidio-analyzer"
if [ ! -x .venv/bin/python ]; then
    "${PYTHON:-python3}" -m venv .venv
fi
if ! .venv/bin/python - <<'PY' 2>/dev/null
import importlib.metadata as m, sys
want = [l.split("==") for l in open("benches/requirements-presidio.txt") if "==" in l and not l.startswith("#")]
sys.exit(any(m.version(n.strip()) != v.strip() for n, v in want))
PY
then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r benches/requirements-presidio.txt
fi

echo "== building (release): govai-benches, govai CLI (govai-cli)"
cargo build --release --quiet -p govai-benches -p govai-cli
BIN="$TARGET/release"

echo "== corpus: $LINES texts, seed $SEED"
"$BIN/gen_corpus" jsonl --seed "$SEED" --lines "$LINES" --out "$OUT/corpus.jsonl"

echo "== govai (scan_bench)"
"$BIN/scan_bench" corpus "$OUT/corpus.jsonl" --min-secs "$MIN_SECS" --findings "$OUT/govai-findings.jsonl" \
    > "$OUT/govai.json"
cat "$OUT/govai.json"
echo "== presidio (benches/presidio_scan.py) and common scoring"
.venv/bin/python benches/presidio_scan.py --corpus "$OUT/corpus.jsonl" --min-secs "$MIN_SECS" \
    --phone-regions "$REGIONS" --govai-findings "$OUT/govai-findings.jsonl" --govai-stats "$OUT/govai.json" \
    --json > "$OUT/compare.json"
.venv/bin/python benches/presidio_scan.py --report "$OUT/compare.json"

if [ -n "$STREAM_MB" ]; then
    [ -x /usr/bin/time ] || { echo "bench-scan: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
    TMP="$(mktemp -d)"
    trap 'rm -rf "$TMP"' EXIT
    : > "$OUT/stream.tsv"
    for mb in $STREAM_MB; do
        echo "== stream ${mb} MiB through 'govai scan --jsonl' (generated corpus lines, no repeats)"
        "$BIN/gen_corpus" lines --seed "$SEED" --mb "$mb" --out "$TMP/in.txt"
        bytes=$(stat -c %s "$TMP/in.txt")
        /usr/bin/time -v -o "$TMP/time.txt" "$BIN/govai" scan --jsonl "$TMP/in.txt" > /dev/null
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$TMP/time.txt")
        secs=$(echo "$wall" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
        user=$(awk -F': ' '/User time/ {print $2}' "$TMP/time.txt")
        sys=$(awk -F': ' '/System time/ {print $2}' "$TMP/time.txt")
        cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u+s}')
        rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$TMP/time.txt")
        mbs=$(awk -v b="$bytes" -v s="$secs" 'BEGIN {printf "%.1f", b/1e6/s}')
        cmbs=$(awk -v b="$bytes" -v s="$cpu" 'BEGIN {printf "%.1f", b/1e6/s}')
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$mb" "$bytes" "$secs" "$cpu" "$mbs" "$cmbs" "$rss" | tee -a "$OUT/stream.tsv"
        rm -f "$TMP/in.txt"
    done
fi

echo
echo "================ summary ================"
.venv/bin/python benches/presidio_scan.py --report "$OUT/compare.json"
if [ -s "$OUT/stream.tsv" ]; then
    echo
    echo "govai scan --jsonl (release, 1 thread, JSON output to /dev/null; MB/s by wall clock and by"
    echo "CPU time user+sys, the latter robust on a shared machine)"
    printf '%8s %12s %8s %8s %9s %9s %13s\n' "MiB" "bytes" "wall s" "cpu s" "MB/s" "MB/s cpu" "peak RSS KiB"
    awk -F'\t' '{printf "%8s %12s %8s %8s %9s %9s %13s\n", $1, $2, $3, $4, $5, $6, $7}' "$OUT/stream.tsv"
fi
echo "(reports in $OUT)"
