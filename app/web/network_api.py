"""Networks over HTTP: /api/v1/network (POST JSON, GET readable query), its field, its presets."""

from __future__ import annotations

import hashlib
import json

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app.engine import limits
from app.engine.common import IN_CHANNELS, INPUT, INPUT_SIZE
from app.engine.network import FROM_INPUT
from app.engine.network_text import parse_layers
from app.engine.networks_presets import PRESETS, compare
from app.engine.query import parse_value

from . import params, work
from .animation import REFUSALS
from .answers import send

router = APIRouter()

NETWORK_DOC = """Run a stack of layers, each fed the previous layer's output, and return every layer's trace.

A layer takes its operation's fields (as `/api/v1/trace`) without `input_size`, `in_channels`
and `input`: those come from the previous layer's output (the first layer's from the
network's input). The response holds `layers` (one trace per layer, exactly what
`/api/v1/trace` returns for that layer with its actual input, which its `spec` carries),
`output` ([C][H][W]), `params` (sum(p.numel()) of the equivalent nn.Sequential, bias as
given), `macs`, `taps`, `overlap` (per layer, the paths from the input to each output cell
with every weight 1: uneven overlap such as a transposed conv's checkerboard), `query`
(the readable permalink, see the GET form) and `receptive_field`, one entry per layer in
input pixels: `size` [rh, rw], `jump` [jh, jw], `start` (centre of output (0,0)'s field)
by the recurrence r = r + d*(k-1)*j, j = j*s, start = start + (d*(k-1)/2 - p)*j for
convolutions and pooling (`rule: recurrence`, `substituted` writes it with your numbers);
for a transposed convolution or resampling (`rule: taps`), `size` is the largest exact
field of a cell of that layer's output (its bounding box, composed from the taps), `jump`
is j/s and `start` the centre of output (0,0)'s exact field. `exact_size` is the largest
exact field of every layer, borders included. Errors name the layer: `layers[1].groups: ...`.

`detail=summary` (a query parameter, on POST too) answers the numbers only: every field above
but `layers`, `input` and `output`, with `layer_numbers` instead of `layers` (per layer its `op`,
`output_shape` and `arithmetic`, the same as in that layer's trace): what the /network page
draws, about a hundredth of the bytes. `detail=full` (the default) is the answer above.
"""

QUERY_DOC = """The same network as query parameters: `input_size`, `in_channels`, `input` (JSON) and
`layers`, readable: layers separated by `;`, a layer's items by `:`, the operation first,
then fields as `name=value`, their abbreviations (`k`, `s`, `p`, `d`, `op`, `groups`) glued to
a value that starts with a digit (`k3`, `s2`, `k3x5`), a flag alone (`ceil`) or a choice alone
(`reflect`, `scatter`); arrays and per-side padding as JSON (`weight=[[[[1,2,1]]]]`).
Example: `layers=conv2d:out_channels=4:k3:s2:p1;max_pool2d:k2`. `layers` may also be a JSON
list. Every response's `query` is this form, and reading it back gives the same network.
"""

FIELD_DOC = """The exact receptive field of one cell: `map` (0 the input, i+1 the output of layers[i];
default the last) and `cell` [c, y, x] (default the centre of channel 0). `below` lists, for
every map under it, the cells it depends on (composed from the taps, borders and padding
modes included); `above` the cells above that depend on it; `paths` (on the input) the
number of tap chains from each input cell to it (the Jacobian with every weight 1, no bias,
pools summing); `gradient` d cell / d input with the real weights (exact; its magnitude is the
effective receptive field of Luo et al. 2016); `exact_box` the bounding box of its field and
`theoretical_box` the recurrence's (null after a transposed or resampling layer).
"""


def answer_key(kind: str, *parts) -> str:
    """The stored answer's key for a request's parts, whatever they hold (JSON or not)."""
    try:
        text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):   # not JSON's kind of value: never shared, the engine refuses it by name
        text = repr(parts)
    return kind + ":" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


