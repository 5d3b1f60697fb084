"""The validated, immutable description of one operation: built once, at the edge.

`build_spec` reads a plain dict (a JSON body, or query parameters already turned
into numbers and lists), applies PyTorch's defaults, checks every rule, and fills
in default values. Nothing downstream checks or re-derives any of it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace

import numpy as np

from . import fields, limits, registry, values
from .errors import SpecError
from .fields import Pair, Sides

FIELDS = (
    "op", "input_size", "in_channels", "out_channels", "groups", "kernel_size", "stride",
    "padding", "dilation", "output_padding", "padding_mode", "ceil_mode",
    "count_include_pad", "view", "input", "weight", "bias",
)
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
VIEWS = ("gather", "scatter")


@dataclass(frozen=True)
class Spec:
    op: str
    input_size: Pair
    in_channels: int
    out_channels: int
    groups: int
    kernel_size: Pair
    stride: Pair
    padding: Sides
    padding_arg: object          # the padding as the user put it: a pair, a word or Sides
    dilation: Pair
    output_padding: Pair
    padding_mode: str
    ceil_mode: bool
    count_include_pad: bool
    view: str
    input: np.ndarray = field(repr=False)             # [C][H][W]
    weight: np.ndarray | None = field(repr=False)     # PyTorch layout, None for pooling
    bias: np.ndarray | None = field(repr=False)       # None: no bias term
    given: frozenset = field(default=frozenset(), repr=False)  # fields the user set

    @property
    def effective_kernel(self) -> Pair:
        """The dilated kernel's footprint, d*(k-1)+1 per axis."""
        return tuple(d * (k - 1) + 1 for d, k in zip(self.dilation, self.kernel_size))

    def canonical(self) -> dict:
        """Every field in one spelling, so equal specs give equal keys."""
        pad = self.padding_arg
        if isinstance(pad, Sides):
            pad = {"top": pad.top, "bottom": pad.bottom, "left": pad.left, "right": pad.right}
        out = {
            "op": self.op, "input_size": list(self.input_size), "in_channels": self.in_channels,
            "out_channels": self.out_channels, "groups": self.groups,
            "kernel_size": list(self.kernel_size), "stride": list(self.stride),
            "padding": pad if isinstance(pad, (str, dict)) else list(pad),
            "dilation": list(self.dilation), "output_padding": list(self.output_padding),
            "padding_mode": self.padding_mode, "ceil_mode": self.ceil_mode,
            "count_include_pad": self.count_include_pad, "view": self.view,
        }
        for name in ("input", "weight", "bias"):
            if name in self.given:
                out[name] = getattr(self, name).tolist()
        return out

    def key(self) -> str:
        """A short stable digest of the canonical spec (for ETags and caches)."""
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def build_spec(raw: dict) -> Spec:
    """Turn user input into a Spec, or raise SpecError naming the field and rule."""
    if not isinstance(raw, dict):
        raise SpecError("body", "not_object", "must be a JSON object with the spec fields")
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise SpecError(unknown[0], "unknown_field", f"is not a spec field; the fields are {', '.join(FIELDS)}", fields=list(FIELDS))
    given = {k for k, v in raw.items() if v is not None}
    get = lambda name, default=None: raw[name] if name in given else default  # noqa: E731

    op_name = fields.choice(get("op", "conv2d"), "op", registry.names())
    op = registry.get(op_name)
    pooling = op.POOLING

    # Shapes may come from the arrays themselves, so read those first.
    arrays = {name: fields.numbers(raw[name], name) for name in ("input", "weight", "bias") if name in given}
    in_arr = arrays["input"].shape if "input" in arrays else None
    if in_arr is not None and len(in_arr) not in (2, 3):
        raise SpecError("input", "bad_shape", f"expected [H][W] or [C][H][W], got {len(in_arr)} levels of nesting", expected="[H][W] or [C][H][W]", got=str(len(in_arr)))
    c_from_input = in_arr[0] if in_arr is not None and len(in_arr) == 3 else None
    hw_from_input = tuple(in_arr[-2:]) if in_arr is not None else None

    input_size = fields.pair(get("input_size", hw_from_input or 5), "input_size")
    fields.in_range(input_size, "input_size", 1, limits.MAX_SIDE)
    in_channels = fields.whole(get("in_channels", c_from_input or 1), "in_channels")
    fields.in_range((in_channels,), "in_channels", 1, limits.MAX_CHANNELS)

    w_shape = arrays["weight"].shape if "weight" in arrays else None
    kernel_default = tuple(w_shape[-2:]) if w_shape and len(w_shape) >= 2 else 3
    kernel_size = fields.pair(get("kernel_size", kernel_default), "kernel_size")
    fields.in_range(kernel_size, "kernel_size", 1, limits.MAX_KERNEL)

    if pooling:
        out_default = in_channels
    elif w_shape is not None and len(w_shape) == 4:
        out_default = w_shape[0] if op_name == "conv2d" else w_shape[1] * fields.whole(get("groups", 1), "groups")
    else:
        out_default = in_channels
    out_channels = fields.whole(get("out_channels", out_default), "out_channels")
    fields.in_range((out_channels,), "out_channels", 1, limits.MAX_CHANNELS)
    groups = fields.whole(get("groups", 1), "groups")
    fields.in_range((groups,), "groups", 1, limits.MAX_CHANNELS)

    stride = fields.pair(get("stride", kernel_size if pooling else 1), "stride")
    fields.in_range(stride, "stride", 1, limits.MAX_STRIDE)
    dilation = fields.pair(get("dilation", 1), "dilation")
    fields.in_range(dilation, "dilation", 1, limits.MAX_DILATION)
    output_padding = fields.pair(get("output_padding", 0), "output_padding")
    if min(output_padding) < 0:
        raise SpecError("output_padding", "negative", f"must not be negative (got {min(output_padding)})", got=min(output_padding))

    padding_arg = fields.padding(get("padding", 0))
    sides = resolve_padding(padding_arg, kernel_size, dilation)
    fields.in_range((sides.top, sides.bottom, sides.left, sides.right), "padding", 0, limits.MAX_PADDING, " on each side")

    spec = Spec(
        op=op_name, input_size=input_size, in_channels=in_channels, out_channels=out_channels,
        groups=groups, kernel_size=kernel_size, stride=stride, padding=sides, padding_arg=padding_arg,
        dilation=dilation, output_padding=output_padding,
        padding_mode=fields.choice(get("padding_mode", "zeros"), "padding_mode", PADDING_MODES),
        ceil_mode=fields.boolean(get("ceil_mode", False), "ceil_mode"),
        count_include_pad=fields.boolean(get("count_include_pad", True), "count_include_pad"),
        view=fields.choice(get("view", "gather"), "view", VIEWS),
        input=None, weight=None, bias=None, given=frozenset(given),
    )
    if not pooling and (in_channels % groups or out_channels % groups):
        raise SpecError("groups", "groups_divide", f"must divide both in_channels ({in_channels}) and out_channels ({out_channels}); got {groups}", groups=groups, in_channels=in_channels, out_channels=out_channels)
    op.check(spec)
    n = op.count_taps(spec)
    if n > limits.MAX_TAPS:
        raise SpecError("input_size", "too_many_taps", f"this trace would have {n:,} taps, more than the {limits.MAX_TAPS:,} allowed; use a smaller input, kernel or fewer channels", taps=n, high=limits.MAX_TAPS)
    return _with_values(spec, arrays, op)


