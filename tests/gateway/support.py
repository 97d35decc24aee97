"""Real processes for the gateway tests and the gateway bench, all on 127.0.0.1:

- GovaiServer: `govai serve --config FILE --listen 127.0.0.1:0`, its address read from its log;
- LlamaServer: a llama.cpp server (PyPI xllamacpp, llama_upstream.py) with the Qwen GGUF;
- RecordingProxy: a small HTTP proxy that records every request body it forwards upstream
  (and the answers), streaming answers passed on chunk by chunk; it can also answer 500s.

Every start() is bounded in time; stop() is safe to call twice and kills what did not stop.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

#: A Chinese resident ID number with a valid check digit (the project's test value).
ID_NUMBER = "11010519491231002X"

START_TIMEOUT = 60.0  # govai serve: loading the embedded defaults takes about a second
LLAMA_START_TIMEOUT = 240.0  # loading the GGUF on a busy two-core machine


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it when the test process dies (killed by the run's
    time bound, say), so that no server outlives the tests."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def govai_bin() -> Path:
    if os.environ.get("GOVAI_BIN"):
        return Path(os.environ["GOVAI_BIN"]).resolve()
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    if not target.is_absolute():
        target = ROOT / target
    return target / "debug" / "govai"


def find_gguf() -> Path | None:
    models = ROOT / "models"
    if not models.is_dir():
        return None
    found = sorted(
        p for p in models.iterdir()
        if p.name.lower().endswith(".gguf") and "qwen" in p.name.lower() and "instruct" in p.name.lower()
    )
    return found[0] if found else None


def has_xllamacpp() -> bool:
    try:
        import xllamacpp  # noqa: F401
    except ImportError:
        return False
    return True


def dead_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_keys(config_text: str, roles: str, keys_file: str = "keys.json", settings: dict | None = None) -> str:
    """A config text with `[server] keys_file` set (and other `[server]` settings), and the
    `[server.roles.*]` tables of `roles` appended; works whether or not the text already has
    a `[server]` table (govai.example.toml has one, with keys_file commented out)."""
    lines = {"keys_file": f'"{keys_file}"', **{k: str(v) for k, v in (settings or {}).items()}}
    if re.search(r"^\[server\]\s*$", config_text, flags=re.M):
        for key in lines:  # drop the example's own line (commented or not) for each key we set
            config_text = re.sub(rf"^#? ?{key} = .*\n", "", config_text, flags=re.M)
        body = "".join(f"{k} = {v}\n" for k, v in lines.items())
        config_text = re.sub(r"^\[server\]\s*\n", "[server]\n" + body, config_text, count=1, flags=re.M)
    else:
        config_text += "\n[server]\n" + "".join(f"{k} = {v}\n" for k, v in lines.items())
    return config_text + "\n" + roles


def read_audit(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def verify_audit(govai: Path, path: Path) -> str:
    """`govai audit verify PATH` must succeed; returns its output."""
    r = subprocess.run([str(govai), "audit", "verify", str(path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"govai audit verify {path} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    return r.stdout + r.stderr


class GovaiServer:
    """`govai serve` on 127.0.0.1 at a port the OS picks."""

    def __init__(self, govai: Path, config: Path, log: Path, env: dict | None = None):
        self.govai, self.config, self.log = Path(govai), Path(config), Path(log)
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def start(self) -> "GovaiServer":
        self._out = open(self.log, "wb")
        self.proc = subprocess.Popen(
            [str(self.govai), "serve", "--config", str(self.config), "--listen", "127.0.0.1:0"],
            stdin=subprocess.DEVNULL, stdout=self._out, stderr=subprocess.STDOUT, env=self.env, cwd=self.config.parent,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            text = self.log.read_text(encoding="utf-8", errors="replace")
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/v1", text)
            if m:
                self.port = int(m.group(1))
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"govai serve exited with {self.proc.returncode}:\n{text}")
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"govai serve did not listen within {START_TIMEOUT}s:\n{self.log.read_text()}")

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def rss_kib(self) -> int:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self, grace: float = 20.0) -> int | None:
        """SIGTERM (drain, flush the audit log), then SIGKILL after `grace` seconds."""
        p = self.proc
        if p is None:
            return None
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(grace)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(10)
        self._out.close()
        return p.returncode


class LlamaServer:
    """llama_upstream.py: xllamacpp's llama.cpp server, `READY <addr>` on stdout, until stdin closes."""

    def __init__(self, gguf: Path, log: Path, parallel: int = 1, ctx_per_slot: int = 1024, threads: int = 2):
        self.gguf, self.log = gguf, Path(log)
        self.parallel, self.ctx_per_slot, self.threads = parallel, ctx_per_slot, threads
        self.proc: subprocess.Popen | None = None
        self.base_url = ""

    def start(self) -> "LlamaServer":
        self._err = open(self.log, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "llama_upstream.py"), str(self.gguf), str(self.parallel),
             str(self.ctx_per_slot * self.parallel), str(self.threads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._err, preexec_fn=_die_with_parent,
        )
        found: list[str] = []

        def read() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            for raw in self.proc.stdout:
                line = raw.decode(errors="replace").strip()
                if line.startswith("READY "):
                    found.append(line.split(" ", 1)[1])
                    return

        t = threading.Thread(target=read, daemon=True)
        t.start()
        t.join(LLAMA_START_TIMEOUT)
        if not found:
            self.stop()
            raise RuntimeError(f"llama.cpp server did not start within {LLAMA_START_TIMEOUT}s")
        addr = found[0]
        assert addr.startswith("http://127.0.0.1:"), f"loopback only: {addr}"
        self.base_url = f"{addr}/v1"
        return self

    def stop(self) -> None:
        p = self.proc
        if p is None:
            return
        if p.poll() is None:
            try:
                assert p.stdin is not None
                p.stdin.close()
            except OSError:
                pass
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(10)
        self._err.close()


