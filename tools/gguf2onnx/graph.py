"""Build the decoder ONNX graph (opset 17) in the optimum KV-cache layout.

Inputs : input_ids int64 [b,s], attention_mask int64 [b,past+s], position_ids int64 [b,s],
         past_key_values.N.key/value f32 [b,kv_heads,past,head_dim]
Outputs: logits f32 [b,s,vocab], present.N.key/value f32 [b,kv_heads,past+s,head_dim]
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .gguf_model import GGUFModel

OPSET = 17
MS_DOMAIN = "com.microsoft"
F32_MIN = float(np.finfo(np.float32).min)


class _B:
    """Tiny graph-building helper."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self._n = 0
        self._consts: dict[tuple, str] = {}

    def name(self, base: str) -> str:
        self._n += 1
        return f"{base}_{self._n}"

    def op(self, op_type: str, inputs: list[str], base: str | None = None, n_out: int = 1,
           domain: str = "", **attrs) -> str | list[str]:
        nm = self.name(base or op_type)
        outs = [f"{nm}_out{i}" if n_out > 1 else f"{nm}_out" for i in range(n_out)]
        self.nodes.append(helper.make_node(op_type, inputs, outs, name=nm, domain=domain, **attrs))
        return outs if n_out > 1 else outs[0]

    def init(self, name: str, arr: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def const(self, arr, dtype=np.int64) -> str:
        a = np.asarray(arr, dtype=dtype)
        key = (a.dtype.str, a.shape, a.tobytes())
        if key not in self._consts:
            self._consts[key] = self.init(f"const_{len(self._consts)}", a)
        return self._consts[key]


def _rms_norm(g: _B, x: str, weight_name: str, eps: float, base: str) -> str:
    # Pattern Pow -> ReduceMean -> Add -> Sqrt -> Div -> Mul: ORT fuses it to SimplifiedLayerNormalization.
    sq = g.op("Pow", [x, g.const(2.0, np.float32)], base + "/pow")
    mean = g.op("ReduceMean", [sq], base + "/mean", axes=[-1], keepdims=1)
    var = g.op("Add", [mean, g.const(eps, np.float32)], base + "/add")
    std = g.op("Sqrt", [var], base + "/sqrt")
    xn = g.op("Div", [x, std], base + "/div")
    return g.op("Mul", [xn, weight_name], base + "/mul")


def _linear(g: _B, x: str, w: np.ndarray, name: str, bias: np.ndarray | None = None) -> str:
    """x @ w.T (+ bias); w is [out, in] (HF layout). Initializer is stored [in, out] for MatMul."""
    wt = g.init(name + ".weight_t", np.ascontiguousarray(w.T.astype(np.float32)))
    y = g.op("MatMul", [x, wt], name + "/MatMul")
    if bias is not None:
        y = g.op("Add", [y, g.init(name + ".bias", bias.astype(np.float32))], name + "/Add")
    return y


def _rope(g: _B, x: str, cos: str, sin: str, half: int, base: str) -> str:
    """rotate-half RoPE on x [b,heads,s,d]; cos/sin [b,1,s,d]."""
    x1, x2 = g.op("Split", [x, g.const([half, half])], base + "/split", n_out=2, axis=-1)
    rot = g.op("Concat", [g.op("Neg", [x2], base + "/neg"), x1], base + "/cat", axis=-1)
    a = g.op("Mul", [x, cos], base + "/mulcos")
    c = g.op("Mul", [rot, sin], base + "/mulsin")
    return g.op("Add", [a, c], base + "/add")


ATTENTION_KINDS = ("gqa", "ops")


def _qkv_heads(g: _B, qkv: str, h, q_norm: str | None, k_norm: str | None, base: str) -> tuple[str, str, str]:
    """Split the fused projection into q [b,s,nh,d] and k/v [b,s,nkv,d]; qwen3's per-head
    RMSNorm on q and k happens here (before RoPE)."""
    nh, nkv, d = h.num_heads, h.num_kv_heads, h.head_dim
    q, k, v = g.op("Split", [qkv, g.const([nh * d, nkv * d, nkv * d])], f"{base}/qkv_split", n_out=3, axis=-1)
    q = g.op("Reshape", [q, g.const([0, 0, nh, d])], f"{base}/q_reshape")
    k = g.op("Reshape", [k, g.const([0, 0, nkv, d])], f"{base}/k_reshape")
    v = g.op("Reshape", [v, g.const([0, 0, nkv, d])], f"{base}/v_reshape")
    if q_norm is not None:
        q = _rms_norm(g, q, q_norm, h.rms_norm_eps, f"{base}/q_norm")
        k = _rms_norm(g, k, k_norm, h.rms_norm_eps, f"{base}/k_norm")
    return q, k, v


def _gqa_attention(g: _B, h, inv_freq: np.ndarray):
    """Per-layer attention as one com.microsoft.GroupQueryAttention node (RoPE inside).

    GQA reads the sequence lengths from the attention mask as right padding: valid tokens are
    the first sum(mask) positions of each row, and RoPE positions follow from that, so the graph
    has no position_ids input. past/present are BNSH; when the caller binds one buffer of
    max_length as both past and present, onnxruntime writes only the new positions in place."""
    nh, nkv, d = h.num_heads, h.num_kv_heads, h.head_dim
    n_pos = int(h.max_position_embeddings)
    freqs = np.outer(np.arange(n_pos, dtype=np.float64), inv_freq.astype(np.float64))  # [P, d/2]
    cos = g.init("rope.cos_cache", np.cos(freqs).astype(np.float32))
    sin = g.init("rope.sin_cache", np.sin(freqs).astype(np.float32))
    mask_len = g.op("ReduceSum", ["attention_mask", g.const([1])], "mask_len", keepdims=0)  # [b]
    seqlens_k = g.op("Cast", [g.op("Sub", [mask_len, g.const(1)], "seqlens_k64")], "seqlens_k", to=TensorProto.INT32)
    total = g.op("Gather", [g.op("Shape", ["attention_mask"], "mask_shape"), g.const(1)], "total_len", axis=0)
    total = g.op("Cast", [total], "total_len32", to=TensorProto.INT32)

    def block(qkv: str, i: int, q_norm: str | None, k_norm: str | None) -> str:
        L = f"layers.{i}"
        if q_norm is None:
            q, k, v = qkv, "", ""  # packed: GQA splits q/k/v itself
        else:
            q, k, v = _qkv_heads(g, qkv, h, q_norm, k_norm, L)
            q = g.op("Reshape", [q, g.const([0, 0, nh * d])], f"{L}/q_flat")
            k = g.op("Reshape", [k, g.const([0, 0, nkv * d])], f"{L}/k_flat")
            v = g.op("Reshape", [v, g.const([0, 0, nkv * d])], f"{L}/v_flat")
        out = g.name(f"{L}/gqa")
        g.nodes.append(helper.make_node(
            "GroupQueryAttention",
            [q, k, v, f"past_key_values.{i}.key", f"past_key_values.{i}.value", seqlens_k, total, cos, sin],
            [out, f"present.{i}.key", f"present.{i}.value"],
            name=f"{L}/GroupQueryAttention", domain=MS_DOMAIN,
            num_heads=nh, kv_num_heads=nkv, do_rotary=1, rotary_interleaved=0, scale=float(1.0 / np.sqrt(d))))
        return out

    return block


def _ops_attention(g: _B, h, inv_freq: np.ndarray):
    """Per-layer attention in standard ONNX ops (opset 17): explicit RoPE from position_ids,
    a causal + padding additive mask, KV concat, and grouped-query MatMuls that broadcast K/V
    over each query group instead of copying them."""
    nh, nkv, d = h.num_heads, h.num_kv_heads, h.head_dim
    rep, half = nh // nkv, d // 2
    ids_shape = g.op("Shape", ["input_ids"], "ids_shape")
    seq_len = g.op("Gather", [ids_shape, g.const(1)], "seq_len", axis=0)  # scalar
    mask_shape = g.op("Shape", ["attention_mask"], "mask_shape")
    total_len = g.op("Gather", [mask_shape, g.const(1)], "total_len", axis=0)  # scalar
    past_len = g.op("Sub", [total_len, seq_len], "past_len")

    inv_name = g.init("rope.inv_freq", inv_freq.astype(np.float32).reshape(1, 1, half))
    pos_f = g.op("Cast", ["position_ids"], "pos_f", to=TensorProto.FLOAT)
    pos_u = g.op("Unsqueeze", [pos_f, g.const([-1])], "pos_u")  # [b,s,1]
    freqs = g.op("Mul", [pos_u, inv_name], "freqs")  # [b,s,half]
    emb = g.op("Concat", [freqs, freqs], "rope_emb", axis=-1)  # [b,s,d]
    emb = g.op("Unsqueeze", [emb, g.const([1])], "rope_emb_u")  # [b,1,s,d]
    cos = g.op("Cos", [emb], "rope_cos")
    sin = g.op("Sin", [emb], "rope_sin")

    # allowed[b,1,1,s,T] = (k <= past + q) & attention_mask[b,k] != 0
    q_idx = g.op("Range", [past_len, total_len, g.const(1)], "q_idx")  # [s]
    k_idx = g.op("Range", [g.const(0), total_len, g.const(1)], "k_idx")  # [T]
    q_col = g.op("Unsqueeze", [q_idx, g.const([1])], "q_col")  # [s,1]
    causal = g.op("LessOrEqual", [k_idx, q_col], "causal")  # [s,T]
    pad = g.op("Cast", ["attention_mask"], "mask_bool", to=TensorProto.BOOL)  # [b,T]
    pad = g.op("Unsqueeze", [pad, g.const([1, 2, 3])], "mask_u")  # [b,1,1,1,T]
    allowed = g.op("And", [causal, pad], "allowed")  # [b,1,1,s,T]
    add_mask = g.op("Where", [allowed, g.const(0.0, np.float32), g.const(F32_MIN, np.float32)], "add_mask")
    scale = g.const(1.0 / np.sqrt(d), np.float32)

    def block(qkv: str, i: int, q_norm: str | None, k_norm: str | None) -> str:
        L = f"layers.{i}"
        q, k, v = _qkv_heads(g, qkv, h, q_norm, k_norm, L)
        q = g.op("Transpose", [q], f"{L}/q_t", perm=[0, 2, 1, 3])  # [b,nh,s,d]
        k = g.op("Transpose", [k], f"{L}/k_t", perm=[0, 2, 1, 3])  # [b,nkv,s,d]
        v = g.op("Transpose", [v], f"{L}/v_t", perm=[0, 2, 1, 3])
        q = _rope(g, q, cos, sin, half, f"{L}/q_rope")
        k = _rope(g, k, cos, sin, half, f"{L}/k_rope")
        present_k = f"present.{i}.key"
        present_v = f"present.{i}.value"
        g.nodes.append(helper.make_node("Concat", [f"past_key_values.{i}.key", k], [present_k], name=f"{L}/k_cat", axis=2))
        g.nodes.append(helper.make_node("Concat", [f"past_key_values.{i}.value", v], [present_v], name=f"{L}/v_cat", axis=2))

        # GQA without copying K/V: group query heads per kv head, broadcast K/V over the group.
        qs = g.op("Mul", [q, scale], f"{L}/q_scale")
        q5 = g.op("Reshape", [qs, g.const([0, nkv, rep, -1, d])], f"{L}/q5")  # [b,nkv,rep,s,d]
        kT = g.op("Transpose", [present_k], f"{L}/kT", perm=[0, 1, 3, 2])  # [b,nkv,d,T]
        kT5 = g.op("Unsqueeze", [kT, g.const([2])], f"{L}/kT5")  # [b,nkv,1,d,T]
        v5 = g.op("Unsqueeze", [present_v, g.const([2])], f"{L}/v5")  # [b,nkv,1,T,d]
        sc = g.op("MatMul", [q5, kT5], f"{L}/scores")  # [b,nkv,rep,s,T]
        sc = g.op("Add", [sc, add_mask], f"{L}/masked")
        pr = g.op("Softmax", [sc], f"{L}/softmax", axis=-1)
        o = g.op("MatMul", [pr, v5], f"{L}/attn_v")  # [b,nkv,rep,s,d]
        o = g.op("Reshape", [o, g.const([0, nh, -1, d])], f"{L}/o4")  # [b,nh,s,d]
        o = g.op("Transpose", [o], f"{L}/o_t", perm=[0, 2, 1, 3])  # [b,s,nh,d]
        return g.op("Reshape", [o, g.const([0, 0, nh * d])], f"{L}/o3")  # [b,s,nh*d]

    return block


def build_graph(model: GGUFModel, fold_tied_head: bool = True, attention: str = "gqa") -> onnx.ModelProto:
    """fold_tied_head: give a tied lm_head its own transposed initializer (needed for 4-bit
    quantisation); if False, reuse the embedding through a Transpose node (smaller fp32 file).

    attention: "gqa" (default) runs each layer's attention in onnxruntime's fused
    com.microsoft.GroupQueryAttention (RoPE inside, no position_ids input, right padding, and a
    KV cache the runtime may share in place between past and present); "ops" spells attention
    out in standard ONNX ops (any ONNX runtime, position_ids input, any padding)."""
    if attention not in ATTENTION_KINDS:
        raise ValueError(f"attention must be one of {ATTENTION_KINDS}")
    gqa = attention == "gqa"
    h = model.hparams
    W = model.tensors
    nkv, d = h.num_kv_heads, h.head_dim
    if h.num_heads % nkv:
        raise ValueError("num_heads must be a multiple of num_kv_heads")
    if gqa and d % 16:
        raise ValueError(f"attention 'gqa' needs head_dim a multiple of 16 (got {d}); use attention 'ops'")
    g = _B()

    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"]),
    ]
    if not gqa:
        inputs.append(helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch_size", "sequence_length"]))
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", "sequence_length", h.vocab_size])]
    for i in range(h.num_layers):
        for kv in ("key", "value"):
            inputs.append(helper.make_tensor_value_info(
                f"past_key_values.{i}.{kv}", TensorProto.FLOAT, ["batch_size", nkv, "past_sequence_length", d]))
            outputs.append(helper.make_tensor_value_info(
                f"present.{i}.{kv}", TensorProto.FLOAT, ["batch_size", nkv, "total_sequence_length", d]))

    inv = 1.0 / (h.rope_theta ** (np.arange(0, d, 2, dtype=np.float64) / d))
    if model.rope_freq_factors is not None:
        inv = inv / model.rope_freq_factors.astype(np.float64)
    attention_block = _gqa_attention(g, h, inv) if gqa else _ops_attention(g, h, inv)

    # ---- embeddings ----------------------------------------------------------------------
    embed = g.init("model.embed_tokens.weight", W["token_embd.weight"].astype(np.float32))
    x = g.op("Gather", [embed, "input_ids"], "embed", axis=0)  # [b,s,H]

    for i in range(h.num_layers):
        p = f"blk.{i}."
        L = f"layers.{i}"
        xn = _rms_norm(g, x, g.init(f"{L}.input_layernorm.weight", W[p + "attn_norm.weight"]), h.rms_norm_eps, f"{L}/attn_norm")
        # Fused q/k/v projection (one MatMul, split afterwards): fewer, larger kernels.
        wqkv = np.concatenate([W[p + "attn_q.weight"], W[p + "attn_k.weight"], W[p + "attn_v.weight"]], axis=0)
        bqkv = None
        if p + "attn_q.bias" in W:
            bqkv = np.concatenate([W[p + "attn_q.bias"], W[p + "attn_k.bias"], W[p + "attn_v.bias"]])
        qkv = _linear(g, xn, wqkv, f"{L}.qkv_proj", bqkv)
        q_norm = k_norm = None
        if h.arch == "qwen3":
            q_norm = g.init(f"{L}.q_norm.weight", W[p + "attn_q_norm.weight"])
            k_norm = g.init(f"{L}.k_norm.weight", W[p + "attn_k_norm.weight"])
        o = attention_block(qkv, i, q_norm, k_norm)  # [b,s,nh*d]
        o = _linear(g, o, W[p + "attn_output.weight"], f"{L}.o_proj")
        x = g.op("Add", [x, o], f"{L}/attn_residual")

        xn = _rms_norm(g, x, g.init(f"{L}.post_attention_layernorm.weight", W[p + "ffn_norm.weight"]), h.rms_norm_eps, f"{L}/ffn_norm")
        F = W[p + "ffn_gate.weight"].shape[0]
        gu = _linear(g, xn, np.concatenate([W[p + "ffn_gate.weight"], W[p + "ffn_up.weight"]], axis=0), f"{L}.gate_up_proj")
        gate, up = g.op("Split", [gu, g.const([F, F])], f"{L}/gate_up_split", n_out=2, axis=-1)
        act = g.op("Mul", [gate, g.op("Sigmoid", [gate], f"{L}/sigmoid")], f"{L}/silu")
        act = g.op("Mul", [act, up], f"{L}/swiglu")
        down = _linear(g, act, W[p + "ffn_down.weight"], f"{L}.down_proj")
        x = g.op("Add", [x, down], f"{L}/mlp_residual")

    x = _rms_norm(g, x, g.init("model.norm.weight", W["output_norm.weight"]), h.rms_norm_eps, "final_norm")
    # Tied embeddings: lm_head gets its own transposed initializer so the 4-bit quantizer
    # turns it into MatMulNBits (models.md §2.3 step 2) instead of skipping it.
    if h.tied_embeddings and not fold_tied_head:
        wt = g.op("Transpose", [embed], "lm_head/tied_transpose", perm=[1, 0])
    else:
        head = W.get("output.weight", W["token_embd.weight"])
        wt = g.init("lm_head.weight_t", np.ascontiguousarray(head.T.astype(np.float32)))
    g.nodes.append(helper.make_node("MatMul", [x, wt], ["logits"], name="lm_head/MatMul"))

    graph = helper.make_graph(g.nodes, "govai_decoder", inputs, outputs, initializer=g.inits)
    opsets = [helper.make_opsetid("", OPSET)]
    if gqa:
        opsets.append(helper.make_opsetid(MS_DOMAIN, 1))
    m = helper.make_model(graph, opset_imports=opsets, producer_name="govai-gguf2onnx")
    m.ir_version = 10
    return m
