from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

from tools.gguf2onnx.gguf_model import GGUFModel, permute_rows


class Runner:
    """onnxruntime session over a converted model dir, 1 thread, with the two KV-cache modes.

    * :meth:`run`: plain feed/fetch; ``present`` grows with the attention mask (the "growing" cache).
    * :meth:`run_bound`: IoBinding with one capacity-length buffer per ``past_key_values.N.*``,
      bound as both that input and ``present.N.*`` (onnxruntime's "shared buffer": GroupQueryAttention
      writes only the new positions in place). Needs an ``attention: gqa`` graph.
    """

    def __init__(self, model_dir: Path):
        self.cfg = json.loads((Path(model_dir) / "config.json").read_text())
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        self.sess = ort.InferenceSession(str(Path(model_dir) / "model.onnx"), so, providers=["CPUExecutionProvider"])
        self.input_names = [i.name for i in self.sess.get_inputs()]
        self.out_names = [o.name for o in self.sess.get_outputs()]
        self.has_position_ids = "position_ids" in self.input_names
        self.past_names = [n for n in self.input_names if n.startswith("past_key_values.")]

    def _kv_shape(self, b: int, length: int) -> tuple[int, int, int, int]:
        return (b, self.cfg["num_kv_heads"], length, self.cfg["head_dim"])

    def empty_past(self, b: int) -> dict:
        z = np.zeros(self._kv_shape(b, 0), np.float32)
        return {n: z for n in self.past_names}

    def run(self, ids, mask=None, pos=None, past=None):
        """One step. mask defaults to all ones over past + new; for a gqa graph pass a right-padded
        mask ([1]*len + [0]*rest per row, width = the step's total length) for rows of different
        lengths. pos is fed only to graphs with a position_ids input (default past..past+s)."""
        ids = np.asarray(ids, np.int64)
        b, s = ids.shape
        past = past if past is not None else self.empty_past(b)
        plen = next(iter(past.values())).shape[2]
        if mask is None:
            mask = np.ones((b, plen + s), np.int64)
        feed = {"input_ids": ids, "attention_mask": np.asarray(mask, np.int64), **past}
        if self.has_position_ids:
            if pos is None:
                pos = np.broadcast_to(np.arange(plen, plen + s, dtype=np.int64), (b, s)).copy()
            feed["position_ids"] = np.asarray(pos, np.int64)
        elif pos is not None:
            raise ValueError("this graph has no position_ids input (attention 'gqa' takes positions from the mask)")
        outs = dict(zip(self.out_names, self.sess.run(None, feed)))
        present = {k.replace("present.", "past_key_values."): v for k, v in outs.items() if k.startswith("present.")}
        return outs["logits"], present

    def kv_buffers(self, b: int, capacity: int) -> dict[str, ort.OrtValue]:
        """Zeroed capacity-length KV buffers for :meth:`run_bound`, keyed by past input name."""
        return {n: ort.OrtValue.ortvalue_from_numpy(np.zeros(self._kv_shape(b, capacity), np.float32))
                for n in self.past_names}

    def run_bound(self, ids, mask, buffers: dict[str, ort.OrtValue]) -> np.ndarray:
        """One step with each buffer bound as past_key_values.N.* AND present.N.*; returns logits.
        mask is [b, total] (total = tokens in the cache after this step, not the capacity)."""
        io = self.sess.io_binding()
        io.bind_cpu_input("input_ids", np.ascontiguousarray(ids, np.int64))
        io.bind_cpu_input("attention_mask", np.ascontiguousarray(mask, np.int64))
        io.bind_output("logits")
        for name, buf in buffers.items():
            io.bind_ortvalue_input(name, buf)
            io.bind_ortvalue_output(name.replace("past_key_values.", "present."), buf)
        self.sess.run_with_iobinding(io)
        outs = io.get_outputs()
        for name, o in zip(["logits", *buffers], outs):
            if name != "logits" and o.data_ptr() != buffers[name].data_ptr():
                raise AssertionError(f"{name}: present was not written into the bound buffer")
        return outs[0].numpy()


def _unpack_uint4(b: np.ndarray) -> np.ndarray:
    lo = b & 0x0F
    hi = b >> 4
    return np.stack([lo, hi], axis=-1).reshape(*b.shape[:-1], b.shape[-1] * 2).astype(np.float32)


_ONNX_TO_GGUF = {
    "q_proj": "attn_q", "k_proj": "attn_k", "v_proj": "attn_v", "o_proj": "attn_output",
    "gate_proj": "ffn_gate", "up_proj": "ffn_up", "down_proj": "ffn_down",
}


def dequantized_reference_model(gm: GGUFModel, onnx_path: Path) -> GGUFModel:
    """Copy of gm whose raw tensors are replaced by the 4-bit values stored in the ONNX file."""
    m = onnx.load(str(onnx_path))
    inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    raw = dict(gm.raw_tensors)
    h = gm.hparams
    for n in m.graph.node:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
        if n.op_type == "MatMulNBits":
            assert attrs["bits"] == 4 and len(n.input) == 3, "expected symmetric 4-bit without zero points"
            K, N, bs = attrs["K"], attrs["N"], attrs["block_size"]
            q = _unpack_uint4(inits[n.input[1]]).reshape(N, -1)[:, :K]
            sc = np.repeat(inits[n.input[2]].reshape(N, -1), bs, axis=1)[:, :K]
            w = (q - 8.0) * sc  # [N, K] = HF [out, in]
            base = n.input[1][: -len(".weight_t_Q4")]
            if base == "lm_head":
                raw["output.weight"] = w
                continue
            _, li, proj = base.split(".")
            if proj == "qkv_proj":
                nq, nk = h.num_heads * h.head_dim, h.num_kv_heads * h.head_dim
                parts = {"q_proj": w[:nq], "k_proj": w[nq:nq + nk], "v_proj": w[nq + nk:]}
            elif proj == "gate_up_proj":
                f = w.shape[0] // 2
                parts = {"gate_proj": w[:f], "up_proj": w[f:]}
            else:
                parts = {proj: w}
            for proj, w in parts.items():
                if h.arch == "llama" and proj == "q_proj":
                    w = permute_rows(w, h.num_heads)
                if h.arch == "llama" and proj == "k_proj":
                    w = permute_rows(w, h.num_kv_heads)
                raw[f"blk.{li}.{_ONNX_TO_GGUF[proj]}.weight"] = w
        elif n.op_type == "GatherBlockQuantized":
            bs = attrs["block_size"]
            data = inits[n.input[0]]
            if data.dtype == np.uint8:  # packed uint4, default zero point 8
                q, zp = _unpack_uint4(data).reshape(data.shape[0], -1), 8.0
            else:  # onnx INT4 tensor (numpy_helper unpacks it), default zero point 0
                q, zp = data.astype(np.float32), 0.0
            sc = np.repeat(inits[n.input[2]], bs, axis=1)[:, : q.shape[1]]
            raw["token_embd.weight"] = (q - zp) * sc
    out = GGUFModel(path=gm.path, hparams=gm.hparams, tensors={}, raw_tensors=raw,
                    metadata=gm.metadata, rope_freq_factors=gm.rope_freq_factors)
    return out
