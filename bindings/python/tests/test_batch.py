"""Tests of mask, the batch functions, the dataclass results and the pandas API."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from typing import TYPE_CHECKING

import pytest

import govai

if TYPE_CHECKING:
    from conftest import ReleasesGil

ID_NUMBER = "11010519491231002X"
TEXT = f"手机13800138000，身份证{ID_NUMBER}。"


# --- mask ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("mask", "手机138****8000，身份证110***********002X。"),
        ("mask:0:4", "手机*******8000，身份证**************002X。"),
        ("mask:3:4:#", "手机138####8000，身份证110###########002X。"),
        ("MASK", "手机138****8000，身份证110***********002X。"),
        ("replace", "手机<cn_mobile>，身份证<cn_resident_id>。"),
        ("redact", "手机，身份证。"),
    ],
)
def test_mask_operators(operator: str, expected: str) -> None:
    assert govai.mask(TEXT, operator) == expected


def test_mask_default_and_keyword() -> None:
    assert govai.mask(TEXT) == govai.mask(TEXT, "mask") == govai.mask(TEXT, operator="mask")
    assert govai.mask("没有敏感信息") == "没有敏感信息"
    assert govai.mask("") == ""


def test_mask_hash_is_keyed_and_deterministic() -> None:
    a = govai.mask("手机13800138000", "hash:6b6579")
    assert a == govai.mask("手机13800138000", "hash:" + b"key".hex())
    assert a.startswith("手机") and len(a) == 2 + 64
    assert a != govai.mask("手机13800138000", "hash:6b6578")


def test_mask_pseudonymize() -> None:
    out = govai.mask(TEXT, "pseudonymize")
    assert ID_NUMBER not in out and "13800138000" not in out
    assert "〔" in out


@pytest.mark.parametrize(
    ("operator", "needle"),
    [
        ("blur", "unknown operator"),
        ("mask:3", "keep_first:keep_last"),
        ("mask:a:b", "not a number"),
        ("mask:1:1:ab", "one character"),
        ("hash", "needs a key"),
        ("hash:xyz", "not hex"),
        ("hash:", "empty"),
        ("hash: ", "empty"),
        ("replace:1", "unknown operator"),
    ],
)
def test_mask_bad_operator_raises_invalid_input(operator: str, needle: str) -> None:
    with pytest.raises(govai.InvalidInputError, match=needle) as info:
        govai.mask(TEXT, operator)
    assert isinstance(info.value, ValueError) and info.value.kind == "invalid_input"
    with pytest.raises(govai.InvalidInputError):
        govai.mask_many([TEXT], operator)


def test_mask_type_errors() -> None:
    with pytest.raises(TypeError):
        govai.mask(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        govai.mask(TEXT, 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        govai.mask_many([TEXT, 3])  # type: ignore[list-item]


# --- batches and dataclasses --------------------------------------------------------------


def test_scan_many_equals_scan() -> None:
    texts = [TEXT, "", "社保卡丢了怎么补办？", "机密★1年\n内部安排"]
    assert govai.scan_many(texts) == [govai.scan(t) for t in texts]
    assert govai.scan_many([]) == []
    assert govai.mask_many(texts, "replace") == [govai.mask(t, "replace") for t in texts]
    with pytest.raises(TypeError):
        govai.scan_many("not a list")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        govai.scan_many([None])  # type: ignore[list-item]


def test_scan_result_dataclasses() -> None:
    r = govai.scan_result(TEXT)
    assert isinstance(r, govai.ScanResult)
    assert r.level in govai.LEVELS and r.rank == govai.LEVELS.index(r.level) > 0
    assert r.level_zh == govai.LEVELS_ZH[r.level]
    assert r.types == ["cn_mobile", "cn_resident_id"]
    f = next(f for f in r.findings if f.type == "cn_resident_id")
    assert isinstance(f, govai.Finding)
    assert TEXT[f.start : f.end] == f.text == ID_NUMBER
    assert f.checksum is True and 0 < f.score <= 1
    assert r.to_dict() == govai.scan(TEXT)
    assert govai.ScanResult.from_dict(r.to_dict()) == r
    with pytest.raises(AttributeError):
        r.level = "public"  # type: ignore[misc]
    empty = govai.scan_result("")
    assert empty.level == "public" and empty.findings == () and empty.types == []
    assert govai.scan_result("机密★1年\n内部安排").level == "secret"


def test_levels_are_ordered() -> None:
    assert govai.LEVELS == ("public", "internal", "sensitive", "important", "core", "secret")
    assert list(govai.LEVELS_ZH.values()) == ["公开", "内部", "敏感", "重要", "核心", "涉密"]


# --- parallel scanning --------------------------------------------------------------------


def test_two_threads_scan_in_parallel() -> None:
    """Two Python threads scanning at the same time really overlap inside the native code.

    Thread A scans one big batch; thread B keeps scanning small batches meanwhile. Every
    ``scan_many`` call holds the GIL only to convert its arguments and results, so B completes
    many whole calls while A's call is running. If the GIL were held during the scan, B could
    complete a call inside A's interval only in the few bytecodes before A enters the native
    code (one switch interval, 5 ms, i.e. at most a couple of B's calls of >= 5 ms each).
    The check counts calls, not CPU time, so it holds on a loaded machine too.
    """
    small = [f"市民来电：身份证号{ID_NUMBER}，手机13800138000，反映小区路灯不亮。第{i}条。" for i in range(40)]
    govai.scan_many(small)  # the classifier is built outside the measurement
    started = time.perf_counter()
    govai.scan_many(small)
    one_small = time.perf_counter() - started
    # Grow B's batch to >= 5 ms per call (a switch interval), A's to >= 60 of B's calls.
    small = small * max(1, int(0.005 / max(one_small, 1e-6)) + 1)
    started = time.perf_counter()
    govai.scan_many(small)
    one_small = time.perf_counter() - started
    big = small * 60

    a_span: list[float] = []
    b_calls: list[tuple[float, float]] = []
    a_done = threading.Event()
    b_running = threading.Event()

    def thread_a() -> None:
        b_running.wait()
        t0 = time.perf_counter()
        govai.scan_many(big)
        a_span.extend((t0, time.perf_counter()))
        a_done.set()

    def thread_b() -> None:
        while not a_done.is_set():
            t0 = time.perf_counter()
            govai.scan_many(small)
            b_calls.append((t0, time.perf_counter()))
            b_running.set()

    threads = [threading.Thread(target=thread_b), threading.Thread(target=thread_a)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert len(a_span) == 2, "thread A did not finish"
    a0, a1 = a_span
    inside = [(s, e) for s, e in b_calls if s >= a0 and e <= a1]
    assert len(inside) >= 10, (
        f"only {len(inside)} of thread B's scans ({one_small * 1000:.1f} ms each) ran while thread A's scan "
        f"({a1 - a0:.2f} s) was running: the GIL is held during scanning?"
    )


def test_batch_releases_the_gil(assert_releases_gil: ReleasesGil) -> None:
    """While one thread scans a batch, another Python thread keeps running."""
    batch = [f"身份证号{ID_NUMBER}，手机13800138000。" * 20] * 3000
    assert_releases_gil(lambda: govai.mask_many(batch), "batch")


# --- pandas -------------------------------------------------------------------------------


def test_import_govai_does_not_import_pandas() -> None:
    code = "import sys, govai; assert 'pandas' not in sys.modules, 'pandas imported'; print('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_scan_column() -> None:
    pd = pytest.importorskip("pandas")
    import govai.pandas as gp

    s = pd.Series(
        [TEXT, "社保卡丢了怎么补办？", None, "机密★1年\n内部安排", float("nan"), ""],
        index=[10, 11, 12, 13, 14, 15],
        name="message",
    )
    df = gp.scan_column(s)
    assert list(df.columns) == ["level", "findings", "types"]
    assert list(df.index) == [10, 11, 12, 13, 14, 15]
    assert isinstance(df["level"].dtype, pd.CategoricalDtype)
    assert df["level"].cat.ordered
    assert list(df["level"].cat.categories) == list(govai.LEVELS)
    assert df.loc[11, "level"] == "public" and df.loc[13, "level"] == "secret"
    assert df.loc[10, "level"] == govai.scan(TEXT)["level"]
    assert pd.isna(df.loc[12, "level"]) and pd.isna(df.loc[14, "level"])
    assert df["level"].max() == "secret"
    assert list(df[df["level"] >= "sensitive"].index) == [10, 13]
    assert str(df["findings"].dtype) == "Int64"
    assert df.loc[10, "findings"] == 2 and df.loc[11, "findings"] == 0 and pd.isna(df.loc[12, "findings"])
    assert df.loc[10, "types"] == ["cn_mobile", "cn_resident_id"] and df.loc[12, "types"] == []
    counts = df["level"].value_counts(sort=False)
    assert list(counts.index) == list(govai.LEVELS)
    assert int(counts.sum()) == 4
    # Via the lazy attribute, and from a plain list.
    assert govai.pandas.scan_column([TEXT])["findings"].tolist() == [2]
    assert gp.scan_column(pd.Series([], dtype=object)).shape == (0, 3)


def test_mask_column() -> None:
    pd = pytest.importorskip("pandas")
    import govai.pandas as gp

    s = pd.Series([TEXT, None, "你好"], index=["a", "b", "c"], name="message")
    out = gp.mask_column(s, "replace")
    assert out.name == "message" and list(out.index) == ["a", "b", "c"]
    assert out["a"] == "手机<cn_mobile>，身份证<cn_resident_id>。"
    assert out["b"] is None and out["c"] == "你好"
    assert gp.mask_column(s)["a"] == govai.mask(TEXT)
    with pytest.raises(govai.InvalidInputError):
        gp.mask_column(s, "blur")


def test_pandas_type_errors() -> None:
    pd = pytest.importorskip("pandas")
    import govai.pandas as gp

    with pytest.raises(TypeError, match="row 1"):
        gp.scan_column(pd.Series(["ok", 42]))
    with pytest.raises(TypeError, match="expected str"):
        gp.mask_column(pd.Series([b"bytes"]))
    dtype = gp.level_dtype()
    assert dtype.ordered and list(dtype.categories) == list(govai.LEVELS)


# --- review -------------------------------------------------------------------------------

SOURCE = {"title": "社保卡挂失与补办", "text": "补办时本人携带居民身份证到任一社保卡合作银行网点申请。"}


def test_review_pass_and_findings() -> None:
    good = govai.review(
        "intelligent_qa",
        "补办社保卡请本人携带居民身份证到社保卡合作银行网点申请[1]。",
        request="社保卡丢了怎么补办？",
        sources=[SOURCE],
    )
    assert good == {"verdict": "pass", "findings": good["findings"]}
    assert good["verdict"] == "pass"
    bad = govai.review("intelligent_qa", f"王建国（身份证号{ID_NUMBER}）可以提取公积金[3]。", request="公积金怎么提取？")
    assert bad["verdict"] in {"revise", "block", "escalate"}
    assert bad["findings"] and all({"reviewer", "code", "message", "verdict"} <= set(f) for f in bad["findings"])
    # A plain-str source, documents, and the JSON form.
    r = govai.review("intelligent_qa", "请到银行网点办理[1]。", sources=[SOURCE["text"]], documents=["附件"])
    assert r["verdict"] in {"pass", "revise", "block", "escalate"}
    import json

    out = json.loads(govai.review_json(json.dumps({"scenario": "intelligent_qa", "answer": "请到银行网点办理。"})))
    assert set(out) == {"verdict", "findings"}


def test_review_errors() -> None:
    with pytest.raises(govai.NotFoundError, match="no_such_scenario"):
        govai.review("no_such_scenario", "x")
    with pytest.raises(govai.InvalidInputError, match="review request JSON"):
        govai.review_json('{"scenario": "intelligent_qa"}')
    with pytest.raises(govai.InvalidInputError, match="colour"):
        govai.review_json('{"scenario": "intelligent_qa", "answer": "x", "colour": 1}')
    with pytest.raises(govai.InvalidInputError):
        govai.review("intelligent_qa", "x", sources=[{"title": "no text"}])
    with pytest.raises(TypeError):
        govai.review_json(None)  # type: ignore[arg-type]
