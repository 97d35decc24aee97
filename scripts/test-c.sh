#!/usr/bin/env bash
# The C API test: builds libgovai (crate govai-c), checks that include/govai.h is up to date,
# then compiles and runs bindings/c/tests/smoke.c (C11, -Wall -Wextra -Wpedantic -Werror)
# and the C++ double-include test against it:
#   1. smoke.c linked against libgovai.so
#   2. double_include.cc (g++) linked against libgovai.so
#   3. smoke.c with -fsanitize=address,undefined, linked against libgovai.a
#   4. smoke.c under valgrind (if installed; GOVAI_SKIP_VALGRIND=1 skips it)
# Exits non-zero on any failure. Honours CARGO_TARGET_DIR, CC and CXX.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
lib_dir="$target_dir/debug"
build="$root/bindings/c/tests/build"
tests="$root/bindings/c/tests"
cc="${CC:-gcc}"
cxx="${CXX:-g++}"
# What rustc reports for a staticlib on linux-gnu (`--print native-static-libs`).
static_libs=(-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc)
cflags=(-std=c11 -Wall -Wextra -Wpedantic -Werror -g -I "$root/include")

step() { printf '\n== %s\n' "$*"; }

step "cargo build -p govai-c"
cargo build -p govai-c
for f in libgovai.so libgovai.a; do
    [ -f "$lib_dir/$f" ] || { echo "missing $lib_dir/$f" >&2; exit 1; }
done

step "include/govai.h is up to date (cargo test -p govai-c --test header)"
cargo test -q -p govai-c --test header

mkdir -p "$build"
export TMPDIR="${TMPDIR:-/tmp}"

step "smoke.c against libgovai.so"
"$cc" "${cflags[@]}" "$tests/smoke.c" -o "$build/smoke" -L "$lib_dir" -Wl,-rpath,"$lib_dir" -lgovai -pthread
"$build/smoke"

step "double_include.cc (C++) against libgovai.so"
"$cxx" -std=c++17 -Wall -Wextra -Wpedantic -Werror -I "$root/include" "$tests/double_include.cc" \
    -o "$build/double_include" -L "$lib_dir" -Wl,-rpath,"$lib_dir" -lgovai
"$build/double_include"

step "smoke.c with AddressSanitizer + UBSan against libgovai.a"
"$cc" "${cflags[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
    "$tests/smoke.c" -o "$build/smoke-asan" "$lib_dir/libgovai.a" "${static_libs[@]}" -pthread
ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}" \
    "$build/smoke-asan"

if [ "${GOVAI_SKIP_VALGRIND:-0}" != 1 ] && command -v valgrind >/dev/null 2>&1; then
    step "smoke.c under valgrind (no invalid accesses, no definite leaks)"
    valgrind --quiet --error-exitcode=1 --leak-check=full --show-leak-kinds=definite \
        --errors-for-leak-kinds=definite "$build/smoke"
else
    step "valgrind not installed (or GOVAI_SKIP_VALGRIND=1): skipped"
fi

printf '\nC API tests passed.\n'
