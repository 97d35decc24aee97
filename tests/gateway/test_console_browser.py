"""The web console in a real browser: headless Debian Chromium (selenium) against `govai serve`
on 127.0.0.1, with a real llama.cpp server as the upstream model. A public-facing answer that
cites nothing is escalated and queued; a reviewer signs in with a key, finds it in the queue,
approves it with the keyboard, and the caller's poll returns the reviewed answer; an auditor
has no review section and the API refuses an approval made in the auditor's session; the
dashboard's count and chart include a request made a moment before; the audit page finds the
decision and verifies the chain; the English toggle works; nothing is fetched from outside the
server. A screenshot of every page goes to target/test-artifacts/console-*.png."""

from __future__ import annotations

import json
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import run_govai
from support import ROOT, GovaiServer, read_audit, verify_audit

ARTIFACTS = ROOT / "target" / "test-artifacts"

CONFIG = """
[deployment]
name = "示例市12345热线"

[audit]
path = "audit.jsonl"
fsync = "never"

[[models]]
id = "faq"
backend = "faq"
clearance = "sensitive"
location = "on_premises"

[[models]]
id = "qwen"
backend = "openai"
version = "qwen2.5-0.5b-instruct"
base_url = "{base_url}"
upstream_model = "qwen2.5-0.5b-instruct"
clearance = "sensitive"
location = "on_premises"
max_tokens = 64
retries = {{ max = 0 }}
timeouts = {{ connect_ms = 2000, first_token_ms = 120000, total_ms = 180000 }}

[[scenarios]]
id = "intelligent_qa"
model = "faq"

[[scenarios]]
id = "hotline_public"
model = "qwen"
name_zh = "热线公众答复"
name_en = "Hotline public answers"
category = "public_service"
public_facing = true
task = "answer"
ceiling = "sensitive"
human_signoff = false
reviewers = ["citation"]
prompt_template = "{{query}}"
metrics = []

[server]
keys_file = "keys.json"

[server.roles.portal]
scenarios = ["*"]
rate_per_minute = 0
concurrency = 0

[server.roles.reviewer]
permissions = ["review_queue"]
personal_data = "masked"

[server.roles.auditor]
permissions = ["audit"]

[server.roles.admin]
permissions = ["review_queue", "audit", "knowledge_base", "models", "admin"]

[store]
backend = "sqlite"
path = "store.sqlite"
sla_minutes = 30
"""



@pytest.fixture(scope="module")
def console(govai, llama, tmp_path_factory):
    d = tmp_path_factory.mktemp("console")
    cfg = d / "govai.toml"
    cfg.write_text(CONFIG.format(base_url=llama.base_url), encoding="utf-8")
    keys = {}
    for caller, role in (("wechat-portal", "portal"), ("reviewer-li", "reviewer"), ("auditor-zhao", "auditor"), ("it-lead", "admin")):
        r = run_govai(govai, "keys", "create", "--config", str(cfg), "--caller", caller, "--role", role, "--json")
        assert r.returncode == 0, r.stderr
        keys[role] = json.loads(r.stdout)["key"]
    server = GovaiServer(govai, cfg, d / "serve.log")
    try:
        server.start()
        yield server, keys, d
    finally:
        server.stop()
    verify_audit(govai, d / "audit.jsonl")


def api(server, key: str, path: str, body: dict | None = None) -> dict:
    req = urllib.request.Request(
        server.url + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="GET" if body is None else "POST",
    )
    with urllib.request.urlopen(req, timeout=240) as r:
        return json.loads(r.read())


def shot(browser, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / f"console-{name}.png"))


def check_page(browser, server) -> None:
    """Nothing fetched from elsewhere; every visible form field has a label."""
    fetched = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    foreign = [u for u in fetched if not u.startswith(server.url)]
    assert foreign == [], f"the page fetched {foreign}"
    unlabelled = browser.execute_script(
        """return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(e => !e.id || !document.querySelector(`label[for="${e.id}"]`)).map(e => e.outerHTML)""")
    assert unlabelled == [], unlabelled


def sign_in(browser, server, key: str) -> None:
    browser.delete_all_cookies()
    browser.get(server.url + "/console/login")
    field = browser.find_element(By.ID, "key")
    assert browser.find_element(By.CSS_SELECTOR, "label[for=key]").text == "API 密钥"
    field.send_keys(key)
    field.send_keys(Keys.ENTER)
    WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-testid=who]")))


