"""Networks: layers of operations, each fed the previous layer's output.

A network is an input (size, channels, optional values) and a list of layers, each
one operation's fields without the input's size, channels and values: those come
from the previous layer's output. Each layer goes through `build_spec` and `run`,
so every registered operation is a layer with no change here, and its trace is
exactly what /api/v1/trace returns for that layer with that input.

What the layers say together is composed from their taps, never estimated:
- each layer's edges (output cell, input cell, d output / d input);
- the exact dependency sets of a cell: every cell of every map below that it reads,
  and every cell above that reads it;
- its effective receptive field (Luo et al. 2016): its row of the network's Jacobian
  on the input, with every weight 1 (the number of paths) and with the real weights.
The receptive-field recurrence (r += d*(k-1)*j, j *= s) is given next to them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cached_property

import numpy as np

from . import backward, common, fields, limits, registry, values
from .contract import Text
from .errors import SpecError
from .spec import Spec, build_spec, read
from .trace import Trace, _nested, _plain

FROM_INPUT = ("input_size", "in_channels", "input")    # a layer's fields that its input sets
NETWORK_FIELDS = ("input_size", "in_channels", "input", "layers")
THE_INPUT = Text("the network's input", "网络输入")


def _source(i: int) -> Text:
    """What feeds layer i, as the messages name it."""
    return THE_INPUT if i == 0 else Text(f"layers[{i - 1}]", f" layers[{i - 1}] ")


@dataclass(frozen=True)
class Edges:
    """One layer's taps as a sparse Jacobian.

    out[k] reads inp[k] (every tap on a real cell: the dependency structure, and the
    paths with every weight 1); the gradient flows along (grad_out, grad_inp) with
    factor grad (the backward pass's contributions: max pooling's winners only; None
    for a reduction whose gradient is not known).
    """

    out: np.ndarray
    inp: np.ndarray
    grad_out: np.ndarray | None
    grad_inp: np.ndarray | None
    grad: np.ndarray | None


@dataclass(frozen=True, eq=False)
class Network:
    input: np.ndarray            # [C][H][W]
    input_given: bool
    specs: tuple[Spec, ...]
    traces: tuple[Trace, ...]

    @property
    def maps(self) -> list[np.ndarray]:
        """Map 0 is the input, map i+1 the output of layers[i]."""
        return [self.input] + [t.output for t in self.traces]

    @cached_property
    def edges(self) -> tuple[Edges, ...]:
        return tuple(edges(t) for t in self.traces)

    @cached_property
    def boxes(self) -> list[tuple[np.ndarray, ...]]:
        return exact_boxes(self)

    def canonical(self) -> dict:
        out = {"input_size": list(self.input.shape[1:]), "in_channels": self.input.shape[0]}
        if self.input_given:
            out["input"] = self.input.tolist()
        out["layers"] = [{k: v for k, v in s.canonical().items() if k not in FROM_INPUT} for s in self.specs]
        return out

    @property
    def params(self) -> int:
        """sum(p.numel()) of the equivalent nn.Sequential: each layer's weight and (given) bias."""
        return sum(t.arithmetic["parameters"] for t in self.traces)

    @property
    def macs(self) -> int:
        return sum(t.arithmetic["macs"] for t in self.traces)

    @property
    def taps(self) -> int:
        return sum(int((t.tap_canvas >= 0).sum()) for t in self.traces)

    def to_json(self) -> bytes:
        return self._json

    def summary_json(self) -> bytes:
        """The numbers without each layer's steps: what a page draws next to the scene (about a hundredth of the bytes)."""
        return self._summary

    @cached_property
    def _head(self) -> str:
        """The answer's numbers as the start of a JSON object (no closing brace)."""
        from .network_text import query

        head = {
            "spec": self.canonical(), "query": query(self),
            "input_shape": list(self.input.shape), "output_shape": list(self.traces[-1].output.shape),
            "params": self.params, "macs": self.macs, "taps": self.taps,
            "receptive_field": receptive_field(self),
        }
        overlaps = ",".join(_nested(o) for o in overlap(self))
        return json.dumps(head, separators=(",", ":"), ensure_ascii=False)[:-1] + ',"overlap":[' + overlaps + "]"

    @cached_property
    def _json(self) -> bytes:
        text = "".join([
            self._head,
            ',"input":', _nested(self.input),
            ',"output":', _nested(self.traces[-1].output),
            ',"layers":[',
        ])
        return text.encode() + b",".join(t.to_json() for t in self.traces) + b"]}"

    @cached_property
    def _summary(self) -> bytes:
        numbers = [{"op": s.op, "output_shape": list(t.output.shape), "arithmetic": t.arithmetic} for s, t in zip(self.specs, self.traces)]
        return (self._head + ',"layer_numbers":' + json.dumps(numbers, separators=(",", ":"), ensure_ascii=False) + "}").encode()


