"""Checks on the real SmolLM2 conversion; skipped unless scripts/convert-smollm2.sh has run."""

import json

import pytest

from tools.tests.conftest import ROOT

MODEL = ROOT / "models" / "smollm2-135m-instruct"
pytestmark = pytest.mark.skipif(not (MODEL / "config.json").exists(), reason="run scripts/convert-smollm2.sh first")


def test_config():
    cfg = json.loads((MODEL / "config.json").read_text())
    assert cfg["source_gguf_sha256"] == "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
    assert (cfg["num_layers"], cfg["num_heads"], cfg["num_kv_heads"], cfg["head_dim"]) == (30, 9, 3, 64)
    assert cfg["eos_token_ids"] == [2, 0] and cfg["add_bos_token"] is False


def test_greedy_answer_mentions_paris():
    from tools.py_generate import generate, load

    cfg, sess, tok = load(MODEL, 1)
    ids = tok.encode("<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n").ids
    new, _, _ = generate(cfg, sess, ids, 12)
    assert "Paris" in tok.decode(new, skip_special_tokens=True)
