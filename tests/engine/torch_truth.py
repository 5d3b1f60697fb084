"""PyTorch as the independent truth for the engine tests, and random specs to feed both.

Nothing here imports the engine: every expected number, shape, accepted spec and
tap set comes from torch.nn / torch.nn.functional in float64. The strategies draw
specs the way a user writes them (the engine's field names, PyTorch's defaults when
a field is left out), with their arrays, so the same dict goes to both sides.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck
from hypothesis import strategies as st
from torch import nn

torch.set_num_threads(1)  # tiny tensors: threads only add overhead (and CI has 2 cores)

# Reproducible in CI: a fixed derandomised search, no example database on disk.
SETTINGS = dict(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)

# CONVPLAY_TEST_SCALE=10 runs ten times the examples (a nightly or pre-release search); CI uses 1.
SCALE = float(os.environ.get("CONVPLAY_TEST_SCALE", "1"))


def examples(n: int) -> int:
    return max(1, round(n * SCALE))


OPS = ("conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d")
MODES = ("zeros", "reflect", "replicate", "circular")
TORCH_ERRORS = (RuntimeError, ValueError, IndexError)
MAX_TAPS = 50_000  # the engine's documented cap on taps per trace (DESIGN / limits)


def pair(v) -> tuple[int, int]:
    return (int(v[0]), int(v[1])) if isinstance(v, (list, tuple)) else (int(v), int(v))


# ---------------------------------------------------------------- strategies

def _pair_or_int(lo: int, hi: int):
    return st.one_of(st.integers(lo, hi), st.tuples(st.integers(lo, hi), st.integers(lo, hi)).map(list))


def _small(lo: int, hi: int, common: int = 1):
    """Mostly `common`, sometimes anything in [lo, hi] (so dilation 1 stays frequent)."""
    return st.one_of(st.just(common), st.integers(lo, hi))


def _pick_pair(draw, lo: int, hi: int, common: int | None = None):
    """A pair of ints, returned as (user spelling, (h, w))."""
    one = _small(lo, hi, common) if common is not None else st.integers(lo, hi)
    if draw(st.booleans()):
        v = draw(one)
        return v, (v, v)
    h, w = draw(one), draw(one)
    return [h, w], (h, w)


def _channels(draw, wide: bool, max_c: int = 4):
    """(in_channels, out_channels, groups); valid ones divide, wide ones may not."""
    if wide:
        return draw(st.integers(1, max_c)), draw(st.integers(1, max_c)), draw(st.integers(1, max_c))
    g = draw(st.sampled_from([1, 1, 1, 2, 3, 4]))
    kind = draw(st.sampled_from(["any", "any", "depthwise"]))
    if kind == "depthwise":  # groups == in_channels, out a multiple of it
        out = g * draw(st.integers(1, max_c // g))
        return g, out, g
    return g * draw(st.integers(1, max_c // g)), g * draw(st.integers(1, max_c // g)), g


def _side_range(draw, lo: int, hi: int = 9) -> int:
    lo = max(1, lo)
    return draw(st.integers(lo, max(lo, hi)))


def _near(draw, n: int) -> int:
    """An input side around the smallest that works: where PyTorch's rules flip."""
    lo = max(1, n - 2)
    return draw(st.integers(lo, lo + 5))


