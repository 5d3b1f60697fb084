"""Small in-memory caches, bounded, keyed by the canonical spec (not its spelling)."""

from __future__ import annotations

import threading
from collections import OrderedDict

from app.engine import Spec, Trace, run


class ByteBudgetLRU:
    """Least-recently-used map that evicts once the stored values pass a byte budget."""

    def __init__(self, budget: int, size=len):
        self.budget, self.size, self.used = budget, size, 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key, value) -> None:
        cost = self.size(value)
        if cost > self.budget:
            return
        with self._lock:
            if key in self._items:
                self.used -= self.size(self._items.pop(key))
            self._items[key] = value
            self.used += cost
            while self.used > self.budget:
                _, old = self._items.popitem(last=False)
                self.used -= self.size(old)


_traces = ByteBudgetLRU(64 * 2**20, size=lambda t: len(t.to_json()))


def trace_for(spec: Spec) -> Trace:
    """The trace for a spec, computed once while it stays in the cache."""
    key = spec.key()
    found = _traces.get(key)
    if found is None:
        found = run(spec)
        _traces.put(key, found)
    return found
