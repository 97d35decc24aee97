"""A llama.cpp server (PyPI xllamacpp) on 127.0.0.1 for the gateway tests and bench.

    python llama_upstream.py MODEL.gguf [N_PARALLEL [N_CTX [N_THREADS]]]

Listens on a free port chosen by the OS, prints `READY <address>` on stdout once the model is
loaded, and serves until stdin closes (the parent drops its end, or dies) or it is killed.
N_CTX is the total context, shared by the N_PARALLEL slots.
"""

import sys


def main() -> int:
    import xllamacpp as x

    parallel = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    ctx = int(sys.argv[3]) if len(sys.argv) > 3 else 2048
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    p = x.CommonParams()
    p.model.path = sys.argv[1]
    p.hostnames = ["127.0.0.1"]
    p.port = 0
    p.n_ctx = ctx
    p.n_batch = 512
    p.n_parallel = parallel
    p.cpuparams.n_threads = threads
    p.cpuparams_batch.n_threads = threads
    p.verbosity = 0
    p.warmup = False
    server = x.Server(p)
    print("READY", server.listening_address, flush=True)
    sys.stdin.read()
    del server
    return 0


if __name__ == "__main__":
    sys.exit(main())
