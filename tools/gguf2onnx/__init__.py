"""Torch-free GGUF -> ONNX converter for the Llama family (llama / SmolLM2, qwen2, qwen3)."""

from .convert import convert, main  # noqa: F401
from .gguf_model import load_gguf  # noqa: F401
