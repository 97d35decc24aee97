#!/usr/bin/env bash
# Side-by-side scan benchmark, in one run: govai vs Presidio vs the floor (the plain `regex`
# crate running only the digit-run pattern `\d{6,}`) on the same generated corpora, the dense one
# (short texts, about 1.8 findings per 77 bytes) and sparse policy prose (about one finding per
# 2 KB), then govai's streaming throughput and peak memory at two input sizes of each
# (`scan_bench stream`: one thread, line by line, bounded memory; the `govai scan` CLI is
# parallel and has its own progress/output costs, so it is not what "per core" measures).
#
#   scripts/bench-scan.sh                  # full run (20k dense texts, 2k prose documents, 100 MB and 1 GB streams)
#   BENCH_QUICK=1 scripts/bench-scan.sh    # quick run (a few minutes): 4k texts, 400 documents,
#                                          # 1 s per side, 10 and 50 MiB streams
#
# Env: BENCH_QUICK (1 for the quick defaults above), BENCH_LINES (dense corpus texts, default
#      20000), BENCH_SPARSE_DOCS (prose documents, default 2000), BENCH_SEED (default 20260601),
#      BENCH_MIN_SECS (timing per side, default 3), BENCH_STREAM_MB (sizes in MiB, default
#      "100 1024"; empty to skip), BENCH_PHONE_REGIONS (Presidio, default CN), BENCH_OUT (report
#      dir, default target/bench), PYTHON (for the venv, default python3).
# Needs: cargo, python3 (3.10+), /usr/bin/time (Debian package `time`). Creates/refreshes .venv with
# the pinned Presidio of benches/requirements-presidio.txt. Single-threaded on all sides.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
if [ "${BENCH_QUICK:-0}" = 1 ]; then
    LINES="${BENCH_LINES:-4000}"
    DOCS="${BENCH_SPARSE_DOCS:-400}"
    MIN_SECS="${BENCH_MIN_SECS:-1}"
    STREAM_MB="${BENCH_STREAM_MB-10 50}"
else
    LINES="${BENCH_LINES:-20000}"
    DOCS="${BENCH_SPARSE_DOCS:-2000}"
    MIN_SECS="${BENCH_MIN_SECS:-3}"
    STREAM_MB="${BENCH_STREAM_MB-100 1024}"
fi
SEED="${BENCH_SEED:-20260601}"
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

echo "== building (release): govai-benches"
cargo build --release --quiet -p govai-benches
BIN="$TARGET/release"

echo "== corpora: dense $LINES texts, sparse prose $DOCS documents, seed $SEED"
"$BIN/gen_corpus" jsonl --seed "$SEED" --lines "$LINES" --out "$OUT/corpus.jsonl"
"$BIN/gen_corpus" sparse --seed "$SEED" --lines "$DOCS" --out "$OUT/sparse.jsonl"

for kind in dense sparse; do
    corpus="$OUT/corpus.jsonl"
    [ "$kind" = sparse ] && corpus="$OUT/sparse.jsonl"
    echo "== $kind: govai and the regex floor (scan_bench)"
    "$BIN/scan_bench" corpus "$corpus" --min-secs "$MIN_SECS" --findings "$OUT/govai-findings-$kind.jsonl" \
        > "$OUT/govai-$kind.json"
    cat "$OUT/govai-$kind.json"
    echo "== $kind: presidio (benches/presidio_scan.py) and common scoring"
    .venv/bin/python benches/presidio_scan.py --corpus "$corpus" --min-secs "$MIN_SECS" \
        --phone-regions "$REGIONS" --govai-findings "$OUT/govai-findings-$kind.jsonl" \
        --govai-stats "$OUT/govai-$kind.json" --json > "$OUT/compare-$kind.json"
    .venv/bin/python benches/presidio_scan.py --report "$OUT/compare-$kind.json"
done

if [ -n "$STREAM_MB" ]; then
    [ -x /usr/bin/time ] || { echo "bench-scan: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
    TMP="$(mktemp -d)"
    trap 'rm -rf "$TMP"' EXIT
    : > "$OUT/stream.tsv"
    for kind in dense sparse; do
        flag=""
        [ "$kind" = sparse ] && flag="--sparse"
        for mb in $STREAM_MB; do
            echo "== stream $kind ${mb} MiB through 'scan_bench stream' (generated lines, no repeats)"
            "$BIN/gen_corpus" lines --seed "$SEED" --mb "$mb" $flag --out "$TMP/in.txt"
            bytes=$(stat -c %s "$TMP/in.txt")
            /usr/bin/time -v -o "$TMP/time.txt" "$BIN/scan_bench" stream "$TMP/in.txt" > "$TMP/stream.json"
            wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$TMP/time.txt")
            secs=$(echo "$wall" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
            user=$(awk -F': ' '/User time/ {print $2}' "$TMP/time.txt")
            sys=$(awk -F': ' '/System time/ {print $2}' "$TMP/time.txt")
            cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u+s}')
            rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$TMP/time.txt")
            mbs=$(awk -v b="$bytes" -v s="$secs" 'BEGIN {printf "%.1f", b/1e6/s}')
            cmbs=$(awk -v b="$bytes" -v s="$cpu" 'BEGIN {printf "%.1f", b/1e6/s}')
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$mb" "$bytes" "$secs" "$cpu" "$mbs" "$cmbs" "$rss" \
                | tee -a "$OUT/stream.tsv"
            rm -f "$TMP/in.txt"
        done
    done
fi

echo
echo "================ summary ================"
for kind in dense sparse; do
    echo "-- $kind"
    .venv/bin/python benches/presidio_scan.py --report "$OUT/compare-$kind.json"
done
if [ -s "$OUT/stream.tsv" ]; then
    echo
    echo "scan_bench stream (release, 1 thread, every line classified, findings counted; MB/s by wall"
    echo "clock and by CPU time user+sys, the latter robust on a shared machine; peak RSS by /usr/bin/time)"
    printf '%7s %8s %12s %8s %8s %9s %9s %13s\n' "corpus" "MiB" "bytes" "wall s" "cpu s" "MB/s" "MB/s cpu" "peak RSS KiB"
    awk -F'\t' '{printf "%7s %8s %12s %8s %8s %9s %9s %13s\n", $1, $2, $3, $4, $5, $6, $7, $8}' "$OUT/stream.tsv"
fi
echo "(reports in $OUT)"
