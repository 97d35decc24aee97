"""Converter tests on the tiny random-weight GGUF fixtures (tools/fixtures)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import numpy as np
import onnx
import pytest
from tokenizers import Tokenizer

from tools.gguf2onnx import load_gguf
from tools.gguf2onnx.reference import forward
from tools.tests.conftest import ARCHS, FIXTURES, ROOT
from tools.tests.helpers import Runner, dequantized_reference_model

FP32_TOL = 1e-4


def _gm(arch):
    return load_gguf(FIXTURES / f"tiny-{arch}.gguf")


def _ids(rng, vocab, b, s):
    return rng.integers(0, vocab, (b, s), dtype=np.int64)


def _sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_fixtures_are_reproducible(tmp_path):
    from tools.fixtures.make_fixtures import FIXTURES as NAMES, main

    main(str(tmp_path))
    for name in NAMES:
        assert _sha(tmp_path / name) == _sha(FIXTURES / name), f"{name} differs from its generator"


@pytest.mark.parametrize("arch", ARCHS)
def test_fp32_matches_numpy_reference(arch, converted):
    gm = _gm(arch)
    r = Runner(converted(arch, "none"))
    ids = _ids(np.random.default_rng(1), gm.hparams.vocab_size, 3, 11)
    logits, present = r.run(ids)
    ref = forward(gm, ids)
    assert logits.shape == (3, 11, gm.hparams.vocab_size)
    assert np.abs(logits - ref).max() < FP32_TOL
    k0 = present["past_key_values.0.key"]
    assert k0.shape == (3, gm.hparams.num_kv_heads, 11, gm.hparams.head_dim)


@pytest.mark.parametrize("quant", ["none", "4bit", "4bit-gguf"])
@pytest.mark.parametrize("arch", ARCHS)
def test_cached_decoding_equals_full_forward(arch, quant, converted):
    gm = _gm(arch)
    r = Runner(converted(arch, quant))
    ids = _ids(np.random.default_rng(2), gm.hparams.vocab_size, 2, 12)
    full, _ = r.run(ids)
    tol = FP32_TOL if quant == "none" else 1e-3
    # prefill 5, one chunk of 3 with past, then token by token
    logits, past = r.run(ids[:, :5])
    got = [logits]
    logits, past = r.run(ids[:, 5:8], past=past)
    got.append(logits)
    for t in range(8, 12):
        logits, past = r.run(ids[:, t:t + 1], past=past)
        got.append(logits)
    cached = np.concatenate(got, axis=1)
    assert np.abs(cached - full).max() < tol
    assert past["past_key_values.1.value"].shape[2] == 12
    if quant == "none":
        assert np.abs(cached - forward(gm, ids)).max() < FP32_TOL


@pytest.mark.parametrize("arch", ARCHS)
def test_batch_left_padding(arch, converted):
    gm = _gm(arch)
    r = Runner(converted(arch, "none"))
    rng = np.random.default_rng(3)
    a = _ids(rng, gm.hparams.vocab_size, 1, 7)[0]
    b = _ids(rng, gm.hparams.vocab_size, 1, 4)[0]
    pad = int(r.cfg["pad_token_id"])
    ids = np.array([a, np.concatenate([[pad] * 3, b])])
    mask = np.array([[1] * 7, [0] * 3 + [1] * 4])
    pos = np.clip(np.cumsum(mask, axis=1) - 1, 0, None)
    logits, past = r.run(ids, mask, pos)
    ref_a, ref_b = forward(gm, a[None]), forward(gm, b[None])
    assert np.abs(logits[0] - ref_a[0]).max() < FP32_TOL
    assert np.abs(logits[1, 3:] - ref_b[0]).max() < FP32_TOL
    assert np.isfinite(logits).all()
    # one decode step for both rows
    nxt = np.array([[5], [6]])
    mask2 = np.concatenate([mask, [[1], [1]]], axis=1)
    pos2 = pos[:, -1:] + 1
    l2, _ = r.run(nxt, mask2, pos2, past)
    assert np.abs(l2[0, 0] - forward(gm, np.append(a, 5)[None])[0, -1]).max() < FP32_TOL
    assert np.abs(l2[1, 0] - forward(gm, np.append(b, 6)[None])[0, -1]).max() < FP32_TOL


@pytest.mark.parametrize("arch", ARCHS)
def test_4bit_matches_dequantized_reference(arch, converted):
    gm = _gm(arch)
    d = converted(arch, "4bit")
    r = Runner(d)
    ids = _ids(np.random.default_rng(4), gm.hparams.vocab_size, 2, 10)
    logits, _ = r.run(ids)
    # exact check: reference forward with the 4-bit weights read back from the ONNX file
    deq = dequantized_reference_model(gm, d / "model.onnx")
    assert np.abs(logits - forward(deq, ids)).max() < 1e-3
    # loose check against the original (unquantised GGUF) weights: random tiny models are
    # much less quantisation-friendly than trained ones
    ref = forward(gm, ids)
    rel = np.linalg.norm(logits - ref) / np.linalg.norm(ref)
    assert rel < 0.35
    top5 = np.argsort(-logits, axis=-1)[..., :5]
    assert (top5 == ref.argmax(-1)[..., None]).any(-1).mean() >= 0.9


@pytest.mark.parametrize("arch", ARCHS)
def test_4bit_graph(arch, converted):
    gm = _gm(arch)
    m = onnx.load(str(converted(arch, "4bit") / "model.onnx"))
    ops = [n.op_type for n in m.graph.node]
    L = gm.hparams.num_layers
    assert ops.count("MatMulNBits") == 4 * L + 1  # qkv, o, gate_up, down per layer + lm_head (also when tied)
    assert ops.count("GatherBlockQuantized") == 1
    assert {(o.domain or "ai.onnx"): o.version for o in m.opset_import}["ai.onnx"] == 17
    used = {i for n in m.graph.node for i in n.input}
    assert all(t.name in used for t in m.graph.initializer), "unused initializers left"
    big_fp = [t.name for t in m.graph.initializer if t.data_type == onnx.TensorProto.FLOAT and np.prod(t.dims) > 256
              and not t.name.endswith("_scales")]
    assert not big_fp, big_fp
    for n in m.graph.node:
        if n.op_type in ("MatMulNBits", "GatherBlockQuantized"):
            a = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}
            assert a["block_size"] == 32
            if n.op_type == "MatMulNBits":
                assert a["bits"] == 4 and a["accuracy_level"] == 1


@pytest.mark.parametrize("arch", ARCHS)
def test_io_names(arch, converted):
    gm = _gm(arch)
    r = Runner(converted(arch, "4bit"))
    ins = [i.name for i in r.sess.get_inputs()]
    L = gm.hparams.num_layers
    assert ins[:3] == ["input_ids", "attention_mask", "position_ids"]
    assert ins[3:] == [f"past_key_values.{i}.{kv}" for i in range(L) for kv in ("key", "value")]
    assert r.out_names == ["logits"] + [f"present.{i}.{kv}" for i in range(L) for kv in ("key", "value")]


@pytest.mark.parametrize("arch", ARCHS)
def test_config_and_files(arch, converted):
    gm = _gm(arch)
    d = converted(arch, "4bit")
    cfg = json.loads((d / "config.json").read_text())
    h = gm.hparams
    for k, v in {"architecture": arch, "num_layers": h.num_layers, "num_heads": h.num_heads,
                 "num_kv_heads": h.num_kv_heads, "head_dim": h.head_dim, "hidden_size": h.hidden_size,
                 "vocab_size": h.vocab_size, "max_position_embeddings": 2048, "has_position_ids": True,
                 "add_bos_token": False}.items():
        assert cfg[k] == v, k
    assert cfg["source_gguf_sha256"] == _sha(FIXTURES / f"tiny-{arch}.gguf")
    assert cfg["rope_theta"] == (100000.0 if arch == "llama" else 1000000.0)
    tok = Tokenizer.from_file(str(d / "tokenizer.json"))
    im_end = tok.token_to_id("<|im_end|>")
    assert cfg["eos_token_ids"][0] == im_end
    assert tok.token_to_id("<|endoftext|>") in cfg["eos_token_ids"]
    if arch == "llama":
        assert cfg["eos_token_ids"] == [2, 0] and cfg["bos_token_id"] == 1 and cfg["pad_token_id"] == 2
    tmpl = (d / "chat_template.jinja").read_text()
    assert "<|im_start|>" in tmpl and "add_generation_prompt" in tmpl


def _ref_bpe(word: str, ranks: dict) -> list[str]:
    parts = list(word)
    while len(parts) > 1:
        best = min(((ranks.get((a, b), 1 << 30), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))))
        if best[0] == 1 << 30:
            break
        i = best[1]
        parts = parts[:i] + [parts[i] + parts[i + 1]] + parts[i + 2:]
    return parts


TEXTS = ["The capital of France is Paris.", "Hello there, how are you today?", "如何办理居住证？北京市公安局",
         "emoji 🙂 and accents: café naïve", "numbers 2024年3月5日 12345", "  two  spaces\nnew line\t tab", ""]


@pytest.mark.parametrize("arch", ARCHS)
def test_tokenizer_roundtrip(arch, converted):
    gm = _gm(arch)
    tok = Tokenizer.from_file(str(converted(arch, "none") / "tokenizer.json"))
    assert tok.get_vocab_size() == gm.hparams.vocab_size
    tokens = gm.metadata["tokenizer.ggml.tokens"]
    ranks = {tuple(m.split(" ")): i for i, m in enumerate(gm.metadata["tokenizer.ggml.merges"])}
    for text in TEXTS:
        enc = tok.encode(text)
        assert tok.decode(enc.ids, skip_special_tokens=False) == text
        # BPE check against an independent merge-rank implementation over the same pre-tokens
        words = [w for w, _ in tok.pre_tokenizer.pre_tokenize_str(tok.normalizer.normalize_str(text) if tok.normalizer else text)]
        expect = [t for w in words for t in _ref_bpe(w, ranks)]
        assert [tokens[i] for i in enc.ids] == expect
    # merges are used: a frequent corpus word is one token
    assert len(tok.encode(" the").ids) == 1
    # specials are single ids, no BOS/post-processor added
    prompt = "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n"
    ids = tok.encode(prompt).ids
    assert ids[0] == tok.token_to_id("<|im_start|>")
    assert ids.count(tok.token_to_id("<|im_end|>")) == 1
    assert tok.decode(ids, skip_special_tokens=False) == prompt
    assert tok.encode("Paris").ids == tok.encode("Paris", add_special_tokens=True).ids
    assert json.loads(tok.to_str())["post_processor"] is None


def test_checked_in_tiny_llama_onnx_is_current(converted):
    """tools/fixtures/tiny-llama-onnx (used by the Rust tests) = fresh fp32 conversion."""
    d = FIXTURES / "tiny-llama-onnx"
    fresh = converted("llama", "none")
    for f in ("config.json", "tokenizer.json", "chat_template.jinja"):
        assert (d / f).read_text() == (fresh / f).read_text(), f
    ids = np.array([[1, 50, 60, 70, 80, 2]])
    a, _ = Runner(d).run(ids)
    b, _ = Runner(fresh).run(ids)
    assert np.abs(a - b).max() < 1e-6


def test_cli(tmp_path):
    out = tmp_path / "o"
    p = subprocess.run([sys.executable, "-m", "tools.gguf2onnx", str(FIXTURES / "tiny-qwen3.gguf"), str(out),
                        "--quant", "none", "-q"], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert {f.name for f in out.iterdir()} == {"model.onnx", "tokenizer.json", "config.json", "chat_template.jinja"}


def test_cli_rejects_unsupported_arch(tmp_path):
    import gguf

    bad = tmp_path / "bad.gguf"
    w = gguf.GGUFWriter(str(bad), "gemma3")
    w.add_block_count(1)
    w.add_tensor("token_embd.weight", np.zeros((4, 32), np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    p = subprocess.run([sys.executable, "-m", "tools.gguf2onnx", str(bad), str(tmp_path / "o")],
                       cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 2
    assert "unsupported GGUF architecture 'gemma3'" in p.stderr