def test_reviewer_approves_an_escalated_answer_and_the_caller_receives_it(console, browser):
    server, keys, _ = console
    asked = api(server, keys["portal"], "/v1/chat/completions", {
        "model": "hotline_public",
        "messages": [{"role": "user", "content": "下水道堵了，物业不管，我该找哪个部门？"}],
    })
    g = asked["govai"]
    assert g["outcome"] == "escalated", g
    review_id, poll = g["review"]["id"], g["review"]["poll"]
    assert api(server, keys["portal"], poll)["state"] == "pending"

    sign_in(browser, server, keys["reviewer"])
    assert browser.current_url.endswith("/console/reviews")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    shot(browser, "queue")
    check_page(browser, server)
    nav = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "header nav a")]
    assert "审核队列" in nav and "审计" not in nav, nav
    link = browser.find_element(By.CSS_SELECTOR, f"a[href='/console/reviews/{review_id}']")
    link.click()
    WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-testid=draft]")))
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=review-state]").text == "未认领"
    assert "no_sources" in browser.find_element(By.CSS_SELECTOR, "ul.reasons").text
    shot(browser, "review")
    check_page(browser, server)
    # The keyboard: "a" approves (the draft as it is).
    browser.find_element(By.TAG_NAME, "body").send_keys("a")
    WebDriverWait(browser, 20).until(EC.url_contains("done=approved"))
    assert "已批准" in browser.find_element(By.CSS_SELECTOR, ".notice").text
    shot(browser, "approved")

    view = api(server, keys["portal"], poll)
    assert view["state"] == "approved" and view["reviewed"] is True, view
    assert view["content"].startswith("【本回答已经工作人员审核】"), view


def test_auditor_cannot_approve(console, browser):
    server, keys, _ = console
    asked = api(server, keys["portal"], "/v1/chat/completions", {
        "model": "hotline_public",
        "messages": [{"role": "user", "content": "小区噪音扰民，晚上施工，怎么投诉？"}],
    })
    review_id = asked["govai"]["review"]["id"]
    sign_in(browser, server, keys["auditor"])
    assert browser.current_url.endswith("/console/dashboard")
    nav = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "header nav a")]
    assert "审核队列" not in nav and "审计" in nav, nav
    browser.get(server.url + "/console/reviews")
    assert "may not work the review queue" in browser.find_element(By.CSS_SELECTOR, ".error").text
    # A hand-made approval form posted from the auditor's own session: the API refuses it.
    csrf = browser.find_element(By.CSS_SELECTOR, "input[name=csrf]").get_attribute("value")
    browser.execute_script(
        """const f = document.createElement('form'); f.method = 'post'; f.action = arguments[0];
        for (const [k, v] of [['csrf', arguments[1]], ['action', 'approve']]) {
          const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i); }
        document.body.appendChild(f); f.submit();""",
        f"/console/reviews/{review_id}/decide", csrf,
    )
    WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".error")))
    assert "may not work the review queue" in browser.find_element(By.CSS_SELECTOR, ".error").text
    shot(browser, "auditor-refused")
    assert api(server, keys["portal"], asked["govai"]["review"]["poll"])["state"] == "pending"


def test_dashboard_shows_the_request_just_made(console, browser):
    server, keys, _ = console
    sign_in(browser, server, keys["admin"])
    browser.get(server.url + "/console/dashboard")
    before = int(browser.find_element(By.CSS_SELECTOR, "[data-testid=total-requests]").text)
    api(server, keys["portal"], "/v1/chat/completions", {
        "model": "intelligent_qa", "messages": [{"role": "user", "content": "社保卡丢了怎么补办？"}],
    })
    browser.refresh()
    after = int(browser.find_element(By.CSS_SELECTOR, "[data-testid=total-requests]").text)
    assert after == before + 1
    chart = browser.find_element(By.CSS_SELECTOR, "[data-testid=chart-volume] svg")
    assert chart.get_attribute("role") == "img"
    titles = [t.get_attribute("textContent") for t in chart.find_elements(By.CSS_SELECTOR, "rect title")]
    answered = sum(float(t.split(": ")[1]) for t in titles if t.startswith("已回答"))
    assert answered >= 1, titles
    table = browser.find_element(By.CSS_SELECTOR, "[data-testid=per-scenario]").text
    assert "intelligent_qa" in table and "hotline_public" in table
    shot(browser, "dashboard")
    check_page(browser, server)


def test_audit_search_verify_and_the_other_pages(console, browser):
    server, keys, d = console
    sign_in(browser, server, keys["admin"])
    browser.get(server.url + "/console/audit?kind=human_review")
    rows = browser.find_element(By.CSS_SELECTOR, "[data-testid=records]").text
    assert "reviewer-li" in rows and "approve" in rows, rows
    browser.find_element(By.CSS_SELECTOR, "[data-testid=verify]").click()
    WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-testid=verdict]")))
    assert "哈希链完整" in browser.find_element(By.CSS_SELECTOR, "[data-testid=verdict]").text
    shot(browser, "audit")
    check_page(browser, server)
    browser.get(server.url + "/console/models")
    assert "qwen" in browser.find_element(By.CSS_SELECTOR, "[data-testid=registry]").text
    shot(browser, "models")
    check_page(browser, server)
    browser.get(server.url + "/console/kb")
    shot(browser, "kb")
    check_page(browser, server)
    # English on request, kept across pages.
    browser.find_element(By.CSS_SELECTOR, "a[lang=en]").click()
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    browser.get(server.url + "/console/dashboard")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Dashboard"
    shot(browser, "dashboard-en")
    browser.find_element(By.CSS_SELECTOR, "a[lang=zh]").click()
    # Every sign-in is in the audit log with its caller.
    records = read_audit(d / "audit.jsonl")
    signed = {r["user"] for r in records if r.get("kind") == "console" and r.get("action") == "sign_in"}
    assert {"reviewer-li", "auditor-zhao", "it-lead"} <= signed, signed
