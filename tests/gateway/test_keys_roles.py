"""API keys and roles: keys made with `govai keys create`, 401 without or with a wrong key, 429
with Retry-After over a role's rate, 403 above a role's data level or outside its scenarios,
a revoked key refused within ~1-2 s, the caller id in the audit records."""

from __future__ import annotations

import json
import time

import httpx2 as httpx  # the HTTP client the openai package uses
import openai
import pytest

from conftest import copy_example, run_govai
from support import ID_NUMBER, GovaiServer, read_audit, verify_audit, with_keys

ROLES = """
[server.roles.clerk]
personal_data = "restored"
max_level = "core"
rate_per_minute = 0
concurrency = 0
permissions = ["chat", "scan", "review", "audit"]

[server.roles.portal]
personal_data = "masked"

[server.roles.limited]
scenarios = ["intelligent_qa"]
rate_per_minute = 6
burst = 2

[server.roles.kiosk]
scenarios = ["intelligent_qa"]
max_level = "internal"
"""

QUESTION = "社保卡丢了怎么补办？"
WITH_ID = f"我的身份证号是{ID_NUMBER}，社保卡丢了怎么补办？"


def create_key(govai, cfg, caller: str, role: str) -> tuple[str, str]:
    r = run_govai(govai, "keys", "create", "--config", str(cfg), "--caller", caller, "--role", role, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["key"].startswith("gk_"), out
    return out["key"], out["entry"]["id"]


@pytest.fixture(scope="module")
def keyed(govai, tmp_path_factory):
    d = tmp_path_factory.mktemp("keys")
    cfg = copy_example(d)
    cfg.write_text(with_keys(cfg.read_text(encoding="utf-8"), ROLES), encoding="utf-8")
    keys = {role: create_key(govai, cfg, f"{role}-system", role) for role in ("clerk", "portal", "limited", "kiosk")}
    keys["doomed"] = create_key(govai, cfg, "doomed-system", "portal")
    # An unknown role is refused by the CLI.
    bad = run_govai(govai, "keys", "create", "--config", str(cfg), "--caller", "x", "--role", "nope")
    assert bad.returncode != 0 and "nope" in bad.stderr
    # The key file holds hashes only.
    stored = (d / "keys.json").read_text()
    for key, _ in keys.values():
        assert key not in stored and key.split("_")[2] not in stored
    server = GovaiServer(govai, cfg, d / "serve.log")
    try:
        server.start()
        yield server, keys, cfg
    finally:
        server.stop()
    verify_audit(govai, d / "audit" / "govai-audit.jsonl")


def client_for(server, key: str | None) -> openai.OpenAI:
    """An openai client with `key`; None: no Authorization header at all (the client insists
    on a key, so a request hook drops the header it sets)."""
    if key is not None:
        return openai.OpenAI(base_url=server.base_url, api_key=key, max_retries=0, timeout=60)

    def drop_auth(request: httpx.Request) -> None:
        request.headers.pop("Authorization", None)

    http = httpx.Client(event_hooks={"request": [drop_auth]}, timeout=60)
    return openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0, http_client=http)


def ask(c: openai.OpenAI, text: str = QUESTION, model: str = "intelligent_qa", **kw):
    return c.chat.completions.create(model=model, messages=[{"role": "user", "content": text}], **kw)


def test_keys_list_shows_no_secrets(keyed, govai):
    server, keys, cfg = keyed
    r = run_govai(govai, "keys", "list", "--config", str(cfg), "--json")
    assert r.returncode == 0, r.stderr
    listed = json.loads(r.stdout)
    assert {k["id"] for k in listed} >= {i for _, i in keys.values()}
    for key, _ in keys.values():
        assert key not in r.stdout


def test_server_says_keys_are_required(keyed):
    assert "API keys required" in keyed[0].log_text()


@pytest.mark.parametrize("key", [None, "sk-wrong", "gk_00000000_" + "0" * 64], ids=["no-key", "foreign", "unknown"])
def test_missing_or_wrong_key_is_401(keyed, key):
    server, _, _ = keyed
    with client_for(server, key) as c, pytest.raises(openai.AuthenticationError) as e:
        ask(c)
    assert e.value.status_code == 401
    assert e.value.body["type"] == "authentication_error", e.value.body
    assert e.value.response.headers.get("www-authenticate") == "Bearer"
    with client_for(server, key) as c, pytest.raises(openai.AuthenticationError):
        c.models.list()


def test_a_tampered_key_is_401(keyed):
    server, keys, _ = keyed
    key = keys["clerk"][0]
    with client_for(server, key[:-1] + ("0" if key[-1] != "0" else "1")) as c, pytest.raises(openai.AuthenticationError):
        ask(c)


def test_health_and_metrics_need_no_key(keyed):
    import urllib.request

    server, _, _ = keyed
    for path in ("/healthz", "/readyz", "/metrics", "/openapi.json"):
        with urllib.request.urlopen(server.url + path, timeout=10) as r:
            assert r.status == 200, path


def test_roles_decide_personal_data_and_the_audit_names_the_caller(keyed):
    server, keys, _ = keyed
    seen = {}
    for role in ("clerk", "portal"):
        with client_for(server, keys[role][0]) as c:
            r = ask(c, WITH_ID)
        g = r.model_extra["govai"]
        assert g["outcome"] == "answered", g
        seen[role] = g
        if role == "portal":
            assert ID_NUMBER not in r.model_dump_json(), "a masked role never gets the ID number back"
    assert seen["clerk"]["personal_data"] == "restored"
    assert seen["portal"]["personal_data"] == "masked"
    records = {x["seq"]: x for x in read_audit(server.config.parent / "audit" / "govai-audit.jsonl")}
    assert records[seen["clerk"]["audit_id"]]["user"] == "clerk-system"
    assert records[seen["clerk"]["audit_id"]]["user_role"] == "clerk"
    assert records[seen["portal"]["audit_id"]]["user"] == "portal-system"


