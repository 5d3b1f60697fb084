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
    cells = np.unique(tap_canvas.ravel() % (ch * cw))
    rows, cols = np.zeros(ch, bool), np.zeros(cw, bool)
    rows[cells // cw] = True
    cols[cells % cw] = True
    trailing = [int(n - 1 - np.flatnonzero(r).max()) if r.any() else n for r, n in ((rows, ch), (cols, cw))]
    return {
        "unreached_rows": np.flatnonzero(~rows).tolist(),
        "unreached_cols": np.flatnonzero(~cols).tolist(),
        "remainder": trailing,
    }


def _size(pair) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


def torch_line(spec) -> str:
    """The torch.nn line that computes what is on screen (defaults left out)."""
    args: list[str] = []
    kw = lambda name, value, default: args.append(f"{name}={value}") if value != default else None  # noqa: E731
    pad = spec.padding_arg
    if pad == "full":  # our word, not PyTorch's: write the numbers it stands for
        pad = (spec.padding.top, spec.padding.left)
    pad_text = f"'{pad}'" if isinstance(pad, str) else (_size(pad) if not isinstance(pad, Sides) else None)
    if isinstance(pad, Sides) and pad.symmetric:
        pad_text = _size((pad.top, pad.left))
    if spec.op in ("conv2d", "conv_transpose2d"):
        cls = "Conv2d" if spec.op == "conv2d" else "ConvTranspose2d"
        args += [str(spec.in_channels), str(spec.out_channels), f"kernel_size={_size(spec.kernel_size)}"]
        kw("stride", _size(spec.stride), "1")
        if pad_text is not None:
            kw("padding", pad_text, "0")
        kw("output_padding", _size(spec.output_padding), "0")
        if spec.op == "conv_transpose2d":
            kw("groups", str(spec.groups), "1")
            kw("bias", str(spec.bias is not None), "True")
            kw("dilation", _size(spec.dilation), "1")
        else:
            kw("dilation", _size(spec.dilation), "1")
            kw("groups", str(spec.groups), "1")
            kw("bias", str(spec.bias is not None), "True")
            if pad_text is not None:
                kw("padding_mode", f"'{spec.padding_mode}'", "'zeros'")
    else:
        cls = "MaxPool2d" if spec.op == "max_pool2d" else "AvgPool2d"
        args.append(f"kernel_size={_size(spec.kernel_size)}")
        kw("stride", _size(spec.stride), _size(spec.kernel_size))
        kw("padding", pad_text, "0")
        if spec.op == "max_pool2d":
            kw("dilation", _size(spec.dilation), "1")
        kw("ceil_mode", str(spec.ceil_mode), "False")
        if spec.op == "avg_pool2d":
            kw("count_include_pad", str(spec.count_include_pad), "True")
    line = f"nn.{cls}({', '.join(args)})"
    if pad_text is None:  # uneven per-side padding: PyTorch pads first, with its own module
        pad_cls = {"zeros": "ZeroPad2d", "reflect": "ReflectionPad2d", "replicate": "ReplicationPad2d", "circular": "CircularPad2d"}[spec.padding_mode]
        p = spec.padding
        line = f"nn.Sequential(nn.{pad_cls}(({p.left}, {p.right}, {p.top}, {p.bottom})), {line})"
    return line


def summary(spec, sizes: list[dict], canvas, tap_canvas, macs: int) -> dict:
    params = 0 if spec.weight is None else int(spec.weight.size) + (0 if spec.bias is None else int(spec.bias.size))
    out = {
        "output_size": sizes,
        "effective_kernel": list(spec.effective_kernel),
        "canvas_size": list(canvas.kinds.shape),
        "parameters": params,
        "macs": int(macs),
        "torch": torch_line(spec),
    }
    out.update(reach(canvas.kinds, tap_canvas))
    return out
