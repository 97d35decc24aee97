"""Where a decoding step spends its time, per operator type, with onnxruntime's profiler.

    .venv/bin/python -m tools.profile_ops MODEL_DIR [--steps 40] [--prompt-tokens 20] [--threads 1]

Runs the plain greedy loop of tools/py_generate.py (prompt pass, then one token per step, outputs
fed back as inputs; EOS ignored) with profiling on and prints each operator type's mean time per
run and share of kernel time.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
from pathlib import Path

import onnxruntime as ort

from tools.py_generate import generate


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
    generate(cfg, sess, [1] * a.prompt_tokens, a.steps, ignore_eos=True)
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
