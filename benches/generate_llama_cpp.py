"""Greedy decode speed of llama.cpp (PyPI llama-cpp-python) on a GGUF file, timed like tools/py_generate.py.

Run with the bench-only venv that scripts/bench-generate.sh documents (.venv-llama):

    .venv-llama/bin/python benches/generate_llama_cpp.py GGUF PROMPT --max-new-tokens 64 --threads 2
      -> one JSON line {"prefill_ms", "prompt_tokens", "tokens", "decode_tokens_per_s", "text", ...}

The loop mirrors the Python onnxruntime baseline: the prompt (used as is, special-token text such
as <|im_start|> recognised, no BOS added) is decoded in one batch, then one token per llama_decode
call; the next token is the argmax of the last logits (greedy, EOS ignored, exactly
max-new-tokens tokens). prefill_ms is the time to the first generated token; decode tokens/s
counts the tokens after it. A 4-token warm-up run comes first; the KV cache is cleared before
each run. llama.cpp settings: n_ctx 2048, n_batch 512, KV cache f16 (default), flash attention off
(llama-cpp-python's default), n_threads = n_threads_batch = --threads, use_extra_bufts off (see
disable_extra_buffer_types).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import sys
import time

import llama_cpp
import numpy as np


def disable_extra_buffer_types() -> None:
    """Load models with use_extra_bufts = false: plain ggml-cpu kernels, no weight repacking and no
    AMX buffer type. On this project's build machine (Xeon with AMX, sandboxed kernel) the AMX
    path dies with SIGILL on `tilezero` in a worker thread; a CPU without AMX takes the same
    plain path anyway."""
    import llama_cpp.llama_cpp as low

    default = low.llama_model_default_params

    def params():
        p = default()
        p.use_extra_bufts = False
        return p

    low.llama_model_default_params = params


class Runner:
    def __init__(self, gguf: str, threads: int, n_ctx: int):
        self.llm = llama_cpp.Llama(model_path=gguf, n_ctx=n_ctx, n_batch=512, n_threads=threads,
                                   n_threads_batch=threads, verbose=False)
        self.ctx = self.llm._ctx.ctx
        self.n_vocab = self.llm.n_vocab()

    def clear(self) -> None:
        if hasattr(llama_cpp, "llama_memory_clear"):
            llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(self.ctx), True)
        else:  # older bindings
            llama_cpp.llama_kv_self_clear(self.ctx)

    def step(self, tokens: list[int]) -> int:
        arr = (llama_cpp.llama_token * len(tokens))(*tokens)
        rc = llama_cpp.llama_decode(self.ctx, llama_cpp.llama_batch_get_one(arr, len(tokens)))
        if rc != 0:
            raise RuntimeError(f"llama_decode returned {rc}")
        ptr = llama_cpp.llama_get_logits_ith(self.ctx, -1)
        logits = np.ctypeslib.as_array(ctypes.cast(ptr, ctypes.POINTER(ctypes.c_float)), shape=(self.n_vocab,))
        return int(np.argmax(logits))

    def generate(self, ids: list[int], max_new: int):
        self.clear()
        new: list[int] = []
        t0 = time.perf_counter()
        nxt = self.step(ids)
        prefill_s = time.perf_counter() - t0
        new.append(nxt)
        t1 = time.perf_counter()
        while len(new) < max_new:
            nxt = self.step([nxt])
            new.append(nxt)
        decode_s = time.perf_counter() - t1
        return new, prefill_s, decode_s


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gguf")
    ap.add_argument("prompt", help="prompt text, used as is (apply the chat template yourself)")
    ap.add_argument("--max-new-tokens", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--n-ctx", type=int, default=2048)
    ap.add_argument("--extra-bufts", action="store_true",
                    help="keep llama.cpp's extra buffer types (repack/AMX); off by default, see disable_extra_buffer_types")
    a = ap.parse_args(argv)
    if not a.extra_bufts:
        disable_extra_buffer_types()
    r = Runner(a.gguf, a.threads, a.n_ctx)
    ids = r.llm.tokenize(a.prompt.encode(), add_bos=False, special=True)
    if len(ids) + a.max_new_tokens > a.n_ctx:
        print(f"prompt {len(ids)} + {a.max_new_tokens} new tokens exceed n_ctx {a.n_ctx}", file=sys.stderr)
        return 2
    r.generate(ids, 4)  # warm-up
    new, prefill_s, decode_s = r.generate(ids, a.max_new_tokens)
    n_dec = len(new) - 1
    print(json.dumps({
        "prefill_ms": round(prefill_s * 1000, 2),
        "prompt_tokens": len(ids),
        "tokens": len(new),
        "decode_tokens_per_s": round(n_dec / decode_s, 2) if decode_s > 0 else None,
        "threads": a.threads,
        "llama_cpp_python": llama_cpp.__version__,
        "text": r.llm.detokenize(new).decode("utf-8", errors="replace"),
    }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
