"""avg_pool2d: each window's mean.

PyTorch's divisor: with count_include_pad the window's cells inside the padded
input (padding counts, the ceil_mode overhang does not); without it, only the
input cells.
"""

import numpy as np

from .. import arithmetic, common, pooling
from ..contract import Field, Operation, Preset, Text
from ..trace import Trace

output_size = pooling.output_size


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


def torch_line(spec) -> str:
    return pooling.torch_line(spec, "AvgPool2d", after=[("count_include_pad", str(spec.count_include_pad), "True")])


COUNT_INCLUDE_PAD = Field(
    "count_include_pad", "bool", Text("Count padding in the mean", "平均时计入填充"),
    Text("Whether padding cells count in the mean's divisor.", "填充单元是否计入平均值的除数。"),
    default=True,
)

OPERATION = Operation(
    name="avg_pool2d", order=30, family="pooling",
    label=Text("Average pooling", "平均池化"),
    torch_module="torch.nn.AvgPool2d", torch_functional="torch.nn.functional.avg_pool2d",
    fields=pooling.FIELDS + (common.CEIL_MODE, COUNT_INCLUDE_PAD),
    size_formula=common.SLIDING_SIZE + " (ceil with ceil_mode)",
    check=pooling.check, count_taps=pooling.count_taps, run=run, torch_line=torch_line,
    messages=pooling.MESSAGES,
    presets=(Preset("numerical_average_pooling", Text("Average pooling", "平均池化"), "paper",
                    {"op": "avg_pool2d", "input_size": 5, "kernel_size": 3, "stride": 1}, {"numbers": True, "layout": "flat"}),),
)
