"""deform_conv2d: each kernel tap reads the input at its own learned offset, bilinearly.

Dai et al. 2017, "Deformable Convolutional Networks" (v1), and Zhu et al. 2019,
"Deformable ConvNets v2" (the modulation `mask`), as torchvision.ops.deform_conv2d
computes them (one offset group). Output cell p0, kernel position k (row-major):

    y = p0y*s - p + ky*d + offset[2k][p0]      x = p0x*s - p + kx*d + offset[2k+1][p0]
    out[o][p0] = sum over i, k of weight[o][i][k] * mask[k][p0] * bilinear(X[i], y, x) + bias[o]

bilinear blends the 4 cells around (y, x), a cell outside the input counting 0,
and a point with y <= -1, y >= H, x <= -1 or x >= W reads 0.

Each tap's extras: `sample` (y, x) in input coordinates, `neighbours` (the 4 cells
(y0,x0), (y0,x1), (y1,x0), (y1,x1) as [c,y,x], null outside the input or for a point
that reads 0), `bilinear` (their coefficients, null where the cell is null),
`sampled` (the blended value), `modulation`; `product` = weight x modulation x sampled.
A tap's `canvas_index` is the canvas cell the point lies in (the nearest cell: the
drawn square around it, and the neighbour with the largest coefficient), clamped to the
canvas when the point lies beyond it; its `input_index` is that cell when it is an input
cell, else null (then the point reads at most half of any one input cell).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .. import arithmetic, common, fields, limits, values, window
from ..arithmetic import call, explained, short, size_text
from ..contract import Field, Operation, Preset, Text
from ..errors import SpecError
from ..trace import Trace
from . import conv2d

NEIGHBOURS = 4


PAPERS = ("Dai et al. 2017, Deformable Convolutional Networks, ICCV",
          "Zhu et al. 2019, Deformable ConvNets v2: More Deformable, Better Results, CVPR")
FORMULA = "out(p0) = Σk w_k · x(p0 + pk + Δpk) + b;  x(p) = Σq G(q, p)·x(q), the 4 cells q around p, G = (1-|qy-py|)(1-|qx-px|)"
FORMULA_V2 = FORMULA.replace("w_k · x", "w_k · Δm_k · x")


def offset_of(spec) -> np.ndarray:
    """[2K][OH][OW]: the user's offsets, or small fractions fixed by position (±1/8, ±3/8)."""
    k = spec.kernel_size[0] * spec.kernel_size[1]
    shape = (2 * k,) + conv2d.output_size(spec)
    if spec.offset is not None:
        return spec.offset
    return (values.default_input(shape) - 1.5) / 4


def check(spec) -> None:
    conv2d.check(spec)
    oh, ow = conv2d.output_size(spec)
    k = spec.kernel_size[0] * spec.kernel_size[1]
    if spec.offset is not None:
        fields.shaped(spec.offset, "offset", [(2 * k, oh, ow)], f"[{2 * k}][{oh}][{ow}] (2*kh*kw x OH x OW: y then x offset per kernel position)")
    if spec.mask is not None:
        fields.shaped(spec.mask, "mask", [(k, oh, ow)], f"[{k}][{oh}][{ow}] (kh*kw x OH x OW: one modulation per kernel position)")
    taps = conv2d.count_taps(spec)
    if taps * NEIGHBOURS > limits.MAX_TAPS:
        raise SpecError("input_size", "too_many_samples", taps=taps, cells=taps * NEIGHBOURS, high=limits.MAX_TAPS)


def sample_points(spec):
    """y, x [P, K] in input coordinates: the regular grid moved by the offsets."""
    out_size = conv2d.output_size(spec)
    gy, gx = window.positions(out_size, spec.kernel_size, spec.stride, spec.dilation)  # on the padded grid
    off = offset_of(spec).reshape(gy.shape[1], 2, -1)                                 # [K, 2, P]
    return gy - spec.padding.top + off[:, 0].T, gx - spec.padding.left + off[:, 1].T


def bilinear(y: np.ndarray, x: np.ndarray, h: int, w: int):
    """The 4 neighbours' plane indices (-1: not read) and coefficients (NaN: not read), [..., 4]."""
    inside = (y > -1) & (y < h) & (x > -1) & (x < w)
    y0, x0 = np.floor(y), np.floor(x)
    ly, lx = y - y0, x - x0
    ys = np.stack([y0, y0, y0 + 1, y0 + 1], axis=-1)
    xs = np.stack([x0, x0 + 1, x0, x0 + 1], axis=-1)
    coef = np.stack([(1 - ly) * (1 - lx), (1 - ly) * lx, ly * (1 - lx), ly * lx], axis=-1)
    real = inside[..., None] & (ys >= 0) & (ys < h) & (xs >= 0) & (xs < w)
    index = np.where(real, ys * w + xs, -1).astype(np.int64)
    return index, np.where(real, coef, np.nan)


