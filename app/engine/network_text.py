"""A network in a query string, readable and exact: `layers=conv2d:out_channels=4:k3:s2;max_pool2d:k2`.

Layers are separated by `;`, a layer's items by `:`; the first item is the
operation, each other item a field as `name=value` (the field's name or its
abbreviation: k, s, p, d, op, groups), or glued when the value starts with a digit
(`k3`, `s2`, `k3x5`), a flag's abbreviation alone (`ceil`), or a choice alone
(`reflect`, `scatter`). Values read as in any query (`3x5`, `true`, JSON for
arrays and per-side padding: `weight=[[1,2,1]]`, `p={"top":1}`); `:` and `;` inside
brackets belong to the value. `layers` may also be JSON (`[{"op": "conv2d"}]`).
`query(network)` writes the shortest such text (fields at their defaults left
out), and reading it back gives the same network.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import numpy as np

from . import registry
from .contract import Operation
from .errors import SpecError
from .fields import Sides
from .query import parse_value
from .trace import _nested

_GLUED = re.compile(r"([a-z_]+?)(\d.*)")


def parse_layers(text: str) -> list:
    """The `layers` query value -> the list of layer dicts a JSON body would hold."""
    text = text.strip()
    if text[:1] == "[":
        return parse_value("layers", text)
    chunks = [c for c in _split(text, ";") if c.strip()]
    return [_layer(chunk, i) for i, chunk in enumerate(chunks)]


def _split(text: str, sep: str) -> list[str]:
    """Split at `sep` outside brackets and braces."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _layer(chunk: str, i: int) -> dict:
    items = [item.strip() for item in _split(chunk, ":")]
    name = items[0]
    if name not in registry.names():
        raise SpecError(f"layers[{i}].op", "not_choice", got=name, options=list(registry.names()), listed=", ".join(registry.names()))
    op = registry.get(name)
    raw: dict = {"op": name}
    for item in items[1:]:
        if item:
            key, value = _item(op, item, i)
            raw[key] = value
    return raw


def _item(op: Operation, item: str, i: int):
    by_abbrev = {f.abbrev: f.name for f in op.fields if f.abbrev}
    if "=" in item:
        key, _, text = item.partition("=")
        key = by_abbrev.get(key.strip(), key.strip())
    else:
        glued = _GLUED.fullmatch(item)
        bare = [f for f in op.fields if (f.kind == "bool" and f.abbrev == item)
                or (f.kind == "choice" and f.abbrev == "" and item in {c.value for c in f.choices})]
        if glued and glued[1] in by_abbrev:
            key, text = by_abbrev[glued[1]], glued[2]
        elif bare:
            return bare[0].name, True if bare[0].kind == "bool" else item
        else:
            raise SpecError(f"layers[{i}]", "net_bad_token", got=item)
    try:
        return key, parse_value(key, text)
    except SpecError as e:
        raise SpecError(f"layers[{i}].{e.param}", e.code, **e.args_) from None


def write_layer(spec) -> str:
    """One layer as `op:item:item`, fields at their defaults left out."""
    from .network import FROM_INPUT
    from .spec import read

    op = spec.operation
    items, arrays = [spec.op], []
    for f in op.fields:
        if f.name in FROM_INPUT:
            continue
        if f.kind == "array":   # weight, bias, and any array an operation owns: written when given
            if f.name in spec.given:
                value = spec.values[f.name] if f.name in spec.values else getattr(spec, f.name)
                arrays.append(f"{f.name}={_nested(np.asarray(value))}")
            continue
        value = spec.values.get(f.name)
        if f.default_from is not None:
            default = spec.values[f.default_from]
        else:
            default = None if f.default is None else read(f, f.default, op.name)
        if value != default:
            items.append(_item_text(f, value))
    return ":".join(items + arrays)


def _item_text(f, value) -> str:
    key = f.abbrev or f.name
    if f.kind == "bool":
        return f.abbrev if (value and f.abbrev) else f"{f.name}={'true' if value else 'false'}"
    if f.kind == "choice":
        return value if f.abbrev == "" else f"{key}={value}"
    if isinstance(value, Sides):
        text = _json({"top": value.top, "bottom": value.bottom, "left": value.left, "right": value.right})
    elif isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        text = str(value[0]) if value[0] == value[1] else f"{value[0]}x{value[1]}"
    elif isinstance(value, tuple):
        text = _json(list(value))
    else:
        text = _json(value) if not isinstance(value, str) else value
    return f"{key}{text}" if f.abbrev and text[:1].isdigit() else f"{key}={text}"


def _json(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def query(net) -> str:
    """The network's permalink query: input_size, in_channels (when not 1), input (when given), layers."""
    h, w = net.input.shape[1:]
    parts = [("input_size", str(h) if h == w else f"{h}x{w}")]
    if net.input.shape[0] != 1:
        parts.append(("in_channels", str(net.input.shape[0])))
    if net.input_given:
        parts.append(("input", _nested(net.input)))
    parts.append(("layers", ";".join(write_layer(s) for s in net.specs)))
    return "&".join(f"{k}={quote(v, safe=':;,=[]{}x.-')}" for k, v in parts)