# ---------------------------------------------------------------- building

def build_network(raw: dict) -> Network:
    """Build and run every layer, or raise SpecError naming the layer and field (`layers[1].groups`)."""
    if not isinstance(raw, dict):
        raise SpecError("body", "not_object")
    given = {k for k, v in raw.items() if v is not None}
    unknown = sorted(given - set(NETWORK_FIELDS))
    if unknown:
        raise SpecError(unknown[0], "unknown_field", op="a network", listed=", ".join(NETWORK_FIELDS))
    x = _input(raw, given)
    layers = raw.get("layers")
    if not isinstance(layers, list) or not layers:
        raise SpecError("layers", "net_no_layers", got=json.dumps(layers)[:40])
    if len(layers) > limits.MAX_LAYERS:
        raise SpecError("layers", "net_too_many_layers", high=limits.MAX_LAYERS, got=len(layers))
    specs, traces, taps = [], [], 0
    for i, layer in enumerate(layers):
        if i and not np.isfinite(x).all():
            raise SpecError(f"layers[{i}]", "net_not_finite", source=_source(i))
        spec = _layer_spec(layer, i, x)
        taps += spec.operation.count_taps(spec)
        if taps > limits.MAX_NETWORK_TAPS:
            raise SpecError(f"layers[{i}]", "net_too_many_taps", taps=taps, high=limits.MAX_NETWORK_TAPS)
        trace = registry.get(spec.op).run(spec)
        specs.append(spec)
        traces.append(trace)
        x = trace.output
    return Network(input=specs[0].input, input_given="input" in given, specs=tuple(specs), traces=tuple(traces))


def _input(raw: dict, given: set) -> np.ndarray:
    """The network's input [C][H][W]: given values (their shape sets size and channels) or the defaults."""
    arr = None
    inferred = {}
    if "input" in given:
        arr = fields.numbers(raw["input"], "input")
        if arr.ndim not in (2, 3):
            raise SpecError("input", "bad_nesting", got=str(arr.ndim))
        inferred = {"input_size": list(arr.shape[-2:]), "in_channels": arr.shape[0] if arr.ndim == 3 else 1}
    h, w = read(common.INPUT_SIZE, raw["input_size"] if "input_size" in given else inferred.get("input_size", common.INPUT_SIZE.default), "network")
    c = read(common.IN_CHANNELS, raw["in_channels"] if "in_channels" in given else inferred.get("in_channels", 1), "network")
    if arr is None:
        return values.default_input((c, h, w))
    shapes = [(c, h, w)] + ([(h, w)] if c == 1 else [])
    return fields.shaped(arr, "input", shapes, f"[{c}][{h}][{w}] (in_channels x H x W)" + (f" or [{h}][{w}]" if c == 1 else ""))


def _layer_spec(layer, i: int, x: np.ndarray) -> Spec:
    where = f"layers[{i}]"
    if not isinstance(layer, dict):
        raise SpecError(where, "net_layer_not_object")
    for name in FROM_INPUT:
        if layer.get(name) is not None:
            raise SpecError(f"{where}.{name}", "net_from_previous", source=_source(i))
    c, h, w = x.shape
    try:
        spec = build_spec({**layer, "input_size": [h, w], "in_channels": c})
    except SpecError as e:
        raise _in_layer(e, where, _source(i)) from None
    return replace(spec, input=x, given=spec.given | {"input"})


