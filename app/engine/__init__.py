"""The engine: spec in, trace out. Pure NumPy: no I/O, no web, no imaging.

    spec = build_spec({"op": "conv2d", "input_size": 5, "kernel_size": 3, "stride": 2})
    trace = run(spec)           # every step and tap, the output, the arithmetic
    trace.to_json()             # the API's JSON, as bytes
"""

from . import registry
from . import avg_pool2d, conv2d, conv_transpose2d, max_pool2d  # noqa: F401  (they register)
from .errors import SpecError
from .limits import LIMITS
from .spec import FIELDS, Spec, build_spec
from .trace import Canvas, Trace

for _module in (conv2d, conv_transpose2d, max_pool2d, avg_pool2d):
    registry.register(_module)

OPS = registry.names()


def run(spec: Spec) -> Trace:
    """Execute the operation step by step."""
    return registry.get(spec.op).run(spec)


def trace(raw: dict) -> Trace:
    """build_spec then run: the one call most callers need."""
    return run(build_spec(raw))


__all__ = ["FIELDS", "LIMITS", "OPS", "Canvas", "Spec", "SpecError", "Trace", "build_spec", "run", "trace"]
