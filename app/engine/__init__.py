"""The engine: spec in, trace out. Pure NumPy: no I/O, no web, no imaging.

    spec = build_spec({"op": "conv2d", "input_size": 5, "kernel_size": 3, "stride": 2})
    trace = run(spec)           # every step and tap, the output, the arithmetic
    trace.to_json()             # the API's JSON, as bytes

Operations live in `ops/`, one module each, described by `contract.Operation`.
"""

from . import registry
from .contract import Field, Operation, Text
from .errors import SpecError
from .limits import LIMITS
from .spec import Spec, build_spec
from .trace import Canvas, Trace


def run(spec: Spec) -> Trace:
    """Execute the operation step by step."""
    return registry.get(spec.op).run(spec)


def trace(raw: dict) -> Trace:
    """build_spec then run: the one call most callers need."""
    return run(build_spec(raw))


def operations() -> tuple[Operation, ...]:
    return registry.operations()


def describe() -> list[dict]:
    """Every operation as data: what `GET /api/v1/ops` serves and the page is built from."""
    return [op.describe() for op in registry.operations()]


__all__ = ["LIMITS", "Canvas", "Field", "Operation", "Spec", "SpecError", "Text", "Trace",
           "build_spec", "describe", "operations", "run", "trace"]