def resolve_padding(arg, kernel_size: Pair, dilation: Pair) -> Sides:
    """PyTorch's reading of `padding`: 'same' puts the odd extra bottom/right."""
    if isinstance(arg, Sides):
        return arg
    if arg == "valid":
        return Sides(0, 0, 0, 0)
    if arg in ("same", "full"):
        th, tw = (d * (k - 1) for d, k in zip(dilation, kernel_size))
        if arg == "full":
            return Sides(th, th, tw, tw)
        return Sides(th // 2, th - th // 2, tw // 2, tw - tw // 2)
    ph, pw = arg
    return Sides(ph, ph, pw, pw)


def _dims(shape: tuple[int, ...]) -> str:
    return "[" + "][".join(str(n) for n in shape) + "]"


def _with_values(spec: Spec, arrays: dict, op) -> Spec:
    """Check the user's arrays against the spec's shapes, or make the default ones."""
    c, (h, w) = spec.in_channels, spec.input_size
    if "input" in arrays:
        shapes = [(c, h, w)] + ([(h, w)] if c == 1 else [])
        inp = fields.shaped(arrays["input"], "input", shapes, f"{_dims((c, h, w))} (in_channels x H x W)" + (f" or {_dims((h, w))}" if c == 1 else ""))
    else:
        inp = values.default_input((c, h, w))
    weight = bias = None
    if not op.POOLING:
        wshape = op.weight_shape(spec)
        if "weight" in arrays:
            shapes = [wshape] + ([wshape[2:]] if wshape[:2] == (1, 1) else [])
            layout = "[out, in/groups, kh, kw]" if spec.op == "conv2d" else "[in, out/groups, kh, kw]"
            weight = fields.shaped(arrays["weight"], "weight", shapes, f"{_dims(wshape)} {layout}")
        else:
            weight = values.default_weight(wshape)
        if "bias" in arrays:
            bias = fields.shaped(arrays["bias"], "bias", [(spec.out_channels,)], f"[{spec.out_channels}] (one per output channel)")
    else:
        for name in ("weight", "bias"):
            if name in arrays:
                raise SpecError(name, "not_for_op", f"{spec.op} has no {name}", op=spec.op)
    return replace(spec, input=inp, weight=weight, bias=bias)
