#!/usr/bin/env bash
# The Python binding test: creates (or reuses) the project venv `.venv`, installs pinned
# maturin, pytest, mypy and the notebook tools (pandas<3, matplotlib, nbclient, ipykernel)
# into it, builds the abi3 wheel of bindings/python with maturin, installs it, checks the
# hand-written stub `govai/_native.pyi` against the module with mypy.stubtest, runs the pytest
# suite, and executes the example notebook examples/citizen_messages.ipynb with nbclient
# (failing on any cell error; the checked-in notebook must have no outputs).
# Exits non-zero on any failure. Needs only Python >= 3.10 (with venv) and a Rust toolchain;
# honours PYTHON and CARGO_TARGET_DIR.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
python="${PYTHON:-python3}"
venv="$root/.venv"
export CARGO_TARGET_DIR="$target_dir"
wheels="$target_dir/wheels-govai-test"

# Pinned, all published on PyPI.
MATURIN_VERSION="1.16.0"
PYTEST_VERSION="9.2.0"
MYPY_VERSION="2.4.1"
PANDAS_VERSION="2.3.3"       # pandas<3 (PySpark 4.3 does not support pandas 3 yet)
MATPLOTLIB_VERSION="3.11.2"
NBCLIENT_VERSION="0.11.0"
NBFORMAT_VERSION="5.11.1"
IPYKERNEL_VERSION="7.4.0"
NOTEBOOK_TIMEOUT="${GOVAI_NOTEBOOK_TIMEOUT:-300}"   # seconds per cell

if [ ! -x "$venv/bin/python" ]; then
    step "creating $venv"
    "$python" -m venv "$venv"
fi
vpy="$venv/bin/python"

step "installing maturin, pytest, mypy, pandas, matplotlib, nbclient, ipykernel (pinned) into .venv"
"$vpy" -m pip install --quiet --disable-pip-version-check \
    "maturin==$MATURIN_VERSION" "pytest==$PYTEST_VERSION" "mypy==$MYPY_VERSION" \
    "pandas==$PANDAS_VERSION" "matplotlib==$MATPLOTLIB_VERSION" "nbclient==$NBCLIENT_VERSION" \
    "nbformat==$NBFORMAT_VERSION" "ipykernel==$IPYKERNEL_VERSION"

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

step "examples/*.ipynb executed with nbclient (timeout ${NOTEBOOK_TIMEOUT}s per cell)"
MPLBACKEND=Agg "$vpy" - "$NOTEBOOK_TIMEOUT" "$root"/examples/*.ipynb <<'PY'
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient

timeout = int(sys.argv[1])
for name in sys.argv[2:]:
    path = pathlib.Path(name)
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    dirty = [i for i, c in enumerate(code) if c.get("outputs") or c.get("execution_count") is not None]
    if dirty:
        sys.exit(f"{path}: code cells {dirty} have outputs: strip them before committing")
    started = time.perf_counter()
    # Runs in the notebook's directory; raises CellExecutionError on the first failing cell.
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    if errors:
        sys.exit(f"{path}: {len(errors)} cell error(s)")
    print(f"{path.name}: {len(code)} code cells ran without error in {time.perf_counter() - started:.1f}s")
PY

printf '\nPython binding tests passed.\n'