def _in_layer(e: SpecError, where: str, source: Text) -> SpecError:
    """The layer's error under its path; rules about what the layer receives say where it comes from."""
    code, args = e.code, dict(e.args_)
    if code == "groups_divide" and args["in_channels"] % args["groups"]:
        code, args = "net_groups_divide", {"groups": args["groups"], "channels": args["in_channels"], "source": source}
    elif code == "kernel_too_large":
        code, args = "net_kernel_too_large", {**args, "source": source}
    elif code == "unknown_field":   # a layer's own fields: what its input sets is not among them
        args["listed"] = ", ".join(f for f in args["fields"] if f not in FROM_INPUT)
    out = SpecError(f"{where}.{e.param}", code, e._inline, **args)
    out.args_["param"] = e.param          # "{op} has no {param}" names the field as the layer spells it
    out.message = out.text("en")
    out.args = (out.message,)
    return out


# ---------------------------------------------------------------- the taps as a Jacobian

def edges(t: Trace) -> Edges:
    """Every tap that reads a real cell (not zero padding, not an inserted zero), and the gradient's contributions."""
    steps = np.broadcast_to(t.step_index[:, None], t.tap_tensor.shape)
    out, inp = (t.tap_tensor, steps) if t.spec.view == "scatter" else (steps, t.tap_tensor)
    real = (t.tap_tensor >= 0) & (t.tap_canvas >= 0)
    try:
        g_inp, g_out, factor, _, _ = backward.contributions(t)
    except SpecError:   # taps that are not plain products (a gate, a mask's rescaling): no gradient here
        return Edges(out=out[real], inp=inp[real], grad_out=None, grad_inp=None, grad=None)
    return Edges(out=out[real], inp=inp[real], grad_out=g_out, grad_inp=g_inp, grad=factor)


def _back(out: np.ndarray, inp: np.ndarray, g: np.ndarray, size: int, factor: np.ndarray | None = None) -> np.ndarray:
    """A vector-Jacobian product through one layer's edges (factor None: every edge counts 1)."""
    w = g[out] if factor is None else g[out] * factor
    return np.bincount(inp, weights=w, minlength=size)


def overlap(net: Network) -> list[np.ndarray]:
    """Per layer, per output cell: the paths from the input to it with every weight 1.

    The output of the same stack with all weights 1, no bias and summing pools on an
    input of ones: uneven overlap (a transposed conv's checkerboard) shows as a picture.
    """
    out, v = [], np.ones(net.input.size)
    for e, o in zip(net.edges, net.maps[1:]):
        v = np.bincount(e.out, weights=v[e.inp], minlength=o.size)
        out.append(v.reshape(o.shape))
    return out


