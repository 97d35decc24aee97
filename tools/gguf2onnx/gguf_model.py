"""Read a Llama-family GGUF file into hyper-parameters and dequantised numpy weights.

Layout facts (see shared reference models.md §2.1):
* GGUF dims are innermost-first; ``gguf.GGUFReader`` already exposes numpy-order
  shapes for the raw data, and ``gguf.quants.dequantize`` returns row-major
  ``[out, in]`` matrices (HF ``nn.Linear`` layout).
* llama.cpp's ``convert_hf_to_gguf.py`` permutes the rows of ``attn_q`` / ``attn_k``
  (weights and biases) for the ``llama`` architecture only (``LlamaModel.permute``),
  so that its interleaved ("NORM") RoPE works.  qwen2 / qwen3 are exported without
  the permutation and use NEOX (rotate-half) RoPE.  We undo the permutation for
  ``llama`` so that every architecture uses rotate-half RoPE in the ONNX graph.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from gguf import GGUFReader, GGMLQuantizationType
from gguf.quants import dequantize

SUPPORTED_ARCHS = ("llama", "qwen2", "qwen3")
# Architectures whose GGUF q/k rows were permuted by llama.cpp's converter.
PERMUTED_QK_ARCHS = ("llama",)


@dataclass
class HParams:
    arch: str
    num_layers: int
    hidden_size: int
    intermediate_size: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    vocab_size: int
    max_position_embeddings: int
    rope_theta: float
    rms_norm_eps: float
    tied_embeddings: bool
    name: str = ""


@dataclass
class GGUFModel:
    path: Path
    hparams: HParams
    # name -> float32 ndarray, numpy (row-major) layout; q/k already un-permuted for llama
    tensors: dict[str, np.ndarray]
    # raw GGUF layout (before un-permuting), for the llama.cpp-semantics reference
    raw_tensors: dict[str, np.ndarray]
    metadata: dict[str, object] = field(default_factory=dict)
    tensor_types: dict[str, str] = field(default_factory=dict)
    rope_freq_factors: np.ndarray | None = None


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _field_value(reader: GGUFReader, key: str):
    f = reader.fields.get(key)
    if f is None:
        return None
    return f.contents()


def read_metadata(reader: GGUFReader) -> dict[str, object]:
    meta: dict[str, object] = {}
    for key in reader.fields:
        if key.startswith("GGUF."):
            continue
        meta[key] = _field_value(reader, key)
    return meta


def unpermute_rows(w: np.ndarray, n_head: int) -> np.ndarray:
    """Undo llama.cpp ``LlamaModel.permute`` on the first axis (weights [rows, in] or bias [rows])."""
    rows = w.shape[0]
    assert rows % (2 * n_head) == 0, (rows, n_head)
    return (
        w.reshape(n_head, rows // n_head // 2, 2, *w.shape[1:])
        .swapaxes(1, 2)
        .reshape(w.shape)
    )


def permute_rows(w: np.ndarray, n_head: int) -> np.ndarray:
    """llama.cpp ``LlamaModel.permute`` (HF layout -> GGUF layout); used by the fixture writer."""
    rows = w.shape[0]
    return (
        w.reshape(n_head, 2, rows // n_head // 2, *w.shape[1:])
        .swapaxes(1, 2)
        .reshape(w.shape)
    )


def _dequant(t) -> np.ndarray:
    qtype = GGMLQuantizationType(int(t.tensor_type))
    if qtype == GGMLQuantizationType.F32:
        arr = np.asarray(t.data, dtype=np.float32)
    else:
        arr = dequantize(np.asarray(t.data), qtype).astype(np.float32, copy=False)
    shape = tuple(int(d) for d in reversed(list(t.shape)))
    return np.ascontiguousarray(arr.reshape(shape))


def load_gguf(path: str | Path, *, load_tensors: bool = True) -> GGUFModel:
    path = Path(path)
    reader = GGUFReader(str(path))
    meta = read_metadata(reader)
    arch = str(meta.get("general.architecture"))
    if arch not in SUPPORTED_ARCHS:
        raise ValueError(
            f"unsupported GGUF architecture {arch!r}; supported: {', '.join(SUPPORTED_ARCHS)}"
        )

    def hp(key: str, default=None):
        v = meta.get(f"{arch}.{key}", default)
        if v is None:
            raise ValueError(f"GGUF is missing required key {arch}.{key}")
        return v

    scaling = meta.get(f"{arch}.rope.scaling.type")
    if scaling not in (None, "none", "linear") or (
        scaling == "linear" and float(meta.get(f"{arch}.rope.scaling.factor", 1.0)) != 1.0
    ):
        raise ValueError(f"RoPE scaling {scaling!r} is not supported by this converter")

    n_head = int(hp("attention.head_count"))
    n_kv = int(meta.get(f"{arch}.attention.head_count_kv", n_head))
    hidden = int(hp("embedding_length"))
    head_dim = int(meta.get(f"{arch}.attention.key_length", hidden // n_head))
    vdim = int(meta.get(f"{arch}.attention.value_length", head_dim))
    if vdim != head_dim:
        raise ValueError("key_length != value_length is not supported")
    rope_dim = int(meta.get(f"{arch}.rope.dimension_count", head_dim))
    if rope_dim != head_dim:
        raise ValueError(f"partial RoPE (dimension_count {rope_dim} != head_dim {head_dim}) unsupported")

    names = {t.name for t in reader.tensors}
    tokens = meta.get("tokenizer.ggml.tokens")
    tok_embd = next(t for t in reader.tensors if t.name == "token_embd.weight")
    vocab = int(meta.get(f"{arch}.vocab_size") or int(tok_embd.shape[1]))
    if tokens is not None and len(tokens) != vocab:
        vocab = int(tok_embd.shape[1])

    hparams = HParams(
        arch=arch,
        num_layers=int(hp("block_count")),
        hidden_size=hidden,
        intermediate_size=int(hp("feed_forward_length")),
        num_heads=n_head,
        num_kv_heads=n_kv,
        head_dim=head_dim,
        vocab_size=vocab,
        max_position_embeddings=int(hp("context_length")),
        rope_theta=float(meta.get(f"{arch}.rope.freq_base", 10000.0)),
        rms_norm_eps=float(hp("attention.layer_norm_rms_epsilon")),
        tied_embeddings="output.weight" not in names,
        name=str(meta.get("general.name", "")),
    )

    model = GGUFModel(path=path, hparams=hparams, tensors={}, raw_tensors={}, metadata=meta)
    if not load_tensors:
        return model

    for t in reader.tensors:
        model.tensor_types[t.name] = GGMLQuantizationType(int(t.tensor_type)).name
        raw = _dequant(t)
        if t.name == "rope_freqs.weight":
            model.rope_freq_factors = raw.astype(np.float32)
            continue
        model.raw_tensors[t.name] = raw
        w = raw
        if arch in PERMUTED_QK_ARCHS:
            if t.name.endswith(("attn_q.weight", "attn_q.bias")):
                w = unpermute_rows(raw, n_head)
            elif t.name.endswith(("attn_k.weight", "attn_k.bias")):
                w = unpermute_rows(raw, n_kv)
        model.tensors[t.name] = w
    _check_tensors(model)
    return model


def _check_tensors(model: GGUFModel) -> None:
    h = model.hparams
    need = ["token_embd.weight", "output_norm.weight"]
    for i in range(h.num_layers):
        for n in ("attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm",
                  "ffn_gate", "ffn_up", "ffn_down"):
            need.append(f"blk.{i}.{n}.weight")
        if h.arch == "qwen3":
            need += [f"blk.{i}.attn_q_norm.weight", f"blk.{i}.attn_k_norm.weight"]
    missing = [n for n in need if n not in model.tensors]
    if missing:
        raise ValueError(f"GGUF lacks tensors: {missing[:8]}")
    e = model.tensors["token_embd.weight"]
    if e.shape != (h.vocab_size, h.hidden_size):
        raise ValueError(f"token_embd shape {e.shape} != ({h.vocab_size}, {h.hidden_size})")
    q = model.tensors["blk.0.attn_q.weight"]
    if q.shape != (h.num_heads * h.head_dim, h.hidden_size):
        raise ValueError(f"attn_q shape {q.shape} unexpected")