async def _network(request: Request, raw, detail: str) -> Response:
    key = answer_key("network", raw) if detail == "full" else answer_key("network-" + detail, raw)
    return await send(request, key, work.network_job, raw, detail, media_type="application/json", gzipped=True)


async def _field(request: Request, raw, where: dict) -> Response:
    return await send(request, answer_key("field", raw, where), work.field_job, raw, where, media_type="application/json", gzipped=True)


def from_query(items, extra: tuple = ()) -> tuple[dict, dict]:
    """Query pairs -> (network body, the `extra` parameters); `lang` is the messages' language."""
    raw, more = {}, {}
    for key, text in items:
        if key == "lang":
            continue
        if key == "layers":
            raw[key] = parse_layers(text)
        elif key in extra:
            more[key] = parse_value(key, text)
        else:
            raw[key] = parse_value(key, text)
    return raw, more


# ---------------------------------------------------------------- OpenAPI

def _layer_schema() -> dict:
    body = params.body_schema()
    props = {k: v for k, v in body["properties"].items() if k not in FROM_INPUT}
    return {"type": "object", "properties": props, "additionalProperties": False}


def _network_schema(field: bool = False) -> dict:
    props = {
        "input_size": {**params.body_schema_of(INPUT_SIZE), "description": INPUT_SIZE.doc.en},
        "in_channels": {**params.body_schema_of(IN_CHANNELS), "description": IN_CHANNELS.doc.en},
        "input": {**params.body_schema_of(INPUT), "description": INPUT.doc.en},
        "layers": {"type": "array", "minItems": 1, "maxItems": limits.MAX_LAYERS, "items": _layer_schema(),
                   "description": "The layers, first to last; each one operation's fields without input_size, in_channels and input."},
    }
    if field:
        props["map"] = {"type": "integer", "minimum": 0, "description": "0 the input, i+1 the output of layers[i] (default: the last)."}
        props["cell"] = {"type": "array", "items": {"type": "integer"}, "minItems": 3, "maxItems": 3, "description": "[c, y, x] in that map."}
    return {"type": "object", "properties": props, "required": ["layers"], "additionalProperties": False}


def _examples(field: bool = False) -> dict:
    out = {}
    for p in PRESETS:
        for n, (label, spec) in enumerate(p.sides):
            value = {**spec, "map": len(spec["layers"]), "cell": [0, 0, 0]} if field else spec
            out[f"{p.slug}_{n}"] = {"summary": f"{p.title.en}: {label.en}", "value": value}
    return out


_SHAPE = {"type": "array", "items": {"type": "integer"}, "minItems": 3, "maxItems": 3}
_NUMBERS = {"type": "object", "required": ["query", "input_shape", "output_shape", "params", "macs", "taps", "receptive_field", "overlap"],
            "properties": {"spec": {"type": "object"}, "query": {"type": "string"}, "input_shape": _SHAPE, "output_shape": _SHAPE,
                           "params": {"type": "integer"}, "macs": {"type": "integer"}, "taps": {"type": "integer"},
                           "receptive_field": {"type": "array", "items": {"type": "object"}},
                           "overlap": {"type": "array", "items": {"type": "array"}, "description": "Per layer, [C][H][W] paths with every weight 1."}}}
ANSWERS = {200: {"description": "detail=full: the numbers, `input`, `output` and `layers`; detail=summary: the numbers and `layer_numbers`.",
                 "content": {"application/json": {"schema": {"oneOf": [
                     {**_NUMBERS, "title": "full", "required": _NUMBERS["required"] + ["input", "output", "layers"],
                      "properties": {**_NUMBERS["properties"], "input": {"type": "array"}, "output": {"type": "array"},
                                     "layers": {"type": "array", "items": {"type": "object"}, "description": "Per layer, what /api/v1/trace returns."}}},
                     {**_NUMBERS, "title": "summary", "required": _NUMBERS["required"] + ["layer_numbers"],
                      "properties": {**_NUMBERS["properties"], "layer_numbers": {"type": "array", "items": {
                          "type": "object", "required": ["op", "output_shape", "arithmetic"],
                          "properties": {"op": {"type": "string"}, "output_shape": _SHAPE, "arithmetic": {"type": "object"}}}}}},
                 ]}}}},
           **REFUSALS}
