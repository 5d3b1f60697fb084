"""upsample: torch.nn.Upsample / F.interpolate, one output cell at a time.

A step is one output cell; its taps are the input cells it takes something from,
each once with its interpolation `coefficient` (PyTorch's reads of one cell
summed, zero ones left out: see `resample.distinct`); product = value x
coefficient, and the step's value is the sum. Nearest reads one cell, bilinear
up to 2x2, bicubic up to 4x4; rows are ragged near the borders and where an
output sits exactly on an input. The index arithmetic is PyTorch's, including
how it uses a given scale_factor (steps of 1/scale_factor, not input/output).
"""

from __future__ import annotations

import numpy as np

from .. import arithmetic, canvas, common, resample
from ..arithmetic import AXES, call, size_text
from ..contract import Choice, Field, Operation, Preset, Text
from ..errors import SpecError
from ..fields import Sides
from ..trace import Trace

INTERPOLATING = ("bilinear", "bicubic")   # the modes that take align_corners
ROWS, COLUMNS = Text("rows", "行"), Text("columns", "列")

SIZE = Field(
    "size", "pair", Text("Output size", "输出尺寸"),
    Text("Output height and width: a number or [H, W]. Give size or scale_factor, not both.",
         "输出的高和宽：一个数或 [高, 宽]。size 与 scale_factor 只能给出一个。"),
    optional=True, low=1, high=resample.MAX_OUT, abbrev="size",
)
SCALE_FACTOR = Field(
    "scale_factor", "reals", Text("Scale factor", "缩放倍数"),
    Text("Multiplier for height and width, a number or [h, w] (default 2 when size is not given): the output "
         "has floor(input x scale_factor) cells, and PyTorch steps through the input by 1/scale_factor per output cell.",
         "高和宽的倍数，一个数或 [h, w]（未给出 size 时默认为 2）：输出有 floor(输入 × scale_factor) 个单元，"
         "PyTorch 每个输出单元在输入上前进 1/scale_factor。"),
    default=[2, 2], low=0, high=resample.MAX_OUT, abbrev="scale",
)
MODE = Field(
    "mode", "choice", Text("Mode", "插值方式"),
    Text("nearest (PyTorch's default; floor(j / scale)), nearest-exact (the nearest centre), "
         "bilinear (2x2 cells) or bicubic (4x4 cells, a = -0.75).",
         "nearest（PyTorch 默认；floor(j / scale)）、nearest-exact（最近的中心）、bilinear（双线性，2x2 个单元）"
         "或 bicubic（双三次，4x4 个单元，a = -0.75）。"),
    default="nearest", abbrev="", always=True,
    choices=(Choice("nearest", Text("nearest", "最近邻")), Choice("nearest-exact", Text("nearest-exact", "最近邻（精确）")),
             Choice("bilinear", Text("bilinear", "双线性")), Choice("bicubic", Text("bicubic", "双三次"))),
)
ALIGN_CORNERS = Field(
    "align_corners", "bool", Text("Align corners", "角点对齐 (align_corners)"),
    Text("bilinear and bicubic: the corner cells' centres meet (source = j*(i-1)/(o-1)) instead of the maps' edges.",
         "bilinear 与 bicubic：让两张图角点单元的中心对齐（源位置 = j*(i-1)/(o-1)），而不是边缘对齐。"),
    default=False, when={"mode": INTERPOLATING}, abbrev="align",
)


def scales(spec) -> tuple:
    """The scale_factor PyTorch's kernel sees per axis: None when a size was given."""
    return (None, None) if spec.size is not None else spec.scale_factor


def output_size(spec) -> tuple[int, int]:
    size = spec.size or (None, None)
    return tuple(resample.output_length(i, o, s) for i, o, s in zip(spec.input_size, size, scales(spec)))


def check(spec) -> None:
    if spec.align_corners and spec.mode not in INTERPOLATING:
        raise SpecError("align_corners", "align_corners_mode", mode=spec.mode)
    for i, o, s, axis in zip(spec.input_size, output_size(spec), scales(spec), (ROWS, COLUMNS)):
        if s is not None and not 1 <= o <= resample.MAX_OUT:
            raise SpecError("scale_factor", "scale_output", i=i, scale=f"{s:g}", o=o, axis=axis, high=resample.MAX_OUT)


