"""avg_pool2d: each window's mean.

PyTorch's divisor: with count_include_pad the window's cells inside the padded
input (padding counts, the ceil_mode overhang does not); without it, only the
input cells.
"""

import numpy as np

from . import arithmetic, pooling
from .trace import Trace

NAME = "avg_pool2d"
POOLING = True
output_size = pooling.output_size
count_taps = pooling.count_taps


def check(spec) -> None:
    pooling.check(spec, {"ceil_mode", "count_include_pad"})


def run(spec) -> Trace:
    grid, tap_canvas, tap_tensor, product, sizes = pooling.gather(spec, fill=0.0)
    counted = ~np.isnan(product) if spec.count_include_pad else tap_tensor >= 0
    divisor = counted.sum(axis=1)
    value = np.nansum(product, axis=1) / divisor
    return Trace(
        spec=spec, reduction="mean", output=value.reshape((spec.in_channels,) + output_size(spec)), canvas=grid,
        step_index=np.arange(len(value)), step_value=value, tap_tensor=tap_tensor, tap_canvas=tap_canvas,
        tap_weight=None, tap_product=product, divisor=divisor,
        arithmetic=arithmetic.summary(spec, sizes, grid, tap_canvas, 0),
    )
