"""Upstream faults through the gateway: an upstream that is down (nothing listening) or answers
500 gives a clear error (502 with the OpenAI error JSON) and an audit record, without hanging;
with a fallback model configured, the fallback answers (and the record names it)."""

from __future__ import annotations

import time

import openai
import pytest

from support import GovaiServer, RecordingProxy, dead_port, read_audit, verify_audit

CONFIG = """
[deployment]
name = "gateway fault test"

[audit]
path = "audit.jsonl"

[[models]]
id = "local-faq"
backend = "faq"
clearance = "sensitive"
location = "on_premises"

[[models]]
id = "down"
backend = "openai"
clearance = "internal"
location = "on_premises"
filing = {{ number = "Test-0001", provider = "test" }}
base_url = "http://127.0.0.1:{dead}/v1"
upstream_model = "q"
timeouts = {{ connect_ms = 1000, first_token_ms = 5000, total_ms = 8000 }}
retries = {{ max = 1, initial_backoff_ms = 50, max_backoff_ms = 100 }}

[[models]]
id = "failing"
backend = "openai"
clearance = "internal"
location = "on_premises"
filing = {{ number = "Test-0002", provider = "test" }}
base_url = "{failing}"
upstream_model = "q"
timeouts = {{ connect_ms = 1000, first_token_ms = 5000, total_ms = 8000 }}
retries = {{ max = 1, initial_backoff_ms = 50, max_backoff_ms = 100 }}

[[models]]
id = "down-with-fallback"
backend = "openai"
clearance = "internal"
location = "on_premises"
filing = {{ number = "Test-0003", provider = "test" }}
base_url = "http://127.0.0.1:{dead}/v1"
upstream_model = "q"
retries = {{ max = 0 }}
fallback = ["local-faq"]

[[scenarios]]
id = "intelligent_qa"
model = "down"
reviewers = ["lexicon"]

[[scenarios]]
id = "document_drafting"
model = "failing"
reviewers = ["lexicon"]

[[scenarios]]
id = "information_retrieval"
model = "down-with-fallback"
human_signoff = false

[server]
request_timeout_secs = 30
"""

QUESTION = "社保卡丢了怎么补办？"
BOUND = 15.0  # seconds: the config's total_ms (8 s) plus slack; never the request timeout


@pytest.fixture(scope="module")
def faults(govai, tmp_path_factory):
    d = tmp_path_factory.mktemp("faults")
    failing = RecordingProxy("http://127.0.0.1:9")  # never forwards: always answers 500
    failing.fail_status = 500
    failing.start()
    cfg = d / "govai.toml"
    cfg.write_text(CONFIG.format(dead=dead_port(), failing=failing.base_url), encoding="utf-8")
    server = GovaiServer(govai, cfg, d / "serve.log")
    try:
        server.start()
        yield server, failing
    finally:
        server.stop()
        failing.stop()
    verify_audit(govai, d / "audit.jsonl")


@pytest.fixture()
def client(faults):
    with openai.OpenAI(base_url=faults[0].base_url, api_key="unused", max_retries=0, timeout=60) as c:
        yield c


def records(server) -> list[dict]:
    return read_audit(server.config.parent / "audit.jsonl")


@pytest.mark.parametrize("scenario", ["intelligent_qa", "document_drafting"], ids=["down", "answers-500"])
def test_failing_upstream_is_a_502_and_audited(faults, client, scenario):
    server, failing = faults
    before = len(records(server))
    started = time.monotonic()
    with pytest.raises(openai.InternalServerError) as e:
        client.chat.completions.create(model=scenario, messages=[{"role": "user", "content": QUESTION}])
    took = time.monotonic() - started
    assert took < BOUND, f"took {took:.1f}s"
    assert e.value.status_code == 502, e.value
    err = e.value.body
    assert err["type"] == "server_error" and err["code"] == "model_error", err
    assert err["message"], err
    after = records(server)
    assert len(after) == before + 1, after[before:]
    rec = after[-1]
    assert rec.get("scenario") == scenario, rec
    assert rec["kind"] == "error" and rec.get("user") == "local", rec
    model = "down" if scenario == "intelligent_qa" else "failing"
    assert f"model `{model}`" in rec["error"], rec
    if scenario == "document_drafting":
        assert len(failing.requests) >= 2, "retried once on 500"


@pytest.mark.parametrize("scenario", ["intelligent_qa", "document_drafting"], ids=["down", "answers-500"])
def test_failing_upstream_streamed_ends_with_an_error_event(faults, client, scenario):
    server, _ = faults
    before = len(records(server))
    started = time.monotonic()
    with pytest.raises(openai.APIError) as e:
        for _ in client.chat.completions.create(model=scenario, messages=[{"role": "user", "content": QUESTION}],
                                                stream=True):
            pass
    assert time.monotonic() - started < BOUND
    assert "model" in str(e.value).lower() or e.value.body, e.value
    after = records(server)
    assert len(after) == before + 1 and after[-1]["kind"] == "error", after[before:]


def test_fallback_answers_when_the_upstream_is_down(faults, client):
    server, _ = faults
    started = time.monotonic()
    r = client.chat.completions.create(model="information_retrieval", messages=[{"role": "user", "content": QUESTION}])
    assert time.monotonic() - started < BOUND
    g = r.model_extra["govai"]
    assert r.choices[0].finish_reason == "stop" and g["outcome"] == "answered", g
    assert g["model"]["id"] == "down-with-fallback", g
    assert g["served_by"] and g["served_by"]["id"] == "local-faq", g
    assert "社保卡" in r.choices[0].message.content
    rec = {x["seq"]: x for x in records(server)}[g["audit_id"]]
    assert rec["served_by"]["id"] == "local-faq", rec
    # Streamed too.
    chunks = list(client.chat.completions.create(model="information_retrieval",
                                                 messages=[{"role": "user", "content": QUESTION}], stream=True))
    last = [c for c in chunks if c.choices][-1]
    assert last.model_extra["govai"]["served_by"]["id"] == "local-faq"


def test_readyz_reports_the_down_upstream(faults):
    import json
    import urllib.request

    server, _ = faults
    try:
        with urllib.request.urlopen(server.url + "/readyz", timeout=30) as r:
            status, body = r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        status, body = e.code, json.loads(e.read())
    assert status == 503 and body["ready"] is False, body
    assert any(c["check"] == "upstream" and not c["ok"] for c in body["checks"]), body


def test_metrics_count_the_errors(faults):
    import urllib.request

    server, _ = faults
    with urllib.request.urlopen(server.url + "/metrics", timeout=10) as r:
        text = r.read().decode()
    assert "model_error" in text, text[:2000]
