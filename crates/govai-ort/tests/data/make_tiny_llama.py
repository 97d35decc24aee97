#!/usr/bin/env python3
"""Generate the tiny random-weight Llama fixture used by govai-ort's tests.

Writes `tiny-llama/` next to this script: `model.onnx` (optimum KV-cache layout: `input_ids`,
`attention_mask`, `position_ids`, `past_key_values.N.key/value` -> `logits`, `present.N.key/value`),
`tokenizer.json` (a byte-level BPE trained on a few sentences incl. Chinese, so CJK characters
span several tokens), `config.json` (the importer's keys) and `chat_template.jinja` (ChatML).

The graph is checked against a numpy reference forward pass before it is written.
Needs only numpy, onnx, onnxruntime and tokenizers (no torch):

    .venv/bin/python crates/govai-ort/tests/data/make_tiny_llama.py
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "tiny-llama")

LAYERS = 2
HIDDEN = 32
HEADS = 4
KV_HEADS = 2
HEAD_DIM = HIDDEN // HEADS
FFN = 48
ROPE_THETA = 10000.0
EPS = 1e-5
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

CORPUS = [
    "Hello world. The quick brown fox jumps over the lazy dog.",
    "How do I renew my passport? Please bring your ID card.",
    "user assistant system",
    "你好，世界。如何续签护照？请携带身份证。",
    "政务服务 智能问答 智能分办",
]


def make_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=3 + 256 + 64,
        special_tokens=SPECIALS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(CORPUS * 4, trainer)
    return tok


def rms(x, w):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + EPS) * w


def rope(x, pos):
    # x [b, h, s, d]; pos [b, s]
    inv = 1.0 / (ROPE_THETA ** (np.arange(0, HEAD_DIM, 2, dtype=np.float32) / HEAD_DIM))
    freqs = pos[:, :, None].astype(np.float32) * inv[None, None, :]
    emb = np.concatenate([freqs, freqs], -1)[:, None]
    cos, sin = np.cos(emb), np.sin(emb)
    x1, x2 = x[..., : HEAD_DIM // 2], x[..., HEAD_DIM // 2 :]
    rot = np.concatenate([-x2, x1], -1)
    return x * cos + rot * sin


def reference(w, ids, mask, pos):
    """numpy forward pass without cache: logits [b, s, vocab]."""
    b, s = ids.shape
    x = w["embed"][ids]
    causal = np.tril(np.ones((s, s), dtype=bool))
    allowed = causal[None, None] & (mask[:, None, None, :] > 0)
    for layer in range(LAYERS):
        p = f"l{layer}."
        h = rms(x, w[p + "ln1"])
        q = (h @ w[p + "wq"]).reshape(b, s, HEADS, HEAD_DIM).transpose(0, 2, 1, 3)
        k = (h @ w[p + "wk"]).reshape(b, s, KV_HEADS, HEAD_DIM).transpose(0, 2, 1, 3)
        v = (h @ w[p + "wv"]).reshape(b, s, KV_HEADS, HEAD_DIM).transpose(0, 2, 1, 3)
        q, k = rope(q, pos), rope(k, pos)
        rep = HEADS // KV_HEADS
        k, v = np.repeat(k, rep, axis=1), np.repeat(v, rep, axis=1)
        sc = q @ k.transpose(0, 1, 3, 2) / np.sqrt(HEAD_DIM)
        sc = np.where(allowed, sc, -1e9)
        sc = np.exp(sc - sc.max(-1, keepdims=True))
        sc = sc / sc.sum(-1, keepdims=True)
        o = (sc @ v).transpose(0, 2, 1, 3).reshape(b, s, HIDDEN)
        x = x + o @ w[p + "wo"]
        h = rms(x, w[p + "ln2"])
        g = h @ w[p + "wg"]
        x = x + ((g / (1 + np.exp(-g))) * (h @ w[p + "wu"])) @ w[p + "wd"]
    x = rms(x, w["norm"])
    return x @ w["embed"].T


def build_graph(w, vocab):
    nodes, inits = [], []

    def init(name, arr):
        inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def node(op, ins, outs=None, **attrs):
        name = f"n{len(nodes)}_{op}"
        outs = outs or [name + "_out"]
        nodes.append(helper.make_node(op, ins, outs, name=name, **attrs))
        return outs[0] if len(outs) == 1 else outs

    for k, v in w.items():
        init(k, v)
    init("c_eps", np.array(EPS, np.float32))
    init("c_neg", np.array(-1e9, np.float32))
    init("c_scale", np.array(1.0 / np.sqrt(HEAD_DIM), np.float32))
    init("c_inv", (1.0 / (ROPE_THETA ** (np.arange(0, HEAD_DIM, 2, dtype=np.float32) / HEAD_DIM))).astype(np.float32))
    init("c_shape_q", np.array([0, 0, HEADS, HEAD_DIM], np.int64))
    init("c_shape_kv", np.array([0, 0, KV_HEADS, HEAD_DIM], np.int64))
    init("c_shape_rep", np.array([0, HEADS, -1, HEAD_DIM], np.int64))
    init("c_shape_out", np.array([0, 0, HIDDEN], np.int64))
    init("c_rep", np.array([1, 1, HEADS // KV_HEADS, 1, 1], np.int64))
    init("c_i0", np.array([0], np.int64))
    init("c_i1", np.array([1], np.int64))
    init("c_i2", np.array([2], np.int64))
    init("c_i3", np.array([3], np.int64))
    init("c_zero", np.array(0, np.int64))
    init("c_one", np.array(1, np.int64))
    init("c_half", np.array([HEAD_DIM // 2], np.int64))
    init("c_end", np.array([HEAD_DIM], np.int64))

    def rmsnorm(x, wname):
        sq = node("Mul", [x, x])
        mean = node("ReduceMean", [sq], axes=[-1], keepdims=1)
        den = node("Sqrt", [node("Add", [mean, "c_eps"])])
        return node("Mul", [node("Div", [x, den]), wname])

    # lengths
    s_len = node("Squeeze", [node("Slice", [node("Shape", ["input_ids"]), "c_i1", "c_i2"])], )
    past_len = node("Squeeze", [node("Slice", [node("Shape", ["past_key_values.0.key"]), "c_i2", "c_i3"])])
    total = node("Add", [s_len, past_len])
    # mask [b,1,s,T]
    q_idx = node("Add", [node("Range", ["c_zero", s_len, "c_one"]), past_len])
    q_idx = node("Unsqueeze", [q_idx, "c_i1"])  # [s,1]
    k_idx = node("Unsqueeze", [node("Range", ["c_zero", total, "c_one"]), "c_i0"])  # [1,T]
    causal = node("LessOrEqual", [k_idx, q_idx])  # [s,T]
    pad = node("Cast", [node("Unsqueeze", ["attention_mask", node("Concat", ["c_i1", "c_i2"], axis=0)])], to=TensorProto.BOOL)
    allowed = node("And", [causal, pad])  # [b,1,s,T]
    # rope tables [b,1,s,d]
    posf = node("Cast", [node("Unsqueeze", ["position_ids", node("Constant", [], value=numpy_helper.from_array(np.array([2], np.int64)))])], to=TensorProto.FLOAT)
    freqs = node("Mul", [posf, "c_inv"])
    emb = node("Concat", [freqs, freqs], axis=-1)
    cos = node("Unsqueeze", [node("Cos", [emb]), "c_i1"])
    sin = node("Unsqueeze", [node("Sin", [emb]), "c_i1"])

    def apply_rope(x):
        x1 = node("Slice", [x, "c_i0", "c_half", "c_i3"])
        x2 = node("Slice", [x, "c_half", "c_end", "c_i3"])
        rot = node("Concat", [node("Neg", [x2]), x1], axis=-1)
        return node("Add", [node("Mul", [x, cos]), node("Mul", [rot, sin])])

    x = node("Gather", ["embed", "input_ids"])
    outputs = []
    for layer in range(LAYERS):
        p = f"l{layer}."
        h = rmsnorm(x, p + "ln1")
        q = node("Transpose", [node("Reshape", [node("MatMul", [h, p + "wq"]), "c_shape_q"])], perm=[0, 2, 1, 3])
        k = node("Transpose", [node("Reshape", [node("MatMul", [h, p + "wk"]), "c_shape_kv"])], perm=[0, 2, 1, 3])
        v = node("Transpose", [node("Reshape", [node("MatMul", [h, p + "wv"]), "c_shape_kv"])], perm=[0, 2, 1, 3])
        q, k = apply_rope(q), apply_rope(k)
        pk = node("Concat", [f"past_key_values.{layer}.key", k], [f"present.{layer}.key"], axis=2)
        pv = node("Concat", [f"past_key_values.{layer}.value", v], [f"present.{layer}.value"], axis=2)

        def repeat(t):
            u = node("Unsqueeze", [t, "c_i2"])
            shp = node("Mul", [node("Shape", [u]), "c_rep"])
            return node("Reshape", [node("Expand", [u, shp]), "c_shape_rep"])

        kk, vv = repeat(pk), repeat(pv)
        sc = node("Mul", [node("MatMul", [q, node("Transpose", [kk], perm=[0, 1, 3, 2])]), "c_scale"])
        sc = node("Where", [allowed, sc, "c_neg"])
        pr = node("Softmax", [sc], axis=-1)
        o = node("Reshape", [node("Transpose", [node("MatMul", [pr, vv])], perm=[0, 2, 1, 3]), "c_shape_out"])
        x = node("Add", [x, node("MatMul", [o, p + "wo"])])
        h = rmsnorm(x, p + "ln2")
        g = node("MatMul", [h, p + "wg"])
        act = node("Mul", [g, node("Sigmoid", [g])])
        x = node("Add", [x, node("MatMul", [node("Mul", [act, node("MatMul", [h, p + "wu"])]), p + "wd"])])
        outputs += [f"present.{layer}.key", f"present.{layer}.value"]
    x = rmsnorm(x, "norm")
    init("lm_head", np.ascontiguousarray(w["embed"].T))
    node("MatMul", [x, "lm_head"], ["logits"])

    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"]),
        helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
    ]
    outs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", "sequence_length", vocab])]
    for layer in range(LAYERS):
        for kind in ("key", "value"):
            inputs.append(helper.make_tensor_value_info(
                f"past_key_values.{layer}.{kind}", TensorProto.FLOAT,
                ["batch_size", KV_HEADS, "past_sequence_length", HEAD_DIM]))
            outs.append(helper.make_tensor_value_info(
                f"present.{layer}.{kind}", TensorProto.FLOAT,
                ["batch_size", KV_HEADS, "total_sequence_length", HEAD_DIM]))
    graph = helper.make_graph(nodes, "tiny_llama", inputs, outs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="govai-make-tiny-llama")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main():
    os.makedirs(OUT, exist_ok=True)
    tok = make_tokenizer()
    vocab = tok.get_vocab_size()
    assert [tok.token_to_id(t) for t in SPECIALS] == [0, 1, 2]
    rng = np.random.default_rng(20261126)

    def mat(i, o, scale=None):
        return (rng.standard_normal((i, o)) * (scale or 1.0 / np.sqrt(i))).astype(np.float32)

    w = {"embed": (rng.standard_normal((vocab, HIDDEN)) * 0.5).astype(np.float32)}
    for layer in range(LAYERS):
        p = f"l{layer}."
        w[p + "ln1"] = (1.0 + 0.1 * rng.standard_normal(HIDDEN)).astype(np.float32)
        w[p + "ln2"] = (1.0 + 0.1 * rng.standard_normal(HIDDEN)).astype(np.float32)
        w[p + "wq"], w[p + "wk"] = mat(HIDDEN, HIDDEN, 0.5), mat(HIDDEN, KV_HEADS * HEAD_DIM, 0.5)
        w[p + "wv"], w[p + "wo"] = mat(HIDDEN, KV_HEADS * HEAD_DIM), mat(HIDDEN, HIDDEN)
        w[p + "wg"], w[p + "wu"], w[p + "wd"] = mat(HIDDEN, FFN), mat(HIDDEN, FFN), mat(FFN, HIDDEN)
    w["norm"] = np.ones(HIDDEN, np.float32) * 2.0
    model = build_graph(w, vocab)

    # Check against numpy: left-padded batch of two, full sequence, no cache.
    import onnxruntime as ort

    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    ids = np.array([[0, 0, 5, 17, 40, 99], [7, 8, 9, 10, 11, 12]], np.int64)
    mask = np.array([[0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]], np.int64)
    pos = np.clip(np.cumsum(mask, -1) - 1, 0, None)
    feed = {"input_ids": ids, "attention_mask": mask, "position_ids": pos}
    for layer in range(LAYERS):
        for kind in ("key", "value"):
            feed[f"past_key_values.{layer}.{kind}"] = np.zeros((2, KV_HEADS, 0, HEAD_DIM), np.float32)
    got = sess.run(["logits"], feed)[0]
    want = reference(w, ids, mask, pos)
    err = np.abs(got - want)[mask > 0].max()
    print("max |onnx - numpy| over unpadded positions:", err)
    assert err < 1e-4, err

    onnx.save(model, os.path.join(OUT, "model.onnx"))
    tok.save(os.path.join(OUT, "tokenizer.json"))
    config = {
        "architecture": "llama",
        "num_layers": LAYERS,
        "num_heads": HEADS,
        "num_kv_heads": KV_HEADS,
        "head_dim": HEAD_DIM,
        "hidden_size": HIDDEN,
        "vocab_size": vocab,
        "bos_token_id": 1,
        "eos_token_ids": [2, 0],
        "pad_token_id": 2,
        "add_bos_token": False,
        "has_position_ids": True,
        "rope_theta": ROPE_THETA,
    }
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    with open(os.path.join(OUT, "chat_template.jinja"), "w") as f:
        f.write(
            "{% for message in messages %}"
            "{% if message['role'] not in ['system', 'user', 'assistant'] %}"
            "{{ raise_exception('unknown role ' + message['role']) }}{% endif %}"
            "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
            "{% endfor %}"
            "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
        )
    size = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"wrote {OUT} ({size} bytes, vocab {vocab})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
