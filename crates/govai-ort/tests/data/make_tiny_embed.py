#!/usr/bin/env python3
"""Tiny BERT-shaped encoder fixture for govai-ort's embedding tests (tests/data/tiny-embed/).

Graph: last_hidden_state[b, t] = E[input_ids[b, t]] + T[token_type_ids[b, t]], with an unused
attention_mask input, so the pooling (masked mean) and L2 normalisation under test are
govai's. Reuses the tiny-llama byte-level tokenizer. expected.json holds numpy's vectors.
"""
import json, os
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from tokenizers import Tokenizer

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "tiny-embed")
os.makedirs(out, exist_ok=True)
tok = Tokenizer.from_file(os.path.join(here, "tiny-llama", "tokenizer.json"))
V, D = tok.get_vocab_size(), 16
rng = np.random.default_rng(7)
E = rng.standard_normal((V, D)).astype(np.float32)
T = rng.standard_normal((2, D)).astype(np.float32)
nodes = [
    helper.make_node("Gather", ["E", "input_ids"], ["e"]),
    helper.make_node("Gather", ["T", "token_type_ids"], ["t"]),
    helper.make_node("Add", ["e", "t"], ["last_hidden_state"]),
]
dims = ["batch", "seq"]
graph = helper.make_graph(
    nodes, "tiny_embed",
    [helper.make_tensor_value_info(n, TensorProto.INT64, dims) for n in ("input_ids", "attention_mask", "token_type_ids")],
    [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, dims + [D])],
    [numpy_helper.from_array(E, "E"), numpy_helper.from_array(T, "T")],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, os.path.join(out, "model.onnx"))
tok.save(os.path.join(out, "tokenizer.json"))
json.dump({"architecture": "tiny", "inputs": "bert", "output": "last_hidden_state", "pooling": "mean",
           "normalize": True, "dimension": D, "max_length": 64, "batch_size": 3},
          open(os.path.join(out, "config.json"), "w"), indent=2)
texts = ["Hello world", "你好，世界。如何续签护照？", "a", "The quick brown fox jumps over the lazy dog", "政务服务"]
exp = []
for s in texts:
    ids = tok.encode(s).ids
    v = (E[ids] + T[0]).mean(0)
    v = v / np.linalg.norm(v)
    exp.append([s, [float(x) for x in v]])
json.dump(exp, open(os.path.join(out, "expected.json"), "w"))
print("wrote", out)
