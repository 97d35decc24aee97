#!/usr/bin/env bash
# Generate govai.pc (pkg-config) from bindings/c/govai.pc.in.
#
#   bindings/c/gen-pc.sh OUT_DIR [PREFIX [LIBDIR [INCLUDEDIR]]]
#
# Defaults: PREFIX = the repository root, LIBDIR = $CARGO_TARGET_DIR/release (or
# target/release), INCLUDEDIR = PREFIX/include. For an installed library, e.g.
#   bindings/c/gen-pc.sh /usr/local/lib/pkgconfig /usr/local /usr/local/lib /usr/local/include
# and for the build tree
#   bindings/c/gen-pc.sh target/debug/pkgconfig "$PWD" "$PWD/target/debug"
# then: PKG_CONFIG_PATH=target/debug/pkgconfig pkg-config --cflags --libs govai
# The version is GOVAI_VERSION_STRING of include/govai.h. Prints the path written.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
[ $# -ge 1 ] || { sed -n '2,13p' "${BASH_SOURCE[0]}" >&2; exit 2; }
out_dir="$1"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
prefix="${2:-$root}"
libdir="${3:-$target_dir/release}"
includedir="${4:-$prefix/include}"
version="$(sed -n 's/^#define GOVAI_VERSION_STRING "\(.*\)"$/\1/p' "$root/include/govai.h")"
[ -n "$version" ] || { echo "no GOVAI_VERSION_STRING in include/govai.h" >&2; exit 1; }
for v in "$prefix" "$libdir" "$includedir"; do
    case "$v" in
        /*) ;;
        *) echo "paths must be absolute: $v" >&2; exit 2 ;;
    esac
    case "$v" in *[[:space:]]*) echo "paths must not contain whitespace: $v" >&2; exit 2 ;; esac
done

mkdir -p "$out_dir"
# '|' cannot appear in the paths sed substitutes (checked above: absolute, no whitespace).
case "$prefix$libdir$includedir" in *'|'*) echo "paths must not contain '|'" >&2; exit 2 ;; esac
sed -e "s|@PREFIX@|$prefix|g" -e "s|@LIBDIR@|$libdir|g" -e "s|@INCLUDEDIR@|$includedir|g" \
    -e "s|@VERSION@|$version|g" "$here/govai.pc.in" >"$out_dir/govai.pc"
echo "$out_dir/govai.pc"
