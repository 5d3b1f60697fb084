"""Gathering with groups: what conv2d and the transposed gather view share.

Every output cell of channel o reads, for each input channel of o's group and
each kernel position, one canvas cell; only where the weight comes from differs
(conv2d: [o, i, ky, kx]; transposed: [i, o, kh-1-ky, kw-1-kx], the kernel
turned 180 degrees), so that is the one thing the caller passes in.
"""

from __future__ import annotations

import numpy as np

from . import window
from .trace import Canvas, Trace


def gather(spec, grid: Canvas, out_size, stride, weight_index, sizes: list[dict], macs: int) -> Trace:
    """The trace of a grouped gathering convolution over `grid`.

    weight_index(o, i_local, i, k) -> flat weight index, with o [OC,1,1,1] the output
    channel, i_local / i [OC,1,ICG,1] the input channel in its group / overall, and
    k [1,1,1,K] the kernel position in row-major order.
    """
    from . import arithmetic

    (oh, ow), (kh, kw) = out_size, spec.kernel_size
    cy, cx = window.positions(out_size, spec.kernel_size, stride, spec.dilation)  # [P, K]
    ch, cw = grid.kinds.shape
    h, w = spec.input_size
    oc, groups = spec.out_channels, spec.groups
    icg, ocg = spec.in_channels // groups, oc // groups
    o = np.arange(oc)[:, None, None, None]                       # [OC, 1, 1, 1]
    il = np.arange(icg)[None, None, :, None]                     # [1, 1, ICG, 1]
    ic = (o // ocg) * icg + il                                   # [OC, 1, ICG, 1]
    cell = (cy * cw + cx)[None, :, None, :]                      # [1, P, 1, K]
    src = grid.source.ravel()[cell]
    tap_canvas = ic * ch * cw + cell
    tap_tensor = np.where(src >= 0, ic * h * w + src, -1)
    tap_weight = weight_index(o, il, ic, np.arange(kh * kw)[None, None, None, :])
    shape = (oc, oh * ow, icg, kh * kw)
    tap_canvas, tap_tensor, tap_weight = (np.broadcast_to(a, shape).reshape(oc * oh * ow, -1) for a in (tap_canvas, tap_tensor, tap_weight))
    product = grid.values.ravel()[tap_canvas] * spec.weight.ravel()[tap_weight]
    bias = np.zeros(oc) if spec.bias is None else spec.bias
    value = window_sums(product) + np.repeat(bias, oh * ow)
    return Trace(
        spec=spec, reduction="sum", output=value.reshape(oc, oh, ow), canvas=grid,
        step_index=np.arange(oc * oh * ow), step_value=value, tap_tensor=tap_tensor,
        tap_canvas=tap_canvas, tap_weight=tap_weight, tap_product=product,
        arithmetic=arithmetic.summary(spec, sizes, grid, tap_canvas, macs),
    )


def window_sums(product: np.ndarray) -> np.ndarray:
    """Each row of products added from its first tap to its last, one column at a time.

    A plain left-to-right sum, the order a person adds them in, and one the image
    filter (conv2d.outputs) can follow over a whole picture at once: both give the
    same bits, where NumPy's pairwise `sum(axis=1)` could differ in the last place.
    """
    sums = product[:, 0].copy()
    for column in product.T[1:]:
        sums += column
    return sums
