#!/usr/bin/env python3
"""Classify and mask a table of citizen messages with govai inside PySpark (local mode).

    .venv/bin/python examples/spark/classify_mask.py                  # 200,000 rows, local[2]
    .venv/bin/python examples/spark/classify_mask.py --compare        # + one process, no Spark

1. Generates a seeded table of citizen messages (citizen_table.py: resident IDs with valid
   check digits, mobile numbers, UnionPay card numbers, addresses, and plain questions) into
   OUT/input.parquet.
2. Spark: reads it, spreads it over --partitions partitions and runs govai in the Python
   workers with ``mapInPandas`` (Arrow batches of --batch rows; govai set up once per worker
   process, govai_worker.py), writing OUT/spark.parquet with the columns
   (id, data_level, entity_types, masked_text).
3. With --compare (or --mode single): the same rows through the binding in this one process,
   no Spark, the same batches, into OUT/single.parquet.

Prints rows/s of each run (read, classify, mask and write Parquet; the Spark session start is
timed separately; --repeat N runs the Spark job N times in one session, the first cold, the
others warm) and, with --summary, writes them as JSON. Everything stays on this machine:
the driver binds to 127.0.0.1 and the Spark UI is off.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import citizen_table  # noqa: E402
import govai_worker  # noqa: E402


def write_input(path: pathlib.Path, rows: int, seed: int, batch: int) -> float:
    import pyarrow.parquet as pq

    started = time.perf_counter()
    table = citizen_table.to_arrow(citizen_table.generate(rows, seed))
    pq.write_table(table, path, row_group_size=batch)
    return time.perf_counter() - started


def run_spark(inp: pathlib.Path, out: pathlib.Path, master: str, partitions: int, batch: int,
              repeat: int = 1) -> dict:
    # Executors start the interpreter named here; without it they run the system python3,
    # which has neither govai nor pyarrow.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    started = time.perf_counter()
    spark = (
        SparkSession.builder.master(master)
        .appName("govai-classify-mask")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", os.environ.get("GOVAI_SPARK_DRIVER_MEMORY", "2g"))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch))
        .config("spark.sql.shuffle.partitions", str(partitions))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.addPyFile(str(HERE / "govai_worker.py"))
    session_s = time.perf_counter() - started

    # The first job is cold (JIT, Python workers started, govai set up in each); --repeat runs
    # the same job again in the same session (warm: the workers and their govai are reused).
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        (
            spark.read.parquet(str(inp))
            .select("id", "text")
            .repartition(partitions)
            .mapInPandas(govai_worker.classify_partition, govai_worker.SPARK_SCHEMA)
            .write.mode("overwrite")
            .parquet(str(out))
        )
        runs.append(round(time.perf_counter() - started, 2))
    parallelism = spark.sparkContext.defaultParallelism
    spark.stop()
    return {"session_start_s": round(session_s, 2), "job_s": runs[0], "runs_s": runs,
            "master": master, "partitions": partitions, "parallelism": parallelism}


def run_single(inp: pathlib.Path, out: pathlib.Path, batch: int) -> dict:
    import pyarrow as pa
    import pyarrow.parquet as pq

    started = time.perf_counter()
    schema = govai_worker.arrow_schema()
    with pq.ParquetWriter(out, schema) as writer:
        for rb in pq.ParquetFile(inp).iter_batches(batch_size=batch, columns=["id", "text"]):
            result = govai_worker.classify_batch(rb.to_pandas())
            writer.write_table(pa.Table.from_pandas(result, schema=schema, preserve_index=False))
    return {"job_s": round(time.perf_counter() - started, 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partitions", type=int, default=8, help="Spark partitions (tasks) of the table")
    ap.add_argument("--batch", type=int, default=5_000, help="rows per Arrow batch (both runs)")
    ap.add_argument("--out", type=pathlib.Path, default=pathlib.Path("target/spark-example"))
    ap.add_argument("--mode", choices=["spark", "single", "both"], default="spark")
    ap.add_argument("--compare", action="store_true", help="same as --mode both")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run the Spark job this many times in one session (the first is cold)")
    ap.add_argument("--summary", type=pathlib.Path, help="write the figures as JSON here")
    args = ap.parse_args()
    mode = "both" if args.compare else args.mode

    args.out.mkdir(parents=True, exist_ok=True)
    inp = args.out / "input.parquet"
    gen_s = write_input(inp, args.rows, args.seed, args.batch)
    print(f"generated {args.rows:,} rows (seed {args.seed}) into {inp} in {gen_s:.1f}s", flush=True)
    summary: dict = {"rows": args.rows, "seed": args.seed, "batch": args.batch,
                     "cpus": os.cpu_count(), "generate_s": round(gen_s, 2)}

    if mode in ("spark", "both"):
        s = run_spark(inp, args.out / "spark.parquet", args.master, args.partitions, args.batch,
                      max(1, args.repeat))
        s["rows_per_s"] = round(args.rows / s["job_s"])
        summary["spark"] = s
        print(f"spark {args.master}: {args.rows:,} rows in {s['job_s']:.1f}s = {s['rows_per_s']:,} rows/s "
              f"({s['partitions']} partitions; session start {s['session_start_s']:.1f}s not included)",
              flush=True)
        if len(s["runs_s"]) > 1:
            s["warm_rows_per_s"] = round(args.rows / min(s["runs_s"][1:]))
            print(f"spark {args.master}, warm (best of runs 2..{len(s['runs_s'])} in the same session): "
                  f"{s['warm_rows_per_s']:,} rows/s; all runs {s['runs_s']} s", flush=True)
    if mode in ("single", "both"):
        s = run_single(inp, args.out / "single.parquet", args.batch)
        s["rows_per_s"] = round(args.rows / s["job_s"])
        summary["single"] = s
        print(f"single process (no Spark): {args.rows:,} rows in {s['job_s']:.1f}s = {s['rows_per_s']:,} rows/s",
              flush=True)
    if mode == "both":
        summary["speedup"] = round(summary["spark"]["rows_per_s"] / summary["single"]["rows_per_s"], 2)
        print(f"spark {args.master} / single process: {summary['speedup']}x", end="")
        if "warm_rows_per_s" in summary["spark"]:
            summary["warm_speedup"] = round(summary["spark"]["warm_rows_per_s"] / summary["single"]["rows_per_s"], 2)
            print(f" (warm: {summary['warm_speedup']}x)", end="")
        print()
    if args.summary:
        args.summary.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
