"""The per-process side of the Spark example: classify and mask a batch of texts with govai.

Spark ships this module to its Python workers (``SparkContext.addPyFile``) and imports it
there, so the functions below are pickled by reference and the module-level cache ``_WORKER``
lives once per Python worker process: govai is set up on the first batch a process sees and
reused for every later batch and task (Spark reuses its Python workers). Nothing is built per
row: each Arrow batch crosses into Rust twice (``scan_many``, ``mask_many``), with the GIL
released for the whole batch.

The single-process baseline in classify_mask.py calls the same ``classify_batch``.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Iterator

OPERATOR = os.environ.get("GOVAI_SPARK_OPERATOR", "mask")

_WORKER: "Worker | None" = None
_LOCK = threading.Lock()


class Worker:
    """govai in one process: the binding's built-in classifier (the rule-based one `govai scan`
    uses, built by the native module once per process on its first call) and a masking
    operator, checked once."""

    def __init__(self, operator: str) -> None:
        import govai  # imported in the worker, not pickled from the driver

        self.govai = govai
        self.operator = operator
        self.pid = os.getpid()
        # The first call builds the classifier (and rejects a bad operator) here, once.
        govai.mask_many(["身份证号11010519491231002X"], operator)
        # Optional record of each set-up (one line per process), for the test to count.
        log = os.environ.get("GOVAI_SPARK_SETUP_LOG")
        if log:
            with open(log, "a", encoding="utf-8") as f:
                f.write(f"{self.pid}\n")

    def classify(self, texts: list[str]) -> tuple[list[str], list[list[str]], list[str]]:
        """Data level, sorted distinct entity types and masked text of each text."""
        scanned = self.govai.scan_many(texts)
        masked = self.govai.mask_many(texts, self.operator)
        levels = [s["level"] for s in scanned]
        types = [sorted({f["type"] for f in s["findings"]}) for s in scanned]
        return levels, types, masked


def worker() -> Worker:
    """This process's worker, created on first use."""
    global _WORKER
    if _WORKER is None:
        with _LOCK:
            if _WORKER is None:
                _WORKER = Worker(OPERATOR)
    return _WORKER


def classify_batch(pdf: Any) -> Any:
    """A pandas DataFrame (id, text) -> (id, data_level, entity_types, masked_text)."""
    import pandas as pd

    texts = pdf["text"].tolist()
    levels, types, masked = worker().classify(texts)
    return pd.DataFrame({"id": pdf["id"].to_numpy(), "data_level": levels,
                         "entity_types": types, "masked_text": masked})


def classify_partition(batches: Iterator[Any]) -> Iterator[Any]:
    """The ``mapInPandas`` function: one output DataFrame per Arrow batch."""
    for pdf in batches:
        yield classify_batch(pdf)


# The output schema, as Spark DDL (mapInPandas) and as Arrow (the single-process writer).
SPARK_SCHEMA = "id long, data_level string, entity_types array<string>, masked_text string"


def arrow_schema() -> Any:
    import pyarrow as pa

    return pa.schema([("id", pa.int64()), ("data_level", pa.string()),
                      ("entity_types", pa.list_(pa.string())), ("masked_text", pa.string())])
