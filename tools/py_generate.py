"""Plain Python onnxruntime greedy generation loop over a converted model directory.

This is the baseline that benches/ compares govai against (same ONNX file).

    .venv/bin/python tools/py_generate.py models/smollm2-135m-instruct "What is the capital of France?"
    .venv/bin/python tools/py_generate.py MODEL_DIR PROMPT --bench --max-new-tokens 64
      -> prints JSON {"prefill_ms", "prompt_tokens", "tokens", "decode_tokens_per_s", ...}

The prompt is wrapped in ChatML (``<|im_start|>user\\n...<|im_end|>\\n<|im_start|>assistant\\n``)
unless --raw is given. Stops at any id in config.json ``eos_token_ids``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer


def load(model_dir: Path, threads: int):
    cfg = json.loads((model_dir / "config.json").read_text())
    so = ort.SessionOptions()
    if threads:
        so.intra_op_num_threads = threads
    sess = ort.InferenceSession(str(model_dir / "model.onnx"), so, providers=["CPUExecutionProvider"])
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    return cfg, sess, tok


def generate(cfg, sess, ids: list[int], max_new: int, ignore_eos: bool = False):
    """Greedy decode with KV cache; returns (new_ids, prefill_s, decode_s)."""
    L, kvh, hd = cfg["num_layers"], cfg["num_kv_heads"], cfg["head_dim"]
    input_names = {i.name for i in sess.get_inputs()}
    out_names = [o.name for o in sess.get_outputs()]
    eos = set(cfg["eos_token_ids"])
    past = {f"past_key_values.{i}.{kv}": np.zeros((1, kvh, 0, hd), np.float32)
            for i in range(L) for kv in ("key", "value")}
    cur = np.array([ids], dtype=np.int64)
    total = 0
    new: list[int] = []
    t0 = time.perf_counter()
    prefill_s = 0.0
    for step in range(max_new):
        s = cur.shape[1]
        feed = {"input_ids": cur, "attention_mask": np.ones((1, total + s), np.int64), **past}
        if "position_ids" in input_names:
            feed["position_ids"] = np.arange(total, total + s, dtype=np.int64)[None]
        outs = sess.run(out_names, feed)
        logits = outs[0]
        for name, val in zip(out_names[1:], outs[1:]):
            past[name.replace("present.", "past_key_values.")] = val
        total += s
        nxt = int(np.argmax(logits[0, -1]))
        if step == 0:
            prefill_s = time.perf_counter() - t0
            t1 = time.perf_counter()
        new.append(nxt)
        if nxt in eos and not ignore_eos:
            break
        cur = np.array([[nxt]], dtype=np.int64)
    decode_s = time.perf_counter() - t1 if new else 0.0
    return new, prefill_s, decode_s


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir", type=Path)
    ap.add_argument("prompt")
    ap.add_argument("--max-new-tokens", type=int, default=64)
    ap.add_argument("--raw", action="store_true", help="do not wrap the prompt in ChatML")
    ap.add_argument("--bench", action="store_true", help="print JSON timings (ignores eos: exactly max-new-tokens)")
    ap.add_argument("--threads", type=int, default=0, help="intra-op threads (0 = onnxruntime default)")
    a = ap.parse_args(argv)
    cfg, sess, tok = load(a.model_dir, a.threads)
    text = a.prompt if a.raw else f"<|im_start|>user\n{a.prompt}<|im_end|>\n<|im_start|>assistant\n"
    ids = tok.encode(text).ids
    if cfg.get("add_bos_token") and cfg.get("bos_token_id") is not None and ids[:1] != [cfg["bos_token_id"]]:
        ids = [cfg["bos_token_id"]] + ids
    if a.bench:
        generate(cfg, sess, ids, 4, ignore_eos=True)  # warm-up
    new, prefill_s, decode_s = generate(cfg, sess, ids, a.max_new_tokens, ignore_eos=a.bench)
    out = tok.decode([t for t in new if t not in set(cfg["eos_token_ids"])], skip_special_tokens=True)
    if a.bench:
        n_dec = len(new) - 1  # the first token comes from the prefill step
        print(json.dumps({
            "prefill_ms": round(prefill_s * 1000, 2),
            "prompt_tokens": len(ids),
            "tokens": len(new),
            "decode_tokens_per_s": round(n_dec / decode_s, 2) if decode_s > 0 else None,
            "threads": a.threads or "default",
            "onnxruntime": ort.__version__,
            "text": out,
        }, ensure_ascii=False))
    else:
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
