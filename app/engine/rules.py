"""Checks shared by several operations, each raising a SpecError in plain words."""

from __future__ import annotations

from .errors import SpecError
from .fields import Sides
from .limits import MAX_CANVAS


def _hw(pair) -> str:
    return f"{pair[0]}x{pair[1]}"


def only_for(spec, allowed: set[str]) -> None:
    """Reject options that belong to other operations, when set away from their defaults."""
    defaults = {
        "output_padding": ((0, 0), "only conv_transpose2d has output_padding"),
        "ceil_mode": (False, "only the pooling operations have ceil_mode"),
        "count_include_pad": (True, "only avg_pool2d has count_include_pad"),
        "padding_mode": ("zeros", f"{spec.op} pads with zeros only (PyTorch's rule); reflect, replicate and circular are for conv2d"),
        "view": ("gather", "the scatter view is for conv_transpose2d; this operation gathers"),
        "groups": (1, f"{spec.op} has no groups"),
        "dilation": ((1, 1), f"{spec.op} has no dilation"),
    }
    for name, (default, message) in defaults.items():
        if name not in allowed and getattr(spec, name) != default:
            raise SpecError(name, "not_for_op", message, op=spec.op)


def numeric_padding(spec) -> None:
    """Operations whose PyTorch padding is a number or a pair only."""
    if isinstance(spec.padding_arg, (str, Sides)):
        raise SpecError("padding", "numeric_padding", f"{spec.op} takes a number or a pair [height, width] for padding", op=spec.op)


def kernel_fits(spec, padded) -> None:
    eff = spec.effective_kernel
    if eff[0] > padded[0] or eff[1] > padded[1]:
        what = "dilated kernel" if spec.dilation != (1, 1) else "kernel"
        raise SpecError("kernel_size", "kernel_too_large", f"the {what} ({_hw(eff)}) is larger than the padded input ({_hw(padded)})", kernel=_hw(eff), padded=_hw(padded), dilated=spec.dilation != (1, 1))


def canvas_fits(size, param: str = "padding") -> None:
    """The drawn grid stays within the cap; `param` names what grew it most."""
    if max(size) > MAX_CANVAS:
        raise SpecError(param, "canvas_too_large", f"the drawn grid ({_hw(size)}) is larger than {MAX_CANVAS} cells on a side; use less padding, stride or dilation", size=_hw(size), high=MAX_CANVAS)


def output_positive(spec, size) -> None:
    if min(size) < 1:
        raise SpecError("padding", "output_empty", f"is too large: the output would be {_hw(size)}; it must be at least 1x1", size=_hw(size))
