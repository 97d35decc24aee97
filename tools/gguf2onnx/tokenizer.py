"""Build a Hugging Face ``tokenizer.json`` from GGUF tokenizer metadata.

Supported: ``tokenizer.ggml.model == "gpt2"`` (byte-level BPE: SmolLM2, Qwen2/3, Llama 3).
No post-processor is installed (models.md §2.5: SmolLM2's GGUF says add_bos_token false,
and a template-level BOS is the chat template's business).
"""

from __future__ import annotations

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers

# GGUF token types (llama.cpp): 1 NORMAL, 2 UNKNOWN, 3 CONTROL, 4 USER_DEFINED, 5 UNUSED, 6 BYTE
CONTROL, USER_DEFINED = 3, 4

_GPT2_PAT = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
_QWEN2_PAT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)
_LLAMA3_PAT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)


def _pre_tokenizer(pre: str):
    bl_noregex = pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    if pre in ("smollm", "starcoder", "refact", "codeshell"):
        # HF SmolLM2 tokenizer.json: Digits(individual) + ByteLevel(use_regex)
        return pre_tokenizers.Sequence([
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True),
        ]), None
    if pre in ("qwen2", "deepseek-r1-qwen"):
        return pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(_QWEN2_PAT), behavior="isolated", invert=False),
            bl_noregex,
        ]), normalizers.NFC()
    if pre in ("llama-bpe", "llama3", "smaug-bpe"):
        return pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(_LLAMA3_PAT), behavior="isolated", invert=False),
            bl_noregex,
        ]), None
    if pre in ("default", "gpt-2", "gpt2", "", None):
        return pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True), None
    raise ValueError(f"unsupported tokenizer.ggml.pre {pre!r}")


def build_tokenizer(meta: dict) -> Tokenizer:
    kind = meta.get("tokenizer.ggml.model")
    if kind != "gpt2":
        raise ValueError(f"tokenizer.ggml.model {kind!r} unsupported (only byte-level BPE 'gpt2')")
    tokens: list[str] = list(meta["tokenizer.ggml.tokens"])
    types: list[int] = list(meta.get("tokenizer.ggml.token_type") or [1] * len(tokens))
    merges_raw: list[str] = list(meta.get("tokenizer.ggml.merges") or [])
    vocab = {tok: i for i, tok in enumerate(tokens)}
    merges = []
    for m in merges_raw:
        a, sep, b = m.partition(" ")
        if not sep:
            raise ValueError(f"bad merge {m!r}")
        merges.append((a, b))
    pre = meta.get("tokenizer.ggml.pre", "default")
    bpe = models.BPE(vocab=vocab, merges=merges, fuse_unk=False, byte_fallback=False,
                     ignore_merges=pre in ("llama-bpe", "llama3", "smaug-bpe"))
    tok = Tokenizer(bpe)
    pt, norm = _pre_tokenizer(pre)
    tok.pre_tokenizer = pt
    if norm is not None:
        tok.normalizer = norm
    tok.decoder = decoders.ByteLevel()
    added = []
    for i, (t, ty) in enumerate(zip(tokens, types)):
        if ty == CONTROL:
            added.append(AddedToken(t, special=True, normalized=False))
        elif ty == USER_DEFINED:
            added.append(AddedToken(t, special=False, normalized=False))
    if added:
        tok.add_special_tokens([a for a in added if a.special])
        tok.add_tokens([a for a in added if not a.special])
    # Added tokens already exist in the vocab: ids must not move.
    for i, (t, ty) in enumerate(zip(tokens, types)):
        if ty in (CONTROL, USER_DEFINED) and tok.token_to_id(t) != i:
            raise ValueError(f"added token {t!r} got id {tok.token_to_id(t)} != {i}")
    return tok
