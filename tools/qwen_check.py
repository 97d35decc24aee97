"""The converted Qwen2 model (tools/gguf2onnx output) against llama.cpp on the same GGUF file.

    .venv/bin/python tools/qwen_check.py [--model-dir models/qwen2.5-coder-0.5b-instruct]
        [--gguf models/qwen2.5-coder-0.5b-instruct.gguf] [--only tokenizer,logits,perplexity]
        [--ppl-tokens 0] [--threads 2]
      -> one JSON object on stdout

Three checks (llama.cpp through tools/llama_ref.py, PyPI xllamacpp):

* ``tokenizer``: the ids of our ``tokenizer.json`` (the ``tokenizers`` library) equal llama.cpp's
  tokenisation for every string of TOKENIZER_CASES (Chinese, mixed Chinese/English, full-width
  forms, digits and ID-like numbers, emoji, whitespace), special-token text not parsed.
* ``logits``: for each LOGIT_PROMPTS question, ChatML-formatted with a system line, the next-token
  distribution after the prompt from our ONNX (onnxruntime, as converted: the `accuracy_level` in the
  file) vs llama.cpp on the GGUF, both fed the same token ids: top-1 agreement, max |Δp| over the
  whole vocabulary, top-5 overlap, and the KL divergence KL(llama.cpp || ours).
* ``perplexity``: tools/data/zh_prose.txt (plain Chinese prose written for this check), tokenised
  once with our tokenizer; our ppl from one forward pass, llama.cpp's from its per-token
  log-likelihoods on the same ids (``--ppl-tokens`` keeps the first N tokens; 0 = all).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_MODEL = ROOT / "models" / "qwen2.5-coder-0.5b-instruct"
DEFAULT_GGUF = ROOT / "models" / "qwen2.5-coder-0.5b-instruct.gguf"
PROSE = ROOT / "tools" / "data" / "zh_prose.txt"
SYSTEM = "你是一个政务服务助手，请用简洁准确的中文回答群众的问题。"
CHATML = "<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"

TOKENIZER_CASES = [
    "如何办理居住证？",
    "我的社保卡丢了，怎么补办？",
    "中华人民共和国居民身份证法",
    "请问新生儿落户需要哪些材料",
    "北京市朝阳区建国路88号",
    "身份证号110101199003078515，手机13800138000",
    "2024年3月5日上午9:30到12:00",
    "营业执照（副本）复印件一份",
    "全角字符：ＡＢＣ１２３，！？（）",
    "ｈｔｔｐｓ：／／ｗｗｗ．ｇｏｖ．ｃｎ",
    "Qwen2.5 支持 Chinese and English 混合输入",
    "请把PDF文件发到service@example.gov.cn",
    "😀 办好了，谢谢！👍🎉",
    "🇨🇳 国庆节快乐 🏮",
    "价格：￥1,234.56元，约合$170",
    "第一条　为了规范行政许可的设定和实施",
    "  前导空格和\t制表符\n换行",
    "《中华人民共和国行政许可法》第二十三条",
    "①②③ ⅠⅡⅢ 一二三 壹贰叁",
    "繁體中文：臺灣、香港、澳門",
    "公积金提取条件？1)购房 2)租房 3)退休",
    "０１２３４５６７８９ 和 0123456789",
    "“引号”‘单引号’「直角引号」",
    "ＡＩ助手：您好！请问有什么可以帮您？",
]

LOGIT_PROMPTS = [
    "中国的首都是哪里？",
    "如何办理居住证？",
    "我的社保卡丢了，怎么补办？",
    "新生儿落户需要带哪些材料？",
    "护照到期了怎么换发？",
    "公积金可以用来支付房租吗？",
    "营业执照丢失后应该怎么办？",
    "驾驶证到期换证需要体检吗？",
    "失业保险金怎么申领？",
    "外地人在本市可以办理医保吗？",
    "办理结婚登记需要什么证件？",
    "老年人乘坐公交车有优惠吗？",
]


def chat(user: str) -> str:
    return CHATML.format(system=SYSTEM, user=user)


class Ours:
    """The converted model: tokenizer.json and model.onnx with onnxruntime (CPU, as converted)."""

    def __init__(self, model_dir: Path, threads: int = 2):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.cfg = json.loads((model_dir / "config.json").read_text())
        self.tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        self.sess = ort.InferenceSession(str(model_dir / "model.onnx"), so, providers=["CPUExecutionProvider"])
        self.inputs = [i.name for i in self.sess.get_inputs()]

    def encode(self, text: str) -> list[int]:
        return self.tok.encode(text, add_special_tokens=False).ids

    def logprobs(self, ids: list[int]) -> np.ndarray:
        """Log-softmax of the logits at every position of one forward pass, [len(ids), vocab] float64."""
        n = len(ids)
        feed = {"input_ids": np.array([ids], np.int64), "attention_mask": np.ones((1, n), np.int64)}
        for name in self.inputs:
            if name == "position_ids":
                feed[name] = np.arange(n, dtype=np.int64)[None]
            elif name.startswith("past_key_values."):
                feed[name] = np.zeros((1, self.cfg["num_kv_heads"], 0, self.cfg["head_dim"]), np.float32)
        logits = self.sess.run(["logits"], feed)[0][0].astype(np.float64)
        return log_softmax(logits)


def log_softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(-1, keepdims=True)
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


def check_tokenizer(ours: Ours, ll) -> dict:
    mismatches = []
    for s in TOKENIZER_CASES:
        a, b = ours.encode(s), ll.tokenize(s)
        if a != b:
            mismatches.append({"text": s, "ours": a, "llama_cpp": b})
    return {"cases": len(TOKENIZER_CASES), "equal": len(TOKENIZER_CASES) - len(mismatches), "mismatches": mismatches}


def compare_distributions(ours_lp: np.ndarray, ref_lp: np.ndarray) -> dict:
    """top-1 agreement, max |Δp| over the vocabulary, top-5 overlap and KL(ref || ours)."""
    p, q = np.exp(ours_lp), np.exp(ref_lp)
    top5_o, top5_r = np.argsort(-p)[:5], np.argsort(-q)[:5]
    finite = q > 0
    kl = float(np.sum(q[finite] * (ref_lp[finite] - ours_lp[finite])))
    return {"top1_ours": int(top5_o[0]), "top1_llama_cpp": int(top5_r[0]), "top1_equal": bool(top5_o[0] == top5_r[0]),
            "p_top1_ours": round(float(p[top5_o[0]]), 4), "p_top1_llama_cpp": round(float(q[top5_r[0]]), 4),
            "max_abs_dp": round(float(np.max(np.abs(p - q))), 4),
            "top5_overlap": len(set(top5_o.tolist()) & set(top5_r.tolist())), "kl": round(kl, 5)}


def check_logits(ours: Ours, ll) -> dict:
    rows = []
    for q in LOGIT_PROMPTS:
        ids = ours.encode(chat(q))
        r = compare_distributions(ours.logprobs(ids)[-1], ll.next_logprobs(ids))
        r.update(prompt=q, prompt_tokens=len(ids),
                 top1_text=[ours.tok.decode([r["top1_ours"]]), ours.tok.decode([r["top1_llama_cpp"]])])
        rows.append(r)
    return {"prompts": len(rows), "top1_equal": sum(r["top1_equal"] for r in rows),
            "max_abs_dp": max(r["max_abs_dp"] for r in rows),
            "mean_max_abs_dp": round(float(np.mean([r["max_abs_dp"] for r in rows])), 4),
            "min_top5_overlap": min(r["top5_overlap"] for r in rows),
            "mean_top5_overlap": round(float(np.mean([r["top5_overlap"] for r in rows])), 2),
            "max_kl": max(r["kl"] for r in rows), "rows": rows}


def check_perplexity(ours: Ours, ll, max_tokens: int = 0, text_path: Path = PROSE) -> dict:
    ids = ours.encode(text_path.read_text(encoding="utf-8"))
    if max_tokens:
        ids = ids[:max_tokens]
    lp = ours.logprobs(ids)
    nll_ours = -float(np.mean([lp[i - 1, ids[i]] for i in range(1, len(ids))]))
    t = time.perf_counter()
    nll_ref = -float(np.mean(ll.token_logprobs(ids)))
    ppl_o, ppl_r = float(np.exp(nll_ours)), float(np.exp(nll_ref))
    return {"text": str(text_path.relative_to(ROOT)) if text_path.is_relative_to(ROOT) else str(text_path),
            "tokens": len(ids), "ppl_ours": round(ppl_o, 3), "ppl_llama_cpp": round(ppl_r, 3),
            "ratio": round(ppl_o / ppl_r, 4), "llama_cpp_s": round(time.perf_counter() - t, 1)}


def run(model_dir: Path, gguf: Path, only: set[str], ppl_tokens: int = 0, threads: int = 2,
        llama_threads: int = 1) -> dict:
    from tools.llama_ref import LlamaCpp

    ours = Ours(model_dir, threads)
    out = {"model_dir": str(model_dir), "gguf": str(gguf), "quantization": ours.cfg.get("quantization"),
           "matmul_compute": ours.cfg.get("matmul_compute")}
    with LlamaCpp(gguf, threads=llama_threads) as ll:
        out["xllamacpp"] = ll.version
        if "tokenizer" in only:
            out["tokenizer"] = check_tokenizer(ours, ll)
        if "logits" in only:
            out["logits"] = check_logits(ours, ll)
        if "perplexity" in only:
            out["perplexity"] = check_perplexity(ours, ll, ppl_tokens)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL)
    ap.add_argument("--gguf", type=Path, default=DEFAULT_GGUF)
    ap.add_argument("--only", default="tokenizer,logits,perplexity")
    ap.add_argument("--ppl-tokens", type=int, default=0, help="first N tokens of the text (0 = all)")
    ap.add_argument("--threads", type=int, default=2, help="onnxruntime intra-op threads")
    ap.add_argument("--llama-threads", type=int, default=1,
                    help="llama.cpp threads (1: its busy-waiting threads collapse when other jobs share the cores)")
    ap.add_argument("--brief", action="store_true", help="leave out the per-prompt rows")
    a = ap.parse_args(argv)
    only = set(a.only.split(","))
    unknown = only - {"tokenizer", "logits", "perplexity"}
    if unknown:
        print(f"qwen_check: unknown check(s) {sorted(unknown)}", file=sys.stderr)
        return 2
    for p in (a.model_dir / "model.onnx", a.gguf):
        if not p.exists():
            print(f"qwen_check: {p} missing (make qwen)", file=sys.stderr)
            return 2
    out = run(a.model_dir, a.gguf, only, a.ppl_tokens, a.threads, a.llama_threads)
    if a.brief and "logits" in out:
        out["logits"].pop("rows")
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
