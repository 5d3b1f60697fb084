"""The validated, immutable description of one operation: built once, at the edge.

`build_spec` reads a plain dict (a JSON body, or query parameters already turned
into numbers and lists), finds the operation, reads each of its declared fields
(type, default, bounds: see `contract.Field`), checks the operation's rules and
fills in default values. Nothing downstream checks or re-derives any of it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np

from . import fields, limits, registry, values
from .common import OUT_CHANNELS
from .contract import Field, Operation, Text
from .errors import SpecError
from .fields import Pair, Sides

# What a field means for an operation that does not take it: pooling has one
# group, upsampling no dilation, and so on. The renderer reads these freely.
ABSENT = MappingProxyType({
    "groups": 1, "dilation": (1, 1), "stride": (1, 1), "output_padding": (0, 0), "padding": 0,
    "padding_mode": "zeros", "ceil_mode": False, "count_include_pad": True, "view": "gather",
})
# ... and what a field means when its neutral value is another field's: an operation
# without out_channels keeps the channel count, so only in_channels' number passes
ABSENT_AS = MappingProxyType({"out_channels": "in_channels"})   # (the only one: its message says "channel count")
ARRAYS = ("input", "weight", "bias")   # the Spec's own attributes; an operation's other arrays live in `values`
EACH_SIDE = Text(" on each side", "（每侧）")


@dataclass(frozen=True, eq=False)
class Spec:
    op: str
    values: MappingProxyType           # every field of the operation, parsed (pairs as tuples; its own arrays
                                       #   as read-only float arrays, None when not given: the op checks their shapes)
    padding: Sides                     # the padding resolved per side (none: all zero)
    out_channels: int
    input: np.ndarray = field(repr=False)             # [C][H][W]
    weight: np.ndarray | None = field(repr=False)     # PyTorch layout, None without weights
    bias: np.ndarray | None = field(repr=False)       # None: no bias term
    given: frozenset = field(default=frozenset(), repr=False)  # fields the user set

    def __getattr__(self, name: str):
        """An operation's fields read as attributes: spec.kernel_size, spec.mode."""
        known = self.__dict__.get("values", {})
        if name in known:
            return known[name]
        if name in ABSENT:
            return ABSENT[name]
        raise AttributeError(name)

    @property
    def operation(self) -> Operation:
        return registry.get(self.op)

    @property
    def padding_arg(self):
        """The padding as the user put it: a pair, a word or Sides."""
        return self.values.get("padding", 0)

    @property
    def input_size(self) -> Pair:
        return self.values["input_size"]

    @property
    def in_channels(self) -> int:
        return self.values["in_channels"]

    @property
    def effective_kernel(self) -> Pair:
        """The dilated kernel's footprint, d*(k-1)+1 per axis."""
        return tuple(d * (k - 1) + 1 for d, k in zip(self.dilation, self.kernel_size))

    def canonical(self) -> dict:
        """Every field in one spelling, so equal specs give equal keys."""
        out = {"op": self.op}
        for name, value in self.values.items():
            out[name] = _plain(value)
        for name in ARRAYS:
            if name in self.given:
                out[name] = getattr(self, name).tolist()
        return out

    def key(self) -> str:
        """A short stable digest of the canonical spec (for ETags and caches)."""
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def _plain(value):
    if isinstance(value, Sides):
        return {"top": value.top, "bottom": value.bottom, "left": value.left, "right": value.right}
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def build_spec(raw: dict) -> Spec:
    """Turn user input into a Spec, or raise SpecError naming the field and rule."""
    if not isinstance(raw, dict):
        raise SpecError("body", "not_object")
    name = raw.get("op")
    op = registry.get(fields.choice("conv2d" if name is None else name, "op", registry.names()))
    given = {k for k, v in raw.items() if v is not None and k != "op"}
    _refuse_foreign(op, raw, given)

    arrays = {f.name: fields.numbers(raw[f.name], f.name) for f in op.fields if f.kind == "array" and f.name in given}
    if "input" in arrays and arrays["input"].ndim not in (2, 3):
        raise SpecError("input", "bad_nesting", got=str(arrays["input"].ndim))
    inferred = _inferred_from_arrays(op, raw, given, arrays)

    parsed: dict = {}
    for f in op.fields:
        if f.kind == "array":
            if f.name not in ARRAYS:
                parsed[f.name] = _read_only(arrays.get(f.name))
            continue
        if f.name in given:
            parsed[f.name] = read(f, raw[f.name], op.name)
        elif f.default_from is not None and f.name not in inferred:
            parsed[f.name] = parsed[f.default_from]
        else:
            default = inferred.get(f.name, f.default)
            parsed[f.name] = None if default is None else read(f, default, op.name)
    for name, other in ABSENT_AS.items():
        if raw.get(name) is not None and op.field(name) is None and read(OUT_CHANNELS, raw[name], op.name) != parsed[other]:
            raise SpecError(name, "keeps_channels", op=op.name, in_channels=parsed[other])
    for a, b in op.mutually_exclusive:
        if a in given and b in given:
            raise SpecError(b, "one_of", first=a, second=b)

    sides = Sides(0, 0, 0, 0)
    if "padding" in parsed:
        sides = resolve_padding(parsed["padding"], parsed.get("kernel_size", (1, 1)), parsed.get("dilation", (1, 1)))
        fields.in_range((sides.top, sides.bottom, sides.left, sides.right), "padding", 0, limits.MAX_PADDING, EACH_SIDE)

    spec = Spec(op=op.name, values=MappingProxyType(parsed), padding=sides,
                out_channels=parsed.get("out_channels", parsed["in_channels"]),
                input=None, weight=None, bias=None, given=frozenset(given))
    op.check(spec)
    n = op.count_taps(spec)
    if n > limits.MAX_TAPS:
        raise SpecError("input_size", "too_many_taps", taps=n, high=limits.MAX_TAPS)
    return _with_values(spec, arrays, op)


