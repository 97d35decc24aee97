"""Plain Python embedding baseline: onnxruntime + tokenizers on a govai embedding model directory.

The counterpart of crates/govai-ort/examples/bench_embed.rs (scripts/bench-embed.sh runs both side by
side). It reads the same files (model.onnx, tokenizer.json, config.json) and does what govai's
EmbeddingModel does: tokenize with truncation to config max_length (special tokens added, no
padding), pad right with id 0 for the BERT layout / concatenate for the ragged layout, run, pool
(mean over the attention mask, CLS, or none), L2-normalise.

    .venv/bin/python benches/embed_python.py models/minilm-l6-v2-int8 --batch 1 --batch 32 --threads 2
      -> one JSON line per batch size: {"model", "batch", "sentences", "sentences_per_s", "runs_s", ...}
    .venv/bin/python benches/embed_python.py models/use-multilingual --check govai-vectors.json
      -> embeds the texts in the file, prints the cosine against govai's vectors; exit 1 below 0.999

The sentences are the 256 built by bench_embed.rs (same list, same order); --check also verifies that.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

# The sentence pool, shared with crates/govai-ort/examples/bench_embed.rs.
BASE = (Path(__file__).resolve().parent / "data" / "embed_sentences.txt").read_text(encoding="utf-8").splitlines()


def sentences(n: int = 256) -> list[str]:
    return [f"{BASE[i % len(BASE)]} ({i})" for i in range(n)]


class Embedder:
    def __init__(self, model_dir: Path, threads: int):
        self.cfg = json.loads((model_dir / "config.json").read_text())
        self.cfg.setdefault("max_length", 256)
        self.cfg.setdefault("normalize", True)
        so = ort.SessionOptions()
        if threads:
            so.intra_op_num_threads = threads
        self.sess = ort.InferenceSession(str(model_dir / "model.onnx"), so, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.sess.get_inputs()}
        self.tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tok.no_padding()
        self.tok.enable_truncation(self.cfg["max_length"])
        layout = self.cfg["inputs"]
        self.layout = "ragged" if layout in ("ragged", "use") else layout
        if self.layout not in ("bert", "ragged"):
            raise SystemExit(f"{model_dir}: unknown inputs layout {layout!r}")

    def embed(self, texts: list[str]) -> np.ndarray:
        encs = self.tok.encode_batch(texts, add_special_tokens=True)
        b = len(texts)
        if self.layout == "bert":
            length = max(1, max(len(e.ids) for e in encs))
            ids = np.zeros((b, length), np.int64)
            mask = np.zeros((b, length), np.int64)
            types = np.zeros((b, length), np.int64)
            for r, e in enumerate(encs):
                n = len(e.ids)
                ids[r, :n] = e.ids
                mask[r, :n] = 1
                types[r, :n] = e.type_ids
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.inputs:
                feed["token_type_ids"] = types
        else:
            flat = np.fromiter((i for e in encs for i in e.ids), np.int32)
            splits = np.zeros(b + 1, np.int64)
            splits[1:] = np.cumsum([len(e.ids) for e in encs])
            feed = {"token_ids": flat, "row_splits": splits}
            mask = None
        (out,) = self.sess.run([self.cfg["output"]], feed)
        pooling = self.cfg["pooling"]
        if pooling == "mean":
            m = mask[:, :, None].astype(np.float32)
            vecs = (out * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        elif pooling == "cls":
            vecs = out[:, 0, :]
        elif pooling == "none":
            vecs = out
        else:
            raise SystemExit(f"unknown pooling {pooling!r}")
        if vecs.shape != (b, self.cfg["dimension"]):
            raise SystemExit(f"vectors have shape {vecs.shape}, expected ({b}, {self.cfg['dimension']})")
        if self.cfg["normalize"]:
            n = np.linalg.norm(vecs, axis=1, keepdims=True)
            vecs = vecs / np.where(n > 1e-12, n, 1.0)
        return vecs


def throughput(emb: Embedder, texts: list[str], batch: int, repeat: int) -> list[float]:
    """Wall and process CPU seconds per pass over `texts` in chunks of `batch`, `repeat` passes."""
    runs, cpu = [], []
    for _ in range(repeat):
        c = time.process_time()
        t = time.perf_counter()
        for i in range(0, len(texts), batch):
            emb.embed(texts[i : i + batch])
        runs.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return runs, cpu


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir", type=Path)
    ap.add_argument("--batch", type=int, action="append", help="batch size (repeatable; default 1 and 32)")
    ap.add_argument("--repeat", type=int, default=3, help="passes over the sentences per batch size (median)")
    ap.add_argument("--threads", type=int, default=0, help="intra-op threads (0 = onnxruntime default)")
    ap.add_argument("--check", type=Path, help="JSON {texts, vectors} written by bench_embed --dump")
    a = ap.parse_args(argv)
    emb = Embedder(a.model_dir, a.threads)
    texts = sentences()
    if a.check:
        ref = json.loads(a.check.read_text())
        if ref["texts"] != texts:
            print(f"{a.check}: texts differ from this script's sentence list", file=sys.stderr)
            return 1
        # Batches of 32, like govai's default batch size (padding changes BERT outputs slightly).
        mine = np.concatenate([emb.embed(texts[i : i + 32]) for i in range(0, len(texts), 32)])
        theirs = np.asarray(ref["vectors"], np.float32)
        cos = (mine * theirs).sum(1) / (np.linalg.norm(mine, axis=1) * np.linalg.norm(theirs, axis=1))
        worst = int(np.argmin(cos))
        print(json.dumps({"model": str(a.model_dir), "compared": len(cos), "min_cosine": round(float(cos.min()), 6),
                          "mean_cosine": round(float(cos.mean()), 6), "worst_text": ref["texts"][worst]},
                         ensure_ascii=False))
        return 0 if cos.min() > 0.999 else 1
    emb.embed(texts[:8])  # warm-up
    for batch in a.batch or [1, 32]:
        runs, cpu = throughput(emb, texts, batch, a.repeat)
        med = statistics.median(runs)
        print(json.dumps({"model": str(a.model_dir), "batch": batch, "sentences": len(texts),
                          "sentences_per_s": round(len(texts) / med, 1), "runs_s": [round(r, 4) for r in runs],
                          "cpu_s_per_run": round(sum(cpu) / len(cpu), 3),
                          "threads": a.threads or "default", "onnxruntime": ort.__version__}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
