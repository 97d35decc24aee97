"""govai inside PySpark local mode (examples/spark/classify_mask.py), checked end to end.

Runs the example once (module fixture) on GOVAI_SPARK_TEST_ROWS generated rows (default
20,000) in Spark local[2] and in one process without Spark, then checks the Parquet output:
every row is there once, every planted resident ID, mobile number and bank card is gone from
the masked text and its type is reported, plain rows are public and unchanged, the Spark result
equals the single-process result row by row, and govai was set up at most once per process.

Run by scripts/test-spark.sh (which installs PySpark, pandas<3 and pyarrow into .venv and
builds the binding); needs a JDK 17+ on PATH.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "spark" / "classify_mask.py"
ROWS = int(os.environ.get("GOVAI_SPARK_TEST_ROWS", "20000"))
TIMEOUT = int(os.environ.get("GOVAI_SPARK_RUN_TIMEOUT", "600"))  # seconds for the example run


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("spark-example")
    summary = out / "summary.json"
    setups = out / "setups.log"
    env = dict(os.environ, GOVAI_SPARK_SETUP_LOG=str(setups))
    cmd = [sys.executable, str(EXAMPLE), "--rows", str(ROWS), "--compare", "--master", "local[2]",
           "--out", str(out), "--summary", str(summary)]
    proc = subprocess.run(cmd, env=env, cwd=out, capture_output=True, text=True, timeout=TIMEOUT)
    sys.stdout.write(proc.stdout)
    assert proc.returncode == 0, f"example failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr[-4000:]}"

    def load(name: str):
        return pq.read_table(out / name).to_pandas().sort_values("id").reset_index(drop=True)

    return {
        "input": load("input.parquet"),
        "spark": load("spark.parquet"),
        "single": load("single.parquet"),
        "summary": json.loads(summary.read_text(encoding="utf-8")),
        "setups": setups.read_text(encoding="utf-8").split() if setups.exists() else [],
    }


def test_every_row_once(run: dict) -> None:
    inp, spark = run["input"], run["spark"]
    assert len(inp) == ROWS
    assert len(spark) == ROWS
    assert spark["id"].is_unique
    assert spark["id"].tolist() == inp["id"].tolist()
    assert list(spark.columns) == ["id", "data_level", "entity_types", "masked_text"]


def test_planted_values_masked_and_typed(run: dict) -> None:
    inp, spark = run["input"], run["spark"]
    planted = 0
    misses: list[str] = []
    for row, out in zip(inp.itertuples(), spark.itertuples()):
        assert row.id == out.id
        types = set(out.entity_types)
        masked = out.masked_text.replace(" ", "")  # a card is planted grouped in some rows
        for ty, value in zip(row.planted_types, row.planted_values):
            planted += 1
            if value in masked or value in out.masked_text:
                misses.append(f"row {row.id}: {ty} {value} left in {out.masked_text!r}")
            if ty not in types:
                misses.append(f"row {row.id}: {ty} not reported for {row.text!r} (got {sorted(types)})")
        if len(row.planted_types):
            assert out.data_level != "public", f"row {row.id} with personal data is public: {row.text!r}"
    assert not misses, f"{len(misses)} of {planted} planted values missed:\n" + "\n".join(misses[:20])
    assert planted > ROWS // 2, "the generator planted too few values to test anything"


def test_plain_rows_public(run: dict) -> None:
    inp, spark = run["input"], run["spark"]
    plain = inp["planted_types"].map(len) == 0
    assert plain.sum() > ROWS // 5
    bad = spark[plain & (spark["data_level"] != "public")]
    assert bad.empty, f"{len(bad)} plain rows not public, e.g. {bad.head(5).to_dict('records')}"
    assert (spark.loc[plain, "masked_text"] == inp.loc[plain, "text"]).all()
    assert (spark.loc[plain, "entity_types"].map(len) == 0).all()


def test_spark_equals_single_process(run: dict) -> None:
    spark, single = run["spark"], run["single"]
    assert len(single) == len(spark)
    for a, b in zip(spark.itertuples(index=False), single.itertuples(index=False)):
        assert (a.id, a.data_level, list(a.entity_types), a.masked_text) == \
            (b.id, b.data_level, list(b.entity_types), b.masked_text)


def test_govai_set_up_once_per_process(run: dict) -> None:
    setups = run["setups"]
    # The Spark Python workers and the driver (single-process run) each set govai up once.
    assert setups, "no set-up recorded"
    assert len(setups) == len(set(setups)), f"a process set govai up twice: {setups}"
    assert len(setups) <= 1 + run["summary"]["spark"]["partitions"]


def test_figures(run: dict) -> None:
    s = run["summary"]
    assert s["rows"] == ROWS
    assert s["spark"]["rows_per_s"] > 0 and s["single"]["rows_per_s"] > 0
    print(f"\n{ROWS:,} rows: spark local[2] {s['spark']['rows_per_s']:,} rows/s, "
          f"single process {s['single']['rows_per_s']:,} rows/s ({s['speedup']}x)")
