#!/usr/bin/env python3
"""govai-ocr vs rapidocr-onnxruntime on the same pages, alternating page by page in one run.

Usage: bench_ocr.py RUST_BINARY MODEL_DIR TESTDATA_DIR [ROUNDS]
Accuracy: 1 - edit distance / truth length over all lines concatenated, whitespace removed.
Speed: per-page wall time of one recognize call on each side (image decoding included).
"""
import json, subprocess, sys, time
from pathlib import Path
from rapidocr_onnxruntime import RapidOCR


def dist(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a):
        cur = [i + 1] * (len(b) + 1)
        for j, cb in enumerate(b):
            cur[j + 1] = min(prev[j] + (ca != cb), prev[j + 1] + 1, cur[j] + 1)
        prev = cur
    return prev[-1]


def acc(got, truth):
    g = "".join(got.split()); t = "".join(truth.split())
    return 1 - dist(g, t) / max(len(t), 1)


def main():
    binary, models, data = sys.argv[1:4]
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    pages = sorted(Path(data).glob("*.png"))
    rust = subprocess.Popen([binary, models], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    py = RapidOCR()
    res = {p.name: {"rust": [], "py": [], "ra": 0, "pa": 0} for p in pages}
    for r in range(rounds):
        for p in pages:
            truth = p.with_suffix(".txt").read_text(encoding="utf-8")
            rust.stdin.write(f"{p}\n"); rust.stdin.flush()
            d = json.loads(rust.stdout.readline())
            res[p.name]["rust"].append(d["ms"])
            res[p.name]["ra"] = acc("".join(l["text"] for l in d["lines"]), truth)
            t = time.perf_counter()
            out, _ = py(str(p))
            res[p.name]["py"].append((time.perf_counter() - t) * 1000)
            res[p.name]["pa"] = acc("".join(x[1] for x in (out or [])), truth)
    rust.stdin.close(); rust.wait()
    med = lambda v: sorted(v)[len(v) // 2]
    print("| page | govai-ocr acc | rapidocr acc | govai-ocr ms | rapidocr ms |")
    print("|---|---|---|---|---|")
    tot = [0, 0, 0, 0]
    for name, v in res.items():
        row = [v["ra"], v["pa"], med(v["rust"]), med(v["py"])]
        tot = [a + b for a, b in zip(tot, row)]
        print(f"| {name} | {row[0]:.4f} | {row[1]:.4f} | {row[2]:.0f} | {row[3]:.0f} |")
    n = len(res)
    print(f"| **mean** | {tot[0]/n:.4f} | {tot[1]/n:.4f} | {tot[2]/n:.0f} | {tot[3]/n:.0f} |")


if __name__ == "__main__":
    main()