def test_end_user_is_recorded_after_the_caller(keyed):
    server, keys, _ = keyed
    with client_for(server, keys["clerk"][0]) as c:
        r = ask(c, user="citizen-42")
    rec = {x["seq"]: x for x in read_audit(server.config.parent / "audit" / "govai-audit.jsonl")}
    assert rec[r.model_extra["govai"]["audit_id"]]["user"] == "clerk-system/citizen-42"


def test_over_the_data_level_is_403_and_audited(keyed):
    server, keys, _ = keyed
    with client_for(server, keys["kiosk"][0]) as c:
        ask(c)  # public input is fine
        with pytest.raises(openai.PermissionDeniedError) as e:
            ask(c, WITH_ID)
    assert "kiosk" in e.value.body["message"] and "sensitive" in e.value.body["message"], e.value.body
    denied = [x for x in read_audit(server.config.parent / "audit" / "govai-audit.jsonl")
              if x.get("kind") == "gateway_denied" and x.get("user") == "kiosk-system"]
    assert denied and denied[-1]["reason"] == "data_level", denied
    assert ID_NUMBER not in json.dumps(denied, ensure_ascii=False)


def test_scenarios_outside_the_role_are_403_and_not_listed(keyed):
    server, keys, _ = keyed
    with client_for(server, keys["kiosk"][0]) as c:
        assert [m.id for m in c.models.list()] == ["intelligent_qa"]
        with pytest.raises(openai.PermissionDeniedError):
            ask(c, model="document_drafting")
        with pytest.raises(openai.NotFoundError):
            ask(c, model="no_such_scenario")


def test_native_endpoints_follow_permissions(keyed):
    import urllib.request

    server, keys, _ = keyed

    def post(path: str, key: str) -> int:
        req = urllib.request.Request(server.url + path, data=json.dumps({"text": WITH_ID}).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    assert post("/v1/govai/scan", keys["portal"][0]) == 200
    assert post("/v1/govai/audit/verify", keys["portal"][0]) == 403  # no `audit` permission
    req = urllib.request.Request(server.url + "/v1/govai/audit/verify", data=b"", method="POST",
                                 headers={"Authorization": f"Bearer {keys['clerk'][0]}"})
    with urllib.request.urlopen(req, timeout=60) as r:
        report = json.loads(r.read())
    assert r.status == 200 and report, report


def test_over_the_rate_is_429_with_retry_after(keyed):
    """Role `limited`: 6 per minute, burst 2."""
    server, keys, _ = keyed
    with client_for(server, keys["limited"][0]) as c:
        ok = 0
        with pytest.raises(openai.RateLimitError) as e:
            for _ in range(5):
                ask(c)
                ok += 1
    assert ok == 2, ok
    retry_after = int(e.value.response.headers["retry-after"])
    assert 1 <= retry_after <= 10, retry_after
    assert e.value.body["code"] == "rate_limited", e.value.body
    # Another caller is not affected.
    with client_for(server, keys["clerk"][0]) as c:
        ask(c)
    # Streamed requests are limited the same way (before any event is sent).
    with client_for(server, keys["limited"][0]) as c, pytest.raises(openai.RateLimitError):
        list(ask(c, stream=True))


def test_a_revoked_key_stops_working_within_two_seconds(keyed, govai):
    server, keys, cfg = keyed
    key, key_id = keys["doomed"]
    with client_for(server, key) as c:
        ask(c)
        r = run_govai(govai, "keys", "revoke", "--config", str(cfg), key_id)
        assert r.returncode == 0, r.stderr
        revoked_at = time.monotonic()
        while True:
            try:
                ask(c)
            except openai.AuthenticationError:
                break
            assert time.monotonic() - revoked_at < 2.5, "the revoked key still works"
            time.sleep(0.1)
    # Revoking again is harmless; an unknown id is an error.
    assert run_govai(govai, "keys", "revoke", "--config", str(cfg), key_id).returncode == 0
    assert run_govai(govai, "keys", "revoke", "--config", str(cfg), "ffffffff").returncode != 0


def test_keys_created_after_start_are_enforced(govai, tmp_path):
    cfg = copy_example(tmp_path)
    cfg.write_text(with_keys(cfg.read_text(encoding="utf-8"), ROLES), encoding="utf-8")
    server = GovaiServer(govai, cfg, tmp_path / "serve.log")
    try:
        server.start()
        key, _ = create_key(govai, cfg, "late-portal", "portal")
        time.sleep(1.5)  # past the key file's re-check interval
        with client_for(server, None) as c:
            with pytest.raises(openai.AuthenticationError):
                ask(c)
        with client_for(server, key) as c:
            assert ask(c, WITH_ID).model_extra["govai"]["personal_data"] == "masked"
    finally:
        server.stop()


def test_over_the_data_level_streamed_is_403_too(keyed):
    """The same refusal when streaming: before any event is sent, as for 429 and unknown
    scenarios, so that the client gets PermissionDeniedError and not a 200 stream that ends in
    an error event."""
    server, keys, _ = keyed
    with client_for(server, keys["kiosk"][0]) as c, pytest.raises(openai.PermissionDeniedError):
        list(ask(c, WITH_ID, stream=True))
