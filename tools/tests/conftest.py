import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FIXTURES = ROOT / "tools" / "fixtures"
ARCHS = ["llama", "qwen2", "qwen3"]
ATTENTIONS = ["gqa", "ops"]


@pytest.fixture(scope="session")
def converted(tmp_path_factory):
    """(arch, quant, attention, compute) -> output dir, converted lazily once per session."""
    from tools.gguf2onnx import convert

    cache: dict = {}

    def get(arch: str, quant: str, attention: str = "gqa", compute: str = "int8") -> Path:
        key = (arch, quant, attention, compute)
        if key not in cache:
            out = tmp_path_factory.mktemp(f"{arch}-{quant}-{attention}-{compute}")
            convert(FIXTURES / f"tiny-{arch}.gguf", out, quant, attention=attention, compute=compute)
            cache[key] = out
        return cache[key]

    return get
