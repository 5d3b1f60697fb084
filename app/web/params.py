"""The operations' fields as the web sees them: OpenAPI schemas and query parsing.

Nothing here lists fields: the POST body schema, the typed GET query parameters
and the parsing of query strings all come from the operations' declarations
(`app.engine.contract.Field`).
"""

from __future__ import annotations

from fastapi import Path
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from app.engine import Field, SpecError, operations, registry
from app.engine.query import loads, parse_value
from app.render import WRITERS
from app.render.options import OPTION_FIELDS

_PAIR_TEXT = r"^\s*\d+\s*[,x×]\s*\d+\s*$"
_REAL_PAIR_TEXT = r"^\s*\d+(\.\d+)?\s*[,x×]\s*\d+(\.\d+)?\s*$"
_SIDES_TEXT = r"^(top|bottom|left|right):\d+(,(top|bottom|left|right):\d+)*$"


def _bounded(schema: dict, f: Field) -> dict:
    if f.low is not None:
        schema["minimum"] = f.low
    if f.high is not None:
        schema["maximum"] = f.high
    return schema


def body_schema_of(f: Field) -> dict:
    """JSON schema of one field in a JSON body."""
    if f.kind == "int":
        return _bounded({"type": "integer"}, f)
    if f.kind == "pair":
        one = _bounded({"type": "integer"}, f)
        return {"oneOf": [one, {"type": "array", "items": one, "minItems": 2, "maxItems": 2}]}
    if f.kind == "real":
        return _bounded({"type": "number"}, f)
    if f.kind == "reals":
        one = _bounded({"type": "number"}, f)
        return {"oneOf": [one, {"type": "array", "items": one, "minItems": 2, "maxItems": 2}]}
    if f.kind == "bool":
        return {"type": "boolean"}
    if f.kind == "choice":
        return {"type": "string", "enum": [c.value for c in f.choices]}
    if f.kind == "padding":
        one = _bounded({"type": "integer"}, f)
        forms = [one, {"type": "array", "items": one, "minItems": 2, "maxItems": 2}]
        if f.words:
            forms.append({"type": "string", "enum": list(f.words)})
        if f.sides:
            forms.append({"type": "object", "properties": {s: one for s in ("top", "bottom", "left", "right")}, "additionalProperties": False})
        return {"oneOf": forms}
    return {"type": "array", "items": {}}


def query_schema_of(f: Field) -> dict:
    """JSON schema of one field written in a query string (`5`, `5,7`, `true`, JSON)."""
    if f.kind in ("int", "real", "bool", "choice"):
        return body_schema_of(f)
    if f.kind == "pair":
        return {"anyOf": [_bounded({"type": "integer"}, f), {"type": "string", "pattern": _PAIR_TEXT}]}
    if f.kind == "reals":
        return {"anyOf": [_bounded({"type": "number"}, f), {"type": "string", "pattern": _REAL_PAIR_TEXT}]}
    if f.kind == "padding":
        forms = [_bounded({"type": "integer"}, f), {"type": "string", "pattern": _PAIR_TEXT}]
        if f.words:
            forms.append({"type": "string", "enum": list(f.words)})
        if f.sides:
            forms.append({"type": "string", "pattern": _SIDES_TEXT})
        return {"anyOf": forms}
    return {"type": "string", "description": "JSON: a nested list of numbers"}


def _doc(f: Field, owners: list[str]) -> str:
    every = len(owners) == len(operations())
    return f.doc.en if every else f"{', '.join(owners)}: {f.doc.en}"


def _op_field() -> dict:
    names = [op.name for op in operations()]
    return {"type": "string", "enum": names, "default": "conv2d", "description": "The operation: " + ", ".join(names) + "."}


def body_schema() -> dict:
    """JSON schema of the POST body, for OpenAPI."""
    props = {"op": _op_field()}
    for name, (f, owners) in registry.fields_by_name().items():
        props[name] = {**body_schema_of(f), "description": _doc(f, owners)}
    return {"type": "object", "properties": props, "additionalProperties": False}


def query_parameters(extra: dict[str, str] | None = None) -> list[dict]:
    """OpenAPI `parameters` for the GET form, typed as the query string writes them."""
    out = [{"name": "op", "in": "query", "required": False, "description": _op_field()["description"], "schema": _op_field()}]
    for name, (f, owners) in registry.fields_by_name().items():
        out.append({"name": name, "in": "query", "required": False, "description": _doc(f, owners), "schema": query_schema_of(f)})
    for name, text in (extra or {}).items():
        out.append({"name": name, "in": "query", "required": False, "description": text, "schema": {"type": "string"}})
    return out


def path_choice(values, doc: str):
    """A path parameter typed as one of `values` in OpenAPI; the route refuses others itself, naming the rule."""
    return Path(description=doc, json_schema_extra={"enum": list(values)})


def format_path():
    """The `fmt` of /animation.{fmt} routes: one of the writers."""
    return path_choice(WRITERS, "The file format (/api/v1/limits render.writers).")


def option_parameters(skip: tuple = ()) -> list[dict]:
    """OpenAPI `parameters` of the render options, typed from their declarations as the fields are."""
    return [{"name": f.name, "in": "query", "required": False, "description": f.doc.en, "schema": query_schema_of(f)}
            for f in OPTION_FIELDS if f.name not in skip]


def from_query(items, skip: frozenset = frozenset()) -> dict:
    """Query pairs -> the same dict a JSON body would give. Repeated keys: last wins.

    Which names are fields is build_spec's to say (it names the operation's fields).
    """
    return {key: parse_value(key, text) for key, text in items if key not in skip}


async def json_body(request: Request):
    """The request's JSON body ({} when empty), parsed in a thread with its nesting bounded.

    The edge has already refused a body over the size limit, before it was read."""
    data = await request.body()
    return await run_in_threadpool(loads, "body", data, True) if data.strip() else {}


DETAILS = ("full", "summary")   # how much of an answer: everything, or the numbers a page draws


def read_detail(items) -> str:
    """The `detail` query parameter: full (the default) or summary; anything else is refused by name."""
    given = [v for k, v in items if k == "detail"]
    if not given:
        return "full"
    if len(given) > 1 or given[0] not in DETAILS:
        raise SpecError("detail", "not_choice", listed=", ".join(DETAILS), got=",".join(given))
    return given[0]


def detail_parameter(description: str) -> dict:
    """`detail` as OpenAPI declares it; `description` says what each choice holds."""
    return {"name": "detail", "in": "query", "required": False, "schema": {"type": "string", "enum": list(DETAILS), "default": "full"},
            "description": description}
