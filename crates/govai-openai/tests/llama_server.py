"""A llama.cpp server (PyPI xllamacpp) on 127.0.0.1 for the govai-openai tests.

    python llama_server.py MODEL.gguf [API_KEY]

Listens on a free port chosen by the OS, prints `READY <address>` on stdout once the model is
loaded, and serves until stdin closes (the test drops its end, or dies) or it is killed.
"""

import sys


def main() -> int:
    import xllamacpp as x

    p = x.CommonParams()
    p.model.path = sys.argv[1]
    p.hostnames = ["127.0.0.1"]
    p.port = 0
    p.n_ctx = 2048
    p.n_batch = 512
    p.n_parallel = 1
    p.cpuparams.n_threads = 2
    p.cpuparams_batch.n_threads = 2
    p.verbosity = 0
    p.warmup = False
    if len(sys.argv) > 2:
        p.api_keys = [sys.argv[2]]
    server = x.Server(p)
    print("READY", server.listening_address, flush=True)
    sys.stdin.read()
    del server
    return 0


if __name__ == "__main__":
    sys.exit(main())
