#!/usr/bin/env bash
# The Spark test: govai inside PySpark local mode through the Python binding
# (examples/spark/classify_mask.py, checked by tests/spark/test_spark.py).
#
# 1. A JDK 17+ for PySpark 4 (`java -version`); when missing, Debian's headless JRE 17 (21 where
#    17 is not packaged) is installed with apt-get.
# 2. The binding: scripts/test-python.sh creates the project venv .venv, builds the wheel with
#    maturin, installs it and runs the binding's own tests. With GOVAI_SPARK_REUSE_WHEEL=1 (set
#    by `make`, which has just run python-test) the wheel already in .venv is used as it is.
# 3. Pinned pyspark, pandas<3 and pyarrow from PyPI into .venv.
# 4. pytest tests/spark under `timeout` (GOVAI_SPARK_TIMEOUT seconds, default 900): the example
#    on GOVAI_SPARK_TEST_ROWS generated rows (default 20,000) in local[2] and in one process.
# Spark stays on loopback (driver on 127.0.0.1, UI off); nothing is fetched but the installs.
# Honours PYTHON and CARGO_TARGET_DIR (through test-python.sh).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
venv="$root/.venv"
vpy="$venv/bin/python"

# Pinned, all published on PyPI.
PYSPARK_VERSION="4.3.0"
PANDAS_VERSION="2.3.3"       # pandas<3: PySpark 4.3 does not support pandas 3 yet
PYARROW_VERSION="26.0.1"
TIMEOUT="${GOVAI_SPARK_TIMEOUT:-900}"

java_major() {
    java -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

step "Java 17+ for PySpark ${PYSPARK_VERSION}"
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ]; then
    hint="PySpark needs a Java 17+ runtime: install one (Debian: apt-get install openjdk-17-jre-headless)"
    apt_install openjdk-17-jre-headless "$hint" 2>/dev/null || apt_install openjdk-21-jre-headless "$hint"
fi
java -version 2>&1 | head -1

if [ "${GOVAI_SPARK_REUSE_WHEEL:-0}" = 1 ] && [ -x "$vpy" ] && "$vpy" -c "import govai" 2>/dev/null; then
    step "using the govai wheel installed in .venv (GOVAI_SPARK_REUSE_WHEEL=1)"
else
    step "the Python binding: scripts/test-python.sh (venv, maturin build, install, its tests)"
    "$root/scripts/test-python.sh"
fi

step "installing pyspark, pandas<3, pyarrow (pinned) into .venv"
"$vpy" -m pip install --quiet --disable-pip-version-check \
    "pyspark==$PYSPARK_VERSION" "pandas==$PANDAS_VERSION" "pyarrow==$PYARROW_VERSION"
"$vpy" -c "import govai, pyspark, pandas, pyarrow; print('govai', govai.__version__, '| pyspark', pyspark.__version__, '| pandas', pandas.__version__, '| pyarrow', pyarrow.__version__)"

step "pytest tests/spark (timeout ${TIMEOUT}s)"
export PYSPARK_PYTHON="$vpy" PYSPARK_DRIVER_PYTHON="$vpy" SPARK_LOCAL_IP=127.0.0.1
timeout --kill-after=30 "$TIMEOUT" "$vpy" -m pytest -q -s -p no:cacheprovider \
    --rootdir "$root/tests/spark" "$root/tests/spark"

printf '\nSpark tests passed.\n'
