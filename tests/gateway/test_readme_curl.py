"""Every ```sh block of crates/govai-server/README.md that starts with `curl` runs against a live
`govai serve --config govai.example.toml` (its port substituted for 8088): curl exits 0 and
prints JSON, server-sent events or Prometheus text as the endpoint promises. Blocks using
$GOVAI_KEY run against the same config with a key file and a key made by `govai keys create`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from conftest import copy_example, run_govai
from support import ROOT, GovaiServer, verify_audit, with_keys

README = ROOT / "crates" / "govai-server" / "README.md"


def curl_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"^```sh\n(.*?)^```", text, flags=re.M | re.S)
    return [b for b in blocks if b.lstrip().startswith("curl")]


BLOCKS = curl_blocks()


def block_id(block: str) -> str:
    m = re.search(r"http://127\.0\.0\.1:8088(\S*)", block)
    path = m.group(1).strip("'\"") if m else "?"
    extra = "-stream" if '"stream": true' in block else ""
    extra += "-key" if "$GOVAI_KEY" in block else ""
    extra += "-error" if '"gpt-4o"' in block else ""
    return path + extra


def test_the_readme_has_the_curl_examples():
    ids = [block_id(b) for b in BLOCKS]
    for needed in ("/v1/chat/completions", "/v1/chat/completions-stream", "/v1/govai/scan", "/v1/govai/mask",
                   "/v1/govai/review", "/v1/models", "/healthz", "/readyz", "/metrics", "/v1/govai/stats",
                   "/v1/chat/completions-key"):
        assert needed in ids, (needed, ids)


@pytest.fixture(scope="module")
def servers(govai, tmp_path_factory):
    if shutil.which("curl") is None:
        pytest.fail("curl is not installed (apt-get install curl)")
    open_dir = tmp_path_factory.mktemp("readme-open")
    keyed_dir = tmp_path_factory.mktemp("readme-keyed")
    plain = GovaiServer(govai, copy_example(open_dir), open_dir / "serve.log")
    cfg = copy_example(keyed_dir)
    cfg.write_text(with_keys(cfg.read_text(encoding="utf-8"), '[server.roles.citizen]\nscenarios = ["*"]\n'),
                   encoding="utf-8")
    r = run_govai(govai, "keys", "create", "--config", str(cfg), "--caller", "readme", "--role", "citizen")
    assert r.returncode == 0, r.stderr
    key = r.stdout.strip()
    keyed = GovaiServer(govai, cfg, keyed_dir / "serve.log")
    try:
        plain.start()
        keyed.start()
        yield plain, keyed, key
    finally:
        plain.stop()
        keyed.stop()
    verify_audit(govai, open_dir / "audit" / "govai-audit.jsonl")
    verify_audit(govai, keyed_dir / "audit" / "govai-audit.jsonl")


@pytest.mark.parametrize("block", BLOCKS, ids=[block_id(b) for b in BLOCKS])
def test_curl_block_runs(servers, block):
    plain, keyed, key = servers
    server = keyed if "$GOVAI_KEY" in block else plain
    assert "127.0.0.1:8088" in block, block
    script = block.replace("127.0.0.1:8088", f"127.0.0.1:{server.port}")
    env = {**os.environ, "GOVAI_KEY": key}
    r = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0, f"{block}\nexit {r.returncode}\n{r.stderr}"
    out = r.stdout
    path = block_id(block)
    if path.endswith("-stream"):
        events = [line[6:] for line in out.splitlines() if line.startswith("data: ")]
        assert events[-1] == "[DONE]", out
        chunks = [json.loads(e) for e in events[:-1]]
        assert all(c["object"] == "chat.completion.chunk" for c in chunks), out
        assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and "govai" in chunks[-1], out
    elif path == "/metrics":
        assert "# TYPE govai_requests counter" in out, out[:500]
        assert re.search(r"^govai_requests_total\{.*\} \d+", out, flags=re.M), out[:2000]
    else:
        body = json.loads(out)
        if path.endswith("-error"):
            assert body["error"]["code"] == "not_found", body
        elif path.startswith("/v1/chat/completions"):
            assert body["object"] == "chat.completion" and body["govai"]["audit_id"], body
            assert body["choices"][0]["finish_reason"] == "stop", body
            if path.endswith("-key"):
                assert body["govai"]["personal_data"] == "masked", body
        elif path == "/v1/govai/scan":
            assert body["level"] == "sensitive" and body["findings"][0]["type"] == "cn_resident_id", body
        elif path == "/v1/govai/mask":
            assert "11010519491231002X" not in body["text"] and body["findings"] == 2, body
        elif path == "/v1/govai/review":
            assert body["output"]["verdict"] == "pass", body
        elif path == "/v1/govai/audit/verify":
            assert body["intact"] is True, body
        elif path == "/healthz":
            assert body == {"status": "ok"}
        elif path == "/readyz":
            assert body["ready"] is True, body
        elif path.startswith("/v1/govai/audit/records"):
            assert body["matched"] >= 1 and all(r["kind"] == "request" for r in body["records"]), body
        elif path.startswith("/v1/govai/audit/export"):
            assert body["kind"] == "request" and body["hash"], body
        elif path == "/v1/govai/stats":
            assert body["audit"]["intact"] is True and body["rows"], body
        elif path == "/v1/models":
            assert any(m["id"] == "intelligent_qa" for m in body["data"]), body
        else:
            assert body, body
