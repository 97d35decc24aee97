"""--quant 4bit-gguf: GGUF 4-bit blocks kept exactly (tools/gguf2onnx/q4.py)."""

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from tools.gguf2onnx.q4 import BLOCK, dequantize_blocks, matmuls_to_nbits, quantize_blocks


def _q4_1_weights(rng, n: int, k: int) -> np.ndarray:
    """Weights as a Q4_1 GGUF tensor dequantises them: d * q + m, d and m in float16."""
    d = rng.uniform(0.001, 0.05, (n, k // BLOCK, 1)).astype(np.float16).astype(np.float32)
    m = rng.uniform(-0.4, 0.0, (n, k // BLOCK, 1)).astype(np.float16).astype(np.float32)
    q = rng.integers(0, 16, (n, k // BLOCK, BLOCK)).astype(np.float32)
    return (d * q + m).reshape(n, k).astype(np.float32)


def test_q4_1_blocks_round_trip_exactly():
    rng = np.random.default_rng(7)
    w = _q4_1_weights(rng, 16, 96)
    w[0, :BLOCK] = 0.0  # constant blocks, zero and not
    w[1, :BLOCK] = -0.25
    packed, scales, zps, kept = quantize_blocks(w)
    assert packed.shape == (16, 3, 16) and packed.dtype == np.uint8
    assert kept == 16 * 3
    assert np.abs(dequantize_blocks(packed, scales, zps) - w).max() < 1e-6


def test_off_grid_blocks_fall_back_to_min_max():
    rng = np.random.default_rng(8)
    w = rng.normal(size=(4, 64)).astype(np.float32)
    packed, scales, zps, kept = quantize_blocks(w)
    assert kept == 0
    err = np.abs(dequantize_blocks(packed, scales, zps) - w)
    # min/max asymmetric 4-bit: error at most half a step per block
    step = (w.reshape(4, 2, BLOCK).max(-1) - w.reshape(4, 2, BLOCK).min(-1)) / 15
    assert (err.reshape(4, 2, BLOCK) <= step[..., None] / 2 + 1e-6).all()


def test_matmul_rewrite_runs_exactly_in_onnxruntime():
    rng = np.random.default_rng(9)
    k, n = 64, 24
    w = _q4_1_weights(rng, n, k)  # [N, K]
    x = rng.normal(size=(2, 3, k)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3, n])],
        [numpy_helper.from_array(np.ascontiguousarray(w.T), "w")],
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    replaced, kept, blocks = matmuls_to_nbits(m)
    assert (replaced, kept, blocks) == (1, n * k // BLOCK, n * k // BLOCK)
    assert {nd.op_type for nd in m.graph.node} == {"MatMulNBits", "Reshape", "ReduceSum", "MatMul", "Add"}
    onnx.checker.check_model(m)
    s = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    (y,) = s.run(None, {"x": x})
    assert np.abs(y - x @ w.T).max() < 1e-4
