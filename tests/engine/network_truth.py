"""PyTorch's answer for networks: random stacks, the equivalent nn.Sequential, and its Jacobians.

Nothing here imports the engine. A stack is drawn layer by layer around the shape
PyTorch says the previous layer gives; the layer PyTorch refuses (if any) ends it
and is kept, marked, so the engine's refusal can be checked too.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st
from torch import nn

from torch_truth import MAX_TAPS, TORCH_ERRORS, conv2d_sides, pair

PAD_MODULES = {"zeros": nn.ZeroPad2d, "reflect": nn.ReflectionPad2d, "replicate": nn.ReplicationPad2d, "circular": nn.CircularPad2d}
OPS = ("conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d")


def torch_layer(raw: dict, cin: int, weight: np.ndarray | None, bias: np.ndarray | None) -> nn.Module:
    """The torch.nn module a layer dict stands for (PyTorch's defaults for what it leaves out)."""
    op, k = raw.get("op", "conv2d"), pair(raw.get("kernel_size", 3))
    if op == "conv2d":
        cout, groups = raw.get("out_channels", cin), raw.get("groups", 1)
        mode, pad = raw.get("padding_mode", "zeros"), raw.get("padding", 0)
        stride, dil = pair(raw.get("stride", 1)), pair(raw.get("dilation", 1))
        if isinstance(pad, dict) or pad == "full":
            conv = nn.Conv2d(cin, cout, k, stride, 0, dil, groups, bias=bias is not None)
            module = nn.Sequential(PAD_MODULES[mode](conv2d_sides({**raw, "kernel_size": k})), conv)
        else:
            conv = module = nn.Conv2d(cin, cout, k, stride, pad if isinstance(pad, str) else pair(pad), dil, groups,
                                      bias=bias is not None, padding_mode=mode)
    elif op == "conv_transpose2d":
        conv = module = nn.ConvTranspose2d(cin, raw.get("out_channels", cin), k, pair(raw.get("stride", 1)), pair(raw.get("padding", 0)),
                                           pair(raw.get("output_padding", 0)), raw.get("groups", 1), bias is not None, pair(raw.get("dilation", 1)))
    elif op == "max_pool2d":
        return nn.MaxPool2d(k, pair(raw["stride"]) if "stride" in raw else None, pair(raw.get("padding", 0)),
                            pair(raw.get("dilation", 1)), ceil_mode=raw.get("ceil_mode", False))
    else:
        return nn.AvgPool2d(k, pair(raw["stride"]) if "stride" in raw else None, pair(raw.get("padding", 0)),
                            ceil_mode=raw.get("ceil_mode", False), count_include_pad=raw.get("count_include_pad", True))
    conv.double()
    with torch.no_grad():
        conv.weight.copy_(torch.tensor(weight).reshape(conv.weight.shape))
        if bias is not None:
            conv.bias.copy_(torch.tensor(bias))
    return module.double()


class SumPool(nn.Module):
    """A pool with every weight 1: each window's sum (the window of max/avg pooling, ceil_mode overhang as zeros)."""

    def __init__(self, pool: nn.Module, channels: int, out_size):
        super().__init__()
        self.k, self.s = pair(pool.kernel_size), pair(pool.stride)
        self.p, self.d = pair(pool.padding), pair(getattr(pool, "dilation", 1))
        self.channels, self.out_size = channels, out_size

    def forward(self, x):
        h, w = x.shape[-2:]
        extra = [max(0, (o - 1) * s + d * (k - 1) + 1 - (n + 2 * p))
                 for o, s, d, k, n, p in zip(self.out_size, self.s, self.d, self.k, (h, w), self.p)]
        x = F.pad(x, (self.p[1], self.p[1] + extra[1], self.p[0], self.p[0] + extra[0]))
        ones = torch.ones(self.channels, 1, *self.k, dtype=x.dtype)
        return F.conv2d(x, ones, None, self.s, 0, self.d, self.channels)


def ones_layer(module: nn.Module, channels: int, out_size) -> nn.Module:
    """The same layer with every weight 1, no bias (pools summing): its Jacobian counts the paths."""
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        return SumPool(module, channels, out_size)
    import copy

    ones = copy.deepcopy(module)
    for name, p in ones.named_parameters():
        with torch.no_grad():
            p.fill_(0.0 if name.endswith("bias") else 1.0)
    return ones


# ---------------------------------------------------------------- random stacks

@st.composite
def layer_for(draw, c: int, h: int, w: int) -> dict:
    """One layer dict drawn around the incoming shape (it may still be one PyTorch refuses)."""
    op = draw(st.sampled_from(OPS))
    side = min(h, w)
    kh = draw(st.integers(1, min(4, side + 1)))
    kw = kh if draw(st.booleans()) else draw(st.integers(1, min(4, side + 1)))
    raw = {"op": op, "kernel_size": kh if kh == kw else [kh, kw]}
    if op in ("conv2d", "conv_transpose2d"):
        g = draw(st.sampled_from([d for d in range(1, c + 1) if c % d == 0]))
        raw["out_channels"] = g * draw(st.integers(1, max(1, 4 // g)))
        if g > 1:
            raw["groups"] = g
        s, d = draw(st.sampled_from([1, 1, 2, 3])), draw(st.sampled_from([1, 1, 1, 2]))
        if s > 1:
            raw["stride"] = s
        if d > 1:
            raw["dilation"] = d
        if op == "conv2d":
            pad = draw(st.sampled_from([0, 1, 2, [1, 0], "same", "valid", "full", {"top": 1, "right": 2}]))
            if pad == "same":
                raw.pop("stride", None)
            raw["padding"] = pad
            mode = draw(st.sampled_from(["zeros", "zeros", "reflect", "replicate", "circular"]))
            if mode != "zeros":
                raw["padding_mode"] = mode
        else:
            raw["padding"] = draw(st.integers(0, 2))
            o = draw(st.integers(0, max(s, d) - 1))
            if o:
                raw["output_padding"] = o
            raw["view"] = draw(st.sampled_from(["gather", "scatter"]))
    else:
        if draw(st.booleans()):
            raw["stride"] = draw(st.integers(1, 3))
        raw["padding"] = draw(st.integers(0, min(kh, kw) // 2))
        if draw(st.booleans()):
            raw["ceil_mode"] = True
        if op == "max_pool2d" and draw(st.integers(0, 3)) == 0:
            raw["dilation"] = 2
        if op == "avg_pool2d" and draw(st.booleans()):
            raw["count_include_pad"] = False
    return raw


def _weight_shape(raw: dict, cin: int):
    k, g, cout = pair(raw.get("kernel_size", 3)), raw.get("groups", 1), raw.get("out_channels", cin)
    if raw["op"] == "conv2d":
        return (cout, cin // g) + k
    if raw["op"] == "conv_transpose2d":
        return (cin, cout // g) + k
    return None


def _taps(raw: dict, cin: int, out_shape) -> int:
    k = pair(raw.get("kernel_size", 3))
    if raw["op"] in ("max_pool2d", "avg_pool2d"):
        return int(np.prod(out_shape)) * k[0] * k[1]
    g = raw.get("groups", 1)
    return int(np.prod(out_shape)) * (cin // g) * k[0] * k[1]


@st.composite
def stacks(draw, max_layers: int = 4):
    """(network dict as a user writes it, per-layer (weight, bias) as PyTorch uses them, input, refused index or None).

    Arrays are given (random integers or reals) or left to the engine's defaults
    (None here: the test reads those off the built network, as inputs, never as answers).
    """
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    integers = draw(st.booleans())
    make = (lambda shape: rng.integers(-3, 4, shape).astype(np.float64)) if integers else (lambda shape: rng.uniform(-2, 2, shape))
    given = draw(st.booleans())
    c, h, w = draw(st.integers(1, 3)), draw(st.integers(3, 10)), draw(st.integers(3, 10))
    x = make((c, h, w))
    net = {"input_size": [h, w] if h != w else h, "in_channels": c, "layers": []}
    if given:
        net["input"] = x.tolist()
        if draw(st.booleans()):
            net.pop("input_size")
            net.pop("in_channels")
    arrays, refused, shape = [], None, (c, h, w)
    for _ in range(draw(st.integers(1, max_layers))):
        raw = draw(layer_for(*shape))
        wshape = _weight_shape(raw, shape[0])
        weight = bias = None
        if wshape is not None and given:
            weight = make(wshape)
            raw["weight"] = weight.tolist()
        if wshape is not None and draw(st.booleans()):
            bias = make((raw.get("out_channels", shape[0]),))
            raw["bias"] = bias.tolist()
        try:
            module = torch_layer(raw, shape[0], weight if weight is not None else np.zeros(wshape or 1), bias)
            with torch.no_grad():
                out = module(torch.zeros((1,) + shape, dtype=torch.float64))
        except TORCH_ERRORS:
            out = None
        if out is None or out.numel() == 0:
            net["layers"].append(raw)
            arrays.append((weight, bias))
            refused = len(net["layers"]) - 1
            break
        new = tuple(out.shape[1:])
        if max(new[1:]) > 24 or _taps(raw, shape[0], new) > MAX_TAPS:
            break
        net["layers"].append(raw)
        arrays.append((weight, bias))
        shape = new
    if not net["layers"]:  # the first draw was too large: a 1x1 conv always fits
        net["layers"].append({"op": "conv2d", "kernel_size": 1})
        arrays.append((None, None))
    return net, arrays, x if given else None, integers, refused
