"""partial_conv2d: a convolution that reads only the cells a mask keeps, for inpainting.

Liu et al. 2018, "Image Inpainting for Irregular Holes Using Partial Convolutions",
as NVIDIA's PartialConv2d computes it (github.com/NVIDIA/partialconv): the input is
multiplied by the 0/1 mask, each window's sum is rescaled by its size over the
mask's ones in it and the bias added, and a window with no 1 writes 0. The updated
mask (1 where the window held a 1) is the trace extra `mask_out`, shaped as
PartialConv2d returns it: [OH][OW], or [out_channels][OH][OW] with multi_channel.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .. import arithmetic, common, fields, partial
from ..arithmetic import call, size_text
from ..contract import Field, Operation, Preset, Text
from ..errors import SpecError
from ..trace import Trace
from . import conv2d


PAPER = (("Liu et al. 2018, Image Inpainting for Irregular Holes Using Partial Convolutions, ECCV",),
         "out = W·(X⊙M) × sum(1)/sum(M) + b where sum(M) > 0, else 0;  mask_out = 1 where sum(M) > 0, else 0")


def mask_of(spec) -> np.ndarray:
    """The mask as [1 or C][H][W]: the user's, or a hole in the middle (the middle third of each side)."""
    c, (h, w) = spec.in_channels, spec.input_size
    planes = c if spec.multi_channel else 1
    if spec.mask is not None:
        return spec.mask.reshape(planes, h, w)
    out = np.ones((planes, h, w))
    out[:, h // 3:h - h // 3, w // 3:w - w // 3] = 0
    return out


def check(spec) -> None:
    conv2d.check(spec)
    partial.check_sides(spec)
    if spec.mask is None:
        return
    c, (h, w) = spec.in_channels, spec.input_size
    if spec.multi_channel:
        shapes, words = [(c, h, w)] + ([(h, w)] if c == 1 else []), f"[{c}][{h}][{w}] (in_channels x H x W, multi_channel)"
    else:
        shapes, words = [(h, w), (1, h, w)], f"[{h}][{w}] (H x W; one plane for every channel)"
    fields.shaped(spec.mask, "mask", shapes, words)
    bad = (spec.mask != 0) & (spec.mask != 1)
    if bad.any():
        raise SpecError("mask", "not_binary", found=float(spec.mask[bad][0]), at=[int(i) for i in np.argwhere(bad)[0]])


def run(spec) -> Trace:
    mask, p = mask_of(spec), spec.padding
    t = partial.rescaled(conv2d.run(spec), np.pad(mask, ((0, 0), (p.top, p.bottom), (p.left, p.right))), paper=PAPER)
    held = (t.step_extras["mask_sum"] > 0).astype(float).reshape(t.output.shape)
    if not spec.multi_channel:  # one plane in, one plane out (every output channel's is the same)
        mask, held = mask[0], held[0]
    return replace(t, extras={"mask": mask, "mask_out": held}, _json=[])


def torch_line(spec) -> str:
    return call("Conv2d", [str(spec.in_channels), str(spec.out_channels), f"kernel_size={size_text(spec.kernel_size)}"], [
        ("stride", size_text(spec.stride), "1"),
        ("padding", arithmetic.padding_text(spec), "0"),
        ("dilation", size_text(spec.dilation), "1"),
        ("bias", str(spec.bias is not None), "True"),
        ("multi_channel", str(spec.multi_channel), "False"),
        ("return_mask", "True", None),
    ]).replace("nn.Conv2d", "PartialConv2d", 1)


MASK = Field(
    "mask", "array", Text("Mask", "掩码"),
    Text("0/1 per input cell, 1 = known, 0 = hole: [H][W], or [C][H][W] with multi_channel. Default: a hole in the middle.",
         "每个输入单元一个 0/1，1 为已知、0 为空洞：[H][W]，multi_channel 时为 [C][H][W]。默认：中间一个洞。"),
    optional=True, low=0, high=1,   # each value (the op checks them); the value editor draws random ones in it
)
MULTI_CHANNEL = Field(
    "multi_channel", "bool", Text("One mask per channel (multi_channel)", "每通道一个掩码 (multi_channel)"),
    Text("A mask plane per input channel; the window then counts kh*kw*C cells.", "每个输入通道一个掩码平面；此时窗口计 kh*kw*C 个单元。"),
    default=False, abbrev="mc",
)


def _hole(i: int, border: int) -> list:
    """An i x i mask that is a hole but for a border of known cells: wide enough that
    some windows see no known cell, so the updated mask keeps a (smaller) hole."""
    return [[int(min(y, x, i - 1 - y, i - 1 - x) < border) for x in range(i)] for y in range(i)]


def _pc(i, k, p, **more) -> dict:
    return {"op": "partial_conv2d", "input_size": i, "kernel_size": k, "padding": p, **more}


OPERATION = Operation(
    name="partial_conv2d", order=40, family="convolution",
    label=Text("Partial convolution (inpainting)", "部分卷积（图像修复）"),
    torch_module="PartialConv2d (github.com/NVIDIA/partialconv)", torch_functional="PartialConv2d.forward(input, mask_in)",
    fields=(common.INPUT_SIZE, common.IN_CHANNELS, common.OUT_CHANNELS, common.KERNEL_SIZE, common.STRIDE,
            common.CONV_PADDING, common.DILATION, MULTI_CHANNEL, MASK, common.INPUT, common.WEIGHT, common.BIAS),
    weight_layout="[out, in, kh, kw]", weight_shape=conv2d.weight_shape,
    out_channels_from_weight=lambda shape, groups: shape[0],
    size_formula=common.SLIDING_SIZE,
    check=check, count_taps=conv2d.count_taps, run=run, torch_line=torch_line,
    messages={
        **partial.MESSAGES,
        "not_binary": Text("must hold only 0 (hole) and 1 (known); found {found} at {at}", "只能包含 0（空洞）和 1（已知）；位置 {at} 为 {found}"),
    },
    presets=(
        Preset("partial_hole", Text("Partial convolution: the hole shrinks", "部分卷积：空洞缩小"), "ours", _pc(7, 3, 1, mask=_hole(7, 1)),
               {"numbers": True}),
        Preset("partial_multi_channel", Text("Partial convolution, a mask per channel", "部分卷积：每通道一个掩码"), "ours",
               _pc(5, 3, 1, in_channels=2, out_channels=1, multi_channel=True)),
    ),
)
