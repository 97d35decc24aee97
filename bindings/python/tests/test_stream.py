"""Tests of streaming (`Deployment.stream` -> `ResponseStream`): with the weight-free FAQ model
and with the checked-in tiny random-weight Llama (crates/govai-ort/tests/data/tiny-llama) on
ONNX Runtime."""

from __future__ import annotations

import gc
import hashlib
import importlib.util
import json
import os
import pathlib
import sys
import threading
import time
from typing import Any

import pytest

import govai

ROOT = pathlib.Path(__file__).resolve().parents[3]
TINY_LLAMA = ROOT / "crates" / "govai-ort" / "tests" / "data" / "tiny-llama"
MAX_NEW_TOKENS = 64
DRAFT_REQUEST = "请起草一份关于开展安全生产检查的通知，要点：检查时间、检查范围、整改要求。"

FAQ_CONFIG = """
[deployment]
name = "stream faq"

[audit]
path = "audit.jsonl"
fsync = "never"

[[models]]
id = "faq-bm25"
backend = "faq"
clearance = "sensitive"
location = "on_premises"

[[scenarios]]
id = "intelligent_qa"
model = "faq-bm25"
"""


def audit_records(deployment: govai.Deployment) -> list[dict[str, Any]]:
    lines = deployment.audit_path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def stream_threads() -> list[str]:
    """Names of this process's threads that are govai stream workers (Linux: /proc; elsewhere
    none are seen)."""
    names: list[str] = []
    for comm in pathlib.Path("/proc/self/task").glob("*/comm"):
        try:
            names.append(comm.read_text().strip())
        except OSError:  # the thread ended while listing
            continue
    return [n for n in names if n == "govai-stream"]


# --- the weight-free FAQ model ---------------------------------------------------------------


@pytest.fixture
def faq(tmp_path: pathlib.Path) -> govai.Deployment:
    return govai.Deployment.from_toml(FAQ_CONFIG, base_dir=tmp_path)


def test_faq_answer_arrives_in_reviewed_chunks(faq: govai.Deployment) -> None:
    question = "社保卡丢了怎么补办？"
    s = faq.stream("intelligent_qa", question, user="pytest", request_id="stream-1")
    assert isinstance(s, govai.ResponseStream)
    assert iter(s) is s
    with pytest.raises(RuntimeError, match="not finished"):
        s.response  # noqa: B018 - the access is what is tested
    chunks = list(s)
    assert s.finished
    r = s.response
    assert isinstance(r, dict)
    assert r["outcome"] == "answered", r
    assert r["request_id"] == "stream-1"
    assert len(chunks) >= 2, chunks
    assert all(isinstance(c, str) and c for c in chunks)
    # The chunks add up to exactly what the user should see: the labelled answer.
    assert "".join(chunks) == r["labelled_output"]
    assert r["label"]["explicit"] in r["labelled_output"]
    stream = r["stream"]
    assert set(stream) == {"released_chars", "received_chars", "stopped_by_review", "cancelled", "review_us"}
    assert stream["released_chars"] == len(r["output"]) == stream["received_chars"]
    assert stream["stopped_by_review"] is False and stream["cancelled"] is False
    assert isinstance(stream["review_us"], int)
    assert "answered" in repr(s)
    # The same request without streaming: same outcome and answer, no `stream` key.
    plain = faq.handle("intelligent_qa", question)
    assert (plain["outcome"], plain["output"]) == (r["outcome"], r["output"])
    assert "stream" not in plain
    # Exhausted: more `next` stops again; the response stays readable.
    with pytest.raises(StopIteration):
        next(s)
    assert s.response["audit_id"] == r["audit_id"] == 1
    report = govai.verify_audit(faq.audit_path)
    assert report["intact"] is True and report["records"] == 2
    assert audit_records(faq)[0]["stream"] == stream


def test_refused_request_streams_the_refusal_once(faq: govai.Deployment) -> None:
    with faq.stream("intelligent_qa", "绝密★\n请总结这份文件") as s:
        chunks = list(s)
    r = s.response
    assert r["outcome"] == "refused"
    assert chunks == [r["output"]]
    assert r["stream"]["released_chars"] == 0


