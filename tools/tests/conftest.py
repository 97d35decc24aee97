import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FIXTURES = ROOT / "tools" / "fixtures"
ARCHS = ["llama", "qwen2", "qwen3"]


@pytest.fixture(scope="session")
def converted(tmp_path_factory):
    """(arch, quant) -> output dir, converted lazily once per session."""
    from tools.gguf2onnx import convert

    cache: dict = {}

    def get(arch: str, quant: str) -> Path:
        key = (arch, quant)
        if key not in cache:
            out = tmp_path_factory.mktemp(f"{arch}-{quant}")
            convert(FIXTURES / f"tiny-{arch}.gguf", out, quant)
            cache[key] = out
        return cache[key]

    return get
