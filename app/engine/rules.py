"""Checks shared by several operations, each raising a SpecError (wording: messages.py)."""

from __future__ import annotations

from .contract import Text
from .errors import SpecError
from .limits import MAX_CANVAS

DILATED_KERNEL = Text("dilated kernel", "膨胀后的卷积核")
KERNEL = Text("kernel", "卷积核")


def hw(pair) -> str:
    return f"{pair[0]}x{pair[1]}"


def groups_divide(spec) -> None:
    if spec.in_channels % spec.groups or spec.out_channels % spec.groups:
        raise SpecError("groups", "groups_divide", groups=spec.groups, in_channels=spec.in_channels, out_channels=spec.out_channels)


def kernel_fits(spec, padded) -> None:
    eff = spec.effective_kernel
    if eff[0] > padded[0] or eff[1] > padded[1]:
        what = DILATED_KERNEL if spec.dilation != (1, 1) else KERNEL
        raise SpecError("kernel_size", "kernel_too_large", what=what, kernel=hw(eff), padded=hw(padded))


def canvas_fits(size, param: str = "padding") -> None:
    """The drawn grid stays within the cap; `param` names what grew it most."""
    if max(size) > MAX_CANVAS:
        raise SpecError(param, "canvas_too_large", size=hw(size), high=MAX_CANVAS)


def output_positive(spec, size) -> None:
    if min(size) < 1:
        raise SpecError("padding", "output_empty", size=hw(size))
