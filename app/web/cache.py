"""Small in-memory caches, bounded by the bytes they hold, keyed by the canonical spec (not its spelling).

Answers are stored as they are sent (JSON gzipped once, images as encoded), so a
cached answer costs a dictionary look-up; the key includes DRAWING_VERSION, a digest
of the code and font that draw, so a new drawing never hides behind an old ETag.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from app.engine import Spec, Trace, run
from app.engine.network import Network, build_network

ENTRY_OVERHEAD = 200   # bytes of key, node and bookkeeping per entry, roughly


class ByteBudgetLRU:
    """Least-recently-used map that evicts once the stored values pass a byte budget."""

    def __init__(self, budget: int, size=len):
        self.budget, self.size, self.used = budget, size, 0
        self._items: OrderedDict = OrderedDict()   # key -> (value, cost)
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key, value) -> None:
        cost = self.size(value) + ENTRY_OVERHEAD
        if cost > self.budget:
            return
        with self._lock:
            if key in self._items:
                self.used -= self._items.pop(key)[1]
            self._items[key] = (value, cost)
            self.used += cost
            while self.used > self.budget:
                _, (_, old) = self._items.popitem(last=False)
                self.used -= old


def trace_bytes(trace: Trace) -> int:
    """What a trace holds: its arrays (the spec's included) and its JSON once written."""
    arrays = [v for v in vars(trace).values() if isinstance(v, np.ndarray)]
    arrays += [v for v in vars(trace.canvas).values() if isinstance(v, np.ndarray)]
    arrays += [v for v in (trace.spec.input, trace.spec.weight, trace.spec.bias) if v is not None]
    return sum(a.nbytes for a in arrays) + sum(len(j) for j in trace._json)


# Traces and networks are made and kept in the render processes only (the server keeps answers):
# small budgets, since a render process holds them until it is recycled, storm or not
WORKER_CACHE_BYTES = 16 * 2**20
_traces = ByteBudgetLRU(WORKER_CACHE_BYTES, size=trace_bytes)


def trace_for(spec: Spec) -> Trace:
    """The trace for a spec, computed once while it stays in the cache (of this process)."""
    key = spec.key()
    found = _traces.get(key)
    if found is None:
        found = run(spec)
        _traces.put(key, found)
    return found


# held per tap: its trace's arrays and, once written, its JSON (about 130 bytes in all)
_networks = ByteBudgetLRU(WORKER_CACHE_BYTES, size=lambda n: 130 * n.taps)


def _spelled(raw) -> str | None:
    try:
        return json.dumps(raw, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):   # not JSON's kind of value: the engine refuses it, naming the field
        return None


def network_for(raw) -> Network:
    """The network for a request body, built once while it stays in the cache (of this process)."""
    key = _spelled(raw)
    found = None if key is None else _networks.get(key)
    if found is None:
        found = build_network(raw)
        if key is not None:
            _networks.put(key, found)
    return found


def normalised(raw) -> bytes:
    """The network as the engine reads it (every default filled in), one spelling as JSON; the network
    is kept under it, so a job given that form (json.loads of it) finds it, whichever spelling asked."""
    key = _spelled(raw)
    net = (None if key is None else _networks.get(key)) or build_network(raw)
    normal = _spelled(net.canonical())
    _networks.put(normal, net)
    return normal.encode()


def drawing_version(roots: list[Path], extra: str = "") -> str:
    """A digest of every source file under `roots` (and `extra`): changes whenever what is drawn can change."""
    digest = hashlib.sha256(extra.encode())
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _drawing_version() -> str:
    import PIL

    app = Path(__file__).resolve().parents[1]
    # the font is Pillow's built-in one, so Pillow's version stands for it
    return drawing_version([app / "engine", app / "render"], f"pillow {PIL.__version__}; numpy {np.__version__}")


DRAWING_VERSION = _drawing_version()
