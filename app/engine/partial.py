"""The partial convolution's rescaling, shared by `partial_conv2d` and conv2d's
`padding_mode="partial"`.

NVIDIA's PartialConv2d (Liu et al. 2018, "Image Inpainting for Irregular Holes
Using Partial Convolutions"; as padding, Liu et al. 2018, arXiv 1811.11718):

    out = W·(X⊙M) · sum(1)/sum(M) + b   where the window holds a 1 of M
    out = 0                             where it holds none (the bias too)

sum(1) is the window's size, kh*kw, times the channels when the mask has one
plane per channel. NVIDIA's code divides by sum(M) + 1e-8 (a guard against
dividing by 0, with the ratio then zeroed by the clamped mask); here the ratio
is exact, so a window with 6 of 9 cells writes 9/6 = 1.5.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .arithmetic import explained, short
from .contract import Text
from .errors import SpecError
from .fields import Sides
from .grouped import window_sums
from .trace import Trace

MESSAGES = {
    "partial_sides": Text("partial convolution pads the same on opposite sides (as PyTorch's Conv2d does); got top {top}, bottom {bottom}, left {left}, right {right}",
                          "部分卷积的对边填充必须相同（与 PyTorch 的 Conv2d 一致）；当前上 {top}、下 {bottom}、左 {left}、右 {right}"),
}


def check_sides(spec) -> None:
    """Per-side padding only when it is symmetric: PartialConv2d takes Conv2d's padding."""
    pad = spec.padding_arg
    if isinstance(pad, Sides) and not pad.symmetric:
        raise SpecError("padding", "partial_sides", top=pad.top, bottom=pad.bottom, left=pad.left, right=pad.right)


PADDING = (("Liu et al. 2018, Partial Convolution based Padding, arXiv:1811.11718",),
           "out = W·(X⊙M) × sum(1)/sum(M) + b, M = 1 on the input, 0 on the padding")


def explain(t: Trace, papers: tuple[str, ...], formula: str) -> dict:
    """The formula worked at the first window that holds both a 0 and a 1 (else the first)."""
    mask_sum, window = t.step_extras["mask_sum"], t.arithmetic["window_size"]
    some = np.flatnonzero((mask_sum > 0) & (mask_sum < window))
    s = int(some[0]) if len(some) else 0
    at = np.unravel_index(int(t.step_index[s]), t.output.shape)
    if mask_sum[s] == 0:
        text = "sum(M) = 0: out = 0"
    else:
        bias = "" if t.spec.bias is None else f" + {short(t.spec.bias[at[0]])}"
        text = (f"sum(1) = {window}, sum(M) = {short(mask_sum[s])}, W·(X⊙M) = {short(np.nansum(t.tap_product[s]))}: "
                f"{short(np.nansum(t.tap_product[s]))} × {window}/{short(mask_sum[s])}{bias} = {short(t.step_value[s])}")
    return explained(papers, formula, at, text)


def rescaled(t: Trace, mask: np.ndarray, extras: dict | None = None, paper: tuple = PADDING) -> Trace:
    """The gather trace `t` (a conv over the zero-padded input, bias included) made partial.

    mask: [1 or C][CH][CW] over the canvas, 0 on padding; paper: (the papers, the formula)
    the arithmetic panel names and works with the user's numbers. Each tap gets the mask value
    under it (`mask`), its product becomes x*m*w; each step gets the window's `mask_sum`
    and the `scale` sum(1)/sum(M) (0 for a window without a 1).
    """
    spec = t.spec
    planes, ch, cw = mask.shape
    k = spec.kernel_size[0] * spec.kernel_size[1]
    tap_mask = mask.ravel()[t.tap_canvas if planes > 1 else t.tap_canvas % (ch * cw)]
    # one plane: a step's first k taps cover its window once (taps run channel by channel)
    counted = tap_mask if planes > 1 else tap_mask[:, :k]
    mask_sum = counted.sum(axis=1)
    window = counted.shape[1]
    held = mask_sum > 0
    scale = np.where(held, window / np.where(held, mask_sum, 1), 0.0)
    product = t.tap_product * tap_mask
    per_step = t.output[0].size
    bias = np.zeros(len(t.output)) if spec.bias is None else spec.bias
    # added up as the plain gather adds them (grouped.window_sums), so a full window equals zero padding bit for bit
    value = np.where(held, window_sums(product) * scale + np.repeat(bias, per_step), 0.0)
    done = replace(
        t, output=value.reshape(t.output.shape), step_value=value, tap_product=product,
        extras={**t.extras, **(extras or {})},
        step_extras={**t.step_extras, "mask_sum": mask_sum, "scale": scale},
        tap_extras={**t.tap_extras, "mask": tap_mask},
        arithmetic={**t.arithmetic, "window_size": window}, _json=[],
    )
    return replace(done, arithmetic={**done.arithmetic, "explained": explain(done, *paper)}, _json=[])
