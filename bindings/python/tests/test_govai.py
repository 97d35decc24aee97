"""Tests of the Python binding (run by scripts/test-python.sh against the installed wheel)."""

from __future__ import annotations

import json
import pathlib
import threading
from typing import TYPE_CHECKING

import pytest

import govai

if TYPE_CHECKING:
    from conftest import ReleasesGil

OUTCOMES = {"answered", "needs_revision", "refused", "blocked", "escalated"}
LEVELS = {"public", "internal", "sensitive", "important", "core", "secret"}
ID_NUMBER = "11010519491231002X"

CONFIG = """
[deployment]
name = "pytest 部署"

[audit]
path = "audit/audit.jsonl"
fsync = "never"

[[models]]
id = "faq-bm25"
backend = "faq"
clearance = "sensitive"
location = "on_premises"

[[models]]
id = "router-knn"
backend = "router"
clearance = "sensitive"
location = "on_premises"

[[scenarios]]
id = "intelligent_qa"
model = "faq-bm25"

[[scenarios]]
id = "intelligent_routing"
model = "router-knn"
"""


@pytest.fixture
def config(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "govai.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.fixture
def deployment(config: pathlib.Path) -> govai.Deployment:
    return govai.Deployment(str(config))


def test_version() -> None:
    assert isinstance(govai.__version__, str)
    assert govai.__version__.count(".") == 2
    assert all(part.isdigit() for part in govai.__version__.split("."))


def test_handle_end_to_end(config: pathlib.Path, deployment: govai.Deployment) -> None:
    assert deployment.name == "pytest 部署"
    assert deployment.scenarios == ["intelligent_qa", "intelligent_routing"]
    assert deployment.audit_path == config.parent / "audit" / "audit.jsonl"
    assert "pytest" in repr(deployment)

    r = deployment.handle("intelligent_qa", "社保卡丢了怎么补办？", user="pytest")
    assert isinstance(r, dict)
    # A public question the shipped knowledge base answers: released as a reference answer.
    assert r["outcome"] == "answered"
    assert r["verdict"] == "pass"
    assert r["scenario"] == "intelligent_qa"
    assert r["reference_answer"] is True
    assert isinstance(r["human_signoff_required"], bool)
    assert r["data_level"] == "public"
    assert r["audit_id"] == 1
    assert r["sources"] and all(isinstance(s["score"], float) for s in r["sources"])
    assert isinstance(r["audit_hash"], str) and len(r["audit_hash"]) == 64
    assert isinstance(r["request_id"], str) and r["request_id"]
    assert isinstance(r["output"], str) and r["output"]
    assert r["model"]["id"] == "faq-bm25"
    assert isinstance(r["timings_us"]["total"], int)
    # Model content shown: it carries the AI-content label (explicit notice + implicit metadata).
    assert isinstance(r["label"], dict)
    assert r["label"]["explicit"] and r["label"]["explicit"] in r["labelled_output"]
    assert isinstance(r["label"]["implicit"], dict)
    assert r["labelled_output"] != r["output"]

    # A second request continues the chain; request_id and documents pass through.
    r2 = deployment.handle(
        "intelligent_qa",
        "居住证怎么办理？",
        documents=["居住证办理需要提供身份证和居住证明。"],
        request_id="req-42",
    )
    assert r2["request_id"] == "req-42"
    assert r2["audit_id"] == 2

    report = govai.verify_audit(deployment.audit_path)
    assert report["intact"] is True
    assert report["records"] == 2
    assert report["anchor"] == "match"
    assert report["first_bad"] is None


def test_sensitive_input_is_classified(deployment: govai.Deployment) -> None:
    r = deployment.handle("intelligent_qa", f"我的身份证号是{ID_NUMBER}，社保卡怎么补办？")
    assert r["data_level"] != "public"
    assert "cn_resident_id" in {f["type"] for f in r["input_findings"]}


def test_handle_json(deployment: govai.Deployment) -> None:
    out = deployment.handle_json(json.dumps({"scenario": "intelligent_qa", "text": "社保卡丢了怎么补办？"}))
    r = json.loads(out)
    assert r["reference_answer"] is True and r["outcome"] in OUTCOMES
    with pytest.raises(govai.InvalidInputError, match="request JSON"):
        deployment.handle_json('{"scenario": "intelligent_qa", "text": ')


def test_from_toml(tmp_path: pathlib.Path) -> None:
    d = govai.Deployment.from_toml(CONFIG, base_dir=tmp_path / "base")
    assert (tmp_path / "base" / "audit" / "audit.jsonl").exists()
    r = d.handle("intelligent_routing", "小区路灯坏了好几天了，晚上很黑，请尽快维修。")
    assert r["outcome"] in OUTCOMES
    assert r["audit_id"] == 1


def test_deployment_accepts_pathlike(config: pathlib.Path) -> None:
    assert govai.Deployment(config).scenarios == ["intelligent_qa", "intelligent_routing"]


def test_bad_config_raises_config_error(tmp_path: pathlib.Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(CONFIG.replace('clearance = "sensitive"', 'clearance = "top"', 1), encoding="utf-8")
    with pytest.raises(govai.ConfigError) as info:
        govai.Deployment(bad)
    assert isinstance(info.value, govai.GovaiError)
    assert info.value.kind == "config"
    assert "bad.toml" in str(info.value) and "clearance" in str(info.value)
    assert info.value.message == str(info.value)

    with pytest.raises(govai.ConfigError, match="<config>"):
        govai.Deployment.from_toml("[audit]\npath = 7\n")
    with pytest.raises(govai.ConfigError):
        govai.Deployment.from_toml("not [toml", base_dir=tmp_path)


def test_missing_config_raises_io_error(tmp_path: pathlib.Path) -> None:
    with pytest.raises(govai.GovaiIOError) as info:
        govai.Deployment(tmp_path / "missing.toml")
    assert isinstance(info.value, OSError)
    assert info.value.kind == "io"
    assert "missing.toml" in str(info.value)


def test_unknown_scenario_raises_not_found(deployment: govai.Deployment) -> None:
    with pytest.raises(govai.NotFoundError, match="no_such_scenario") as info:
        deployment.handle("no_such_scenario", "你好")
    assert isinstance(info.value, LookupError)
    assert info.value.kind == "not_found"


def test_empty_text_raises_invalid_input(deployment: govai.Deployment) -> None:
    with pytest.raises(govai.InvalidInputError, match="empty") as info:
        deployment.handle("intelligent_qa", "   ")
    assert isinstance(info.value, ValueError)
    assert info.value.kind == "invalid_input"


def test_wrong_argument_types_raise_type_error(deployment: govai.Deployment) -> None:
    with pytest.raises(TypeError):
        deployment.handle("intelligent_qa", 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        govai.scan(None)  # type: ignore[arg-type]


def test_exception_hierarchy() -> None:
    kinds = {
        govai.InvalidInputError: "invalid_input",
        govai.ConfigError: "config",
        govai.NotFoundError: "not_found",
        govai.ModelError: "model",
        govai.ClassificationError: "classification",
        govai.ReviewError: "review",
        govai.AuditError: "audit",
        govai.GovaiIOError: "io",
        govai.CancelledError: "cancelled",
        govai.InternalError: "internal",
    }
    for cls, kind in kinds.items():
        assert issubclass(cls, govai.GovaiError)
        assert cls.kind == kind
    from govai.exceptions import _from_kind

    for cls, kind in kinds.items():
        assert type(_from_kind(kind, "m")) is cls
    future = _from_kind("some_future_kind", "m")
    assert type(future) is govai.GovaiError and future.kind == "some_future_kind"


def test_scan_finds_resident_id() -> None:
    result = govai.scan(f"我的身份证号码是{ID_NUMBER}，请帮我查询。")
    assert set(result) == {"level", "findings", "reasons"}
    assert result["level"] in LEVELS - {"public"}
    ids = [f for f in result["findings"] if f["type"] == "cn_resident_id"]
    assert ids, result
    assert ids[0]["text"] == ID_NUMBER
    text = f"我的身份证号码是{ID_NUMBER}，请帮我查询。"
    assert text[ids[0]["start"] : ids[0]["end"]] == ID_NUMBER
    assert govai.scan("")["level"] == "public"


def test_scan_releases_the_gil(assert_releases_gil: ReleasesGil) -> None:
    """While one thread scans a large text, another Python thread keeps running."""
    text = f"市民来电：身份证号{ID_NUMBER}，手机13800138000，反映小区路灯不亮。" * 20000
    assert_releases_gil(lambda: govai.scan(text), "scan")


def test_threads_share_one_deployment(deployment: govai.Deployment) -> None:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(10):
                deployment.handle("intelligent_qa", "社保卡丢了怎么补办？")
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = govai.verify_audit(deployment.audit_path)
    assert report["intact"] is True and report["records"] == 40


def test_verify_audit_detects_tampering(deployment: govai.Deployment, tmp_path: pathlib.Path) -> None:
    deployment.handle("intelligent_qa", "社保卡丢了怎么补办？", user="alice")
    log = deployment.audit_path
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text(log.read_text(encoding="utf-8").replace('"alice"', '"mallory"'), encoding="utf-8")
    (tmp_path / "tampered.jsonl.anchor").write_bytes(pathlib.Path(f"{log}.anchor").read_bytes())
    report = govai.verify_audit(tampered)
    assert report["intact"] is False
    assert report["first_bad"]["line"] == 1
    assert "edited" in report["first_bad"]["reason"]


def test_verify_audit_missing_file(tmp_path: pathlib.Path) -> None:
    with pytest.raises(govai.GovaiIOError):
        govai.verify_audit(tmp_path / "nope.jsonl")


def test_feedback_is_an_audit_record(config: pathlib.Path, deployment: govai.Deployment) -> None:
    answer = deployment.handle("intelligent_qa", "社保卡丢了怎么补办？")
    fed = deployment.feedback(answer["audit_id"], 1, "没有说要带什么材料", user="hotline-desk-4")
    assert fed == answer["audit_id"] + 1
    log = (config.parent / "audit" / "audit.jsonl").read_text(encoding="utf-8")
    record = json.loads(log.splitlines()[-1])
    assert record["kind"] == "feedback"
    assert (record["audit_ref"], record["rating"], record["triage"], record["user"]) == (
        answer["audit_id"],
        1,
        True,
        "hotline-desk-4",
    )
    assert "没有说要带什么材料" not in log, "only the comment's hash is kept"
    with pytest.raises(govai.InvalidInputError, match="rating 9"):
        deployment.feedback(answer["audit_id"], 9)
    with pytest.raises(govai.NotFoundError, match="31337"):
        deployment.feedback(31337, 4)
    assert govai.verify_audit(str(config.parent / "audit" / "audit.jsonl"))["intact"]