DETAIL_PARAMETER = params.detail_parameter("full: every layer's trace; summary: the numbers only (`layer_numbers` instead of `layers`, no `input` or `output`).")


def query_parameters(field: bool = False) -> list[dict]:
    def q(name, doc, schema=None):
        return {"name": name, "in": "query", "required": name == "layers", "description": doc, "schema": schema or {"type": "string"}}

    out = [q("input_size", INPUT_SIZE.doc.en, params.query_schema_of(INPUT_SIZE)),
           q("in_channels", IN_CHANNELS.doc.en, params.query_schema_of(IN_CHANNELS)),
           q("input", INPUT.doc.en),
           {**q("layers", "The layers, readable (see above) or JSON."),
            "examples": {"conv_then_pool": {"value": "conv2d:out_channels=4:k3:s2:p1;max_pool2d:k2"},
                         "dilated": {"value": "conv2d;conv2d:d2;conv2d:d4"}}}]
    if field:
        out += [q("map", "0 the input, i+1 the output of layers[i] (default: the last).", {"type": "integer", "minimum": 0}),
                q("cell", "c,y,x in that map (default: the centre of channel 0).")]
    return out + [q("lang", "Language of error messages: en or zh.")]


# ---------------------------------------------------------------- routes

@router.post("/api/v1/network", tags=["network"], summary="Network (JSON body)", description=NETWORK_DOC, responses=ANSWERS,
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": _network_schema(), "examples": _examples()}}},
                            "parameters": [DETAIL_PARAMETER]})
async def network_post(request: Request) -> Response:
    detail = params.read_detail(request.query_params.multi_items())
    return await _network(request, await params.json_body(request), detail)


@router.get("/api/v1/network", tags=["network"], summary="Network (readable query)", description=NETWORK_DOC + "\n" + QUERY_DOC,
            responses=ANSWERS, openapi_extra={"parameters": query_parameters() + [DETAIL_PARAMETER]})
async def network_get(request: Request) -> Response:
    items = request.query_params.multi_items()
    detail = params.read_detail(items)
    raw, _ = await run_in_threadpool(from_query, [(k, v) for k, v in items if k != "detail"])
    return await _network(request, raw, detail)


@router.post("/api/v1/network/field", tags=["network"], summary="Exact and effective receptive field of one cell (JSON body)",
             description=FIELD_DOC, responses=REFUSALS,
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": _network_schema(True), "examples": _examples(True)}}}})
async def field_post(request: Request) -> Response:
    body = await params.json_body(request)
    if not isinstance(body, dict):
        return await _field(request, body, {})
    where = {k: body[k] for k in ("map", "cell") if body.get(k) is not None}
    return await _field(request, {k: v for k, v in body.items() if k not in ("map", "cell")}, where)


@router.get("/api/v1/network/field", tags=["network"], summary="Exact and effective receptive field of one cell (readable query)",
            description=FIELD_DOC + "\n" + QUERY_DOC, responses=REFUSALS, openapi_extra={"parameters": query_parameters(True)})
async def field_get(request: Request) -> Response:
    raw, where = await run_in_threadpool(from_query, request.query_params.multi_items(), ("map", "cell"))
    return await _field(request, raw, where)


@router.get("/api/v1/network/presets", tags=["network"], summary="Networks that teach, each with its numbers side by side")
def presets() -> dict:
    """Each preset's stacks, with output shape, parameters, multiply-accumulates, taps and
    receptive field of each, and the ratio of the first's parameters and MACs to the second's."""
    return {"presets": [compare(p) for p in PRESETS]}
