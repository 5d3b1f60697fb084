"""adaptive_avg_pool2d: each output cell is the mean of its window; the windows
come from the output size (global average pooling is output_size=1).

PyTorch adds a window's cells row by row and divides by its height, then its
width (one division by H*W for global pooling); `resample.adaptive_mean` does
the same, so the outputs agree bit for bit.
"""

import numpy as np

from .. import adaptive, resample
from ..contract import Operation, Preset, Text
from ..trace import Trace


def run(spec) -> Trace:
    grid, taps, product, arithmetic = adaptive.gather(spec)
    c, (oh, ow) = spec.in_channels, spec.output_size
    value = resample.adaptive_mean(product.reshape(c, oh * ow, -1), spec.input_size, spec.output_size).ravel()
    kh, kw = resample.window_sizes(spec.input_size, spec.output_size)
    return Trace(
        spec=spec, reduction="mean", output=value.reshape(c, oh, ow), canvas=grid,
        step_index=np.arange(len(value)), step_value=value, tap_tensor=taps, tap_canvas=taps,
        tap_weight=None, tap_product=product, divisor=np.tile(kh * kw, c), arithmetic=arithmetic,
    )


OPERATION = Operation(
    name="adaptive_avg_pool2d", order=50, family="pooling",
    label=Text("Adaptive average pooling", "自适应平均池化"),
    torch_module="torch.nn.AdaptiveAvgPool2d", torch_functional="torch.nn.functional.adaptive_avg_pool2d",
    fields=adaptive.FIELDS, size_formula=adaptive.SIZE_FORMULA,
    check=lambda spec: None, count_taps=adaptive.count_taps, run=run,
    torch_line=lambda spec: adaptive.torch_line(spec, "AdaptiveAvgPool2d"),
    presets=(Preset("global_average_pooling", Text("Global average pooling", "全局平均池化"), "ours",
                    {"op": "adaptive_avg_pool2d", "input_size": 5, "output_size": 1}, {"numbers": True, "layout": "flat"}),),
)