def dependency_field(net: Network, map_index: int, cell) -> dict:
    """Exact dependency sets of one cell of map `map_index`, and its effective receptive field.

    below[k]: the cells of map k that the cell reads, through the taps (k <= map_index);
    above[k]: the cells of map k that read it (k >= map_index);
    paths: for each input cell, the number of tap chains from it to the cell (the Jacobian
    with every weight 1); gradient: d cell / d input with the real weights (exact, the same
    as torch.autograd; its magnitude is the effective receptive field's heatmap; None through
    a layer whose reduction backward.contributions does not differentiate).
    """
    maps = net.maps
    last = len(maps) - 1
    if isinstance(map_index, bool) or not isinstance(map_index, int) or not 0 <= map_index <= last:
        raise SpecError("map", "net_no_map", high=last, last=last - 1, got=map_index)
    shape = maps[map_index].shape
    if (not isinstance(cell, (list, tuple)) or len(cell) != 3
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in cell)
            or not all(0 <= v < n for v, n in zip(cell, shape))):
        raise SpecError("cell", "net_no_cell", map=map_index, shape="[" + "][".join(map(str, shape)) + "]", got=cell)
    flat = int(np.ravel_multi_index(tuple(cell), shape))

    below = {map_index: np.zeros(maps[map_index].size, bool)}
    below[map_index][flat] = True
    paths = np.zeros(maps[map_index].size)
    paths[flat] = 1.0
    grad = paths.copy()
    for k in range(map_index - 1, -1, -1):
        e, size = net.edges[k], maps[k].size
        reached = np.zeros(size, bool)
        reached[e.inp[below[k + 1][e.out]]] = True
        below[k] = reached
        paths = _back(e.out, e.inp, paths, size)
        grad = None if grad is None or e.grad is None else _back(e.grad_out, e.grad_inp, grad, size, e.grad)
    above = {map_index: below[map_index]}
    for k in range(map_index, last):
        e = net.edges[k]
        reached = np.zeros(maps[k + 1].size, bool)
        reached[e.out[above[k][e.inp]]] = True
        above[k + 1] = reached

    def cells(mask: np.ndarray, k: int) -> list:
        return np.argwhere(mask.reshape(maps[k].shape)).tolist()

    box = net.boxes[map_index]
    lo_y, hi_y, lo_x, hi_x = (b[flat] for b in box)
    exact = None if not np.isfinite(lo_y) else {"top": int(lo_y), "bottom": int(hi_y), "left": int(lo_x), "right": int(hi_x)}
    return {
        "map": map_index, "cell": list(cell),
        "below": [{"map": k, "cells": cells(below[k], k)} for k in range(map_index + 1)],
        "above": [{"map": k, "cells": cells(above[k], k)} for k in range(map_index, last + 1)],
        "paths": _plain(paths.reshape(net.input.shape)),
        "gradient": None if grad is None else _plain(grad.reshape(net.input.shape)),
        "exact_box": exact,
        "theoretical_box": theoretical_box(net, map_index, cell),
    }


# ---------------------------------------------------------------- receptive fields

