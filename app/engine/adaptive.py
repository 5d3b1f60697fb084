"""What adaptive_avg_pool2d and adaptive_max_pool2d share: the output size field,
PyTorch's windows (start = floor(j*i/o), end = ceil((j+1)*i/o)) and the taps.

A step is one output cell; its taps are its window's input cells in row-major
order. Windows differ in size (by one row or column at most) and may overlap, so
rows are ragged: a step's taps fill its row from the left, -1 after them, up to
the largest window's KH x KW.
"""

from __future__ import annotations

import numpy as np

from . import arithmetic, canvas, common, resample
from .arithmetic import AXES, call, size_text
from .contract import Field, Text
from .fields import Sides

OUTPUT_SIZE = Field(
    "output_size", "pair", Text("Output size", "输出尺寸"),
    Text("Output height and width: a number or [H, W]; 1 is global pooling. Output j of an axis of i cells "
         "pools cells floor(j*i/o) to ceil((j+1)*i/o) - 1, so windows may differ in size and overlap.",
         "输出的高和宽：一个数或 [高, 宽]；1 即全局池化。长度为 i 的轴上第 j 个输出汇聚第 floor(j*i/o) 到 "
         "ceil((j+1)*i/o) - 1 个单元，因此窗口大小可以不同，也可以重叠。"),
    default=[3, 3], low=1, high=resample.MAX_OUT, abbrev="o", always=True,
)
FIELDS = (common.INPUT_SIZE, common.IN_CHANNELS, OUTPUT_SIZE, common.INPUT)
SIZE_FORMULA = "o = output_size; window j = [floor(j*i/o), ceil((j+1)*i/o))"
SHOWN_WINDOWS = 8  # windows written out per axis in the arithmetic panel


def count_taps(spec) -> int:
    kh, kw = resample.window_sizes(spec.input_size, spec.output_size)
    return spec.in_channels * int((kh * kw).sum())


def gather(spec):
    """(grid, taps, product, arithmetic) of both pools: one step per output cell, channel outermost.

    taps: flat input index [C*OH*OW, KH*KW], -1 where the window has no more cells;
    product: the cell's value there, NaN where absent. The canvas is the input itself.
    """
    (h, w), (oh, ow), c = spec.input_size, spec.output_size, spec.in_channels
    cells = resample.adaptive_windows((h, w), (oh, ow))
    taps = np.where(cells[None] >= 0, np.arange(c)[:, None, None] * h * w + cells[None], -1).reshape(c * oh * ow, -1)
    product = np.where(taps >= 0, spec.input.ravel()[np.maximum(taps, 0)], np.nan)
    grid = canvas.padded(spec.input, Sides(0, 0, 0, 0), "zeros")
    kh, kw = resample.window_sizes((h, w), (oh, ow))
    sizes = [_size(a, spec) for a in (0, 1)]
    return grid, taps, product, arithmetic.summary(spec, sizes, grid, taps, 0, footprint=(int(kh.max()), int(kw.max())))


def _size(axis: int, spec) -> dict:
    i, o = spec.input_size[axis], spec.output_size[axis]
    start, end = resample.adaptive_axis(i, o)
    windows = [f"[{a}, {b})" for a, b in zip(start.tolist(), end.tolist())]
    if len(windows) > SHOWN_WINDOWS:
        windows = windows[:SHOWN_WINDOWS - 1] + ["…"]
    return {"axis": AXES[axis], "formula": SIZE_FORMULA, "substituted": f"o = {o}, i = {i}: {' '.join(windows)}", "value": o}


def torch_line(spec, cls: str) -> str:
    return call(cls, [size_text(spec.output_size)], [])
