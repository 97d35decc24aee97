#!/usr/bin/env python3
"""Train the safety head: a logistic regression on the multilingual USE sentence embedding
that scores whether a request must be stopped before any model (numpy only).

    .venv/bin/python tools/train_safety_head.py [--use models/use-multilingual]
        [--bank crates/govai-review/data/safety-bank] [--out crates/govai-review/data/safety-head.json]

Trained on the dev split of the safety bank ONLY (refuse = 1; answer and redirect = 0),
class-balanced, C = 4 (chosen by 5-fold cross-validation on dev: C in 1, 4, 16, 64). The
test split is never read. Prints the 5-fold cross-validated figures on dev, then fits on all
of dev and writes `{"w": [512], "b": ..., "trained_on": ..., "cv": {...}}`, which
`[reviewers.safety_classifier] embedding = ..., head = ...` loads (the facade averages it with
the built-in n-gram classifier).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from train_injection_head import Use, fit_logreg, sigmoid  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def load(bank, split):
    items = []
    for f in sorted(glob.glob(os.path.join(bank, split, "*.jsonl"))):
        items += [json.loads(l) for l in open(f, encoding="utf-8") if l.strip()]
    return items


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--use", default=os.path.join(ROOT, "models", "use-multilingual"))
    ap.add_argument("--bank", default=os.path.join(ROOT, "crates", "govai-review", "data", "safety-bank"))
    ap.add_argument("--out", default=os.path.join(ROOT, "crates", "govai-review", "data", "safety-head.json"))
    ap.add_argument("--C", type=float, default=4.0)
    a = ap.parse_args(argv[1:])
    dev = load(a.bank, "dev")
    X = Use(a.use).embed([i["text"] for i in dev])
    y = np.array([1 if i["label"] == "refuse" else 0 for i in dev])
    p = np.zeros(len(dev))
    for fold in range(5):
        train = np.array([i % 5 != fold for i in range(len(dev))])
        w, b = fit_logreg(X[train], y[train], C=a.C)
        p[~train] = sigmoid(X[~train] @ w + b)
    cv = {
        "refuse_stopped": round(float((p[y == 1] >= 0.5).mean()), 4),
        "answer_refused": round(float((p[y == 0] >= 0.5).mean()), 4),
    }
    print(f"dev 5-fold CV at p >= 0.5: {cv}")
    w, b = fit_logreg(X, y, C=a.C)
    out = {"w": [round(float(v), 6) for v in w], "b": round(b, 6), "C": a.C, "trained_on": f"safety-bank dev ({len(dev)} items)", "cv": cv}
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(out, f)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main(sys.argv)