@st.composite
def raw_specs(draw, op: str | None = None, wide: bool = False):
    """One spec dict as a user writes it, plus what the test needs to make its arrays.

    wide=False aims at specs PyTorch accepts (the caller still asks PyTorch);
    wide=True crosses every boundary (too much padding, kernels that do not fit,
    groups that do not divide, output_padding too large, ceil_mode corners).
    """
    op = op or draw(st.sampled_from(OPS))
    raw: dict = {"op": op}
    k_arg, (kh, kw) = _pick_pair(draw, 1, 5)
    raw["kernel_size"] = k_arg
    meta = {"seed": draw(st.integers(0, 2**32 - 1)), "integers": draw(st.booleans())}

    if op in ("conv2d", "conv_transpose2d"):
        cin, cout, groups = _channels(draw, wide and draw(st.integers(0, 3)) == 0)
        raw["in_channels"], raw["out_channels"] = cin, cout
        if groups != 1 or draw(st.booleans()):
            raw["groups"] = groups
        s_arg, (sh, sw) = _pick_pair(draw, 1, 3, common=1)
        d_arg, (dh, dw) = _pick_pair(draw, 1, 3, common=1)
        if (sh, sw) != (1, 1) or draw(st.booleans()):
            raw["stride"] = s_arg
        if (dh, dw) != (1, 1) or draw(st.booleans()):
            raw["dilation"] = d_arg
        eff = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
        meta["bias"] = draw(st.booleans())

    if op == "conv2d":
        form = draw(st.sampled_from(["int", "pair", "valid", "same", "full", "sides", "none"]))
        hi = 5 if wide else 3
        if form == "int":
            p = draw(st.integers(0, hi))
            raw["padding"], sides = p, (p, p, p, p)
        elif form == "pair":
            ph, pw = draw(st.integers(0, hi)), draw(st.integers(0, hi))
            raw["padding"], sides = [ph, pw], (ph, ph, pw, pw)
        elif form == "sides":
            t, b, l, r = (draw(st.integers(0, hi)) for _ in range(4))
            pad = {"top": t, "bottom": b, "left": l, "right": r}
            if draw(st.booleans()):  # a side left out means 0
                pad = {k: v for k, v in pad.items() if v}
            raw["padding"], sides = pad, (t, b, l, r)
        elif form == "none":
            sides = (0, 0, 0, 0)
        else:
            raw["padding"] = form
            th, tw = eff[0] - 1, eff[1] - 1
            sides = {"valid": (0, 0, 0, 0), "full": (th, th, tw, tw), "same": (th // 2, th - th // 2, tw // 2, tw - tw // 2)}[form]
            if form == "same" and not wide:
                raw.pop("stride", None)
        mode = draw(st.sampled_from(MODES + ("default",)))
        if mode != "default":
            raw["padding_mode"] = mode
        # input sides that fit the kernel (and, for reflect/circular, the padding)
        need = []
        for lo_, hi_, e in ((sides[0], sides[1], eff[0]), (sides[2], sides[3], eff[1])):
            n = e - lo_ - hi_
            if mode == "reflect":
                n = max(n, max(lo_, hi_) + 1)
            elif mode == "circular":
                n = max(n, max(lo_, hi_))
            need.append(n)
        if wide:
            h, w = _near(draw, need[0]), _near(draw, need[1])
        else:
            h, w = _side_range(draw, need[0]), _side_range(draw, need[1])

    elif op == "conv_transpose2d":
        p_arg, (ph, pw) = _pick_pair(draw, 0, 4 if wide else 3, common=0)
        if (ph, pw) != (0, 0) or draw(st.booleans()):
            raw["padding"] = p_arg
        hi_h = max(sh, dh) - (0 if wide else 1)  # wide: one past PyTorch's limit
        hi_w = max(sw, dw) - (0 if wide else 1)
        oph, opw = draw(st.integers(0, hi_h)), draw(st.integers(0, hi_w))
        if (oph, opw) != (0, 0) or draw(st.booleans()):
            raw["output_padding"] = oph if oph == opw and draw(st.booleans()) else [oph, opw]
        raw["view"] = draw(st.sampled_from(["gather", "scatter"]))
        # output = (i-1)*s - 2p + d*(k-1) + op + 1 must be at least 1
        need = [-(-max(0, 2 * p - (e - 1) - o) // s) + 1 for p, e, o, s in ((ph, eff[0], oph, sh), (pw, eff[1], opw, sw))]
        if wide:
            h, w = _near(draw, need[0]), _near(draw, need[1])
        else:
            h, w = _side_range(draw, need[0], 7), _side_range(draw, need[1], 7)

    else:  # pooling
        raw["in_channels"] = draw(st.integers(1, 4))
        if draw(st.booleans()):
            s_arg, (sh, sw) = _pick_pair(draw, 1, 3)
            raw["stride"] = s_arg
        else:  # PyTorch's default: stride = kernel_size
            sh, sw = kh, kw
        if wide:  # up to one past PyTorch's limit of half the kernel
            ph, pw = draw(st.integers(0, kh // 2 + 1)), draw(st.integers(0, kw // 2 + 1))
        else:
            ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
        if (ph, pw) != (0, 0) or draw(st.booleans()):
            raw["padding"] = ph if ph == pw and draw(st.booleans()) else [ph, pw]
        dh = dw = 1
        if op == "max_pool2d":
            d_arg, (dh, dw) = _pick_pair(draw, 1, 3, common=1)
            if (dh, dw) != (1, 1) or draw(st.booleans()):
                raw["dilation"] = d_arg
        else:
            if draw(st.booleans()):
                raw["count_include_pad"] = draw(st.booleans())
        if draw(st.booleans()):
            raw["ceil_mode"] = draw(st.booleans())
        eff = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
        if wide:
            h, w = _near(draw, eff[0] - 2 * ph), _near(draw, eff[1] - 2 * pw)
        else:
            h, w = _side_range(draw, eff[0] - 2 * ph), _side_range(draw, eff[1] - 2 * pw)

    raw["input_size"] = [h, w] if (h != w or draw(st.booleans())) else h
    meta["arrays"] = draw(st.sampled_from(["given", "given", "given", "default"]))
    meta["flat_input"] = draw(st.booleans())  # [H][W] instead of [1][H][W] when one channel
    meta["infer_channels"] = draw(st.booleans())  # leave the channel counts to the arrays' shapes
    return raw, meta


def with_arrays(raw: dict, meta: dict) -> tuple[dict, dict]:
    """The spec with random input/weight/bias attached, and those arrays as numpy.

    Shapes follow PyTorch's layouts; when groups do not divide the channels (a spec
    PyTorch refuses) the weight still gets a plausible shape so both sides can say no.
    """
    rng = np.random.default_rng(meta["seed"])
    if meta["integers"]:
        make = lambda shape: rng.integers(-4, 5, shape).astype(np.float64)  # noqa: E731
    else:
        make = lambda shape: rng.uniform(-3, 3, shape)  # noqa: E731
    op = raw["op"]
    h, w = pair(raw["input_size"])
    cin = raw.get("in_channels", 1)
    kh, kw = pair(raw["kernel_size"])
    arrays = {"input": make((cin, h, w))}
    if op == "conv2d":
        g, cout = raw.get("groups", 1), raw.get("out_channels", cin)
        arrays["weight"] = make((cout, max(1, cin // g), kh, kw))
    elif op == "conv_transpose2d":
        g, cout = raw.get("groups", 1), raw.get("out_channels", cin)
        arrays["weight"] = make((cin, max(1, cout // g), kh, kw))
    if meta.get("bias") and op in ("conv2d", "conv_transpose2d"):
        arrays["bias"] = make((raw.get("out_channels", cin),))
    spec = dict(raw)
    if meta["arrays"] == "given":
        spec["input"] = arrays["input"].tolist()
        if cin == 1 and meta["flat_input"]:
            spec["input"] = arrays["input"][0].tolist()
        if "weight" in arrays:
            spec["weight"] = arrays["weight"].tolist()
        if meta["infer_channels"] and not (cin == 1 and meta["flat_input"]):
            spec.pop("in_channels", None)   # read off input [C][H][W]
            if op in ("conv2d", "conv_transpose2d"):
                spec.pop("out_channels", None)  # read off weight (x groups for transposed)
    else:  # the engine's own default values: drop input/weight (torch then reads them off the spec)
        arrays.pop("input")
        arrays.pop("weight", None)
    if "bias" in arrays:
        spec["bias"] = arrays["bias"].tolist()
    return spec, arrays


# ---------------------------------------------------------------- PyTorch's answer

def conv2d_sides(raw: dict) -> tuple[int, int, int, int] | None:
    """(left, right, top, bottom) as PyTorch pads for conv2d, or None when F.conv2d's own `padding` is used.

    For 'same' the split comes from nn.Conv2d itself (_reversed_padding_repeated_twice).
    'full' is the engine's name for d*(k-1) on every side (the reference GIFs' full padding).
    """
    pad = raw.get("padding", 0)
    k, d = pair(raw["kernel_size"]), pair(raw.get("dilation", 1))
    if isinstance(pad, dict):
        return pad.get("left", 0), pad.get("right", 0), pad.get("top", 0), pad.get("bottom", 0)
    if pad == "full":
        th, tw = d[0] * (k[0] - 1), d[1] * (k[1] - 1)
        return tw, tw, th, th
    if pad == "same":
        m = nn.Conv2d(1, 1, k, padding="same", dilation=d, bias=False)
        return tuple(int(v) for v in m._reversed_padding_repeated_twice)
    if pad == "valid":
        return 0, 0, 0, 0
    ph, pw = pair(pad)
    return pw, pw, ph, ph


def torch_pad(x: torch.Tensor, sides, mode: str) -> torch.Tensor:
    return F.pad(x, tuple(sides), mode="constant" if mode == "zeros" else mode)


def check_constructor(raw: dict) -> None:
    """What torch.nn's constructor says about the layer's arguments (channels, groups, padding words)."""
    op = raw["op"]
    k = pair(raw["kernel_size"])
    if op == "conv2d":
        pad = raw.get("padding", 0)
        if isinstance(pad, dict) or pad == "full":
            pad = 0
        nn.Conv2d(raw.get("in_channels", 1), raw.get("out_channels", raw.get("in_channels", 1)), k,
                  pair(raw.get("stride", 1)), pad if isinstance(pad, str) else pair(pad), pair(raw.get("dilation", 1)),
                  raw.get("groups", 1), padding_mode=raw.get("padding_mode", "zeros"))
    elif op == "conv_transpose2d":
        nn.ConvTranspose2d(raw.get("in_channels", 1), raw.get("out_channels", raw.get("in_channels", 1)), k,
                           pair(raw.get("stride", 1)), pair(raw.get("padding", 0)), pair(raw.get("output_padding", 0)),
                           raw.get("groups", 1), True, pair(raw.get("dilation", 1)))


def torch_forward(raw: dict, x: torch.Tensor, weight: torch.Tensor | None = None, bias: torch.Tensor | None = None):
    """PyTorch's output [1][OC][OH][OW] for the spec (max pool: (values, indices)); raises what PyTorch raises.

    Fields left out of `raw` are left out of the call, so PyTorch's defaults apply.
    """
    op = raw["op"]
    k = pair(raw["kernel_size"])
    if op == "conv2d":
        stride, dil, groups = pair(raw.get("stride", 1)), pair(raw.get("dilation", 1)), raw.get("groups", 1)
        mode, pad = raw.get("padding_mode", "zeros"), raw.get("padding", 0)
        if mode == "zeros" and not isinstance(pad, dict) and pad != "full":
            with warnings.catch_warnings():  # PyTorch notes that 'same' with an even kernel copies the input first
                warnings.simplefilter("ignore", UserWarning)
                return F.conv2d(x, weight, bias, stride, pad if isinstance(pad, str) else pair(pad), dil, groups)
        if pad == "same" and stride != (1, 1):
            raise ValueError("padding='same' is not supported for strided convolutions")  # nn.Conv2d's check
        return F.conv2d(torch_pad(x, conv2d_sides(raw), mode), weight, bias, stride, 0, dil, groups)
    if op == "conv_transpose2d":
        return F.conv_transpose2d(x, weight, bias, pair(raw.get("stride", 1)), pair(raw.get("padding", 0)),
                                  pair(raw.get("output_padding", 0)), raw.get("groups", 1), pair(raw.get("dilation", 1)))
    stride = pair(raw["stride"]) if "stride" in raw else None
    pad, ceil = pair(raw.get("padding", 0)), raw.get("ceil_mode", False)
    if op == "max_pool2d":
        return F.max_pool2d(x, k, stride, pad, pair(raw.get("dilation", 1)), ceil, return_indices=True)
    return F.avg_pool2d(x, k, stride, pad, ceil, raw.get("count_include_pad", True))


def torch_tensors(arrays: dict, spec_obj=None):
    """Torch tensors for input ([1][C][H][W]), weight and bias; defaults read off the built spec."""
    x = arrays.get("input")
    if x is None:
        x = np.asarray(spec_obj.input)
    w = arrays.get("weight")
    if w is None and spec_obj is not None and spec_obj.weight is not None:
        w = np.asarray(spec_obj.weight)
    b = arrays.get("bias")
    t = lambda a: None if a is None else torch.tensor(np.array(a, dtype=np.float64))  # noqa: E731
    return t(x)[None], t(w), t(b)


def torch_verdict(raw: dict, arrays: dict):
    """(output, None) when PyTorch computes the spec, (None, error) when it refuses.

    An empty output counts as a refusal (the engine promises at least 1x1).
    Needs the arrays, so it is only used with given values.
    """
    try:
        check_constructor(raw)
        x, w, b = torch_tensors(arrays)
        with torch.no_grad():
            out = torch_forward(raw, x, w, b)
    except TORCH_ERRORS as exc:
        return None, exc
    first = out[0] if isinstance(out, tuple) else out
    if first.numel() == 0:
        return None, RuntimeError(f"empty output {tuple(first.shape)}")
    return out, None


def expected_taps(raw: dict, out_shape) -> int:
    """Taps the engine records: one per (output cell, kernel cell, input channel of the group);
    for the scatter view one per (input cell, kernel cell, output channel of the group). out_shape: [OC, OH, OW]."""
    k = pair(raw["kernel_size"])
    cin = raw.get("in_channels", 1)
    if raw["op"] in ("max_pool2d", "avg_pool2d"):
        return int(np.prod(out_shape)) * k[0] * k[1]
    g = raw.get("groups", 1)
    if raw["op"] == "conv_transpose2d" and raw.get("view") == "scatter":
        h, w = pair(raw["input_size"])
        return cin * h * w * (out_shape[0] // g) * k[0] * k[1]
    return int(np.prod(out_shape)) * (cin // g) * k[0] * k[1]
