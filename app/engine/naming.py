"""Short names for a spec, from its fields' abbreviations: titles and file names.

    conv2d k=3 s=2 p=1 d=2          (the figure's title)
    conv2d_5x5_k3_s2_p1_d2.gif      (a download's name)

A field with an `abbrev` is named when it is marked `always` or differs from its
default; an empty abbrev writes the value alone (`reflect`), a true flag its
abbrev alone (`ceil`).
"""

from __future__ import annotations

from .fields import Sides


def _pair(value, times: str) -> str:
    return str(value[0]) if value[0] == value[1] else f"{value[0]}{times}{value[1]}"


def _value(value, times: str, sides_sep: str):
    if isinstance(value, Sides):
        return sides_sep.join(str(v) for v in (value.top, value.bottom, value.left, value.right))
    if isinstance(value, tuple):
        return _pair(value, times)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def parts(spec, times: str = "×", sides_sep: str = ",") -> list[tuple[str, str]]:
    """(abbrev, value text) of every field worth naming, in the operation's order."""
    from .spec import read

    op = spec.operation
    out = []
    for f in op.fields:
        if f.abbrev is None or f.name not in spec.values:
            continue
        value = spec.values[f.name]
        default = None if f.default is None else read(f, f.default, op.name)
        if value is None or (not f.always and value == default):
            continue
        if f.kind == "bool":
            out.append((f.abbrev, "")) if value else None
            continue
        text = _value(value, times, sides_sep)
        if isinstance(value, Sides) and times == "×":
            text = f"({text})"
        out.append((f.abbrev, text))
    return out


def title(spec) -> str:
    """conv2d k=3 s=2 p=1: the operation and what sets it apart."""
    words = [spec.op]
    for abbrev, text in parts(spec):
        words.append(f"{abbrev}={text}" if abbrev and text else abbrev or text)
    return " ".join(words)


def file_stem(spec) -> str:
    """conv2d_5x5_k3_s2_p1_c3-2: safe in any file system."""
    words = [spec.op, f"{spec.input_size[0]}x{spec.input_size[1]}"]
    for abbrev, text in parts(spec, times="x", sides_sep="-"):
        words.append(f"{abbrev}{text}")
    if spec.in_channels > 1 or spec.out_channels > 1:
        words.append(f"c{spec.in_channels}-{spec.out_channels}")
    return "_".join(words)
