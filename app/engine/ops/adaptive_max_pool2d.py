"""adaptive_max_pool2d: each output cell keeps the largest value of its window.

The winner is the first maximum in row-major window order, the cell PyTorch's
return_indices names. The presets are the three levels of spatial pyramid pooling
(He et al., 2014) of one input: 1x1, 2x2 and 4x4 bins.
"""

import numpy as np

from .. import adaptive, resample
from ..contract import Operation, Preset, Text
from ..trace import Trace


def run(spec) -> Trace:
    grid, taps, product, arithmetic = adaptive.gather(spec)
    winner = resample.first_max(product, taps >= 0)
    value = product[np.arange(len(product)), winner]
    return Trace(
        spec=spec, reduction="max", output=value.reshape((spec.in_channels,) + spec.output_size), canvas=grid,
        step_index=np.arange(len(value)), step_value=value, tap_tensor=taps, tap_canvas=taps,
        tap_weight=None, tap_product=product, winner=winner, arithmetic=arithmetic,
    )


def _spp(n: int) -> Preset:
    return Preset(f"spp_{n}x{n}", Text(f"Spatial pyramid pooling: {n}x{n} bins", f"空间金字塔池化：{n}x{n} 个区域"), "ours",
                  {"op": "adaptive_max_pool2d", "input_size": 7, "output_size": n}, {"numbers": True, "layout": "flat"})


OPERATION = Operation(
    name="adaptive_max_pool2d", order=55, family="pooling",
    label=Text("Adaptive max pooling", "自适应最大池化"),
    torch_module="torch.nn.AdaptiveMaxPool2d", torch_functional="torch.nn.functional.adaptive_max_pool2d",
    fields=adaptive.FIELDS, size_formula=adaptive.SIZE_FORMULA,
    check=lambda spec: None, count_taps=adaptive.count_taps, run=run,
    torch_line=lambda spec: adaptive.torch_line(spec, "AdaptiveMaxPool2d"),
    presets=tuple(_spp(n) for n in (1, 2, 4)),
)
