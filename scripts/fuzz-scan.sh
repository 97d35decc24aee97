#!/usr/bin/env bash
# Fuzz the guard scanner for a bounded time: scripts/fuzz-scan.sh [SECONDS] (default 60).
#
# Target fuzz/fuzz_targets/scan.rs: any bytes -> lossy UTF-8 -> GuardClassifier::scan; no panic,
# offsets valid char offsets, finding text == char slice, operators and pseudonymise/restore
# round trip do not panic. Exit status is non-zero on a crash (reproducer in
# fuzz/artifacts/<target>/).
#
# FUZZ_TARGET=lines fuzzes fuzz/fuzz_targets/lines.rs instead: the bounded JSON Lines reader
# (govai_core::io::BoundedLines) against a reference split, e.g.
# `FUZZ_TARGET=lines scripts/fuzz-scan.sh 30`. FUZZ_TARGET=audit_verify fuzzes
# fuzz/fuzz_targets/audit_verify.rs: any bytes as an audit log through verify, open and append.
#
# cargo-fuzz needs nightly-only flags (-Zsanitizer); on a stable toolchain RUSTC_BOOTSTRAP=1
# enables them. cargo-fuzz is installed once into target/tools (gitignored).
# Env: FUZZ_JOBS (parallel fuzzing jobs, default 1), FUZZ_SANITIZER (address|none, default address),
#      CARGO_TARGET_DIR (default fuzz/target).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SECS="${1:-60}"
JOBS="${FUZZ_JOBS:-1}"
SAN="${FUZZ_SANITIZER:-address}"
FT="${FUZZ_TARGET:-scan}"
case "$FT" in scan|lines|audit_verify) ;; *) echo "FUZZ_TARGET must be scan, lines or audit_verify" >&2; exit 2;; esac
TOOLS="$ROOT/target/tools"
export PATH="$TOOLS/bin:$PATH"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "== installing cargo-fuzz into $TOOLS"
    cargo install cargo-fuzz --locked --version 0.13.2 --root "$TOOLS"
fi
export RUSTC_BOOTSTRAP=1
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/fuzz/target}/fuzz"
cd "$ROOT/fuzz"
CORPUS="$ROOT/fuzz/corpus/$FT"
mkdir -p "$CORPUS" "$ROOT/fuzz/artifacts/$FT"
# Seeds: the shapes the recognizers look for (the fuzzer mutates from there).
seed() { printf '%s' "$2" > "$CORPUS/seed-$1"; }
if [ "$FT" = lines ] && [ -z "$(ls -A "$CORPUS")" ]; then
    # Byte 1: the line limit (mod 64), byte 2: the reader's buffer size; then the lines.
    seed crlf $'\x08\x03{"answer":"x"}\r\nok\n\n'
    seed long $'\x04\x02abcdefgh\nabc\r\nabcd'
    seed utf8 $'\x10\x05\xff\xfe\n\xe4\xb8\n\xe4\xb8\xad\n'
fi
if [ "$FT" = scan ] && [ -z "$(ls -A "$CORPUS")" ]; then
    seed id '身份证号11010519491231002X，手机+86 138-0013-8000，卡号6222 6002 6000 1072 444。'
    seed uscc '统一社会信用代码91350100M000100Y43，组织机构代码M000100Y-4，HKID A123456(3)。'
    seed fw '身份证：１１０１０５１９４９１２３１００２Ｘ　号，电话（０１０）１２３４－５６７８转１２３'
    seed mail 'mail: li[at]gov[dot]cn, zhang.san@example.com, IP 192.168.1.10, fe80::1%eth0 '
    seed plate '车牌粤B·D12345，护照E12345678，通行证CA0000001，回乡证H1234567801，P.1234567'
    seed addr '联系人王先生，住址广东省深圳市南山区科技园路100号，患有糖尿病，年龄9岁。'
    seed secret $'机密★一年\n关于\n  绝密\n密级:秘密，保护商业秘密★'
    seed zw $'a\u200bb⑴c—d 13800138000\u200b1 ６２２２６００２６０００１０７２４４４'
fi
echo "== building the fuzz target (sanitizer: $SAN)"
cargo fuzz build --release --sanitizer "$SAN" --target-dir "$TARGET_DIR" "$FT"
echo "== fuzzing for ${SECS}s with $JOBS job(s)"
LOG="$ROOT/fuzz/artifacts/$FT/last-run.log"
PAR=()
if [ "$JOBS" -gt 1 ]; then PAR=(-jobs="$JOBS" -workers="$JOBS"); fi
rm -f fuzz-*.log
set +e
cargo fuzz run --release --sanitizer "$SAN" --target-dir "$TARGET_DIR" "$FT" "$CORPUS" -- \
    -max_total_time="$SECS" -max_len=4096 -timeout=10 -rss_limit_mb=2048 "${PAR[@]}" \
    -print_final_stats=1 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}
set -e
if [ "$JOBS" -gt 1 ]; then
    # With -jobs, each worker writes fuzz-N.log: the executions are summed over those.
    cat fuzz-*.log > "$LOG.workers" 2>/dev/null || true
    rm -f fuzz-*.log
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$LOG.workers" | awk '{s+=$2} END {print s+0}')
    grep -q 'SUMMARY: \|panicked at\|deadly signal' "$LOG.workers" && rc=1
else
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$LOG" | awk '{s+=$2} END {print s+0}')
fi
echo "== executions: $execs, exit status $rc"
if [ "$rc" -ne 0 ] || grep -q 'SUMMARY: \|panicked at\|deadly signal' "$LOG"; then
    echo "== CRASH: see $LOG and $ROOT/fuzz/artifacts/$FT/" >&2
    exit 1
fi
echo "== no crash"