def run(spec) -> Trace:
    t = conv2d.run(spec)   # the regular grid over the zero-padded input: canvas, steps, weight indices
    (h, w), (ch, cw) = spec.input.shape[1:], t.canvas.size
    oc, icg = spec.out_channels, spec.in_channels // spec.groups
    y, x = sample_points(spec)                                        # [P, K]
    p, k = y.shape
    near, coef = bilinear(y, x, h, w)                                 # [P, K, 4]
    modulation = np.ones((p, k)) if spec.mask is None else spec.mask.reshape(k, p).T
    # per step (o, p) and tap (input channel of o's group, k), as conv2d's trace lays them out
    o = np.arange(oc)[:, None, None, None]
    ic = (o // (oc // spec.groups)) * icg + np.arange(icg)[None, None, :, None]   # [OC, 1, ICG, 1]
    shape = (oc, p, icg, k)

    def per_tap(a):  # [P, K, ...] -> [S, T, ...]
        a = np.broadcast_to(a[None, :, None], (oc, p, icg, k) + a.shape[2:])
        return a.reshape((oc * p, icg * k) + a.shape[4:])

    icn = ic[..., None]                                               # [OC, 1, ICG, 1, 1]
    neighbours = np.where(near[None, :, None] >= 0, icn * h * w + near[None, :, None], -1)
    neighbours = np.broadcast_to(neighbours, shape + (NEIGHBOURS,)).reshape(oc * p, icg * k, NEIGHBOURS)
    cells = spec.input.ravel()[np.maximum(neighbours, 0)]
    sampled = np.where(neighbours >= 0, per_tap(coef) * cells, 0.0).sum(axis=-1)
    mod = per_tap(modulation)
    product = spec.weight.ravel()[t.tap_weight] * (mod * sampled)
    bias = np.zeros(oc) if spec.bias is None else spec.bias
    value = product.sum(axis=1) + np.repeat(bias, p)

    ny, nx = np.floor(y + 0.5).astype(np.int64), np.floor(x + 0.5).astype(np.int64)   # the cell the point lies in
    cy, cx = np.clip(ny + spec.padding.top, 0, ch - 1), np.clip(nx + spec.padding.left, 0, cw - 1)
    in_input = (ny >= 0) & (ny < h) & (nx >= 0) & (nx < w)
    tap_canvas = np.broadcast_to(ic * ch * cw + (cy * cw + cx)[None, :, None], shape).reshape(oc * p, -1)
    tap_tensor = np.broadcast_to(np.where(in_input[None, :, None], ic * h * w + (ny * w + nx)[None, :, None], -1), shape).reshape(oc * p, -1)
    weight0 = spec.weight.reshape(oc, -1, k)[0, 0]    # output channel 0, its first input channel
    shows = np.flatnonzero((weight0 != 0) & (sampled[0, :k] != 0))   # a tap of output [0,0,0] that adds something
    worked = _worked(spec, int(shows[0]) if len(shows) else 0, y[0], x[0], near[0], coef[0], modulation[0], weight0)
    return replace(
        t, output=value.reshape(t.output.shape), step_value=value, tap_canvas=tap_canvas, tap_tensor=tap_tensor,
        tap_product=product,
        extras={"offset": offset_of(spec), "mask": modulation.T.reshape(k, *t.output.shape[1:])},
        tap_extras={"sample": per_tap(np.stack([y, x], axis=-1)), "neighbours": neighbours, "bilinear": per_tap(coef),
                    "sampled": sampled, "modulation": mod},
        arithmetic={**t.arithmetic, **arithmetic.reach(t.canvas.kinds, tap_canvas),
                    "explained": explained(PAPERS, FORMULA_V2 if spec.mask is not None else FORMULA, (0, 0, 0), worked)}, _json=[],
    )


def _worked(spec, k: int, y, x, near, coef, modulation, weight) -> str:
    """Kernel position k of output [0, 0, 0] (its first input channel) with the user's numbers."""
    p0 = (-spec.padding.top, -spec.padding.left)
    pk = (k // spec.kernel_size[1] * spec.dilation[0], k % spec.kernel_size[1] * spec.dilation[1])
    yk, xk = y[k], x[k]
    pair = lambda a, b: f"({short(a)}, {short(b)})"  # noqa: E731
    cells = [(c, spec.input[0].ravel()[n]) for n, c in zip(near[k].tolist(), coef[k].tolist()) if n >= 0]
    sampled = sum(c * v for c, v in cells)
    blend = " + ".join(f"{short(c)}×{short(v)}" for c, v in cells) + f" = {short(sampled)}" if cells else "0"
    factor = f"{short(weight[k])}×{short(modulation[k])}" if spec.mask is not None else short(weight[k])
    product = weight[k] * modulation[k] * sampled
    return (f"k = {k}: p0 + pk + Δpk = {pair(*p0)} + {pair(*pk)} + {pair(yk - p0[0] - pk[0], xk - p0[1] - pk[1])} = {pair(yk, xk)}; "
            f"x{pair(yk, xk)} = {blend}; {factor}×{short(sampled)} = {short(product)}")


def torch_line(spec) -> str:
    line = call("Conv2d", [str(spec.in_channels), str(spec.out_channels), f"kernel_size={size_text(spec.kernel_size)}"], [
        ("stride", size_text(spec.stride), "1"),
        ("padding", arithmetic.padding_text(spec), "0"),
        ("dilation", size_text(spec.dilation), "1"),
        ("groups", str(spec.groups), "1"),
        ("bias", str(spec.bias is not None), "True"),
    ]).replace("nn.Conv2d", "torchvision.ops.DeformConv2d", 1)
    return f"{line}(x, offset{', mask' if spec.mask is not None else ''})"


OFFSET = Field(
    "offset", "array", Text("Offsets", "偏移"),
    Text("[2*kh*kw][OH][OW], torchvision's layout: for kernel position k (row-major) channel 2k moves the sample down, "
         "2k+1 right, in cells. Default: small fractions fixed by position.",
         "[2*kh*kw][OH][OW]，torchvision 的布局：第 k 个卷积核位置（按行）的通道 2k 为向下、2k+1 为向右的偏移（以单元计）。默认：由位置决定的小分数。"),
    optional=True,
)
MASK = Field(
    "mask", "array", Text("Modulation (v2 mask)", "调制（v2 掩码）"),
    Text("Optional [kh*kw][OH][OW]: each tap's sample is multiplied by it (Deformable ConvNets v2). Default: none (v1).",
         "可选，[kh*kw][OH][OW]：每个抽头的采样值乘以它（Deformable ConvNets v2）。默认：无（v1）。"),
    optional=True,
)


def _spread(i: int, k: int, amount: float) -> dict:
    """Offsets that move every tap `amount` cells away from the window's centre (negative: towards it)."""
    o = i - k + 1
    ky, kx = np.divmod(np.arange(k * k), k)
    centre = (k - 1) / 2
    off = np.stack([(ky - centre) * amount, (kx - centre) * amount], axis=1).reshape(2 * k * k, 1, 1)
    return {"op": "deform_conv2d", "input_size": i, "kernel_size": k, "padding": 0,
            "offset": np.broadcast_to(off, (2 * k * k, o, o)).tolist()}


OPERATION = Operation(
    name="deform_conv2d", order=42, family="convolution",
    label=Text("Deformable convolution", "可变形卷积"),
    torch_module="torchvision.ops.DeformConv2d", torch_functional="torchvision.ops.deform_conv2d",
    fields=(common.INPUT_SIZE, common.IN_CHANNELS, common.OUT_CHANNELS, common.GROUPS, common.KERNEL_SIZE,
            common.STRIDE, common.PADDING, common.DILATION, OFFSET, MASK, common.INPUT, common.WEIGHT, common.BIAS),
    weight_layout="[out, in/groups, kh, kw]", weight_shape=conv2d.weight_shape,
    out_channels_from_weight=lambda shape, groups: shape[0],
    size_formula=common.SLIDING_SIZE,
    check=check, count_taps=conv2d.count_taps, run=run, torch_line=torch_line,
    messages={
        "too_many_samples": Text("this trace would have {taps:,} taps, each blending 4 input cells: {cells:,} cells read, more than the "
                                 "{high:,} allowed; use a smaller input, kernel or fewer channels",
                                 "此追踪将有 {taps:,} 个抽头，每个混合 4 个输入单元：共读取 {cells:,} 个单元，超过上限 {high:,}；请减小输入、卷积核或通道数"),
    },
    presets=(
        Preset("deformable", Text("Deformable convolution", "可变形卷积"), "ours", {"op": "deform_conv2d", "input_size": 5, "kernel_size": 3}),
        Preset("deformable_spread", Text("Deformable: offsets spread the kernel", "可变形：偏移使卷积核张开"), "ours", _spread(7, 3, 0.75)),
        Preset("deformable_shrink", Text("Deformable: offsets shrink the kernel", "可变形：偏移使卷积核收缩"), "ours", _spread(5, 3, -0.5)),
    ),
)
