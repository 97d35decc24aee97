"""4-bit MatMulNBits weights that keep GGUF's 4-bit blocks exactly.

``--quant 4bit-gguf``. A Q4_1 block (32 weights) stores ``w = d * q + m`` with ``q`` in 0..15.
Re-quantising the dequantised weights symmetrically (``--quant 4bit``, onnxruntime's quantiser)
loses the offset ``m``. MatMulNBits accepts float zero points (``m = -zp * d`` exactly), but
onnxruntime 1.31's CPU kernel then takes an unpacked path about 20x slower, so the offset is
carried separately: MatMulNBits with scale ``d`` and the default zero point 8, plus the per-block sums of
the input times the block offsets (a [K/32, N] fp32 MatMul, 1/32 of the weights).

Measured on SmolLM2-135M-Instruct (Q4_1 with a Q8_0 tied head; README "Measured figures"):
perplexity (tools/perplexity.py, fp32 compute) fp32 26.77, ``4bit`` 35.65, ``4bit-gguf`` 29.16 (the Q8_0
head is not on a 16-level grid and gets a lossy min/max block; an 8-bit MatMulNBits head
reached 27.03 but also runs on onnxruntime's slow path); decode speed about 0.9x of ``4bit``.

The graph is built from dequantised fp32 weights (rows permuted and fused), so each block's
grid is recovered from its values: the step ``d`` is the smallest gap between its distinct
values, ``q = round((w - min) / d)``. A block whose values are not on a 16-level grid (weights
that were F32/F16/Q8_0 in the GGUF) gets an asymmetric min/max block quantisation with a float
zero point instead (lossy, but keeps the offset).
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

BLOCK = 32


def quantize_blocks(w: np.ndarray, bits: int = 4, block: int = BLOCK) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """w: [N, K] float32 (K a multiple of ``block``). Returns (packed uint8 [N, K/block,
    block * bits / 8], scales float32 [N * K/block], zero points float32 [N * K/block], number of
    blocks kept exactly). ``bits`` 4 or 8."""
    top = (1 << bits) - 1
    n, k = w.shape
    if k % block:
        raise ValueError(f"K = {k} is not a multiple of {block}")
    b = w.reshape(n, k // block, block).astype(np.float32)
    lo = b.min(axis=-1, keepdims=True)
    hi = b.max(axis=-1, keepdims=True)
    # Smallest positive gap between sorted values: the grid step, or a small multiple of it
    # when no two values of the block are neighbours on the grid (likely with 32+ levels), so
    # the step is searched among gap / 1..8, largest first, per block.
    s = np.sort(b, axis=-1)
    gaps = np.diff(s, axis=-1)
    tol = 1e-6 * np.maximum(np.abs(hi), np.abs(lo)) + 1e-12
    gaps = np.where(gaps > tol, gaps, np.inf)
    gap = gaps.min(axis=-1, keepdims=True)
    finite = np.isfinite(gap)
    gap = np.where(finite, gap, 1.0)
    step = gap.copy()
    exact = np.zeros(b.shape[:-1], dtype=bool)
    for div in range(1, 9):
        st = gap / div
        q = np.rint((b - lo) / st)
        ok = finite[..., 0] & (q.max(axis=-1) <= top) & (np.abs(q * st + lo - b).max(axis=-1) <= tol[..., 0] * 4)
        new = ok & ~exact
        step = np.where(new[..., None], st, step)
        exact |= ok
    # Constant blocks (c c c ...): q = 1, scale = c, zero point 0 (or all zero for c == 0).
    const = (hi - lo)[..., 0] <= tol[..., 0]
    scale = np.where(exact[..., None], step, (hi - lo) / float(top))
    safe = np.where(scale > 0, scale, 1.0)
    q = np.rint((b - lo) / safe)
    zp = -lo / safe
    c = const[..., None]
    scale = np.where(c, np.where(lo != 0, lo, 1.0), scale)
    zp = np.where(c, 0.0, zp)
    q = np.where(c, np.where(lo != 0, 1.0, 0.0), q)
    q = np.clip(q, 0, top).astype(np.uint8)
    packed = q if bits == 8 else (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)
    kept = int((exact | const).sum())
    return packed, scale.reshape(-1).astype(np.float32), zp.reshape(-1).astype(np.float32), kept


def dequantize_blocks(packed: np.ndarray, scales: np.ndarray, zps: np.ndarray, bits: int = 4) -> np.ndarray:
    """Inverse of :func:`quantize_blocks` (the MatMulNBits formula), for tests."""
    n, nb, width = packed.shape
    block = width if bits == 8 else width * 2
    q = np.empty((n, nb, block), dtype=np.float32)
    if bits == 8:
        q[...] = packed
    else:
        q[..., 0::2] = packed & 0x0F
        q[..., 1::2] = packed >> 4
    return ((q - zps.reshape(n, nb, 1)) * scales.reshape(n, nb, 1)).reshape(n, nb * block)


# ``exact`` mode: per weight, the first layout in which every block is on its GGUF grid.
EXACT_LAYOUTS = ((4, 32), (8, 32), (8, 16))


def choose_layout(w: np.ndarray, mode: str):
    """(bits, block, packed, scales, zps, kept) for w [N, K]. ``4bit``: 4 bits, block 32 (GGUF
    4-bit grids exact, other blocks min/max). ``exact``: the first of EXACT_LAYOUTS that keeps
    every block (Q4_0/Q4_1/Q4_K -> 4-bit; Q5_0/Q5_1/Q8_0 -> 8-bit block 32; Q6_K, whose 16-weight
    sub-blocks have their own scales -> 8-bit block 16); none fits: 8-bit block 32 min/max."""
    if mode == "4bit":
        return (4, BLOCK, *quantize_blocks(w, 4, BLOCK))
    if mode != "exact":
        raise ValueError(f"unknown mode {mode!r}")
    k = w.shape[1]
    for bits, block in EXACT_LAYOUTS:
        if k % block:
            continue
        # A few rows first: a layout that already loses blocks there is not tried on all.
        if w.shape[0] > 64 and quantize_blocks(w[:16], bits, block)[3] != 16 * k // block:
            continue
        packed, scales, zps, kept = quantize_blocks(w, bits, block)
        if kept == w.size // block:
            return bits, block, packed, scales, zps, kept
    return (8, BLOCK, *quantize_blocks(w, 8, BLOCK))


def matmuls_to_nbits(m: onnx.ModelProto, accuracy_level: int = 1, mode: str = "4bit") -> tuple[int, int, int]:
    """Replace every MatMul whose B is an fp32 initializer [K, N] (K % 32 == 0, input rank 3)
    by MatMulNBits (scale d, the default zero point) + the block-offset MatMul; ``mode`` as in
    :func:`choose_layout`. Returns (nodes replaced, blocks kept exactly, blocks)."""
    inits = {t.name: t for t in m.graph.initializer}
    replaced = kept_total = blocks_total = 0
    new_nodes = []
    drop: set[str] = set()
    for node in m.graph.node:
        b_name = node.input[1] if node.op_type == "MatMul" and len(node.input) == 2 else None
        t = inits.get(b_name) if b_name else None
        if t is None or t.data_type != onnx.TensorProto.FLOAT or len(t.dims) != 2 or t.dims[0] % BLOCK:
            new_nodes.append(node)
            continue
        wt = numpy_helper.to_array(t)  # [K, N]
        k, n = wt.shape
        w = np.ascontiguousarray(wt.T)
        x, y, base = node.input[0], node.output[0], b_name
        bits, block, packed, scales, zps, kept = choose_layout(w, mode)
        nb = k // block
        default_zp = float(1 << (bits - 1))
        if bits == 8:
            # Centre each block on the default zero point: store q + t with t = 128 - zp
            # (rounded, kept in range), so q - 128 is the weight's own small integer and the
            # block offset ~0. Without it a Q5_0 block (q 0..31) sits at -128..-97, and with
            # int8 activations (accuracy_level 4) the large product and its large offset
            # cancel: 5-6% relative error instead of 0.5%.
            qb = packed.reshape(n, nb, block).astype(np.int32)
            zb = zps.reshape(n, nb)
            t = np.clip(np.rint(default_zp - zb), 0, 255 - qb.max(axis=-1))
            packed = (qb + t[..., None].astype(np.int32)).astype(np.uint8)
            zps = (zb + t).reshape(-1).astype(np.float32)
        # q in 0..2^bits-1 under MatMulNBits' default zero point (8 or 128; no zero-point input:
        # with an explicit one, onnxruntime 1.31's one-row and multi-row int8 kernels disagree
        # and float zero points take a ~50x slower path); the offsets ((default - zp) * scale)
        # go to the block-sum MatMul.
        offsets = ((default_zp - zps) * scales).reshape(n, nb).T.astype(np.float32)  # [K/block, N]
        # Symmetric grids (Q5_0, Q8_0, Q6_K, Q4_0 centred on the default zero point): every
        # offset is zero up to rounding of zp, and the side path is left out.
        if np.all(np.abs(default_zp - zps) < 1e-3):
            m.graph.initializer.extend([numpy_helper.from_array(packed, base + "_Q4"),
                                        numpy_helper.from_array(scales, base + "_scales")])
            new_nodes.append(helper.make_node(
                "MatMulNBits", [x, base + "_Q4", base + "_scales"], [y], name=node.name + "_Q4",
                domain="com.microsoft", K=k, N=n, bits=bits, block_size=block, accuracy_level=accuracy_level))
            drop.add(b_name)
            replaced += 1
            kept_total += kept
            blocks_total += n * nb
            continue
        m.graph.initializer.extend([
            numpy_helper.from_array(packed, base + "_Q4"),
            numpy_helper.from_array(scales, base + "_scales"),
            numpy_helper.from_array(offsets, base + "_block_offsets"),
            numpy_helper.from_array(np.array([0, 0, nb, block], dtype=np.int64), base + "_block_shape"),
            numpy_helper.from_array(np.array([-1], dtype=np.int64), base + "_last_axis"),
        ])
        new_nodes += [
            helper.make_node("MatMulNBits", [x, base + "_Q4", base + "_scales"], [y + "_q"],
                             name=node.name + "_Q4", domain="com.microsoft", K=k, N=n, bits=bits,
                             block_size=block, accuracy_level=accuracy_level),
            helper.make_node("Reshape", [x, base + "_block_shape"], [y + "_xb"], name=node.name + "_xb"),
            helper.make_node("ReduceSum", [y + "_xb", base + "_last_axis"], [y + "_xs"], name=node.name + "_xs",
                             keepdims=0),
            helper.make_node("MatMul", [y + "_xs", base + "_block_offsets"], [y + "_off"], name=node.name + "_off"),
            helper.make_node("Add", [y + "_q", y + "_off"], [y], name=node.name + "_add"),
        ]
        drop.add(b_name)
        replaced += 1
        kept_total += kept
        blocks_total += n * nb
    del m.graph.node[:]
    m.graph.node.extend(new_nodes)
    keep = [t for t in m.graph.initializer if t.name not in drop]
    del m.graph.initializer[:]
    m.graph.initializer.extend(keep)
    if replaced and not any(o.domain == "com.microsoft" for o in m.opset_import):
        m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return replaced, kept_total, blocks_total
