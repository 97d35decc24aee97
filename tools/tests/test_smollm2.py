"""Checks on the real SmolLM2 conversion (scripts/convert-smollm2.sh, default --attention gqa,
--compute int8). Skipped when the model is missing, failed instead when GOVAI_REQUIRE_MODELS=1.
GOVAI_SMOLLM2_DIR points the tests at another conversion (default models/smollm2-135m-instruct)."""

import json
import os
from pathlib import Path

import numpy as np
import onnx
import pytest

from tools.tests.conftest import ROOT
from tools.tests.helpers import Runner

MODEL = Path(os.environ.get("GOVAI_SMOLLM2_DIR") or ROOT / "models" / "smollm2-135m-instruct")
CHAT = "<|im_start|>user\n{}<|im_end|>\n<|im_start|>assistant\n"


@pytest.fixture(autouse=True, scope="module")
def _model_present():
    if not (MODEL / "config.json").exists():
        msg = f"{MODEL} missing: run scripts/convert-smollm2.sh first"
        if os.environ.get("GOVAI_REQUIRE_MODELS") == "1":
            pytest.fail(msg + " (GOVAI_REQUIRE_MODELS=1)")
        pytest.skip(msg)


@pytest.fixture(scope="module")
def runner():
    return Runner(MODEL)


def test_config():
    cfg = json.loads((MODEL / "config.json").read_text())
    assert cfg["source_gguf_sha256"] == "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
    assert (cfg["num_layers"], cfg["num_heads"], cfg["num_kv_heads"], cfg["head_dim"]) == (30, 9, 3, 64)
    assert cfg["eos_token_ids"] == [2, 0] and cfg["add_bos_token"] is False
    assert cfg["quantization"].startswith("4bit-matmulnbits-b32")
    expect = {"attention": "gqa", "padding_side": "right", "kv_cache_shareable": True, "has_position_ids": False,
              "matmul_compute": "int8", "max_position_embeddings": 8192}
    assert {k: cfg.get(k) for k in expect} == expect


def test_graph_matches_config(runner):
    assert runner.input_names[:2] == ["input_ids", "attention_mask"] and not runner.has_position_ids
    m = onnx.load(str(MODEL / "model.onnx"))
    gqa = [n for n in m.graph.node if n.op_type == "GroupQueryAttention"]
    assert len(gqa) == 30
    levels = {a.i for n in m.graph.node if n.op_type == "MatMulNBits" for a in n.attribute if a.name == "accuracy_level"}
    assert levels == {4}


def test_greedy_answer_mentions_paris():
    from tools.py_generate import generate, load

    cfg, sess, tok = load(MODEL, 1)
    ids = tok.encode(CHAT.format("What is the capital of France?")).ids
    new, _, _ = generate(cfg, sess, ids, 12)
    assert "Paris" in tok.decode(new, skip_special_tokens=True)


def _greedy(runner: Runner, prompts: list[list[int]], steps: int, capacity: int | None = None):
    """Greedy decoding of right-padded prompts; growing cache, or shared capacity buffers."""
    b, n = len(prompts), max(len(p) for p in prompts)
    pad = runner.cfg["pad_token_id"]
    ids = np.array([p + [pad] * (n - len(p)) for p in prompts], np.int64)
    lens = [len(p) for p in prompts]
    mask = np.array([[1] * k + [0] * (n - k) for k in lens], np.int64)
    bufs = runner.kv_buffers(b, capacity) if capacity else None
    past = None
    out: list[list[int]] = [[] for _ in prompts]
    last: list[np.ndarray] = []
    for _ in range(steps):
        if bufs is None:
            logits, past = runner.run(ids, mask, past=past)
        else:
            logits = runner.run_bound(ids, mask, bufs)
        rows = np.stack([logits[i, lens[i] - 1 if ids.shape[1] > 1 else 0] for i in range(b)])
        last.append(rows)
        nxt = rows.argmax(-1)
        for i in range(b):
            out[i].append(int(nxt[i]))
            lens[i] += 1
        ids = nxt[:, None].astype(np.int64)
        mask = np.array([[1] * k + [0] * (mask.shape[1] + 1 - k) for k in lens], np.int64)
    return out, np.stack(last)


def test_shared_buffer_and_right_padding_on_real_model(runner):
    """Two chat prompts of different lengths, right-padded in one batch: 6 greedy steps with
    shared capacity buffers equal the growing cache, and each row decodes the same tokens as
    when it runs alone."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(MODEL / "tokenizer.json"))
    prompts = [tok.encode(CHAT.format(q)).ids for q in
               ("What is the capital of France?", "Name three primary colours and explain why they are called primary.")]
    assert len(prompts[0]) != len(prompts[1])
    grow_tokens, grow_logits = _greedy(runner, prompts, 6)
    shared_tokens, shared_logits = _greedy(runner, prompts, 6, capacity=64)
    assert shared_tokens == grow_tokens
    assert np.abs(shared_logits - grow_logits).max() < 1e-3
    for i, p in enumerate(prompts):
        alone, _ = _greedy(runner, [p], 6)
        assert alone[0] == grow_tokens[i], (i, tok.decode(alone[0]), tok.decode(grow_tokens[i]))