def test_unknown_scenario_raises_from_iteration(faq: govai.Deployment) -> None:
    s = faq.stream("no_such_scenario", "你好")
    with pytest.raises(govai.NotFoundError, match="no_such_scenario") as info:
        next(s)
    assert isinstance(info.value, LookupError) and info.value.kind == "not_found"
    # Raised once; then the stream is over, and `response` raises the same error.
    with pytest.raises(StopIteration):
        next(s)
    with pytest.raises(govai.NotFoundError):
        s.response  # noqa: B018
    assert s.finished and "not_found" in repr(s)


def test_empty_text_raises_invalid_input(faq: govai.Deployment) -> None:
    with pytest.raises(govai.InvalidInputError, match="empty"), faq.stream("intelligent_qa", "  ") as s:
        for _ in s:
            pass


def test_stream_arguments_are_keyword_only(faq: govai.Deployment) -> None:
    with pytest.raises(TypeError):
        faq.stream("intelligent_qa", "社保卡丢了怎么补办？", ["文档"])  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        faq.stream("intelligent_qa", 42)  # type: ignore[arg-type]
    with faq.stream("intelligent_qa", "居住证怎么办理？", documents=["居住证办理需要提供身份证和居住证明。"]) as s:
        assert "".join(s) == s.response["labelled_output"]


def test_close_is_idempotent_and_ends_iteration(faq: govai.Deployment) -> None:
    s = faq.stream("intelligent_qa", "社保卡丢了怎么补办？")
    s.close()
    s.close()
    assert s.finished
    with pytest.raises(StopIteration):
        next(s)
    # Closed before the first chunk: cancelled (or answered, had the worker finished first).
    assert s.response["outcome"] in {"cancelled", "answered"}
    assert govai.verify_audit(faq.audit_path)["intact"] is True


def test_stream_outlives_its_deployment(tmp_path: pathlib.Path) -> None:
    d = govai.Deployment.from_toml(FAQ_CONFIG, base_dir=tmp_path)
    s = d.stream("intelligent_qa", "社保卡丢了怎么补办？")
    assert sys.getrefcount(d) <= 2  # `d` and the argument: the stream holds no Python reference
    del d
    gc.collect()
    chunks = list(s)
    assert "".join(chunks) == s.response["labelled_output"]
    assert s.response["outcome"] == "answered"


# --- a generating model: the tiny random-weight Llama on ONNX Runtime ------------------------


def ort_library() -> str | None:
    """The ONNX Runtime library for the test deployment's `[runtime] library_path`: the
    `onnxruntime` wheel's in this interpreter (the project .venv has it), found without
    importing it. None when ORT_DYLIB_PATH is set (govai then uses it) or there is none."""
    if os.environ.get("ORT_DYLIB_PATH"):
        return None
    spec = importlib.util.find_spec("onnxruntime")
    if spec is None or spec.origin is None:
        return None
    capi = pathlib.Path(spec.origin).parent / "capi"
    found = sorted(capi.glob("libonnxruntime.so*")) + sorted(capi.glob("libonnxruntime*.dylib"))
    found += sorted(capi.glob("onnxruntime.dll"))
    return str(found[0]) if found else None


def require_or_skip(reason: str) -> None:
    if os.environ.get("GOVAI_REQUIRE_ORT") == "1" or os.environ.get("GOVAI_REQUIRE_MODELS") == "1":
        pytest.fail(f"GOVAI_REQUIRE_ORT/GOVAI_REQUIRE_MODELS is set but {reason}")
    pytest.skip(reason)


def llm_config(
    audit: pathlib.Path,
    library: str | None,
    reviewers: str = 'reviewers = ["lexicon"]',
    max_new_tokens: int = MAX_NEW_TOKENS,
) -> str:
    """The tiny Llama behind `document_drafting`. Its random weights write no sentence ends,
    so by default only the term reviewer (a `Window` reviewer: text flows with a hold-back)
    runs; with the scenario's own reviewers (pii_leak judges whole sentences) the answer would
    be released in one piece at the end."""
    # Two sessions: two requests generate at once (the default pool has one).
    runtime = "\n[runtime]\nintra_op_threads = 1\nsessions = 2\n"
    if library:
        runtime += f"library_path = {json.dumps(library)}\n"
    return f"""
[deployment]
name = "stream llm"

[audit]
path = {json.dumps(str(audit))}
fsync = "never"
{runtime}
[[models]]
id = "tiny-llama"
backend = "llm"
path = {json.dumps(str(TINY_LLAMA))}
clearance = "sensitive"
location = "on_premises"
filing = {{ number = "Test-2025-001", provider = "test" }}
generation = {{ max_new_tokens = {max_new_tokens}, ignore_eos = true }}

[[scenarios]]
id = "document_drafting"
model = "tiny-llama"
{reviewers}
"""


