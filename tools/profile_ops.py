"""Where a decoding step spends its time, per operator type, with onnxruntime's profiler.

    .venv/bin/python tools/profile_ops.py MODEL_DIR [--steps 40] [--prompt-tokens 20] [--threads 1]

Runs a plain greedy loop (prompt pass, then one token per step, outputs fed back as inputs) with
profiling on and prints each operator type's mean time per run and share of kernel time.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
from pathlib import Path

import numpy as np
import onnxruntime as ort


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir", type=Path)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--prompt-tokens", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    cfg = json.loads((a.model_dir / "config.json").read_text())
    so = ort.SessionOptions()
    so.intra_op_num_threads = a.threads
    so.enable_profiling = True
    sess = ort.InferenceSession(str(a.model_dir / "model.onnx"), so, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    has_pos = any(i.name == "position_ids" for i in sess.get_inputs())
    kv_shape = (1, cfg["num_kv_heads"], 0, cfg["head_dim"])
    past = {f"past_key_values.{i}.{kv}": np.zeros(kv_shape, np.float32)
            for i in range(cfg["num_layers"]) for kv in ("key", "value")}
    cur = np.ones((1, a.prompt_tokens), np.int64)
    total = 0
    for _ in range(a.steps):
        s = cur.shape[1]
        feed = {"input_ids": cur, "attention_mask": np.ones((1, total + s), np.int64), **past}
        if has_pos:
            feed["position_ids"] = np.arange(total, total + s, dtype=np.int64)[None]
        outs = sess.run(names, feed)
        total += s
        for n, v in zip(names[1:], outs[1:]):
            past[n.replace("present.", "past_key_values.")] = v
        cur = np.array([[int(outs[0][0, -1].argmax())]], np.int64)
    trace = sess.end_profiling()
    events = json.load(open(trace))
    os.remove(trace)
    per_op: collections.Counter = collections.Counter()
    count: collections.Counter = collections.Counter()
    runs = sum(1 for e in events if e.get("cat") == "Session" and e["name"] == "model_run")
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time"):
            per_op[e["args"]["op_name"]] += e["dur"]
            count[e["args"]["op_name"]] += 1
    kernel = sum(per_op.values())
    print(f"{a.model_dir}: {runs} runs (1 prompt pass of {a.prompt_tokens} tokens + {runs - 1} decode steps)")
    print(f"{'operator':30s} {'us/run':>9s} {'share':>7s} {'nodes/run':>9s}")
    for op, t in per_op.most_common(12):
        print(f"{op:30s} {t / runs:9.0f} {100 * t / kernel:6.1f}% {count[op] / runs:9.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
