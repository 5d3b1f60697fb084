"""The arithmetic as data: formulas with the user's own numbers, and the torch line."""

from __future__ import annotations

import numpy as np

from .fields import Sides

AXES = ("height", "width")


def conv_size(axis: int, spec, ceil: bool = False) -> dict:
    """o = floor((i + p_lo + p_hi - d*(k-1) - 1) / s) + 1, with the numbers put in."""
    i, k, s, d = spec.input_size[axis], spec.kernel_size[axis], spec.stride[axis], spec.dilation[axis]
    lo, hi = (spec.padding.top, spec.padding.bottom) if axis == 0 else (spec.padding.left, spec.padding.right)
    rnd = "ceil" if ceil else "floor"
    span = i + lo + hi - d * (k - 1) - 1
    value = (-(-span // s) if ceil else span // s) + 1
    entry = {
        "axis": AXES[axis],
        "formula": f"o = {rnd}((i + p_{'top' if axis == 0 else 'left'} + p_{'bottom' if axis == 0 else 'right'} - d*(k-1) - 1) / s) + 1",
        "substituted": f"{rnd}(({i} + {lo} + {hi} - {d}*({k}-1) - 1) / {s}) + 1 = {rnd}({span}/{s}) + 1 = {value}",
        "value": value,
    }
    if ceil and (value - 1) * s >= i + lo:
        value -= 1
        entry["substituted"] += f" - 1 = {value} (the last window would start in the right padding, so it is dropped)"
        entry["value"] = value
    return entry


def transposed_size(axis: int, spec) -> dict:
    i, k, s, d = spec.input_size[axis], spec.kernel_size[axis], spec.stride[axis], spec.dilation[axis]
    p, op = (spec.padding.top if axis == 0 else spec.padding.left), spec.output_padding[axis]
    value = (i - 1) * s - 2 * p + d * (k - 1) + op + 1
    return {
        "axis": AXES[axis],
        "formula": "o = (i-1)*s - 2p + d*(k-1) + output_padding + 1",
        "substituted": f"({i}-1)*{s} - 2*{p} + {d}*({k}-1) + {op} + 1 = {value}",
        "value": value,
    }


def reach(kinds: np.ndarray, tap_canvas: np.ndarray) -> dict:
    """Canvas rows and columns that no tap ever touches, and the trailing remainder."""
    ch, cw = kinds.shape
    taps = tap_canvas.ravel()
    touched = np.zeros(ch * cw, bool)   # a mask, not np.unique: no sort of every tap
    touched[taps[taps >= 0] % (ch * cw)] = True
    rows, cols = touched.reshape(ch, cw).any(1), touched.reshape(ch, cw).any(0)
    trailing = [int(n - 1 - np.flatnonzero(r).max()) if r.any() else n for r, n in ((rows, ch), (cols, cw))]
    return {
        "unreached_rows": np.flatnonzero(~rows).tolist(),
        "unreached_cols": np.flatnonzero(~cols).tolist(),
        "remainder": trailing,
    }


def size_text(pair) -> str:
    """3 for (3, 3), (3, 5) otherwise: how PyTorch's repr writes a size."""
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


def padding_text(spec) -> str | None:
    """The padding as torch takes it; None for uneven sides (a pad module goes first)."""
    pad = spec.padding_arg
    if pad == "full":  # our word, not PyTorch's: write the numbers it stands for
        return size_text((spec.padding.top, spec.padding.left))
    if isinstance(pad, str):
        return f"'{pad}'"
    if isinstance(pad, Sides):
        return size_text((pad.top, pad.left)) if pad.symmetric else None
    return size_text(pad)


def call(cls: str, args: list[str], keywords: list[tuple[str, str | None, str]]) -> str:
    """`nn.Cls(a, b, k=v)` with every keyword at its default left out."""
    args = args + [f"{name}={value}" for name, value, default in keywords if value is not None and value != default]
    return f"nn.{cls}({', '.join(args)})"


def padded_first(spec, line: str) -> str:
    """Uneven per-side padding: PyTorch pads first, with its own module."""
    if padding_text(spec) is not None:
        return line
    pad_cls = {"zeros": "ZeroPad2d", "reflect": "ReflectionPad2d", "replicate": "ReplicationPad2d", "circular": "CircularPad2d"}[spec.padding_mode]
    p = spec.padding
    return f"nn.Sequential(nn.{pad_cls}(({p.left}, {p.right}, {p.top}, {p.bottom})), {line})"


def summary(spec, sizes: list[dict], canvas, tap_canvas, macs: int, footprint=None) -> dict:
    """footprint: for operations without a kernel, the largest area one step reads."""
    params = 0 if spec.weight is None else int(spec.weight.size) + (0 if spec.bias is None else int(spec.bias.size))
    out = {
        "output_size": sizes,
        "effective_kernel": list(footprint or spec.effective_kernel),
        "canvas_size": list(canvas.kinds.shape),
        "parameters": params,
        "macs": int(macs),
        "torch": spec.operation.torch_line(spec),
    }
    out.update(reach(canvas.kinds, tap_canvas))
    return out


def explained(papers: tuple[str, ...], formula: str, at, substituted: str) -> dict:
    """An operation's own formula for the arithmetic panel: the papers that define it,
    the formula, and one output cell `at` ([c, y, x]) worked with the user's numbers."""
    return {"papers": list(papers), "formula": formula, "at": [int(i) for i in at], "substituted": substituted}


def short(x: float) -> str:
    """A number in a worked formula: at most 4 significant digits, integers as integers."""
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else f"{x:.4g}"