def llm_deployment(
    tmp_path: pathlib.Path, reviewers: str = 'reviewers = ["lexicon"]', max_new_tokens: int = MAX_NEW_TOKENS
) -> govai.Deployment:
    if not (TINY_LLAMA / "model.onnx").is_file():
        require_or_skip(f"the tiny-llama fixture is missing at {TINY_LLAMA}")
    library = ort_library()
    if library is None and not os.environ.get("ORT_DYLIB_PATH"):
        require_or_skip("no ONNX Runtime library: set ORT_DYLIB_PATH or install onnxruntime in this Python")
    config = llm_config(tmp_path / "audit.jsonl", library, reviewers, max_new_tokens)
    return govai.Deployment.from_toml(config, base_dir=tmp_path)


@pytest.fixture
def llm(tmp_path: pathlib.Path) -> govai.Deployment:
    return llm_deployment(tmp_path)


def generated_chars(record: dict[str, Any], full_text: str) -> int:
    """How many characters the model generated for an audit record, found as the prefix of
    the (deterministic, greedy) full generation whose SHA-256 the record holds."""
    for n in range(len(full_text), -1, -1):
        if hashlib.sha256(full_text[:n].encode()).hexdigest() == record["output_sha256"]:
            return n
    raise AssertionError(f"the audited output is not a prefix of the full generation: {record}")


def test_llm_streams_several_chunks(llm: govai.Deployment) -> None:
    with llm.stream("document_drafting", DRAFT_REQUEST, user="pytest") as s:
        chunks = list(s)
    r = s.response
    assert r["model"]["id"] == "tiny-llama"
    assert r["outcome"] in {"answered", "needs_revision"}, r
    assert len(chunks) >= 3, chunks
    assert "".join(chunks) == r["labelled_output"]
    assert r["stream"]["released_chars"] == len(r["output"]) > 0
    assert r["stream"]["cancelled"] is False
    # Greedy decoding: streamed and non-streamed requests generate the same draft.
    plain = llm.handle("document_drafting", DRAFT_REQUEST)
    assert plain["output"] == r["output"]


def test_llm_with_a_sentence_reviewer_releases_at_the_end(tmp_path: pathlib.Path) -> None:
    d = llm_deployment(tmp_path, reviewers="")
    with d.stream("document_drafting", DRAFT_REQUEST) as s:
        chunks = list(s)
    r = s.response
    assert r["outcome"] in {"answered", "needs_revision"}, r
    assert "".join(chunks) == r["labelled_output"]
    # No sentence end in the random text: nothing is released before the model is done, so
    # the first chunk holds the whole answer.
    assert r["output"] and r["output"] in chunks[0], chunks


def test_llm_close_after_first_chunk_cancels_generation(llm: govai.Deployment) -> None:
    full = llm.stream("document_drafting", DRAFT_REQUEST)
    full_chunks = list(full)
    full_r = full.response
    full_text = full_r["output"]
    assert full_r["outcome"] != "cancelled" and len(full_chunks) >= 3

    s = llm.stream("document_drafting", DRAFT_REQUEST)
    first = next(s)
    s.close()
    assert s.finished and not stream_threads()
    with pytest.raises(StopIteration):
        next(s)
    r = s.response
    assert r["outcome"] == "cancelled", r
    assert r["stream"]["cancelled"] is True
    # What was released (the first chunk, plus the few the worker had queued) is a prefix of
    # the full answer, and shorter.
    assert full_r["labelled_output"].startswith(first)
    assert full_text.startswith(r["output"])
    assert r["stream"]["released_chars"] < full_r["stream"]["released_chars"]
    # The model stopped generating: the audit record holds the hash of what the model had
    # generated, a strict prefix of the full max_new_tokens answer.
    records = audit_records(llm)
    assert records[-1]["outcome"] == "cancelled" and records[-1]["stream"]["cancelled"] is True
    assert generated_chars(records[0], full_text) == len(full_text)
    cancelled_at = generated_chars(records[-1], full_text)
    assert cancelled_at < len(full_text), (cancelled_at, len(full_text))
    assert govai.verify_audit(llm.audit_path)["intact"] is True


