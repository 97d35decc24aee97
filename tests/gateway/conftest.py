"""Fixtures of the gateway tests: real `govai serve` processes (and a real llama.cpp server
behind a recording proxy) on 127.0.0.1, each stopped in teardown even when a test fails.

Environment (set by scripts/test-gateway.sh):
  GOVAI_BIN              the govai binary (default: $CARGO_TARGET_DIR or target/, debug)
  GOVAI_REQUIRE_MODELS=1 fail instead of skipping when the GGUF or xllamacpp is missing
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from support import (  # noqa: E402
    ROOT,
    GovaiServer,
    LlamaServer,
    RecordingProxy,
    find_gguf,
    govai_bin,
    has_xllamacpp,
    verify_audit,
)


@pytest.fixture(scope="session")
def govai() -> Path:
    path = govai_bin()
    if not path.is_file():
        pytest.fail(f"govai binary not found at {path}: run scripts/test-gateway.sh (or set GOVAI_BIN)")
    return path


def copy_example(dest: Path) -> Path:
    """govai.example.toml copied into `dest`: its only active path (the audit log) is relative
    to the file, so the copy logs to dest/audit/govai-audit.jsonl."""
    cfg = dest / "govai.toml"
    shutil.copy(ROOT / "govai.example.toml", cfg)
    return cfg


@pytest.fixture(scope="module")
def example_server(govai, tmp_path_factory):
    """`govai serve --config govai.example.toml` (a copy in a temporary directory)."""
    d = tmp_path_factory.mktemp("example")
    cfg = copy_example(d)
    server = GovaiServer(govai, cfg, d / "serve.log")
    try:
        server.start()
        yield server
    finally:
        server.stop()
    verify_audit(govai, d / "audit" / "govai-audit.jsonl")


@pytest.fixture(scope="session")
def llama(tmp_path_factory):
    """A llama.cpp server (PyPI xllamacpp) with the Qwen2.5 0.5B instruct GGUF, 127.0.0.1."""
    gguf = find_gguf()
    missing = None
    if gguf is None:
        missing = "no Qwen instruct GGUF under models/ (make models)"
    elif not has_xllamacpp():
        missing = "xllamacpp is not installed in the venv (make venv)"
    if missing:
        if os.environ.get("GOVAI_REQUIRE_MODELS") == "1":
            pytest.fail(f"GOVAI_REQUIRE_MODELS=1 but {missing}")
        pytest.skip(missing)
    server = LlamaServer(gguf, tmp_path_factory.mktemp("llama") / "llama.log", parallel=1)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture()
def proxy(llama):
    """A recording proxy in front of the llama.cpp server (fresh record per test)."""
    p = RecordingProxy(llama.base_url.rsplit("/v1", 1)[0])
    try:
        p.start()
        yield p
    finally:
        p.stop()


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by selenium through Debian's chromedriver (nothing is
    downloaded), zh-CN, stopped after the module."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    assert chromium and driver_path, "Debian chromium and chromium-driver are needed (scripts/test-gateway.sh installs them)"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1100", "--lang=zh-CN"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def run_govai(govai: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([str(govai), *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)