def taps(spec) -> tuple[np.ndarray, np.ndarray]:
    """(cells, coefficients) of one channel, [OH*OW, T]: see resample.upsample_taps."""
    return resample.upsample_taps(spec.input_size, output_size(spec), spec.mode, spec.align_corners, scales(spec),
                                  contributions=True)


def count_taps(spec) -> int:
    return spec.in_channels * int((taps(spec)[0] >= 0).sum())


def run(spec) -> Trace:
    (h, w), (oh, ow), c = spec.input_size, output_size(spec), spec.in_channels
    cells, coef = taps(spec)
    present = np.broadcast_to(cells >= 0, (c,) + cells.shape).reshape(c * oh * ow, -1)
    tap = np.where(present, (np.arange(c)[:, None, None] * h * w + cells[None]).reshape(present.shape), -1)
    coefficient = np.where(present, np.broadcast_to(coef, (c,) + coef.shape).reshape(present.shape), np.nan)
    product = spec.input.ravel()[np.maximum(tap, 0)] * coefficient
    value = np.nansum(product, axis=1)
    grid = canvas.padded(spec.input, Sides(0, 0, 0, 0), "zeros")
    footprint = (resample.TAPS[spec.mode],) * 2
    sizes = [_size(a, spec, o) for a, o in enumerate((oh, ow))]
    return Trace(
        spec=spec, reduction="sum", output=value.reshape(c, oh, ow), canvas=grid,
        step_index=np.arange(len(value)), step_value=value, tap_tensor=tap, tap_canvas=tap,
        tap_weight=None, tap_product=product, tap_coefficient=coefficient,
        arithmetic=arithmetic.summary(spec, sizes, grid, tap, int(present.sum()), footprint=footprint),
    )


def _size(axis: int, spec, o: int) -> dict:
    i = spec.input_size[axis]
    if spec.size is not None:
        return {"axis": AXES[axis], "formula": "o = size", "substituted": f"o = {o}", "value": o}
    s = spec.scale_factor[axis]
    return {"axis": AXES[axis], "formula": "o = floor(i * scale_factor)",
            "substituted": f"floor({i} * {s!r}) = floor({float(i) * s!r}) = {o}", "value": o}


def _reals_text(pair) -> str:
    return repr(pair[0]) if pair[0] == pair[1] else f"({pair[0]!r}, {pair[1]!r})"


def torch_line(spec) -> str:
    given = ("size", size_text(spec.size)) if spec.size is not None else ("scale_factor", _reals_text(spec.scale_factor))
    keywords = [(*given, None), ("mode", f"'{spec.mode}'", None)]
    if spec.mode in INTERPOLATING:
        keywords.append(("align_corners", str(spec.align_corners), None))
    return call("Upsample", [], keywords)


def _twice(mode: str, label: Text) -> Preset:
    return Preset(f"upsample_{mode}_2x", Text(f"2x upsampling: {label.en}", f"2 倍上采样：{label.zh}"), "ours",
                  {"op": "upsample", "input_size": 4, "scale_factor": 2, "mode": mode}, {"numbers": True, "layout": "flat"})


OPERATION = Operation(
    name="upsample", order=60, family="resampling",
    label=Text("Upsampling (interpolate)", "上采样（插值）"),
    torch_module="torch.nn.Upsample", torch_functional="torch.nn.functional.interpolate",
    fields=(common.INPUT_SIZE, common.IN_CHANNELS, SIZE, SCALE_FACTOR, MODE, ALIGN_CORNERS, common.INPUT),
    mutually_exclusive=(("size", "scale_factor"),),
    size_formula="o = size, or floor(i * scale_factor)",
    check=check, count_taps=count_taps, run=run, torch_line=torch_line,
    messages={
        "align_corners_mode": Text("applies to bilinear and bicubic only; PyTorch refuses it with mode '{mode}'",
                                   "只适用于 bilinear 与 bicubic；PyTorch 不允许在 '{mode}' 模式下使用"),
        "scale_output": Text("{scale} on {i} input {axis} gives floor({i} x {scale}) = {o} output {axis}; it must be from 1 to {high}",
                             "{scale} 作用于 {i} 个输入{axis}得到 floor({i} x {scale}) = {o} 个输出{axis}；必须在 1 到 {high} 之间"),
    },
    presets=(_twice("nearest", Text("nearest", "最近邻")), _twice("bilinear", Text("bilinear", "双线性"))),
)
