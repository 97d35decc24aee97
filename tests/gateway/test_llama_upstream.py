"""A real upstream: a llama.cpp server (PyPI xllamacpp, Qwen2.5 0.5B instruct GGUF) behind a
recording proxy, with govai serving examples/gateway-llama.toml (its base_url pointed at the
proxy). What the upstream received is checked byte for byte: a resident ID number in the
question never reaches it. Answers are reviewed and labelled, whole and streamed; a role with
`personal_data = "masked"` never gets the ID back in any field.

Whether the 0.5B model repeats the placeholder it was given (so that restoring it shows the
ID to a `restored` role) is up to the model: the tests assert it only when the recorded
upstream answer contains the placeholder, and say so otherwise."""

from __future__ import annotations

import json
import re

import openai
import pytest

from conftest import run_govai
from support import ROOT, ID_NUMBER, GovaiServer, RecordingProxy, read_audit, verify_audit

NOTICE = "本内容由人工智能生成，仅供参考"
WITH_ID = f"我的身份证号是{ID_NUMBER}，社保卡丢了怎么补办？"
ECHO = f"请把下面这句话原样重复一遍：我的身份证号是{ID_NUMBER}。"
# Any 6+ character run of the ID: catches a partly masked or split number too.
ID_PARTS = [ID_NUMBER[i:i + 6] for i in range(0, len(ID_NUMBER) - 5)]

ROLES = """
[server.roles.citizen]
scenarios = ["*"]
personal_data = "masked"
rate_per_minute = 0
concurrency = 0

[server.roles.clerk]
scenarios = ["*"]
max_level = "important"
personal_data = "restored"
rate_per_minute = 0
concurrency = 0
"""


def gateway_config(dest, base_url: str, fallback: bool = False) -> "Path":  # noqa: F821
    """examples/gateway-llama.toml with its base_url, audit path and keys for the test."""
    text = (ROOT / "examples" / "gateway-llama.toml").read_text(encoding="utf-8")
    text, n = re.subn(r'^base_url = ".*"$', f'base_url = "{base_url}"', text, flags=re.M)
    assert n == 1
    text = re.sub(r'^path = ".*audit.jsonl"$', 'path = "audit.jsonl"', text, count=1, flags=re.M)
    if not fallback:
        text = text.replace('fallback = ["faq-bm25"]\n', "")
    # The test's own roles replace the example's.
    text = text.split("[server.roles.citizen]")[0].replace("# keys_file", "keys_file") + ROLES
    text = text.replace('keys_file = "gateway-keys.json"', 'keys_file = "keys.json"')
    cfg = dest / "govai.toml"
    cfg.write_text(text, encoding="utf-8")
    return cfg


@pytest.fixture(scope="module")
def upstream(llama):
    p = RecordingProxy(llama.base_url.rsplit("/v1", 1)[0])
    try:
        p.start()
        yield p
    finally:
        p.stop()


@pytest.fixture(scope="module")
def gw(govai, upstream, tmp_path_factory):
    d = tmp_path_factory.mktemp("llama-gw")
    cfg = gateway_config(d, upstream.base_url)
    keys = {}
    for role in ("citizen", "clerk"):
        r = run_govai(govai, "keys", "create", "--config", str(cfg), "--caller", f"{role}-desk", "--role", role, "--json")
        assert r.returncode == 0, r.stderr
        keys[role] = json.loads(r.stdout)["key"]
    server = GovaiServer(govai, cfg, d / "serve.log")
    try:
        server.start()
        yield server, keys
    finally:
        server.stop()
    verify_audit(govai, d / "audit.jsonl")


def client(gw, role: str) -> openai.OpenAI:
    server, keys = gw
    return openai.OpenAI(base_url=server.base_url, api_key=keys[role], max_retries=0, timeout=200)


def upstream_text(record: dict) -> str:
    """The text of a recorded upstream answer (SSE deltas joined, or the JSON message)."""
    raw = record["response"]
    if raw.lstrip().startswith("{"):
        return json.loads(raw)["choices"][0]["message"]["content"] or ""
    out = []
    for line in raw.splitlines():
        if line.startswith("data: ") and line[6:].strip() != "[DONE]":
            ev = json.loads(line[6:])
            for ch in ev.get("choices") or []:
                out.append((ch.get("delta") or {}).get("content") or "")
    return "".join(out)


def assert_never_upstream(upstream: RecordingProxy) -> list[dict]:
    sent = upstream.chat_requests()
    assert sent, "nothing reached the upstream"
    for body in upstream.bodies():
        for part in ID_PARTS:
            assert part not in body, f"part of the ID number reached the upstream: {body}"
    return sent


