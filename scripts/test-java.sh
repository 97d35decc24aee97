#!/usr/bin/env bash
# The Java binding test: builds libgovai (crate govai-c), compiles the JNA wrapper
# bindings/java/src (package `govai`), the example and the test with javac, then runs
#   1. tests/GovaiTest.java: every public method, success and error paths;
#   2. examples/Example.java: the Rust demo's end-to-end job (the shipped citizen messages
#      through a deployment, then the audit log verified).
# against target/debug/libgovai.so (-Djna.library.path). Needs a JDK >= 17 and JNA (Debian
# package libjna-java, installed with apt-get when /usr/share/java/jna.jar is missing and we
# are root; or point JNA_JAR at a jna.jar). Exits non-zero on any failure. Honours
# CARGO_TARGET_DIR, JAVA_HOME and JNA_JAR.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_dir="$target_dir/debug"
classes="$target_dir/java/classes"
java_src="$root/bindings/java"
javac="${JAVA_HOME:+$JAVA_HOME/bin/}javac"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jna="${JNA_JAR:-/usr/share/java/jna.jar}"

if [ ! -f "$jna" ]; then
    step "installing JNA (Debian package libjna-java)"
    apt_install libjna-java "JNA missing: apt-get install libjna-java (as root), or set JNA_JAR"
fi

step "cargo build -p govai-c"
cargo build -p govai-c
[ -f "$lib_dir/libgovai.so" ] || { echo "missing $lib_dir/libgovai.so" >&2; exit 1; }

step "javac (release 17, -Xlint:all -Werror)"
rm -rf "$classes"
mkdir -p "$classes"
"$javac" --release 17 -Xlint:all -Werror -encoding UTF-8 -cp "$jna" -d "$classes" \
    "$java_src"/src/govai/*.java "$java_src"/examples/Example.java "$java_src"/tests/GovaiTest.java

run() { "$java" -ea -Dfile.encoding=UTF-8 -Dstdout.encoding=UTF-8 -cp "$classes:$jna" -Djna.library.path="$lib_dir" "$@"; }

step "GovaiTest"
run GovaiTest

step "Example (the demo messages end to end)"
run Example "$root/crates/govai/data/demo_messages.jsonl"

printf '\nJava binding tests passed.\n'
