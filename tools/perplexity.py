"""Perplexity of a converted model (tools/gguf2onnx output) on text, with plain onnxruntime.

    .venv/bin/python tools/perplexity.py MODEL_DIR [--tokens 1024] [--text FILE]

Default text: the English passages of the shipped knowledge base
(crates/govai-retrieval/kb/policies.jsonl), joined by blank lines. One forward pass over the
first --tokens tokens (empty KV cache), mean next-token negative log-likelihood.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

ROOT = Path(__file__).resolve().parents[1]


def default_text() -> str:
    rows = (json.loads(line) for line in open(ROOT / "crates/govai-retrieval/kb/policies.jsonl", encoding="utf-8"))
    return "\n\n".join(r["text"] for r in rows if r["text"].isascii())


def perplexity(model_dir: Path, text: str, max_tokens: int, threads: int = 2) -> tuple[int, float]:
    cfg = json.loads((model_dir / "config.json").read_text())
    ids = Tokenizer.from_file(str(model_dir / "tokenizer.json")).encode(text).ids[:max_tokens]
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    s = ort.InferenceSession(str(model_dir / "model.onnx"), so, providers=["CPUExecutionProvider"])
    feed = {"input_ids": np.array([ids], dtype=np.int64), "attention_mask": np.ones((1, len(ids)), dtype=np.int64)}
    for i in s.get_inputs():
        if i.name == "position_ids":
            feed[i.name] = np.arange(len(ids), dtype=np.int64)[None]
        elif i.name.startswith("past_key_values"):
            feed[i.name] = np.zeros((1, cfg["num_kv_heads"], 0, cfg["head_dim"]), dtype=np.float32)
    logits = s.run(["logits"], feed)[0][0].astype(np.float64)
    logp = logits - logits.max(-1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(-1, keepdims=True))
    nll = -float(np.mean([logp[i, ids[i + 1]] for i in range(len(ids) - 1)]))
    return len(ids), float(np.exp(nll))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir", type=Path)
    ap.add_argument("--tokens", type=int, default=1024)
    ap.add_argument("--text", type=Path, help="text file (default: the English knowledge-base passages)")
    a = ap.parse_args()
    text = a.text.read_text(encoding="utf-8") if a.text else default_text()
    n, ppl = perplexity(a.model_dir, text, a.tokens)
    print(json.dumps({"model": str(a.model_dir), "tokens": n, "perplexity": round(ppl, 3)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
