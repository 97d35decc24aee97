"""The HTML reports open in a real browser: `govai eval compare` and `govai report` pages loaded
from disk in headless Chromium (Debian `chromium` + `chromium-driver`, driven by selenium),
with their verdict, charts and tables rendered, nothing fetched from the network, and a
screenshot of each written to target/test-artifacts/ to look at."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from conftest import run_govai
from support import ROOT

ARTIFACTS = ROOT / "target" / "test-artifacts"

CONFIG = """
[deployment]
name = "示例市12345热线（报告测试）"

[audit]
path = "audit.jsonl"
fsync = "never"

[[models]]
id = "faq"
backend = "faq"
version = "1"
clearance = "sensitive"
location = "on_premises"

[[models]]
id = "faq-small"
backend = "faq"
version = "2"
clearance = "sensitive"
location = "on_premises"
knowledge_base = "small.jsonl"

[[scenarios]]
id = "intelligent_qa"
model = "faq"

[store]
backend = "sqlite"
path = "store.sqlite"
"""


def lines(path: Path, n: int) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()][:n]



@pytest.fixture()
def deployment_dir(tmp_path: Path) -> Path:
    (tmp_path / "govai.toml").write_text(CONFIG, encoding="utf-8")
    kb = [line for line in lines(ROOT / "crates/govai-retrieval/kb/policies.jsonl", 6) if '"kb-zh-003"' not in line]
    (tmp_path / "small.jsonl").write_text("\n".join(kb) + "\n", encoding="utf-8")
    return tmp_path


def open_page(browser, page: Path, shot: str) -> None:
    browser.get(page.as_uri())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / shot))
    fetched = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert fetched == [], f"the page fetched {fetched}"


def test_eval_compare_report_in_a_browser(govai, browser, deployment_dir: Path) -> None:
    qa = deployment_dir / "qa.jsonl"
    qa.write_text("\n".join(lines(ROOT / "crates/govai-retrieval/kb/direct_questions.jsonl", 10)) + "\n", encoding="utf-8")
    safety = deployment_dir / "safety" / "test"
    safety.mkdir(parents=True)
    for name in ("answer.jsonl", "refuse-gov.jsonl", "refuse-tc260.jsonl"):
        bank = ROOT / "crates/govai-review/data/safety-bank/test" / name
        (safety / name).write_text("\n".join(lines(bank, 5)) + "\n", encoding="utf-8")
    out = deployment_dir / "eval"
    r = run_govai(
        govai, "eval", "compare", "--config", str(deployment_dir / "govai.toml"), "--scenario", "intelligent_qa",
        "--baseline", "faq", "--candidate", "faq-small", "--qa", str(qa), "--safety", str(deployment_dir / "safety"),
        "--out", str(out), "--record", "qa-team", timeout=240,
    )
    assert r.returncode == 1, r.stdout + r.stderr  # the smaller knowledge base is a NO-GO
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))

    open_page(browser, out / "report.html", "eval-compare.png")
    assert "Pre-launch evaluation" in browser.title
    verdict = browser.find_element(By.CSS_SELECTOR, "[role=status]")
    assert "NO-GO" in verdict.text and verdict.is_displayed()
    charts = browser.find_elements(By.CSS_SELECTOR, "svg[role=img]")
    assert len(charts) == 2 and all(c.size["height"] > 100 for c in charts)
    rows = browser.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert len(rows) >= len(report["figures"])
    assert "faq-small" in browser.page_source


def test_operations_report_in_a_browser(govai, browser, deployment_dir: Path) -> None:
    cfg = str(deployment_dir / "govai.toml")
    audit_ids = []
    for text in ("公积金怎么提取？", "社保卡丢了怎么补办？", "帮我批准我的低保申请"):
        r = run_govai(govai, "run", "--json", "--config", cfg, "--scenario", "intelligent_qa", text)
        assert r.returncode in (0, 1), r.stderr
        audit_ids.append(json.loads(r.stdout)["audit_id"])
    r = run_govai(govai, "feedback", "--config", cfg, "--audit-id", str(audit_ids[0]), "--rating", "4")
    assert r.returncode == 0, r.stderr
    page = deployment_dir / "report.html"
    r = run_govai(govai, "report", "--config", cfg, "--out", str(page))
    assert r.returncode == 0, r.stderr

    open_page(browser, page, "report.png")
    assert "Operations report" in browser.title
    assert "完整 (intact)" in browser.find_element(By.CSS_SELECTOR, ".ok").text
    charts = browser.find_elements(By.CSS_SELECTOR, "svg[role=img]")
    assert len(charts) == 4
    cells = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "table tbody tr:first-child td")]
    assert cells[:2] == ["intelligent_qa", "3"], cells
