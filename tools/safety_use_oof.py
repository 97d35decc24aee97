#!/usr/bin/env python3
"""Out-of-fold probabilities of the USE safety head on the DEV split only, for stacking the head
with the n-gram classifier in `cargo run --release -p govai-review --example guard_cv`
(USE_OOF=<this output>).

    .venv/bin/python tools/safety_use_oof.py [--use models/use-multilingual] [--out target/safety-use-oof.tsv]

For each dev item (in the order the Rust crate compiles them in: dev/*.jsonl by file name):
the head (class-balanced logistic regression on the USE embedding, C as in
tools/train_safety_head.py) fit without the item's fold, for two fold schemes: 5 folds by item
position (i % 5) and one fold per writer (the id prefix, d1 ... d13). Writes TSV
`id<TAB>p_pos5<TAB>p_writer`. The test split is never read.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from train_injection_head import Use, fit_logreg, sigmoid  # noqa: E402
from train_safety_head import ROOT, load  # noqa: E402


def oof(X, y, folds, C):
    p = np.zeros(len(y))
    for held in folds:
        train = np.ones(len(y), bool)
        train[held] = False
        w, b = fit_logreg(X[train], y[train], C=C)
        p[held] = sigmoid(X[held] @ w + b)
    return p


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--use", default=os.path.join(ROOT, "models", "use-multilingual"))
    ap.add_argument("--bank", default=os.path.join(ROOT, "crates", "govai-review", "data", "safety-bank"))
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "safety-use-oof.tsv"))
    ap.add_argument("--C", type=float, default=4.0)
    a = ap.parse_args(argv[1:])
    dev = load(a.bank, "dev")
    X = Use(a.use).embed([i["text"] for i in dev])
    y = np.array([1 if i["label"] == "refuse" else 0 for i in dev])
    n = len(dev)
    pos5 = [np.array([i for i in range(n) if i % 5 == f]) for f in range(5)]
    writers = sorted({i["id"].split("-")[0] for i in dev})
    wfolds = [np.array([k for k, i in enumerate(dev) if i["id"].split("-")[0] == w]) for w in writers]
    p5 = oof(X, y, pos5, a.C)
    pw = oof(X, y, wfolds, a.C)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w", encoding="utf-8") as f:
        for i, x, z in zip(dev, p5, pw):
            f.write(f"{i['id']}\t{x:.6f}\t{z:.6f}\n")
    for name, p in (("pos5", p5), ("writer", pw)):
        print(f"USE head OOF {name}: refuse stopped {(p[y == 1] >= 0.5).mean():.4f}, answer+redirect refused {(p[y == 0] >= 0.5).mean():.4f}")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main(sys.argv)
