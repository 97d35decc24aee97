"""Deployment.check_documents: recognised pages against the example checklist
(examples/assisted-handling-checklist.toml)."""

from __future__ import annotations

import datetime
import json
import pathlib

import pytest

import govai

EXAMPLE = pathlib.Path(__file__).resolve().parents[3] / "examples" / "assisted-handling-checklist.toml"
ID = "11010519491231002X"


@pytest.fixture
def deployment(tmp_path: pathlib.Path) -> govai.Deployment:
    text = EXAMPLE.read_text(encoding="utf-8").replace("../.govai-demo/documents-audit.jsonl", "audit.jsonl")
    return govai.Deployment.from_toml(text, tmp_path)


def page(file: str, *lines: str, confidence: float = 0.95) -> dict[str, object]:
    return {"file": file, "lines": [{"text": t, "confidence": confidence} for t in lines]}


def pages(signature_confidence: float = 0.95) -> list[dict[str, object]]:
    form = page("form.jpg", "居住证申领登记表", "申请人姓名：王小明", f"身份证号码：{ID}", "居住地址：示例市和平区长安路88号")
    form["lines"].append({"text": "申请人签名：王小明", "confidence": signature_confidence})  # type: ignore[attr-defined]
    form["lines"].append({"text": "填表日期：2026年12月1日", "confidence": 0.95})  # type: ignore[attr-defined]
    return [
        page("front.jpg", "姓名 王小明", "住址 北京市东城区景山前街4号", f"公民身份号码 {ID}"),
        page("back.jpg", "居民身份证", "有效期限 2016.03.01-2036.03.01"),
        page("hukou.jpg", "常住人口登记卡", "姓名 王小明", f"公民身份号码 {ID}", "住址 北京市东城区景山前街4号"),
        form,
        page("lease.jpg", "房屋租赁合同", "租赁期限：2026年6月1日至2027年5月31日", "乙方（签字）：王小明"),
    ]


def test_complete_submission(deployment: govai.Deployment, tmp_path: pathlib.Path) -> None:
    r = deployment.check_documents("assisted_handling", pages(), as_of=datetime.date(2026, 12, 5), user="window-3")
    assert r["decision"] == "clerk" and r["outcome"] == "checked"
    assert r["complete"] is True, r["issues"]
    statuses = {m["id"]: m["status"] for m in r["materials"]}
    assert statuses["residence_certificate"] == "not_needed"
    assert all(statuses[m] == "present" for m in ("id_card", "household_register", "application_form", "lease"))
    out = json.dumps(r, ensure_ascii=False)
    assert ID not in out and "王小明" not in out
    log = (tmp_path / "audit.jsonl").read_text(encoding="utf-8")
    assert '"kind":"document_check"' in log and ID not in log
    assert govai.verify_audit(str(tmp_path / "audit.jsonl"))["intact"]


def test_unreadable_signature_and_errors(deployment: govai.Deployment) -> None:
    r = deployment.check_documents("assisted_handling", pages(signature_confidence=0.3), as_of="2026-12-05")
    form = next(m for m in r["materials"] if m["id"] == "application_form")
    assert form["status"] == "unreadable"
    sig = next(f for f in form["fields"] if f["name"] == "申请人签名")
    assert (sig["status"], sig["page"], sig["line"]) == ("low_confidence", 4, 5)
    with pytest.raises(govai.exceptions.NotFoundError):
        deployment.check_documents("intelligent_qa", pages())
    with pytest.raises(govai.exceptions.InvalidInputError):
        deployment.check_documents("assisted_handling", [])
    with pytest.raises(govai.exceptions.InvalidInputError):
        deployment.check_documents("assisted_handling", [{"file": "a", "lines": "x"}])
    with pytest.raises(govai.exceptions.InvalidInputError):
        deployment.check_documents("assisted_handling", pages(), as_of="5.12.2026")
