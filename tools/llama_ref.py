"""llama.cpp as the reference on a GGUF file: tokenisation, next-token log-probabilities, per-token
log-likelihood (perplexity) and greedy generation timings.

llama.cpp comes from the PyPI package ``xllamacpp`` (prebuilt CPU wheel, pinned in
tools/requirements-llamacpp.txt; ``make venv`` installs it). Its ``Server`` runs llama.cpp's own
server in process; requests go either straight to ``handle_completions`` or, for the endpoints
the binding does not wrap (``/tokenize``), over HTTP to the loopback address it listens on.

    from tools.llama_ref import LlamaCpp
    with LlamaCpp("models/qwen2.5-coder-0.5b-instruct.gguf") as ll:
        ids = ll.tokenize("你好，世界")
        lp = ll.next_logprobs(ids)          # np.ndarray [vocab], log-softmax of the raw logits
        nll = ll.token_logprobs(ids)        # log p(ids[i] | ids[:i]) for i >= 1

Command line (JSON lines): ``python -m tools.llama_ref GGUF tokenize TEXT`` and
``python -m tools.llama_ref GGUF generate PROMPT [--max-new-tokens N] [--threads T]`` (greedy,
eos ignored, the prompt used as is with special tokens recognised; prints prompt tokens, time to
first token, decode tokens/s, the text and the process's peak RSS).

How the numbers are obtained from the server API:

* ``next_logprobs``: ``n_probs`` = the vocabulary size with ``post_sampling_probs`` off makes the
  server return the softmax of the raw logits for every token (sorted); they are put back in id
  order. Nothing from sampling (temperature, penalties) is applied to them.
* ``token_logprobs``: for each position the prompt is the prefix and ``logit_bias`` forces the
  known next token; the server reports the sampled token's probability from the raw logits, so
  the bias does not change the number. With ``cache_prompt`` each request evaluates one new token.
* ``verbosity`` is left at 0: with -1 this build answered every request ~2 s late.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np


class LlamaCppError(RuntimeError):
    """The llama.cpp server answered with an error or an unexpected shape."""


class LlamaCpp:
    """One in-process llama.cpp server (one slot) over a GGUF file."""

    def __init__(self, gguf: str | Path, threads: int = 2, n_ctx: int = 2048):
        import xllamacpp as x

        p = x.CommonParams()
        p.model.path = str(gguf)
        p.n_ctx = n_ctx
        p.n_batch = 512
        p.n_parallel = 1
        p.cpuparams.n_threads = threads
        p.cpuparams_batch.n_threads = threads
        p.verbosity = 0
        p.warmup = True
        self.n_ctx = n_ctx
        self.server = x.Server(p)
        self.addr = self.server.listening_address
        self.version = getattr(x, "__version__", "?")
        self.n_vocab = self._n_vocab()

    def __enter__(self) -> "LlamaCpp":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.server = None

    # -- transport ---------------------------------------------------------------------------

    def _post(self, path: str, body: dict) -> dict:
        req = urllib.request.Request(self.addr + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=600) as r:
            return json.load(r)

    def complete(self, body: dict) -> dict:
        """``/completion`` in process; raises LlamaCppError on an error answer."""
        r = self.server.handle_completions(body)
        if not isinstance(r, dict) or "error" in r or "choices" not in r:
            raise LlamaCppError(f"llama.cpp completion failed: {str(r)[:300]}")
        return r

    def _n_vocab(self) -> int:
        with urllib.request.urlopen(self.addr + "/v1/models", timeout=60) as r:
            meta = json.load(r)
        try:
            return int(meta["data"][0]["meta"]["n_vocab"])
        except (KeyError, IndexError, TypeError, ValueError) as e:
            raise LlamaCppError(f"no n_vocab in /v1/models: {str(meta)[:300]}") from e

    # -- reference quantities ----------------------------------------------------------------

    def tokenize(self, text: str, special: bool = False) -> list[int]:
        """llama.cpp's tokenisation, no BOS added; ``special`` parses special-token text."""
        r = self._post("/tokenize", {"content": text, "add_special": False, "parse_special": special})
        return [int(t) for t in r["tokens"]]

    def _first(self, r: dict) -> dict:
        try:
            return r["choices"][0]["logprobs"]["content"][0]
        except (KeyError, IndexError, TypeError) as e:
            raise LlamaCppError(f"no logprobs in llama.cpp answer: {str(r)[:300]}") from e

    def next_logprobs(self, ids: list[int]) -> np.ndarray:
        """Log-softmax of llama.cpp's raw logits after ``ids``, shape [n_vocab] (float64)."""
        r = self.complete({"prompt": list(ids), "n_predict": 1, "n_probs": self.n_vocab, "temperature": 0,
                           "cache_prompt": True, "post_sampling_probs": False})
        top = self._first(r)["top_logprobs"]
        if len(top) != self.n_vocab:
            raise LlamaCppError(f"asked for {self.n_vocab} probabilities, got {len(top)}")
        out = np.full(self.n_vocab, -np.inf)
        out[[t["id"] for t in top]] = [t["logprob"] for t in top]
        return out

    def token_logprobs(self, ids: list[int]) -> list[float]:
        """log p(ids[i] | ids[:i]) for i = 1..len(ids)-1, from llama.cpp's raw logits."""
        if len(ids) > self.n_ctx:
            raise LlamaCppError(f"{len(ids)} tokens exceed n_ctx {self.n_ctx}")
        out = []
        for i in range(1, len(ids)):
            r = self.complete({"prompt": list(ids[:i]), "n_predict": 1, "n_probs": 1, "temperature": 0,
                               "cache_prompt": True, "logit_bias": [[int(ids[i]), 1000]],
                               "post_sampling_probs": False})
            c = self._first(r)
            if c["id"] != ids[i]:
                raise LlamaCppError(f"position {i}: forced token {ids[i]}, server sampled {c['id']}")
            out.append(float(c["logprob"]))
        return out

    def generate(self, prompt: str | list[int], max_new: int) -> dict:
        """Greedy, eos ignored, exactly ``max_new`` tokens; llama.cpp's own timings."""
        r = self.complete({"prompt": prompt, "n_predict": max_new, "temperature": 0, "top_k": 1,
                           "ignore_eos": True, "cache_prompt": False})
        t = r["timings"]
        return {"prompt_tokens": r["usage"]["prompt_tokens"], "tokens": r["usage"]["completion_tokens"],
                "ttft_ms": round(t["prompt_ms"], 2),
                "decode_tokens_per_s": round(t["predicted_per_second"], 2),
                "text": r["choices"][0]["text"]}


def peak_rss_mib() -> float:
    """This process's peak resident set size (Linux reports ru_maxrss in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gguf", type=Path)
    ap.add_argument("command", choices=["tokenize", "generate"])
    ap.add_argument("text")
    ap.add_argument("--max-new-tokens", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--n-ctx", type=int, default=2048)
    a = ap.parse_args(argv)
    if not a.gguf.is_file():
        print(f"llama_ref: {a.gguf} not found", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    with LlamaCpp(a.gguf, a.threads, a.n_ctx) as ll:
        load_s = time.perf_counter() - t0
        if a.command == "tokenize":
            print(json.dumps({"tokens": ll.tokenize(a.text, special=True)}))
            return 0
        ll.generate(a.text, 4)  # warm-up
        g = ll.generate(a.text, a.max_new_tokens)
        g.update(load_s=round(load_s, 2), threads=a.threads, xllamacpp=ll.version, peak_rss_mib=peak_rss_mib())
        print(json.dumps(g, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