def read(f: Field, value, op_name: str):
    """One field's value, typed and within its bounds (`op_name` for the messages)."""
    if value is None and f.optional:
        return None
    if f.kind == "int":
        out = fields.whole(value, f.name)
        bounded = (out,)
    elif f.kind == "pair":
        out = bounded = fields.pair(value, f.name)
    elif f.kind == "real":
        out = fields.real(value, f.name)
        bounded = (out,)
    elif f.kind == "reals":
        out = bounded = fields.real_pair(value, f.name)
    elif f.kind == "bool":
        return fields.boolean(value, f.name)
    elif f.kind == "choice":
        return fields.choice(value, f.name, tuple(c.value for c in f.choices))
    elif f.kind == "padding":
        if (isinstance(value, str) and not f.words) or (isinstance(value, dict) and not f.sides):
            raise SpecError(f.name, "numeric_padding", op=op_name)
        return fields.padding(value, f.name, f.words)
    else:
        raise AssertionError(f"arrays are read by build_spec, not {f.name}")
    low = f.low if f.low is not None else -np.inf
    high = f.high if f.high is not None else np.inf
    fields.in_range(bounded, f.name, low, high)
    return out


def _refuse_foreign(op: Operation, raw: dict, given: set) -> None:
    """A field of another operation passes only at what it means there by default.

    So `ceil_mode=false` on a convolution is harmless, `ceil_mode=true` is refused
    with the operations that do have it named; a name no operation has is refused.
    """
    own = set(op.field_names)
    for name in sorted(given - own):
        owners = [o for o in registry.operations() if name in o.field_names]
        if not owners:
            listed = ", ".join(("op",) + op.field_names)
            raise SpecError(name, "unknown_field", op=op.name, listed=listed, fields=["op", *op.field_names])
        if name in ABSENT_AS:   # its neutral value is another field's: checked once that is parsed
            given.discard(name)
            continue
        theirs = owners[0].field(name)
        if theirs.kind == "array":
            value, neutral = True, False     # an array always means something
        else:
            value = read(theirs, raw[name], owners[0].name)
            neutral = ABSENT.get(name, theirs.default)
            neutral = None if neutral is None else read(theirs, neutral, owners[0].name)
        if value != neutral:
            names = [o.name for o in owners]
            listed = Text(names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1], "、".join(names))
            raise SpecError(name, "not_for_op", op=op.name, owners=listed, have="has" if len(names) == 1 else "have")
        given.discard(name)


def _inferred_from_arrays(op: Operation, raw: dict, given: set, arrays: dict) -> dict:
    """Defaults that the user's arrays imply: sizes and channels from their shapes."""
    out = {}
    if "input" in arrays:
        shape = arrays["input"].shape
        out["input_size"] = list(shape[-2:])
        if len(shape) == 3:
            out["in_channels"] = shape[0]
    if "weight" in arrays and op.weighted:
        shape = arrays["weight"].shape
        if len(shape) >= 2:
            out["kernel_size"] = list(shape[-2:])
        if len(shape) == 4 and op.out_channels_from_weight is not None:
            groups = fields.whole(raw["groups"], "groups") if "groups" in given else 1
            out["out_channels"] = op.out_channels_from_weight(shape, groups)
    return {k: v for k, v in out.items() if op.field(k) is not None}


def _read_only(arr):
    if arr is not None:
        arr.flags.writeable = False
    return arr


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


def _with_values(spec: Spec, arrays: dict, op: Operation) -> Spec:
    """Check the user's arrays against the spec's shapes, or make the default ones."""
    c, (h, w) = spec.in_channels, spec.input_size
    if "input" in arrays:
        shapes = [(c, h, w)] + ([(h, w)] if c == 1 else [])
        inp = fields.shaped(arrays["input"], "input", shapes, f"{_dims((c, h, w))} (in_channels x H x W)" + (f" or {_dims((h, w))}" if c == 1 else ""))
    else:
        inp = values.default_input((c, h, w))
    weight = bias = None
    if op.weighted:
        wshape = op.weight_shape(spec)
        if "weight" in arrays:
            shapes = [wshape] + ([wshape[2:]] if wshape[:2] == (1, 1) else [])
            weight = fields.shaped(arrays["weight"], "weight", shapes, f"{_dims(wshape)} {op.weight_layout}")
        else:
            weight = values.default_weight(wshape)
        if "bias" in arrays:
            bias = fields.shaped(arrays["bias"], "bias", [(spec.out_channels,)], f"[{spec.out_channels}] (one per output channel)")
    return replace(spec, input=inp, weight=weight, bias=bias)
