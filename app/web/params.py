"""The spec's fields as the web sees them: documentation, and query-string parsing.

One table describes every field; the POST body schema, the GET query parameters
in OpenAPI, and the parsing of query strings all come from it.
"""

from __future__ import annotations

from app.engine import FIELDS, SpecError
from app.engine.query import parse_value

_INT_OR_PAIR = {"oneOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}]}
_NESTED = {"type": "array", "items": {}}

DOCS: dict[str, tuple[str, dict, object]] = {
    "op": ("Operation: conv2d, conv_transpose2d, max_pool2d or avg_pool2d.", {"type": "string", "enum": ["conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d"]}, "conv2d"),
    "input_size": ("Input height and width: one number (square) or [H, W]. Query: `5` or `5,7`.", _INT_OR_PAIR, [5, 5]),
    "in_channels": ("Input channels (default 1, or the channels of `input`).", {"type": "integer"}, 1),
    "out_channels": ("Output channels (default in_channels; pooling keeps in_channels).", {"type": "integer"}, 1),
    "groups": ("Groups; must divide both channel counts. groups = in_channels is a depthwise convolution.", {"type": "integer"}, 1),
    "kernel_size": ("Kernel height and width (default 3).", _INT_OR_PAIR, 3),
    "stride": ("Stride (default 1; pooling: the kernel size).", _INT_OR_PAIR, 2),
    "padding": ("A number, [ph, pw], 'valid', 'same', 'full', or per side {\"top\", \"bottom\", \"left\", \"right\"} (query: `top:1,bottom:2,left:0,right:1`).", {"oneOf": [_INT_OR_PAIR, {"type": "string", "enum": ["valid", "same", "full"]}, {"type": "object"}]}, 1),
    "dilation": ("Spacing between kernel taps (default 1).", _INT_OR_PAIR, 1),
    "output_padding": ("conv_transpose2d only: extra rows/columns on the bottom/right of the output; smaller than max(stride, dilation).", _INT_OR_PAIR, 0),
    "padding_mode": ("conv2d only: zeros, reflect, replicate or circular.", {"type": "string", "enum": ["zeros", "reflect", "replicate", "circular"]}, "zeros"),
    "ceil_mode": ("Pooling only: round the output size up.", {"type": "boolean"}, False),
    "count_include_pad": ("avg_pool2d only: whether padding cells count in the mean.", {"type": "boolean"}, True),
    "view": ("conv_transpose2d only: gather (zero insertion, the reference GIFs) or scatter (each input cell stamps the kernel).", {"type": "string", "enum": ["gather", "scatter"]}, "gather"),
    "input": ("Optional input values, [H][W] or [C][H][W] (query: JSON). Default: small integers from a fixed seed.", _NESTED, [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]),
    "weight": ("Optional weights in PyTorch's layout: [out, in/groups, kh, kw] for conv2d, [in, out/groups, kh, kw] for conv_transpose2d; [kh][kw] for one channel.", _NESTED, [[0, 1, 2], [2, 2, 0], [0, 1, 2]]),
    "bias": ("Optional bias, one number per output channel. Default: no bias.", {"type": "array", "items": {"type": "number"}}, [0]),
}
assert tuple(DOCS) == FIELDS, "every spec field is documented, in order"


def body_schema() -> dict:
    """JSON schema of the POST body, for OpenAPI."""
    props = {name: {**schema, "description": text} for name, (text, schema, _) in DOCS.items()}
    return {"type": "object", "properties": props, "additionalProperties": False}


def query_parameters(extra: dict[str, str] | None = None) -> list[dict]:
    """OpenAPI `parameters` for the GET form (every value is a string there)."""
    out = [
        {"name": name, "in": "query", "required": False, "description": text, "schema": {"type": "string"}}
        for name, (text, _, _) in DOCS.items()
    ]
    for name, text in (extra or {}).items():
        out.append({"name": name, "in": "query", "required": False, "description": text, "schema": {"type": "string"}})
    return out


def from_query(items, skip: frozenset = frozenset()) -> dict:
    """Query pairs -> the same dict a JSON body would give. Repeated keys: last wins."""
    raw = {}
    for key, text in items:
        if key in skip:
            continue
        if key not in DOCS:
            raise SpecError(key, "unknown_field", f"is not a parameter here; the spec fields are {', '.join(FIELDS)}", fields=list(FIELDS))
        raw[key] = parse_value(key, text)
    return raw