def test_llm_unfinished_stream_is_cancelled_when_collected(llm: govai.Deployment) -> None:
    s = llm.stream("document_drafting", DRAFT_REQUEST)
    next(s)
    # The worker is alive (waiting to send more than the channel holds).
    assert stream_threads() == ["govai-stream"] or sys.platform != "linux"
    del s
    gc.collect()
    # The worker was joined by the collection: its cancelled request is already audited.
    assert not stream_threads()
    assert audit_records(llm)[-1]["outcome"] == "cancelled"


def test_llm_dropping_the_deployment_while_streaming(tmp_path: pathlib.Path) -> None:
    d = llm_deployment(tmp_path)
    audit = d.audit_path
    s = d.stream("document_drafting", DRAFT_REQUEST)
    assert sys.getrefcount(d) <= 2  # `d` and the argument: the stream holds no Python reference
    del d
    gc.collect()
    chunks = list(s)
    assert len(chunks) >= 3 and "".join(chunks) == s.response["labelled_output"]
    assert govai.verify_audit(audit)["intact"] is True


def test_llm_waiting_for_a_chunk_releases_the_gil(tmp_path: pathlib.Path) -> None:
    """While the main thread waits in `next`, another Python thread keeps running. With the
    scenario's sentence reviewer the random text arrives in one chunk once the model is done,
    so the first `next` waits for the whole generation (made long: 2048 tokens); the other
    thread must keep ticking (with the GIL held it would stop for the whole wait; a busy
    machine may pause it for a while, but not for half of it)."""
    d = llm_deployment(tmp_path, reviewers="", max_new_tokens=2048)
    stamps: list[float] = []
    stop = threading.Event()

    def tick() -> None:
        clock = time.perf_counter
        while not stop.is_set():
            stamps.append(clock())

    t = threading.Thread(target=tick)
    t.start()
    try:
        time.sleep(0.01)
        with d.stream("document_drafting", DRAFT_REQUEST) as s:
            started = time.perf_counter()
            next(s)
            ended = time.perf_counter()
    finally:
        stop.set()
        t.join()
    elapsed = ended - started
    if elapsed < 0.05:
        pytest.skip(f"generation too fast ({elapsed * 1000:.1f} ms) to observe")
    inside = [started, *(x for x in stamps if started < x < ended), ended]
    longest = max(b - a for a, b in zip(inside, inside[1:]))
    assert longest < elapsed / 2, (
        f"the other thread stood still for {longest * 1000:.1f} of {elapsed * 1000:.1f} ms: GIL held?"
    )


def test_llm_two_streams_in_two_threads(llm: govai.Deployment) -> None:
    """Two Python threads each read a stream of one deployment at the same time (the model has
    two sessions). Each waits after its first chunk until the other has its first chunk too,
    so both streams are surely in flight at once; then both read to the end."""
    results: dict[int, tuple[list[str], dict[str, Any]]] = {}
    errors: list[BaseException] = []
    workers_alive: list[int] = []
    # Runs once both threads have their first chunk, before either reads on.
    both_started = threading.Barrier(2, action=lambda: workers_alive.append(len(stream_threads())), timeout=60)

    def work(i: int) -> None:
        try:
            s = llm.stream("document_drafting", DRAFT_REQUEST, request_id=f"t{i}")
            chunks = [next(s)]
            both_started.wait()
            chunks.extend(s)
            results[i] = (chunks, s.response)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a stream hung"
    assert not errors, errors
    (a, ra), (b, rb) = results[0], results[1]
    assert ra["request_id"] == "t0" and rb["request_id"] == "t1"
    assert len(a) >= 3 and len(b) >= 3
    assert workers_alive == [2 if sys.platform == "linux" else 0]  # both workers ran at once
    # Same request, greedy decoding: the same answer in both threads, whole.
    assert "".join(a) == ra["labelled_output"] and "".join(b) == rb["labelled_output"]
    assert ra["output"] == rb["output"] and ra["outcome"] == rb["outcome"] != "cancelled"
    report = govai.verify_audit(llm.audit_path)
    assert report["intact"] is True and report["records"] == 2