class RecordingProxy:
    """HTTP proxy on 127.0.0.1 to `upstream` (http://host:port). Records each forwarded request
    (method, path, body) and the answer's bytes; streams event-stream answers chunk by chunk,
    noting when the first chunk came (`first_chunk_at`, time.monotonic()).
    `fail_status` set: answers that status with an OpenAI error JSON instead of forwarding."""

    def __init__(self, upstream: str):
        m = re.fullmatch(r"http://([^:/]+):(\d+)/?", upstream)
        assert m, upstream
        self.host, self.uport = m.group(1), int(m.group(2))
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.fail_status: int | None = None
        self.server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def bodies(self) -> list[str]:
        with self.lock:
            return [r["body"] for r in self.requests]

    def chat_requests(self) -> list[dict]:
        with self.lock:
            return [json.loads(r["body"]) for r in self.requests if r["path"].endswith("/chat/completions")]

    def start(self) -> "RecordingProxy":
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _forward(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                record = {"method": self.command, "path": self.path, "body": body.decode("utf-8", "replace"),
                          "response": ""}
                with proxy.lock:
                    proxy.requests.append(record)
                if proxy.fail_status is not None:
                    err = json.dumps({"error": {"message": "injected failure", "type": "server_error"}}).encode()
                    self.send_response(proxy.fail_status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(err)))
                    self.end_headers()
                    self.wfile.write(err)
                    return
                conn = http.client.HTTPConnection(proxy.host, proxy.uport, timeout=300)
                try:
                    headers = {k: v for k, v in self.headers.items()
                               if k.lower() not in ("host", "connection", "content-length", "accept-encoding")}
                    conn.request(self.command, self.path, body=body or None, headers=headers)
                    resp = conn.getresponse()
                    streaming = "text/event-stream" in (resp.getheader("Content-Type") or "")
                    self.send_response(resp.status)
                    for k, v in resp.getheaders():
                        if k.lower() not in ("transfer-encoding", "connection", "content-length", "keep-alive"):
                            self.send_header(k, v)
                    if streaming:
                        # Close-delimited body: every upstream chunk is written and flushed at once.
                        self.send_header("Connection", "close")
                        self.end_headers()
                        self.close_connection = True
                        got = []
                        try:
                            while True:
                                chunk = resp.read1(65536)
                                if not chunk:
                                    break
                                record.setdefault("first_chunk_at", time.monotonic())
                                got.append(chunk)
                                self.wfile.write(chunk)
                                self.wfile.flush()
                        except (BrokenPipeError, ConnectionResetError):
                            pass  # the client stopped the stream: so does the upstream (closed below)
                        record["response"] = b"".join(got).decode("utf-8", "replace")
                    else:
                        data = resp.read()
                        self.send_header("Content-Length", str(len(data)))
                        self.end_headers()
                        self.wfile.write(data)
                        record["response"] = data.decode("utf-8", "replace")
                finally:
                    conn.close()

            do_GET = _forward
            do_POST = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
