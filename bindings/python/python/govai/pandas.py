"""Batch API for pandas: scan or mask a column of texts.

pandas is an optional dependency, imported only when this module is (``import govai`` never
imports it)::

    import govai.pandas
    table = govai.pandas.scan_column(df["message"])   # level, findings, types
    df["masked"] = govai.pandas.mask_column(df["message"], "mask")

Each call crosses into Rust once for the whole column (``govai._native.scan_many`` /
``mask_many``) and releases the GIL for the whole batch, so other Python threads keep running
and several threads can scan columns in parallel.

Missing values (None, NaN, ``pd.NA``) stay missing: no level, no findings, no masked text.
"""

from __future__ import annotations

from typing import Any

from govai import _native
from govai.results import LEVELS

__all__ = ["LEVELS", "level_dtype", "scan_column", "mask_column"]


def _pd() -> Any:
    try:
        import pandas as pd
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("govai.pandas needs pandas: pip install pandas") from e
    return pd


def level_dtype() -> Any:
    """The ordered categorical dtype of data levels: public < internal < ... < secret."""
    return _pd().CategoricalDtype(categories=list(LEVELS), ordered=True)


# Annotations say Any: pandas is optional and not imported at type-checking time either.


def _texts(series: Any) -> tuple[list[int], list[str]]:
    """Positions and values of the non-missing entries; anything but str is a TypeError."""
    pd = _pd()
    positions: list[int] = []
    texts: list[str] = []
    for i, v in enumerate(series.tolist()):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            continue
        if not isinstance(v, str):
            raise TypeError(f"row {series.index[i]!r}: expected str, got {type(v).__name__}")
        positions.append(i)
        texts.append(v)
    return positions, texts


def scan_column(series: Any) -> Any:
    """Scan every text of ``series`` (a ``pandas.Series`` of str, or any sequence); returns a
    ``pandas.DataFrame`` with the same index and columns

    - ``level``: the data level, an ordered ``Categorical`` of the six levels in order (so
      ``df[df.level >= "sensitive"]``, sorting and ``value_counts(sort=False)`` follow it);
    - ``findings``: the number of findings (nullable ``Int64``);
    - ``types``: the distinct entity types found, a sorted list of str.

    Missing texts give a missing level and findings and an empty list of types.
    """
    pd = _pd()
    if not isinstance(series, pd.Series):
        series = pd.Series(series)
    positions, texts = _texts(series)
    results = _native.scan_many(texts)
    n = len(series)
    levels: list[str | None] = [None] * n
    counts: list[int | None] = [None] * n
    types: list[list[str]] = [[] for _ in range(n)]
    for i, r in zip(positions, results):
        levels[i] = r["level"]
        counts[i] = len(r["findings"])
        types[i] = sorted({f["type"] for f in r["findings"]})
    return pd.DataFrame(
        {
            "level": pd.Series(pd.Categorical(levels, dtype=level_dtype()), index=series.index),
            "findings": pd.Series(counts, index=series.index, dtype="Int64"),
            "types": pd.Series(types, index=series.index, dtype=object),
        },
        index=series.index,
    )


def mask_column(series: Any, operator: str = "mask") -> Any:
    """De-identify every text of ``series`` with ``operator`` (see :func:`govai.mask`).

    Returns a ``pandas.Series`` with the same index and name; missing texts stay missing. A bad operator
    raises :class:`govai.InvalidInputError` before any row is processed.
    """
    pd = _pd()
    if not isinstance(series, pd.Series):
        series = pd.Series(series)
    positions, texts = _texts(series)
    masked = _native.mask_many(texts, operator)
    out: list[str | None] = [None] * len(series)
    for i, m in zip(positions, masked):
        out[i] = m
    return pd.Series(out, index=series.index, name=series.name, dtype=object)
