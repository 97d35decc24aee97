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


# --quant gguf-exact: every GGUF block type the Qwen2.5 Q4_K_M file holds, as gguf's numpy
# dequantiser produces them (float16 scales, float32 products).
def _f16(a):
    return a.astype(np.float16).astype(np.float32)


def _gguf_like(kind: str, rng, n: int, k: int) -> np.ndarray:
    if kind == "q5_0":  # w = d * (q - 16), q 0..31, blocks of 32
        d = _f16(rng.uniform(0.001, 0.05, (n, k // 32, 1)))
        return (d * (rng.integers(0, 32, (n, k // 32, 32)) - 16)).reshape(n, k).astype(np.float32)
    if kind == "q8_0":  # w = d * q, q -127..127
        d = _f16(rng.uniform(0.001, 0.05, (n, k // 32, 1)))
        return (d * rng.integers(-127, 128, (n, k // 32, 32))).reshape(n, k).astype(np.float32)
    if kind == "q6_k":  # 16-weight sub-blocks: w = d * sc * (q - 32), sc int8, q 0..63
        d = _f16(rng.uniform(1e-4, 1e-3, (n, 1, 1)))
        sc = rng.integers(-128, 128, (n, k // 16, 1))
        return (d * sc * (rng.integers(0, 64, (n, k // 16, 16)) - 32)).reshape(n, k).astype(np.float32)
    if kind == "q4_k":  # 32-weight sub-blocks: w = (d * sc) * q - (dmin * m), sc/m 6-bit
        d = _f16(rng.uniform(1e-3, 1e-2, (n, 1, 1)))
        scale = (d * rng.integers(1, 64, (n, k // 32, 1))).astype(np.float32)
        off = (d * rng.integers(0, 64, (n, k // 32, 1))).astype(np.float32)
        return (scale * rng.integers(0, 16, (n, k // 32, 32)) - off).reshape(n, k).astype(np.float32)
    raise ValueError(kind)


def test_exact_layouts_keep_every_gguf_block_type():
    from tools.gguf2onnx.q4 import choose_layout

    rng = np.random.default_rng(11)
    want = {"q4_k": (4, 32), "q5_0": (8, 32), "q8_0": (8, 32), "q6_k": (8, 16)}
    for kind, layout in want.items():
        w = _gguf_like(kind, rng, 72, 256)  # > 64 rows: the few-rows pre-check runs too
        bits, block, packed, scales, zps, kept = choose_layout(w, "exact")
        assert (bits, block) == layout, kind
        assert kept == w.size // block, kind
        err = np.abs(dequantize_blocks(packed, scales, zps, bits) - w).max()
        assert err <= 1e-6 * np.abs(w).max(), (kind, err)
    # Off-grid weights: 8-bit min/max blocks, error at most half a step.
    w = rng.normal(size=(4, 64)).astype(np.float32)
    bits, block, packed, scales, zps, kept = choose_layout(w, "exact")
    assert (bits, block, kept) == (8, 32, 0)
    step = (w.reshape(4, 2, 32).max(-1) - w.reshape(4, 2, 32).min(-1)) / 255
    err = np.abs(dequantize_blocks(packed, scales, zps, bits) - w).reshape(4, 2, 32)
    assert (err <= step[..., None] / 2 + 1e-6).all()
    # The 4-bit mode of --quant 4bit-gguf keeps Q4_K exactly and degrades Q5_0 to 4-bit blocks.
    assert choose_layout(_gguf_like("q4_k", rng, 4, 64), "4bit")[5] == 8
    assert choose_layout(_gguf_like("q5_0", rng, 4, 64), "4bit")[5] < 8


def test_exact_matmul_rewrite_runs_in_onnxruntime_for_8_bit_layouts():
    rng = np.random.default_rng(12)
    k, n = 64, 24
    for kind, bits, block in (("q5_0", 8, 32), ("q6_k", 8, 16), ("q4_k", 4, 32)):
        w = _gguf_like(kind, rng, n, k)
        x = rng.normal(size=(2, 3, k)).astype(np.float32)
        graph = helper.make_graph(
            [helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], "g",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, k])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3, n])],
            [numpy_helper.from_array(np.ascontiguousarray(w.T), "w")],
        )
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
        replaced, kept, blocks = matmuls_to_nbits(m, accuracy_level=1, mode="exact")
        assert (replaced, kept, blocks) == (1, n * k // block, n * k // block), kind
        (nb,) = [nd for nd in m.graph.node if nd.op_type == "MatMulNBits"]
        attrs = {a.name: a.i for a in nb.attribute}
        assert (attrs["bits"], attrs["block_size"]) == (bits, block), kind
        # Symmetric grids need no block-offset side path; Q4_K (with mins) keeps it.
        ops = [nd.op_type for nd in m.graph.node]
        assert ops == ["MatMulNBits"] if kind != "q4_k" else len(ops) == 5, (kind, ops)
        onnx.checker.check_model(m)
        s = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
        (y,) = s.run(None, {"x": x})
        assert np.abs(y - x @ w.T).max() < 1e-4 * max(1.0, np.abs(x @ w.T).max()), kind


def test_exact_8_bit_blocks_stay_accurate_with_int8_activations():
    """accuracy_level 4 quantises activations to int8: 8-bit blocks are centred on the default
    zero point, so the product is not a large value minus a large offset (was 5-6% off for Q5_0)."""
    rng = np.random.default_rng(13)
    k, n = 256, 64
    for kind in ("q5_0", "q6_k", "q8_0"):
        w = _gguf_like(kind, rng, n, k)
        x = rng.normal(size=(1, 4, k)).astype(np.float32)
        graph = helper.make_graph(
            [helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], "g",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, k])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, n])],
            [numpy_helper.from_array(np.ascontiguousarray(w.T), "w")],
        )
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
        matmuls_to_nbits(m, accuracy_level=4, mode="exact")
        s = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
        (y,) = s.run(None, {"x": x})
        ref = x @ w.T
        assert np.abs(y - ref).max() < 0.02 * np.abs(ref).max(), kind