def exact_boxes(net: Network) -> list[tuple[np.ndarray, ...]]:
    """Per map, per cell: the bounding box (top, bottom, left, right) of its exact field, in input pixels.

    Empty fields (a cell that reads only padding or inserted zeros) are (inf, -inf, inf, -inf).
    """
    c, h, w = net.input.shape
    idx = np.arange(net.input.size)
    y, x = ((idx // w) % h).astype(float), (idx % w).astype(float)
    boxes = [(y, y, x, x)]
    for e, o in zip(net.edges, net.maps[1:]):
        lo_y, hi_y, lo_x, hi_x = boxes[-1]
        out = []
        for src, ufunc, start in ((lo_y, np.minimum, np.inf), (hi_y, np.maximum, -np.inf), (lo_x, np.minimum, np.inf), (hi_x, np.maximum, -np.inf)):
            acc = np.full(o.size, start)
            ufunc.at(acc, e.out, src[e.inp])
            out.append(acc)
        boxes.append(tuple(out))
    return boxes


def slides(spec: Spec) -> bool:
    """A window sliding over the padded input: the recurrence holds (conv2d, pooling)."""
    return "kernel_size" in spec.values and "stride" in spec.values and "output_padding" not in spec.values


def receptive_field(net: Network) -> list[dict]:
    """Per layer, in input pixels: size [rh, rw], jump [jh, jw], start (centre of output (0,0)'s field).

    Sliding layers follow the recurrence r = r + d*(k-1)*j, j = j*s,
    start = start + (d*(k-1)/2 - p_top)*j (what the formula assumes: zero padding, an
    unbounded input). Other layers (transposed convolution, resampling) have fields
    that differ from cell to cell; there `size` is the largest exact field of a cell
    of the layer's output (bounding box, from the taps), jump is j/s (or j*in/out
    without a stride) and start the centre of output (0,0)'s exact field.
    `exact_size` is the largest exact field for every layer, borders included.
    """
    boxes = net.boxes
    r, j, start = [Fraction(1)] * 2, [Fraction(1)] * 2, [Fraction(0)] * 2
    out = []
    for i, (spec, trace) in enumerate(zip(net.specs, net.traces)):
        lo_y, hi_y, lo_x, hi_x = boxes[i + 1]
        some = np.isfinite(lo_y)
        exact = [int((hi_y - lo_y)[some].max(initial=0)) + (1 if some.any() else 0),
                 int((hi_x - lo_x)[some].max(initial=0)) + (1 if some.any() else 0)]
        shown = []
        if slides(spec):
            for a in (0, 1):
                k, s, d = spec.kernel_size[a], spec.stride[a], spec.dilation[a]
                p = spec.padding.top if a == 0 else spec.padding.left
                r2, j2, s2 = _slid(spec, a, r[a], j[a], start[a])
                shown.append({
                    "size": f"r = {_f(r[a])} + {d}*({k}-1)*{_f(j[a])} = {_f(r2)}",
                    "jump": f"j = {_f(j[a])}*{s} = {_f(j2)}",
                    "start": None if s2 is None else f"start = {_f(start[a])} + ({d}*({k}-1)/2 - {p})*{_f(j[a])} = {_f(s2)}",
                })
                r[a], j[a], start[a] = r2, j2, s2
            rule = "recurrence"
        else:
            ins, outs = spec.input.shape[1:], trace.output.shape[1:]
            for a in (0, 1):
                if "stride" in spec.values:
                    j2, how = j[a] / spec.stride[a], f"j = {_f(j[a])}/{spec.stride[a]}"
                else:
                    j2, how = j[a] * Fraction(ins[a], outs[a]), f"j = {_f(j[a])}*{ins[a]}/{outs[a]}"
                lo, hi = (lo_y, hi_y) if a == 0 else (lo_x, hi_x)
                s2 = Fraction(int(lo[0] + hi[0]), 2) if some[0] else None
                shown.append({"size": f"r = the largest exact field of a cell = {exact[a]}", "jump": f"{how} = {_f(j2)}",
                              "start": None if s2 is None else f"start = the centre of output (0,0)'s exact field = {_f(s2)}"})
                r[a], j[a], start[a] = Fraction(exact[a]), j2, s2
            rule = "taps"
        out.append({
            "layer": i, "rule": rule,
            "size": [_n(v) for v in r], "jump": [_n(v) for v in j], "start": [None if v is None else _n(v) for v in start],
            "exact_size": exact, "substituted": shown,
        })
    return out


def _slid(spec: Spec, a: int, r: Fraction, j: Fraction, start: Fraction | None) -> tuple:
    """The recurrence through one sliding layer along axis a: the field's size, jump and start after it."""
    k, s, d = spec.kernel_size[a], spec.stride[a], spec.dilation[a]
    p = spec.padding.top if a == 0 else spec.padding.left
    return r + d * (k - 1) * j, j * s, None if start is None else start + (Fraction(d * (k - 1), 2) - p) * j


def theoretical_box(net: Network, map_index: int, cell) -> dict | None:
    """The recurrence's field of cell (y, x) of a map, in input pixels (None where it does not apply);
    the recurrence alone (no taps), so a picture can outline it cheaply."""
    if map_index == 0:
        return {"top": cell[1], "bottom": cell[1], "left": cell[2], "right": cell[2]}
    if not all(slides(s) for s in net.specs[:map_index]):
        return None
    out = {}
    for a, (lo, hi) in enumerate((("top", "bottom"), ("left", "right"))):
        r, j, start = Fraction(1), Fraction(1), Fraction(0)
        for spec in net.specs[:map_index]:
            r, j, start = _slid(spec, a, r, j, start)
        centre = start + cell[1 + a] * j
        half = (r - 1) / 2
        out[lo], out[hi] = _n(centre - half), _n(centre + half)
    return out


def _n(v: Fraction):
    return int(v) if v.denominator == 1 else float(v)


def _f(v: Fraction) -> str:
    return str(_n(v))
