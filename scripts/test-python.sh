#!/usr/bin/env bash
# The Python binding test: creates (or reuses) the project venv `.venv`, installs pinned
# maturin, pytest and mypy into it, builds the abi3 wheel of bindings/python with maturin,
# installs it, checks the hand-written stub `govai/_native.pyi` against the module with
# mypy.stubtest, and runs the pytest suite. Exits non-zero on any failure.
# Needs only Python >= 3.10 (with venv) and a Rust toolchain; honours PYTHON and CARGO_TARGET_DIR.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
venv="$root/.venv"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
export CARGO_TARGET_DIR="$target_dir"
wheels="$target_dir/wheels-govai-test"

# Pinned, all published on PyPI.
MATURIN_VERSION="1.16.0"
PYTEST_VERSION="9.2.0"
MYPY_VERSION="2.4.1"

step() { printf '\n== %s\n' "$*"; }

if [ ! -x "$venv/bin/python" ]; then
    step "creating $venv"
    "$python" -m venv "$venv"
fi
vpy="$venv/bin/python"

step "installing maturin $MATURIN_VERSION, pytest $PYTEST_VERSION, mypy $MYPY_VERSION into .venv"
"$vpy" -m pip install --quiet --disable-pip-version-check \
    "maturin==$MATURIN_VERSION" "pytest==$PYTEST_VERSION" "mypy==$MYPY_VERSION"

step "maturin build (bindings/python)"
rm -rf "$wheels"
"$venv/bin/maturin" build --manifest-path "$root/bindings/python/Cargo.toml" \
    --interpreter "$vpy" --out "$wheels"
wheel="$(ls "$wheels"/govai-*.whl)"
"$vpy" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel"

# Run from outside the source tree so `import govai` is the installed wheel.
cd "$root/bindings/python/tests"

step "mypy.stubtest govai (the .pyi matches the native module)"
"$vpy" -m mypy.stubtest govai --mypy-config-file "$root/bindings/python/pyproject.toml"

step "pytest bindings/python/tests"
"$vpy" -m pytest -c "$root/bindings/python/pyproject.toml" --rootdir "$root/bindings/python" "$root/bindings/python/tests"

printf '\nPython binding tests passed.\n'