def complete(c: openai.OpenAI, text: str, stream: bool):
    """(content, finish_reason, govai object, raw JSON of everything received)."""
    messages = [{"role": "user", "content": text}]
    if not stream:
        r = c.chat.completions.create(model="intelligent_qa", messages=messages)
        return r.choices[0].message.content, r.choices[0].finish_reason, r.model_extra["govai"], r.model_dump_json()
    chunks = list(c.chat.completions.create(model="intelligent_qa", messages=messages, stream=True))
    text = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
    last = [ch for ch in chunks if ch.choices][-1]
    raw = "\n".join(ch.model_dump_json() for ch in chunks)
    return text, last.choices[0].finish_reason, last.model_extra["govai"], raw


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_id_number_never_reaches_the_upstream_and_the_answer_is_reviewed(gw, upstream, stream):
    upstream.requests.clear()
    with client(gw, "clerk") as c:
        text, finish, g, _ = complete(c, WITH_ID, stream)
    sent = assert_never_upstream(upstream)
    assert len(sent) == 1, sent
    body = sent[0]
    # (The gateway runs the pipeline streaming for whole answers too: the upstream is always
    # asked with stream=true; the caller gets one JSON answer after review.)
    last_user = [m for m in body["messages"] if m["role"] == "user"][-1]["content"]
    assert "社保卡丢了怎么补办" in last_user, last_user
    assert "〔身份证号1〕" in last_user, f"the placeholder stands in for the number: {last_user}"
    # Reviewed, labelled, served by the upstream model itself.
    assert finish == "stop", g
    assert g["outcome"] == "answered" and g["verdict"] in ("pass", "revise"), g
    assert g["gate"]["action"] == "mask" and g["data_level"] == "sensitive", g
    assert g["model"]["id"] == "qwen-llama" and g["served_by"] is None, g
    assert g["label"]["explicit"] == NOTICE and text.startswith(f"【{NOTICE}】"), text
    assert len(text) > len(NOTICE) + 4, text
    # The audit record: the caller, the token usage the upstream reported, no ID number.
    server, _ = gw
    rec = {x["seq"]: x for x in read_audit(server.config.parent / "audit.jsonl")}[g["audit_id"]]
    assert rec["user"] == "clerk-desk" and rec["usage"]["prompt_tokens"] > 10, rec
    assert ID_NUMBER not in json.dumps(rec, ensure_ascii=False)


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_masked_role_never_gets_the_id_back(gw, upstream, stream):
    upstream.requests.clear()
    with client(gw, "citizen") as c:
        text, _, g, raw = complete(c, ECHO, stream)
    assert_never_upstream(upstream)
    assert g["personal_data"] == "masked"
    for part in ID_PARTS:
        assert part not in raw, f"the masked role got the ID number back: {raw}"
    echoed = "〔身份证号1〕" in upstream_text(upstream.requests[-1])
    print(f"model echoed the placeholder: {echoed}; citizen saw: {text!r}")


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_restored_role_gets_the_id_back_when_the_model_echoes_it(gw, upstream, stream):
    upstream.requests.clear()
    with client(gw, "clerk") as c:
        text, _, g, raw = complete(c, ECHO, stream)
    assert_never_upstream(upstream)
    assert g["personal_data"] == "restored"
    answer = upstream_text(upstream.requests[-1])
    print(f"upstream answered {answer!r}; clerk saw {text!r}")
    if "〔身份证号1〕" not in answer:
        pytest.skip(f"the model did not repeat the placeholder (upstream answered {answer[:300]!r})")
    if g["outcome"] == "answered":
        assert ID_NUMBER in text, f"restored for the clerk: {text!r}"
        assert "〔身份证号1〕" not in text
    else:  # a reviewer may hold back an answer that repeats an identifier; then nothing leaks
        assert ID_NUMBER not in raw


def test_streaming_through_the_proxy_was_chunked(gw, upstream):
    """The proxy passes the upstream's SSE on as it comes: several data events recorded."""
    upstream.requests.clear()
    with client(gw, "clerk") as c:
        complete(c, "请用两句话介绍一下社保卡的用途。", True)
    answer = upstream.requests[-1]["response"]
    assert answer.count("data: ") > 3 and "[DONE]" in answer, answer[:500]


def test_readyz_probes_the_upstream(gw):
    import urllib.request

    server, _ = gw
    with urllib.request.urlopen(server.url + "/readyz", timeout=30) as r:
        body = json.loads(r.read())
    assert body["ready"] is True, body
    assert any(c["check"] == "upstream" and c["ok"] for c in body["checks"]), body
