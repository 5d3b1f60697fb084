"""max_pool2d: each window keeps its largest input value; padding never wins.

The winning tap is the first maximum in row-major window order, the one
PyTorch's return_indices reports. A dilated window can fall wholly on padding;
PyTorch then gives -inf, and so do we (null in JSON, with no winner marked).
"""

import numpy as np

from .. import arithmetic, common, pooling
from ..contract import Operation, Preset, Text
from ..trace import Trace

output_size = pooling.output_size


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


def torch_line(spec) -> str:
    return pooling.torch_line(spec, "MaxPool2d", before=[("dilation", arithmetic.size_text(spec.dilation), "1")])


OPERATION = Operation(
    name="max_pool2d", order=40, family="pooling",
    label=Text("Max pooling", "最大池化"),
    torch_module="torch.nn.MaxPool2d", torch_functional="torch.nn.functional.max_pool2d",
    fields=pooling.FIELDS + (common.DILATION, common.CEIL_MODE),
    size_formula=common.SLIDING_SIZE + " (ceil with ceil_mode)",
    check=pooling.check, count_taps=pooling.count_taps, run=run, torch_line=torch_line,
    messages=pooling.MESSAGES,
    presets=(Preset("numerical_max_pooling", Text("Max pooling", "最大池化"), "paper",
                    {"op": "max_pool2d", "input_size": 5, "kernel_size": 3, "stride": 1}, {"numbers": True, "layout": "flat"}),),
)
