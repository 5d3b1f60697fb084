"""An image filter: conv2d of a picture with one kernel, each channel on its own.

The picture comes in as numbers ([C][H][W], whole numbers 0..255: decoding is the
web's), the kernel as a preset name (`kernels.py`) or a [kh][kw] array, and
conv2d's own fields (stride, padding, dilation, padding_mode) are read by their
declarations, so they take the same forms and give the same 422s as a trace. The
result is a depthwise conv2d spec (groups = channels, the kernel repeated) run by
`conv2d.outputs`: the engine's arithmetic without the taps. The trace's caps
(64-cell sides, 50,000 taps) are for drawing and do not apply; the picture's
size is bounded where it is decoded.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from . import fields, limits, registry
from .contract import Text
from .errors import SpecError
from .kernels import BY_NAME
from .ops import conv2d
from .spec import EACH_SIDE, Spec, read, resolve_padding

FIELDS = ("stride", "padding", "dilation", "padding_mode")
SIDES = Text(" rows and columns", "（行数与列数）")
IMAGE_FILTER = Text("the image filter", "图像滤波")


def kernel_weight(value) -> tuple[str | None, np.ndarray]:
    """(preset name or None, [kh][kw] weights) from a preset's name or an array."""
    if isinstance(value, str):
        name = fields.choice(value, "kernel", tuple(BY_NAME))
        return name, BY_NAME[name].weight
    weight = fields.numbers(value, "kernel")
    if weight.ndim != 2:
        raise SpecError("kernel", "bad_shape", expected="[kh][kw]", got="[" + "][".join(map(str, weight.shape)) + "]")
    fields.in_range(weight.shape, "kernel", 1, limits.MAX_KERNEL, SIDES)
    return None, weight


def build(image: np.ndarray, weight: np.ndarray, raw: dict) -> Spec:
    """The depthwise conv2d spec of `image` [C][H][W] and `weight` [kh][kw], or a SpecError."""
    op = registry.get("conv2d")
    for name in raw:
        if name not in FIELDS:
            raise SpecError(name, "unknown_field", op=IMAGE_FILTER, listed=", ".join(FIELDS))
    parsed = {name: read(op.field(name), raw.get(name, op.field(name).default), op.name) for name in FIELDS}
    c, h, w = image.shape
    kernel_size = weight.shape
    sides = resolve_padding(parsed["padding"], kernel_size, parsed["dilation"])
    fields.in_range((sides.top, sides.bottom, sides.left, sides.right), "padding", 0, limits.MAX_PADDING, EACH_SIDE)
    values = {"input_size": (h, w), "in_channels": c, "out_channels": c, "groups": c, "kernel_size": kernel_size, **parsed}
    spec = Spec(op=op.name, values=MappingProxyType(values), padding=sides, out_channels=c,
                input=image, weight=np.broadcast_to(weight, (c, 1) + kernel_size), bias=None,
                given=frozenset({"input", "weight", *raw}))
    conv2d.arithmetic_rules(spec)
    return spec


def apply(spec: Spec) -> np.ndarray:
    """[C][OH][OW]: every channel convolved with the kernel, the engine's numbers."""
    return conv2d.outputs(spec)
