"""GGUF -> ONNX conversion driver (CLI: ``python -m tools.gguf2onnx IN.gguf OUT_DIR``)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

import onnx

from .graph import ATTENTION_KINDS, OPSET, build_graph
from .gguf_model import GGUFModel, load_gguf, sha256_file
from .tokenizer import build_tokenizer

log = logging.getLogger("gguf2onnx")

# Bumped whenever the graph a conversion writes changes; scripts/convert-smollm2.sh reconverts a
# cached model whose config.json records another version. 2: GroupQueryAttention + int8 compute.
CONVERTER_VERSION = 2
# --quant choice -> the name recorded in config.json "quantization" (scripts compare it).
QUANT_NAMES = {"4bit": "4bit-matmulnbits-b32-sym", "4bit-gguf": "4bit-matmulnbits-b32-gguf-blocks",
               "gguf-exact": "matmulnbits-gguf-blocks-exact-4or8bit", "none": "none"}

_EXTRA_EOS_NAMES = ("<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end_of_text|>", "<end_of_turn>")


# MatMulNBits accuracy_level per --compute: 4 quantises each activation block to int8 and uses
# integer dot products (VNNI/AMX where the CPU has them), 1 dequantises the weights to fp32.
# Measured on SmolLM2-135M (README): int8 decodes ~1.35x faster for +0.3% perplexity.
ACCURACY_LEVEL = {"int8": 4, "fp32": 1}


def quantize_4bit(m: onnx.ModelProto, op_types: tuple[str, ...] = ("MatMul", "Gather"),
                  compute: str = "int8") -> onnx.ModelProto:
    """Weight-only 4-bit (block 32, symmetric) with onnxruntime's quantizer, then drop unused
    initializers and reset ai.onnx to opset 17 (models.md §2.3 steps 3-4)."""
    level = ACCURACY_LEVEL[compute]
    from onnxruntime.quantization.matmul_nbits_quantizer import (
        DefaultWeightOnlyQuantConfig,
        MatMulNBitsQuantizer,
    )

    cfg = DefaultWeightOnlyQuantConfig(
        block_size=32,
        is_symmetric=True,
        accuracy_level=level,
        op_types_to_quantize=op_types,
        quant_axes=(("MatMul", 0), ("Gather", 1)),
        bits=4,
    )
    q = MatMulNBitsQuantizer(
        m, bits=4, block_size=32, is_symmetric=True, accuracy_level=level,
        op_types_to_quantize=op_types, quant_axes=(("MatMul", 0), ("Gather", 1)),
        algo_config=cfg,
    )
    q.process()
    out = q.model.model if hasattr(q.model, "model") else q.model
    remove_unused_initializers(out)
    set_default_opset(out, OPSET)
    return out


def quantize_4bit_gguf(m: onnx.ModelProto, compute: str = "int8", mode: str = "4bit") -> onnx.ModelProto:
    """``--quant 4bit-gguf`` (mode ``4bit``): MatMul weights keep GGUF's 4-bit blocks exactly,
    others get 4-bit min/max blocks; ``--quant gguf-exact`` (mode ``exact``): every MatMul
    weight keeps its GGUF blocks exactly, in 4 or 8 bits (q4.py). The embedding Gather as in
    :func:`quantize_4bit`."""
    from .q4 import matmuls_to_nbits

    replaced, kept, blocks = matmuls_to_nbits(m, ACCURACY_LEVEL[compute], mode)
    log.info("gguf2onnx: %d MatMul -> MatMulNBits, %d of %d blocks exact", replaced, kept, blocks)
    return quantize_4bit(m, op_types=("Gather",), compute=compute)


def remove_unused_initializers(m: onnx.ModelProto) -> int:
    used = {i for n in m.graph.node for i in n.input}
    used |= {o.name for o in m.graph.output}
    keep = [t for t in m.graph.initializer if t.name in used]
    removed = len(m.graph.initializer) - len(keep)
    del m.graph.initializer[:]
    m.graph.initializer.extend(keep)
    return removed


def set_default_opset(m: onnx.ModelProto, version: int) -> None:
    for o in m.opset_import:
        if o.domain in ("", "ai.onnx"):
            o.version = version


def eos_ids(gm: GGUFModel) -> list[int]:
    meta = gm.metadata
    out: list[int] = []
    for key in ("tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"):
        v = meta.get(key)
        if v is not None and int(v) not in out:
            out.append(int(v))
    tokens = meta.get("tokenizer.ggml.tokens") or []
    types = meta.get("tokenizer.ggml.token_type") or []
    for i, t in enumerate(tokens):
        if t in _EXTRA_EOS_NAMES and (not types or int(types[i]) == 3) and i not in out:
            out.append(i)
    return out


def make_config(gm: GGUFModel, src_sha: str, quant: str, tok_ok: bool, attention: str = "gqa",
                compute: str = "int8") -> dict:
    h = gm.hparams
    meta = gm.metadata

    def mid(key):
        v = meta.get(key)
        return int(v) if v is not None else None

    return {
        "architecture": h.arch,
        "model_name": h.name,
        "num_layers": h.num_layers,
        "num_heads": h.num_heads,
        "num_kv_heads": h.num_kv_heads,
        "head_dim": h.head_dim,
        "hidden_size": h.hidden_size,
        "intermediate_size": h.intermediate_size,
        "vocab_size": h.vocab_size,
        "max_position_embeddings": h.max_position_embeddings,
        "rope_theta": h.rope_theta,
        "rms_norm_eps": h.rms_norm_eps,
        "tie_word_embeddings": h.tied_embeddings,
        "bos_token_id": mid("tokenizer.ggml.bos_token_id"),
        "eos_token_ids": eos_ids(gm),
        "pad_token_id": mid("tokenizer.ggml.padding_token_id"),
        "unk_token_id": mid("tokenizer.ggml.unknown_token_id"),
        "add_bos_token": bool(meta.get("tokenizer.ggml.add_bos_token", False)),
        "has_position_ids": attention != "gqa",
        "kv_cache_layout": "optimum",
        # gqa: fused GroupQueryAttention; sequences are right-padded (lengths come from the
        # mask) and past/present may be one shared max-length buffer (see graph.py).
        "attention": attention,
        "padding_side": "right" if attention == "gqa" else "left",
        "kv_cache_shareable": attention == "gqa",
        "quantization": QUANT_NAMES[quant],
        "matmul_compute": compute if quant != "none" else "fp32",
        "onnx_opset": OPSET,
        "converter_version": CONVERTER_VERSION,
        "source_gguf": Path(gm.path).name,
        "source_gguf_sha256": src_sha,
        "has_tokenizer": tok_ok,
        "has_chat_template": bool(meta.get("tokenizer.chat_template")),
    }


def convert(gguf_path: str | Path, out_dir: str | Path, quant: str = "4bit", attention: str = "gqa",
            compute: str = "int8", generation: dict | None = None) -> dict:
    """Convert; ``generation`` (optional) is written to config.json as the model's generation
    defaults (govai-ort ``GenerateOptions`` keys, e.g. ``{"sampling": {"no_repeat_ngram_size": 6}}``)."""
    if generation is not None and not isinstance(generation, dict):
        raise ValueError("generation must be a JSON object")
    if quant not in QUANT_NAMES:
        raise ValueError(f"quant must be one of {tuple(QUANT_NAMES)}")
    if attention not in ATTENTION_KINDS:
        raise ValueError(f"attention must be one of {ATTENTION_KINDS}")
    if compute not in ACCURACY_LEVEL:
        raise ValueError(f"compute must be one of {tuple(ACCURACY_LEVEL)}")
    gguf_path, out_dir = Path(gguf_path), Path(out_dir)
    t0 = time.time()
    src_sha = sha256_file(gguf_path)
    gm = load_gguf(gguf_path)
    log.info("loaded %s (%s, %d layers) in %.1fs", gguf_path.name, gm.hparams.arch, gm.hparams.num_layers, time.time() - t0)
    m = build_graph(gm, fold_tied_head=(quant != "none"), attention=attention)
    gm.tensors.clear()
    gm.raw_tensors.clear()
    if quant != "none":
        t1 = time.time()
        if quant == "4bit":
            m = quantize_4bit(m, compute=compute)
        else:
            m = quantize_4bit_gguf(m, compute, "exact" if quant == "gguf-exact" else "4bit")
        log.info("quantised to 4-bit (%s) in %.1fs", quant, time.time() - t1)
    if m.ByteSize() < (2 << 30) - (1 << 20):
        onnx.checker.check_model(m)

    out_dir.mkdir(parents=True, exist_ok=True)
    model_path = out_dir / "model.onnx"
    tmp = out_dir / "model.onnx.tmp"
    large = m.ByteSize() >= (2 << 30) - (64 << 20)
    if large:
        onnx.save_model(m, str(tmp), save_as_external_data=True, all_tensors_to_one_file=True,
                        location="model.onnx.data", size_threshold=1024)
    else:
        onnx.save_model(m, str(tmp))
    os.replace(tmp, model_path)

    tok_ok = False
    try:
        tok = build_tokenizer(gm.metadata)
        tok.save(str(out_dir / "tokenizer.json"))
        tok_ok = True
    except ValueError as e:
        log.warning("no tokenizer.json written: %s", e)
    tmpl = gm.metadata.get("tokenizer.chat_template")
    if tmpl:
        (out_dir / "chat_template.jinja").write_text(str(tmpl), encoding="utf-8")
    cfg = make_config(gm, src_sha, quant, tok_ok, attention, compute)
    if generation:
        cfg["generation"] = generation
    # config.json last: its presence (with the source hash) marks a complete conversion.
    (out_dir / "config.json").write_text(json.dumps(cfg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log.info("wrote %s (%.1f MB) in %.1fs", model_path, model_path.stat().st_size / 1e6, time.time() - t0)
    return cfg


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.gguf2onnx",
                                 description="Convert a Llama-family GGUF (llama, qwen2, qwen3) to ONNX (optimum KV-cache layout).")
    ap.add_argument("gguf", help="input .gguf file")
    ap.add_argument("out_dir", help="output directory (model.onnx, tokenizer.json, config.json, chat_template.jinja)")
    ap.add_argument("--quant", choices=list(QUANT_NAMES), default="4bit",
                    help="4bit: MatMulNBits/GatherBlockQuantized block 32 symmetric (default); 4bit-gguf: "
                         "keep GGUF's 4-bit blocks exactly (+offset MatMul; better quality, ~13%% slower); "
                         "gguf-exact: keep every GGUF block exactly, 4-bit or 8-bit MatMulNBits (Q5_0/Q8_0/Q6_K "
                         "-> 8-bit); none: fp32")
    ap.add_argument("--attention", choices=list(ATTENTION_KINDS), default="gqa",
                    help="gqa: onnxruntime's fused GroupQueryAttention (default; RoPE inside, right "
                         "padding, KV buffer shareable in place); ops: standard ONNX ops only")
    ap.add_argument("--compute", choices=list(ACCURACY_LEVEL), default="int8",
                    help="activations of the 4-bit MatMuls: int8 (accuracy_level 4, default; faster on "
                         "CPUs with int8 dot products) or fp32 (accuracy_level 1)")
    ap.add_argument("--generation", type=json.loads, default=None,
                    help="JSON object written to config.json as the model's generation defaults "
                         "(govai GenerateOptions keys), e.g. '{\"sampling\": {\"no_repeat_ngram_size\": 6}}'")
    ap.add_argument("-q", "--quiet", action="store_true")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if a.quiet else logging.INFO, format="%(name)s: %(message)s")
    logging.getLogger("onnxruntime").setLevel(logging.ERROR)  # the quantizer logs every node
    try:
        cfg = convert(a.gguf, a.out_dir, a.quant, a.attention, a.compute, a.generation)
    except (ValueError, FileNotFoundError) as e:
        print(f"gguf2onnx: error: {e}", file=sys.stderr)
        return 2
    if not a.quiet:
        print(json.dumps({k: cfg[k] for k in ("architecture", "num_layers", "vocab_size", "quantization")}))
    return 0
