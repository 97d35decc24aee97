#!/usr/bin/env bash
# The C API test: builds libgovai (crate govai-c), checks that include/govai.h is up to date,
# generates govai.pc (pkg-config) for the build tree, then compiles and runs the C tests
# (C11, -Wall -Wextra -Wpedantic -Werror) and the C++ double-include test against it:
#   1. smoke.c and threads.c linked against libgovai.so, flags from `pkg-config govai`
#   2. stream.c (streaming generation + cancellation on the tiny ONNX LLM fixture), examples/demo.c
#      (the Rust demo's end-to-end job) and double_include.cc (g++), against libgovai.so
#   3. smoke.c and threads.c with -fsanitize=address,undefined, linked against libgovai.a
#      with `pkg-config --static` libraries
#   4. smoke.c and threads.c under valgrind (if installed; GOVAI_SKIP_VALGRIND=1 skips it)
# smoke.c covers every function and error path; threads.c shares one deployment between 8
# threads and verifies the audit log afterwards. pkg-config is installed with apt-get when
# missing (as root). Exits non-zero on any failure. Honours CARGO_TARGET_DIR, CC and CXX.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_dir="$target_dir/debug"
build="$root/bindings/c/tests/build"
tests="$root/bindings/c/tests"
cc="${CC:-gcc}"
cxx="${CXX:-g++}"

step "cargo build -p govai-c"
cargo build -p govai-c
for f in libgovai.so libgovai.a; do
    [ -f "$lib_dir/$f" ] || { echo "missing $lib_dir/$f" >&2; exit 1; }
done

step "include/govai.h is up to date (cargo test -p govai-c --test header)"
cargo test -q -p govai-c --test header

mkdir -p "$build"
export TMPDIR="${TMPDIR:-/tmp}"

step "govai.pc for the build tree (bindings/c/gen-pc.sh), checked with pkg-config"
if ! command -v pkg-config >/dev/null 2>&1; then
    apt_install pkg-config "pkg-config is missing: install it (Debian: apt-get install pkg-config)"
fi
pc_dir="$lib_dir/pkgconfig"
"$root/bindings/c/gen-pc.sh" "$pc_dir" "$root" "$lib_dir" "$root/include" >/dev/null
export PKG_CONFIG_PATH="$pc_dir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
pkg-config --exists --print-errors govai
[ "$(pkg-config --modversion govai)" = "$(sed -n 's/^#define GOVAI_VERSION_STRING "\(.*\)"$/\1/p' include/govai.h)" ]
read -r -a pc_cflags <<<"$(pkg-config --cflags govai)"
read -r -a pc_libs <<<"$(pkg-config --libs govai)"
# For the static library: everything of `--static --libs` except -L/-lgovai themselves.
read -r -a pc_static <<<"$(pkg-config --static --libs-only-l govai | sed 's/-lgovai\b//')"
echo "pkg-config --cflags --libs govai: ${pc_cflags[*]} ${pc_libs[*]}"
echo "pkg-config --static --libs-only-l govai (besides -lgovai): ${pc_static[*]}"
[ "${pc_cflags[*]}" = "-I$root/include" ] || { echo "unexpected Cflags" >&2; exit 1; }

cflags=(-std=c11 -Wall -Wextra -Wpedantic -Werror -g "${pc_cflags[@]}")

step "smoke.c against libgovai.so (flags from pkg-config)"
"$cc" "${cflags[@]}" "$tests/smoke.c" -o "$build/smoke" "${pc_libs[@]}" -Wl,-rpath,"$lib_dir" -pthread
"$build/smoke"

step "threads.c (8 threads, one deployment) against libgovai.so"
"$cc" "${cflags[@]}" "$tests/threads.c" -o "$build/threads" "${pc_libs[@]}" -Wl,-rpath,"$lib_dir" -pthread
"$build/threads"

step "documents.c: govai_deployment_check_documents_json against libgovai.so"
"$cc" "${cflags[@]}" "$tests/documents.c" -o "$build/documents" "${pc_libs[@]}" -Wl,-rpath,"$lib_dir"
"$build/documents"

step "stream.c: streaming generation and cancellation on the tiny ONNX LLM fixture"
"$cc" "${cflags[@]}" "$tests/stream.c" -o "$build/stream" "${pc_libs[@]}" -Wl,-rpath,"$lib_dir"
"$build/stream" "$root"

step "examples/demo.c: the demo messages end to end (as \`govai demo\`)"
"$cc" "${cflags[@]}" "$root/bindings/c/examples/demo.c" -o "$build/demo" "${pc_libs[@]}" -Wl,-rpath,"$lib_dir"
"$build/demo" "$root/crates/govai/data/demo_messages.jsonl"

step "double_include.cc (C++) against libgovai.so"
"$cxx" -std=c++17 -Wall -Wextra -Wpedantic -Werror "${pc_cflags[@]}" "$tests/double_include.cc" \
    -o "$build/double_include" "${pc_libs[@]}" -Wl,-rpath,"$lib_dir"
"$build/double_include"

step "smoke.c and threads.c with AddressSanitizer + UBSan against libgovai.a (+ Libs.private)"
for t in smoke threads; do
    "$cc" "${cflags[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
        "$tests/$t.c" -o "$build/$t-asan" "$lib_dir/libgovai.a" "${pc_static[@]}" -pthread
    ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}" \
        "$build/$t-asan"
done

if [ "${GOVAI_SKIP_VALGRIND:-0}" != 1 ] && command -v valgrind >/dev/null 2>&1; then
    step "smoke.c and threads.c under valgrind (no invalid accesses, no definite leaks)"
    for t in smoke threads; do
        valgrind --quiet --error-exitcode=1 --leak-check=full --show-leak-kinds=definite \
            --errors-for-leak-kinds=definite "$build/$t"
    done
else
    step "valgrind not installed (or GOVAI_SKIP_VALGRIND=1): skipped"
fi

printf '\nC API tests passed.\n'
