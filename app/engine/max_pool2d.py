"""max_pool2d: each window keeps its largest input value; padding never wins.

The winning tap is the first maximum in row-major window order, the one
PyTorch's return_indices reports. A dilated window can fall wholly on padding;
PyTorch then gives -inf, and so do we (null in JSON, with no winner marked).
"""

import numpy as np

from . import arithmetic, pooling
from .trace import Trace

NAME = "max_pool2d"
POOLING = True
output_size = pooling.output_size
count_taps = pooling.count_taps


def check(spec) -> None:
    pooling.check(spec, {"ceil_mode", "dilation"})


def run(spec) -> Trace:
    grid, tap_canvas, tap_tensor, product, sizes = pooling.gather(spec, fill=np.nan)
    scores = np.where(np.isnan(product), -np.inf, product)
    winner = np.argmax(scores, axis=1)
    value = scores[np.arange(len(product)), winner]  # -inf where a window holds only padding, as in PyTorch
    return Trace(
        spec=spec, reduction="max", output=value.reshape((spec.in_channels,) + output_size(spec)), canvas=grid,
        step_index=np.arange(len(value)), step_value=value, tap_tensor=tap_tensor, tap_canvas=tap_canvas,
        tap_weight=None, tap_product=product, winner=winner,
        arithmetic=arithmetic.summary(spec, sizes, grid, tap_canvas, 0),
    )
