"""Independent numpy reference forward pass.

It follows llama.cpp's semantics on the *raw* GGUF tensors: for ``llama`` the q/k
rows stay permuted and RoPE is applied to adjacent pairs (llama.cpp "NORM" mode);
for ``qwen2``/``qwen3`` RoPE is NEOX (rotate-half) on unpermuted rows.  The ONNX
graph instead un-permutes and always uses rotate-half, so agreement between the two
checks the un-permutation as well as the rest of the math.
"""

from __future__ import annotations

import numpy as np

from .gguf_model import GGUFModel


def _rms(x: np.ndarray, w: np.ndarray, eps: float) -> np.ndarray:
    x64 = x.astype(np.float64)
    var = np.mean(x64 * x64, axis=-1, keepdims=True)
    return (x64 / np.sqrt(var + eps) * w).astype(np.float64)


def _inv_freq(model: GGUFModel) -> np.ndarray:
    h = model.hparams
    inv = 1.0 / (h.rope_theta ** (np.arange(0, h.head_dim, 2, dtype=np.float64) / h.head_dim))
    if model.rope_freq_factors is not None:
        inv = inv / model.rope_freq_factors.astype(np.float64)
    return inv


def _rope(x: np.ndarray, pos: np.ndarray, inv: np.ndarray, interleaved: bool) -> np.ndarray:
    """x: [b, heads, s, d]; pos: [b, s]."""
    ang = pos[:, None, :, None].astype(np.float64) * inv[None, None, None, :]  # [b,1,s,d/2]
    cos, sin = np.cos(ang), np.sin(ang)
    if interleaved:
        x0, x1 = x[..., 0::2], x[..., 1::2]
        out = np.empty_like(x)
        out[..., 0::2] = x0 * cos - x1 * sin
        out[..., 1::2] = x0 * sin + x1 * cos
        return out
    half = x.shape[-1] // 2
    x0, x1 = x[..., :half], x[..., half:]
    return np.concatenate([x0 * cos - x1 * sin, x1 * cos + x0 * sin], axis=-1)


def forward(
    model: GGUFModel,
    input_ids: np.ndarray,
    attention_mask: np.ndarray | None = None,
    position_ids: np.ndarray | None = None,
) -> np.ndarray:
    """Full (uncached) forward. Returns float64 logits [b, s, vocab]."""
    h = model.hparams
    t = model.raw_tensors
    ids = np.asarray(input_ids, dtype=np.int64)
    b, s = ids.shape
    if attention_mask is None:
        attention_mask = np.ones((b, s), dtype=np.int64)
    if position_ids is None:
        position_ids = np.broadcast_to(np.arange(s, dtype=np.int64), (b, s))
    interleaved = h.arch == "llama"
    inv = _inv_freq(model)
    nh, nkv, d = h.num_heads, h.num_kv_heads, h.head_dim
    rep = nh // nkv

    causal = np.tril(np.ones((s, s), dtype=bool))
    allowed = causal[None, None] & (attention_mask[:, None, None, :] != 0)  # [b,1,s,s]

    x = t["token_embd.weight"][ids].astype(np.float64)
    for i in range(h.num_layers):
        p = f"blk.{i}."
        xn = _rms(x, t[p + "attn_norm.weight"], h.rms_norm_eps)
        q = xn @ t[p + "attn_q.weight"].T.astype(np.float64)
        k = xn @ t[p + "attn_k.weight"].T.astype(np.float64)
        v = xn @ t[p + "attn_v.weight"].T.astype(np.float64)
        if p + "attn_q.bias" in t:
            q = q + t[p + "attn_q.bias"]
            k = k + t[p + "attn_k.bias"]
            v = v + t[p + "attn_v.bias"]
        q = q.reshape(b, s, nh, d).transpose(0, 2, 1, 3)
        k = k.reshape(b, s, nkv, d).transpose(0, 2, 1, 3)
        v = v.reshape(b, s, nkv, d).transpose(0, 2, 1, 3)
        if h.arch == "qwen3":
            q = _rms(q, t[p + "attn_q_norm.weight"], h.rms_norm_eps)
            k = _rms(k, t[p + "attn_k_norm.weight"], h.rms_norm_eps)
        q = _rope(q, position_ids, inv, interleaved)
        k = _rope(k, position_ids, inv, interleaved)
        k = np.repeat(k, rep, axis=1)
        v = np.repeat(v, rep, axis=1)
        sc = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d)
        sc = np.where(allowed, sc, -np.inf)
        m = np.max(sc, axis=-1, keepdims=True)
        m = np.where(np.isfinite(m), m, 0.0)
        e = np.exp(sc - m)
        den = e.sum(-1, keepdims=True)
        pr = np.where(den > 0, e / np.where(den > 0, den, 1.0), 1.0 / s)
        o = (pr @ v).transpose(0, 2, 1, 3).reshape(b, s, nh * d)
        x = x + o @ t[p + "attn_output.weight"].T.astype(np.float64)
        xn = _rms(x, t[p + "ffn_norm.weight"], h.rms_norm_eps)
        g = xn @ t[p + "ffn_gate.weight"].T.astype(np.float64)
        u = xn @ t[p + "ffn_up.weight"].T.astype(np.float64)
        x = x + ((g / (1.0 + np.exp(-g))) * u) @ t[p + "ffn_down.weight"].T.astype(np.float64)
    x = _rms(x, t["output_norm.weight"], h.rms_norm_eps)
    head = t.get("output.weight", t["token_embd.weight"])
    return x @ head.T.astype(np.float64)
