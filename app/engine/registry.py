"""Operations register here by name; the rest of the code looks them up.

Every module in `app/engine/ops/` that defines `OPERATION` (a `contract.Operation`)
is found and registered on first use: adding an operation is adding one module
there (with its tests). Its rule messages join the catalogue as it registers.
"""

from __future__ import annotations

import importlib
import pkgutil

from .contract import Operation

_OPS: dict[str, Operation] = {}


def _discover() -> None:
    from . import messages, ops

    found = []
    for info in pkgutil.iter_modules(ops.__path__):
        module = importlib.import_module(f"{ops.__name__}.{info.name}")
        if isinstance(getattr(module, "OPERATION", None), Operation):
            found.append(module.OPERATION)
    for op in sorted(found, key=lambda o: (o.order, o.name)):
        messages.add(op.messages, op.name)
        _OPS[op.name] = op


def operations() -> tuple[Operation, ...]:
    if not _OPS:
        _discover()
    return tuple(_OPS.values())


def names() -> tuple[str, ...]:
    return tuple(op.name for op in operations())


def get(name: str) -> Operation:
    operations()
    return _OPS[name]


def fields_by_name() -> dict:
    """Every field any operation takes, once: name -> (its declaration, the operations that take it)."""
    out: dict = {}
    for op in operations():
        for f in op.fields:
            out.setdefault(f.name, (f, []))[1].append(op.name)
    return out
